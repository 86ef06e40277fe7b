"""Home Assistant MQTT discovery: each tank a device, its readings and the advisor's verdict as
entities, with no YAML on the Home Assistant side.

Why not ha-mqtt-discoverable (looked at first, as the issue asks): it gives each entity its own
state topic and MQTT client unless handed one, and expects the program to push every state
through it. Here one retained JSON state per tank per alert round (canonical values, already
converted from the sensors' units, plus the verdict and the open alerts) serves every entity of
the tank through a value_template, over the alert publisher's one connection; the configs are a
handful of plain dicts whose field names are those of Home Assistant's MQTT discovery
documentation (https://www.home-assistant.io/integrations/sensor.mqtt/).

Topics: `<prefix>/sensor/<unique_id>/config` (retained), `aquarium/<tank>/ha/state` (retained;
four levels, so the daemon's `aquarium/+/+` subscription never reads it back as a reading) and
`aquarium/daemon/ha/availability` (retained `online`, `offline` as the connection's will).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import Engine

from alerts.notice import Notice
from db.alerts_queries import OPEN_STATES, list_alerts
from db.latest import latest_values
from db.sensor_status import SensorState, sensor_states
from db.tanks import list_tanks
from health.verdict import Verdict
from health.wording import rule_title
from sensors.catalogue import PARAMETERS

log = logging.getLogger(__name__)

__all__ = ["AVAILABILITY_TOPIC", "HomeAssistantDiscovery", "discovery_configs", "state_topic"]

DEFAULT_PREFIX = "homeassistant"  # Home Assistant's default discovery prefix
AVAILABILITY_TOPIC = "aquarium/daemon/ha/availability"
# Device classes Home Assistant has for our parameters, with the unit it expects for each (its
# sensor documentation); a parameter not here is a plain measurement with our unit.
DEVICE_CLASSES = {
    "temperature": ("temperature", "°C"),
    "ph": ("ph", None),  # Home Assistant's pH class takes no unit
    "conductivity": ("conductivity", "µS/cm"),
    "orp": ("voltage", "mV"),
    "flow": ("volume_flow_rate", "L/min"),
    "level": ("distance", "cm"),
}
# A state older than this many of the sensor's intervals shows as unavailable (the dashboard's
# "quiet" rule, db/home.py QUIET_INTERVALS) ...
EXPIRE_INTERVALS = 3
# ... and never sooner than three alert rounds, which is how often the state is republished
# (alerts/engine.py INTERVAL_S).
MIN_EXPIRE_S = 180
# How often removed tanks are looked for (a cheap query; removal is rare).
REMOVED_CHECK_S = 30.0


class Connection(Protocol):
    """What discovery needs of the MQTT connection (alerts/mqtt_publisher.py provides it)."""

    def will(self, topic: str, payload: str) -> None: ...

    def subscribe(self, topic: str, handler: Callable[[str], None]) -> None: ...

    def when_connected(self, callback: Callable[[], None]) -> None: ...

    def publish_text(self, topic: str, payload: str, *, retain: bool) -> None: ...


def state_topic(tank: str) -> str:
    """Where a tank's one retained state for Home Assistant goes."""
    return f"aquarium/{tank}/ha/state"


def _device(tank: str) -> dict[str, Any]:
    return {
        "identifiers": [f"aquarium_{tank}"],
        "name": f"{tank} aquarium",
        "manufacturer": "aquarium-monitor",
        "model": "tank",
    }


def _entity(tank: str, key: str, name: str, template: str) -> dict[str, Any]:
    return {
        "name": name,
        "unique_id": f"aquarium_{tank}_{key}",
        "object_id": f"aquarium_{tank}_{key}",
        "state_topic": state_topic(tank),
        "value_template": template,
        "availability_topic": AVAILABILITY_TOPIC,
        "payload_available": "online",
        "payload_not_available": "offline",
        "device": _device(tank),
        "origin": {"name": "aquarium-monitor"},
    }


def _expire_after(parameter: str, states: Sequence[SensorState]) -> int | None:
    """Seconds after which Home Assistant greys a sensor's value; None for kit-only values."""
    mine = [s for s in states if s.parameter == parameter]
    if not mine:
        return None
    interval = max(s.expected_interval_s or s.typical_interval_s or 300.0 for s in mine)
    return max(MIN_EXPIRE_S, int(EXPIRE_INTERVALS * interval))


def discovery_configs(
    tank: str, parameters: Sequence[str], states: Sequence[SensorState], prefix: str
) -> dict[str, dict[str, Any]]:
    """Config topic -> config, for TANK's PARAMETERS, the advisor's verdict and open alerts."""
    configs: dict[str, dict[str, Any]] = {}
    for parameter in parameters:
        info = PARAMETERS.get(parameter)
        if info is None:
            continue
        config = _entity(tank, parameter, info.label, f"{{{{ value_json.readings.{parameter} }}}}")
        device_class, unit = DEVICE_CLASSES.get(parameter, (None, info.unit))
        if device_class:
            config["device_class"] = device_class
        if unit and parameter != "ph":
            config["unit_of_measurement"] = unit
        config["state_class"] = "measurement"
        config["suggested_display_precision"] = info.decimals
        expire = _expire_after(parameter, states)
        if expire is not None:
            config["expire_after"] = expire
        configs[f"{prefix}/sensor/{config['unique_id']}/config"] = config
    status = _entity(tank, "advisor_status", "Water change", "{{ value_json.advisor.status }}")
    status |= {"device_class": "enum", "options": ["ok", "soon", "now"], "icon": "mdi:water-sync"}
    due = _entity(tank, "advisor_due", "Water change due", "{{ value_json.advisor.due }}")
    due["device_class"] = "date"
    percent = _entity(
        tank, "advisor_percent", "Water to change", "{{ value_json.advisor.change_percent }}"
    )
    percent |= {"unit_of_measurement": "%", "icon": "mdi:water-percent"}
    alerts = _entity(tank, "open_alerts", "Open alerts", "{{ value_json.alerts | count }}")
    alerts |= {
        "state_class": "measurement",
        "icon": "mdi:bell-alert",
        "json_attributes_topic": state_topic(tank),
        "json_attributes_template": "{{ {'alerts': value_json.alerts} | tojson }}",
    }
    for config in (status, due, percent, alerts):
        configs[f"{prefix}/sensor/{config['unique_id']}/config"] = config
    return configs


