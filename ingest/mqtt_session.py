"""The daemon's MQTT session: persistent, QoS 1, manual acks, capped and jittered reconnects."""

from __future__ import annotations

import collections
import contextlib
import logging
import random
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import paho.mqtt.client as mqtt

from sensors.mqtt_client import make_client
from sensors.mqtt_settings import MqttSettings

log = logging.getLogger(__name__)

# Reconnect delays: full jitter between 0 and min(cap, base * 2^attempt), so many daemons
# restarted together do not hammer the broker in step (AWS architecture blog, "Exponential
# Backoff And Jitter"). paho's own reconnect loop doubles without jitter, so we drive it here.
BACKOFF_BASE_S = 0.5
BACKOFF_CAP_S = 30.0
# How long a clean stop waits for its last acks to leave (a busy broker reads slowly).
FLUSH_S = 5.0
# paho's loop() reads one packet per call, each behind a select() and the loop's bookkeeping;
# while messages keep arriving the session reads on, up to this many, before acks and keepalive
# get their turn again (a backlog of small readings: about a fifth of the network thread's time).
READ_BURST = 64


def backoff_delay(attempt: int, rng: random.Random) -> float:
    """Seconds to wait before reconnect attempt ATTEMPT (0-based)."""
    return rng.uniform(0, min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2**attempt))


MessageHandler = Callable[[mqtt.MQTTMessage, int], None]


