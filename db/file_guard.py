"""Notices the SQLite file being deleted or replaced under a running daemon.

SQLite keeps writing into a file that was unlinked or renamed away (its open descriptors still
work), so commits succeed and the daemon would ack readings that vanish at the next restart.
Comparing the path's (device, inode) with the one opened at start catches a deleted, moved or
replaced file (a restore copied over it, `rm aquarium.db`): a file whose link count dropped to 0
has no path left to stat. The daemon then stops acking and says why. (Why not fstat of SQLite's
own descriptor: Python's sqlite3 does not expose it, and a second descriptor of ours would drop
SQLite's POSIX locks when closed.)
"""

from __future__ import annotations

import os

from sqlalchemy import Engine

from db.errors import StoreUnavailable


class DatabaseFileChanged(StoreUnavailable):
    """The database file at the configured path is no longer the one this process writes to."""


class DatabaseFileGuard:
    """Remembers the SQLite file's identity (device, inode) and checks it is still at its path."""

    def __init__(self, engine: Engine) -> None:
        database = engine.url.database if engine.dialect.name == "sqlite" else None
        self.path = os.path.abspath(database) if database and database != ":memory:" else None
        self._identity = self._stat() if self.path else None

    def _stat(self) -> tuple[int, int] | None:
        assert self.path is not None
        try:
            found = os.stat(self.path)
        except FileNotFoundError:
            return None
        return found.st_dev, found.st_ino

    def check(self) -> None:
        """Raise DatabaseFileChanged if the file at the path is not the one opened at start."""
        if self.path is None or self._identity is None:
            return
        now = self._stat()
        if now == self._identity:
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
