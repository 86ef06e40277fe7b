"""Forged retained advice does not stay: the daemon republishes its own; an ACL stops it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from sqlalchemy import Engine

from alerts.engine import AlertEngine
from alerts.evaluator import Evaluator
from alerts.mqtt_publisher import MqttAlertPublisher
from aquarium.supervisor import mosquitto_config
from db.tanks import add_tank
from sensors.mqtt_settings import MqttSettings
from tests.alerts.conftest import log_kit
from tests.support import Broker, free_port, unique, wait_until

FORGED = json.dumps({"status": "ok", "summary": "all is well, no water change needed"})
REPO = Path(__file__).resolve().parents[2]


def _retained(broker: Broker, topic: str, auth: tuple[str, str] | None = None) -> dict[str, Any]:
    """The retained message on TOPIC as a fresh subscriber gets it ({} when there is none)."""
    got: list[mqtt.MQTTMessage] = []
    client = mqtt.Client(callback_api_version=CallbackAPIVersion.VERSION2, client_id=unique("r"))
    if auth:
        client.username_pw_set(*auth)
    client.on_message = lambda _c, _u, m: got.append(m)
    done: list[int] = []
    client.on_subscribe = lambda *_a: done.append(1)
    client.connect(broker.host, broker.port)
    client.loop_start()
    try:
        client.subscribe(topic, qos=1)
        wait_until(lambda: done, timeout=5)
        wait_until(lambda: got, timeout=1)  # a retained message follows the SUBACK at once
    finally:
        client.disconnect()
        client.loop_stop()
    retained = [m for m in got if m.retain]
    return json.loads(retained[-1].payload) if retained else {}


def _forge(broker: Broker, topic: str, auth: tuple[str, str] | None = None) -> None:
    client = mqtt.Client(callback_api_version=CallbackAPIVersion.VERSION2, client_id=unique("f"))
    if auth:
        client.username_pw_set(*auth)
    client.connect(broker.host, broker.port)
    client.loop_start()
    try:
        client.publish(topic, FORGED, qos=1, retain=True).wait_for_publish(5)
    finally:
        client.disconnect()
        client.loop_stop()


def _tank(engine: Engine) -> str:
    name = unique("forged")
    now = datetime.now(UTC)
    add_tank(engine, name, volume_l=100, at=now - timedelta(days=100))
    log_kit(engine, name, now - timedelta(minutes=1), nitrite=0.8)
    return name


def test_forged_retained_advice_is_replaced_by_the_daemons_own(
    broker: Broker, engine: Engine, report
) -> None:
    """Forged before the start and during the run: a late subscriber always gets the real advice."""
    tank = _tank(engine)
    topic = f"aquarium/{tank}/advice"
    _forge(broker, topic)  # forged while no daemon runs
    assert _retained(broker, topic)["status"] == "ok"
    publisher = MqttAlertPublisher(
        MqttSettings(broker.host, broker.port), client_id=unique("alerts")
    )
    alerts = AlertEngine(engine, Evaluator(engine), [publisher])
    publisher.start()
    try:
        assert publisher.wait_connected(10)
        alerts.run_once()  # the start's first round republishes
        assert wait_until(lambda: _retained(broker, topic).get("status") == "now", timeout=10)
        _forge(broker, topic)  # forged while it runs, between rounds
        replaced = wait_until(lambda: _retained(broker, topic).get("status") == "now", timeout=10)
        assert replaced, "the forged advice stayed until the next round"
    finally:
        publisher.close(timeout=5)
    report(
        "forged retained advice",
        "a client publishes retained aquarium/<tank>/advice saying all is well, before the "
        "daemon starts and while it runs",
        "1 tank with nitrite 0.8",
        0,
        None,
    )


def test_the_shipped_acl_lets_only_the_daemon_publish_advice(tmp_path: Path) -> None:
    """With deploy/mosquitto.acl a sensor login cannot publish advice; the daemon's login can."""
    passwords = tmp_path / "passwd"
    subprocess.run(["mosquitto_passwd", "-c", "-b", str(passwords), "aquarium", "d-pw"], check=True)
    subprocess.run(["mosquitto_passwd", "-b", str(passwords), "sensors", "s-pw"], check=True)
    acl = tmp_path / "mosquitto.acl"
    shutil.copy(REPO / "deploy" / "mosquitto.acl", acl)
    os.chmod(passwords, 0o600)
    port = free_port()
    config = mosquitto_config(tmp_path / "broker", port)
    config.write_text(
        config.read_text().replace(
            "allow_anonymous true",
            f"allow_anonymous false\npassword_file {passwords}\nacl_file {acl}",
        )
    )
    broker = Broker(port=port, config=config)
    broker.start()
    try:
        topic = "aquarium/reef/advice"
        _forge(broker, topic, auth=("sensors", "s-pw"))
        assert _retained(broker, topic, auth=("aquarium", "d-pw")) == {}
        own = mqtt.Client(callback_api_version=CallbackAPIVersion.VERSION2, client_id=unique("d"))
        own.username_pw_set("aquarium", "d-pw")
        own.connect(broker.host, broker.port)
        own.loop_start()
        own.publish(topic, json.dumps({"status": "now"}), qos=1, retain=True).wait_for_publish(5)
        own.disconnect()
        own.loop_stop()
        assert _retained(broker, topic, auth=("aquarium", "d-pw")) == {"status": "now"}
    finally:
        broker.stop()
