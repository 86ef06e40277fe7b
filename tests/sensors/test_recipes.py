"""The ESPHome and Tasmota recipes in docs/: their TOML, fed what those devices really send.

The TOML (and the ESPHome YAML, and Tasmota's example message) are read from the documents
themselves, so a recipe and the code that must accept it cannot drift apart.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml  # PyYAML comes with apprise and amqtt, both pinned dependencies

from aquarium.wiring import router_for
from ingest.routing import Availability, Rejected, Router
from settings.config import AppConfig, parse_config

DOCS = Path(__file__).resolve().parents[2] / "docs"
ESPHOME, TASMOTA = DOCS / "esphome.md", DOCS / "tasmota.md"
RECEIVED = datetime(2026, 11, 24, 9, 0, 30, tzinfo=UTC)


def fenced(doc: Path, language: str) -> list[str]:
    """The bodies of DOC's fenced code blocks marked LANGUAGE."""
    text = doc.read_text(encoding="utf-8")
    return re.findall(rf"^```{language}\n(.*?)^```", text, flags=re.DOTALL | re.MULTILINE)


def documented(doc: Path) -> tuple[AppConfig, Router]:
    """The config in DOC's one TOML block, and the daemon's router for it."""
    (toml,) = fenced(doc, "toml")
    config = parse_config(toml, str(doc))
    return config, router_for(config)


def routed(router: Router, topic: str, payload: bytes) -> dict[tuple[str, str], float]:
    """(tank, parameter) -> stored value for one message."""
    values = router.route(topic, payload, RECEIVED)
    assert isinstance(values, list), values
    return {(v.tank, v.parameter): v.value for v in values}


class _ESPHomeLoader(yaml.SafeLoader):
    """Reads ESPHome YAML, keeping tagged values such as !secret as plain text."""


_ESPHomeLoader.add_multi_constructor("!", lambda loader, _tag, node: loader.construct_scalar(node))


def esphome_yaml() -> dict[str, Any]:
    """The node configuration in docs/esphome.md."""
    (body,) = fenced(ESPHOME, "yaml")
    return yaml.load(body, Loader=_ESPHomeLoader)  # a SafeLoader subclass


def object_id(name: str) -> str:
    """ESPHome's object id for an entity name: snake case, other characters become _."""
    return re.sub(r"[^a-z0-9_-]", "_", name.strip().lower().replace(" ", "_"))


def test_esphome_yaml_publishes_exactly_the_topics_the_toml_reads() -> None:
    """Every published sensor of the YAML has a TOML entry on its state topic, and vice versa."""
    node = esphome_yaml()
    prefix = node["esphome"]["name"]
    published = [s for s in node["sensor"] if not s.get("internal")]
    topics = {f"{prefix}/sensor/{object_id(s['name'])}/state" for s in published}
    config, _router = documented(ESPHOME)
    assert topics == {s.topic for s in config.sensors}
    assert all(s.format == "esphome" for s in config.sensors)
    # QoS 1 so the broker confirms each state; no retain, or a reconnect re-stores old states.
    assert all((s.get("qos"), s.get("retain")) == (1, False) for s in published)
    assert "mqtt" in node and "api" not in node


def test_esphome_plain_states_are_stored_in_canonical_units() -> None:
    """The node's plain-text states become one reading each, for the configured parameter."""
    _config, router = documented(ESPHOME)
    states = {
        "water_temperature": (b"24.6875", "temperature", 24.6875),
        "ph": (b"7.31", "ph", 7.31),
        "conductivity": (b"612", "conductivity", 612.0),
        "tds": (b"306", "tds", 306.0),
        "bed_flow": (b"4.27", "flow", 4.27),
    }
    for object_name, (payload, parameter, value) in states.items():
        topic = f"aquarium-node/sensor/{object_name}/state"
        assert routed(router, topic, payload) == {("turtles", parameter): value}
        assert topic in router.subscriptions()


@pytest.mark.parametrize("payload", [b"nan", b"-nan", b"unknown", b""])
def test_esphome_failed_probe_is_refused_with_a_reason(payload: bytes) -> None:
    """A failed DS18B20's nan (or an empty state) is refused, saying to check the probe."""
    _config, router = documented(ESPHOME)
    with pytest.raises(Rejected) as refused:
        router.route("aquarium-node/sensor/water_temperature/state", payload, RECEIVED)
    assert "check" in refused.value.reason


