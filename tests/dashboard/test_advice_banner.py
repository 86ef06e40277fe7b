"""The overview's banner and `aquarium advise` give one verdict (issue 10)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine

from aquarium.cli import cli
from dashboard.formatting import server_zone
from db.maintenance import log_event
from db.manual import TestResult, log_tests
from db.tanks import add_tank
from health.wording import window
from tests.dashboard.conftest import open_page

TANK = "turtles"


def rising_nitrate(engine: Engine, now: datetime) -> None:
    """A 30 % change 15 days ago, then nitrate 10, 16, 22, 28: 1.5 mg/L a day, 40 in 6 days."""
    add_tank(engine, TANK, volume_l=96.0)
    log_event(engine, TANK, "water-change", at=now - timedelta(days=15), percent=30)
    for days_ago, value in ((14, 10.0), (10, 16.0), (6, 22.0), (2, 28.0)):
        log_tests(engine, TANK, [TestResult("nitrate", value)], at=now - timedelta(days=days_ago))


def banner_text(app) -> str:
    """The text of the advisor's banner as the keeper reads it."""
    found = [w.value for w in app.warning] + [e.value for e in app.error]
    found += [s.value for s in app.success] + [i.value for i in app.info]
    # plain() escapes markdown (1\. would start a list); the keeper sees the text without them.
    texts = [t.replace("\\", "") for t in found if "Water" in t or "verdict" in t]
    assert texts, found
    return texts[0]


def test_banner_and_advise_json_agree(
    dashboard_engine: Engine, dashboard_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Same tank, same minute: the banner shows the JSON's status, window, percent and litres.

    Hand-worked: the line through 10, 16, 22, 28 (1.5 mg/L a day) reaches 40 eight days after
    the last test, six days from now, inside the week's horizon: soon. Half the kit's 10 mg/L
    step at 40 is 5 mg/L, 3.3 days either way. 40 back to the 25 target is 37.5 %, so 40 %, 38.4 L.
    """
    monkeypatch.setenv("TZ", "UTC")  # the machine's zone: the dates in JSON and on the page agree
    server_zone.cache_clear()
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    rising_nitrate(dashboard_engine, now)
    app = open_page("overview")
    assert not app.exception
    shown = banner_text(app)
    result = CliRunner().invoke(cli, ["advise", TANK, "--json"])
    assert result.exit_code == 0, result.output
    verdict = json.loads(result.output)
    assert verdict["status"] == "soon"
    due, earliest, latest = (
        date.fromisoformat(verdict[k]) for k in ("due", "due_earliest", "due_latest")
    )
    assert earliest < due < latest
    expected = (
        f"Water change soon: due {window(earliest, due, latest, now.date())}; "
        f"change {verdict['change_percent']} % ({verdict['change_litres']:g} L)."
    )
    assert (verdict["change_percent"], verdict["change_litres"]) == (40, 38.4)
    assert shown.splitlines()[0] == f"**{expected}**"
    for reason in verdict["reasons"]:
        if reason["severity"] != "info":
            assert reason["message"] in shown
    text = CliRunner().invoke(cli, ["advise", TANK])
    assert text.output.splitlines()[0] == f"{TANK}: {expected}"
    server_zone.cache_clear()


def test_banner_right_after_logging_a_change_shows_it(
    dashboard_engine: Engine, dashboard_url: str
) -> None:
    """A test logged minutes before a change is the level after it, not 'no recent test'."""
    now = datetime.now(UTC)
    add_tank(dashboard_engine, TANK, volume_l=96.0)
    log_tests(dashboard_engine, TANK, [TestResult("nitrate", 45.0)], at=now - timedelta(minutes=8))
    log_event(dashboard_engine, TANK, "water-change", at=now - timedelta(minutes=4), percent=50)
    app = open_page("overview")
    assert not app.exception
    shown = banner_text(app)
    assert "about 22.5 mg/L after the water change" in shown
    assert "no recent nitrate test" not in shown.lower()
