"""Device times: honoured back to the backfill horizon or refused with the reason, never moved."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine

from db.dead_letters import list_dead_letters
from db.readings import count_readings, latest_readings, reading_series
from ingest.routing import SensorRoute
from tests.conftest import DaemonFactory
from tests.support import Broker, publish_all, publisher, unique, wait_until


@pytest.fixture
def broker(own_broker: Broker) -> Broker:
    """This module's tests get a broker of their own (see own_broker)."""
    return own_broker


LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC)


def iso(moment: datetime) -> str:
    """An ISO 8601 time with a Z, as a device sends it."""
    return moment.isoformat().replace("+00:00", "Z")


def test_device_times_are_honoured_or_refused_never_moved(
    broker: Broker, engine: Engine, start_daemon: DaemonFactory, report
) -> None:
    """Old-but-within-horizon times are kept (once); future, unset and too-old ones are refused."""
    tank = unique("clock")
    daemon = start_daemon()
    now = datetime.now(UTC).replace(microsecond=0)
    holiday = now - timedelta(days=8)  # a node that buffered through a two-week holiday
    kept = [holiday, holiday + timedelta(minutes=1), now - timedelta(days=364)]
    refused = {
        now + timedelta(days=3653): "device clock 10 years ahead: set the node's time, or leave "
        "out 'time'",
        datetime(1970, 1, 1, tzinfo=UTC): "clock that was never set",
        now - timedelta(days=730): "past the backfill horizon of 365 days",
    }
    topic = f"aquarium/{tank}/temperature"
    messages = [(topic, json.dumps({"value": 35.0, "time": iso(t)}).encode()) for t in kept]
    messages.append(messages[0])  # the same buffered reading sent twice
    messages += [(topic, json.dumps({"value": 24.0, "time": iso(t)}).encode()) for t in refused]
    messages.append((topic, b"25.0"))  # the live reading, at its receive time
    with publisher(broker) as client:
        publish_all(client, messages)
    assert wait_until(lambda: daemon.stats.received == len(messages))
    assert wait_until(lambda: count_readings(engine, tank) == len(kept) + 1)
    times = [t for t, _ in reading_series(engine, tank, "temperature", LONG_AGO)]
    assert times[:-1] == sorted(kept), "buffered readings keep their device times"
    assert times[-1] >= now - timedelta(seconds=1)
    (latest,) = latest_readings(engine, tank)
    assert latest.value == 25.0, "an 8-day-old 35 degC must not become the latest reading"
    reasons = [letter.reason for letter in list_dead_letters(engine, limit=10)]
    for expected in refused.values():
        assert any(expected in reason for reason in reasons), (expected, reasons)
    misplaced = sum(1 for t in times[:-1] if t not in kept)
    report(
        "device times",
        "JSON readings 8 days and 364 days old (one sent twice), 10 years ahead, 1970, 2 years old",
        f"{len(messages)} QoS 1 messages",
        misplaced + len(kept) + 1 - count_readings(engine, tank),
        None,
    )


def test_tasmota_local_times_are_read_in_each_nodes_zone(
    broker: Broker, engine: Engine, start_daemon: DaemonFactory, report
) -> None:
    """Nodes in UTC+8 and UTC-5 send zoneless local Time; each lands at the true instant."""
    tank = unique("tz")
    zones = {"Asia/Shanghai": "temperature", "America/Bogota": "ph"}  # UTC+8, UTC-5, no DST
    routes, messages = [], []
    measured = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=2)
    for zone, parameter in zones.items():
        topic = f"tele/{unique('node')}/SENSOR"
        field = "DS18B20.Temperature" if parameter == "temperature" else "ANALOG.pH"
        routes.append(
            SensorRoute(topic, tank, parameter, "tasmota", field=field, timezone=ZoneInfo(zone))
        )
        wall_clock = measured.astimezone(ZoneInfo(zone)).replace(tzinfo=None)
        sensor, key = field.split(".")
        value = 24.5 if parameter == "temperature" else 7.1
        document = {"Time": wall_clock.isoformat(), sensor: {key: value}, "TempUnit": "C"}
        messages.append((topic, json.dumps(document).encode()))
    # A node with SetOption52 1 sends its offset: taken as given, whatever zone is configured.
    explicit = f"tele/{unique('node')}/SENSOR"
    routes.append(SensorRoute(explicit, tank, "orp", "tasmota", field="ANALOG.ORP", timezone=UTC))
    offset_time = measured.astimezone(ZoneInfo("Asia/Shanghai")).isoformat()
    messages.append((explicit, json.dumps({"Time": offset_time, "ANALOG": {"ORP": 250}}).encode()))
    start_daemon(routes)
    with publisher(broker) as client:
        publish_all(client, messages)
    assert wait_until(lambda: count_readings(engine, tank) == 3)
    stored = {
        parameter: reading_series(engine, tank, parameter, LONG_AGO)
        for parameter in ("temperature", "ph", "orp")
    }
    assert all(series == [(measured, series[0][1])] for series in stored.values()), stored
    report(
        "zoneless Tasmota times",
        "Tasmota nodes in UTC+8 and UTC-5 sending local Time, one with SetOption52 (offset)",
        "3 QoS 1 messages",
        sum(1 for series in stored.values() if series[0][0] != measured),
        None,
    )


