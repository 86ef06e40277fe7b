"""DS18B20 probes on a Raspberry Pi: read the Linux 1-wire tree and publish each reading over MQTT.

Wiring: the probe's data line to GPIO4 with a 4.7 kOhm pull-up to 3.3 V, and `dtoverlay=w1-gpio`
in the Pi's boot config. The kernel then shows each probe as /sys/bus/w1/devices/28-<id>/w1_slave:

    72 01 4b 46 7f ff 0e 10 57 : crc=57 YES
    72 01 4b 46 7f ff 0e 10 57 t=23125

The first line ends in YES when the CRC matched; t= is the temperature in millidegrees C.
"""

from __future__ import annotations

import logging
import queue
import re
import threading
import time
from collections import deque
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt

from sensors.catalogue import PARAMETERS
from sensors.errors import SensorError
from sensors.mqtt_client import make_client
from sensors.mqtt_settings import MqttSettings
from sensors.naming import default_topic
from sensors.simulator import reading_payload

log = logging.getLogger(__name__)

W1_DEVICES = Path("/sys/bus/w1/devices")
# Judgement: water temperature should move under 2 degC a day (DOMAIN.md, Temperature), so a
# reading a minute shows every heater cycle without filling the database.
DEFAULT_INTERVAL_S = 60.0
DEFAULT_BUFFER = 10_000  # the config's [ds18b20] buffer_size default
# DOMAIN.md, Sensors and their quirks: a DS18B20 reads exactly 85.0 at power-up.
POWER_ON_MILLIDEGREES = 85_000
# QoS 1 messages handed to paho and not yet acknowledged: wide enough to drain a backlog quickly,
# small enough that what paho holds beyond the bounded buffer stays small.
IN_FLIGHT = 50
# How long a stopping publisher (or --once) waits for the broker to take what is buffered.
DRAIN_TIMEOUT_S = 15.0
_TEMPERATURE = re.compile(r"\bt=(-?\d+)\s*$")


class W1Unavailable(SensorError):
    """No 1-wire tree, or no probe on it: wiring or boot configuration the keeper can fix."""


class ProbeSkipped(Exception):
    """This round's reading of one probe is unusable; KIND is crc, power_on or unreadable."""

    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason


@dataclass(frozen=True)
class ProbeReading:
    """One good reading of one probe, stamped when it was read."""

    probe: str
    celsius: float
    time: datetime


@dataclass
class ProbeStats:
    """What a run did, for logs, the command's summary and tests."""

    rounds: int = 0
    readings: int = 0
    crc_failures: int = 0
    power_on: int = 0
    unreadable: int = 0
    published: int = 0  # acknowledged by the broker
    dropped: int = 0  # pushed out of the full buffer, oldest first
    unsent: int = 0  # still buffered or unacknowledged when the publisher stopped

    def skipped(self) -> int:
        """Readings refused this run, for any reason."""
        return self.crc_failures + self.power_on + self.unreadable


def parse_w1_slave(text: str) -> float:
    """Degrees C from a w1_slave file; ProbeSkipped says why there is no reading."""
    lines = text.strip().splitlines()
    if len(lines) < 2:
        raise ProbeSkipped("unreadable", f"w1_slave has {len(lines)} line(s) instead of 2")
    if not lines[0].rstrip().endswith("YES"):
        raise ProbeSkipped("crc", "CRC check failed: noise on the bus or a loose wire")
    found = _TEMPERATURE.search(lines[1])
    if found is None:
        raise ProbeSkipped("unreadable", "no t=<millidegrees> on the second line")
    millidegrees = int(found.group(1))
    if millidegrees == POWER_ON_MILLIDEGREES:
        raise ProbeSkipped("power_on", "85.0 °C is the power-on value, not a reading")
    return millidegrees / 1000.0


def find_probes(w1_dir: Path) -> list[str]:
    """Ids of the DS18B20 probes (family 28) the kernel lists under W1_DIR, sorted."""
    if not w1_dir.is_dir():
        raise W1Unavailable(
            f"no 1-wire folder at {w1_dir}; add dtoverlay=w1-gpio to the Pi's boot config and "
            "reboot, or pass --w1-dir"
        )
    return sorted(entry.name for entry in w1_dir.glob("28-*"))


