"""The store behaves the same on SQLite and PostgreSQL: batches, duplicates, rollups, workers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, select

from db.daemon_status import forget_silent, record_status, shared_client_id, workers
from db.dead_letters import DeadLetter, count_dead_letters
from db.readings import (
    BatchStore,
    NewReading,
    count_readings,
    latest_readings,
    reading_series,
)
from db.rollup import refresh_rollups
from db.schema import sensors
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


def test_last_seen_is_the_newest_receive_time(any_engine: Engine) -> None:
    """A sensor's last_seen moves to the newest receive time of a batch and never back."""
    store = BatchStore(any_engine)
    late = T0 + timedelta(hours=1)
    early = NewReading("reef", "temperature", 25.0, T0, T0, "aquarium/reef/temperature")
    store.write([early, early._replace(time=late, received_at=late)], [])
    store.write([early._replace(time=T0 + timedelta(minutes=1))], [])  # received earlier
    with any_engine.connect() as conn:
        seen = conn.execute(select(sensors.c.last_seen)).scalar_one()
    assert seen == late


def test_times_and_values_come_back_bit_for_bit(any_engine: Engine) -> None:
    """A batch's times (to the microsecond) and values (17 digits) are stored exactly."""
    store = BatchStore(any_engine)
    times = [T0 + timedelta(seconds=i, microseconds=123457 * i % 1_000_000) for i in range(50)]
    values = [0.1 + 0.2 + i / 3 for i in range(50)]
    batch = [
        NewReading("reef", "ph", v, t, t, "aquarium/reef/ph")
        for t, v in zip(times, values, strict=True)
    ]
    assert store.write(batch, []).stored == 50
    assert store.write(batch, []).duplicates == 50  # the same (sensor, time) keys match again
    assert reading_series(any_engine, "reef", "ph", T0) == list(zip(times, values, strict=True))


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