class HomeAssistantDiscovery:
    """A sink: announces each tank's entities and publishes its state once per alert round."""

    def __init__(
        self,
        engine: Engine,
        connection: Connection,
        *,
        prefix: str = DEFAULT_PREFIX,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.engine, self.connection, self.prefix, self.clock = engine, connection, prefix, clock
        self._lock = threading.Lock()
        self._announced: dict[str, dict[str, str]] = {}  # tank -> config topic -> payload
        self._states: dict[str, str] = {}  # tank -> the last state payload
        self._checked_removed = 0.0

    def start(self) -> None:
        """Register on the shared connection: the will, Home Assistant's birth message."""
        self.connection.will(AVAILABILITY_TOPIC, "offline")
        self.connection.subscribe(f"{self.prefix}/status", self._home_assistant_status)
        self.connection.when_connected(self._connected)

    def deliver(self, verdict: Verdict, notices: Sequence[Notice]) -> None:
        """Announce VERDICT's tank (configs when they change) and publish its state."""
        tank = verdict.tank
        now = self.clock()
        latest = latest_values(self.engine, tank)
        states = sensor_states(self.engine, now, tank)
        configs = discovery_configs(tank, [v.parameter for v in latest], states, self.prefix)
        payloads = {topic: json.dumps(c, ensure_ascii=False) for topic, c in configs.items()}
        alerts = list_alerts(self.engine, states=OPEN_STATES, tank=tank)
        values: dict[str, float | None] = {}
        for value in latest:
            # A quiet sensor's last value is not sent again: its entity then expires in Home
            # Assistant (expire_after) instead of showing an old value as current.
            expire = _expire_after(value.parameter, states)
            fresh = value.sensor is not None and (
                expire is None or (now - value.sensor.time).total_seconds() <= expire
            )
            point = value.sensor if fresh else value.manual
            values[value.parameter] = round(point.value, 6) if point is not None else None
        state = json.dumps(
            {
                # Not "values": in a template that is the dict's method, not the key.
                "readings": values,
                "advisor": {
                    "status": verdict.status,
                    "due": verdict.due.isoformat() if verdict.due else None,
                    "change_percent": verdict.change_percent,
                },
                "alerts": [
                    {"rule": a.rule, "title": rule_title(a.rule), "state": a.state} for a in alerts
                ],
            },
            ensure_ascii=False,
        )
        with self._lock:
            before = self._announced.get(tank, {})
            for topic in before.keys() - payloads.keys():
                self.connection.publish_text(topic, "", retain=True)  # a parameter gone
            for topic, payload in payloads.items():
                if before.get(topic) != payload:
                    self.connection.publish_text(topic, payload, retain=True)
            self._announced[tank] = payloads
            # The configs go first: Home Assistant must know the entities before their state.
            # Sent every round even when unchanged: expire_after counts from the last message.
            self._states[tank] = state
            self.connection.publish_text(state_topic(tank), state, retain=True)
        self._forget_removed()

    def close(self, timeout: float) -> None:
        """Say offline before the shared connection closes (a clean stop sends no will)."""
        self.connection.publish_text(AVAILABILITY_TOPIC, "offline", retain=True)

    def _forget_removed(self) -> None:
        """Empty retained configs for tanks removed or archived: Home Assistant drops them."""
        if time.monotonic() - self._checked_removed < REMOVED_CHECK_S:
            return
        self._checked_removed = time.monotonic()
        present = {t.name for t in list_tanks(self.engine)}
        with self._lock:
            for tank in [t for t in self._announced if t not in present]:
                for topic in self._announced.pop(tank):
                    self.connection.publish_text(topic, "", retain=True)
                self._states.pop(tank, None)
                self.connection.publish_text(state_topic(tank), "", retain=True)
                log.info("tank %s is gone: removed it from Home Assistant", tank)

    def forget_removed_now(self) -> None:
        """Look for removed tanks at once (tests, and a keeper's `tank remove` seen next round)."""
        self._checked_removed = 0.0
        self._forget_removed()

    def _connected(self) -> None:
        self.connection.publish_text(AVAILABILITY_TOPIC, "online", retain=True)

    def _home_assistant_status(self, payload: str) -> None:
        """Home Assistant restarted (its birth message): announce everything again."""
        if payload.strip() != "online":
            return
        with self._lock:
            for configs in self._announced.values():
                for topic, config in configs.items():
                    self.connection.publish_text(topic, config, retain=True)
            for tank, state in self._states.items():
                self.connection.publish_text(state_topic(tank), state, retain=True)
        log.info("Home Assistant came online: announced %d tank(s) again", len(self._announced))
