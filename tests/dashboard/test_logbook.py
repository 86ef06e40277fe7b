"""The logbook: the form, corrections in the table, and CSV import and export."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from dashboard.logbook_form import check_session, entry_text, value_key
from dashboard.logbook_table import apply_edits
from dashboard.logbook_table import tests_frame as table_of  # not a test: renamed
from db.csv_io import export_csv, import_rows, read_csv
from db.manual import TestResult as Result  # not a test class: renamed
from db.manual import list_tests, log_tests
from db.tanks import add_tank
from tests.dashboard.conftest import open_page
from tests.dashboard.seed import TANK


def _submit(app: AppTest) -> AppTest:
    button = next(b for b in app.button if b.label == "Save test results")
    return button.click().run()


@pytest.fixture
def tank(dashboard_engine: Engine) -> Engine:
    """An empty tank 'turtles' in the dashboard's database."""
    add_tank(dashboard_engine, TANK, volume_l=96.0)
    return dashboard_engine


def test_the_form_stores_a_session_in_canonical_units(tank: Engine) -> None:
    """Nitrate typed as NO3-N and KH in ppm are stored converted, with what was typed."""
    app = open_page("logbook")
    app.text_input(key=value_key("nitrate")).set_value("5")
    app.selectbox(key="log_unit_nitrate").set_value("mg/L NO3-N")
    app.text_input(key=value_key("kh")).set_value("71.44 ppm")
    app.text_input(key="log_note").set_value("API kit")
    _submit(app)
    assert not app.exception
    stored = {t.parameter: t for t in list_tests(tank, TANK)}
    assert set(stored) == {"nitrate", "kh"}
    assert stored["nitrate"].value == pytest.approx(22.15)
    assert (stored["nitrate"].entered_value, stored["nitrate"].entered_unit) == (5.0, "mg/L NO3-N")
    assert stored["kh"].value == pytest.approx(4.0)
    assert stored["nitrate"].note == "API kit"
    assert "Saved" in app.success[0].value
    assert app.text_input(key=value_key("nitrate")).value == ""  # ready for the next session


def test_the_form_refuses_a_bad_value_with_a_message_under_it_and_stores_nothing(
    tank: Engine,
) -> None:
    """'1,250' (1.25 or 1250?) is refused next to its field; the good field in the session waits."""
    app = open_page("logbook")
    app.text_input(key=value_key("nitrite")).set_value("1,250")
    app.text_input(key=value_key("ph")).set_value("7.4")
    _submit(app)
    assert not app.exception
    assert list_tests(tank, TANK) == []
    assert len(app.error) == 1
    assert "ambiguous" in app.error[0].value
    assert app.text_input(key=value_key("ph")).value == "7.4"  # kept for the keeper to fix


def test_the_form_reads_a_decimal_comma(tank: Engine) -> None:
    """'0,25' typed for nitrite is stored as 0.25 mg/L, as a keeper in Germany writes it."""
    app = open_page("logbook")
    app.text_input(key=value_key("nitrite")).set_value("0,25")
    _submit(app)
    assert not app.error, [e.value for e in app.error]
    assert [t.value for t in list_tests(tank, TANK)] == [0.25]


def test_an_empty_form_asks_for_a_result(tank: Engine) -> None:
    """Submitting nothing says what to type instead of storing an empty session."""
    app = _submit(open_page("logbook"))
    assert "at least one result" in app.error[0].value
    assert list_tests(tank, TANK) == []


def test_session_checks_match_the_command_line() -> None:
    """The form's checks are the CLI's: an impossible pH is refused with the catalogue's range."""
    now = datetime.now(UTC)
    results, errors = check_session({"ph": "15", "nitrate": "20"}, {}, now)
    assert [r.parameter for r in results] == ["nitrate"]
    assert "outside the possible" in errors["ph"]
    _, errors = check_session({"nitrate": "20"}, {}, now + timedelta(hours=1))
    assert "future" in errors["log_at"]


def test_a_unit_typed_by_hand_wins_over_the_chosen_one() -> None:
    """'20 NO3-N' keeps its own unit; a bare number takes the selected unit."""
    assert entry_text("20 NO3-N", "mg/L") == "20 NO3-N"
    assert entry_text(" 20 ", "mg/L NO3-N") == "20 mg/L NO3-N"


def test_table_edits_correct_and_delete_results(tank: Engine) -> None:
    """A changed value and note are stored, a ticked row is deleted, an impossible value refused."""
    at = datetime.now(UTC) - timedelta(days=1)
    log_tests(tank, TANK, [Result("nitrate", 20.0), Result("ph", 7.2)], at=at)
    before = table_of(list_tests(tank, TANK), None)
    after = before.copy()
    nitrate = after.index[after["parameter"] == "nitrate"][0]
    ph = after.index[after["parameter"] == "ph"][0]
    after.loc[nitrate, "value"] = "25"  # the column is text at the parameter's precision
    after.loc[nitrate, "note"] = "retested"
    after.loc[ph, "delete"] = True
    outcome = apply_edits(tank, before, after, None)
    assert (outcome.updated, outcome.deleted, outcome.errors) == (1, 1, [])
    [left] = list_tests(tank, TANK)
    assert (left.parameter, left.value, left.note) == ("nitrate", 25.0, "retested")
    assert abs((left.time - at).total_seconds()) < 1  # the time was not touched

    before = table_of(list_tests(tank, TANK), None)
    after = before.copy()
    after.loc[after.index[0], "value"] = "5000"
    outcome = apply_edits(tank, before, after, None)
    assert outcome.updated == 0
    assert "outside the possible" in outcome.errors[0]


