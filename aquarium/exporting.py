"""`aquarium export`: every value as CSV or JSON on a stream, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from typing import TextIO

from aquarium.timeparse import iso_utc
from db.export import ExportRow
from sensors.catalogue import PARAMETERS

COLUMNS = ("time", "tank", "parameter", "value", "unit", "source")
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
    }


def write_csv(rows: Iterable[ExportRow], out: TextIO) -> int:
    """Write ROWS as CSV with a header; returns the number of rows."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    count = 0
    for row in rows:
        record = _record(row)
        writer.writerow(
            [
                neutralise(v) if isinstance(v, str) else f"{v:.6g}"  # unit maths leaves 1e-15 noise
                for v in (record[c] for c in COLUMNS)
            ]
        )
        count += 1
    return count


def write_json(rows: Iterable[ExportRow], out: TextIO) -> int:
    """Write ROWS as one JSON array, streamed row by row; returns the number of rows."""
    out.write("[")
    count = 0
    for row in rows:
        out.write(("," if count else "") + "\n" + json.dumps(_record(row), ensure_ascii=False))
        count += 1
    out.write("\n]\n")
    return count
