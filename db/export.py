"""Every stored value, sensor and manual, on one time axis, streamed for export."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import NamedTuple

from sqlalchemy import CompoundSelect, Engine, Float, literal, select, type_coerce, union_all

from db.schema import manual_tests, readings, sensors, tanks

# Rows fetched per round trip. On PostgreSQL stream_results makes this a server-side cursor, so a
# year (millions of rows) is read in constant memory on either engine.
CHUNK = 5000


class ExportRow(NamedTuple):
    """One value in its canonical unit; source is 'sensor' or 'manual'."""

    time: datetime
    tank: str
    parameter: str
    value: float
    source: str
    note: str = ""  # the keeper's note on a test result; empty for sensor readings


ExportTuple = tuple[float, str, str, float, str, str]


def export_epochs(
    engine: Engine,
    *,
    tank: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Iterator[ExportTuple]:
    """(UTC epoch seconds, tank, parameter, value, source, note) ordered by time, streamed.

    Plain tuples with the stored epoch seconds: turning each of millions of times into a
    datetime only to format it again cost a third of an export.
    """
    query = export_query(tank=tank, since=since, until=until)
    with engine.connect().execution_options(stream_results=True, yield_per=CHUNK) as conn:
        for chunk in conn.execute(query).partitions():
            yield from chunk


def export_query(
    *,
    tank: str | None = None,
    since: datetime | float | None = None,
    until: datetime | float | None = None,
) -> CompoundSelect:
    """export_epochs()'s query; SINCE and UNTIL (inclusive) as datetimes or stored epochs."""
    # Readings reach their tank and parameter through their sensor (a reading row carries
    # neither once readings are keyed by sensor and time).
    sensed = (
        select(
            type_coerce(readings.c.time, Float).label("time"),
            tanks.c.name.label("tank"),
            sensors.c.parameter.label("parameter"),
            readings.c.value.label("value"),
            literal("sensor").label("source"),
            literal("").label("note"),
        )
        .select_from(readings)
        .join(sensors, sensors.c.id == readings.c.sensor_id)
        .join(tanks, tanks.c.id == sensors.c.tank_id)
    )
    tested = select(
        type_coerce(manual_tests.c.time, Float).label("time"),
        tanks.c.name.label("tank"),
        manual_tests.c.parameter.label("parameter"),
        manual_tests.c.value.label("value"),
        literal("manual").label("source"),
        manual_tests.c.note.label("note"),
    ).join(tanks, tanks.c.id == manual_tests.c.tank_id)
    parts = []
    for part, table in ((sensed, readings), (tested, manual_tests)):
        if tank is not None:
            part = part.where(tanks.c.name == tank)
        if since is not None:
            part = part.where(table.c.time >= since)
        if until is not None:
            part = part.where(table.c.time <= until)
        parts.append(part)
    # The value last: two probes of one parameter at one moment come out in the same order
    # from every database (the row carries no sensor to tell them apart).
    return union_all(*parts).order_by("time", "tank", "parameter", "value")


def export_rows(
    engine: Engine,
    *,
    tank: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Iterator[ExportRow]:
    """Sensor readings and test results ordered by time, streamed (a year is millions of rows)."""
    for moment, name, parameter, value, source, note in export_epochs(
        engine, tank=tank, since=since, until=until
    ):
        yield ExportRow(datetime.fromtimestamp(moment, UTC), name, parameter, value, source, note)
