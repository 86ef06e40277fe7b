"""The alert engine in the daemon: rounds on new data, and one tank's failure kept to itself."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, event

from alerts.engine import AlertEngine
from alerts.evaluator import Evaluator, Judged
from alerts.verdict_recorder import VerdictRecorder
from db.alerts_queries import list_alerts
from db.home import tank_summaries
from db.tanks import add_tank
from tests.alerts.conftest import log_kit, minutes
from tests.support import unique, wait_until


def test_engine_evaluates_soon_after_new_data_arrives(engine: Engine, tank: str) -> None:
    """Running in the background, the engine reacts to a new test result long before its minute."""
    alerts = AlertEngine(engine, Evaluator(engine), interval_s=60, poll_s=0.05, min_gap_s=0.1)
    alerts.start()
    try:
        assert wait_until(lambda: alerts.rounds >= 1, timeout=5)
        log_kit(engine, tank, datetime.now(UTC), nitrite=0.8)

        def nitrite_firing() -> bool:
            firing = list_alerts(engine, states=("firing",), tank=tank)
            return any(a.rule == "nitrite_high" for a in firing)

        assert wait_until(nitrite_firing, timeout=5, step=0.05)
    finally:
        alerts.stop(timeout=5)
    assert alerts.rounds == 2  # the start and the new result; the minute never came


def test_a_broken_tank_is_logged_once_and_does_not_stop_the_others(
    engine: Engine, tank: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A tank whose profile is unknown fails alone, with one error however many rounds fail."""
    broken = unique("broken")
    add_tank(engine, broken, profile="no-such-profile")
    log_kit(engine, tank, minutes(0), nitrite=0.8)
    alerts = AlertEngine(engine, Evaluator(engine))
    caplog.set_level(logging.INFO, logger="alerts")
    first = alerts.run_once(minutes(1))
    second = alerts.run_once(minutes(2))
    assert [e.tank for e in first] == [e.tank for e in second] == [tank]
    assert "nitrite_high" in [n.rule for n in first[0].notices]
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and broken in errors[0].getMessage()


class _SaveFailsFor(Evaluator):
    """Injects the fault: storing DOOMED's rule states fails, as a refused write would."""

    def __init__(self, engine: Engine, doomed: str) -> None:
        super().__init__(engine)
        self.doomed = doomed

    def save(self, judged: Sequence[Judged]) -> None:
        if any(j.evaluation.tank == self.doomed for j in judged):
            raise RuntimeError(f"cannot store the alerts of {self.doomed}")
        super().save(judged)


def test_a_tank_whose_states_cannot_be_stored_fails_alone(
    engine: Engine, tank: str, caplog: pytest.LogCaptureFixture
) -> None:
    """When a round's shared save fails, each tank is stored alone: only the failing one is lost."""
    doomed = unique("doomed")
    add_tank(engine, doomed, volume_l=100, at=minutes(-100 * 24 * 60))
    for name in (tank, doomed):
        log_kit(engine, name, minutes(0), nitrite=0.8)
    caplog.set_level(logging.INFO, logger="alerts")
    done = AlertEngine(engine, _SaveFailsFor(engine, doomed)).run_once(minutes(1))
    assert [e.tank for e in done] == [tank]  # only what was stored is delivered
    firing = {(a.tank, a.rule) for a in list_alerts(engine, states=("firing",))}
    assert (tank, "nitrite_high") in firing
    assert not any(name == doomed for name, _rule in firing)
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and doomed in errors[0].getMessage()


def test_a_round_stores_all_its_tanks_in_two_commits(engine: Engine) -> None:
    """Five tanks firing at once: their alert states in one commit, their verdicts in another."""
    names = [unique("batch") for _ in range(5)]
    for name in names:
        add_tank(engine, name, volume_l=100, at=minutes(-100 * 24 * 60))
        log_kit(engine, name, minutes(0), nitrite=0.8)
    commits: list[object] = []

    def count(conn: object) -> None:
        commits.append(conn)

    event.listen(engine, "commit", count)
    try:
        done = AlertEngine(engine, Evaluator(engine), [VerdictRecorder(engine)]).run_once(
            minutes(1)
        )
    finally:
        event.remove(engine, "commit", count)
    assert sorted(e.tank for e in done) == sorted(names)
    firing = {a.tank for a in list_alerts(engine, states=("firing",)) if a.rule == "nitrite_high"}
    assert firing == set(names)
    assert {s.name for s in tank_summaries(engine, minutes(1)) if s.status == "now"} == set(names)
    assert len(commits) == 2  # one each before batching: ten
