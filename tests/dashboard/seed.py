"""A small, fast, realistic tank for the dashboard tests: two days of sensors, tests, events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, insert

from db.bulk import bulk_insert_readings
from db.dead_letters import DeadLetter, add_dead_letters
from db.maintenance import log_event
from db.manual import TestResult, log_tests
from db.schema import alerts
from db.tanks import add_tank, get_tank

TANK = "turtles"
STEP_S = 300
# Keeper text with markup in it: the pages must show it as typed, never render it.
HOSTILE_NOTE = "<b>bold</b> [click](http://example.com) **stars**"
SPIKE = 31.5  # one temperature reading far above the rest, at SPIKE_AGE before now
SPIKE_AGE = timedelta(hours=20)


def seed(engine: Engine, now: datetime | None = None) -> datetime:
    """Fill ENGINE's database with tank 'turtles'; returns the 'now' the data ends at."""
    now = now or datetime.now(UTC)
    add_tank(engine, TANK, volume_l=96.0)
    end = int(now.timestamp()) // STEP_S * STEP_S
    start = end - 2 * 86_400
    spike_at = (int((now - SPIKE_AGE).timestamp()) // STEP_S) * STEP_S

    def temperature(t: int) -> float:
        return SPIKE if t == spike_at else 25.0 + (t % 3600) / 3600

    series = {
        "temperature": temperature,
        "ph": lambda t: 7.4 - (t - start) / 86_400 * 0.05,
        "conductivity": lambda t: 420.0 + (t - start) / 3600,
        "flow": lambda _t: 6.0,
    }
    for parameter, shape in series.items():
        rows = [(float(t), shape(t)) for t in range(start, end + 1, STEP_S)]
        bulk_insert_readings(engine, TANK, parameter, rows)
    # A sensor that went quiet three hours ago: the overview greys it.
    quiet = end - 3 * 3600
    bulk_insert_readings(
        engine, TANK, "oxygen", [(float(t), 7.5) for t in range(start, quiet + 1, STEP_S)]
    )
    log_tests(
        engine,
        TANK,
        [TestResult("nitrate", 28.0), TestResult("nitrite", 0.0), TestResult("ammonia", 0.1)],
        at=now - timedelta(days=1),
        note=HOSTILE_NOTE,
    )
    log_tests(engine, TANK, [TestResult("nitrate", 18.0)], at=now - timedelta(days=1, hours=20))
    log_event(engine, TANK, "water-change", at=now - timedelta(hours=30), percent=30, litres=28.8)
    log_event(engine, TANK, "gravel-clean", at=now - timedelta(hours=10), note=HOSTILE_NOTE)
    tank_id = get_tank(engine, TANK).id
    with engine.connect().execution_options(sqlite_write=True) as conn, conn.begin():
        conn.execute(
            insert(alerts),
            [
                {
                    "tank_id": tank_id,
                    "rule": "nitrate_high",
                    "state": "firing",
                    "since": now - timedelta(hours=2),
                    "fired_at": now - timedelta(hours=1),
                    "resolved_at": None,
                    "last_value": 45.0,
                    "message": "Nitrate 45 mg/L is over the limit of 40 " + HOSTILE_NOTE,
                },
                {
                    "tank_id": tank_id,
                    "rule": "temperature_low",
                    "state": "resolved",
                    "since": now - timedelta(days=1, hours=3),
                    "fired_at": now - timedelta(days=1, hours=2),
                    "resolved_at": now - timedelta(days=1),
                    "last_value": None,
                    "message": "Temperature fell to 22.9 °C",
                },
            ],
        )
        add_dead_letters(
            conn,
            [
                DeadLetter(
                    now - timedelta(minutes=7),
                    f"aquarium/{TANK}/temperature",
                    "85.0",
                    4,
                    "Water temperature 85.0 °C is the DS18B20 power-on value, not a reading",
                )
            ],
        )
    return now