def last_autumn_change(zone: ZoneInfo) -> datetime:
    """The UTC hour at which ZONE's clocks last went back (an hour they then showed twice)."""
    hour = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)

    def offset(moment: datetime) -> timedelta:
        return moment.astimezone(zone).utcoffset() or timedelta(0)

    while offset(hour - timedelta(hours=1)) <= offset(hour):
        hour -= timedelta(hours=1)
    return hour


def test_tasmota_times_in_the_hour_clocks_repeat_are_refused_not_dropped(
    broker: Broker, engine: Engine, start_daemon: DaemonFactory
) -> None:
    """A zoneless node through the autumn clock change loses no reading silently to the repeat."""
    tank, zone = unique("dst"), ZoneInfo("Europe/Berlin")
    change = last_autumn_change(zone)  # e.g. 01:00Z: local 03:00 CEST becomes 02:00 CET
    topic = f"tele/{unique('node')}/SENSOR"
    field = "DS18B20.Temperature"
    # Every 10 minutes from 90 min before the change to 80 min after; each value names its instant.
    instants = [change + timedelta(minutes=m) for m in range(-90, 90, 10)]
    messages = []
    for number, instant in enumerate(instants):
        wall_clock = instant.astimezone(zone).replace(tzinfo=None).isoformat()
        document = {"Time": wall_clock, "DS18B20": {"Temperature": 20 + number / 10}}
        messages.append((topic, json.dumps(document).encode()))
    daemon = start_daemon(
        [SensorRoute(topic, tank, "temperature", "tasmota", field, timezone=zone)]
    )
    with publisher(broker) as client:
        publish_all(client, messages)
    assert wait_until(lambda: daemon.stats.received == len(messages))
    # Local 02:00-02:59 is shown twice: an hour before the change, and the hour after it.
    repeated = [
        t for t in instants if change - timedelta(hours=1) <= t < change + timedelta(hours=1)
    ]

    def refused() -> list[str]:
        return [x.reason for x in list_dead_letters(engine, limit=1000) if x.topic == topic]

    assert wait_until(lambda: len(refused()) == len(repeated)), refused()
    assert all("SetOption52" in reason for reason in refused())
    stored = reading_series(engine, tank, "temperature", LONG_AGO)
    expected = [(t, 20 + n / 10) for n, t in enumerate(instants) if t not in repeated]
    assert [(t, round(v, 1)) for t, v in stored] == expected, "the rest, each at its true instant"


def test_a_different_value_at_an_already_stored_device_time_is_refused_not_dropped(
    broker: Broker, engine: Engine, start_daemon: DaemonFactory
) -> None:
    """Two readings a second-resolution clock gives one time: the second is refused, not lost."""
    tank = unique("same")
    daemon = start_daemon()
    topic = f"aquarium/{tank}/temperature"
    second = iso(datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1))
    first, other = (json.dumps({"value": v, "time": second}).encode() for v in (25.0, 26.5))
    with publisher(broker) as client:
        publish_all(client, [(topic, first), (topic, first), (topic, other)])
    assert wait_until(lambda: daemon.stats.received == 3)
    assert wait_until(lambda: daemon.stats.duplicates + daemon.stats.rejected == 2)
    assert [value for _, value in reading_series(engine, tank, "temperature", LONG_AGO)] == [25.0]
    (letter,) = [x for x in list_dead_letters(engine, limit=1000) if x.topic == topic]
    assert "26.5" in letter.payload
    assert "25" in letter.reason and "already stored" in letter.reason, letter.reason
    assert daemon.stats.duplicates == 1  # the identical copy is a copy, not a conflict
