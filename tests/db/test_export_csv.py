"""The CSV export's fast paths write exactly what the general, row-by-row formatting would."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine

from db.bulk import bulk_insert_readings
from db.csv_io import iso_from_epoch, write_csv, write_csv_epochs
from db.engine import open_engine
from db.export import ExportRow, export_epochs, export_rows
from db.export_csv import write_export_csv
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


# Whole seconds before 1970 and far ahead, fractions (iso_utc writes milliseconds, truncated),
# a leap day, the last second of a day and of a year.
ODD_TIMES = [
    -2_208_988_800.0,  # 1900-01-01
    -1.0,
    0.0,
    951_782_400.0,  # 2000-02-29
    1_780_000_000.5,
    1_780_000_000.9996,
    1_780_012_799.0,
    4_102_444_799.0,  # 2099-12-31T23:59:59
    7_258_118_399.0,  # 2199-12-31T23:59:59
]
# Values whose %.6g text is easy to get wrong: exponents, rounding, unit-maths noise, zero sign.
ODD_VALUES = [1e-05, 123_456_789.0, -0.0, 0.1 + 0.2, 7.000000000000001, 2.5e-7, 999_999.5, 8.0]


def _history(engine: Engine) -> Engine:
    """Two tanks (one named like a formula, with a comma), two probes of one parameter, an
    unknown parameter, odd times and values, and test results with notes, some at the very
    moment of a reading."""
    start = datetime(2026, 3, 28, 22, 0, 7, tzinfo=UTC).timestamp()
    for tank in ("t1", '=sum(A1),"x"'):
        add_tank(engine, tank, volume_l=50)
        # Three days of 1-minute readings across UTC midnights, and the odd ones.
        points = [(start + 60 * i, 7.0 + (i % 97) / 1000) for i in range(3 * 1440)]
        points += [(t, ODD_VALUES[i % len(ODD_VALUES)]) for i, t in enumerate(ODD_TIMES)]
        bulk_insert_readings(engine, tank, "ph", points)
        bulk_insert_readings(
            engine, tank, "temperature", [(t + 30, 25.0 + t % 7) for t, _ in points]
        )
        bulk_insert_readings(  # a second probe, never at the same second as the first
            engine, tank, "temperature", [(t + 45, 24.5) for t, _ in points[::7]], topic="p2"
        )
        bulk_insert_readings(engine, tank, "x-unknown", [(t, -1.5) for t, _ in points[::50]])
        for at, note in ((start + 120, ""), (start + 86_400 + 30, 'a, "b"\nc'), (0.0, "=1+1")):
            moment = datetime.fromtimestamp(at, UTC)
            log_tests(
                engine,
                tank,
                [TestResult("nitrate", 20.0), TestResult("ph", 7.4)],
                at=moment,
                note=note,
            )
    return engine


def test_the_sql_formatted_export_writes_the_general_paths_bytes(any_engine: Engine) -> None:
    """Whole history, one tank, and windows whose ends fall on a reading, a result and a
    fraction of a second: write_export_csv writes what the datetime-based rows write (on
    PostgreSQL it is the general path, through the sensors)."""
    engine = _history(any_engine)
    day = datetime(2026, 3, 29, tzinfo=UTC)
    windows = [
        (None, None, None),
        ("t1", None, None),
        ('=sum(A1),"x"', None, None),
        ("t1", day, day + timedelta(days=1)),
        ("t1", day + timedelta(minutes=2, seconds=7), day + timedelta(days=1, seconds=30)),
        (None, datetime.fromtimestamp(1_780_000_000.5, UTC), datetime.fromtimestamp(7e9, UTC)),
        ("t1", datetime(2031, 1, 1, tzinfo=UTC), None),  # nothing there
        ("nobody", None, None),
    ]
    for tank, since, until in windows:
        fast, general = io.StringIO(), io.StringIO()
        written = write_export_csv(engine, fast, tank=tank, since=since, until=until)
        expected = write_csv(export_rows(engine, tank=tank, since=since, until=until), general)
        assert written == expected, (tank, since, until)
        assert fast.getvalue() == general.getvalue(), (tank, since, until)
    fast_all = io.StringIO()
    write_export_csv(engine, fast_all, tank="t1")
    lines = fast_all.getvalue().splitlines()
    # Spelled out, so both paths cannot drift together.
    assert lines[0] == "time,tank,parameter,value,unit,source,note"
    assert lines[1] == "1900-01-01T00:00:00Z,t1,ph,1e-05,pH,sensor,"
    assert "1970-01-01T00:00:00Z,t1,nitrate,20,mg/L,manual,'=1+1" in lines
    assert "2026-05-28T20:26:40.999Z,t1,ph,2.5e-07,pH,sensor," in lines
    assert "2026-05-28T23:59:59Z,t1,ph,1e+06,pH,sensor," in lines
    assert "2199-12-31T23:59:59Z,t1,ph,1e-05,pH,sensor," in lines
    assert '2026-03-29T22:00:37Z,t1,nitrate,20,mg/L,manual,"a, ""b""' in lines
    other = io.StringIO()
    write_export_csv(engine, other, tank='=sum(A1),"x"')
    assert other.getvalue().splitlines()[1] == (
        '1900-01-01T00:00:00Z,"\'=sum(A1),""x""",ph,1e-05,pH,sensor,'
    )


def test_the_sql_formatted_export_matches_on_the_local_and_general_paths(
    tmp_path: Path,
) -> None:
    """With a zone (--local) the export keeps the row-by-row path and its offsets."""
    from zoneinfo import ZoneInfo

    engine = _history(open_engine(f"sqlite:///{tmp_path / 'x.db'}"))
    zone = ZoneInfo("Europe/Berlin")
    fast, general = io.StringIO(), io.StringIO()
    write_export_csv(engine, fast, tank="t1", zone=zone)
    write_csv(export_rows(engine, tank="t1"), general, zone)
    assert fast.getvalue() == general.getvalue()
    assert "+02:00" in fast.getvalue() and "+01:00" in fast.getvalue()


def test_two_probes_at_one_moment_export_in_the_same_order_everywhere(any_engine: Engine) -> None:
    """Two probes reading at the same seconds come out lowest value first, on every path."""
    add_tank(any_engine, "t", volume_l=50)
    start = datetime(2026, 3, 28, 22, 0, tzinfo=UTC).timestamp()
    # The probe stored first reads higher at even minutes and lower at odd ones, so neither the
    # storage order nor the sensor id can give the value order by chance.
    first = [(start + 60 * i, 25.0 + (0.5 if i % 2 == 0 else -0.5)) for i in range(120)]
    second = [(t, 25.0) for t, _ in first]
    bulk_insert_readings(any_engine, "t", "temperature", first)
    bulk_insert_readings(any_engine, "t", "temperature", second, topic="p2")
    fast, general = io.StringIO(), io.StringIO()
    write_export_csv(any_engine, fast, tank="t")
    write_csv(export_rows(any_engine, tank="t"), general)
    assert fast.getvalue() == general.getvalue()
    lines = fast.getvalue().splitlines()[1:]
    assert lines[:4] == [
        "2026-03-28T22:00:00Z,t,temperature,25,°C,sensor,",
        "2026-03-28T22:00:00Z,t,temperature,25.5,°C,sensor,",
        "2026-03-28T22:01:00Z,t,temperature,24.5,°C,sensor,",
        "2026-03-28T22:01:00Z,t,temperature,25,°C,sensor,",
    ]
