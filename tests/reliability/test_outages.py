"""Outages: the daemon away for a day, the broker restarting, the database busy."""

from __future__ import annotations

import logging
import re
import sqlite3
import threading
import time
from pathlib import Path

from sqlalchemy import Engine

from db.engine import open_engine
from db.readings import BatchStore, count_readings
from ingest.daemon import IngestDaemon
from ingest.mqtt_session import BACKOFF_BASE_S, MqttSession
from ingest.routing import Router
from sensors.mqtt_settings import MqttSettings
from tests.conftest import DaemonFactory
from tests.support import Broker, publish_all, publisher, start_broker, unique, wait_until

# A day of 8 sensors every 10 s (deploy/mosquitto.conf sizes its queue for this).
DAY_OF_READINGS = 8 * 6 * 60 * 24


def test_a_day_of_readings_published_while_the_daemon_is_down_is_all_stored(
    broker: Broker, engine: Engine, start_daemon: DaemonFactory, report
) -> None:
    """69,120 readings queued by the broker during a daemon outage all arrive when it returns."""
    tank, client_id = unique("outage"), unique("ingest")
    start_daemon(client_id=client_id).stop()
    parameters = ["temperature", "ph", "conductivity", "tds", "orp", "oxygen", "flow", "level"]
    messages = [
        (f"aquarium/{tank}/{parameters[i % 8]}", f"{1 + (i // 8) / 10000:.4f}".encode())
        for i in range(DAY_OF_READINGS)
    ]
    with publisher(broker) as client:
        publish_all(client, messages)
    started = time.monotonic()
    start_daemon(client_id=client_id)
    assert wait_until(lambda: count_readings(engine, tank) == DAY_OF_READINGS, timeout=120)
    report(
        "long daemon outage",
        "daemon stopped while a day of readings is published at full speed",
        f"{DAY_OF_READINGS} QoS 1 readings (8 sensors x 10 s x 24 h)",
        DAY_OF_READINGS - count_readings(engine, tank),
        time.monotonic() - started,
    )


def test_broker_restart_while_both_sides_run_loses_nothing(
    tmp_path: Path, engine: Engine, report
) -> None:
    """The daemon reconnects with backoff after Mosquitto restarts; every QoS 1 reading lands."""
    own = start_broker(tmp_path / "broker")
    tank = unique("restart")
    daemon = IngestDaemon(
        store=BatchStore(engine),
        router=Router(),
        session=MqttSession(MqttSettings(own.host, own.port), unique("ingest")),
    )
    daemon.start()
    assert daemon.session.wait_connected(10)
    sent = 0
    try:
        with publisher(own) as client:
            publish_all(client, [(f"aquarium/{tank}/flow", f"{i}".encode()) for i in range(200)])
            sent += 200
            assert wait_until(lambda: count_readings(engine, tank) == 200)
            own.stop()
            assert wait_until(lambda: not daemon.session.connected, timeout=10)
            down_at = time.monotonic()
            own.start()
            # The publisher (paho) reconnects by itself and resends what it had in flight.
            assert daemon.session.wait_connected(40)
            reconnected = time.monotonic() - down_at
            batch = [(f"aquarium/{tank}/flow", f"{200 + i}".encode()) for i in range(200)]
            assert wait_until(client.is_connected, timeout=30)
            publish_all(client, batch)
            sent += 200
            assert wait_until(lambda: count_readings(engine, tank) == sent, timeout=30)
    finally:
        daemon.stop()
        own.stop()
    report(
        "broker restart",
        "Mosquitto stopped (SIGTERM) and started again while daemon and publisher run",
        "400 QoS 1 readings around the restart",
        sent - count_readings(engine, tank),
        reconnected,
    )


def test_a_busy_database_delays_but_never_loses_readings(
    broker: Broker, db_url: str, start_daemon: DaemonFactory, report
) -> None:
    """A long read transaction plus another writer holding the lock: every reading is stored."""
    engine = open_engine(db_url)
    tank = unique("busy")
    daemon = start_daemon(store=BatchStore(engine))
    path = db_url.removeprefix("sqlite:///")
    reader = sqlite3.connect(path)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM readings").fetchone()  # holds a read snapshot (WAL)
    writer = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    writer.execute("BEGIN IMMEDIATE")  # the dashboard's logbook holding the write lock
    writer.execute(
        "INSERT INTO dead_letters (time, topic, payload, payload_size, reason) "
        "VALUES (0, 'x', 'x', 1, 'lock holder')"
    )
    released = threading.Timer(3.0, lambda: writer.execute("COMMIT"))
    released.start()
    try:
        with publisher(broker) as client:
            publish_all(
                client,
                [(f"aquarium/{tank}/ph", f"{7 + i / 1000:.3f}".encode()) for i in range(500)],
            )
        started = time.monotonic()
        assert wait_until(lambda: count_readings(engine, tank) == 500, timeout=30)
        waited = time.monotonic() - started
    finally:
        released.join()
        reader.rollback()
        reader.close()
        writer.close()
    assert daemon.stats.store_failures == 0, "busy_timeout should absorb a 3 s lock"
    report(
        "busy database",
        "a reader holding a transaction open, and a second writer holding the write lock for 3 s",
        "500 QoS 1 readings",
        500 - count_readings(engine, tank),
        waited,
    )


def test_a_broker_that_forgets_the_session_is_reported(
    tmp_path: Path, engine: Engine, caplog
) -> None:
    """A broker restarted without persistence loses our queue: the daemon says so, loudly."""
    import logging

    own = start_broker(tmp_path / "forgetful")
    own.config.write_text(own.config.read_text().replace("persistence true", "persistence false"))
    own.stop()
    own.start()
    daemon = IngestDaemon(
        store=BatchStore(engine),
        router=Router(),
        session=MqttSession(MqttSettings(own.host, own.port), unique("ingest")),
    )
    daemon.start()
    try:
        assert daemon.session.wait_connected(10)
        with caplog.at_level(logging.ERROR, logger="ingest.mqtt_session"):
            own.stop()
            assert wait_until(lambda: not daemon.session.connected, timeout=10)
            own.start()
            assert daemon.session.wait_connected(40)
        assert daemon.session.sessions_lost == 1
        assert "kept no session" in caplog.text and "persistence" in caplog.text
    finally:
        daemon.stop()
        own.stop()


def test_each_outage_starts_its_reconnect_backoff_afresh(
    tmp_path: Path, engine: Engine, caplog
) -> None:
    """After a connection that worked, a new outage waits the first backoff step, not the last."""
    own = start_broker(tmp_path / "broker")
    session = MqttSession(MqttSettings(own.host, own.port), unique("ingest"))
    daemon = IngestDaemon(store=BatchStore(engine), router=Router(), session=session)
    daemon.start()
    assert session.wait_connected(10)
    try:
        with caplog.at_level(logging.WARNING, logger="ingest.mqtt_session"):
            for _ in range(5):  # five short broker restarts over a week, say
                own.stop()
                assert wait_until(lambda: not session.connected, timeout=10)
                own.start()
                assert session.wait_connected(40)
    finally:
        daemon.stop()
        own.stop()
    delays = [
        float(seconds)
        for seconds in re.findall(
            r"lost the MQTT broker connection; reconnecting in ([\d.]+) s", caplog.text
        )
    ]
    assert len(delays) == 5
    # Jittered within the first step each time; without the reset the cap (30 s) was soon reached.
    assert max(delays) <= BACKOFF_BASE_S, delays
