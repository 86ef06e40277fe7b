"""Every path a keeper types a time into refuses a future one with the same words."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine

from aquarium.cli import cli
from dashboard.logbook_form import value_key
from dashboard.logbook_table import apply_edits
from dashboard.logbook_table import tests_frame as table_of  # not a test: renamed
from db.csv_io import read_csv
from db.maintenance import list_events
from db.manual import TestResult as Result  # not a test class: renamed
from db.manual import list_tests, log_tests
from db.tanks import add_tank
from sensors.keeper_input import FUTURE_TIME
from tests.dashboard.conftest import open_page
from tests.dashboard.seed import TANK

# A day ahead in the keeper's local wall-clock time, as a form or a table cell holds it.
TOMORROW_LOCAL = (datetime.now() + timedelta(days=1)).replace(second=0, microsecond=0)


@pytest.fixture
def tank(dashboard_engine: Engine) -> Engine:
    """An empty tank in the dashboard's database (AQUARIUM_DB_URL names it for the CLI too)."""
    add_tank(dashboard_engine, TANK, volume_l=96.0)
    return dashboard_engine


@pytest.mark.parametrize(
    "command",
    [["log", TANK, "nitrate=20"], ["maintain", TANK, "water-change", "--percent", "30"]],
    ids=["log", "maintain"],
)
def test_the_command_line_refuses_a_future_time(tank: Engine, command: list[str]) -> None:
    """`aquarium log/maintain --at tomorrow` is one line with the shared message; nothing stored."""
    result = CliRunner().invoke(cli, [*command, "--at", TOMORROW_LOCAL.isoformat()])
    assert result.exit_code == 1, result.output
    assert result.output.strip() == f"Error: {FUTURE_TIME}"
    assert list_tests(tank, TANK) == [] and list_events(tank, TANK) == []


def test_the_logbook_form_refuses_a_future_time(tank: Engine) -> None:
    """The form shows the shared message under its time field and stores nothing."""
    app = open_page("logbook")
    app.session_state["log_at"] = TOMORROW_LOCAL
    app.text_input(key=value_key("nitrate")).set_value("20")
    next(b for b in app.button if b.label == "Save test results").click().run()
    assert not app.exception
    assert [e.value for e in app.error] == [FUTURE_TIME]
    assert list_tests(tank, TANK) == []


def test_the_maintenance_form_refuses_a_future_time(tank: Engine) -> None:
    """A water change logged for tomorrow is refused with the shared message."""
    app = open_page("maintenance")
    app.session_state["mt_at"] = TOMORROW_LOCAL
    app.number_input(key="mt_amount").set_value(30.0)
    next(b for b in app.button if b.label == "Log it").click().run()
    assert not app.exception
    assert [e.value for e in app.error] == [FUTURE_TIME]
    assert list_events(tank, TANK) == []


def test_a_table_edit_to_a_future_time_is_refused(tank: Engine) -> None:
    """Moving a stored result to tomorrow in the logbook table is refused; the row stays put."""
    at = datetime.now(UTC) - timedelta(days=1)
    log_tests(tank, TANK, [Result("nitrate", 20.0)], at=at)
    before = table_of(list_tests(tank, TANK), None)
    after = before.copy()
    after.loc[after.index[0], "time"] = TOMORROW_LOCAL
    outcome = apply_edits(tank, before, after, None)
    assert outcome.updated == 0
    assert [error.split(": ", 1)[1] for error in outcome.errors] == [FUTURE_TIME]
    [kept] = list_tests(tank, TANK)
    assert abs((kept.time - at).total_seconds()) < 1


def test_a_csv_row_with_a_future_time_is_refused() -> None:
    """An imported row dated tomorrow gets the shared message; the row beside it is kept."""
    data = (
        "time,parameter,value\n"
        f"{TOMORROW_LOCAL.isoformat()},nitrate,20\n"
        f"{(TOMORROW_LOCAL - timedelta(days=3)).isoformat()},nitrate,15\n"
    ).encode()
    rows = read_csv(data, TANK)
    assert [r.error for r in rows] == [FUTURE_TIME, None]
