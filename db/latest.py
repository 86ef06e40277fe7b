"""The newest value of each parameter of a tank, from its sensors and from the logbook.

One indexed lookup per parameter (ORDER BY time DESC LIMIT 1 on the tank/parameter/time index), so
the overview costs the same on a day of data as on years of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, func, select

from db.schema import manual_tests, readings, sensors
from db.tanks import get_tank


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
            sensor = conn.execute(
                select(readings.c.time, readings.c.value)
                .where(readings.c.tank_id == tank_id, readings.c.parameter == parameter)
                .order_by(readings.c.time.desc())
                .limit(1)
            ).first()
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
                    Point(sensor.time, sensor.value) if sensor else None,
                    Point(manual.time, manual.value) if manual else None,
                )
            )
    return found
