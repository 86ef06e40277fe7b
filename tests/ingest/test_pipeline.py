"""Published -> stored, through a real Mosquitto and a real SQLite file."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from db.dead_letters import list_dead_letters
from db.readings import count_readings, latest_readings, reading_series
from db.tanks import list_tanks
from ingest.routing import Rejected, Router, SensorRoute
from tests.conftest import DaemonFactory
from tests.support import Broker, publish_all, publisher, unique, wait_until


def test_plain_number_on_default_topic_is_stored_and_registers_the_tank(
    broker: Broker, engine: Engine, start_daemon: DaemonFactory
) -> None:
    """A plain number on aquarium/<tank>/temperature lands as a reading of a new tank."""
    tank = unique("t")
    daemon = start_daemon()
    with publisher(broker) as client:
        publish_all(client, [(f"aquarium/{tank}/temperature", b"25.1")])
    assert wait_until(lambda: count_readings(engine, tank) == 1)
    assert [t.name for t in list_tanks(engine)] == [tank]
    (latest,) = latest_readings(engine, tank)
    assert (latest.parameter, latest.value) == ("temperature", 25.1)
    assert daemon.stats.rejected == 0


def test_json_payload_device_time_and_unit_are_honoured(
    broker: Broker, engine: Engine, start_daemon: DaemonFactory
) -> None:
    """JSON with a device time and degF is stored at the device's time in degC."""
    tank = unique("t")
    start_daemon()
    device_time = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)
    payload = {"value": 77.0, "unit": "F", "time": device_time.isoformat().replace("+00:00", "Z")}
    with publisher(broker) as client:
        publish_all(client, [(f"aquarium/{tank}/temperature", json.dumps(payload).encode())])
    assert wait_until(lambda: count_readings(engine, tank) == 1)
    ((time, value),) = reading_series(engine, tank, "temperature", device_time - timedelta(1))
    assert time == device_time
    assert abs(value - 25.0) < 1e-9


def test_a_device_clock_a_year_ahead_is_refused_not_moved(
    broker: Broker, engine: Engine, start_daemon: DaemonFactory
) -> None:
    """A device clock a year in the future is refused with the reason, never stored at 'now'."""
    tank = unique("t")
    daemon = start_daemon()
    before = datetime.now(UTC)
    payload = {"value": 7.2, "time": (before + timedelta(days=366)).isoformat()}
    with publisher(broker) as client:
        publish_all(client, [(f"aquarium/{tank}/ph", json.dumps(payload).encode())])
    assert wait_until(lambda: daemon.stats.rejected == 1)
    assert count_readings(engine, tank) == 0
    (letter,) = list_dead_letters(engine, limit=1)
    assert letter.reason.startswith("device clock 1 year ahead: set the node's time")


def test_tasmota_probes_map_to_configured_parameters(
    broker: Broker, engine: Engine, start_daemon: DaemonFactory
) -> None:
    """A Tasmota SENSOR message with two DS18B20 probes feeds the two configured sensors."""
    tank = unique("t")
    topic = f"tele/{unique('tasmota')}/SENSOR"
    routes = [
        SensorRoute(topic, tank, "temperature", "tasmota", field="DS18B20-1.Temperature"),
        SensorRoute(unique("x"), tank, "ph", "number"),
    ]
    other_tank = unique("t")
    routes.append(
        SensorRoute(topic, other_tank, "temperature", "tasmota", field="DS18B20-2.Temperature")
    )
    start_daemon(routes)
    payload = {
        "Time": "2026-11-24T10:00:00",
        "DS18B20-1": {"Id": "01144A0CB2AA", "Temperature": 77.0},
        "DS18B20-2": {"Id": "01144A0CB2AB", "Temperature": 75.2},
        "TempUnit": "F",
    }
    with publisher(broker) as client:
        publish_all(client, [(topic, json.dumps(payload).encode())])
    assert wait_until(lambda: count_readings(engine) == 2)
    assert abs(latest_readings(engine, tank)[0].value - 25.0) < 1e-9
    assert abs(latest_readings(engine, other_tank)[0].value - 24.0) < 1e-9


def test_esphome_state_is_stored_and_nan_is_dead_lettered(
    broker: Broker, engine: Engine, start_daemon: DaemonFactory
) -> None:
    """ESPHome's plain state is stored; its 'nan' for a failed sensor becomes a dead letter."""
    tank = unique("t")
    topic = f"{unique('node')}/sensor/tank_ph/state"
    start_daemon([SensorRoute(topic, tank, "ph", "esphome")])
    with publisher(broker) as client:
        publish_all(client, [(topic, b"7.31"), (topic, b"nan")])
    assert wait_until(lambda: len(list_dead_letters(engine)) == 1)
    assert wait_until(lambda: count_readings(engine, tank) == 1)
    assert latest_readings(engine, tank)[0].value == 7.31
    (letter,) = list_dead_letters(engine)
    assert letter.topic == topic and letter.payload == "nan"
    assert "nan" in letter.reason.lower()


