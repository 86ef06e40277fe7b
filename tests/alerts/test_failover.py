"""Alerts evaluated once across workers: the elected evaluator dies while an alert is due, and
another worker fires it, once."""

from __future__ import annotations

import json
import signal
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from db.alerts_queries import OPEN_STATES, list_alerts
from db.engine import open_engine
from db.manual import TestResult as KitResult
from db.manual import log_tests
from db.tanks import add_tank
from tests.support import Broker, IngestWorker, unique, wait_until

pytestmark = pytest.mark.postgres

# ARCHITECTURE.md: another worker takes over alert evaluation within a minute of its death.
TAKEOVER_BOUND_S = 60.0


def test_a_killed_evaluator_is_replaced_and_the_due_alert_fires_once(
    broker: Broker, postgres_url: str, tmp_path: Path
) -> None:
    """Evaluator frozen, then SIGKILLed with nitrite due: a standby fires nitrite_high once."""
    engine = open_engine(postgres_url)
    tank = unique("shop")
    add_tank(engine, tank, volume_l=100, at=datetime.now(UTC) - timedelta(days=100))
    events: list[dict] = []
    subscribed = threading.Event()
    listener = mqtt.Client(callback_api_version=CallbackAPIVersion.VERSION2)
    listener.on_message = lambda _c, _u, m: events.append(json.loads(m.payload))
    listener.on_subscribe = lambda *_a: subscribed.set()
    listener.connect(broker.host, broker.port)
    listener.loop_start()
    listener.subscribe(f"aquarium/{tank}/alerts", qos=1)
    first = IngestWorker(postgres_url, broker, tmp_path / "first.log")
    second = IngestWorker(postgres_url, broker, tmp_path / "second.log")
    try:
        assert subscribed.wait(10)
        first.start()
        assert wait_until(lambda: first.holds("alerts"), timeout=60, step=0.1), first.logged()
        second.start()
        assert wait_until(lambda: "worker " in second.logged(), timeout=60, step=0.1)
        assert not second.holds("alerts")
        assert first.process is not None
        first.process.send_signal(signal.SIGSTOP)  # frozen: it cannot evaluate what comes now
        log_tests(engine, tank, [KitResult("nitrite", 0.8)], at=datetime.now(UTC))
        killed = time.monotonic()
        first.kill()
        assert wait_until(lambda: second.holds("alerts"), timeout=TAKEOVER_BOUND_S, step=0.1)

        def fired() -> list[dict]:
            return [e for e in events if e["rule"] == "nitrite_high" and e["event"] == "fired"]

        assert wait_until(fired, timeout=TAKEOVER_BOUND_S - (time.monotonic() - killed)), (
            second.logged()[-800:]
        )
        time.sleep(2.0)  # a second notification, if any, would arrive now
        assert len(fired()) == 1
        firing = [
            a
            for a in list_alerts(engine, states=OPEN_STATES, tank=tank)
            if a.rule == "nitrite_high"
        ]
        assert [a.state for a in firing] == ["firing"]
    finally:
        first.stop()
        second.stop()
        listener.loop_stop()
        listener.disconnect()
        engine.dispose()
