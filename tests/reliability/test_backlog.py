"""A restarted daemon's backlog: every committed message of the connection is acked, even early."""

from __future__ import annotations

import threading
import time
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion
from sqlalchemy import Engine

from db.readings import BatchStore, count_readings
from ingest.daemon import IngestDaemon
from ingest.mqtt_session import MqttSession
from ingest.routing import Router
from sensors.mqtt_settings import MqttSettings
from tests.conftest import DaemonFactory
from tests.support import Broker, publish_all, publisher, unique, wait_until


@pytest.fixture
def broker(own_broker: Broker) -> Broker:
    """This module's tests get a broker of their own (see own_broker)."""
    return own_broker


BACKLOG = 100_000
# deploy/mosquitto.conf: max_inflight_messages 1000. More than that before the SUBACK is what
# stalled a resumed session whose early acks were dropped.
EARLY = 3_000


def left_at_broker(broker: Broker, client_id: str, tank: str) -> int:
    """How many of TANK's messages the broker still holds for CLIENT_ID's session.

    Resumes the session with a plain client that does not subscribe (so no retained messages
    come), then publishes a marker the session's subscription matches: the broker delivers a
    session's messages in order, so everything it held has arrived once the marker does.
    """
    seen: list[str] = []
    client = mqtt.Client(
        callback_api_version=CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=False
    )
    client.on_message = lambda _c, _u, message: seen.append(message.topic)
    client.connect(broker.host, broker.port)
    client.loop_start()
    marker = f"aquarium/{unique('marker')}/ph"
    try:
        with publisher(broker) as other:
            publish_all(other, [(marker, b"7.0")])
        assert wait_until(lambda: marker in seen, timeout=60)
    finally:
        client.disconnect()
        client.loop_stop()
    return sum(1 for topic in seen if topic.startswith(f"aquarium/{tank}/"))


@pytest.mark.timeout(400)  # a load test: 2 shared cores, a real subprocess
def test_a_restarted_daemon_drains_a_100000_message_backlog(
    broker: Broker, engine: Engine, start_daemon: DaemonFactory, report
) -> None:
    """100,000 readings queued for a stopped daemon are all stored and acked after it restarts."""
    tank, client_id = unique("backlog"), unique("ingest")
    start_daemon(client_id=client_id).stop()
    messages = [(f"aquarium/{tank}/tds", f"{100 + i / 1000:.3f}".encode()) for i in range(BACKLOG)]
    with publisher(broker) as client:
        publish_all(client, messages)
    started = time.monotonic()
    daemon = start_daemon(client_id=client_id)
    assert wait_until(lambda: count_readings(engine, tank) >= BACKLOG, timeout=240, step=0.5)
    drained = time.monotonic() - started
    assert wait_until(lambda: daemon.session.acks_sent >= BACKLOG, timeout=30)
    daemon.stop()
    assert count_readings(engine, tank) == BACKLOG
    assert left_at_broker(broker, client_id, tank) == 0, "every stored message was acked"
    report(
        "restart with a backlog",
        "daemon stopped, 100,000 readings queued at the broker for its session, daemon started",
        f"{BACKLOG:,} QoS 1 readings ({BACKLOG / drained:,.0f}/s drained)",
        BACKLOG - count_readings(engine, tank),
        drained,
    )


def test_a_queue_that_arrives_before_the_suback_is_acked(
    broker: Broker, engine: Engine, start_daemon: DaemonFactory, report
) -> None:
    """Messages stored before the broker confirms the subscription are acked; nothing stalls."""
    tank, client_id = unique("early"), unique("ingest")
    start_daemon(client_id=client_id).stop()
    with publisher(broker) as client:
        publish_all(
            client, [(f"aquarium/{tank}/orp", f"{i / 10:.1f}".encode()) for i in range(EARLY)]
        )
    daemon = IngestDaemon(
        store=BatchStore(engine),
        router=Router(),
        session=MqttSession(MqttSettings(broker.host, broker.port), client_id),
    )
    # Injected fault: the SUBACK is handled only once more than the broker's in-flight window
    # has been stored, so those messages certainly arrived before the subscription was confirmed.
    original = daemon.session.client.on_subscribe
    assert original is not None

    def late_suback(*args: Any) -> None:
        def deliver() -> None:
            wait_until(lambda: count_readings(engine, tank) > EARLY // 2, timeout=20)
            original(*args)

        threading.Thread(target=deliver, daemon=True).start()

    daemon.session.client.on_subscribe = late_suback
    daemon.start()
    started = time.monotonic()
    try:
        assert wait_until(lambda: count_readings(engine, tank) == EARLY, timeout=60)
        drained = time.monotonic() - started
        assert wait_until(lambda: daemon.session.acks_sent >= EARLY, timeout=30)
        assert daemon.session.wait_connected(30)
    finally:
        daemon.stop()
    assert left_at_broker(broker, client_id, tank) == 0, "every stored message was acked"
    report(
        "queue before SUBACK",
        "resumed session; the SUBACK held back until 1,500 queued messages were stored",
        f"{EARLY:,} QoS 1 readings (broker in-flight window 1,000)",
        EARLY - count_readings(engine, tank),
        drained,
    )
