"""The hourly rollup kept from marked hours stays exact under copies, clashes and racing writers."""

# ruff: noqa: S608 (the SQL holds this test's own expressions, never input)

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, text

from db.readings import BatchStore, NewReading
from db.rollup import pending_hours, refresh_rollups

START = datetime(2026, 11, 2, tzinfo=UTC)


def _rollup_and_raw(engine: Engine) -> tuple[list[tuple], list[tuple]]:
    """(the rollup's rows, the same aggregation done directly over the raw readings)."""
    hour = "CAST(floor(time / 3600) AS BIGINT)"
    if engine.dialect.name == "sqlite":
        hour = "CAST(time / 3600 AS INTEGER)"
    with engine.connect() as conn:
        rolled = conn.execute(
            text(
                "SELECT sensor_id, hour, n, round(CAST(total AS NUMERIC), 6), low, high "
                "FROM reading_hours ORDER BY sensor_id, hour"
            )
        ).all()
        direct = conn.execute(
            text(
                f"SELECT sensor_id, {hour} AS h, count(*), round(CAST(sum(value) AS NUMERIC), 6), "
                f"min(value), max(value) FROM readings GROUP BY sensor_id, {hour} "
                "ORDER BY sensor_id, h"
            )
        ).all()
    return [tuple(r) for r in rolled], [tuple(r) for r in direct]


def _reading(minute: int, value: float, topic: str = "aquarium/t/temperature") -> NewReading:
    at = START + timedelta(minutes=minute)
    return NewReading("t", "temperature", value, at, at, topic, payload=b"%g" % value)


def test_copies_and_clashes_count_once(any_engine: Engine) -> None:
    """A resent batch and a clashing value at a stored time leave every hour counting each once."""
    store = BatchStore(any_engine)
    first = [_reading(m, 25.0 + m / 100) for m in range(0, 150, 5)]
    store.write(first, [])
    refresh_rollups(any_engine)
    again = store.write([*first[:10], _reading(7, 24.0), _reading(7, 24.0)], [])
    clash = store.write([_reading(0, 99.0)], [])  # another value at a stored time: a dead letter
    assert (again.stored, clash.stored, clash.dead_letters) == (1, 0, 1)
    refresh_rollups(any_engine)
    rolled, direct = _rollup_and_raw(any_engine)
    assert rolled == direct
    assert sum(row[2] for row in rolled) == len(first) + 1
    assert max(row[5] for row in rolled) < 99.0


def test_a_refresh_racing_the_writers_misses_nothing(any_engine: Engine) -> None:
    """Two sensors written in small batches while another thread refreshes: the rollup is exact."""
    stop = threading.Event()
    failures: list[BaseException] = []

    def refresh_until_stopped() -> None:
        try:
            while not stop.is_set():
                refresh_rollups(any_engine, chunk_hours=3)
        except BaseException as exc:  # surfaced by the assertion below
            failures.append(exc)

    refresher = threading.Thread(target=refresh_until_stopped)
    refresher.start()
    try:
        store = BatchStore(any_engine)
        for batch in range(150):
            # Each batch reaches back into hours the refresher may be recomputing right now.
            minutes = [batch * 7 + k * 3 for k in range(10)]
            store.write(
                [_reading(m, 20.0 + m % 13) for m in minutes]
                + [_reading(m, 5.0 + m % 7, "aquarium/t/outlet") for m in minutes],
                [],
            )
    finally:
        stop.set()
        refresher.join(timeout=60)
    assert not failures, failures
    refresh_rollups(any_engine)
    assert pending_hours(any_engine) == 0
    rolled, direct = _rollup_and_raw(any_engine)
    assert rolled == direct
    assert sum(row[2] for row in rolled) > 1500  # overlapping batches: fewer than 3000 distinct