def test_csv_import_keeps_good_rows_and_explains_bad_ones(tank: Engine) -> None:
    """Good rows are stored as sessions; each bad row says why, with its line number."""
    data = (
        b"time,parameter,value,unit,note\n"
        b"2026-01-10T18:00,nitrate,20,,weekly\n"
        b"2026-01-10T18:00,NO2,0.1,,weekly\n"
        b"2026-01-10T18:00,ph,7,4,,weekly\n"
        b"not a time,kh,4,dKH,\n"
        b"2026-01-11T18:00,nitrate,5,NO3-N,\n"
        b"2026-01-11T18:00,salinity,5,,\n"
    )
    rows = read_csv(data, TANK)
    errors = {r.line: r.error for r in rows if r.error}
    assert set(errors) == {4, 5, 7}
    assert "not a date" in errors[5]
    assert "unknown parameter" in errors[7]
    assert import_rows(tank, TANK, rows) == 3
    stored = list_tests(tank, TANK)
    assert sorted(t.parameter for t in stored) == ["nitrate", "nitrate", "nitrite"]
    assert len({t.session for t in stored if t.note == "weekly"}) == 1  # one session per time


def test_csv_export_reimports_and_neutralises_formulas(tank: Engine) -> None:
    """Exported rows import back as the same values; the header is `aquarium export`'s."""
    log_tests(tank, TANK, [Result("nitrate", 20.0)], at=datetime(2026, 1, 2, 3, 4, tzinfo=UTC))
    text = export_csv(list_tests(tank, TANK))
    records = list(csv.DictReader(io.StringIO(text)))
    assert list(records[0]) == ["time", "tank", "parameter", "value", "unit", "source", "note"]
    assert records[0]["time"] == "2026-01-02T03:04:00Z"
    rows = read_csv(text.encode(), TANK)
    assert [r.error for r in rows] == [None]
    assert rows[0].result is not None and rows[0].result.value == 20.0


def test_csv_import_refuses_sensor_rows_and_other_tanks(tank: Engine) -> None:
    """Rows for another tank or from sensors are reported, not imported."""
    data = (
        "time,tank,parameter,value,unit,source\n"
        "2026-01-02T03:04:00Z,other,nitrate,20,mg/L,manual\n"
        "2026-01-02T03:04:00Z,turtles,temperature,25,°C,sensor\n"
    ).encode()
    errors = [r.error or "" for r in read_csv(data, TANK)]
    assert "not 'turtles'" in errors[0]
    assert "sensor reading" in errors[1]


def test_a_csv_without_the_needed_columns_is_refused_whole() -> None:
    """A file lacking time, parameter or value gets one message naming the missing columns."""
    from sensors.errors import AquariumError

    with pytest.raises(AquariumError, match="lacks time"):
        read_csv(b"when,parameter,value\n", TANK)


def test_the_import_section_previews_then_stores_only_the_good_rows(tank: Engine) -> None:
    """An uploaded CSV is previewed with per-row status; the import button stores the good rows."""
    app = open_page("logbook")
    data = b"time,parameter,value\n2026-01-10T18:00,nitrate,20\n2026-01-10T18:00,ph,15\n"
    uploader: Any = app.get("file_uploader")[0]  # AppTest 1.67 has no typed file_uploader
    uploader.upload("tests.csv", data, "text/csv").run()
    assert not app.exception
    preview = app.dataframe[0].value
    assert list(preview["status"]) == ["ok", preview["status"][1]]
    assert "outside the possible" in preview["status"][1]
    next(b for b in app.button if b.label.startswith("Import 1 good")).click().run()
    assert not app.exception
    assert [(t.parameter, t.value) for t in list_tests(tank, TANK)] == [("nitrate", 20.0)]
    assert "Imported 1 test result" in app.success[0].value
    assert not any(b.label.startswith("Import") for b in app.button)  # no second import


def test_a_note_edit_keeps_the_value_the_table_rounds(tank: Engine) -> None:
    """A value shown rounded (22.153 as "22.2") keeps its full precision when only the note
    changes; a decimal comma typed into the table is read."""
    at = datetime.now(UTC) - timedelta(days=1)
    log_tests(tank, TANK, [Result("nitrate", 22.153), Result("ph", 7.2)], at=at)
    before = table_of(list_tests(tank, TANK), None)
    after = before.copy()
    nitrate = after.index[after["parameter"] == "nitrate"][0]
    ph = after.index[after["parameter"] == "ph"][0]
    assert after.loc[nitrate, "value"] != "22.153"  # shown at nitrate's precision
    assert after.loc[ph, "value"] == "7.20"
    after.loc[nitrate, "note"] = "second bottle shaken"
    after.loc[ph, "value"] = "7,4"
    outcome = apply_edits(tank, before, after, None)
    assert (outcome.updated, outcome.errors) == (2, [])
    stored = {t.parameter: t.value for t in list_tests(tank, TANK)}
    assert stored == {"nitrate": 22.153, "ph": 7.4}
