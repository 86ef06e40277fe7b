"""The newest value of each parameter of a tank, from its sensors and from the logbook.

One indexed lookup per parameter (ORDER BY time DESC LIMIT 1 on the tank/parameter/time index), so
the overview costs the same on a day of data as on years of it.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, func, select

from db.schema import manual_tests, readings, sensors
from db.tanks import get_tank
from db.trends import sensor_name


@dataclass(frozen=True)
class Point:
    """One stored value and its time."""

    time: datetime
    value: float


@dataclass(frozen=True)
class LatestValue:
    """A parameter's newest sensor reading and newest test result (either may be missing)."""

    parameter: str
    sensor: Point | None
    manual: Point | None
    # Several sensors of the parameter: each one's newest reading by label, primary first;
    # SENSOR is then the primary's (else the median of theirs), as the advisor reads them.
    by_sensor: tuple[tuple[str, Point], ...] = ()
    chosen_by: str = ""  # with several: "primary sensor" or "median of sensors"

    @property
    def newest(self) -> Point:
        """The more recent of the two."""
        points = [p for p in (self.sensor, self.manual) if p is not None]
        return max(points, key=lambda p: p.time)


def latest_values(engine: Engine, tank: str) -> list[LatestValue]:
    """Each parameter with a sensor or a test result, sensor parameters first, by name."""
    tank_id = get_tank(engine, tank).id
    found: list[LatestValue] = []
    with engine.connect() as conn:
        sensed = sorted(
            conn.execute(
                select(sensors.c.parameter).where(sensors.c.tank_id == tank_id).distinct()
            ).scalars()
        )
        tested = sorted(
            conn.execute(
                select(manual_tests.c.parameter).where(manual_tests.c.tank_id == tank_id).distinct()
            ).scalars()
        )
        for parameter in [*sensed, *(p for p in tested if p not in sensed)]:
            several = _each_sensor(conn, tank_id, parameter)
            sensor = _chosen(several) if several else None
            if sensor is None:
                sensor = _newest_of_parameter(conn, tank_id, parameter)
            # Results typed for one moment (a retest, a second kit) are one observation, their
            # mean, as the advisor reads them (DOMAIN "Test kits"; health/resolution.py).
            this_tank = (manual_tests.c.tank_id == tank_id) & (
                manual_tests.c.parameter == parameter
            )
            newest = select(func.max(manual_tests.c.time)).where(this_tank).scalar_subquery()
            manual = conn.execute(
                select(manual_tests.c.time, func.avg(manual_tests.c.value).label("value"))
                .where(this_tank, manual_tests.c.time == newest)
                .group_by(manual_tests.c.time)
            ).first()
            if sensor is None and manual is None:
                continue  # a sensor registered but nothing stored yet
            found.append(
                LatestValue(
                    parameter,
                    sensor,
                    Point(manual.time, manual.value) if manual else None,
                    tuple((name, point) for name, point, _ in several),
                    _how_chosen(several),
                )
            )
    return found


def _each_sensor(conn: Connection, tank_id: int, parameter: str) -> list[tuple[str, Point, bool]]:
    """(label, newest reading, primary) of each sensor of PARAMETER, when it has several."""
    mine = conn.execute(
        select(
            sensors.c.id, sensors.c.label, sensors.c.topic, sensors.c.field, sensors.c.is_primary
        )
        .where(sensors.c.tank_id == tank_id, sensors.c.parameter == parameter)
        .order_by(sensors.c.is_primary.desc(), sensors.c.id)
    ).all()
    if len(mine) < 2:
        return []
    found = []
    for row in mine:
        newest = conn.execute(  # the (sensor_id, time) unique key's index
            select(readings.c.time, readings.c.value)
            .where(readings.c.sensor_id == row.id)
            .order_by(readings.c.time.desc())
            .limit(1)
        ).first()
        if newest is not None:
            name = sensor_name(row.label, row.topic, row.field)
            found.append((name, Point(newest.time, newest.value), bool(row.is_primary)))
    return found if len(found) > 1 else []


def _chosen(several: list[tuple[str, Point, bool]]) -> Point:
    """The primary's newest reading, else the median of all (health/sensor_choice.py's rule)."""
    for _, point, primary in several:
        if primary:
            return point
    points = [point for _, point, _ in several]
    return Point(max(p.time for p in points), statistics.median(p.value for p in points))


def _how_chosen(several: list[tuple[str, Point, bool]]) -> str:
    if not several:
        return ""
    return "primary sensor" if any(primary for *_, primary in several) else "median of sensors"


def _newest_of_parameter(conn: Connection, tank_id: int, parameter: str) -> Point | None:
    """The newest reading of any sensor of PARAMETER: one seek into each sensor's key range."""
    newest: Point | None = None
    ids = select(sensors.c.id).where(sensors.c.tank_id == tank_id, sensors.c.parameter == parameter)
    for sensor_id in conn.execute(ids).scalars().all():
        row = conn.execute(
            select(readings.c.time, readings.c.value)
            .where(readings.c.sensor_id == sensor_id)
            .order_by(readings.c.time.desc())
            .limit(1)
        ).first()
        if row is not None and (newest is None or row.time > newest.time):
            newest = Point(row.time, row.value)
    return newest
