"""`aquarium export` as CSV at the speed of the database: SQLite writes each reading's line up
to its value, and a chunk of lines is joined by one `%` operation, so no Python runs per reading.

Writing a year of one-minute readings row by row through csv.writer cost about four times what
`sqlite3 -csv` takes for the same rows. Here a reading's line is its time text (built in SQL),
its sensor's fixed cells (tank, parameter, unit, source: formatted once per sensor by
csv_io.CsvRows, as the row-by-row path formats them) and its value. The bytes are csv_io's:
what this path cannot write exactly (a test result with its note, a time with a fraction of a
second, another time zone, PostgreSQL) goes through csv_io.CsvRows row by row.

The order is export_epochs's: time, tank, parameter, then value. SQLite sorts one UTC day at a
time, so every sort is small and memory stays constant whatever the history; the moment of a
test result is written by the general query together with every reading of that same moment,
so readings and results interleave exactly as they do there.
"""

from __future__ import annotations

import csv
import io
import math
import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime, tzinfo
from itertools import chain
from typing import Any, NamedTuple, TextIO

from sqlalchemy import Connection, Engine, Float, func, select, type_coerce

from db.csv_io import COLUMNS, CsvRows, write_csv_epochs
from db.export import export_epochs, export_query
from db.schema import manual_tests, readings, sensors, tanks
from db.types import to_epoch

DAY_S = 86_400
# "HH:MM:SSZ" of every second of a day, 9 bytes each: SQLite cuts a reading's time of day from
# it by position (substr of a blob is O(1)), cheaper than strftime() per reading.
CLOCK = b"".join(f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}Z".encode() for s in range(DAY_S))
CHUNK = 5000  # rows fetched per round trip and formatted by one `%`
# strftime() writes any year 0000-9999; iso_utc() (datetime) years 1-9999.
FIRST_S, LAST_S = -62_135_596_800, 253_402_300_799

# A whole second in the years strftime() and iso_utc() both write.
_WHOLE = f"r.time = CAST(r.time AS INTEGER) AND r.time BETWEEN {FIRST_S} AND {LAST_S}"
# Per reading: its line up to the value (the day's date, the time of day cut from CLOCK, its
# sensor's cells), the value, and the rest of the line. A time with a fraction of a second
# (iso_utc() writes milliseconds) comes as the epoch and the sensor id instead, for the general
# path. The VALUES rows are the sensors' (id, head, tail, rank of its (tank, parameter));
# readings are chosen by sensor and time only. Parameters after the rows: date, CLOCK, the
# day's first second, and the time range.
_CLOCK_TEXT = "CAST(substr(?, (CAST(r.time AS INTEGER) - ?) * 9 + 1, 9) AS TEXT)"
_READINGS_SQL = f"""
WITH f(sensor_id, head, tail, rank) AS (VALUES {{rows}})
SELECT CASE WHEN {_WHOLE} THEN ? || {_CLOCK_TEXT} || f.head ELSE r.time END,
       r.value,
       CASE WHEN {_WHOLE} THEN f.tail ELSE r.sensor_id END
FROM f JOIN readings AS r ON r.sensor_id = f.sensor_id
WHERE r.time >= ? AND r.time < ?
ORDER BY r.time, f.rank, r.value
"""  # noqa: S608 (rows are question marks)


def write_export_csv(
    engine: Engine,
    out: TextIO,
    *,
    tank: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    zone: tzinfo | None = None,
) -> int:
    """`aquarium export`'s CSV of TANK (or every tank) from SINCE to UNTIL; returns the rows.

    The same bytes as write_csv_epochs(export_epochs(...), out, zone), in constant memory.
    """
    if zone is not None or engine.dialect.name != "sqlite":
        return write_csv_epochs(
            export_epochs(engine, tank=tank, since=since, until=until), out, zone
        )
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    rows = CsvRows(writer)
    with engine.connect() as conn, conn.begin():  # one snapshot for the whole export
        found = _sensors(conn, tank)
        span = _span(conn, list(found), tank, since, until)
        if span is None:
            return 0
        raw = conn.connection.driver_connection
        assert isinstance(raw, sqlite3.Connection)
        readings_of = _Readings(raw, rows, out)
        for sid, (name, parameter) in found.items():
            if sid in span.sensors:
                readings_of.add(sid, name, parameter, *span.sensors[sid])
        first, last = span.first, span.last
        start = first
        count = 0
        for moment in _tested_moments(conn, tank, first, last):
            count += readings_of.write(start, moment)
            # This moment's readings and results together, in the general query's order.
            count += rows.write(conn.execute(export_query(tank=tank, since=moment, until=moment)))
            start = math.nextafter(moment, math.inf)
        count += readings_of.write(start, math.nextafter(last, math.inf))  # UNTIL is inclusive
    return count


