"""Fast bulk loading of sensor history: benchmarks, test fixtures and imports of old logs.

Plain executemany of tuples, bypassing the daemon's per-batch bookkeeping: about ten times faster
than BatchStore for millions of rows. Rows must already be validated and in canonical units.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from itertools import islice

from sqlalchemy import Engine, and_, case, literal, select, update

from db.schema import sensors
from db.tanks import ensure_tank
from db.types import UTCDateTime
from db.upsert import insert_ignore

CHUNK = 50_000


def bulk_insert_readings(
    engine: Engine,
    tank: str,
    parameter: str,
    rows: Iterable[tuple[float, float]],
    *,
    topic: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Store (epoch seconds, value) ROWS of one sensor; returns rows handed over.

    Rows clashing with a stored reading of the same sensor and time are skipped. PROGRESS is
    called with the number of rows after each chunk.
    """
    now = datetime.now(UTC)
    topic = topic or f"aquarium/{tank}/{parameter}"
    with engine.connect().execution_options(sqlite_write=True) as conn, conn.begin():
        tank_id = ensure_tank(conn, tank, now)
        identity = ["tank_id", "parameter", "topic", "field"]
        conn.execute(
            insert_ignore(conn, sensors, identity).values(
                tank_id=tank_id, parameter=parameter, topic=topic, field="", first_seen=now
            )
        )
        sensor_id = conn.execute(
            select(sensors.c.id).where(
                and_(
                    sensors.c.tank_id == tank_id,
                    sensors.c.parameter == parameter,
                    sensors.c.topic == topic,
                    sensors.c.field == "",
                )
            )
        ).scalar_one()
    marker = "%s" if engine.dialect.paramstyle in ("format", "pyformat") else "?"
    columns = "sensor_id, tank_id, parameter, time, value, received_at"
    sql = (
        f"INSERT INTO readings ({columns}) VALUES ({', '.join([marker] * 6)}) "  # noqa: S608
        "ON CONFLICT (sensor_id, time) DO NOTHING"
    )
    total = 0
    newest: float | None = None
    source = iter(rows)
    while chunk := list(islice(source, CHUNK)):
        with engine.connect().execution_options(sqlite_write=True) as conn, conn.begin():
            conn.exec_driver_sql(sql, [(sensor_id, tank_id, parameter, t, v, t) for t, v in chunk])
        total += len(chunk)
        last = max(t for t, _ in chunk)
        newest = last if newest is None else max(newest, last)
        if progress is not None:
            progress(total)
    if newest is not None:
        seen = literal(newest, UTCDateTime())
        newer = sensors.c.last_seen.is_(None) | (sensors.c.last_seen < seen)
        with engine.connect().execution_options(sqlite_write=True) as conn, conn.begin():
            conn.execute(
                update(sensors)
                .where(sensors.c.id == sensor_id)
                .values(last_seen=case((newer, seen), else_=sensors.c.last_seen))
            )
    return total
