"""A tank's history as health/ reads it (TankHistory), loaded without reading every raw row.

The advisor looks back weeks (nitrate since the last change, the pH trend over a month, the
conductivity baseline) but needs minute detail only for the last day or so (sensor health: stale,
flat-lined, jumping). So the last RAW_WINDOW comes from the readings as they are, and anything
older as hourly means from the rollup: a year of 1-minute data loads in a fraction of a second.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, Float, select, type_coerce

from db.maintenance import list_events
from db.manual import list_tests
from db.rollup import HOUR_S, refresh_rollups
from db.schema import reading_hours, readings, sensors
from db.tanks import get_tank
from db.trends import sensor_name
from db.types import to_epoch
from health.sensor_choice import chosen_series
from health.types import MaintenanceEvent, Sample, SensorStatus, TankHistory

# Health's sensor checks look at the last 24 h at most (sensor_health.SUSPECT_FOR, flat-line 12 h);
# two days leaves a margin.
RAW_WINDOW = timedelta(days=2)
# Longer than any look-back in the profiles (60-day change interval, 56-day new-tank cycle).
LOOKBACK = timedelta(days=120)


def load_tank_history(
    engine: Engine, tank: str, at: datetime | None = None, lookback: timedelta = LOOKBACK
) -> TankHistory:
    """Samples, maintenance and sensor status of TANK up to AT (now by default)."""
    at = at or datetime.now(UTC)
    found = get_tank(engine, tank)
    since = at - lookback
    cut = at - RAW_WINDOW
    samples: dict[str, list[Sample]] = {}
    refresh_rollups(engine)
    seconds = type_coerce(readings.c.time, Float)
    hourly = (
        select(
            reading_hours.c.parameter,
            reading_hours.c.sensor_id,
            reading_hours.c.hour,
            reading_hours.c.total,
            reading_hours.c.n,
        )
        .where(
            reading_hours.c.tank_id == found.id,
            reading_hours.c.hour >= int(to_epoch(since)) // HOUR_S,
            reading_hours.c.hour < int(to_epoch(cut)) // HOUR_S,
        )
        .order_by(reading_hours.c.parameter, reading_hours.c.hour)
    )
    first_raw = (int(to_epoch(cut)) // HOUR_S) * HOUR_S  # where the hourly part stops
    raw = (
        select(sensors.c.parameter, readings.c.sensor_id, seconds, readings.c.value)
        .join(sensors, sensors.c.id == readings.c.sensor_id)
        # Each of the tank's sensors seeks its last two days in the (sensor, time) key.
        .where(sensors.c.tank_id == found.id, seconds >= first_raw, seconds <= to_epoch(at))
        .order_by(sensors.c.parameter, readings.c.sensor_id, readings.c.time)
    )
    status = select(
        sensors.c.id,
        sensors.c.parameter,
        sensors.c.last_seen,
        sensors.c.expected_interval_s,
        sensors.c.online,
        sensors.c.label,
        sensors.c.topic,
        sensors.c.field,
        sensors.c.is_primary,
    ).where(sensors.c.tank_id == found.id)
    per_sensor: dict[str, dict[int, list[Sample]]] = {}
    with engine.connect() as conn:
        for parameter, sensor_id, hour, total, n in conn.execute(hourly):
            moment = datetime.fromtimestamp((hour + 0.5) * HOUR_S, UTC)
            sample = Sample(moment, total / n, "sensor")
            per_sensor.setdefault(parameter, {}).setdefault(sensor_id, []).append(sample)
        for parameter, sensor_id, moment, value in conn.execute(raw):
            sample = Sample(datetime.fromtimestamp(moment, UTC), value, "sensor")
            per_sensor.setdefault(parameter, {}).setdefault(sensor_id, []).append(sample)
        statuses: dict[str, SensorStatus] = {}
        names: dict[int, str] = {}
        primaries: set[int] = set()
        for row in conn.execute(status):
            names[row.id] = sensor_name(row.label, row.topic, row.field)
            if row.is_primary:
                primaries.add(row.id)
            known = statuses.get(row.parameter)
            if known is None or (
                row.last_seen is not None
                and (known.last_seen is None or row.last_seen > known.last_seen)
            ):
                statuses[row.parameter] = SensorStatus(
                    row.parameter, row.last_seen, row.expected_interval_s, row.online
                )
    by_sensor: dict[str, dict[str, list[Sample]]] = {}
    for parameter, found_sensors in per_sensor.items():
        if len(found_sensors) == 1:
            samples[parameter] = next(iter(found_sensors.values()))
            continue
        labelled = {names.get(sid, str(sid)): values for sid, values in found_sensors.items()}
        primary = next((names[sid] for sid in found_sensors if sid in primaries), None)
        by_sensor[parameter] = labelled
        samples[parameter] = chosen_series(labelled, primary)
    for test in list_tests(engine, tank, since=since, until=at):
        samples.setdefault(test.parameter, []).append(Sample(test.time, test.value, "manual"))
    events = [
        # kind: a str column, written only through sensors.keeper_input's MAINTENANCE_KINDS
        MaintenanceEvent(e.time, e.kind, e.percent, e.litres, e.note)  # type: ignore[arg-type]
        for e in list_events(engine, tank, until=at)
    ]
    return TankHistory(
        tank=found.name,
        volume_l=found.volume_l,
        profile=found.profile,
        samples=samples,
        maintenance=events,
        sensors=list(statuses.values()),
        created_at=found.set_up_at,  # unknown: judged by how old its history is (health/)
        added_at=found.created_at,
        by_sensor=by_sensor,
    )
