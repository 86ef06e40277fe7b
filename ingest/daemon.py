"""The ingestion daemon: messages in, rows committed, then acks out; bad input never stops it."""

from __future__ import annotations

import hashlib
import logging
import threading
from datetime import UTC, datetime

import paho.mqtt.client as mqtt

from db.availability import AvailabilityChange
from db.dead_letters import DeadLetter, excerpt
from db.deliveries import Delivery
from db.readings import NewReading
from ingest.admission import TankAdmission
from ingest.batcher import Batcher, IngestStats, PendingMessage, Store
from ingest.mqtt_session import MqttSession
from ingest.routing import Availability, Rejected, RoutedValue, Router

log = logging.getLogger(__name__)

# A fixed client id is what makes the session persistent: the broker keeps our queue under it.
DEFAULT_CLIENT_ID = "aquarium-ingest"


def content_key(topic: bytes, payload: bytes) -> int:
    """A signed 64-bit hash of a message's topic and payload (db/deliveries.py's window)."""
    digest = hashlib.blake2b(topic + b"\0" + payload, digest_size=8)
    return int.from_bytes(digest.digest(), "big", signed=True)


class IngestDaemon:
    """Wires an MQTT session, the router and a store together."""

    def __init__(
        self,
        *,
        store: Store,
        router: Router,
        session: MqttSession,
        share_group: str | None = None,
        max_batch: int = 500,
        max_delay_s: float = 0.05,
        max_pending: int = 20_000,
        admission: TankAdmission | None = None,
    ) -> None:
        self.router = router
        self.admission = admission
        self.topics = router.subscriptions()
        if share_group:  # several workers split one subscription ($share, MQTT 5 / Mosquitto)
            self.topics = [f"$share/{share_group}/{t}" for t in self.topics]
        self.session = session
        self.batcher = Batcher(
            store,
            lambda batch: self.session.ack_all((m.mid, m.qos, m.generation) for m in batch),
            max_batch=max_batch,
            max_delay_s=max_delay_s,
            max_pending=max_pending,
        )
        self._writer = threading.Thread(target=self.batcher.run, name="writer", daemon=True)

    @property
    def stats(self) -> IngestStats:
        """Counters since start."""
        return self.batcher.stats

    def start(self) -> None:
        """Start the writer and the MQTT session threads."""
        self._writer.start()
        self.session.start(self.topics, self._on_message)

    def stop(self) -> None:
        """Stop taking messages, commit and ack what is queued, disconnect."""
        self.batcher.stop()
        self._writer.join(timeout=30)
        self.session.stop()
        log.info(
            "stopped: %d messages received; %d readings stored, %d duplicates skipped, "
            "%d messages refused, %d without readings (advice, availability, retained)",
            self.stats.received,
            self.stats.stored,
            self.stats.duplicates,
            self.stats.rejected,
            self.stats.ignored,
        )

    def _on_message(self, message: mqtt.MQTTMessage, generation: int) -> None:
        # This runs on the network thread for every message, sharing the interpreter lock with
        # the writer: each microsecond here is one the daemon's throughput pays for.
        received = datetime.now(UTC)
        payload = bytes(message.payload)  # paho types it bytes | bytearray
        raw_topic = bytes(message._topic)  # raw: a non-UTF-8 topic must be refused, not crash
        topic = raw_topic.decode("utf-8", errors="backslashreplace")
        readings: list[NewReading] = []
        letter: DeadLetter | None = None
        availability: AvailabilityChange | None = None
        try:
            routed = self.router.route(topic, payload, received)
            if type(routed) is list:
                if self.admission is not None:
                    for value in routed:
                        self.admission.check(value.tank)
                if message.retain:
                    # A retained message is the broker's copy of an old state, replayed at every
                    # (re)subscription: without the device's own time it would be stored again,
                    # at the wrong time, on each reconnect. With a device time the (sensor, time)
                    # key dedups it.
                    routed = [v for v in routed if v.device_time]
                if routed:
                    readings = self._readings(message, raw_topic, topic, payload, received, routed)
            elif isinstance(routed, Availability):
                # Committed with the batch, like a reading, and only then acked.
                availability = AvailabilityChange(routed.topics, routed.online, received)
        except Rejected as exc:
            letter = _letter(received, topic, payload, exc.reason)
            readings = []
        except Exception as exc:  # a bug must cost one message, not the daemon
            log.exception("unexpected error routing a message on %s", topic[:80])
            letter = _letter(received, topic, payload, f"internal error ({type(exc).__name__})")
            readings = []
        self.batcher.add(
            PendingMessage(message.mid, message.qos, generation, readings, letter, availability)
        )

    def _readings(
        self,
        message: mqtt.MQTTMessage,
        raw_topic: bytes,
        topic: str,
        payload: bytes,
        received: datetime,
        values: list[RoutedValue],
    ) -> list[NewReading]:
        delivery = None  # QoS 0 is never redelivered; a device time needs no delivery key
        if message.qos > 0:
            for value in values:  # a loop, not all(): a generator per message costs more
                if not value.device_time:
                    delivery = Delivery(
                        self.session.client_id,
                        message.mid,
                        content_key(raw_topic, payload),
                        bool(message.dup),
                    )
                    break
        # Positional: a named tuple's keywords cost more than the tuple itself.
        return [
            NewReading(
                v.tank,
                v.parameter,
                v.value,
                v.time,
                received,
                topic,
                v.field,
                None if v.device_time else delivery,
                payload,
            )
            for v in values
        ]


def _letter(received: datetime, topic: str, payload: bytes, reason: str) -> DeadLetter:
    return DeadLetter(
        time=received,
        topic=topic,
        payload=excerpt(payload),
        payload_size=len(payload),
        reason=reason,
    )
