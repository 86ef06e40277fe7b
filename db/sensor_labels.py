"""The keeper's labels and primary marks of configured sensors, stored on their sensor rows."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, and_, select, update

from db.schema import sensors, tanks
from db.upsert import insert_ignore


@dataclass(frozen=True)
class SensorLabel:
    """A configured sensor's identity (tank, parameter, topic, field) and how it is named."""

    tank: str
    parameter: str
    topic: str
    field: str
    label: str | None
    primary: bool


def apply_sensor_labels(engine: Engine, wanted: Iterable[SensorLabel], now: datetime) -> None:
    """Store each sensor's label and primary mark; the config file is the keeper's word.

    A labelled sensor of a known tank gets its row now, so its first reading already carries
    the name; a sensor of a tank not yet known gets its label when the daemon next starts.
    """
    with engine.connect().execution_options(sqlite_write=True) as conn, conn.begin():
        tank_ids = {row.name: row.id for row in conn.execute(select(tanks.c.name, tanks.c.id))}
        for sensor in wanted:
            tank_id = tank_ids.get(sensor.tank)
            if tank_id is None:
                continue
            identity = and_(
                sensors.c.tank_id == tank_id,
                sensors.c.parameter == sensor.parameter,
                sensors.c.topic == sensor.topic,
                sensors.c.field == sensor.field,
            )
            if sensor.label is not None or sensor.primary:
                conn.execute(
                    insert_ignore(conn, sensors, ["tank_id", "parameter", "topic", "field"]).values(
                        tank_id=tank_id,
                        parameter=sensor.parameter,
                        topic=sensor.topic,
                        field=sensor.field,
                        first_seen=now,
                    )
                )
            conn.execute(
                update(sensors)
                .where(identity)
                .values(label=sensor.label, is_primary=sensor.primary)
            )
