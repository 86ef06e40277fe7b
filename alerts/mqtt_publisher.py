"""Alerts over MQTT, for Home Assistant and Node-RED: retained advice and alert events.

`aquarium/<tank>/advice`: the advisor's verdict as `aquarium advise --json` prints it, retained,
so a subscriber that connects later still gets the current state. Anyone allowed to publish can
leave a retained message there too, so the daemon republishes its own advice at every round and
at once when another client's lands on a topic it owns (deploy/mosquitto.acl stops them at the
broker). `aquarium/<tank>/alerts`: one
JSON event per notice (fired, repeat, resolved), not retained: events happen once. Both QoS 1.
The ingest daemon ignores these topics (sensors/naming.py OWN_TOPICS).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import deque
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
# At most one correction per tank this often (a later one waits for its turn): two installations
# sharing a prefix on one broker would otherwise overwrite each other's advice in a tight loop.
CORRECTION_GAP_S = 5.0


class MqttAlertPublisher:
    """A paho client of its own (clean session: it only publishes) for advice and events."""

    def __init__(
        self, broker: MqttSettings, *, client_id: str, prefix: str = DEFAULT_PREFIX
    ) -> None:
        self.host, self.port, self.prefix = broker.host, broker.port, prefix
        self._lock = threading.Lock()
        self._advice: dict[str, str] = {}  # tank -> the payload of the last advice published
        # tank -> payloads published lately: our own messages come back to us, the older ones
        # possibly after a newer one was sent.
        self._recent: dict[str, deque[bytes]] = {}
        self._corrected: dict[str, float] = {}  # tank -> when a forged advice was last replaced
        self._waiting: dict[str, threading.Timer] = {}  # corrections waiting for their turn
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
        """Publish the verdict (every round: a forged retained one must not stay) and one event
        per notice; returns at once."""
        with self._lock:
            payload = json.dumps(verdict.to_json_dict(), ensure_ascii=False)
            self._advice[verdict.tank] = payload
            self._recent.setdefault(verdict.tank, deque(maxlen=8)).append(payload.encode())
            self._send(self.advice_topic(verdict.tank), payload, retain=True)
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
        with self._lock:
            for timer in self._waiting.values():
                timer.cancel()
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
            for tank, payload in self._advice.items():
                self._send(self.advice_topic(tank), payload, retain=True)
        # Watch the advice topics: what arrives there that is not ours is someone else's.
        self.client.subscribe(self.advice_topic("+"), qos=QOS)
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
            levels = message.topic.split("/")
            if len(levels) == 3 and levels[0] == self.prefix and levels[2] == "advice":
                self._check_advice(levels[1], message)
            return
        try:
            handler(message.payload.decode("utf-8", errors="replace"))
        except Exception:
            log.exception("handling a message on %s failed", message.topic)

    def _check_advice(self, tank: str, message: mqtt.MQTTMessage) -> None:
        """Replace advice on TANK's topic that this daemon did not publish with its own."""
        with self._lock:
            ours = self._advice.get(tank)
            if ours is None or message.payload in self._recent.get(tank, ()):
                return  # not a tank of ours (yet), or one of our own messages coming back
            first = tank not in self._corrected
            wait = self._corrected.get(tank, -CORRECTION_GAP_S) + CORRECTION_GAP_S
            wait -= time.monotonic()
            if wait > 0:
                if tank not in self._waiting:
                    timer = threading.Timer(wait, self._correct, (tank, message.topic))
                    timer.daemon = True
                    self._waiting[tank] = timer
                    timer.start()
                return
            self._correct_locked(tank, message.topic)
        if first:
            log.warning(
                "another client published advice on %s; replaced it with this daemon's. Restrict "
                "who may publish there with a Mosquitto ACL (README, deploy/mosquitto.acl)",
                message.topic,
            )

    def _correct(self, tank: str, topic: str) -> None:
        with self._lock:
            self._waiting.pop(tank, None)
            if not self._closing:
                self._correct_locked(tank, topic)

    def _correct_locked(self, tank: str, topic: str) -> None:
        self._corrected[tank] = time.monotonic()
        self._send(topic, self._advice[tank], retain=True)

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
