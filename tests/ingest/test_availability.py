"""Availability: a device's LWT or status message marks its sensors offline or online at once."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from db.availability import AvailabilityChange, sensor_states
from db.dead_letters import list_dead_letters
from db.readings import BatchStore, NewReading, count_readings
from ingest.routing import Router, SensorRoute
from tests.conftest import DaemonFactory
from tests.support import Broker, publish_all, publisher, unique, wait_until


def online_flags(engine: Engine, tank: str) -> dict[str, bool | None]:
    """parameter -> the sensor's online flag, for TANK."""
    return {s.parameter: s.online for s in sensor_states(engine, tank)}


def tasmota_message(celsius: float, ph: float) -> bytes:
    """A SENSOR message as a Tasmota device with a DS18B20 and ADC pH sends it."""
    body = {"ANALOG": {"pH": ph}, "DS18B20": {"Temperature": celsius}, "TempUnit": "C"}
    return json.dumps(body).encode()


def test_tasmota_lwt_flips_the_devices_sensors_and_a_reading_brings_them_back(
    broker: Broker, engine: Engine, start_daemon: DaemonFactory
) -> None:
    """Offline marks both sensors of the device offline, Online or a new reading undoes it."""
    tank, device, other = unique("t"), unique("tas"), unique("tas")
    sensor_topic, lwt = f"tele/{device}/SENSOR", f"tele/{device}/LWT"
    start_daemon(
        [
            SensorRoute(sensor_topic, tank, "temperature", "tasmota", "DS18B20.Temperature"),
            SensorRoute(sensor_topic, tank, "ph", "tasmota", "ANALOG.pH"),
            SensorRoute(f"tele/{other}/SENSOR", tank, "flow", "tasmota", "Flow.Rate"),
        ]
    )
    all_online = {"temperature": True, "ph": True, "flow": True}
    with publisher(broker) as client:
        publish_all(
            client,
            [
                (sensor_topic, tasmota_message(24.5, 7.2)),
                (f"tele/{other}/SENSOR", b'{"Flow": {"Rate": 3.5}}'),
            ],
        )
        assert wait_until(lambda: online_flags(engine, tank) == all_online)
        publish_all(client, [(lwt, b"Offline")])
        expected = {"temperature": False, "ph": False, "flow": True}  # the other device is fine
        assert wait_until(lambda: online_flags(engine, tank) == expected)
        publish_all(client, [(lwt, b"Online")])
        assert wait_until(lambda: online_flags(engine, tank) == all_online)
        # In order: the reading published after Offline is the newer news.
        publish_all(client, [(lwt, b"Offline"), (sensor_topic, tasmota_message(24.6, 7.2))])
        assert wait_until(lambda: count_readings(engine, tank) == 5)
    assert online_flags(engine, tank) == all_online
    assert list_dead_letters(engine) == []


def test_esphome_status_offline_marks_every_sensor_of_the_node(
    broker: Broker, engine: Engine, start_daemon: DaemonFactory
) -> None:
    """<node>/status offline marks all the node's sensors offline; online marks them back."""
    tank, node = unique("t"), unique("node")
    start_daemon(
        [
            SensorRoute(f"{node}/sensor/water_temperature/state", tank, "temperature", "esphome"),
            SensorRoute(f"{node}/sensor/ph/state", tank, "ph", "esphome"),
        ]
    )
    with publisher(broker) as client:
        publish_all(
            client,
            [
                (f"{node}/sensor/water_temperature/state", b"24.6875"),
                (f"{node}/sensor/ph/state", b"7.31"),
            ],
        )
        assert wait_until(lambda: online_flags(engine, tank) == {"temperature": True, "ph": True})
        publish_all(client, [(f"{node}/status", b"offline")])
        assert wait_until(lambda: online_flags(engine, tank) == {"temperature": False, "ph": False})
        publish_all(client, [(f"{node}/status", b"online")])
        assert wait_until(lambda: online_flags(engine, tank) == {"temperature": True, "ph": True})


def test_a_status_word_that_is_neither_online_nor_offline_is_dead_lettered(
    broker: Broker, engine: Engine, start_daemon: DaemonFactory
) -> None:
    """An availability payload other than online/offline is refused with a reason, state kept."""
    tank, node = unique("t"), unique("node")
    topic = f"{node}/sensor/ph/state"
    start_daemon([SensorRoute(topic, tank, "ph", "esphome")])
    with publisher(broker) as client:
        publish_all(client, [(topic, b"7.0"), (f"{node}/status", b"rebooting")])
    assert wait_until(lambda: len(list_dead_letters(engine)) == 1)
    (letter,) = list_dead_letters(engine)
    assert letter.topic == f"{node}/status" and "online or offline" in letter.reason
    assert online_flags(engine, tank) == {"ph": True}


def test_in_one_batch_the_later_of_reading_and_offline_wins(engine: Engine) -> None:
    """Committed together, an offline message after a reading wins, and a reading after it wins."""
    store, tank, topic = BatchStore(engine), unique("t"), "tele/dev/SENSOR"
    start = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)

    def reading(second: int) -> NewReading:
        at = start + timedelta(seconds=second)
        return NewReading(tank, "temperature", 24.5, at, at, topic, "DS18B20.Temperature")

    def offline(second: int) -> AvailabilityChange:
        return AvailabilityChange((topic,), False, start + timedelta(seconds=second))

    store.write([reading(0)], [])
    assert online_flags(engine, tank) == {"temperature": True}
    store.write([], [], [offline(1)])
    assert online_flags(engine, tank) == {"temperature": False}
    store.write([reading(3)], [], [offline(2)])
    assert online_flags(engine, tank) == {"temperature": True}
    store.write([reading(4)], [], [offline(5)])
    assert online_flags(engine, tank) == {"temperature": False}


def test_only_configured_devices_availability_topics_are_subscribed() -> None:
    """The router listens to the LWT/status of devices it has sensors on, and to no others."""
    router = Router(
        [
            SensorRoute("tele/pump-node/SENSOR", "t", "flow", "tasmota", "Flow.Rate"),
            SensorRoute("aquarium/sensor/ph/state", "t", "ph", "esphome"),
            SensorRoute("aquarium/t/temperature", "t", "temperature", "json"),
        ]
    )
    assert router.subscriptions() == [
        "aquarium/+/+",
        "aquarium/sensor/ph/state",  # four levels: aquarium/+/+ does not match it
        "aquarium/status",  # the ESPHome node named "aquarium"
        "tele/pump-node/LWT",
        "tele/pump-node/SENSOR",
    ]
    assert Router().subscriptions() == ["aquarium/+/+"]
