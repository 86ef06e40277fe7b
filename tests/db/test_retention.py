"""Retention: old raw readings fold into hourly rollups without losing their shape."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, select

from db.readings import BatchStore, NewReading, count_readings
from db.retention import fold_old_readings
from db.schema import reading_hours
from ingest.housekeeping import Housekeeping


def write_minutes(engine: Engine, tank: str, start: datetime, minutes: int) -> None:
    rows = []
    for i in range(minutes):
        moment = start + timedelta(minutes=i)
        value = 25.0 + (3.0 if i == 30 else 0.0)  # one spike in the first hour
        rows.append(
            NewReading(tank, "temperature", value, moment, moment, "aquarium/t/temperature")
        )
    BatchStore(engine).write(rows, [])


def hours(engine: Engine) -> dict[int, tuple[int, float, float, float]]:
    with engine.connect() as conn:
        return {
            row.hour: (row.n, row.total, row.low, row.high)
            for row in conn.execute(select(reading_hours))
        }


def test_old_raw_readings_fold_into_rollups_and_new_ones_stay(engine: Engine) -> None:
    """Readings past the age are deleted only after their hours are rolled up, spike kept."""
    now = datetime(2026, 11, 24, 12, tzinfo=UTC)
    old_start = now - timedelta(days=40)
    write_minutes(engine, "t", old_start, 120)
    write_minutes(engine, "t", now - timedelta(hours=2), 60)
    removed = fold_old_readings(engine, timedelta(days=30), now)
    assert removed == 120
    assert count_readings(engine, "t") == 60
    rolled = hours(engine)
    first = int(old_start.timestamp()) // 3600
    assert rolled[first][0] == 60 and rolled[first][3] == 28.0  # the spike survives as the max
    assert rolled[first + 1][0] == 60
    assert sum(n for n, *_ in rolled.values()) == 180


def test_housekeeping_without_retention_keeps_everything(engine: Engine) -> None:
    """raw_days = 0 in the config keeps raw readings for ever, and still refreshes the rollup."""
    now = datetime.now(UTC)
    write_minutes(engine, "t", now - timedelta(days=800), 30)
    Housekeeping(engine, raw_retention=None).run_once(now)
    assert count_readings(engine, "t") == 30
    assert sum(n for n, *_ in hours(engine).values()) == 30