class MqttSession:
    """Keeps one persistent MQTT session alive and hands each message to the handler.

    Messages are acknowledged only through ack(), after they are stored. Every committed message
    of the current connection is acked, including those that arrive before the broker confirms
    the subscription: a resumed session's queue comes ahead of the SUBACK, and dropping those acks
    filled the broker's in-flight window and stalled the backlog for good. The generation counter
    changes before every connection attempt, so an ack is never sent for a message of an earlier
    connection (the broker redelivers those with DUP set).

    Acks are queued by the writer thread and sent by the network thread: paho's client is not
    safe to write from two threads, and the generation is only ever read and changed there.
    """

    def __init__(self, settings: MqttSettings, client_id: str, *, keepalive: int = 30) -> None:
        self.host, self.port = settings.host, settings.port
        self.client_id = client_id
        self.topics: list[str] = []
        self.keepalive = keepalive
        self._handler: MessageHandler | None = None
        self._generation = 0
        self._acks: collections.deque[tuple[int, int]] = collections.deque()
        self._handled = 0  # messages handed to the handler (network thread only)
        self.acks_sent = 0
        self.acks_skipped = 0  # committed after their connection ended: the broker resends them
        self._stop = threading.Event()
        self._connected = threading.Event()
        self._rng = random.Random()
        self._auth_error: str | None = None
        # Persistent: the broker queues QoS 1 messages while we are away. Manual acks: a
        # message is acked only after its row commits. Reconnects are ours (jittered, below).
        self.client = make_client(
            settings, client_id, persistent=True, manual_ack=True, reconnect_max_s=None
        )
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_message = self._on_message
        self.client.on_subscribe = self._on_subscribe
        self._subscribe_mid: int | None = None
        self._connections = 0
        self.sessions_lost = 0  # reconnects where the broker had dropped our queued messages
        self._thread = threading.Thread(target=self._loop, name="mqtt", daemon=True)

    @property
    def connected(self) -> bool:
        """Whether the session is up right now."""
        return self._connected.is_set()

    def wait_connected(self, timeout: float) -> bool:
        """Block until connected and subscribed, or TIMEOUT passes."""
        return self._connected.wait(timeout)

    @property
    def running(self) -> bool:
        """Whether the session thread runs (started and not stopped)."""
        return self._thread.is_alive()

    def start(self, topics: list[str], on_message: MessageHandler) -> None:
        """Subscribe to TOPICS, hand each message to ON_MESSAGE; reconnect in the background."""
        self.topics, self._handler = list(topics), on_message
        self._thread.start()

    def stop(self) -> None:
        """Disconnect cleanly; unacked messages stay with the broker for next time."""
        self._stop.set()
        self._thread.join(timeout=10)

    def ack(self, mid: int, qos: int, generation: int) -> None:
        """Acknowledge a stored message, unless it came on an earlier connection (thread-safe)."""
        self.ack_all([(mid, qos, generation)])

    def ack_all(self, messages: Iterable[tuple[int, int, int]]) -> None:
        """ack() each (mid, qos, generation) in order, waking the network thread once (thread-safe).

        A wake is a system call: one per message was 4 % of the daemon's time draining a backlog.
        """
        acks = [(mid, generation) for mid, qos, generation in messages if qos]
        if not acks:
            return
        self._acks.extend(acks)
        wake = getattr(self.client, "_sockpairW", None)  # interrupts paho's select() at once
        if wake is not None:
            # Full or closed: the loop wakes within its timeout anyway.
            with contextlib.suppress(OSError):
                wake.send(b"\0")

    def _send_acks(self) -> None:
        if not self._acks:
            return
        # A batch's PUBACKs leave in as few TCP segments as fit: paho writes each with its own
        # send(), and uncorked every 4-byte ack was a segment the broker had to take in alone.
        with _corked(self.client.socket()):
            while self._acks:
                mid, generation = self._acks.popleft()
                # paho queues an ack even without a connection, and drops it at the next connect.
                current = generation == self._generation and self.client.is_connected()
                if current and self.client.ack(mid, 1) == 0:
                    self.acks_sent += 1
                else:
                    self.acks_skipped += 1

    def _read_on(self) -> mqtt.MQTTErrorCode:
        """Read more packets while each one read is a message, up to READ_BURST; paho's rc."""
        for _ in range(READ_BURST):
            handled = self._handled
            rc = self.client.loop_read()  # at most one packet; nothing waiting is not an error
            if rc != mqtt.MQTT_ERR_SUCCESS or self._handled == handled:
                return rc
        return mqtt.MQTT_ERR_SUCCESS

    def _loop(self) -> None:
        attempt = 0
        while not self._stop.is_set():
            self._generation += 1  # before the attempt: no earlier ack may reach this connection
            connections_before = self._connections
            try:
                self.client.connect(self.host, self.port, keepalive=self.keepalive)
            except (OSError, ssl.SSLError) as exc:
                delay = backoff_delay(attempt, self._rng)
                log.warning(
                    "cannot reach the MQTT broker at %s:%d (%s); retrying in %.1f s",
                    self.host,
                    self.port,
                    exc,
                    delay,
                )
                attempt += 1
                self._stop.wait(delay)
                continue
            while not self._stop.is_set():
                try:
                    self._send_acks()
                    rc = self.client.loop(timeout=0.2)
                    if rc == mqtt.MQTT_ERR_SUCCESS:
                        rc = self._read_on()
                except Exception:  # a bug in a callback must not end the session thread
                    log.exception("error in the MQTT loop; reconnecting")
                    self.client.disconnect()
                    break
                if rc != mqtt.MQTT_ERR_SUCCESS:
                    break
            # A connection the broker accepted ends the outage: the next one backs off afresh.
            # (Not _connected: the disconnect callback has cleared it by the time loop() returns,
            # so the delays grew with every outage until they reached the cap.)
            if self._connections > connections_before:
                attempt = 0
            if self._stop.is_set():
                self._send_acks()  # what the writer committed while stopping
                self._flush(FLUSH_S)
                self.client.disconnect()
                self._flush(FLUSH_S)
                break
            delay = backoff_delay(attempt, self._rng)
            log.warning("lost the MQTT broker connection; reconnecting in %.1f s", delay)
            attempt += 1
            self._stop.wait(delay)

    def _flush(self, seconds: float) -> None:
        # Acks still in paho's buffer when the socket closes are lost: the broker would send
        # those messages again (stored once, but needlessly) after the next start.
        deadline = time.monotonic() + seconds
        while self.client.want_write() and time.monotonic() < deadline:
            if self.client.loop(timeout=0.1) != mqtt.MQTT_ERR_SUCCESS:
                return

    def _on_connect(
        self, client: mqtt.Client, _userdata: Any, flags: Any, reason: Any, _props: Any
    ) -> None:
        if reason.is_failure:
            hint = (
                "check the user and password in AQUARIUM_MQTT_URL"
                if "auth" in str(reason).lower() or "password" in str(reason).lower()
                else "check the broker's configuration"
            )
            log.error("the MQTT broker refused the connection: %s; %s", reason, hint)
            return
        self._connections += 1
        if self._connections > 1 and not flags.session_present:
            # The broker forgot our queue (restarted without persistence, or expired it): what
            # the sensors published while we were disconnected is gone, and nothing will say so.
            self.sessions_lost += 1
            log.error(
                "the broker at %s:%d kept no session for this daemon: readings published while "
                "it was disconnected were dropped; run Mosquitto with persistence "
                "(deploy/mosquitto.conf)",
                self.host,
                self.port,
            )
        # One SUBSCRIBE for all topics; "connected" is reported only once the broker confirms it,
        # so nothing published after wait_connected() can miss the subscription.
        _rc, self._subscribe_mid = client.subscribe([(topic, 1) for topic in self.topics])
        log.info(
            "connected to %s:%d (session %s), subscribed to %s",
            self.host,
            self.port,
            "resumed" if flags.session_present else "new",
            ", ".join(self.topics),
        )

    def _on_subscribe(
        self, _client: mqtt.Client, _userdata: Any, mid: int, reasons: list[Any], _props: Any
    ) -> None:
        if mid != self._subscribe_mid:
            return
        refused = [t for t, r in zip(self.topics, reasons, strict=False) if r.is_failure]
        if refused:
            log.error(
                "the broker refused the subscription to %s; check its ACL for this user",
                ", ".join(refused),
            )
        self._connected.set()

    def _on_disconnect(
        self, _client: mqtt.Client, _userdata: Any, _flags: Any, reason: Any, _props: Any
    ) -> None:
        self._connected.clear()
        if not self._stop.is_set():
            log.warning("disconnected from the MQTT broker: %s", reason)

    def _on_message(self, _client: mqtt.Client, _userdata: Any, message: mqtt.MQTTMessage) -> None:
        self._handled += 1
        if self._handler is not None:  # set by start(), before the thread that calls this runs
            self._handler(message, self._generation)


@contextlib.contextmanager
def _corked(sock: Any) -> Iterator[None]:
    """Hold back partial TCP segments on SOCK (Linux TCP_CORK) until the block ends."""
    cork = getattr(socket, "TCP_CORK", None)
    try:
        if cork is not None and sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, cork, 1)
        else:
            cork = None
    except (OSError, AttributeError):  # not a TCP socket (a test double, a closed socket)
        cork = None
    try:
        yield
    finally:
        if cork is not None:
            with contextlib.suppress(OSError):  # closed meanwhile: nothing left to send
                sock.setsockopt(socket.IPPROTO_TCP, cork, 0)
