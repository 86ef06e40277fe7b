"""Alerts over MQTT, for Home Assistant and Node-RED: retained advice and alert events.

`aquarium/<tank>/advice`: the advisor's verdict as `aquarium advise --json` prints it, retained,
so a subscriber that connects later still gets the current state. `aquarium/<tank>/alerts`: one
JSON event per notice (fired, repeat, resolved), not retained: events happen once. Both QoS 1.
The ingest daemon ignores these topics (sensors/naming.py OWN_TOPICS).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

import paho.mqtt.client as mqtt

from alerts.notice import Notice
from health.verdict import Verdict
from sensors.mqtt_client import make_client
from sensors.mqtt_settings import MqttSettings

log = logging.getLogger(__name__)

__all__ = ["MqttAlertPublisher"]

DEFAULT_PREFIX = "aquarium"  # sensors/naming.py DEFAULT_TOPIC_PREFIX: the default topic scheme
QOS = 1
# Judgement: a day of events for a few tanks while the broker is away; then paho refuses more.
MAX_QUEUED = 1000


class MqttAlertPublisher:
    """A paho client of its own (clean session: it only publishes) for advice and events."""

    def __init__(
        self, broker: MqttSettings, *, client_id: str, prefix: str = DEFAULT_PREFIX
    ) -> None:
        self.host, self.port, self.prefix = broker.host, broker.port, prefix
        self._lock = threading.Lock()
        self._advice: dict[str, str] = {}  # tank -> the last advice published (without "at")
        self._pending: list[mqtt.MQTTMessageInfo] = []
        self._connected = threading.Event()
        self._closing = False
        # A clean session: it only publishes. paho reconnects by itself from loop_start().
        self.client = make_client(broker, client_id, max_queued=MAX_QUEUED)
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_message = self._on_message
        # Other sinks share this one connection (Home Assistant discovery): what they subscribe
        # to, and what they want done each time the connection is (re)made.
        self._handlers: dict[str, Callable[[str], None]] = {}
        self._on_connected: list[Callable[[], None]] = []

    def will(self, topic: str, payload: str) -> None:
        """The broker publishes PAYLOAD (retained) on TOPIC when this process dies; before start."""
        self.client.will_set(topic, payload, qos=QOS, retain=True)

    def subscribe(self, topic: str, handler: Callable[[str], None]) -> None:
        """Call HANDLER with the text of each message on TOPIC (subscribed on every connect)."""
        self._handlers[topic] = handler

    def when_connected(self, callback: Callable[[], None]) -> None:
        """Call CALLBACK after every (re)connect, from paho's thread."""
        self._on_connected.append(callback)

    def publish_text(self, topic: str, payload: str, *, retain: bool) -> None:
        """Publish PAYLOAD as it is (an empty retained payload deletes a retained message)."""
        with self._lock:
            self._send(topic, payload, retain=retain)

    def start(self) -> None:
        """Connect in the background; messages published before that wait in paho's queue."""
        self.client.connect_async(self.host, self.port)
        self.client.loop_start()

    def wait_connected(self, timeout: float) -> bool:
        """Block until connected, or TIMEOUT passes."""
        return self._connected.wait(timeout)

    def advice_topic(self, tank: str) -> str:
        return f"{self.prefix}/{tank}/advice"

    def alerts_topic(self, tank: str) -> str:
        return f"{self.prefix}/{tank}/alerts"

    def deliver(self, verdict: Verdict, notices: Sequence[Notice]) -> None:
        """Publish the verdict when it changed, and one event per notice; returns at once."""
        advice = verdict.to_json_dict()
        # Unchanged advice is not re-sent every minute: only its "at" would differ.
        key = json.dumps({k: v for k, v in advice.items() if k != "at"}, sort_keys=True)
        with self._lock:
            if self._advice.get(verdict.tank) != key:
                self._advice[verdict.tank] = key
                self._publish(self.advice_topic(verdict.tank), advice, retain=True)
            for notice in notices:
                self._publish(self.alerts_topic(notice.tank), notice.to_json_dict(), retain=False)

    def close(self, timeout: float = 5.0) -> None:
        """Wait (up to TIMEOUT) for the broker to confirm what was published, then disconnect."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                self._pending = [i for i in self._pending if _awaiting_ack(i)]
                if not self._pending:
                    break
            time.sleep(0.05)
        else:
            log.warning(
                "stopped with %d alert message(s) unconfirmed by the broker", len(self._pending)
            )
        self._closing = True
        self.client.disconnect()
        self.client.loop_stop()

    def _publish(self, topic: str, body: dict[str, Any], *, retain: bool) -> None:
        self._send(topic, json.dumps(body, ensure_ascii=False), retain=retain)

    def _send(self, topic: str, payload: str, *, retain: bool) -> None:
        info = self.client.publish(topic, payload, qos=QOS, retain=retain)
        if info.rc == mqtt.MQTT_ERR_QUEUE_SIZE:
            log.error("MQTT queue full while the broker is away; dropped a message for %s", topic)
            return
        self._pending = [i for i in self._pending if _awaiting_ack(i)] + [info]

    def _on_connect(
        self, _client: mqtt.Client, _userdata: Any, _flags: Any, reason: Any, _props: Any
    ) -> None:
        if reason.is_failure:
            log.error("the MQTT broker refused the alert publisher: %s", reason)
            return
        with self._lock:
            # A broker without persistence forgets retained messages on restart: send again.
            self._advice.clear()
        self._connected.set()
        log.info("alert publisher connected to %s:%d", self.host, self.port)
        for topic in self._handlers:
            self.client.subscribe(topic, qos=QOS)
        for callback in self._on_connected:
            try:
                callback()
            except Exception:  # one sink's bug must not stop the connection's other work
                log.exception("a connect callback of the alert publisher failed")

    def _on_message(self, _client: mqtt.Client, _userdata: Any, message: mqtt.MQTTMessage) -> None:
        handler = self._handlers.get(message.topic)
        if handler is None:
            return
        try:
            handler(message.payload.decode("utf-8", errors="replace"))
        except Exception:
            log.exception("handling a message on %s failed", message.topic)

    def _on_disconnect(
        self, _client: mqtt.Client, _userdata: Any, _flags: Any, reason: Any, _props: Any
    ) -> None:
        if self._connected.is_set() and not self._closing:
            log.warning("alert publisher lost the MQTT broker (%s); paho reconnects", reason)
        self._connected.clear()


def _awaiting_ack(info: mqtt.MQTTMessageInfo) -> bool:
    # A message published while the broker is away keeps rc NO_CONN for good (paho resends it
    # on reconnect) and is_published() raises for it: only sent messages can be waited on.
    return info.rc == mqtt.MQTT_ERR_SUCCESS and not info.is_published()
