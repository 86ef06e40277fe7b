"""Alembic migrations applied on start, so an upgrade keeps a keeper's history."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text

from db.errors import StoreUnavailable
from db.lease import lease_key

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")
_REVISION_LINE = re.compile(r"^(revision|down_revision)\s*(?::[^=\n]*)?=\s*\"(\w+)\"", re.M)


def alembic_config(engine: Engine) -> Config:
    """An in-memory Alembic config pointing at this package's migrations."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None for an empty database."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str | None:
    """The newest revision shipped with this code."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(MIGRATIONS)).get_current_head()


def shipped_head() -> str | None:
    """The head revision read from the version files' own lines, without importing Alembic.

    None unless the files form one plain chain (a merge, a branch, anything unusual): then
    Alembic decides. Importing Alembic costs 0.15-0.3 s of every command's start.
    """
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        found = dict(_REVISION_LINE.findall(path.read_text(encoding="utf-8")))
        if "revision" not in found:
            return None
        revisions.add(found["revision"])
        if "down_revision" in found:
            parents.add(found["down_revision"])
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 and len(parents) == len(revisions) - 1 else None


def is_known_revision(revision: str) -> bool:
    """Whether this version ships REVISION (a newer version's backup carries one it does not)."""
    from alembic.script import ScriptDirectory
    from alembic.util.exc import CommandError

    try:
        return ScriptDirectory(str(MIGRATIONS)).get_revision(revision) is not None
    except CommandError:
        return False


def unknown_revision_message(revision: str) -> str:
    """The one line for a schema this version cannot read, with the fix."""
    return (
        f"schema revision {revision!r} was made by a newer version of aquarium-monitor: "
        "upgrade first (pip install -U aquarium-monitor), or use a backup made by this version"
    )


def _stored_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):  # a new database
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest revision; a no-op when it is already there."""
    head = shipped_head()
    if head is not None and _stored_revision(engine) == head:
        return
    from alembic import command

    current = current_revision(engine)
    if current == head_revision():
        return
    if current is not None and not is_known_revision(current):
        raise StoreUnavailable(unknown_revision_message(current))
    if engine.dialect.name != "postgresql":  # SQLite's write lock serialises the migration
        command.upgrade(alembic_config(engine), "head")
        return
    # Several workers started at once would each run the migration: an advisory lock lets the
    # first do it while the others wait, then find the schema current.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        key = lease_key("schema migration")
        conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
        try:
            if current_revision(engine) != head_revision():
                command.upgrade(alembic_config(engine), "head")
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