def read_round(w1_dir: Path, probes: Collection[str], stats: ProbeStats) -> list[ProbeReading]:
    """Read each of PROBES once; skipped readings are logged and counted in STATS."""
    readings = []
    for probe in probes:
        try:
            text = (w1_dir / probe / "w1_slave").read_text(encoding="ascii", errors="replace")
            celsius = parse_w1_slave(text)
        except OSError as exc:  # unplugged between listing and reading, or no w1_therm driver
            skip = ProbeSkipped("unreadable", f"cannot read it ({exc.strerror or exc})")
        except ProbeSkipped as exc:
            skip = exc
        else:
            # Reading w1_slave makes the probe convert (about 750 ms): stamp it afterwards.
            readings.append(ProbeReading(probe, celsius, datetime.now(UTC)))
            stats.readings += 1
            continue
        counter = {"crc": "crc_failures", "power_on": "power_on"}.get(skip.kind, "unreadable")
        setattr(stats, counter, getattr(stats, counter) + 1)
        log.warning("probe %s skipped: %s (%d skipped so far)", probe, skip, stats.skipped())
    stats.rounds += 1
    return readings


def probe_topics(tank: str, probes: Collection[str], names: Mapping[str, str]) -> dict[str, str]:
    """Topic per probe: the configured name, else "temperature" for a lone probe, else its id."""
    alone = len(probes) == 1 and "temperature" not in names.values()
    return {
        probe: default_topic(tank, names.get(probe) or ("temperature" if alone else probe))
        for probe in probes
    }


class BufferedPublisher:
    """QoS 1 publishing through a bounded buffer that outlasts broker outages, in order.

    Readings wait in a deque (the oldest dropped when full) and go to paho only while connected,
    at most IN_FLIGHT unacknowledged. After a reconnect paho first resends what was in flight;
    newer readings follow once those are acknowledged, so the broker sees them in order.
    """

    def __init__(
        self, broker: MqttSettings, client_id: str, *, buffer_size: int, reconnect_max_s: float
    ) -> None:
        self.stats = ProbeStats()
        self._buffer: deque[tuple[str, bytes]] = deque(maxlen=buffer_size)
        self._in_flight: dict[int, int] = {}  # mid -> connection it was sent on
        self._acked: queue.SimpleQueue[int] = queue.SimpleQueue()
        self._connected = threading.Event()
        self._progress = threading.Event()
        self._generation = 0
        self._where = f"{broker.host}:{broker.port}"
        # One publisher per Pi: no herd of clients to spread out, so paho's own doubling
        # backoff (1 s up to RECONNECT_MAX_S) is enough.
        client = make_client(broker, client_id, reconnect_max_s=reconnect_max_s)
        client.max_inflight_messages_set(IN_FLIGHT)
        client.on_connect = self._on_connect
        client.on_connect_fail = self._on_connect_fail
        client.on_disconnect = self._on_disconnect
        client.on_publish = self._on_publish
        client.connect_async(broker.host, broker.port, keepalive=30)
        client.loop_start()
        self._client = client

    def add(self, topic: str, payload: bytes) -> None:
        """Queue one message; when the buffer is full the oldest reading is dropped."""
        if len(self._buffer) == self._buffer.maxlen:
            self.stats.dropped += 1
            # Once, then every 100th: a long outage must not flood the journal.
            if self.stats.dropped == 1 or self.stats.dropped % 100 == 0:
                log.warning(
                    "buffer full (%d readings): dropping the oldest, %d dropped so far",
                    len(self._buffer),
                    self.stats.dropped,
                )
        self._buffer.append((topic, payload))

    def pending(self) -> int:
        """Messages not yet acknowledged by the broker."""
        self._collect_acks()
        return len(self._buffer) + len(self._in_flight)

    def flush(self) -> None:
        """Hand buffered messages to paho while connected and the in-flight window allows."""
        self._collect_acks()
        if not self._connected.is_set():
            return
        current = self._generation
        if any(sent != current for sent in self._in_flight.values()):
            return  # paho is resending the last connection's messages; newer ones wait
        while self._buffer and len(self._in_flight) < IN_FLIGHT:
            topic, payload = self._buffer[0]
            info = self._client.publish(topic, payload, qos=1)
            # NO_CONN: the link dropped just now; paho keeps the message and resends it.
            if info.rc not in (mqtt.MQTT_ERR_SUCCESS, mqtt.MQTT_ERR_NO_CONN):
                log.warning("paho refused a message (%s); retrying", mqtt.error_string(info.rc))
                return
            self._buffer.popleft()
            self._in_flight[info.mid] = current

    def wait(self, timeout: float) -> None:
        """Sleep until the broker acknowledges something, (re)connects, or TIMEOUT passes."""
        self._progress.wait(timeout)
        self._progress.clear()

    def drain(self, timeout: float) -> bool:
        """Send everything buffered; False if TIMEOUT passed first."""
        deadline = time.monotonic() + timeout
        while self.pending() and time.monotonic() < deadline:
            self.flush()
            self.wait(min(0.2, max(0.0, deadline - time.monotonic())))
        return self.pending() == 0

    def close(self) -> ProbeStats:
        """Disconnect; what was not acknowledged is counted as unsent."""
        self.stats.unsent = self.pending()
        self._client.disconnect()
        self._client.loop_stop()
        return self.stats

    def _collect_acks(self) -> None:
        # Acks arrive on paho's thread, which holds its own lock while calling on_publish;
        # a queue lets this thread match them without sharing a lock with paho.
        while True:
            try:
                mid = self._acked.get_nowait()
            except queue.Empty:
                return
            if self._in_flight.pop(mid, None) is not None:
                self.stats.published += 1

    def _on_connect(self, _c: mqtt.Client, _u: Any, _f: Any, reason: Any, _p: Any) -> None:
        if reason.is_failure:
            log.error("the MQTT broker at %s refused the connection: %s", self._where, reason)
            return
        self._generation += 1
        self._connected.set()
        self._progress.set()
        log.info("connected to %s; %d readings waiting", self._where, len(self._buffer))

    def _on_connect_fail(self, _c: mqtt.Client, _u: Any) -> None:
        log.warning("cannot reach the MQTT broker at %s; keeping readings", self._where)

    def _on_disconnect(self, _c: mqtt.Client, _u: Any, _f: Any, reason: Any, _p: Any) -> None:
        if self._connected.is_set():
            log.warning("lost the MQTT broker at %s (%s); keeping readings", self._where, reason)
        self._connected.clear()

    def _on_publish(self, _c: mqtt.Client, _u: Any, mid: int, _r: Any, _p: Any) -> None:
        self._acked.put(mid)
        self._progress.set()


