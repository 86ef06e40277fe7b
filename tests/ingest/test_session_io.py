"""How the daemon's MQTT session reads and acks a backlog, through a real Mosquitto."""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Any, cast

import pytest
from sqlalchemy import Engine

from db.readings import BatchStore, count_readings
from ingest.daemon import IngestDaemon
from ingest.mqtt_session import MqttSession
from ingest.routing import Router
from sensors.mqtt_settings import MqttSettings
from tests.conftest import DaemonFactory
from tests.support import Broker, publish_all, publisher, unique, wait_until

BACKLOG = 400


def _backlog_daemon(
    broker: Broker, engine: Engine, start_daemon: DaemonFactory, tank: str
) -> IngestDaemon:
    """A daemon, not yet started, whose persistent session has BACKLOG readings queued."""
    client_id = unique("ingest")
    start_daemon(client_id=client_id).stop()  # the session and its subscription now exist
    with publisher(broker) as client:
        payloads = [f"{20 + i / 1000:.3f}".encode() for i in range(BACKLOG)]
        publish_all(client, [(f"aquarium/{tank}/temperature", p) for p in payloads])
    return IngestDaemon(
        store=BatchStore(engine),
        router=Router(),
        session=MqttSession(MqttSettings(broker.host, broker.port), client_id),
    )


def _spy(obj: Any, name: str, before: Callable[..., None]) -> None:
    real = getattr(obj, name)

    def spied(*args: Any, **kwargs: Any) -> Any:
        before(*args, **kwargs)
        return real(*args, **kwargs)

    setattr(obj, name, spied)


def test_a_backlog_is_read_without_a_select_per_message(
    broker: Broker, engine: Engine, start_daemon: DaemonFactory
) -> None:
    """Queued messages are read on after each wake, not one per paho loop() (a select each)."""
    tank = unique("t")
    daemon = _backlog_daemon(broker, engine, start_daemon, tank)
    loops = [0]
    _spy(daemon.session.client, "loop", lambda *_a, **_k: loops.__setitem__(0, loops[0] + 1))
    daemon.start()
    try:
        assert wait_until(lambda: count_readings(engine, tank) == BACKLOG)
    finally:
        daemon.stop()
    assert loops[0] < BACKLOG / 2


@pytest.mark.skipif(not hasattr(socket, "TCP_CORK"), reason="TCP_CORK is Linux only")
def test_a_batch_of_acks_is_corked_and_released(
    broker: Broker, engine: Engine, start_daemon: DaemonFactory
) -> None:
    """PUBACKs are written while the socket is corked, and it is uncorked once they are out."""
    tank = unique("t")
    daemon = _backlog_daemon(broker, engine, start_daemon, tank)
    client = daemon.session.client
    corked: list[int] = []

    def cork_state() -> int:
        sock = cast(socket.socket, client.socket())
        return sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_CORK)

    _spy(client, "ack", lambda *_args: corked.append(cork_state()))
    daemon.start()
    try:
        # At least: the suite's broker also replays other tests' retained readings.
        assert wait_until(lambda: daemon.session.acks_sent >= BACKLOG)
        assert cork_state() == 0
    finally:
        daemon.stop()
    assert len(corked) >= BACKLOG and set(corked) == {1}
