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

from db.rollup import HOUR_S, raw_horizon, refresh_rollups, time_bucket
from db.schema import manual_tests, reading_hours, readings, rollup_pending, sensors
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
    """One parameter over a range; bucket_s 0 means raw readings (low == mean == high).

    With several sensors of the parameter (two probes), each keeps its own series in BY_SENSOR,
    named by its label, and the lists here stay empty: their readings are never mixed.
    """

    parameter: str
    bucket_s: int
    times: list[float] = field(default_factory=list)  # epoch seconds, bucket middles when bucketed
    mean: list[float] = field(default_factory=list)
    low: list[float] = field(default_factory=list)
    high: list[float] = field(default_factory=list)
    counts: list[int] = field(default_factory=list)
    by_sensor: dict[str, Series] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.times) + sum(len(s) for s in self.by_sensor.values())

    def lines(self) -> list[tuple[str | None, Series]]:
        """(sensor label, series) per line to draw; one unnamed line for a single sensor."""
        if self.by_sensor:
            return list(self.by_sensor.items())
        return [(None, self)]


def sensor_name(label: str | None, topic: str, field_path: str) -> str:
    """How a sensor is named beside its siblings: the keeper's label, else where it publishes."""
    if label:
        return label
    if field_path:
        return field_path.split(".")[0]  # Tasmota "DS18B20-1.Temperature": the probe
    levels = topic.split("/")
    # ESPHome ".../sensor/<object_id>/state": the object id; else the topic's last level.
    return levels[-2] if len(levels) > 2 and levels[-1] == "state" else levels[-1]


class _PerSensor:
    """Points gathered per (parameter, sensor), folded into one Series per parameter."""

    def __init__(self, engine: Engine, tank_id: int, bucket: int) -> None:
        self.bucket = bucket
        self.parts: dict[tuple[str, int], Series] = {}
        with engine.connect() as conn:
            self.names = {
                row.id: sensor_name(row.label, row.topic, row.field)
                for row in conn.execute(
                    select(sensors.c.id, sensors.c.label, sensors.c.topic, sensors.c.field)
                    .where(sensors.c.tank_id == tank_id)
                    .order_by(sensors.c.is_primary.desc(), sensors.c.id)
                )
            }

    def part(self, parameter: str, sensor_id: int) -> Series:
        key = (parameter, sensor_id)
        if key not in self.parts:
            self.parts[key] = Series(parameter, self.bucket)
        return self.parts[key]

    def folded(self, parameters: Sequence[str]) -> dict[str, Series]:
        found: dict[str, Series] = {}
        for parameter in parameters:
            mine = {sid: s for (p, sid), s in self.parts.items() if p == parameter}
            if len(mine) == 1:
                found[parameter] = next(iter(mine.values()))
                continue
            series = Series(parameter, self.bucket)
            # The primary sensor first, then in the order they were first seen.
            for sensor_id in sorted(mine, key=lambda sid: list(self.names).index(sid)):
                series.by_sensor[self.names[sensor_id]] = mine[sensor_id]
            found[parameter] = series
        return found


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
    if bucket < HOUR_S and start < _folded_until(engine):
        # Retention (db/retention.py) kept only the hourly rollup of readings this old: an hour
        # is the finest there is, and raw buckets here would draw an empty chart.
        bucket = HOUR_S
    found = {p: Series(p, bucket) for p in parameters}
    if not parameters or end <= start:
        return found
    if bucket < HOUR_S and end - start <= COUNT_RAW_UP_TO_S:
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


def _folded_until(engine: Engine) -> float:
    """The epoch second before which raw readings were folded away (0: none were)."""
    with engine.connect() as conn:
        return float(raw_horizon(conn) * HOUR_S)


def _raw_counts(
    engine: Engine, tank_id: int, parameters: Sequence[str], start: float, end: float
) -> dict[str, int]:
    seconds = type_coerce(readings.c.time, Float)
    query = (
        select(sensors.c.parameter, func.count())
        .join(sensors, sensors.c.id == readings.c.sensor_id)
        .where(
            sensors.c.tank_id == tank_id,
            sensors.c.parameter.in_(parameters),
            seconds >= start,
            seconds <= end,
        )
        .group_by(sensors.c.parameter, readings.c.sensor_id)
    )
    most: dict[str, int] = {}
    with engine.connect() as conn:
        for parameter, count in conn.execute(query):  # the busiest sensor decides
            most[parameter] = max(count, most.get(parameter, 0))
    return most


