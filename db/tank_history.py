"""A tank's history as health/ reads it (TankHistory), loaded without reading every raw row.

The advisor looks back weeks (nitrate since the last change, the pH trend over a month, the
conductivity baseline) but needs minute detail only for the last day or so (sensor health: stale,
flat-lined, jumping). So the last RAW_WINDOW comes from the readings as they are, and anything
older as hourly means from the rollup: a year of 1-minute data loads in a fraction of a second.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, Engine, Float, select, type_coerce

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
    engine: Engine,
    tank: str,
    at: datetime | None = None,
    lookback: timedelta = LOOKBACK,
    raw_window: timedelta = RAW_WINDOW,
) -> TankHistory:
    """Samples, maintenance and sensor status of TANK up to AT (now by default).

    RAW_WINDOW is how far back readings come as they are; before it, hourly means. A window as
    long as LOOKBACK reads every raw reading (the tests compare the two).
    """
    at = at or datetime.now(UTC)
    found = get_tank(engine, tank)
    since = at - lookback
    cut = at - max(timedelta(0), min(raw_window, lookback))
    samples: dict[str, list[Sample]] = {}
    refresh_rollups(engine)
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
    # Each sensor's samples, oldest first; the sensors in id order (the order they first sent).
    per_sensor: dict[int, list[Sample]] = {}
    parameter_of: dict[int, str] = {}
    statuses: dict[str, SensorStatus] = {}
    names: dict[int, str] = {}
    primaries: set[int] = set()
    with engine.connect() as conn:
        for row in conn.execute(status.order_by(sensors.c.id)):
            parameter_of[row.id] = row.parameter
            per_sensor[row.id] = []
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
        if per_sensor:
            _read_samples(conn, found.id, parameter_of, per_sensor, since, cut, at)
    by_sensor: dict[str, dict[str, list[Sample]]] = {}
    by_parameter: dict[str, dict[int, list[Sample]]] = {}
    # The order the checks meet parameters and sensors in (it orders reasons of equal severity):
    # the parameters with hourly means first, then those with raw readings only, each by name;
    # a parameter's sensors by their first sample.
    cut_time = datetime.fromtimestamp(_first_raw(cut), UTC)
    order = sorted(
        (sid for sid, values in per_sensor.items() if values),
        key=lambda sid: (
            per_sensor[sid][0].time >= cut_time,
            parameter_of[sid],
            per_sensor[sid][0].time,
            sid,
        ),
    )
    for sensor_id in order:
        by_parameter.setdefault(parameter_of[sensor_id], {})[sensor_id] = per_sensor[sensor_id]
    for parameter, found_sensors in by_parameter.items():
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


def _read_samples(
    conn: Connection,
    tank_id: int,
    parameter_of: dict[int, str],
    per_sensor: dict[int, list[Sample]],
    since: datetime,
    cut: datetime,
    at: datetime,
) -> None:
    """Append each sensor's hourly means from SINCE to CUT's hour, then its raw readings to AT.

    Readings are reached by sensor id and time only (the (sensor_id, time) key), never by a
    tank or parameter column of their own.
    """
    first_raw = _first_raw(cut)
    hourly = (
        select(
            reading_hours.c.sensor_id,
            reading_hours.c.hour,
            reading_hours.c.total,
            reading_hours.c.n,
        )
        .where(
            reading_hours.c.tank_id == tank_id,
            # Naming the parameters lets the primary key (tank, parameter, hour) seek to each
            # parameter's window instead of walking the tank's whole year of hours.
            reading_hours.c.parameter.in_(sorted(set(parameter_of.values()))),
            reading_hours.c.hour >= int(to_epoch(since)) // HOUR_S,
            reading_hours.c.hour < first_raw // HOUR_S,
        )
        .order_by(reading_hours.c.sensor_id, reading_hours.c.hour)
    )
    seconds = type_coerce(readings.c.time, Float)
    raw = (
        select(readings.c.sensor_id, seconds, readings.c.value)
        .where(
            readings.c.sensor_id.in_(list(per_sensor)),
            seconds >= first_raw,
            seconds <= to_epoch(at),
        )
        .order_by(readings.c.sensor_id, readings.c.time)
    )
    # A year's window is tens of thousands of samples: the loops below are the hot path, so the
    # names they call are bound locally. The times are made in UTC, which Sample takes as is.
    make, moment_of = Sample, datetime.fromtimestamp
    for sensor_id, hour, total, n in conn.execute(hourly).all():
        values = per_sensor.get(sensor_id)
        if values is not None:
            values.append(make(moment_of((hour + 0.5) * HOUR_S, UTC), total / n, "sensor"))
    for sensor_id, moment, value in conn.execute(raw).all():
        per_sensor[sensor_id].append(make(moment_of(moment, UTC), value, "sensor"))


def _first_raw(cut: datetime) -> int:
    """Where the hourly part stops and raw readings take over: the start of CUT's hour."""
    return (int(to_epoch(cut)) // HOUR_S) * HOUR_S
