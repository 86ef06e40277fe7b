"""Notices the SQLite file being deleted or replaced under a running daemon.

SQLite keeps writing into a file that was unlinked or renamed away (its open descriptors still
work), so commits succeed and the daemon would ack readings that vanish at the next restart.
Comparing the path's (device, inode) with the one opened at start catches a deleted, moved or
replaced file (a restore copied over it, `rm aquarium.db`): a file whose link count dropped to 0
has no path left to stat. The daemon then stops acking and says why. (Why not fstat of SQLite's
own descriptor: Python's sqlite3 does not expose it, and a second descriptor of ours would drop
SQLite's POSIX locks when closed.)

The write-ahead log beside it (`aquarium.db-wal`, which looks like a leftover) holds every commit
since the last checkpoint: deleted, SQLite goes on committing into the unlinked log, and a crash
then loses all of it, readings acked long before included. While the daemon's connection is open
the log must be at its path; if it is gone, the guard first checkpoints what the open log holds
into the database file, then stops the acks the same way. A commit that fails because the log is
gone (a new connection is refused, db/engine.py) saves it too, through a pooled connection.
"""

from __future__ import annotations

import os
import time
from typing import Any

from sqlalchemy import Connection, Engine

from db.errors import StoreUnavailable

# How long saving a deleted log waits for this process's other threads: for one of the pool's
# connections (each has the old log open) to come back, and for a reader of an older snapshot,
# which stops a checkpoint short, to move on. Their reads take milliseconds to seconds.
SAVE_WAIT_S = 15.0


class DatabaseFileChanged(StoreUnavailable):
    """The database file at the configured path is no longer the one this process writes to."""


class DatabaseFileGuard:
    """Remembers the SQLite file's identity (device, inode) and checks it is still at its path."""

    def __init__(self, engine: Engine) -> None:
        database = engine.url.database if engine.dialect.name == "sqlite" else None
        self.path = os.path.abspath(database) if database and database != ":memory:" else None
        self._identity = self._stat() if self.path else None
        # Each open connection's write-ahead log as first seen after a commit, keyed by the
        # connection (kept, so its id is not reused while it is listed).
        self._logs: dict[int, tuple[object, tuple[int, int]]] = {}
        self._last_log: tuple[int, int] | None = None  # the log at the last good check

    def _stat(self, suffix: str = "") -> tuple[int, int] | None:
        assert self.path is not None
        try:
            found = os.stat(self.path + suffix)
        except FileNotFoundError:
            return None
        return found.st_dev, found.st_ino

    def _log_replaced(self, conn: Connection) -> bool:
        """True when the log at the path is gone, or is not the file CONN has been writing to.

        SQLite keeps a connection's log open until the connection closes and never unlinks it
        while it is open; so a log at the path with another inode than this connection saw
        before was deleted and made anew, typically by another connection opened after an
        `rm aquarium.db-wal`, while this one goes on committing into the unlinked file.
        """
        now = self._stat("-wal")
        if now is None:
            return True
        raw = conn.connection.driver_connection
        seen = self._logs.get(id(raw))
        if seen is not None and seen[0] is raw:
            if seen[1] != now:
                return True
            self._last_log = now
            return False
        if len(self._logs) > 64:  # connections come and go with the pool: forget the old ones
            self._logs.clear()
        self._logs[id(raw)] = (raw, now)
        self._last_log = now
        return False

    def check(self, conn: Connection | None = None) -> None:
        """Raise DatabaseFileChanged if the file at the path is not the one opened at start, or
        its write-ahead log is gone while CONN (open, just committed) is in WAL mode."""
        if self.path is None or self._identity is None:
            return
        now = self._stat()
        if now == self._identity:
            if conn is not None and self._log_replaced(conn):
                self._log_deleted(conn)
            return
        what = (
            "was deleted or moved away"
            if now is None
            else f"was replaced by another file (inode {self._identity[1]} is now {now[1]})"
        )
        raise DatabaseFileChanged(
            f"the database file {self.path} {what} while the daemon was running, so nothing more "
            "is acknowledged (the broker keeps the readings); restart the daemon to open the file "
            "now at that path"
        )

    def _log_deleted(self, conn: Connection) -> None:
        # sqlite3's own connection, outside any transaction: through SQLAlchemy the statement
        # would open one (BEGIN IMMEDIATE), and a checkpoint cannot run inside a transaction.
        raw = conn.connection.driver_connection
        assert raw is not None  # an open connection
        (mode,) = raw.execute("PRAGMA journal_mode").fetchone()
        if str(mode).lower() != "wal":
            return
        raise self.log_replaced_error(f"{_save_open_log(raw)}, and ")

    def save_after_failure(self, engine: Engine) -> str:
        """After a failed commit into a deleted log: save what the open log holds, through a
        connection the pool already has (a new one would make a new, empty log). Says how it
        went, for log_replaced_error()."""
        deadline = time.monotonic() + SAVE_WAIT_S
        while True:
            try:
                with engine.connect() as conn:
                    raw = conn.connection.driver_connection
                    assert raw is not None  # an open connection
                    return f"{_save_open_log(raw)}, and "
            except StoreUnavailable as exc:
                # Every pooled connection was out with another thread, and a new one is refused
                # (db/engine.py): wait for one of them to come back, it has the old log open.
                if time.monotonic() > deadline:
                    return f"saving what it held failed ({str(exc).splitlines()[0][:120]}), and "
                time.sleep(0.05)
            except Exception as exc:  # a failed rescue must not hide the reason for stopping
                return f"saving what it held failed ({str(exc).splitlines()[0][:120]}), and "

    def log_replaced(self) -> bool:
        """After a failed commit: is the log the last good commit went to gone from its path?

        The daemon's pool keeps its connections open, so while it runs SQLite never removes
        the log (it does so when the last connection closes): another file there was made anew.
        """
        if self.path is None or self._last_log is None:
            return False
        return self._stat("-wal") != self._last_log

    def log_replaced_error(self, saved: str) -> DatabaseFileChanged:
        """The one-line error for a deleted log; SAVED says what became of its contents."""
        return DatabaseFileChanged(
            f"the database's write-ahead log {self.path}-wal was deleted while the daemon was "
            f"running; {saved}nothing more is acknowledged (the broker keeps the readings); "
            "restart the daemon, and leave the -wal and -shm files beside the database alone"
        )


def _save_open_log(raw: Any) -> str:
    """Copy the pages of the log RAW still has open (unlinked) into the database file.

    The checkpoint reports (busy, frames in the log, frames copied): another connection of this
    process reading an older snapshot makes it stop short, so it is tried again while that
    reader finishes, and a partial copy is said as such, never as saved.
    """
    deadline = time.monotonic() + SAVE_WAIT_S
    try:
        while True:
            busy, frames, copied = raw.execute("PRAGMA wal_checkpoint(FULL)").fetchone()
            if not busy and copied >= frames:
                return "what it held was saved into the database file"
            if time.monotonic() > deadline:
                return f"only {copied} of its {frames} pages could be saved into the database file"
            time.sleep(0.05)
    except Exception as exc:  # a failed rescue must not hide the reason for stopping
        return f"saving what it held failed ({str(exc).splitlines()[0][:120]})"
