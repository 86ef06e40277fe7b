"""Hourly rollups are kept per sensor, and migration 0013 re-keys an existing history."""

# ruff: noqa: S608 (the SQL holds this test's own numbers, never input)
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, text

from db.engine import open_engine
from db.migrate import alembic_config, current_revision, head_revision
from db.readings import BatchStore, NewReading
from db.rollup import refresh_rollups

START = datetime(2026, 11, 1, tzinfo=UTC)
HOUR0 = int(START.timestamp()) // 3600


def _hours(engine: Engine) -> list[tuple[str, int, str, int, float, float, float]]:
    with engine.connect() as conn:
        return [
            tuple(row)
            for row in conn.execute(
                text(
                    "SELECT h.parameter, h.hour - :h0, s.topic, h.n, h.total / h.n, h.low, h.high "
                    "FROM reading_hours h JOIN sensors s ON s.id = h.sensor_id "
                    "ORDER BY h.parameter, h.hour, s.topic"
                ),
                {"h0": HOUR0},
            )
        ]


def test_two_probes_roll_up_into_two_series(tmp_path: Path) -> None:
    """Two temperature probes of one tank keep their own hourly min/mean/max."""
    engine = open_engine(f"sqlite:///{tmp_path / 'two.db'}")
    batch = []
    for minute in range(0, 120, 10):
        at = START + timedelta(minutes=minute)
        batch.append(NewReading("t", "temperature", 25.0, at, at, "aquarium/t/tank"))
        batch.append(NewReading("t", "temperature", 27.0, at, at, "aquarium/t/outlet"))
    BatchStore(engine).write(batch, [])
    refresh_rollups(engine)
    assert _hours(engine) == [
        ("temperature", 0, "aquarium/t/outlet", 6, 27.0, 27.0, 27.0),
        ("temperature", 0, "aquarium/t/tank", 6, 25.0, 25.0, 25.0),
        ("temperature", 1, "aquarium/t/outlet", 6, 27.0, 27.0, 27.0),
        ("temperature", 1, "aquarium/t/tank", 6, 25.0, 25.0, 25.0),
    ]


def _old_database(engine: Engine) -> None:
    """A history as revision 0012's code left it: rollups per parameter, some raw rows pruned."""
    command.upgrade(alembic_config(engine), "0012")
    epoch = START.timestamp()
    statements = [
        "INSERT INTO tanks (id, name, profile, simulated, created_at) "
        f"VALUES (1, 't', 'turtle', false, {epoch})",
        "INSERT INTO sensors (id, tank_id, parameter, topic, field, first_seen) VALUES "
        f"(1, 1, 'temperature', 'aquarium/t/tank', '', {epoch}), "
        f"(2, 1, 'temperature', 'aquarium/t/outlet', '', {epoch}), "
        f"(3, 1, 'ph', 'aquarium/t/ph', '', {epoch})",
    ]
    readings = []
    rid = 0
    for hour in range(3):
        for minute in (0, 30):
            at = epoch + hour * 3600 + minute * 60
            for sensor, parameter, value in ((1, "temperature", 25.0), (2, "temperature", 27.0)):
                rid += 1
                readings.append(f"({rid}, {sensor}, 1, '{parameter}', {at}, {value}, {at})")
            rid += 1
            readings.append(f"({rid}, 3, 1, 'ph', {at}, {7.0 + hour / 10}, {at})")
    statements.append(
        "INSERT INTO readings (id, sensor_id, tank_id, parameter, time, value, received_at) "
        "VALUES " + ", ".join(readings)
    )
    # The old rollup: one row per tank, parameter and hour over both probes.
    statements.append(
        "INSERT INTO reading_hours (tank_id, parameter, hour, n, total, low, high) "
        "SELECT tank_id, parameter, CAST(floor(time / 3600) AS BIGINT), count(*), sum(value), "
        "min(value), max(value) FROM readings "
        "GROUP BY tank_id, parameter, CAST(floor(time / 3600) AS BIGINT)"
    )
    statements.append(f"INSERT INTO rollup_state (id, last_reading_id) VALUES (1, {rid})")
    # Retention pruned all of hour 0 and half of hour 1 (one reading of each probe).
    statements.append(f"DELETE FROM readings WHERE time < {epoch + 3600 + 1}")
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))


def _check_migration(engine: Engine) -> None:
    _old_database(engine)
    command.upgrade(alembic_config(engine), "head")
    assert current_revision(engine) == head_revision()
    assert _hours(engine) == [
        # pH has one sensor: its hours are kept as they were, pruned ones included.
        ("ph", 0, "aquarium/t/ph", 2, 7.0, 7.0, 7.0),
        ("ph", 1, "aquarium/t/ph", 2, 7.1, 7.1, 7.1),
        ("ph", 2, "aquarium/t/ph", 2, 7.2, 7.2, 7.2),
        # Hours no longer fully in the raw table stay whole, with the first sensor...
        ("temperature", 0, "aquarium/t/tank", 4, 26.0, 25.0, 27.0),
        ("temperature", 1, "aquarium/t/tank", 4, 26.0, 25.0, 27.0),
        # ...and an hour still raw is split between the probes.
        ("temperature", 2, "aquarium/t/outlet", 2, 27.0, 27.0, 27.0),
        ("temperature", 2, "aquarium/t/tank", 2, 25.0, 25.0, 25.0),
    ]


def test_migration_keeps_every_hour_and_splits_what_it_can(tmp_path: Path) -> None:
    """Upgrading a SQLite history re-keys its rollups by sensor without losing an hour."""
    _check_migration(open_engine(f"sqlite:///{tmp_path / 'old.db'}", migrate=False))


@pytest.mark.postgres
def test_migration_on_postgres(postgres_url: str) -> None:
    """The same re-keying works on PostgreSQL."""
    engine = open_engine(postgres_url, migrate=False)
    _check_migration(engine)
    engine.dispose()
