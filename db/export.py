"""Every stored value, sensor and manual, on one time axis, streamed for export."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import Engine, literal, select, union_all

from db.schema import manual_tests, readings, tanks


class ExportRow(NamedTuple):
    """One value in its canonical unit; source is 'sensor' or 'manual'."""

    time: datetime
    tank: str
    parameter: str
    value: float
    source: str


def export_rows(
    engine: Engine,
    *,
    tank: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Iterator[ExportRow]:
    """Sensor readings and test results ordered by time, streamed (a year is millions of rows)."""
    parts = []
    for table, source in ((readings, "sensor"), (manual_tests, "manual")):
        part = select(
            table.c.time.label("time"),
            tanks.c.name.label("tank"),
            table.c.parameter.label("parameter"),
            table.c.value.label("value"),
            literal(source).label("source"),
        ).join(tanks, tanks.c.id == table.c.tank_id)
        if tank is not None:
            part = part.where(tanks.c.name == tank)
        if since is not None:
            part = part.where(table.c.time >= since)
        if until is not None:
            part = part.where(table.c.time <= until)
        parts.append(part)
    query = union_all(*parts).order_by("time", "tank", "parameter")
    with engine.connect().execution_options(stream_results=True, yield_per=5000) as conn:
        for row in conn.execute(query):
            yield ExportRow(row.time, row.tank, row.parameter, row.value, row.source)
