"""The daemon's store caches tank and sensor ids: a tank removed beside it must not misfile."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from db.readings import BatchStore, NewReading, latest_readings, reading_series
from db.tanks import remove_tank

NOW = datetime.now(UTC).replace(microsecond=0)
LONG_AGO = NOW - timedelta(days=1)


def _reading(tank: str, parameter: str, value: float, second: int) -> NewReading:
    at = NOW + timedelta(seconds=second)
    return NewReading(tank, parameter, value, at, at, f"aquarium/{tank}/{parameter}")


def test_a_removed_tanks_node_never_writes_into_the_tank_that_got_its_ids(
    any_engine: Engine,
) -> None:
    """A new tank may get a removed one's ids (SQLite); the old node's reading stays its own."""
    daemon = BatchStore(any_engine)
    daemon.write([_reading("keep", "ph", 8.1, 0)], [])
    daemon.write([_reading("gone", "temperature", 25.0, 1)], [])
    remove_tank(any_engine, "gone")  # the keeper, from the command line, the daemon running
    BatchStore(any_engine).write([_reading("newtank", "nitrate", 10.0, 2)], [])  # another worker
    daemon.write([_reading("gone", "temperature", 26.0, 3)], [])  # the old node still sends

    assert [(r.parameter, r.value) for r in latest_readings(any_engine, "newtank")] == [
        ("nitrate", 10.0)
    ]
    assert [v for _, v in reading_series(any_engine, "newtank", "nitrate", LONG_AGO)] == [10.0]
    # The old node's message registers its tank again, as any first message does.
    assert [v for _, v in reading_series(any_engine, "gone", "temperature", LONG_AGO)] == [26.0]
    assert [(r.parameter, r.value) for r in latest_readings(any_engine, "keep")] == [("ph", 8.1)]
