"""The store behaves the same on SQLite and PostgreSQL: batches, duplicates, rollups, workers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from db.daemon_status import forget_silent, record_status, shared_client_id, workers
from db.dead_letters import DeadLetter, count_dead_letters
from db.readings import BatchStore, NewReading, count_readings, latest_readings
from db.rollup import refresh_rollups
from db.trends import trend_series

T0 = datetime(2026, 11, 1, tzinfo=UTC)


def _reading(minute: int, value: float) -> NewReading:
    at = T0 + timedelta(minutes=minute)
    return NewReading("reef", "temperature", value, at, at, "aquarium/reef/temperature")


def test_a_batch_stores_each_device_time_once(any_engine: Engine) -> None:
    """The same reading twice (a redelivery with the device's time) is one row; letters are kept."""
    store = BatchStore(any_engine)
    letter = DeadLetter(T0, "aquarium/reef/ph", "abc", 3, "not a number")
    first = store.write([_reading(0, 25.0), _reading(1, 25.5)], [letter])
    again = store.write([_reading(1, 25.5), _reading(2, 26.0)], [])
    assert (first.stored, again.stored, again.duplicates) == (2, 1, 1)
    assert count_readings(any_engine) == 3
    assert count_dead_letters(any_engine) == 1
    assert [r.value for r in latest_readings(any_engine, "reef")] == [26.0]


def test_hourly_rollups_add_up_on_both_stores(any_engine: Engine) -> None:
    """Three hours of minute readings roll up into three hours whose counts and means match."""
    BatchStore(any_engine).write([_reading(m, 20 + m % 60 / 10) for m in range(180)], [])
    refresh_rollups(any_engine)
    series = trend_series(any_engine, "reef", ["temperature"], T0, T0 + timedelta(days=30))[
        "temperature"
    ]
    assert sum(series.counts) == 180


def test_worker_rows_and_the_shared_session_id(any_engine: Engine) -> None:
    """Heartbeats list holder and standby; the first proposed session id is the one kept."""
    now = datetime.now(UTC)
    record_status(any_engine, "a:1", "mqtt://b", True, now, (1, 1, 0))
    record_status(any_engine, "b:2", "mqtt://b", False, now - timedelta(minutes=5), (0, 0, 0))
    found = workers(any_engine, now)
    assert [s.worker for s in found.ingesting] == ["a:1"]
    assert [s.worker for s in found.silent] == ["b:2"]
    assert forget_silent(any_engine, now) == 1
    assert shared_client_id(any_engine, "first") == "first"
    assert shared_client_id(any_engine, "second") == "first"
    assert shared_client_id(any_engine, "moved", insist=True) == "moved"
