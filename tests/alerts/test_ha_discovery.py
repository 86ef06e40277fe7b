"""Home Assistant discovery through the real Mosquitto: configs read back, rendered as HA would."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import jinja2
import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion
from sqlalchemy import Engine

from alerts.engine import AlertEngine
from alerts.evaluator import Evaluator
from alerts.ha_discovery import AVAILABILITY_TOPIC, HomeAssistantDiscovery, state_topic
from alerts.mqtt_publisher import MqttAlertPublisher
from db.bulk import bulk_insert_readings
from db.manual import TestResult as KitResult
from db.manual import log_tests
from db.tanks import add_tank, remove_tank
from sensors.mqtt_settings import MqttSettings
from tests.support import Broker, unique, wait_until

# Fields Home Assistant's MQTT sensor discovery requires or we rely on (its documentation).
REQUIRED = {"name", "unique_id", "state_topic", "value_template", "device", "availability_topic"}


class Watcher:
    """A subscriber that keeps the last payload seen on every topic (retained ones included)."""

    def __init__(self, broker: Broker, topics: list[str]) -> None:
        self.last: dict[str, bytes] = {}
        self.client = mqtt.Client(
            callback_api_version=CallbackAPIVersion.VERSION2, client_id=unique("ha-watch")
        )
        self.client.on_message = lambda _c, _u, m: self.last.__setitem__(m.topic, bytes(m.payload))
        acked: list[int] = []
        self.client.on_subscribe = lambda _c, _u, mid, _r, _p: acked.append(mid)
        self.client.connect(broker.host, broker.port)
        self.client.loop_start()
        self.client.subscribe([(topic, 1) for topic in topics])
        assert wait_until(lambda: acked, timeout=5)

    def configs(self, prefix: str) -> dict[str, dict[str, Any]]:
        return {
            topic: json.loads(payload)
            for topic, payload in self.last.items()
            if topic.startswith(f"{prefix}/sensor/") and payload
        }

    def stop(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


@pytest.fixture
def announced(engine: Engine, broker: Broker) -> Iterator[tuple[str, str, Watcher, Any]]:
    """A tank with a temperature probe and kit results, announced by one alert round."""
    tank, prefix = unique("ha").replace("_", "-")[:32], unique("hass")
    now = datetime.now(UTC)
    add_tank(engine, tank, volume_l=96.0)
    start = int((now - timedelta(minutes=30)).timestamp())
    bulk_insert_readings(
        engine,
        tank,
        "temperature",
        [(float(t), 25.25) for t in range(start, int(now.timestamp()), 60)],
    )
    log_tests(engine, tank, [KitResult("nitrate", 20.0), KitResult("ph", 7.4)], at=now)
    publisher = MqttAlertPublisher(
        MqttSettings(broker.host, broker.port), client_id=unique("alerts")
    )
    discovery = HomeAssistantDiscovery(engine, publisher, prefix=prefix)
    alerts = AlertEngine(engine, Evaluator(engine), [discovery, publisher])
    discovery.start()
    publisher.start()
    assert publisher.wait_connected(5)
    watcher = Watcher(broker, [f"{prefix}/sensor/#", state_topic(tank), AVAILABILITY_TOPIC])
    alerts.run_once(now)
    assert wait_until(
        lambda: len(watcher.configs(prefix)) >= 7 and state_topic(tank) in watcher.last
    )
    yield tank, prefix, watcher, (publisher, discovery)
    watcher.stop()
    publisher.close(timeout=5)


def _render(template: str, state: bytes) -> str:
    """A value_template rendered the way Home Assistant does, with value and value_json."""
    environment = jinja2.Environment(undefined=jinja2.StrictUndefined)
    return environment.from_string(template).render(
        value=state.decode(), value_json=json.loads(state)
    )


def test_each_tank_is_a_device_with_its_readings_and_the_verdict(announced) -> None:
    """Retained configs name one device per tank, HA's device classes, units and expire_after."""
    tank, prefix, watcher, _ = announced
    configs = {c["unique_id"]: c for c in watcher.configs(prefix).values()}
    for config in configs.values():
        assert config.keys() >= REQUIRED, config
        assert config["device"]["identifiers"] == [f"aquarium_{tank}"]
        assert config["availability_topic"] == AVAILABILITY_TOPIC
    temperature = configs[f"aquarium_{tank}_temperature"]
    assert temperature["device_class"] == "temperature"
    assert temperature["unit_of_measurement"] == "°C"
    assert temperature["state_class"] == "measurement"
    assert temperature["expire_after"] >= 180
    assert "unit_of_measurement" not in configs[f"aquarium_{tank}_ph"]  # HA's pH has no unit
    assert configs[f"aquarium_{tank}_ph"]["device_class"] == "ph"
    assert "expire_after" not in configs[f"aquarium_{tank}_nitrate"]  # a weekly kit result
    assert configs[f"aquarium_{tank}_advisor_status"]["options"] == ["ok", "soon", "now"]
    assert configs[f"aquarium_{tank}_advisor_due"]["device_class"] == "date"
    state = watcher.last[state_topic(tank)]
    assert _render(temperature["value_template"], state) == "25.25"
    assert _render(configs[f"aquarium_{tank}_nitrate"]["value_template"], state) == "20.0"
    status = _render(configs[f"aquarium_{tank}_advisor_status"]["value_template"], state)
    assert status in ("ok", "soon", "now")
    assert _render(configs[f"aquarium_{tank}_open_alerts"]["value_template"], state).isdigit()
    assert watcher.last[AVAILABILITY_TOPIC] == b"online"


