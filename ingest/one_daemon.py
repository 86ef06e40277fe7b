"""One ingest daemon per SQLite database; on PostgreSQL, workers coordinate by leases.

Two daemons on one SQLite file either take each other's MQTT session over for ever (the same
client id, with no warning) or store every reading without a device time twice (different ids).
SQLite: a lock held by the operating system on a file beside the database, so a daemon killed
with SIGKILL frees it at once and a restart is never refused; the heartbeat table names the daemon
that holds it. PostgreSQL: any number of workers may run; leases in the database decide which one
holds the MQTT session (db/lease.py, ingest/election.py), so there is nothing to refuse.
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
    # Named after the file itself, not the name it was reached by: through a symlink (or a
    # relative path) the same database must find the same lock.
    resolved = Path(database).expanduser().resolve()
    return resolved.with_name(resolved.name + ".ingest-lock")


def _describe(status: DaemonStatus | None, holder: str, now: datetime) -> str:
    if status is None:
        return holder or "another process"
    age = (now - status.heartbeat).total_seconds()
    return (
        f"{holder + ', ' if holder else ''}worker {status.worker}, client id "
        f"{status.session or '-'} on {status.broker} "
        f"(heartbeat {age:.0f} s ago)"
    )


class OneDaemon:
    """Held for the daemon's lifetime; acquire() refuses a second daemon, naming the first."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.path = lock_path(engine)
        self._file: IO[str] | None = None

    def acquire(self) -> None:
        """Take the database for this daemon; raise AnotherDaemon if a live one has it."""
        if self.path is None:  # a server database: leases coordinate the workers
            return
        now = datetime.now(UTC)
        live = [s for s in _statuses(self.engine) if now - s.heartbeat <= SILENT_AFTER]
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


def _statuses(engine: Engine) -> list[DaemonStatus]:
    try:
        return list_status(engine)
    except Exception as exc:  # the heartbeat table only names the other daemon
        log.debug("cannot read the daemons' heartbeats: %s", exc)
        return []
