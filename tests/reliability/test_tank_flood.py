"""Any publisher can invent topic names: tanks are admitted by policy and rate, and alert rounds
cost what changed, not how many tanks exist."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from alerts.engine import AlertEngine
from alerts.evaluator import Evaluator
from db.alerts_queries import list_alerts
from db.dead_letters import list_dead_letters
from db.readings import count_readings
from db.tanks import add_tank, tank_names
from ingest.admission import TankAdmission
from tests.alerts.conftest import log_kit
from tests.conftest import DaemonFactory
from tests.support import Broker, publish_all, publisher, unique, wait_until

INVENTED = 200
IDLE_TANKS = 1_000


def test_invented_topic_names_create_at_most_the_hourly_cap_of_tanks(
    broker: Broker, engine: Engine, start_daemon: DaemonFactory, report
) -> None:
    """200 invented tank names: 10 tanks created, 190 dead-lettered with the fix, reef stored."""
    real = unique("reef")
    add_tank(engine, real, volume_l=96)
    admission = TankAdmission(lambda: tank_names(engine), new_tanks="auto", per_hour=10)
    start_daemon(admission=admission)
    invented = [unique("spam") for _ in range(INVENTED)]
    with publisher(broker) as client:
        publish_all(
            client,
            [(f"aquarium/{name}/temperature", b"25.0") for name in invented]
            + [(f"aquarium/{real}/temperature", f"{25 + i / 10}".encode()) for i in range(5)],
        )
    refused = INVENTED - 10
    assert wait_until(
        lambda: (
            sum(d.topic.split("/")[1] in invented for d in list_dead_letters(engine, 500))
            == refused
        ),
        timeout=30,
    )
    assert wait_until(lambda: count_readings(engine, real) == 5)
    created = tank_names(engine) & set(invented)
    assert len(created) == 10
    letter = next(d for d in list_dead_letters(engine) if d.topic.split("/")[1] in invented)
    assert "new tanks within an hour" in letter.reason and "aquarium tank add" in letter.reason
    report(
        "invented tank names",
        f"{INVENTED} readings, each to a new aquarium/<name>/temperature topic "
        "([ingest] max_new_tanks_per_hour = 10)",
        f"{INVENTED} junk + 5 real readings",
        5 - count_readings(engine, real),
        None,
    )


def test_config_only_refuses_unknown_tanks_and_keeps_known_ones(
    broker: Broker, engine: Engine, start_daemon: DaemonFactory
) -> None:
    """With new_tanks = "config-only" an unknown tank is dead-lettered; a known one is stored."""
    real, stranger = unique("reef"), unique("stranger")
    add_tank(engine, real)
    start_daemon(admission=TankAdmission(lambda: tank_names(engine), new_tanks="config-only"))
    with publisher(broker) as client:
        publish_all(
            client,
            [(f"aquarium/{stranger}/ph", b"7.0"), (f"aquarium/{real}/ph", b"7.1")],
        )
    assert wait_until(lambda: count_readings(engine, real) == 1)
    assert wait_until(lambda: any(stranger in d.topic for d in list_dead_letters(engine)))
    (letter,) = [d for d in list_dead_letters(engine) if stranger in d.topic]
    assert "config-only" in letter.reason and f"aquarium tank add {stranger}" in letter.reason
    assert stranger not in tank_names(engine)


def test_alert_rounds_cost_what_changed_not_every_tank(engine: Engine, report) -> None:
    """Beside 1,000 idle tanks, a real tank's nitrite alert fires in a round of a few tanks."""
    now = datetime.now(UTC)
    for _ in range(IDLE_TANKS):
        add_tank(engine, unique("idle"), volume_l=100, at=now - timedelta(days=100))
    real = unique("reef")
    add_tank(engine, real, volume_l=100, at=now - timedelta(days=100))
    alerts = AlertEngine(engine, Evaluator(engine), [], interval_s=0.5, poll_s=0.05, min_gap_s=0.05)
    began = time.monotonic()
    alerts.start()
    try:
        assert wait_until(lambda: alerts.rounds >= 1, timeout=120)
        first_round_s = time.monotonic() - began
        assert alerts.last_round_tanks == IDLE_TANKS + 1  # the start evaluates every tank
        evaluated_before, rounds_before = alerts.evaluations, alerts.rounds
        logged = time.monotonic()
        log_kit(engine, real, datetime.now(UTC), nitrite=0.8)
        assert wait_until(
            lambda: any(
                a.rule == "nitrite_high" for a in list_alerts(engine, states=("firing",), tank=real)
            ),
            timeout=60,
        )
        fired_s = time.monotonic() - logged
        assert wait_until(lambda: alerts.rounds >= rounds_before + 3, timeout=30)
    finally:
        alerts.stop()
    rounds = alerts.rounds - rounds_before
    # Only the real tank (new data, then an open alert) is evaluated after the first round.
    assert alerts.evaluations - evaluated_before <= rounds
    report(
        "alert rounds beside idle tanks",
        f"{IDLE_TANKS:,} idle tanks and one real tank given nitrite 0.8; first round "
        f"{first_round_s:.1f} s (every tank), then {rounds} rounds evaluating only the real "
        f"tank; its alert fired {fired_s:.1f} s after the result",
        f"{IDLE_TANKS + 1:,} tanks",
        0,
        None,
    )
