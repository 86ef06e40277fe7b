"""`aquarium simulate`: publishes a virtual tank's sensors to the default topics over MQTT."""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import paho.mqtt.client as mqtt

from sensors.catalogue import PARAMETERS
from sensors.keeper_routine import DEMO_SPEC, replay
from sensors.mqtt_client import make_client
from sensors.mqtt_settings import MqttSettings
from sensors.naming import default_topic
from sensors.times import iso_utc
from sensors.virtual_tank import Fault, VirtualTank

log = logging.getLogger(__name__)


def reading_payload(value: float, parameter: str, time: datetime | None) -> bytes:
    """The default scheme's JSON payload: {"value", "unit", "time"?}."""
    body: dict[str, object] = {"value": round(value, 4), "unit": PARAMETERS[parameter].unit}
    if time is not None:
        body["time"] = iso_utc(time)
    return json.dumps(body).encode()


def connect_publisher(broker: MqttSettings, client_id: str) -> mqtt.Client:
    """A started paho client that reconnects by itself and queues QoS 1 messages meanwhile."""
    client = make_client(broker, client_id, max_queued=100_000)
    client.connect_async(broker.host, broker.port, keepalive=30)
    client.loop_start()
    return client


@dataclass(frozen=True)
class SimulationResult:
    """Readings handed to the MQTT client, and how many of them the broker confirmed."""

    published: int
    confirmed: int


def run_simulator(
    broker: MqttSettings,
    tank: str,
    *,
    interval_s: float = 10.0,
    speed: float = 1.0,
    seed: int = 0,
    faults: Iterable[Fault] = (),
    rounds: int | None = None,
    stop: threading.Event | None = None,
    history: timedelta | None = None,
) -> SimulationResult:
    """Publish every sensor of a virtual tank each INTERVAL_S seconds.

    SPEED > 1 runs the model faster than the clock (days in minutes); its times are then not the
    wall clock, so they are left out and the daemon stamps the receive time. HISTORY replays that
    much of the keeper's routine first, so live values continue a backfilled history.
    """
    stop = stop or threading.Event()
    start = datetime.now(UTC)
    model = VirtualTank(
        DEMO_SPEC, seed=seed, start=start - (history or timedelta(0)), faults=faults
    )
    if history:
        replay(model, start)
    # A publisher needs no persistent session: a unique id keeps two simulators from
    # disconnecting each other.
    client = connect_publisher(broker, f"aquarium-sim-{tank}-{os.getpid()}")
    confirmed = threading.Semaphore(0)  # one release per PUBACK, offline-queued ones included
    client.on_publish = lambda *_args: confirmed.release()
    published = acked = 0
    done = 0
    try:
        while not stop.is_set() and (rounds is None or done < rounds):
            stamp = datetime.now(UTC) if speed == 1 else None
            for parameter, value in model.sensor_readings().items():
                if value is None:  # a dropout: the sensor says nothing this round
                    continue
                info = client.publish(
                    default_topic(tank, parameter),
                    reading_payload(value, parameter, stamp),
                    qos=1,
                )
                if info.rc in (mqtt.MQTT_ERR_SUCCESS, mqtt.MQTT_ERR_NO_CONN):
                    published += 1  # NO_CONN: queued, sent when the broker is back
            done += 1
            model.advance(interval_s * speed)
            if rounds is None or done < rounds:
                stop.wait(interval_s)
        # Give the broker time to confirm what is still in flight before closing.
        deadline = time.monotonic() + 15
        while acked < published:
            if not confirmed.acquire(timeout=max(0.0, deadline - time.monotonic())):
                break
            acked += 1
        while confirmed.acquire(blocking=False):
            acked += 1
    finally:
        client.disconnect()
        client.loop_stop()
    return SimulationResult(published, acked)
