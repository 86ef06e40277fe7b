"""The newest value of each parameter of a tank, from its sensors and from the logbook.

Two seeks per sensor into its (sensor_id, time) key and one group per parameter of the logbook, for
one tank or many at once, so the overview costs the same on a day of data as on years of it.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, and_, func, select

from db.schema import manual_tests, readings, sensors, tanks
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
    get_tank(engine, tank)  # NotFound, naming a near miss
    return latest_values_of(engine, [tank]).get(tank, [])


def latest_values_of(engine: Engine, names: Sequence[str]) -> dict[str, list[LatestValue]]:
    """latest_values of every tank in NAMES (those that exist), in four statements in all.

    The alert round records the worst value of each of 200 tanks for the home page: one query
    per parameter and sensor made that 5,000 statements a round.
    """
    with engine.connect() as conn:
        tank_ids = dict(
            conn.execute(select(tanks.c.id, tanks.c.name).where(tanks.c.name.in_(names))).all()
        )
        if not tank_ids:
            return {}
        mine = list(tank_ids)
        sensor_rows = conn.execute(
            select(
                sensors.c.id,
                sensors.c.tank_id,
                sensors.c.parameter,
                sensors.c.label,
                sensors.c.topic,
                sensors.c.field,
                sensors.c.is_primary,
            )
            .where(sensors.c.tank_id.in_(mine))
            .order_by(sensors.c.id)
        ).all()
        # Each sensor's newest reading: two seeks into its (sensor_id, time) key.
        inner = readings.alias("newest")
        last = (
            select(func.max(inner.c.time))
            .where(inner.c.sensor_id == sensors.c.id)
            .correlate(sensors)
            .scalar_subquery()
        )
        newest = {
            row.id: Point(row.time, row.value)
            for row in conn.execute(
                select(sensors.c.id, readings.c.time, readings.c.value)
                .select_from(sensors)
                .join(
                    readings,
                    and_(readings.c.sensor_id == sensors.c.id, readings.c.time == last),
                )
                .where(sensors.c.tank_id.in_(mine))
            )
        }
        # Results typed for one moment (a retest, a second kit) are one observation, their
        # mean, as the advisor reads them (DOMAIN "Test kits"; health/resolution.py).
        tested = (
            select(
                manual_tests.c.tank_id,
                manual_tests.c.parameter,
                func.max(manual_tests.c.time).label("time"),
            )
            .where(manual_tests.c.tank_id.in_(mine))
            .group_by(manual_tests.c.tank_id, manual_tests.c.parameter)
            .subquery()
        )
        manual = {
            (row.tank_id, row.parameter): Point(row.time, row.value)
            for row in conn.execute(
                select(
                    manual_tests.c.tank_id,
                    manual_tests.c.parameter,
                    manual_tests.c.time,
                    func.avg(manual_tests.c.value).label("value"),
                )
                .join(
                    tested,
                    and_(
                        manual_tests.c.tank_id == tested.c.tank_id,
                        manual_tests.c.parameter == tested.c.parameter,
                        manual_tests.c.time == tested.c.time,
                    ),
                )
                .group_by(manual_tests.c.tank_id, manual_tests.c.parameter, manual_tests.c.time)
            )
        }
    by_tank: dict[int, list[Any]] = {tank_id: [] for tank_id in tank_ids}
    for row in sensor_rows:
        by_tank[row.tank_id].append(row)
    return {
        name: _tank_values(tank_id, by_tank[tank_id], newest, manual)
        for tank_id, name in tank_ids.items()
    }


def _tank_values(
    tank_id: int,
    sensor_rows: list[Any],
    newest: dict[int, Point],
    manual: dict[tuple[int, str], Point],
) -> list[LatestValue]:
    """One tank's LatestValues from its sensors (in id order) and every tank's newest values."""
    sensed = sorted({row.parameter for row in sensor_rows})
    tested = sorted(parameter for tank, parameter in manual if tank == tank_id)
    found: list[LatestValue] = []
    for parameter in [*sensed, *(p for p in tested if p not in sensed)]:
        of_parameter = [row for row in sensor_rows if row.parameter == parameter]
        several = _each_sensor(of_parameter, newest)
        sensor = _chosen(several) if several else _newest_of(of_parameter, newest)
        kit = manual.get((tank_id, parameter))
        if sensor is None and kit is None:
            continue  # a sensor registered but nothing stored yet
        found.append(
            LatestValue(
                parameter,
                sensor,
                kit,
                tuple((name, point) for name, point, _ in several),
                _how_chosen(several),
            )
        )
    return found


def _each_sensor(rows: list[Any], newest: dict[int, Point]) -> list[tuple[str, Point, bool]]:
    """(label, newest reading, primary) of each sensor of a parameter, when it has several."""
    if len(rows) < 2:
        return []
    found = [
        (sensor_name(row.label, row.topic, row.field), newest[row.id], bool(row.is_primary))
        for row in sorted(rows, key=lambda row: (not row.is_primary, row.id))
        if row.id in newest
    ]
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


def _newest_of(rows: list[Any], newest: dict[int, Point]) -> Point | None:
    """The newest reading of any of the sensors ROWS (in id order; the first wins a tie)."""
    found: Point | None = None
    for row in rows:
        point = newest.get(row.id)
        if point is not None and (found is None or point.time > found.time):
            found = point
    return found