class _Readings:
    """Writes the readings of some sensors between two times, a UTC day per query."""

    def __init__(self, raw: sqlite3.Connection, rows: CsvRows, out: TextIO) -> None:
        self.raw, self.rows, self.out = raw, rows, out
        # Per sensor: (tank, parameter), the cells around its values, its first and last time.
        self.names: dict[int, tuple[str, str]] = {}
        self.cells: dict[int, tuple[str, str]] = {}
        self.spans: dict[int, tuple[float, float]] = {}

    def add(self, sensor_id: int, tank: str, parameter: str, first: float, last: float) -> None:
        """A sensor to export, stored from FIRST to LAST."""
        fixed = self.rows.fixed(tank, parameter, "sensor")
        head = f",{_cells(fixed[:2])},"  # after the time: ',tank,parameter,'
        tail = f",{_cells((*fixed[2:], ''))}\n"  # after the value: ',unit,sensor,' (no note)
        self.names[sensor_id] = (tank, parameter)
        self.cells[sensor_id] = (head, tail)
        self.spans[sensor_id] = (first, last)

    def write(self, start: float, end: float) -> int:
        """Readings with START <= time < END; returns how many."""
        count = 0
        # Sorting by a number is cheaper than by two texts; Python orders str as SQLite's
        # BINARY collation orders their UTF-8 bytes.
        ranks = {names: i for i, names in enumerate(sorted(set(self.names.values())))}
        day = math.floor(start / DAY_S) * DAY_S
        while day < end:
            low, high = max(start, day), min(end, day + DAY_S)
            day += DAY_S
            # Only the sensors with readings in this day: 200 tanks of a few hours each would
            # otherwise cost 1,600 index seeks a day for nothing.
            here = [s for s, (first, last) in self.spans.items() if first < high and last >= low]
            if not here:
                continue
            query = _READINGS_SQL.format(rows=",".join(["(?, ?, ?, ?)"] * len(here)))
            values = [v for s in here for v in (s, *self.cells[s], ranks[self.names[s]])]
            # Whole seconds of one UTC day: its date, then the time of day cut from CLOCK (a
            # strftime() per reading cost more than all the Python here).
            start_of_day = day - DAY_S
            inside = FIRST_S <= start_of_day <= LAST_S  # else every time fails _WHOLE anyway
            date = datetime.fromtimestamp(start_of_day, UTC).date().isoformat() if inside else ""
            cursor = self.raw.execute(query, (*values, f"{date}T", CLOCK, start_of_day, low, high))
            while chunk := cursor.fetchmany(CHUNK):
                count += len(chunk)
                self._chunk(chunk)
        return count

    def _chunk(self, chunk: list[tuple[str | float, float, str | int]]) -> None:
        flat = tuple(chain.from_iterable(chunk))
        try:
            "".join(flat[0::3])  # type: ignore[arg-type]  # every time came as text
        except TypeError:  # a fraction of a second somewhere in the chunk
            for head, value, tail in chunk:
                if isinstance(head, str):
                    self.out.write(f"{head}{value:.6g}{tail}")
                else:
                    tank, parameter = self.names[int(tail)]
                    self.rows.write([(head, tank, parameter, value, "sensor", "")])
            return
        # The C loops of chain and `%`: no Python code runs per reading.
        self.out.write(("%s%.6g%s" * len(chunk)) % flat)


def _sensors(conn: Connection, tank: str | None) -> dict[int, tuple[str, str]]:
    """Sensor id: (tank name, parameter), of TANK or of every tank."""
    query = select(sensors.c.id, tanks.c.name, sensors.c.parameter).join(
        tanks, tanks.c.id == sensors.c.tank_id
    )
    if tank is not None:
        query = query.where(tanks.c.name == tank)
    return {sid: (name, parameter) for sid, name, parameter in conn.execute(query)}


def _tests_of(tank: str | None) -> Any:
    query = select(type_coerce(manual_tests.c.time, Float)).select_from(manual_tests)
    if tank is not None:
        query = query.join(tanks, tanks.c.id == manual_tests.c.tank_id).where(tanks.c.name == tank)
    return query


class _Span(NamedTuple):
    first: float
    last: float
    sensors: dict[int, tuple[float, float]]  # sensor id: its first and last stored time


def _span(
    conn: Connection,
    sensor_ids: Sequence[int],
    tank: str | None,
    since: datetime | None,
    until: datetime | None,
) -> _Span | None:
    """The first and last stored time within SINCE..UNTIL; None when nothing is there."""
    ends: list[float] = []
    per_sensor = {}
    seconds = type_coerce(readings.c.time, Float)
    for sid in sensor_ids:  # per sensor, min and max are index seeks
        # Two statements: SQLite seeks the index for a lone min() or max(), not for both.
        low = conn.execute(select(func.min(seconds)).where(readings.c.sensor_id == sid)).scalar()
        high = conn.execute(select(func.max(seconds)).where(readings.c.sensor_id == sid)).scalar()
        if low is not None and high is not None:
            per_sensor[sid] = (float(low), float(high))
            ends += per_sensor[sid]
    tested = _tests_of(tank).subquery()
    low, high = conn.execute(select(func.min(tested.c[0]), func.max(tested.c[0]))).one()
    if low is not None:
        ends += (float(low), float(high))
    if not ends:
        return None
    first = max(min(ends), to_epoch(since)) if since is not None else min(ends)
    last = min(max(ends), to_epoch(until)) if until is not None else max(ends)
    return _Span(first, last, per_sensor) if first <= last else None


def _tested_moments(conn: Connection, tank: str | None, first: float, last: float) -> list[float]:
    """The distinct times of test results between FIRST and LAST, in order.

    A list, not a stream: results are typed or imported by hand, a few thousand in a tank's life.
    """
    tested = _tests_of(tank).subquery()
    moment = tested.c[0]
    query = select(moment).where(moment >= first, moment <= last).distinct().order_by(moment)
    return [float(t) for t in conn.execute(query).scalars()]


def _cells(cells: Sequence[str]) -> str:
    """CELLS as csv.writer writes them in a row (quoted only where needed), without a newline."""
    text = io.StringIO()
    csv.writer(text, lineterminator="").writerow(cells)
    return text.getvalue()
