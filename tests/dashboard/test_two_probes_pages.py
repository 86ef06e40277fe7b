"""Two temperature probes in one tank on the overview and Trends pages."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from db.readings import BatchStore, NewReading
from db.sensor_labels import SensorLabel, apply_sensor_labels
from db.tanks import add_tank
from tests.dashboard.conftest import open_page

TANK = "probes"


def seed_two_probes(engine: Engine, now: datetime) -> None:
    """A day of 25.0 degC from the tank probe and 27.0 from the bed outlet, every 10 minutes."""
    add_tank(engine, TANK, volume_l=100)
    apply_sensor_labels(
        engine,
        [
            SensorLabel(TANK, "temperature", f"aquarium/{TANK}/tank", "", "tank", True),
            SensorLabel(TANK, "temperature", f"aquarium/{TANK}/outlet", "", "bed outlet", False),
        ],
        now,
    )
    batch = []
    for step in range(144):
        at = now - timedelta(minutes=10 * step)
        batch.append(NewReading(TANK, "temperature", 25.0, at, at, f"aquarium/{TANK}/tank"))
        batch.append(NewReading(TANK, "temperature", 27.0, at, at, f"aquarium/{TANK}/outlet"))
    BatchStore(engine).write(batch, [])


def test_the_overview_card_shows_each_probe_and_follows_the_primary(
    dashboard_engine: Engine,
) -> None:
    """The temperature card shows the primary's value and each probe's by its label."""
    seed_two_probes(dashboard_engine, datetime.now(UTC))
    app = open_page("overview", TANK)
    assert not app.exception, app.exception
    (metric,) = [m for m in app.metric if "Temp" in m.label]
    assert metric.value.startswith("25.0")
    captions = [str(c.value) for c in app.caption]
    assert any("tank 25.0" in c and "bed outlet 27.0" in c for c in captions), captions
    assert any(c.startswith("primary sensor") for c in captions), captions


def test_trends_draws_one_line_per_probe(dashboard_engine: Engine) -> None:
    """The Trends page renders two temperature lines named by the probes' labels."""
    seed_two_probes(dashboard_engine, datetime.now(UTC))
    app = open_page("trends", TANK)
    assert not app.exception, app.exception
    (chart,) = app.get("plotly_chart")
    traces = json.loads(chart.proto.spec)["data"]
    lines = [t["name"] for t in traces if t.get("mode", "").startswith("lines") and "name" in t]
    assert lines == ["tank", "bed outlet"]
