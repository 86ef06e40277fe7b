"""Values out as CSV or JSON (`aquarium export`, the logbook's download) and test results back in.

The columns are `aquarium export`'s: time,tank,parameter,value,unit,source,note; time in ISO 8601
UTC (or local with its offset, `--local`).
Import reads time, parameter and value (unit, note, tank and source optional), checks every row
through the keeper-input door like a typed entry, keeps the good rows and says what is wrong with
each bad one.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Any, TextIO

from sqlalchemy import Engine

from db.export import ExportRow, ExportTuple
from db.manual import LoggedTest, log_tests
from sensors.catalogue import PARAMETERS
from sensors.errors import AquariumError, KeeperInputError
from sensors.keeper_input import (
    TestResult,
    check_time,
    entry_text,
    parse_result,
    parse_when,
    resolve_parameter,
)
from sensors.notes import note_problem
from sensors.times import iso_utc

COLUMNS = ("time", "tank", "parameter", "value", "unit", "source", "note")
REQUIRED = ("time", "parameter", "value")
MAX_ROWS = 5000
MAX_BYTES = 2_000_000
# A cell starting with one of these is run as a formula by Excel and LibreOffice (OWASP "CSV
# Injection"); a leading apostrophe makes it text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: str) -> str:
    """CELL made safe for a spreadsheet."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def _record(row: ExportRow) -> dict[str, object]:
    parameter = PARAMETERS.get(row.parameter)
    return {
        "time": iso_utc(row.time),
        "tank": row.tank,
        "parameter": row.parameter,
        "value": row.value,
        "unit": parameter.unit if parameter else "",
        "source": row.source,
        "note": row.note,
    }


def write_csv(rows: Iterable[ExportRow], out: TextIO, zone: tzinfo | None = None) -> int:
    """Write ROWS as CSV with a header; returns the number of rows."""
    return write_csv_epochs(((r.time.timestamp(), *r[1:]) for r in rows), out, zone)


def write_csv_epochs(rows: Iterable[ExportTuple], out: TextIO, zone: tzinfo | None = None) -> int:
    """Write (epoch seconds, tank, parameter, value, source, note) ROWS as CSV; returns the count.

    Times are UTC ('...Z'), or with ZONE the wall-clock time there with its offset
    ('2026-11-24T19:30:00+01:00': still one exact moment, which the import reads back).
    """
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    return CsvRows(writer, zone).write(rows)


class CsvRows:
    """Writes export rows through WRITER, row by row, caching what repeats.

    The per-row work is kept to the time and the value: the other cells repeat, so each
    (tank, parameter, source) is neutralised and given its unit once, and each day's date is
    formatted once.
    """

    def __init__(self, writer: Any, zone: tzinfo | None = None) -> None:
        self.writer = writer
        self.zone = zone
        self.cells: dict[tuple[str, str, str], tuple[str, str, str, str]] = {}
        self.days: dict[int, str] = {}

    def fixed(self, tank: str, parameter: str, source: str) -> tuple[str, str, str, str]:
        """The tank, parameter, unit and source cells, made safe for a spreadsheet."""
        key = (tank, parameter, source)
        found = self.cells.get(key)
        if found is None:
            known = PARAMETERS.get(parameter)
            unit = known.unit if known else ""
            found = (neutralise(tank), neutralise(parameter), neutralise(unit), neutralise(source))
            self.cells[key] = found
        return found

    def write(self, rows: Iterable[ExportTuple]) -> int:
        """Write ROWS; returns how many."""
        count = 0
        writerow, zone, days = self.writer.writerow, self.zone, self.days
        for moment, tank, parameter, value, source, note in rows:
            fixed = self.fixed(tank, parameter, source)
            when = (
                iso_from_epoch(moment, days)
                if zone is None
                else datetime.fromtimestamp(moment, zone).isoformat(timespec="seconds")
            )
            writerow(
                (
                    when,
                    fixed[0],
                    fixed[1],
                    f"{value:.6g}",  # unit maths leaves 1e-15 noise
                    fixed[2],
                    fixed[3],
                    neutralise(note) if note else "",
                )
            )
            count += 1
        return count


