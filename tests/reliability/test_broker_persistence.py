"""The shipped deploy/mosquitto.conf keeps its promises: a queue on disk, size and memory caps."""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import Engine

from db.dead_letters import list_dead_letters
from db.readings import BatchStore, count_readings
from ingest.daemon import IngestDaemon
from ingest.mqtt_session import MqttSession
from ingest.routing import Router
from sensors.decoders import MAX_PAYLOAD_BYTES
from sensors.mqtt_settings import MqttSettings
from tests.support import Broker, publish_all, publisher, start_broker, unique, wait_until

QUEUED = 10_000


def _daemon(broker: Broker, engine: Engine, client_id: str) -> IngestDaemon:
    daemon = IngestDaemon(
        store=BatchStore(engine),
        router=Router(),
        session=MqttSession(MqttSettings(broker.host, broker.port), client_id),
    )
    daemon.start()
    assert daemon.session.wait_connected(10)
    return daemon


def test_readings_queued_for_a_stopped_daemon_survive_a_broker_kill(
    tmp_path: Path, engine: Engine, report
) -> None:
    """10,000 readings queued for the stopped daemon are all stored after Mosquitto is SIGKILLed."""
    broker = start_broker(tmp_path / "broker")
    database = tmp_path / "broker" / "mosquitto.db"
    tank, client_id = unique("autosave"), unique("ingest")
    try:
        _daemon(broker, engine, client_id).stop()  # the broker now queues for this session
        with publisher(broker) as client:
            publish_all(
                client,
                [
                    (f"aquarium/{tank}/temperature", f"{20 + i / 1e4:.4f}".encode())
                    for i in range(QUEUED)
                ],
            )
        published = time.time()
        # The broker is killed as soon as its autosave has run once after the last PUBACK: with
        # the 60 s interval shipped before, that took up to a minute and a kill lost everything.
        saved = wait_until(
            lambda: database.exists() and database.stat().st_mtime >= published, timeout=5
        )
        window = time.time() - published
        assert saved, "Mosquitto did not save its queue within 5 s of the last publish"
        assert broker.process is not None
        broker.process.kill()
        broker.process.wait(timeout=10)
        broker.start()
        restarted = time.monotonic()
        daemon = _daemon(broker, engine, client_id)
        try:
            assert wait_until(lambda: count_readings(engine, tank) == QUEUED, timeout=60)
        finally:
            daemon.stop()
    finally:
        broker.stop()
    report(
        "broker killed with a queue",
        f"Mosquitto (shipped config) SIGKILLed once its autosave ran ({window:.1f} s after the "
        "last publish; autosave_interval 1), restarted",
        f"{QUEUED:,} QoS 1 readings queued for the stopped daemon",
        QUEUED - count_readings(engine, tank),
        time.monotonic() - restarted,
    )


def test_oversized_payloads_are_dropped_by_the_broker_and_readings_flow_on(
    tmp_path: Path, engine: Engine
) -> None:
    """A payload over the daemon's 64 KiB limit never reaches it; the readings around it do."""
    broker = start_broker(tmp_path / "broker")
    tank = unique("oversize")
    daemon = _daemon(broker, engine, unique("ingest"))
    try:
        with publisher(broker) as client:
            publish_all(
                client,
                [
                    (f"aquarium/{tank}/ph", b"7.1"),
                    (f"aquarium/{tank}/ph", b"7" + b"0" * MAX_PAYLOAD_BYTES),
                    (f"aquarium/{tank}/ph", b"7.2"),
                ],
            )
        assert wait_until(lambda: count_readings(engine, tank) == 2, timeout=20)
        assert daemon.session.connected
        assert list_dead_letters(engine) == []  # dropped by the broker, never queued
    finally:
        daemon.stop()
        broker.stop()
