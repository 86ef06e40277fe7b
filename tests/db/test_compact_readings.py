"""Readings keyed by (sensor, time): migration 0014 keeps every reading and every rolled-up hour."""

# ruff: noqa: S608 (the SQL holds this test's own numbers, never input)
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, text

from db.bulk import bulk_insert_readings
from db.engine import open_engine
from db.migrate import alembic_config, current_revision, head_revision
from db.readings import BatchStore, NewReading, count_readings
from db.retention import fold_old_readings
from db.rollup import pending_hours, raw_horizon, refresh_rollups

START = datetime(2026, 10, 1, tzinfo=UTC)
EPOCH = int(START.timestamp())
HOUR0 = EPOCH // 3600


def _old_history(engine: Engine) -> list[tuple[int, float, float]]:
    """A history as main at revision 0013 leaves it; returns its raw (sensor, time, value) rows.

    Sensor 1 (temperature) and 2 (pH) of tank 1, a reading every 10 minutes for 6 hours. The
    rollup watermark stops at the 20th id, so the newer readings are not rolled up yet; retention
    already pruned hour 0 and the first half of hour 1 of the temperature sensor.
    """
    command.upgrade(alembic_config(engine), "0013")
    raw = []
    for minute in range(0, 360, 10):
        at = float(EPOCH + minute * 60)
        raw.append((1, at, 25.0 + minute / 100))
        raw.append((2, at, 7.0 - minute / 1000))
    statements = [
        f"INSERT INTO tanks (id, name, profile, simulated, created_at) "
        f"VALUES (1, 't', 'turtle', false, {EPOCH})",
        "INSERT INTO sensors (id, tank_id, parameter, topic, field, first_seen, is_primary) "
        f"VALUES (1, 1, 'temperature', 'aquarium/t/temperature', '', {EPOCH}, false), "
        f"(2, 1, 'ph', 'aquarium/t/ph', '', {EPOCH}, false)",
        "INSERT INTO readings (id, sensor_id, tank_id, parameter, time, value, received_at) "
        "VALUES "
        + ", ".join(
            f"({i + 1}, {s}, 1, '{'temperature' if s == 1 else 'ph'}', {t}, {v}, {t + 0.25})"
            for i, (s, t, v) in enumerate(raw)
        ),
        # The old refresh had merged ids 1..20 (the first 100 minutes of both sensors).
        "INSERT INTO reading_hours (tank_id, parameter, hour, sensor_id, n, total, low, high) "
        "SELECT tank_id, parameter, CAST(floor(time / 3600) AS BIGINT), sensor_id, count(*), "
        "sum(value), min(value), max(value) FROM readings WHERE id <= 20 "
        "GROUP BY tank_id, parameter, CAST(floor(time / 3600) AS BIGINT), sensor_id",
        "INSERT INTO rollup_state (id, last_reading_id) VALUES (1, 20)",
        f"DELETE FROM readings WHERE sensor_id = 1 AND time < {EPOCH + 3600 + 1800}",
    ]
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))
    return raw


def _hours(engine: Engine) -> dict[tuple[int, int], tuple[int, float, float, float]]:
    with engine.connect() as conn:
        return {
            (row[0], row[1] - HOUR0): (row[2], round(row[3], 9), row[4], row[5])
            for row in conn.execute(
                text("SELECT sensor_id, hour, n, total, low, high FROM reading_hours")
            )
        }


