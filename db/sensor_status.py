"""What the keeper needs to see about each sensor: where it publishes, when it was last heard."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import pairwise

from sqlalchemy import Engine, Float, func, select, type_coerce

from db.schema import readings, sensors, tanks
from db.types import to_epoch

# Readings looked at to infer how often a sensor without a configured interval reports.
INTERVAL_SAMPLE = 11


@dataclass(frozen=True)
class SensorState:
    """One sensor as the daemon registered it, with recent activity."""

    id: int
    tank: str
    parameter: str
    topic: str
    field: str
    expected_interval_s: float | None
    first_seen: datetime
    last_seen: datetime | None
    online: bool | None
    last_hour: int  # readings timed within the hour before `now`
    typical_interval_s: float | None  # median gap of the newest readings


def sensor_states(engine: Engine, now: datetime, tank: str | None = None) -> list[SensorState]:
    """Every sensor (of TANK, or all), by tank, parameter and topic."""
    query = (
        select(sensors, tanks.c.name.label("tank"))
        .join(tanks, tanks.c.id == sensors.c.tank_id)
        .order_by(tanks.c.name, sensors.c.parameter, sensors.c.topic, sensors.c.field)
    )
    if tank is not None:
        query = query.where(tanks.c.name == tank)
    hour_ago = to_epoch(now - timedelta(hours=1))
    seconds = type_coerce(readings.c.time, Float)
    found = []
    with engine.connect() as conn:
        for row in conn.execute(query).all():
            last_hour = conn.execute(
                select(func.count()).where(readings.c.sensor_id == row.id, seconds >= hour_ago)
            ).scalar_one()
            times = conn.execute(
                select(seconds)
                .where(readings.c.sensor_id == row.id)
                .order_by(readings.c.time.desc())
                .limit(INTERVAL_SAMPLE)
            ).scalars()
            gaps = [a - b for a, b in pairwise(times) if a > b]
            found.append(
                SensorState(
                    id=row.id,
                    tank=row.tank,
                    parameter=row.parameter,
                    topic=row.topic,
                    field=row.field,
                    expected_interval_s=row.expected_interval_s,
                    first_seen=row.first_seen,
                    last_seen=row.last_seen,
                    online=row.online,
                    last_hour=last_hour,
                    typical_interval_s=statistics.median(gaps) if len(gaps) >= 2 else None,
                )
            )
    return found


def newest_sensor_report(engine: Engine) -> datetime | None:
    """When the daemon last stored a reading from any sensor (sensors.last_seen: a small table)."""
    with engine.connect() as conn:
        return conn.execute(select(func.max(sensors.c.last_seen))).scalar()
