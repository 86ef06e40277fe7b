"""Consistent copies of a SQLite database while the daemon writes, and checked restores."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine

from db.errors import StoreError, StoreUnavailable
from db.migrate import is_known_revision, unknown_revision_message, upgrade

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
    if not is_known_revision(revision[0]):
        return f"{path}: {unknown_revision_message(revision[0])}"
    return ""


def _copy(source: Path, target: Path, progress: Progress | None, pages: int) -> None:
    """SQLite's backup API from SOURCE into TARGET (one transaction on TARGET per step)."""
    from_conn = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    to_conn = sqlite3.connect(target)
    try:
        from_conn.backup(
            to_conn,
            pages=pages,
            progress=(lambda _s, r, t: progress(t - r, t)) if progress else None,
        )
    finally:
        to_conn.close()
        from_conn.close()


def restore(engine: Engine, source: Path, progress: Progress | None = None) -> None:
    """Replace the database behind ENGINE with the checked backup SOURCE (daemon stopped).

    The backup is copied and migrated in a scratch file beside the live one first; the live
    database is replaced only once that worked, so a backup this version cannot migrate leaves
    it as it was.
    """
    source = source.expanduser()
    problem = check_backup(source)
    if problem:
        raise StoreError(f"not restoring: {problem}")
    target_path = sqlite_path(engine)
    scratch = target_path.with_name(f".{target_path.name}.restoring")
    _remove_sqlite_files(scratch)
    try:
        _copy(source, scratch, progress, PAGES_PER_STEP)
        _migrate_scratch(scratch)
        engine.dispose()
        # One step: the live file is replaced inside a single write transaction, all or nothing.
        _copy(scratch, target_path, None, -1)
    except sqlite3.Error as exc:
        raise StoreUnavailable(
            f"not restoring: {exc}; the live database was left as it was (check free space "
            f"at {target_path.parent})"
        ) from exc
    finally:
        _remove_sqlite_files(scratch)


def _migrate_scratch(scratch: Path) -> None:
    from db.engine import open_engine

    scratch_engine = open_engine(f"sqlite:///{scratch}", migrate=False)
    try:
        upgrade(scratch_engine)
    except StoreError as exc:
        raise StoreError(f"not restoring: {exc}") from exc
    except Exception as exc:  # a failing migration of foreign data: refuse, live DB untouched
        raise StoreError(
            f"not restoring: the backup could not be migrated to this version's schema "
            f"({str(getattr(exc, 'orig', None) or exc).splitlines()[0]}); the live database "
            "was left as it was"
        ) from exc
    finally:
        scratch_engine.dispose()


def _remove_sqlite_files(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
