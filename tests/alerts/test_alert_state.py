"""Alert state in the database: hysteresis, holds, repeats and acknowledgement, over restarts."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine

from alerts.evaluator import Evaluator
from alerts.notice import Notice
from alerts.rules import SensorFault
from aquarium.cli import cli
from db.alerts_queries import list_alerts
from db.engine import open_engine
from db.readings import BatchStore, NewReading
from tests.alerts.conftest import log_kit, minutes

ALL = ("pending", "firing", "resolved", "inactive")


def kinds(notices: list[Notice], rule: str) -> list[str]:
    return [n.kind for n in notices if n.rule == rule]


def test_flapping_temperature_does_not_flap_notifications(engine: Engine, tank: str) -> None:
    """A temperature hovering at the act limit fires once after its hold and resolves once."""
    evaluator = Evaluator(engine)
    sent: list[Notice] = []
    # turtle-fish acts above 27 degC; the alert resolves only below 27 - 0.5 (DS18B20 accuracy).
    readings = [27.3, 26.8, 27.2, 26.9, 27.4, 26.6, 27.1, 26.7, 27.3, 26.8]
    for i, value in enumerate(readings):
        log_kit(engine, tank, minutes(10 * i), temperature=value)
        sent += evaluator.evaluate(tank, minutes(10 * i + 1)).notices
    assert kinds(sent, "temperature_high") == ["fired"]
    log_kit(engine, tank, minutes(200), temperature=26.0)
    sent += evaluator.evaluate(tank, minutes(201)).notices
    assert kinds(sent, "temperature_high") == ["fired", "resolved"]
    rows = [a for a in list_alerts(engine, states=ALL, tank=tank) if a.rule == "temperature_high"]
    assert [r.state for r in rows] == ["resolved"]


def test_restart_keeps_the_hold_timer_and_does_not_resend(
    engine: Engine, db_url: str, tank: str
) -> None:
    """New engine objects over the same file fire at the original hold's end, then stay quiet."""
    log_kit(engine, tank, minutes(0), temperature=28.5)
    first = Evaluator(engine).evaluate(tank, minutes(1)).notices
    assert kinds(first, "temperature_high") == []  # pending: the hold is 15 minutes
    engine.dispose()

    second = open_engine(db_url)
    waiting = Evaluator(second).evaluate(tank, minutes(10)).notices
    assert kinds(waiting, "temperature_high") == []  # the hold is still running
    fired = Evaluator(second).evaluate(tank, minutes(16)).notices
    assert kinds(fired, "temperature_high") == ["fired"]  # 15 min after the first sight
    second.dispose()

    third = open_engine(db_url)
    again = Evaluator(third).evaluate(tank, minutes(17)).notices
    assert kinds(again, "temperature_high") == []
    # The repeat interval (6 h) also counts from the stored notification, not from the restart.
    early = Evaluator(third).evaluate(tank, minutes(16 + 359)).notices
    assert kinds(early, "temperature_high") == []
    reminder = Evaluator(third).evaluate(tank, minutes(16 + 361)).notices
    assert kinds(reminder, "temperature_high") == ["repeat"]
    third.dispose()


def test_acknowledgement_stops_repeats_until_the_next_episode(
    engine: Engine, db_url: str, tank: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`aquarium alerts ack` silences reminders; after it resolves, a new episode reminds again."""
    evaluator = Evaluator(engine)
    log_kit(engine, tank, minutes(0), nitrite=0.8)
    assert kinds(evaluator.evaluate(tank, minutes(1)).notices, "nitrite_high") == ["fired"]

    monkeypatch.setenv("AQUARIUM_DB_URL", db_url)
    monkeypatch.delenv("AQUARIUM_CONFIG", raising=False)
    result = CliRunner().invoke(cli, ["alerts", "ack", tank, "nitrite_high"])
    assert result.exit_code == 0, result.output

    later = evaluator.evaluate(tank, minutes(7 * 60)).notices
    assert kinds(later, "nitrite_high") == []
    assert kinds(later, "water_change_now") == ["repeat"]  # not acknowledged: still reminds

    log_kit(engine, tank, minutes(8 * 60), nitrite=0.1)
    assert kinds(evaluator.evaluate(tank, minutes(8 * 60 + 1)).notices, "nitrite_high") == [
        "resolved"
    ]
    log_kit(engine, tank, minutes(9 * 60), nitrite=0.9)
    assert kinds(evaluator.evaluate(tank, minutes(9 * 60 + 1)).notices, "nitrite_high") == ["fired"]
    reminder = evaluator.evaluate(tank, minutes(15 * 60 + 2)).notices
    assert kinds(reminder, "nitrite_high") == ["repeat"]
    rows = [a for a in list_alerts(engine, states=ALL, tank=tank) if a.rule == "nitrite_high"]
    assert [(r.state, r.acknowledged_at is not None) for r in rows] == [
        ("firing", False),
        ("resolved", True),
    ]


def _temperature(tank: str, at: datetime) -> NewReading:
    return NewReading(tank, "temperature", 25.0, at, at, f"aquarium/{tank}/temperature")


def test_restart_keeps_a_recovering_sensors_resolve_hold(
    engine: Engine, db_url: str, tank: str
) -> None:
    """A sensor back from an outage resolves after the resolve hold, even across a restart."""
    rules = [SensorFault(hold=timedelta(0), resolve_hold=timedelta(minutes=10))]
    store = BatchStore(engine)
    start = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
    store.write([_temperature(tank, start + timedelta(minutes=i)) for i in range(30)], [])
    quiet = start + timedelta(minutes=40)  # 11 one-minute intervals without a reading
    fired = Evaluator(engine, rules).evaluate(tank, quiet).notices
    assert kinds(fired, "sensor_fault") == ["fired"]

    back = quiet + timedelta(minutes=1)
    store.write([_temperature(tank, back)], [])
    assert Evaluator(engine, rules).evaluate(tank, back).notices == []  # clear, hold running
    engine.dispose()

    reopened = open_engine(db_url)
    store = BatchStore(reopened)
    store.write([_temperature(tank, back + timedelta(minutes=i)) for i in range(1, 12)], [])
    resolved = Evaluator(reopened, rules).evaluate(tank, back + timedelta(minutes=11)).notices
    assert kinds(resolved, "sensor_fault") == ["resolved"]
    reopened.dispose()


def test_alerts_command_lists_firing_alerts_as_json(
    engine: Engine, db_url: str, tank: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`aquarium alerts --json --state firing` gives tank, rule, state, since (UTC) and message."""
    log_kit(engine, tank, minutes(0), nitrite=0.8)
    Evaluator(engine).evaluate(tank, minutes(1))
    monkeypatch.setenv("AQUARIUM_DB_URL", db_url)
    monkeypatch.delenv("AQUARIUM_CONFIG", raising=False)
    runner = CliRunner()
    result = runner.invoke(cli, ["alerts", "--json", "--state", "firing", "--tank", tank])
    assert result.exit_code == 0, result.output
    rows = {r["rule"]: r for r in json.loads(result.output)}
    assert set(rows) == {"nitrite_high", "water_change_now"}
    assert rows["nitrite_high"]["since"] == "2026-11-02T08:01:00Z"
    assert rows["nitrite_high"]["tank"] == tank and rows["nitrite_high"]["state"] == "firing"
    assert "0.8 mg/L" in rows["nitrite_high"]["message"]
    unknown = runner.invoke(cli, ["alerts", "ack", tank, "no_such_rule"])
    assert unknown.exit_code == 1 and unknown.output.startswith("Error: ")
    assert len(unknown.output.strip().splitlines()) == 1
