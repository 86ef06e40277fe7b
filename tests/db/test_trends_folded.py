"""Trends over history whose raw readings were folded into hourly rollups by retention."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from db.readings import BatchStore, NewReading
from db.retention import fold_old_readings
from db.rollup import HOUR_S
from db.trends import trend_series

NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)
OLD = NOW - timedelta(days=40)


def _minutes(engine: Engine, start: datetime, minutes: int) -> None:
    """One-minute temperatures from START with a one-minute spike at minute 90."""
    rows = []
    for i in range(minutes):
        moment = start + timedelta(minutes=i)
        value = 25.0 + (3.0 if i == 90 else 0.0)
        rows.append(NewReading("t", "temperature", value, moment, moment, "aquarium/t/temperature"))
    BatchStore(engine).write(rows, [])


def test_a_short_range_in_folded_history_draws_hourly_means(any_engine: Engine) -> None:
    """Six hours from forty days ago, after retention, draw each hour with its spike kept."""
    _minutes(any_engine, OLD, 6 * 60)
    _minutes(any_engine, NOW - timedelta(hours=2), 60)
    fold_old_readings(any_engine, timedelta(days=30), NOW)
    series = trend_series(any_engine, "t", ["temperature"], OLD, OLD + timedelta(hours=6))
    temperature = series["temperature"]
    assert temperature.bucket_s == HOUR_S
    assert len(temperature.times) == 6
    assert sum(temperature.counts) == 6 * 60
    assert max(temperature.high) == 28.0  # the one-minute spike is the top of its hour


def test_a_range_across_the_horizon_draws_both_sides(any_engine: Engine) -> None:
    """A day straddling the raw horizon draws its folded hours and its kept minutes."""
    start = NOW - timedelta(days=30, hours=12)
    _minutes(any_engine, start, 24 * 60)
    fold_old_readings(any_engine, timedelta(days=30), NOW)
    series = trend_series(any_engine, "t", ["temperature"], start, start + timedelta(days=1))
    temperature = series["temperature"]
    assert sum(temperature.counts) == 24 * 60
    assert temperature.times[0] < (NOW - timedelta(days=30)).timestamp()
    assert temperature.times[-1] > (NOW - timedelta(days=30)).timestamp()


def test_a_recent_short_range_still_draws_raw_readings(any_engine: Engine) -> None:
    """Retention leaves recent ranges as they were: each kept reading drawn as it is."""
    _minutes(any_engine, OLD, 60)
    _minutes(any_engine, NOW - timedelta(hours=2), 60)
    fold_old_readings(any_engine, timedelta(days=30), NOW)
    series = trend_series(any_engine, "t", ["temperature"], NOW - timedelta(hours=3), NOW)
    assert series["temperature"].bucket_s == 0
    assert len(series["temperature"].times) == 60
