"""Hourly rollups of the readings: the hours writers marked are recomputed from the raw rows.

Every writer of readings (the daemon's store, bulk loads) marks the (sensor, hour) pairs it
touched in rollup_pending, in the same transaction as the rows. A refresh recomputes exactly
those hours from the raw readings (a range of the (sensor, time) key each) and clears the marks.
Recomputing rather than adding makes a refresh exact whatever happened to the hour since: a
duplicate that was skipped, a second refresh racing the first, a mark left by a rolled-back
chunk. The work is proportional to the hours that changed, not to the history.

Hours before the retention horizon (db/retention.py) no longer have their raw rows, so a late
reading for such an hour (a backfill older than raw_days) is merged into the hour's rollup
(counts and sums add, minima and maxima combine) and then deleted like its neighbours.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Connection,
    Engine,
    Float,
    Row,
    Select,
    cast,
    delete,
    func,
    select,
    text,
    type_coerce,
)

from db.schema import reading_hours, readings, rollup_pending, sensors, shared_settings
from db.upsert import insert_ignore

HOUR_S = 3600
# Marked hours recomputed per transaction: 2,000 hours of a 1-minute sensor are 120,000 rows, a
# fraction of a second of write lock, so the daemon's commits slip in between.
CHUNK_HOURS = 2_000
# shared_settings row: hours below this (epoch hours) keep only their rollup (db/retention.py).
RAW_HORIZON = "raw_readings_from_hour"


def time_bucket(conn: Connection, seconds: ColumnElement[float], size: int) -> ColumnElement[int]:
    """floor(seconds / size) as an integer, on SQLite and PostgreSQL alike.

    CAST(x AS INTEGER) truncates on SQLite but rounds on PostgreSQL, which would put the second
    half of every hour into the next one; times are positive, so truncation is floor.
    """
    if conn.dialect.name == "postgresql":
        return cast(func.floor(seconds / size), BigInteger)
    return cast(seconds / size, BigInteger)


def mark_hours(conn: Connection, points: Iterable[tuple[int, float]]) -> None:
    """Mark the hours of (sensor id, epoch seconds) POINTS for the next refresh."""
    marks = sorted({(sensor_id, int(seconds // HOUR_S)) for sensor_id, seconds in points})
    if not marks:
        return
    marker = "%s" if conn.dialect.paramstyle in ("format", "pyformat") else "?"
    conn.exec_driver_sql(
        f"INSERT INTO rollup_pending (sensor_id, hour) VALUES ({marker}, {marker}) "  # noqa: S608
        "ON CONFLICT DO NOTHING",
        marks,
    )


def pending_hours(engine: Engine) -> int:
    """How many (sensor, hour) pairs wait to be recomputed; 0 when the rollup is current."""
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(rollup_pending)).scalar_one())


def raw_horizon(conn: Connection) -> int:
    """The first epoch hour whose raw readings are kept (0: nothing has been folded)."""
    found = conn.execute(
        select(shared_settings.c.value).where(shared_settings.c.name == RAW_HORIZON)
    ).scalar()
    return int(found) if found is not None else 0


def set_raw_horizon(conn: Connection, hour: int) -> None:
    """Record that raw readings before epoch HOUR are gone (their rollups stay)."""
    conn.execute(delete(shared_settings).where(shared_settings.c.name == RAW_HORIZON))
    conn.execute(
        insert_ignore(conn, shared_settings, ["name"]).values(name=RAW_HORIZON, value=str(hour))
    )


def write_lock(conn: Connection) -> None:
    """Hold back other writers of readings for this transaction (SQLite's BEGIN IMMEDIATE does it
    already). On PostgreSQL a store in flight has inserted rows and marks it has not committed:
    waiting for it means the recompute sees them, and its marks are not cleared unseen."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("LOCK TABLE readings IN SHARE ROW EXCLUSIVE MODE"))


def refresh_rollups(engine: Engine, chunk_hours: int = CHUNK_HOURS) -> int:
    """Recompute every marked hour; returns how many (sensor, hour) pairs were recomputed.

    Safe with several dashboards and daemons at once: marks are read and cleared inside the
    write transaction that recomputes them.
    """
    if pending_hours(engine) == 0:  # the common case costs a read, not the write lock
        return 0
    done = 0
    while True:
        with engine.connect().execution_options(sqlite_write=True) as conn, conn.begin():
            write_lock(conn)
            count = refresh_chunk(conn, chunk_hours)
        done += count
        if count == 0:
            return done