def iso_from_epoch(moment: float, days: dict[int, str]) -> str:
    """iso_utc() of an epoch time, with each day's date formatted once (DAYS caches them)."""
    whole = int(moment)
    if whole != moment:  # sub-second times are rare: the general path
        return iso_utc(datetime.fromtimestamp(moment, UTC))
    day, second = divmod(whole, 86_400)
    date = days.get(day)
    if date is None:
        date = days[day] = datetime.fromtimestamp(day * 86_400, UTC).strftime("%Y-%m-%dT")
    return f"{date}{second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}Z"


def write_json(rows: Iterable[ExportRow], out: TextIO) -> int:
    """Write ROWS as one JSON array, streamed row by row; returns the number of rows."""
    out.write("[")
    count = 0
    for row in rows:
        out.write(("," if count else "") + "\n" + json.dumps(_record(row), ensure_ascii=False))
        count += 1
    out.write("\n]\n")
    return count


def export_csv(tests: list[LoggedTest]) -> str:
    """TESTS as CSV in `aquarium export`'s columns, safe to open in a spreadsheet."""
    out = io.StringIO()
    write_csv(
        (ExportRow(t.time, t.tank, t.parameter, t.value, "manual", t.note) for t in tests), out
    )
    return out.getvalue()


@dataclass(frozen=True)
class ImportRow:
    """One CSV line, checked: a result ready to store, or the reason it cannot be."""

    line: int
    time: datetime | None
    result: TestResult | None
    note: str
    error: str | None


def unguard(cell: str) -> str:
    """CELL without the apostrophe neutralise() put before a formula-like start."""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS) else cell


def _cell(record: dict[str, str], name: str) -> str:
    return unguard((record.get(name) or "").strip())


def _check(line: int, record: dict[str, str], tank: str, set_up: datetime | None) -> ImportRow:
    note = _cell(record, "note")
    try:
        if _cell(record, "tank") and _cell(record, "tank") != tank:
            raise KeeperInputError(f"row is for tank {_cell(record, 'tank')!r}, not {tank!r}")
        if _cell(record, "source") not in ("", "manual"):
            raise KeeperInputError("a sensor reading, not a test result; only tests are imported")
        if not _cell(record, "value"):
            raise KeeperInputError("the value is empty")
        if not _cell(record, "time"):
            raise KeeperInputError("the time is empty")
        if problem := note_problem(note):
            raise KeeperInputError(problem)
        moment = check_time(parse_when(_cell(record, "time"), option="time"), set_up=set_up)
        parameter = resolve_parameter(_cell(record, "parameter"))
        result = parse_result(parameter, entry_text(_cell(record, "value"), _cell(record, "unit")))
    except AquariumError as exc:
        return ImportRow(line, None, None, note, str(exc))
    return ImportRow(line, moment, result, note, None)


def read_csv(data: bytes, tank: str, *, set_up: datetime | None = None) -> list[ImportRow]:
    """Every data row of a CSV file for TANK (set up at SET_UP), checked.

    KeeperInputError if the file itself is unusable.
    """
    if len(data) > MAX_BYTES:
        raise KeeperInputError(f"the file is over {MAX_BYTES // 1_000_000} MB; split it")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise KeeperInputError("the file is not UTF-8 text; save it as CSV UTF-8") from exc
    reader = csv.DictReader(io.StringIO(text))
    header = [(name or "").strip().lower() for name in reader.fieldnames or []]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise KeeperInputError(
            f"the header lacks {', '.join(missing)}; the first line must name the columns "
            "time,parameter,value (unit and note optional)"
        )
    reader.fieldnames = header
    rows: list[ImportRow] = []
    for number, record in enumerate(reader, start=2):
        if len(rows) >= MAX_ROWS:
            raise KeeperInputError(f"more than {MAX_ROWS} rows; split the file")
        if not any((v or "").strip() for v in record.values() if isinstance(v, str)):
            continue  # blank line
        rows.append(_check(number, record, tank, set_up))
    return rows


def import_rows(engine: Engine, tank: str, rows: list[ImportRow]) -> int:
    """Store the good rows (one test session per time and note); returns how many."""
    sessions: dict[tuple[datetime, str], list[TestResult]] = defaultdict(list)
    for row in rows:
        if row.result is not None and row.time is not None:
            sessions[(row.time, row.note)].append(row.result)
    for (moment, note), results in sessions.items():
        log_tests(engine, tank, results, at=moment, note=note)
    return sum(len(results) for results in sessions.values())
