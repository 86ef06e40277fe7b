"""Two probes of one parameter in one tank, through the real broker, stay two series."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from aquarium.wiring import sync_sensors, sync_tanks
from db.readings import count_readings
from db.tank_history import load_tank_history
from db.trends import trend_series
from health import sensor_issues
from ingest.routing import SensorRoute
from settings.config import parse_config
from tests.conftest import DaemonFactory
from tests.support import Broker, publish_all, publisher, unique, wait_until

CONFIG = """
[[tanks]]
name = "{tank}"

[[sensors]]
topic = "aquarium/{tank}/tank"
tank = "{tank}"
parameter = "temperature"
label = "tank"

[[sensors]]
topic = "aquarium/{tank}/outlet"
tank = "{tank}"
parameter = "temperature"
label = "bed outlet"
primary = true
"""


def test_two_probes_of_one_tank_end_as_two_labelled_series(
    broker: Broker, engine: Engine, start_daemon: DaemonFactory
) -> None:
    """Two labelled DS18B20 probes: two lines (primary first), the advisor follows the primary,
    and their 2 degC disagreement is a sensor-health note naming both."""
    tank = unique("t")
    config = parse_config(CONFIG.format(tank=tank))
    sync_tanks(engine, config)
    sync_sensors(engine, config)
    start_daemon([SensorRoute(s.topic, s.tank, s.parameter, "json") for s in config.sensors])
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    messages = []
    for minute in range(0, 60, 5):
        at = (start + timedelta(minutes=minute)).isoformat()
        messages.append((f"aquarium/{tank}/tank", json.dumps({"value": 25.0, "time": at})))
        messages.append((f"aquarium/{tank}/outlet", json.dumps({"value": 27.0, "time": at})))
    with publisher(broker) as client:
        publish_all(client, [(topic, payload.encode()) for topic, payload in messages])
    assert wait_until(lambda: count_readings(engine, tank) == len(messages))
    for span in (timedelta(hours=2), timedelta(days=30)):  # raw readings, then hourly rollups
        until = datetime.now(UTC)
        (series,) = trend_series(engine, tank, ["temperature"], until - span, until).values()
        assert list(series.by_sensor) == ["bed outlet", "tank"]
        assert set(series.by_sensor["bed outlet"].mean) == {27.0}
        assert set(series.by_sensor["tank"].mean) == {25.0}
        assert series.times == []  # never one zig-zag line over both
    history = load_tank_history(engine, tank)
    assert {s.value for s in history.series("temperature")} == {27.0}  # the primary's
    assert set(history.by_sensor["temperature"]) == {"tank", "bed outlet"}
    notes = [i.message for i in sensor_issues(history, start + timedelta(minutes=56))]
    assert any("'tank'" in n and "'bed outlet'" in n for n in notes), notes


def test_one_probe_stays_one_unnamed_series(
    broker: Broker, engine: Engine, start_daemon: DaemonFactory
) -> None:
    """A tank with one temperature probe draws one line named after the parameter, as before."""
    tank = unique("t")
    start_daemon()
    with publisher(broker) as client:
        publish_all(client, [(f"aquarium/{tank}/temperature", b"25.5")])
    assert wait_until(lambda: count_readings(engine, tank) == 1)
    until = datetime.now(UTC) + timedelta(minutes=1)
    (series,) = trend_series(
        engine, tank, ["temperature"], until - timedelta(hours=2), until
    ).values()
    assert series.by_sensor == {}
    assert series.lines() == [(None, series)]
    assert series.mean == [25.5]