def run_ds18b20(
    broker: MqttSettings,
    tank: str,
    *,
    client_id: str,
    w1_dir: Path = W1_DEVICES,
    interval_s: float = DEFAULT_INTERVAL_S,
    once: bool = False,
    names: Mapping[str, str] | None = None,
    routed_topics: Collection[str] = (),
    buffer_size: int = DEFAULT_BUFFER,
    stop: threading.Event | None = None,
    drain_timeout_s: float | None = None,
    reconnect_max_s: float = 30.0,
) -> ProbeStats:
    """Read all probes every INTERVAL_S seconds (one round with ONCE) and publish them.

    Each reading carries its own time, so buffered readings are stored when they were taken.
    ROUTED_TOPICS are topics aquarium.toml maps to a parameter; other non-parameter topics get
    a warning, because the daemon would refuse them.
    """
    stop = stop or threading.Event()
    names = names or {}
    # A missing tree, or --once with no probe, is the keeper's to fix: say so before connecting.
    if not find_probes(w1_dir) and once:
        raise W1Unavailable(f"no DS18B20 probe under {w1_dir}; check the wiring and the pull-up")
    publisher = BufferedPublisher(
        broker, client_id, buffer_size=buffer_size, reconnect_max_s=reconnect_max_s
    )
    warned: set[str] = set()
    next_round = time.monotonic()
    try:
        while not stop.is_set():
            probes = find_probes(w1_dir)
            if not probes:
                log.warning("no DS18B20 probe under %s; check the wiring and the pull-up", w1_dir)
            topics = probe_topics(tank, probes, names)
            for reading in read_round(w1_dir, probes, publisher.stats):
                topic = topics[reading.probe]
                _warn_if_unrouted(topic, routed_topics, warned)
                payload = reading_payload(reading.celsius, "temperature", reading.time)
                publisher.add(topic, payload)
            publisher.flush()
            if once:
                break
            # Keep sending between rounds, so a returning broker gets the backlog at once. After
            # a stall (a suspended machine) skip the missed rounds rather than race through them.
            next_round = max(next_round + interval_s, time.monotonic())
            while not stop.is_set() and (remaining := next_round - time.monotonic()) > 0:
                publisher.flush()
                publisher.wait(min(0.2, remaining))
        # Also after a stop: a few seconds' grace before what is buffered is given up.
        publisher.drain(DRAIN_TIMEOUT_S if drain_timeout_s is None else drain_timeout_s)
    finally:
        stats = publisher.close()
    return stats


def _warn_if_unrouted(topic: str, routed: Collection[str], warned: set[str]) -> None:
    if topic.rsplit("/", 1)[-1] in PARAMETERS or topic in routed or topic in warned:
        return
    warned.add(topic)
    log.warning(
        "the daemon refuses %s unless aquarium.toml has a [[sensors]] entry with this topic "
        'and parameter = "temperature", or [ds18b20] probes names the probe "temperature"',
        topic,
    )
