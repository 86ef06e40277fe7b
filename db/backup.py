"""Consistent copies of a SQLite database while the daemon writes, and checked restores."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine

from db.errors import StoreError, StoreUnavailable

# Pages copied per step: small steps let the daemon's commits in between (the backup restarts
# from scratch only when another connection writes; WAL makes that rare and cheap).
PAGES_PER_STEP = 256

Progress = Callable[[int, int], None]


def sqlite_path(engine: Engine) -> Path:
    """The database file behind ENGINE; backups are for SQLite (PostgreSQL has pg_dump)."""
    if engine.dialect.name != "sqlite" or not engine.url.database:
        raise StoreError(
            "backup and restore are for SQLite; for PostgreSQL use pg_dump and pg_restore"
        )
    return Path(engine.url.database)


def check_target(target: Path) -> Path:
    """TARGET with ~ expanded, if a backup can be written there; StoreError says why not."""
    target = target.expanduser()
    if target.exists():
        raise StoreError(f"{target} already exists; choose a new file name or delete it first")
    if not target.parent.is_dir():
        raise StoreError(f"the folder {target.parent} does not exist; create it or pick another")
    return target


def backup(engine: Engine, target: Path, progress: Progress | None = None) -> int:
    """Copy the live database to TARGET with SQLite's online backup API; returns pages copied."""
    source_path = sqlite_path(engine)
    target = check_target(target)
    source = sqlite3.connect(source_path)
    try:
        destination = sqlite3.connect(target)
    except sqlite3.Error as exc:
        source.close()
        raise StoreError(f"cannot write {target} ({exc}); check the folder's permissions") from exc
    try:
        copied = 0

        def step(status: int, remaining: int, total: int) -> None:
            nonlocal copied
            copied = total
            if progress:
                progress(total - remaining, total)

        source.backup(destination, pages=PAGES_PER_STEP, progress=step)
    except sqlite3.Error as exc:
        target.unlink(missing_ok=True)
        raise StoreUnavailable(
            f"backup failed: {exc}; check free space at {target.parent}"
        ) from exc
    finally:
        destination.close()
        source.close()
    return copied


def check_backup(path: Path) -> str:
    """Why PATH is not a usable backup of this program's database, or '' when it is."""
    path = path.expanduser()
    if not path.is_file():
        return f"{path} does not exist"
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                return f"{path} is damaged (SQLite integrity check failed)"
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
            if "alembic_version" not in tables or "readings" not in tables:
                return f"{path} is not an aquarium monitor database"
            revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as exc:
        return f"{path} is not a SQLite database ({exc})"
    if revision is None:
        return f"{path} has no schema version"
    return ""


def restore(engine: Engine, source: Path, progress: Progress | None = None) -> None:
    """Replace the database behind ENGINE with the checked backup SOURCE (daemon stopped)."""
    problem = check_backup(source)
    if problem:
        raise StoreError(f"not restoring: {problem}")
    target_path = sqlite_path(engine)
    engine.dispose()
    backup_conn = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    live = sqlite3.connect(target_path)
    try:
        backup_conn.backup(
            live,
            pages=PAGES_PER_STEP,
            progress=(lambda _s, r, t: progress(t - r, t)) if progress else None,
        )
    finally:
        live.close()
        backup_conn.close()