def refresh_chunk(conn: Connection, limit: int, below_hour: int | None = None) -> int:
    """Recompute up to LIMIT marked hours (only those before BELOW_HOUR when given)."""
    query = select(rollup_pending.c.sensor_id, rollup_pending.c.hour)
    if below_hour is not None:
        query = query.where(rollup_pending.c.hour < below_hour)
    marks = conn.execute(
        query.order_by(rollup_pending.c.sensor_id, rollup_pending.c.hour).limit(limit)
    ).all()
    horizon = raw_horizon(conn)
    for sensor_id, first, last in _runs(marks):
        if first < horizon:  # hours whose raw history is folded: add the newcomers, then fold
            _merge(conn, sensor_id, first, min(last, horizon - 1))
            first = horizon
        if first <= last:
            _recompute(conn, sensor_id, first, last)
    _clear(conn, marks)
    return len(marks)


def _clear(conn: Connection, marks: Sequence[Row[Any, Any]]) -> None:
    for sensor_id, first, last in _runs(marks):
        conn.execute(
            delete(rollup_pending).where(
                rollup_pending.c.sensor_id == sensor_id, rollup_pending.c.hour.between(first, last)
            )
        )


def _runs(marks: Iterable[Row[Any, Any]]) -> list[tuple[int, int, int]]:
    """Consecutive marked hours of one sensor as (sensor, first hour, last hour).

    Only marked hours go into a run: an unmarked hour between two marks may be folded history.
    """
    runs: list[tuple[int, int, int]] = []
    for sensor_id, hour in marks:
        if runs and runs[-1][0] == sensor_id and runs[-1][2] == hour - 1:
            runs[-1] = (sensor_id, runs[-1][1], hour)
        else:
            runs.append((sensor_id, hour, hour))
    return runs


def _hour_rows(conn: Connection, sensor_id: int, first: int, last: int) -> Select[Any]:
    """The hourly aggregates of one sensor's raw readings from hour FIRST through LAST."""
    seconds = type_coerce(readings.c.time, Float)
    hour = time_bucket(conn, seconds, HOUR_S).label("hour")
    return (
        select(
            sensors.c.tank_id,
            sensors.c.parameter,
            hour,
            readings.c.sensor_id,
            func.count().label("n"),
            func.sum(readings.c.value).label("total"),
            func.min(readings.c.value).label("low"),
            func.max(readings.c.value).label("high"),
        )
        .join(sensors, sensors.c.id == readings.c.sensor_id)
        .where(
            readings.c.sensor_id == sensor_id,
            seconds >= first * HOUR_S,
            seconds < (last + 1) * HOUR_S,
        )
        .group_by(sensors.c.tank_id, sensors.c.parameter, hour, readings.c.sensor_id)
    )


_COLUMNS = ["tank_id", "parameter", "hour", "sensor_id", "n", "total", "low", "high"]


def _recompute(conn: Connection, sensor_id: int, first: int, last: int) -> None:
    owner = select(sensors.c.tank_id, sensors.c.parameter).where(sensors.c.id == sensor_id)
    conn.execute(
        delete(reading_hours).where(
            # The key's leading (tank, parameter) make this a range of the key: by sensor and
            # hour alone it scanned the whole rollup once per sensor (38 s for 1,600 sensors).
            reading_hours.c.tank_id == owner.with_only_columns(sensors.c.tank_id).scalar_subquery(),
            reading_hours.c.parameter
            == owner.with_only_columns(sensors.c.parameter).scalar_subquery(),
            reading_hours.c.hour.between(first, last),
            reading_hours.c.sensor_id == sensor_id,
        )
    )
    fresh = _hour_rows(conn, sensor_id, first, last)
    conn.execute(reading_hours.insert().from_select(_COLUMNS, fresh))


def _merge(conn: Connection, sensor_id: int, first: int, last: int) -> None:
    """Add the raw readings of folded hours FIRST..LAST into their rollups, then delete them."""
    # Imported here: the PostgreSQL dialect costs a SQLite command (`aquarium advise`) 0.02 s.
    least: Any
    greatest: Any
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql as dialect

        least, greatest = func.least, func.greatest
    else:
        from sqlalchemy.dialects import sqlite as dialect  # type: ignore[no-redef]

        least, greatest = func.min, func.max
    statement = dialect.insert(reading_hours).from_select(
        _COLUMNS, _hour_rows(conn, sensor_id, first, last)
    )
    statement = statement.on_conflict_do_update(
        index_elements=["tank_id", "parameter", "hour", "sensor_id"],
        set_={
            "n": reading_hours.c.n + statement.excluded.n,
            "total": reading_hours.c.total + statement.excluded.total,
            "low": least(reading_hours.c.low, statement.excluded.low),
            "high": greatest(reading_hours.c.high, statement.excluded.high),
        },
    )
    conn.execute(statement)
    seconds = type_coerce(readings.c.time, Float)
    conn.execute(
        delete(readings).where(
            readings.c.sensor_id == sensor_id,
            seconds >= first * HOUR_S,
            seconds < (last + 1) * HOUR_S,
        )
    )