def _raw(
    engine: Engine, tank_id: int, parameters: Sequence[str], start: float, end: float
) -> dict[str, Series]:
    if not parameters:
        return {}
    parts = _PerSensor(engine, tank_id, 0)
    seconds = type_coerce(readings.c.time, Float)
    query = (
        select(sensors.c.parameter, readings.c.sensor_id, seconds.label("t"), readings.c.value)
        .join(sensors, sensors.c.id == readings.c.sensor_id)
        .where(
            sensors.c.tank_id == tank_id,
            sensors.c.parameter.in_(parameters),
            seconds >= start,
            seconds <= end,
        )
        .order_by(sensors.c.parameter, readings.c.sensor_id, readings.c.time)
    )
    with engine.connect() as conn:
        for parameter, sensor_id, moment, value in conn.execute(query):
            series = parts.part(parameter, sensor_id)
            series.times.append(moment)
            series.mean.append(value)
            series.low.append(value)
            series.high.append(value)
            series.counts.append(1)
    return parts.folded(parameters)


def _from_readings(
    engine: Engine, tank_id: int, parameters: Sequence[str], start: float, end: float, size: int
) -> dict[str, Series]:
    parts = _PerSensor(engine, tank_id, size)
    seconds = type_coerce(readings.c.time, Float)
    with engine.connect() as conn:
        key = time_bucket(conn, seconds, size).label("k")
        query = (
            select(
                sensors.c.parameter,
                readings.c.sensor_id,
                key,
                func.count(),
                func.avg(readings.c.value),
                func.min(readings.c.value),
                func.max(readings.c.value),
            )
            .join(sensors, sensors.c.id == readings.c.sensor_id)
            .where(
                sensors.c.tank_id == tank_id,
                sensors.c.parameter.in_(parameters),
                seconds >= start,
                seconds <= end,
            )
            .group_by(sensors.c.parameter, readings.c.sensor_id, key)
            .order_by(sensors.c.parameter, readings.c.sensor_id, key)
        )
        for parameter, sensor_id, k, n, mean, low, high in conn.execute(query):
            _append(parts.part(parameter, sensor_id), (k + 0.5) * size, n, mean, low, high)
    return parts.folded(parameters)


def _from_rollup(
    engine: Engine, tank_id: int, parameters: Sequence[str], start: float, end: float, size: int
) -> dict[str, Series]:
    parts = _PerSensor(engine, tank_id, size)
    hours = size // HOUR_S
    key = (reading_hours.c.hour // hours).label("k")
    query = (
        select(
            reading_hours.c.parameter,
            reading_hours.c.sensor_id,
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
        .group_by(reading_hours.c.parameter, reading_hours.c.sensor_id, key)
        .order_by(reading_hours.c.parameter, reading_hours.c.sensor_id, key)
    )
    with engine.connect() as conn:
        for parameter, sensor_id, k, n, total, low, high in conn.execute(query):
            _append(parts.part(parameter, sensor_id), (k + 0.5) * size, n, total / n, low, high)
    return parts.folded(parameters)


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


def data_marker(engine: Engine, tank: str) -> tuple[str, int]:
    """What changes when TANK's charted readings do: its newest reading time and its sensors'
    hours waiting for the rollup. A cache keyed by it misses as soon as a reading is stored."""
    tank_id = get_tank(engine, tank).id
    mine = select(sensors.c.id).where(sensors.c.tank_id == tank_id)
    with engine.connect() as conn:
        newest = conn.execute(
            select(func.max(sensors.c.last_seen)).where(sensors.c.tank_id == tank_id)
        ).scalar_one()
        pending = conn.execute(
            select(func.count())
            .select_from(rollup_pending)
            .where(rollup_pending.c.sensor_id.in_(mine))
        ).scalar_one()
    return (str(newest), int(pending))
