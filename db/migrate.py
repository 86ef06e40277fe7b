"""Alembic migrations applied on start, so an upgrade keeps a keeper's history."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(engine: Engine) -> Config:
    """An in-memory Alembic config pointing at this package's migrations."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None for an empty database."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str | None:
    """The newest revision shipped with this code."""
    return ScriptDirectory(str(MIGRATIONS)).get_current_head()


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest revision; a no-op when it is already there."""
    if current_revision(engine) == head_revision():
        return
    command.upgrade(alembic_config(engine), "head")
