"""Engines for SQLite (the default) and PostgreSQL, with the settings a concurrent reader and
writer need, and the schema brought up to date on open."""

from __future__ import annotations

import os
import sqlite3
from collections import Counter
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError

from db.errors import StoreUnavailable
from db.failures import translate
from sensors.credentials import mask_credentials

# How long a writer waits for another writer's lock before giving up. The daemon commits small
# batches in milliseconds; a dashboard write or a backup may hold the lock for seconds.
BUSY_TIMEOUT_MS = 15_000


# libpq's client-side keepalive and TCP user timeout: a worker whose database server vanished
# (a cut cable drops packets silently) notices within about 25 s instead of the kernel's two
# hours, so a lease holder stops its duty inside the failover bound (db/lease.py, docs/scaling.md).
POSTGRES_CONNECT_ARGS = {
    "keepalives": 1,
    "keepalives_idle": 10,
    "keepalives_interval": 5,
    "keepalives_count": 3,
    "tcp_user_timeout": 25_000,  # milliseconds
}


def _sqlite_pragmas(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
    # Let SQLAlchemy's "begin" event below issue BEGIN itself (pysqlite otherwise delays it and
    # a read-then-write transaction can deadlock into "database is locked").
    dbapi_conn.isolation_level = None
    cursor = dbapi_conn.cursor()
    # WAL: readers (the dashboard) never block the writer (the daemon) and vice versa.
    cursor.execute("PRAGMA journal_mode=WAL")
    # FULL: a commit is on disk before the MQTT ack, so an acked reading survives a power cut.
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


# Open SQLite connections of this process, per database file (pool connect and close events).
_OPEN_CONNECTIONS: Counter[str] = Counter()


def _refuse_a_second_log(path: str, _dbapi_conn: Any, _record: Any) -> None:
    """Refuse a new connection while this process's others write to a deleted write-ahead log.

    SQLite removes the log (and its index, the -shm file) only when the last connection closes.
    With our connections open, an index without its log means the log was deleted underneath
    (`rm aquarium.db-wal`). A new connection would make an empty log and reset the shared index,
    and the open connections' commits, acked ones included, would be lost; refused, the open
    ones keep the old log whole until the store's guard saves it (db/file_guard.py).
    """
    if (
        _OPEN_CONNECTIONS[path] > 0
        and os.path.exists(f"{path}-shm")
        and not os.path.exists(f"{path}-wal")
    ):
        raise StoreUnavailable(
            f"the database's write-ahead log {path}-wal was deleted while this process had the "
            "database open; nothing more is acknowledged (the broker keeps the readings); "
            "restart the daemon, and leave the -wal and -shm files beside the database alone"
        )
    _OPEN_CONNECTIONS[path] += 1


def _forget_connection(path: str, _dbapi_conn: Any, _record: Any) -> None:
    _OPEN_CONNECTIONS[path] = max(0, _OPEN_CONNECTIONS[path] - 1)


def _sqlite_begin(conn: Any) -> None:
    # Writers take the write lock up front (BEGIN IMMEDIATE) so busy_timeout applies; a deferred
    # transaction that later upgrades to a writer fails at once with "database is locked".
    mode = "IMMEDIATE" if conn.get_execution_options().get("sqlite_write") else "DEFERRED"
    conn.exec_driver_sql(f"BEGIN {mode}")


def open_engine(url: str, *, migrate: bool = True) -> Engine:
    """An engine for URL with pragmas set and, unless told otherwise, the schema migrated."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StoreUnavailable(
            f"AQUARIUM_DB_URL {mask_credentials(url)!r} is not a database URL; use "
            "sqlite:///path/to/aquarium.db or postgresql+psycopg://user:password@host/dbname "
            "(percent-encode # / ? @ in the password: %23 %2F %3F %40)"
        ) from exc
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:":
            folder = Path(database).expanduser().parent
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreUnavailable(
                    f"cannot create the database folder {folder} ({exc.strerror}); choose a "
                    "writable place with AQUARIUM_DB_URL=sqlite:////path/to/aquarium.db"
                ) from exc
    postgres = parsed.get_backend_name() == "postgresql"
    try:
        engine = create_engine(
            parsed,
            pool_pre_ping=postgres,
            connect_args=POSTGRES_CONNECT_ARGS
            if postgres and "psycopg" in parsed.drivername
            else {},
        )
    except (NoSuchModuleError, ModuleNotFoundError) as exc:
        raise StoreUnavailable(
            f"no driver for {parsed.drivername!r}; for PostgreSQL install the extra: "
            "pip install 'aquarium-monitor[postgres]' and use postgresql+psycopg://"
        ) from exc
    event.listen(engine, "handle_error", translate)
    if engine.dialect.name == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:":
            path = os.path.abspath(Path(database).expanduser())
            event.listen(engine.pool, "connect", partial(_refuse_a_second_log, path))
            event.listen(engine.pool, "close", partial(_forget_connection, path))
            event.listen(engine.pool, "close_detached", partial(_forget_connection, path))
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    if migrate:
        from db.migrate import upgrade

        try:
            upgrade(engine)
        except StoreUnavailable as exc:
            raise StoreUnavailable(
                f"cannot open the database at {parsed.render_as_string(hide_password=True)}: {exc}"
            ) from exc
        except OperationalError as exc:
            raise StoreUnavailable(
                f"cannot open the database at {parsed.render_as_string(hide_password=True)}: "
                f"{exc.orig}; check the path exists and is writable, or set AQUARIUM_DB_URL"
            ) from exc
    return engine


def is_sqlite(engine: Engine) -> bool:
    """Whether the engine talks to SQLite (single writer, file backups)."""
    return engine.dialect.name == "sqlite"
