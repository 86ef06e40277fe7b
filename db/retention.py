"""Retention: raw readings past a configurable age are folded into the hourly rollups.

A year of 1-minute readings from 8 sensors is 4.2 million rows; the hourly min/mean/max keep the
shape of that history (spikes included) in 70 thousand. Only rows already merged into the rollup
(id at or below its watermark) are ever deleted, so nothing leaves the raw table before its hour
is safe in reading_hours.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, select

from db.rollup import refresh_rollups, rolled_up_through
from db.schema import readings

DELETE_CHUNK = 20_000  # rows per transaction: the daemon's commits get in between


def fold_old_readings(engine: Engine, older_than: timedelta, now: datetime) -> int:
    """Delete raw readings older than OLDER_THAN (already in the rollup); returns rows removed."""
    refresh_rollups(engine)
    cutoff = now - older_than
    removed = 0
    while True:
        with engine.connect().execution_options(sqlite_write=True) as conn, conn.begin():
            chunk = (
                select(readings.c.id)
                .where(readings.c.time < cutoff, readings.c.id <= rolled_up_through(conn))
                .limit(DELETE_CHUNK)
                .scalar_subquery()
            )
            count = conn.execute(delete(readings).where(readings.c.id.in_(chunk))).rowcount
        removed += count
        if count < DELETE_CHUNK:
            return removed
