"""`aquarium tank remove` deletes one tank's whole history and nothing else; `archive` hides it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import Engine, func, select

from alerts.engine import AlertEngine
from alerts.evaluator import Evaluator
from alerts.verdict_recorder import VerdictRecorder
from aquarium.cli import cli
from db.alerts_queries import OPEN_STATES, list_alerts
from db.bulk import bulk_insert_readings
from db.dead_letters import DeadLetter, add_dead_letters
from db.home import tank_summaries
from db.maintenance import log_event
from db.manual import TestResult as KitResult
from db.manual import log_tests
from db.rollup import refresh_rollups
from db.schema import metadata
from db.tanks import add_tank, list_tanks


def _fill(engine: Engine, name: str, now: datetime) -> None:
    """A tank with readings, rollups, tests, a water change, a firing alert and a verdict."""
    add_tank(engine, name, volume_l=100.0)
    start = int((now - timedelta(hours=3)).timestamp())
    rows = [(float(t), 25.0) for t in range(start, int(now.timestamp()), 300)]
    bulk_insert_readings(engine, name, "temperature", rows)
    log_tests(engine, name, [KitResult("nitrite", 2.0), KitResult("nitrate", 10.0)], at=now)
    log_event(engine, name, "water-change", at=now - timedelta(hours=1), percent=20)


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in metadata.sorted_tables
        }


@pytest.fixture
def two_tanks(engine: Engine) -> Engine:
    """'turtles' and 'shrimp', each with a full history, evaluated once by the alert engine."""
    now = datetime.now(UTC)
    _fill(engine, "turtles", now)
    _fill(engine, "shrimp", now)
    refresh_rollups(engine)
    with engine.connect().execution_options(sqlite_write=True) as conn, conn.begin():
        add_dead_letters(conn, [DeadLetter(now, "aquarium/turtles/ph", "x", 1, "not a number")])
    AlertEngine(engine, Evaluator(engine), [VerdictRecorder(engine)]).run_once(now)
    return engine


@pytest.fixture
def run(db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """Invoke `aquarium ...` in-process against this test's database."""
    monkeypatch.setenv("AQUARIUM_DB_URL", db_url)
    monkeypatch.delenv("AQUARIUM_CONFIG", raising=False)

    def invoke(*args: str, answer: str | None = None) -> Result:
        return CliRunner().invoke(cli, list(args), input=answer, catch_exceptions=True)

    return invoke


def test_remove_deletes_the_tank_and_its_history_and_nothing_else(two_tanks: Engine, run) -> None:
    """After `tank remove turtles --yes`, shrimp's rows are all still there and turtles' gone."""
    before = _counts(two_tanks)
    result = run("tank", "remove", "turtles", "--yes")
    assert result.exit_code == 0, result.output
    after = _counts(two_tanks)
    assert [t.name for t in list_tanks(two_tanks, include_archived=True)] == ["shrimp"]
    # Every table with per-tank rows lost exactly turtles' share, which equals shrimp's (same fill).
    for table in ("readings", "reading_hours", "manual_tests", "maintenance", "sensors"):
        assert before[table] > 0 and after[table] == before[table] // 2, (table, before, after)
    assert after["alerts"] >= 1 and after["tank_verdicts"] == 1
    assert after["dead_letters"] == before["dead_letters"]  # not the tank's: the broker's record
    assert "removed tank turtles" in result.output


def test_remove_asks_first_and_keeps_everything_on_no(two_tanks: Engine, run) -> None:
    """Answering 'n' to the question leaves every row in place."""
    before = _counts(two_tanks)
    result = run("tank", "remove", "turtles", answer="n\n")
    assert result.exit_code == 1
    assert _counts(two_tanks) == before


def test_remove_of_an_unknown_tank_is_one_line_with_a_suggestion(two_tanks: Engine, run) -> None:
    """`tank remove turtle` names 'turtles' and removes nothing."""
    before = _counts(two_tanks)
    result = run("tank", "remove", "turtle", "--yes")
    assert result.exit_code == 1
    assert result.output.strip() == "Error: no tank called 'turtle'; did you mean 'turtles'?"
    assert _counts(two_tanks) == before


def test_archive_hides_the_tank_and_keeps_its_history(two_tanks: Engine, run) -> None:
    """An archived tank leaves the list, the home grid and the alerts, but its rows stay."""
    before = _counts(two_tanks)
    assert run("tank", "archive", "turtles").exit_code == 0
    assert _counts(two_tanks) == before
    assert [t.name for t in list_tanks(two_tanks)] == ["shrimp"]
    assert [s.name for s in tank_summaries(two_tanks, datetime.now(UTC))] == ["shrimp"]
    assert {a.tank for a in list_alerts(two_tanks, states=OPEN_STATES)} == {"shrimp"}
    listed = run("tank", "list", "--all")
    assert "turtles" in listed.output and "(archived)" in listed.output
    assert run("tank", "unarchive", "turtles").exit_code == 0
    assert [t.name for t in list_tanks(two_tanks)] == ["shrimp", "turtles"]
