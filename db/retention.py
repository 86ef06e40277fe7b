"""Retention: raw readings past a configurable age are folded into the hourly rollups.

A year of 1-minute readings from 8 sensors is 4.2 million rows; the hourly min/mean/max keep the
shape of that history (spikes included) in 70 thousand. The fold moves the raw horizon (the
first hour whose raw rows are kept) forward a step at a time: in each transaction it brings the
rollups of the hours it is about to fold up to date, deletes their raw rows and records the new
horizon, so nothing leaves the raw table before its hour is safe in reading_hours, and a late
reading for a folded hour is merged into it (db/rollup.py).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine, Float, delete, func, select, type_coerce

from db.rollup import (
    HOUR_S,
    raw_horizon,
    refresh_chunk,
    refresh_rollups,
    set_raw_horizon,
    write_lock,
)
from db.schema import readings, sensors
from db.types import to_epoch

# Hours folded per transaction: a week of 8 one-minute sensors is 80,000 rows, so the daemon's
# commits get in between.
STEP_HOURS = 24 * 7
REFRESH_LIMIT = 100_000  # marked hours recomputed per step at most (all of them, in practice)


def fold_old_readings(engine: Engine, older_than: timedelta, now: datetime) -> int:
    """Delete raw readings before the hour OLDER_THAN ago, rollups first; returns rows removed."""
    refresh_rollups(engine)  # the newer hours too: a fold leaves the rollup current
    cutoff = int(to_epoch(now - older_than)) // HOUR_S
    removed = 0
    while True:
        with engine.connect() as conn:
            # From the oldest raw row left: a gap of years in the history costs one step.
            horizon = max(raw_horizon(conn), _oldest_hour(conn, default=cutoff))
        if horizon >= cutoff:
            return removed
        step = min(cutoff, horizon + STEP_HOURS)
        with engine.connect().execution_options(sqlite_write=True) as conn, conn.begin():
            write_lock(conn)
            while refresh_chunk(conn, REFRESH_LIMIT, below_hour=step):
                pass
            sensor_ids = conn.execute(select(sensors.c.id)).scalars().all()
            seconds = type_coerce(readings.c.time, Float)
            for sensor_id in sensor_ids:  # a range of the key per sensor, not a table scan
                removed += conn.execute(
                    delete(readings).where(
                        readings.c.sensor_id == sensor_id, seconds < step * HOUR_S
                    )
                ).rowcount
            set_raw_horizon(conn, step)


def _oldest_hour(conn: Connection, default: int) -> int:
    """The hour of the oldest raw reading (each sensor's min is one seek into the key)."""
    oldest = None
    for sensor_id in conn.execute(select(sensors.c.id)).scalars():
        first = conn.execute(
            select(func.min(type_coerce(readings.c.time, Float))).where(
                readings.c.sensor_id == sensor_id
            )
        ).scalar()
        if first is not None and (oldest is None or first < oldest):
            oldest = first
    return int(oldest) // HOUR_S if oldest is not None else default