def test_home_assistant_coming_online_gets_every_config_again(announced, broker: Broker) -> None:
    """A config lost by the broker is announced again when HA publishes 'online'."""
    tank, prefix, watcher, _ = announced
    topic = f"{prefix}/sensor/aquarium_{tank}_temperature/config"
    with_config = watcher.last[topic]
    client = mqtt.Client(callback_api_version=CallbackAPIVersion.VERSION2, client_id=unique("ha"))
    client.connect(broker.host, broker.port)
    client.loop_start()
    client.publish(topic, b"", qos=1, retain=True).wait_for_publish(5)
    assert wait_until(lambda: watcher.last[topic] == b"")
    client.publish(f"{prefix}/status", b"online", qos=1).wait_for_publish(5)
    assert wait_until(lambda: watcher.last[topic] == with_config)
    client.disconnect()
    client.loop_stop()


def test_a_removed_tank_leaves_home_assistant(announced, engine: Engine) -> None:
    """After `tank remove`, every retained config of the tank is emptied (HA deletes them)."""
    tank, prefix, watcher, (_publisher, discovery) = announced
    topics = list(watcher.configs(prefix))
    remove_tank(engine, tank)
    discovery.forget_removed_now()
    assert wait_until(lambda: all(watcher.last[t] == b"" for t in topics))
    assert wait_until(lambda: watcher.last[state_topic(tank)] == b"")


@pytest.mark.parametrize(
    ("toml", "mqtt_url", "expected"),
    [
        ("", "mqtt://127.0.0.1:1883", True),
        ("", "mqtt://broker.example.net:1883", False),
        ("[homeassistant]\ndiscovery = false\n", "mqtt://127.0.0.1:1883", False),
        ("[homeassistant]\ndiscovery = true\n", "mqtt://broker.example.net:1883", True),
    ],
)
def test_discovery_is_on_by_default_only_for_a_local_broker(
    tmp_path, toml: str, mqtt_url: str, expected: bool
) -> None:
    """Without a setting, a broker on this machine gets discovery and a remote one does not."""
    from aquarium.commands_alerts import home_assistant_discovery
    from settings.environment import load_settings

    path = tmp_path / "aquarium.toml"
    path.write_text(toml)
    env = {"AQUARIUM_CONFIG": str(path), "AQUARIUM_MQTT_URL": mqtt_url}
    assert home_assistant_discovery(load_settings(env)) is expected