def _expected(raw: list[tuple[int, float, float]]) -> dict[tuple[int, int], tuple]:
    hours: dict[tuple[int, int], list[float]] = {}
    for sensor, at, value in raw:
        hours.setdefault((sensor, int(at) // 3600 - HOUR0), []).append(value)
    return {k: (len(v), round(sum(v), 9), min(v), max(v)) for k, v in hours.items()}


def _check_upgrade(engine: Engine) -> None:
    raw = _old_history(engine)
    command.upgrade(alembic_config(engine), "head")
    assert current_revision(engine) == head_revision()
    # Every reading is in its hour: the 16 unrolled ones were merged, the pruned ones kept.
    assert _hours(engine) == _expected(raw)
    # Temperature's hour 1 was half pruned: the raw horizon moves past it, and the raw rows left
    # before it (the second half of hour 1, both sensors) are folded into their rollups.
    with engine.connect() as conn:
        assert raw_horizon(conn) == HOUR0 + 2
        kept = conn.execute(text("SELECT sensor_id, time, value FROM readings")).all()
    assert sorted(kept) == sorted(r for r in raw if r[1] >= EPOCH + 2 * 3600)
    assert pending_hours(engine) == 0

    # A late reading for a folded hour is added to it; one for a raw hour is recomputed with it.
    late = [
        NewReading(
            "t", "temperature", 30.0, START + timedelta(minutes=5), START, "aquarium/t/temperature"
        ),
        NewReading("t", "ph", 6.5, START + timedelta(minutes=185), START, "aquarium/t/ph"),
    ]
    BatchStore(engine).write(late, [])
    refresh_rollups(engine)
    raw += [(1, EPOCH + 300.0, 30.0), (2, EPOCH + 185 * 60.0, 6.5)]
    assert _hours(engine) == _expected(raw)
    assert count_readings(engine, "t") == len(kept) + 1  # the folded hour's newcomer is folded too


def test_sqlite_history_from_revision_0013_keeps_every_reading_and_hour(tmp_path: Path) -> None:
    """A SQLite database made by revision 0013 migrates with every reading and hour kept."""
    engine = open_engine(f"sqlite:///{tmp_path / 'old.db'}", migrate=False)
    _check_upgrade(engine)
    with engine.connect() as conn:
        ddl = conn.execute(text("SELECT sql FROM sqlite_master WHERE name = 'readings'")).scalar()
        indexes = conn.execute(
            text(
                "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'readings'"
            )
        ).scalar()
    assert ddl is not None and "WITHOUT ROWID" in ddl
    assert indexes == 0  # the key is the table: no second copy of the rows in an index
    engine.dispose()


@pytest.mark.postgres
def test_postgres_history_from_revision_0013_keeps_every_reading_and_hour(
    postgres_url: str,
) -> None:
    """The same history on PostgreSQL migrates the same way."""
    engine = open_engine(postgres_url, migrate=False)
    _check_upgrade(engine)
    engine.dispose()


def test_downgrade_gives_the_old_layout_back_with_every_reading(tmp_path: Path) -> None:
    """Downgrading to 0013 rebuilds ids, tank and parameter columns and a current watermark."""
    engine = open_engine(f"sqlite:///{tmp_path / 'down.db'}")
    points = [(float(EPOCH + 60 * i), 20.0 + i / 10) for i in range(200)]
    bulk_insert_readings(engine, "t", "nitrate", points)
    command.downgrade(alembic_config(engine), "0013")
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT count(*), sum(value), max(id) FROM readings WHERE parameter = 'nitrate'")
        ).one()
        watermark = conn.execute(text("SELECT last_reading_id FROM rollup_state")).scalar()
        rolled = conn.execute(text("SELECT sum(n) FROM reading_hours")).scalar()
    assert rows[0] == 200 and rows[1] == pytest.approx(sum(v for _, v in points))
    assert watermark == rows[2] == 200
    assert rolled == 200  # the marked hours were recomputed before the marks went
    command.upgrade(alembic_config(engine), "head")
    assert count_readings(engine, "t") == 200
    engine.dispose()


def test_a_late_reading_after_retention_is_added_to_its_folded_hour(tmp_path: Path) -> None:
    """A backfilled reading for a folded hour joins that hour's rollup instead of replacing it."""
    engine = open_engine(f"sqlite:///{tmp_path / 'fold.db'}")
    points = [(float(EPOCH + 60 * i), 25.0) for i in range(120)]
    bulk_insert_readings(engine, "t", "temperature", points)
    now = START + timedelta(days=40)
    assert fold_old_readings(engine, timedelta(days=30), now) == 120
    bulk_insert_readings(engine, "t", "temperature", [(EPOCH + 90.0, 31.0)])
    refresh_rollups(engine)
    hours = _hours(engine)
    assert hours[(1, 0)] == (61, 25.0 * 60 + 31.0, 25.0, 31.0)
    assert hours[(1, 1)] == (60, 25.0 * 60, 25.0, 25.0)
    assert count_readings(engine, "t") == 0  # folded like its neighbours
    engine.dispose()
