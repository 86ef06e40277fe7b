"""Device availability: a node's own online/offline message (Tasmota LWT, ESPHome status) marks its
sensors at once, instead of the dashboard waiting for them to go stale."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, select, update

from db.schema import sensors, tanks


@dataclass(frozen=True)
class AvailabilityChange:
    """A device said it is online or offline; TOPICS are its configured sensors' topics."""

    topics: tuple[str, ...]
    online: bool
    at: datetime  # when the daemon received it: the same clock as sensors.last_seen


@dataclass(frozen=True)
class SensorState:
    """One sensor's identity and what is known of its health."""

    tank: str
    parameter: str
    topic: str
    field: str
    online: bool | None  # None: the device never said, and no reading has arrived
    last_seen: datetime | None
    expected_interval_s: float | None


def set_availability(
    target: Connection | Engine, topics: Collection[str], online: bool, at: datetime
) -> int:
    """Mark the sensors on TOPICS online or offline as of AT; returns how many rows changed.

    A sensor whose last reading arrived after AT stays online: that reading is newer news than
    the offline message (the two can share one batch, committed in one transaction).
    Sensors that have not sent a reading yet have no row, so there is nothing to mark.
    """
    if not topics:
        return 0
    statement = update(sensors).where(sensors.c.topic.in_(list(topics))).values(online=online)
    if not online:
        statement = statement.where(sensors.c.last_seen.is_(None) | (sensors.c.last_seen <= at))
    if isinstance(target, Engine):
        with target.connect().execution_options(sqlite_write=True) as conn, conn.begin():
            return conn.execute(statement).rowcount
    return target.execute(statement).rowcount


def sensor_states(engine: Engine, tank: str | None = None) -> list[SensorState]:
    """Every known sensor (of TANK, or all) with its online flag and last receive time."""
    query = (
        select(
            tanks.c.name,
            sensors.c.parameter,
            sensors.c.topic,
            sensors.c.field,
            sensors.c.online,
            sensors.c.last_seen,
            sensors.c.expected_interval_s,
        )
        .join(tanks, tanks.c.id == sensors.c.tank_id)
        .order_by(tanks.c.name, sensors.c.parameter, sensors.c.topic, sensors.c.field)
    )
    if tank is not None:
        query = query.where(tanks.c.name == tank)
    with engine.connect() as conn:
        return [SensorState(*row) for row in conn.execute(query)]
