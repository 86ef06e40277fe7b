"""One ingest daemon per database, unless they are configured to share the work.

Two daemons on one database either take each other's MQTT session over for ever (the same client
id, with no warning) or store every reading without a device time twice (different ids without a
share group). SQLite: a lock held by the operating system on a file beside the database, so a
daemon killed with SIGKILL frees it at once and a restart is never refused; the heartbeat table
names the daemon that holds it. PostgreSQL: workers coordinate through the database (share
groups now, leases with scale-out), so a live heartbeat of another daemon that would duplicate
this one is reported loudly instead.
"""

from __future__ import annotations

import fcntl
import logging
import os
import socket
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from sqlalchemy import Engine

from db.daemon_status import SILENT_AFTER, DaemonStatus, list_status
from sensors.errors import AquariumError

log = logging.getLogger(__name__)


class AnotherDaemon(AquariumError):
    """Another ingest daemon already writes to this database."""


def lock_path(engine: Engine) -> Path | None:
    """The lock file of ENGINE's SQLite database, or None for a server database or memory."""
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:":
        return None
    return Path(database).expanduser().resolve().with_name(Path(database).name + ".ingest-lock")


def _describe(status: DaemonStatus | None, holder: str, now: datetime) -> str:
    if status is None:
        return holder or "another process"
    age = (now - status.heartbeat).total_seconds()
    return (
        f"{holder + ', ' if holder else ''}client id {status.client_id} on {status.broker} "
        f"(heartbeat {age:.0f} s ago)"
    )


class OneDaemon:
    """Held for the daemon's lifetime; acquire() refuses or warns, naming the other daemon."""

    def __init__(self, engine: Engine, client_id: str, share_group: str | None) -> None:
        self.engine, self.client_id, self.share_group = engine, client_id, share_group
        self.path = lock_path(engine)
        self._file: IO[str] | None = None

    def acquire(self) -> None:
        """Take the database for this daemon; raise AnotherDaemon if a live one has it."""
        now = datetime.now(UTC)
        live = [s for s in _statuses(self.engine) if now - s.heartbeat <= SILENT_AFTER]
        if self.path is None:
            self._warn_about(live, now)
            return
        handle = self.path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip()[:200]
            handle.close()
            newest = live[0] if live else None
            raise AnotherDaemon(
                f"another ingest daemon already writes to {self.path.with_suffix('')}: "
                f"{_describe(newest, holder, now)}; a second one would take over its MQTT session "
                "or store every reading twice: stop it first (several workers need PostgreSQL)"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()} on {socket.gethostname()}\n")
        handle.flush()
        self._file = handle  # kept open: closing it, or the process ending, frees the lock

    def release(self) -> None:
        """Free the database for the next daemon."""
        if self._file is not None:
            self._file.close()
            self._file = None

    def _warn_about(self, live: list[DaemonStatus], now: datetime) -> None:
        for status in live:
            if status.client_id == self.client_id:
                problem = (
                    "uses the same MQTT client id: the two will knock each other off (unless it "
                    "is this daemon's own previous run, killed less than 30 s ago)"
                )
            elif self.share_group is None:
                problem = "runs without a share group: every reading would be stored twice"
            else:
                continue  # workers of a share group split the messages between them
            log.error(
                "another ingest daemon on this database, %s, %s; stop one of them, or give "
                "each its own --client-id and the same --share-group",
                _describe(status, "", now),
                problem,
            )


def _statuses(engine: Engine) -> list[DaemonStatus]:
    try:
        return list_status(engine)
    except Exception as exc:  # the heartbeat table only names the other daemon
        log.debug("cannot read the daemons' heartbeats: %s", exc)
        return []