def test_bad_messages_are_dead_lettered_and_good_ones_around_them_kept(
    broker: Broker, engine: Engine, start_daemon: DaemonFactory
) -> None:
    """Garbage, unknown parameters, bad tank names and sensor faults are refused with reasons."""
    tank = unique("t")
    daemon = start_daemon()
    bad = [
        (f"aquarium/{tank}/temperature", b"warm"),
        (f"aquarium/{tank}/salinity", b"35"),
        ("aquarium/Bad Tank/temperature", b"25"),
        (f"aquarium/{tank}/temperature", b"85.0"),
        (f"aquarium/{tank}/temperature", b"-127"),
        (f"aquarium/{tank}/ph", b"\xff\xfe\x00binary"),
        (f"aquarium/{tank}/ph", b'{"value": "seven"}'),
    ]
    # Oversized payloads never get here: the shipped broker config drops them (message_size_limit,
    # tests/reliability/test_broker_persistence.py); the router's own limit is tested below.
    good = [(f"aquarium/{tank}/temperature", f"{24 + i / 10:.1f}".encode()) for i in range(5)]
    messages = [m for pair in zip(good, bad, strict=False) for m in pair] + bad[len(good) :]
    with publisher(broker) as client:
        publish_all(client, messages)
    # Counted by outcome, not by messages received: retained messages from other tests arrive too.
    assert wait_until(lambda: len(list_dead_letters(engine)) == len(bad))
    assert count_readings(engine, tank) == len(good)
    letters = {(d.topic, d.payload[:20]): d for d in list_dead_letters(engine)}
    assert len(letters) == len(bad)
    fault = next(d for d in letters.values() if d.payload == "85.0")
    assert "85" in fault.reason
    unknown = next(d for d in letters.values() if d.topic.endswith("/salinity"))
    assert "unknown parameter" in unknown.reason
    assert all(d.reason for d in letters.values())
    assert daemon.session.connected, "bad input must never stop the daemon"


def test_a_payload_over_the_limit_is_refused_unread_by_a_broker_without_the_cap() -> None:
    """Behind a broker without message_size_limit, the router refuses over 64 KiB, unread."""
    with pytest.raises(Rejected, match="64 KiB"):
        Router().route("aquarium/t/ph", b"x" * (64 * 1024 + 1), datetime.now(UTC))


def test_own_advice_topics_are_neither_stored_nor_refused(
    broker: Broker, engine: Engine, start_daemon: DaemonFactory
) -> None:
    """Messages on aquarium/<tank>/advice (our own output) are ignored, not dead-lettered."""
    tank = unique("t")
    daemon = start_daemon()
    with publisher(broker) as client:
        publish_all(client, [(f"aquarium/{tank}/advice", b'{"status": "ok"}')])
        publish_all(client, [(f"aquarium/{tank}/ph", b"7.0")])
    assert wait_until(lambda: count_readings(engine, tank) == 1)
    assert daemon.stats.received >= 2  # ours, plus any retained advice other tests left
    assert list_dead_letters(engine) == []


def test_retained_readings_without_a_device_time_are_not_stored_again(
    broker: Broker, engine: Engine, start_daemon: DaemonFactory
) -> None:
    """A retained plain reading replayed on subscribing is skipped; a timestamped one kept once."""
    tank = unique("t")
    stamp = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)
    timed = json.dumps({"value": 7.0, "time": stamp.isoformat()}).encode()
    with publisher(broker) as client:
        client.publish(
            f"aquarium/{tank}/temperature", b"24.5", qos=1, retain=True
        ).wait_for_publish(5)
        client.publish(f"aquarium/{tank}/ph", timed, qos=1, retain=True).wait_for_publish(5)
    daemons = [start_daemon(), start_daemon()]  # the second subscription replays them again
    # Each daemon has committed both retained messages (stored, a duplicate, or skipped):
    # nothing more can arrive from them, so the count below is final.
    assert wait_until(
        lambda: all(d.stats.stored + d.stats.duplicates + d.stats.ignored >= 2 for d in daemons)
    )
    assert count_readings(engine, tank) == 1
    assert [r.parameter for r in latest_readings(engine, tank)] == ["ph"]
    with publisher(broker) as client:  # clear the retained messages for later tests
        for parameter in ("temperature", "ph"):
            client.publish(
                f"aquarium/{tank}/{parameter}", b"", qos=1, retain=True
            ).wait_for_publish(5)
