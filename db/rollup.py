"""Hourly rollups of the readings: kept current from the rows added since the last refresh.

Each refresh aggregates the readings with an id above the stored watermark and merges them into
reading_hours (counts and sums add, minima and maxima combine), so the work is proportional to
what arrived, not to the history. Deleting readings is the one thing a merge cannot undo: whoever
deletes readings calls rebuild_hours() for the hours touched.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Connection,
    Engine,
    Float,
    and_,
    cast,
    delete,
    func,
    insert,
    select,
    text,
    type_coerce,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from db.schema import reading_hours, readings, rollup_state
from db.types import to_epoch

HOUR_S = 3600
# Readings merged per transaction: a first refresh over a year of data holds the write lock for
# well under a second at a time, so the ingest daemon's commits slip in between.
CHUNK_ROWS = 400_000


def time_bucket(conn: Connection, seconds: ColumnElement[float], size: int) -> ColumnElement[int]:
    """floor(seconds / size) as an integer, on SQLite and PostgreSQL alike.

    CAST(x AS INTEGER) truncates on SQLite but rounds on PostgreSQL, which would put the second
    half of every hour into the next one; times are positive, so truncation is floor.
    """
    if conn.dialect.name == "postgresql":
        return cast(func.floor(seconds / size), BigInteger)
    return cast(seconds / size, BigInteger)


def _watermark(conn: Connection) -> int:
    found = conn.execute(
        select(rollup_state.c.last_reading_id).where(rollup_state.c.id == 1)
    ).scalar()
    return int(found) if found is not None else 0


def rolled_up_through(conn: Connection) -> int:
    """The highest reading id already merged into reading_hours."""
    return _watermark(conn)


def _max_id(conn: Connection) -> int:
    return int(conn.execute(select(func.coalesce(func.max(readings.c.id), 0))).scalar_one())


def pending_readings(engine: Engine) -> int:
    """How many readings (by id) wait to be rolled up; 0 when the rollup is current."""
    with engine.connect() as conn:
        return max(0, _max_id(conn) - _watermark(conn))


def _merge(conn: Connection, low_id: int, high_id: int) -> None:
    """Merge readings with low_id < id <= high_id into reading_hours."""
    seconds = type_coerce(readings.c.time, Float)
    hour = time_bucket(conn, seconds, HOUR_S).label("hour")
    fresh = (
        select(
            readings.c.tank_id,
            readings.c.parameter,
            hour,
            readings.c.sensor_id,
            func.count().label("n"),
            func.sum(readings.c.value).label("total"),
            func.min(readings.c.value).label("low"),
            func.max(readings.c.value).label("high"),
        )
        .where(readings.c.id > low_id, readings.c.id <= high_id)
        .group_by(readings.c.tank_id, readings.c.parameter, hour, readings.c.sensor_id)
    )
    columns = ["tank_id", "parameter", "hour", "sensor_id", "n", "total", "low", "high"]
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    least, greatest = (func.least, func.greatest) if dialect is postgresql else (func.min, func.max)
    statement = dialect.insert(reading_hours).from_select(columns, fresh)
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


def _set_watermark(conn: Connection, reading_id: int) -> None:
    changed = conn.execute(
        update(rollup_state).where(rollup_state.c.id == 1).values(last_reading_id=reading_id)
    ).rowcount
    if not changed:
        conn.execute(insert(rollup_state).values(id=1, last_reading_id=reading_id))


def refresh_rollups(engine: Engine, chunk_rows: int = CHUNK_ROWS) -> int:
    """Merge every reading stored since the last refresh; returns how many ids were covered.

    Safe with several dashboards and daemons at once: the watermark is read and moved inside the
    same write transaction, so no reading is counted twice.
    """
    if pending_readings(engine) == 0:  # the common case costs a read, not the write lock
        return 0
    covered = 0
    while True:
        with engine.connect().execution_options(sqlite_write=True) as conn, conn.begin():
            if conn.dialect.name == "postgresql":
                # Ids come from a sequence and commit out of order: wait for inserts in flight
                # (and hold new ones back for this short transaction) so none is skipped.
                # SHARE ROW EXCLUSIVE also excludes a second refresher, like BEGIN IMMEDIATE.
                conn.execute(text("LOCK TABLE readings IN SHARE ROW EXCLUSIVE MODE"))
            low = _watermark(conn)
            high = min(_max_id(conn), low + chunk_rows)
            if high <= low:
                return covered
            _merge(conn, low, high)
            _set_watermark(conn, high)
            covered += high - low


def rebuild_hours(
    engine: Engine, tank_id: int, parameter: str, since: datetime, until: datetime
) -> None:
    """Recompute the hours of one parameter between SINCE and UNTIL from the raw readings."""
    first = int(to_epoch(since)) // HOUR_S
    last = int(to_epoch(until)) // HOUR_S
    with engine.connect().execution_options(sqlite_write=True) as conn, conn.begin():
        conn.execute(
            delete(reading_hours).where(
                reading_hours.c.tank_id == tank_id,
                reading_hours.c.parameter == parameter,
                reading_hours.c.hour.between(first, last),
            )
        )
        watermark = _watermark(conn)
        seconds = type_coerce(readings.c.time, Float)
        hour = time_bucket(conn, seconds, HOUR_S).label("hour")
        rows = conn.execute(
            select(
                hour,
                readings.c.sensor_id,
                func.count().label("n"),
                func.sum(readings.c.value).label("total"),
                func.min(readings.c.value).label("low"),
                func.max(readings.c.value).label("high"),
            )
            .where(
                and_(
                    readings.c.tank_id == tank_id,
                    readings.c.parameter == parameter,
                    seconds >= first * HOUR_S,
                    seconds < (last + 1) * HOUR_S,
                    readings.c.id <= watermark,  # newer rows arrive with the next refresh
                )
            )
            .group_by(hour, readings.c.sensor_id)
        ).all()
        if rows:
            conn.execute(
                insert(reading_hours),
                [{"tank_id": tank_id, "parameter": parameter, **row._mapping} for row in rows],
            )
