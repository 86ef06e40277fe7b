"""SQLAlchemy's failures translated at the db/ boundary into the project's error tree.

Registered on every engine (db/engine.py) as a `handle_error` hook, so each query, commit and
connect in db/ raises `StoreUnavailable` with one line saying what is wrong and how to fix it,
instead of a driver traceback (httpx's map_httpcore_exceptions, STYLE.md 5).
"""

from __future__ import annotations

import sqlite3

from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import ExceptionContext

from db.errors import StoreUnavailable

__all__ = ["LOCKED", "translate"]

LOCKED = (
    "the database is locked: another program holds it (a restore, a backup, another daemon or a "
    "query tool); stop it or retry"
)
FULL = "the disk holding the database is full; free some space, then retry"
READ_ONLY = (
    "the database is read-only; let the user running aquarium write the file and its folder, "
    "or point AQUARIUM_DB_URL at a writable place"
)
NO_TABLE = (
    "the database lacks the table {table}: it is not an aquarium database, or one from another "
    "version; check AQUARIUM_DB_URL, or restore a backup"
)
CANNOT_OPEN = (
    "cannot open the database file; check it exists and that its folder is readable and "
    "writable, or set AQUARIUM_DB_URL"
)
IO_ERROR = (
    "the disk failed reading or writing the database (or the file was removed underneath); "
    "check the disk, then restore a backup if the file is damaged"
)
NOT_A_DATABASE = (
    "the database file is damaged or not a SQLite database; check AQUARIUM_DB_URL, or restore "
    "a backup with 'aquarium restore FILE'"
)
UNREACHABLE = (
    "cannot reach the database server ({detail}); check it is running and that AQUARIUM_DB_URL "
    "names it"
)

# PostgreSQL SQLSTATE codes (https://www.postgresql.org/docs/current/errcodes-appendix.html).
_PG_CODES = {
    "55P03": LOCKED,  # lock_not_available
    "40P01": LOCKED,  # deadlock_detected
    "57014": LOCKED,  # query_canceled (statement or lock timeout)
    "53100": FULL,  # disk_full
    "25006": READ_ONLY,  # read_only_sql_transaction
    "42P01": NO_TABLE,  # undefined_table
}
# SQLite's primary result codes (https://www.sqlite.org/rescode.html), as Python names them.
_SQLITE_CODES = {
    "SQLITE_BUSY": LOCKED,
    "SQLITE_LOCKED": LOCKED,
    "SQLITE_FULL": FULL,
    "SQLITE_READONLY": READ_ONLY,
    "SQLITE_CANTOPEN": CANNOT_OPEN,
    "SQLITE_IOERR": IO_ERROR,
    "SQLITE_NOTADB": NOT_A_DATABASE,
    "SQLITE_CORRUPT": NOT_A_DATABASE,
}


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0][:200] if text else type(error).__name__


def _sqlite_message(error: sqlite3.Error) -> str | None:
    name = getattr(error, "sqlite_errorname", "") or ""
    for code, message in _SQLITE_CODES.items():
        if name == code or name.startswith(code + "_"):
            return message
    text = str(error)
    if text.startswith("no such table: "):
        return NO_TABLE.format(table=text.removeprefix("no such table: ").strip())
    return None


def _postgres_message(error: BaseException, connecting: bool) -> str | None:
    code = getattr(error, "sqlstate", None) or ""
    if code == "42P01":
        return NO_TABLE.format(table=_first_line(error).split('"')[1::2][:1] or "asked for")
    if code in _PG_CODES:
        return _PG_CODES[code]
    if connecting or code.startswith("08"):  # class 08: connection exception
        return UNREACHABLE.format(detail=_first_line(error))
    return None


def message_for(error: BaseException, *, connecting: bool = False) -> str | None:
    """The one-line message with its fix for a driver ERROR, or None for one we do not know."""
    if isinstance(error, sqlite3.Error):
        return _sqlite_message(error)
    return _postgres_message(error, connecting)


def translate(context: ExceptionContext) -> BaseException | None:
    """handle_error hook: a StoreUnavailable for the failures a keeper can act on."""
    wrapped = context.sqlalchemy_exception
    if isinstance(wrapped, sa_exc.IntegrityError):  # duplicates: the caller handles them
        return None
    message = message_for(context.original_exception, connecting=context.connection is None)
    if message is None:  # not a failure we know how to fix: keep SQLAlchemy's error (a bug)
        return None
    error = StoreUnavailable(message)
    error.__cause__ = wrapped
    return error
