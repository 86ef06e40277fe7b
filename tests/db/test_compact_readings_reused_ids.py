"""Migration 0014 on a SQLite history whose newest reading ids were reused under the watermark."""

# ruff: noqa: S608 (the SQL holds this test's own numbers, never input)
from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from sqlalchemy import text

from db.engine import open_engine
from db.migrate import alembic_config
from db.readings import count_readings
from db.rollup import raw_horizon, refresh_rollups

START = datetime(2026, 10, 1, tzinfo=UTC)
EPOCH = int(START.timestamp())
HOUR0 = EPOCH // 3600
LATE = EPOCH - 40 * 86400  # a backfilled reading 40 days old: rolled up, then folded


def _old_history(tmp_path: Path) -> str:
    """A 0013 database as the old code left it after a fold removed the highest reading id.

    Ids 1..12 are two hours of readings, id 13 a late backfill that the refresh merged and the
    fold then deleted; SQLite (no AUTOINCREMENT) gave id 13 again to the next reading, so ids
    13..18 (hour 2) were stored after the watermark (13) passed id 13 once already.
    """
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = open_engine(url, migrate=False)
    command.upgrade(alembic_config(engine), "0013")
    rows = [(i + 1, EPOCH + 600.0 * i, 25.0 + i / 10) for i in range(12)]
    statements = [
        f"INSERT INTO tanks (id, name, profile, simulated, created_at) "
        f"VALUES (1, 't', 'turtle', false, {EPOCH})",
        "INSERT INTO sensors (id, tank_id, parameter, topic, field, first_seen, is_primary) "
        f"VALUES (1, 1, 'temperature', 'aquarium/t/temperature', '', {LATE}, false)",
        "INSERT INTO readings (id, sensor_id, tank_id, parameter, time, value, received_at) VALUES "
        + ", ".join(f"({i}, 1, 1, 'temperature', {t}, {v}, {t})" for i, t, v in rows)
        + f", (13, 1, 1, 'temperature', {float(LATE)}, 24.0, {EPOCH + 7200.0})",
        "INSERT INTO reading_hours (tank_id, parameter, hour, sensor_id, n, total, low, high) "
        "SELECT tank_id, parameter, CAST(time / 3600 AS INTEGER), sensor_id, count(*), "
        "sum(value), min(value), max(value) FROM readings "
        "GROUP BY tank_id, parameter, CAST(time / 3600 AS INTEGER), sensor_id",
        "INSERT INTO rollup_state (id, last_reading_id) VALUES (1, 13)",
        "DELETE FROM readings WHERE id = 13",  # the old fold: older than raw_days, rolled up
        "INSERT INTO readings (sensor_id, tank_id, parameter, time, value, received_at) VALUES "
        + ", ".join(
            f"(1, 1, 'temperature', {EPOCH + 7200.0 + 600 * i}, 27.0, {EPOCH + 7200.0 + 600 * i})"
            for i in range(6)
        ),
    ]
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))
        reused = conn.execute(text("SELECT min(id) FROM readings WHERE value = 27.0")).scalar()
    assert reused == 13  # the premise: the old code handed out an id the watermark had passed
    engine.dispose()
    return url


def test_a_reading_under_a_reused_id_does_not_make_the_migration_fold_raw_history(
    tmp_path: Path,
) -> None:
    """A recent hour whose rollup missed a reading keeps its raw rows, and its rollup is fixed."""
    engine = open_engine(_old_history(tmp_path))  # migrates to head
    refresh_rollups(engine)
    with engine.connect() as conn:
        horizon = raw_horizon(conn)
        found = conn.execute(text("SELECT hour - :h, n FROM reading_hours"), {"h": HOUR0})
        hours: dict[int, int] = {int(hour): int(n) for hour, n in found}
    assert horizon == LATE // 3600 + 1  # only the folded backfill's hour is past
    assert count_readings(engine, "t") == 18  # no raw reading of the last three hours is lost
    assert hours == {LATE // 3600 - HOUR0: 1, 0: 6, 1: 6, 2: 6}
    engine.dispose()
