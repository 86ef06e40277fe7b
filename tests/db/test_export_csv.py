"""The CSV export's fast path writes exactly what the general formatting would."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from db.bulk import bulk_insert_readings
from db.csv_io import iso_from_epoch, write_csv, write_csv_epochs
from db.engine import open_engine
from db.export import ExportRow, export_epochs, export_rows
from db.manual import log_tests
from db.tanks import add_tank
from sensors.keeper_input import TestResult
from sensors.times import iso_utc

# 1900 to 2200, whole seconds and fractions: before 1970 divmod must still floor.
EPOCHS = st.one_of(
    st.integers(min_value=-2_208_988_800, max_value=7_258_118_400).map(float),
    st.floats(min_value=-2_208_988_800, max_value=7_258_118_400, allow_nan=False),
)


@given(EPOCHS)
def test_times_match_the_general_formatting(moment: float) -> None:
    """Every epoch time is written as iso_utc() writes its datetime, day cache or not."""
    expected = iso_utc(datetime.fromtimestamp(moment, UTC))
    cache: dict[int, str] = {}
    assert iso_from_epoch(moment, cache) == expected
    assert iso_from_epoch(moment, cache) == expected  # the second time from the cache


def test_fast_export_equals_the_row_by_row_export(tmp_path: Path) -> None:
    """Sensor and manual rows, a dangerous tank-like cell and a unitless parameter: same bytes."""
    engine = open_engine(f"sqlite:///{tmp_path / 'e.db'}")
    add_tank(engine, "t1", volume_l=50)
    start = datetime(2026, 3, 29, 0, 30, tzinfo=UTC).timestamp()  # across a DST change elsewhere
    points = [(start + 61.5 * i, 7.0 + i / 1000) for i in range(3000)]
    bulk_insert_readings(engine, "t1", "ph", points)
    log_tests(engine, "t1", [TestResult("nitrate", 20.0)], at=datetime.fromtimestamp(start, UTC))
    fast, general = io.StringIO(), io.StringIO()
    assert write_csv_epochs(export_epochs(engine, tank="t1"), fast) == 3001
    write_csv(export_rows(engine, tank="t1"), general)
    assert fast.getvalue() == general.getvalue()
    lines = fast.getvalue().splitlines()
    assert lines[0] == "time,tank,parameter,value,unit,source,note"
    assert lines[1].endswith(",manual,") or lines[2].endswith(",manual,")
    odd = [ExportRow(datetime(2026, 1, 1, tzinfo=UTC), "-t", "=cmd", -1.5, "sensor")]
    out = io.StringIO()
    write_csv(odd, out)
    assert out.getvalue().splitlines()[1] == "2026-01-01T00:00:00Z,'-t,'=cmd,-1.5,,sensor,"


def test_export_window_keeps_its_bounds(tmp_path: Path) -> None:
    """--since and --until select by time on the fast path as on the general one."""
    engine = open_engine(f"sqlite:///{tmp_path / 'w.db'}")
    start = datetime(2026, 5, 1, tzinfo=UTC)
    bulk_insert_readings(
        engine, "t2", "temperature", [(start.timestamp() + 60 * i, 25.0) for i in range(100)]
    )
    since, until = start + timedelta(minutes=10), start + timedelta(minutes=19)
    times = [t for t, *_ in export_epochs(engine, tank="t2", since=since, until=until)]
    assert times == [since.timestamp() + 60 * i for i in range(10)]


def test_export_carries_notes_and_round_trips_through_the_import(tmp_path: Path) -> None:
    """Results exported with their note (UTC or --local) come back into another tank unchanged."""
    from zoneinfo import ZoneInfo

    from db.csv_io import import_rows, read_csv
    from db.manual import list_tests

    engine = open_engine(f"sqlite:///{tmp_path / 'r.db'}")
    add_tank(engine, "t1", volume_l=50)
    at = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)  # an hour before Berlin's clocks go forward
    note = '=after feeding, "big" one'
    log_tests(engine, "t1", [TestResult("nitrate", 20.0), TestResult("ph", 7.4)], at=at, note=note)
    for zone in (None, ZoneInfo("Europe/Berlin")):
        out = io.StringIO()
        write_csv_epochs(export_epochs(engine, tank="t1"), out, zone)
        text = out.getvalue()
        assert ("+01:00" in text) == (zone is not None)
        name = "local" if zone else "utc"
        add_tank(engine, name)
        rows = read_csv(text.replace(",t1,", f",{name},").encode(), name)
        assert [r.error for r in rows] == [None, None]
        assert import_rows(engine, name, rows) == 2
        back = list_tests(engine, name)
        assert sorted((t.parameter, t.value, t.time, t.note) for t in back) == [
            ("nitrate", 20.0, at, note),  # the spreadsheet guard ("'=") is taken off again
            ("ph", 7.4, at, note),
        ]