def test_esphome_status_topic_switches_all_the_nodes_sensors() -> None:
    """aquarium-node/status offline/online covers all five configured sensors of the node."""
    config, router = documented(ESPHOME)
    assert "aquarium-node/status" in router.subscriptions()
    for payload, online in [(b"offline", False), (b"online", True)]:
        said = router.route("aquarium-node/status", payload, RECEIVED)
        assert isinstance(said, Availability)
        assert said.online is online
        assert set(said.topics) == {s.topic for s in config.sensors}


def test_tasmota_documented_example_message_is_stored() -> None:
    """The SENSOR message shown in docs/tasmota.md yields its temperature and pH, at its time."""
    _config, router = documented(TASMOTA)
    (example,) = fenced(TASMOTA, "json")
    values = router.route("tele/aquarium-tasmota/SENSOR", example.strip().encode(), RECEIVED)
    assert isinstance(values, list), values
    assert {(v.parameter, v.value) for v in values} == {("temperature", 24.56), ("ph", 7.12)}
    # SetOption52's offset makes 10:00+01:00 the instant 09:00 UTC.
    assert {v.time for v in values} == {datetime(2026, 11, 24, 9, 0, tzinfo=UTC)}


@pytest.mark.parametrize(
    ("temperature", "unit", "celsius"), [(24.5, "C", 24.5), (76.1, "F", 24.5), (77, "F", 25.0)]
)
def test_tasmota_temperature_follows_the_messages_temp_unit(
    temperature: float, unit: str, celsius: float
) -> None:
    """A device switched to Fahrenheit (SetOption8 1) is converted to °C per message."""
    _config, router = documented(TASMOTA)
    message = {
        "Time": "2026-11-24T10:00:00+01:00",
        "ANALOG": {"pH": 7.05},
        "DS18B20": {"Id": "01144A0CB2AA", "Temperature": temperature},
        "TempUnit": unit,
    }
    values = routed(router, "tele/aquarium-tasmota/SENSOR", json.dumps(message).encode())
    assert values[("turtles", "temperature")] == pytest.approx(celsius)
    assert values[("turtles", "ph")] == 7.05


def test_tasmota_raw_a0_during_calibration_is_not_taken_for_ph() -> None:
    """With A0 set to Analog, the temperature is stored and the raw count is not read as pH."""
    _config, router = documented(TASMOTA)
    message = (
        b'{"Time":"2026-11-24T10:00:00+01:00","ANALOG":{"A0":612},'
        b'"DS18B20":{"Id":"01144A0CB2AA","Temperature":24.5},"TempUnit":"C"}'
    )
    assert routed(router, "tele/aquarium-tasmota/SENSOR", message) == {
        ("turtles", "temperature"): 24.5
    }
    only_a0 = b'{"Time":"2026-11-24T10:00:00+01:00","ANALOG":{"A0":612}}'
    with pytest.raises(Rejected) as refused:
        router.route("tele/aquarium-tasmota/SENSOR", only_a0, RECEIVED)
    assert "ANALOG.A0" in refused.value.reason


def test_tasmota_lwt_switches_the_devices_sensors() -> None:
    """tele/<topic>/LWT Offline/Online covers both sensors on the device's SENSOR topic."""
    _config, router = documented(TASMOTA)
    assert "tele/aquarium-tasmota/LWT" in router.subscriptions()
    for payload, online in [(b"Offline", False), (b"Online", True)]:
        said = router.route("tele/aquarium-tasmota/LWT", payload, RECEIVED)
        assert isinstance(said, Availability)
        assert (said.online, said.topics) == (online, ("tele/aquarium-tasmota/SENSOR",))


def test_tasmota_teleperiod_matches_the_expected_interval() -> None:
    """The console commands' TelePeriod is the interval the TOML tells the dashboard to expect."""
    config, _router = documented(TASMOTA)
    (backlog,) = [b for b in fenced(TASMOTA, "") if b.startswith("Backlog")]
    found = re.search(r"TelePeriod (\d+)", backlog)
    assert found is not None
    assert {s.expected_interval_s for s in config.sensors} == {float(found.group(1))}
    assert "SetOption52 1" in backlog
