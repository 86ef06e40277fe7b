"""Trend series for charts: raw readings for short ranges, min/mean/max buckets for long ones.

A bucket keeps its minimum and maximum, so a one-minute spike in a year of data still shows as
the top of the band. Buckets of an hour or more come from the hourly rollup (db/rollup.py);
shorter ones are grouped from the raw readings in SQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine, Float, func, select, type_coerce

from db.rollup import HOUR_S, refresh_rollups, time_bucket
from db.schema import manual_tests, reading_hours, readings, sensors
from db.tanks import get_tank
from db.types import to_epoch

# About one point per pixel of a wide chart; more only costs transfer and drawing time.
MAX_POINTS = 1500
# Bucket sizes in seconds. Below an hour they are grouped from raw rows (at most 14 days of
# them); from an hour up they come from the rollup.
RAW_BUCKETS = (60, 120, 300, 600, 900)
ROLLUP_BUCKETS = tuple(h * HOUR_S for h in (1, 2, 3, 6, 12, 24, 48, 168))
# Ranges up to this long are counted first: if the raw readings fit, they are drawn as they are.
COUNT_RAW_UP_TO_S = 3 * 86_400


@dataclass
class Series:
    """One parameter over a range; bucket_s 0 means raw readings (low == mean == high)."""

    parameter: str
    bucket_s: int
    times: list[float] = field(default_factory=list)  # epoch seconds, bucket middles when bucketed
    mean: list[float] = field(default_factory=list)
    low: list[float] = field(default_factory=list)
    high: list[float] = field(default_factory=list)
    counts: list[int] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.times)


def choose_bucket(span_s: float, max_points: int = MAX_POINTS) -> int:
    """The smallest bucket that draws SPAN_S in at most MAX_POINTS points."""
    for size in (*RAW_BUCKETS, *ROLLUP_BUCKETS):
        if span_s / size <= max_points:
            return size
    return ROLLUP_BUCKETS[-1]


def trend_series(
    engine: Engine,
    tank: str,
    parameters: Sequence[str],
    since: datetime,
    until: datetime,
    max_points: int = MAX_POINTS,
) -> dict[str, Series]:
    """Each parameter's readings of TANK between SINCE and UNTIL, drawn in about MAX_POINTS."""
    tank_id = get_tank(engine, tank).id
    start, end = to_epoch(since), to_epoch(until)
    bucket = choose_bucket(end - start, max_points)
    found = {p: Series(p, bucket) for p in parameters}
    if not parameters or end <= start:
        return found
    if end - start <= COUNT_RAW_UP_TO_S:
        counts = _raw_counts(engine, tank_id, parameters, start, end)
        small = [p for p in parameters if counts.get(p, 0) <= max_points]
        found.update(_raw(engine, tank_id, small, start, end))
        parameters = [p for p in parameters if p not in small]
    if not parameters:
        return found
    if bucket < HOUR_S:
        found.update(_from_readings(engine, tank_id, parameters, start, end, bucket))
    else:
        refresh_rollups(engine)
        found.update(_from_rollup(engine, tank_id, parameters, start, end, bucket))
    return found


def _raw_counts(
    engine: Engine, tank_id: int, parameters: Sequence[str], start: float, end: float
) -> dict[str, int]:
    seconds = type_coerce(readings.c.time, Float)
    query = (
        select(readings.c.parameter, func.count())
        .where(
            readings.c.tank_id == tank_id,
            readings.c.parameter.in_(parameters),
            seconds >= start,
            seconds <= end,
        )
        .group_by(readings.c.parameter)
    )
    with engine.connect() as conn:
        return {row[0]: row[1] for row in conn.execute(query)}


def _raw(
    engine: Engine, tank_id: int, parameters: Sequence[str], start: float, end: float
) -> dict[str, Series]:
    found = {p: Series(p, 0) for p in parameters}
    if not parameters:
        return found
    seconds = type_coerce(readings.c.time, Float)
    query = (
        select(readings.c.parameter, seconds.label("t"), readings.c.value)
        .where(
            readings.c.tank_id == tank_id,
            readings.c.parameter.in_(parameters),
            seconds >= start,
            seconds <= end,
        )
        .order_by(readings.c.parameter, readings.c.time)
    )
    with engine.connect() as conn:
        for parameter, moment, value in conn.execute(query):
            series = found[parameter]
            series.times.append(moment)
            series.mean.append(value)
            series.low.append(value)
            series.high.append(value)
            series.counts.append(1)
    return found


def _from_readings(
    engine: Engine, tank_id: int, parameters: Sequence[str], start: float, end: float, size: int
) -> dict[str, Series]:
    found = {p: Series(p, size) for p in parameters}
    seconds = type_coerce(readings.c.time, Float)
    with engine.connect() as conn:
        key = time_bucket(conn, seconds, size).label("k")
        query = (
            select(
                readings.c.parameter,
                key,
                func.count(),
                func.avg(readings.c.value),
                func.min(readings.c.value),
                func.max(readings.c.value),
            )
            .where(
                readings.c.tank_id == tank_id,
                readings.c.parameter.in_(parameters),
                seconds >= start,
                seconds <= end,
            )
            .group_by(readings.c.parameter, key)
            .order_by(readings.c.parameter, key)
        )
        for parameter, k, n, mean, low, high in conn.execute(query):
            _append(found[parameter], (k + 0.5) * size, n, mean, low, high)
    return found


def _from_rollup(
    engine: Engine, tank_id: int, parameters: Sequence[str], start: float, end: float, size: int
) -> dict[str, Series]:
    found = {p: Series(p, size) for p in parameters}
    hours = size // HOUR_S
    key = (reading_hours.c.hour // hours).label("k")
    query = (
        select(
            reading_hours.c.parameter,
            key,
            func.sum(reading_hours.c.n),
            func.sum(reading_hours.c.total),
            func.min(reading_hours.c.low),
            func.max(reading_hours.c.high),
        )
        .where(
            reading_hours.c.tank_id == tank_id,
            reading_hours.c.parameter.in_(parameters),
            reading_hours.c.hour >= int(start // HOUR_S),
            reading_hours.c.hour <= int(end // HOUR_S),
        )
        .group_by(reading_hours.c.parameter, key)
        .order_by(reading_hours.c.parameter, key)
    )
    with engine.connect() as conn:
        for parameter, k, n, total, low, high in conn.execute(query):
            _append(found[parameter], (k + 0.5) * size, n, total / n, low, high)
    return found


def _append(series: Series, moment: float, n: int, mean: float, low: float, high: float) -> None:
    series.times.append(moment)
    series.counts.append(int(n))
    series.mean.append(float(mean))
    series.low.append(float(low))
    series.high.append(float(high))


def charted_parameters(engine: Engine, tank: str) -> list[str]:
    """Parameters of TANK with a sensor or at least one test result, sensors first."""
    tank_id = get_tank(engine, tank).id
    with engine.connect() as conn:
        sensed = conn.execute(
            select(sensors.c.parameter).where(sensors.c.tank_id == tank_id).distinct()
        ).scalars()
        found = list(dict.fromkeys(sorted(sensed)))
        tested = conn.execute(
            select(manual_tests.c.parameter).where(manual_tests.c.tank_id == tank_id).distinct()
        ).scalars()
        found += [p for p in sorted(tested) if p not in found]
    return found
