"""The schema comes from Alembic migrations, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, text

from db.engine import open_engine
from db.migrate import alembic_config, current_revision, head_revision, shipped_head, upgrade
from db.readings import BatchStore, NewReading, count_readings
from db.schema import metadata

POSTGRES_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def test_a_new_sqlite_file_is_migrated_to_head_in_wal_mode(tmp_path: Path) -> None:
    """Opening an empty file creates every table at the newest revision, in WAL mode."""
    engine = open_engine(f"sqlite:///{tmp_path / 'new.db'}")
    assert current_revision(engine) == head_revision()
    with sqlite3.connect(tmp_path / "new.db") as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_the_fast_head_check_agrees_with_alembic() -> None:
    """The head read from the version files without Alembic is the one Alembic computes."""
    assert shipped_head() == head_revision()


def test_a_database_one_revision_behind_is_still_migrated(tmp_path: Path) -> None:
    """The fast path only skips a database already at head: an older one is upgraded."""
    from alembic import command

    engine = open_engine(f"sqlite:///{tmp_path / 'old.db'}")
    command.downgrade(alembic_config(engine), "-1")
    assert current_revision(engine) != head_revision()
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []


def test_migrations_match_the_models(tmp_path: Path) -> None:
    """Autogenerate finds nothing to change: migrations and db/schema.py agree."""
    engine = open_engine(f"sqlite:///{tmp_path / 'm.db'}")
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []


def test_reopening_keeps_the_history(tmp_path: Path) -> None:
    """A second start (an upgrade with nothing new) keeps the readings already stored."""
    url = f"sqlite:///{tmp_path / 'keep.db'}"
    now = datetime.now(UTC)
    BatchStore(open_engine(url)).write(
        [NewReading("keep", "ph", 7.0, now, now, "aquarium/keep/ph")], []
    )
    assert count_readings(open_engine(url), "keep") == 1


def test_a_read_only_location_gives_a_one_line_error(tmp_path: Path) -> None:
    """A database path that cannot be created says so and how to fix it."""
    from db.errors import StoreUnavailable

    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreUnavailable) as caught:
        open_engine(f"sqlite:///{blocker}/sub/aquarium.db")
    assert "\n" not in str(caught.value)
    assert "AQUARIUM_DB_URL" in str(caught.value)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A throw-away database on the local PostgreSQL (trust auth), dropped afterwards."""
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"aquarium_test_{uuid.uuid4().hex[:8]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # no server here: say so instead of failing the suite
        pytest.skip(f"PostgreSQL on 127.0.0.1:5432 is not available ({type(exc).__name__})")
    yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.mark.postgres
def test_postgres_migrates_and_stores_once(postgres_url: str) -> None:
    """The same migrations and batch writes work on PostgreSQL, duplicates included."""
    engine = open_engine(postgres_url)
    assert current_revision(engine) == head_revision()
    now = datetime.now(UTC)
    reading = NewReading("pg", "temperature", 25.0, now, now, "aquarium/pg/temperature")
    store = BatchStore(engine)
    assert store.write([reading], []).stored == 1
    assert store.write([reading], []).duplicates == 1
    assert count_readings(engine, "pg") == 1
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []
    engine.dispose()


@pytest.mark.postgres
def test_postgres_readings_have_no_counter_to_run_out(postgres_url: str) -> None:
    """Readings are keyed by (sensor, time) on PostgreSQL: no id sequence a fish farm exhausts."""
    engine = open_engine(postgres_url)
    now = datetime.now(UTC)
    reading = NewReading("farm", "temperature", 25.0, now, now, "aquarium/farm/temperature")
    assert BatchStore(engine).write([reading], []).stored == 1
    with engine.connect() as conn:
        columns = (
            conn.execute(
                text(
                    "SELECT column_name FROM information_schema.columns "
                    "WHERE table_name = 'readings' ORDER BY ordinal_position"
                )
            )
            .scalars()
            .all()
        )
        key = (
            conn.execute(
                text(
                    "SELECT a.attname FROM pg_index i JOIN pg_attribute a "
                    "ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
                    "WHERE i.indrelid = 'readings'::regclass AND i.indisprimary ORDER BY a.attnum"
                )
            )
            .scalars()
            .all()
        )
        sequences = conn.execute(
            text("SELECT count(*) FROM pg_class WHERE relkind = 'S' AND relname LIKE 'readings%'")
        ).scalar_one()
    assert columns == ["sensor_id", "time", "value", "received_at"]
    assert key == ["sensor_id", "time"]
    assert sequences == 0
    engine.dispose()
