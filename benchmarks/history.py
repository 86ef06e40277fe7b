"""The benchmark's own data: one tank with long 1-minute history, and many small tanks.

The big tank has 8 sensor parameters every minute, a weekly test-kit session (nitrate rising as a
sawtooth, ammonia, nitrite, pH, KH) and a 30 % water change every four weeks, so `advise` has the
shape of a real keeper's log. The small tanks have a few hours of the same 8 parameters: what the
home page and an alert round read.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from db.bulk import bulk_insert_readings
from db.maintenance import log_event
from db.manual import TestResult, log_tests
from db.tanks import add_tank

STEP_S = 60
# Each parameter as (typical value, daily swing, noise): shapes like the virtual tank's.
SHAPES = {
    "temperature": (25.0, 0.6, 0.05),
    "ph": (7.6, 0.15, 0.02),
    "conductivity": (420.0, 10.0, 2.0),
    "tds": (210.0, 5.0, 1.0),
    "orp": (280.0, 15.0, 3.0),
    "oxygen": (7.8, 0.4, 0.05),
    "flow": (7.0, 0.1, 0.08),
    "level": (40.0, 0.2, 0.05),
}
BIG_TANK = "bench"
VOLUME_L = 96.0


def sensor_rows(parameter: str, start: int, count: int, seed: int) -> Iterator[tuple[float, float]]:
    """COUNT one-minute (epoch seconds, value) pairs of PARAMETER from START."""
    mean, swing, noise = SHAPES[parameter]
    rng = random.Random(seed)
    for index in range(count):
        t = start + index * STEP_S
        yield (
            float(t),
            mean + swing * math.sin(2 * math.pi * (t % 86_400) / 86_400) + rng.gauss(0, noise),
        )


def small_tank(index: int) -> str:
    return f"small-{index:03d}"


def planned_rows(days: float, tanks: int, tank_hours: float) -> int:
    """How many sensor readings build() writes."""
    big = int(days * 86_400) // STEP_S * len(SHAPES)
    small = int(tank_hours * 3600) // STEP_S * len(SHAPES) * tanks
    return big + small


def build(
    engine: Engine,
    *,
    days: float,
    tanks: int,
    tank_hours: float,
    end: datetime,
    progress: Callable[[int], None],
) -> None:
    """Write the big tank's DAYS of history and TANKS small tanks of TANK_HOURS each."""
    end_s = int(end.timestamp()) // STEP_S * STEP_S
    add_tank(engine, BIG_TANK, volume_l=VOLUME_L)
    count = int(days * 86_400) // STEP_S
    for seed, parameter in enumerate(SHAPES):
        rows = sensor_rows(parameter, end_s - count * STEP_S, count, seed)
        bulk_insert_readings(engine, BIG_TANK, parameter, rows, progress=_delta(progress))
    _keeper_log(engine, end - timedelta(days=days), end)
    count = int(tank_hours * 3600) // STEP_S
    for index in range(tanks):
        name = small_tank(index)
        add_tank(engine, name, volume_l=60.0)
        for seed, parameter in enumerate(SHAPES):
            rows = sensor_rows(parameter, end_s - count * STEP_S, count, 1000 * index + seed)
            bulk_insert_readings(engine, name, parameter, rows, progress=_delta(progress))


def _delta(progress: Callable[[int], None]) -> Callable[[int], None]:
    """bulk_insert_readings reports a running total; the bar wants increments."""
    last = 0

    def report(total: int) -> None:
        nonlocal last
        progress(total - last)
        last = total

    return report


def _keeper_log(engine: Engine, start: datetime, end: datetime) -> None:
    """Weekly tests and a 30 % water change every two weeks: nitrate climbs 5 mg/L a week and
    settles between about 23 and 33 mg/L (DOMAIN.md, "Water changes": x / f)."""
    nitrate = 15.0
    at = start.replace(hour=18, minute=0, second=0, microsecond=0, tzinfo=UTC) + timedelta(days=1)
    week = 0
    while at < end:
        results = [
            TestResult("nitrate", round(nitrate, 1)),
            TestResult("ammonia", 0.0),
            TestResult("nitrite", 0.0),
            TestResult("ph", 7.6),
            TestResult("kh", 5.0),
        ]
        log_tests(engine, BIG_TANK, results, at=at, note="benchmark")
        week += 1
        if week % 2 == 0:
            log_event(
                engine,
                BIG_TANK,
                "water-change",
                at=at + timedelta(minutes=30),
                percent=30.0,
                litres=VOLUME_L * 0.3,
                note="benchmark",
            )
            nitrate *= 0.7
        nitrate += 5.0
        at += timedelta(days=7)
