"""CSV import and export of test-kit results, in the columns `aquarium export` writes.

Import reads time, parameter and value (unit, note, tank and source optional), checks every row
like a typed entry, keeps the good rows and says what is wrong with each bad one.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from aquarium.errors import AquariumError
from aquarium.exporting import write_csv
from aquarium.logbook import parse_result, resolve_parameter
from aquarium.timeparse import parse_when
from dashboard.logbook_form import entry_text
from db.export import ExportRow
from db.manual import LoggedTest, TestResult, log_tests

REQUIRED = ("time", "parameter", "value")
MAX_ROWS = 5000
MAX_BYTES = 2_000_000


@dataclass(frozen=True)
class ImportRow:
    """One CSV line, checked: a result ready to store, or the reason it cannot be."""

    line: int
    time: datetime | None
    result: TestResult | None
    note: str
    error: str | None


def _cell(record: dict[str, str], name: str) -> str:
    return (record.get(name) or "").strip()


def _check(line: int, record: dict[str, str], tank: str) -> ImportRow:
    note = _cell(record, "note")
    try:
        if _cell(record, "tank") and _cell(record, "tank") != tank:
            raise AquariumError(f"row is for tank {_cell(record, 'tank')!r}, not {tank!r}")
        if _cell(record, "source") not in ("", "manual"):
            raise AquariumError("a sensor reading, not a test result; only tests are imported")
        if not _cell(record, "value"):
            raise AquariumError("the value is empty")
        if not _cell(record, "time"):
            raise AquariumError("the time is empty")
        moment = parse_when(_cell(record, "time"), option="time")
        if moment > datetime.now(UTC) + timedelta(minutes=5):
            raise AquariumError("the time is in the future")
        parameter = resolve_parameter(_cell(record, "parameter"))
        result = parse_result(parameter, entry_text(_cell(record, "value"), _cell(record, "unit")))
    except AquariumError as exc:
        return ImportRow(line, None, None, note, str(exc))
    return ImportRow(line, moment, result, note, None)


def read_csv(data: bytes, tank: str) -> list[ImportRow]:
    """Every data row of a CSV file, checked; AquariumError if the file itself is unusable."""
    if len(data) > MAX_BYTES:
        raise AquariumError(f"the file is over {MAX_BYTES // 1_000_000} MB; split it")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise AquariumError("the file is not UTF-8 text; save it as CSV UTF-8") from exc
    reader = csv.DictReader(io.StringIO(text))
    header = [(name or "").strip().lower() for name in reader.fieldnames or []]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise AquariumError(
            f"the header lacks {', '.join(missing)}; the first line must name the columns "
            "time,parameter,value (unit and note optional)"
        )
    reader.fieldnames = header
    rows = []
    for number, record in enumerate(reader, start=2):
        if len(rows) >= MAX_ROWS:
            raise AquariumError(f"more than {MAX_ROWS} rows; split the file")
        if not any((v or "").strip() for v in record.values() if isinstance(v, str)):
            continue  # blank line
        rows.append(_check(number, record, tank))
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


def export_csv(tests: list[LoggedTest]) -> str:
    """TESTS as CSV in `aquarium export`'s columns, safe to open in a spreadsheet."""
    out = io.StringIO()
    write_csv((ExportRow(t.time, t.tank, t.parameter, t.value, "manual") for t in tests), out)
    return out.getvalue()
