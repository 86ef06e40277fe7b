"""The demo tank: a simulated history written straight into the database (`simulate --backfill`)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

import click
from sqlalchemy import Engine

from aquarium.errors import AquariumError
from db.errors import NotFound
from db.maintenance import log_event
from db.manual import TestResult, log_tests
from db.readings import BatchStore, NewReading, count_readings
from db.tanks import add_tank, get_tank, update_tank
from sensors.naming import default_topic
from sensors.virtual_tank import Fault, VirtualTank

# The demo keeper's routine, after the reference tank (DOMAIN.md: changes "every month or two"):
# a test kit twice a week, 30 % out when nitrate passes 35 mg/L or after 4 weeks, gravel every 8.
TEST_EVERY = timedelta(days=3.5)
CHANGE_EVERY = timedelta(days=28)
CHANGE_FRACTION = 0.30
CHANGE_AT_NITRATE = 35.0
GRAVEL_EVERY = timedelta(days=56)
DEMO_VOLUME_L = 96.0  # 60 x 40 cm at 40 cm deep, 24 L per 10 cm (DOMAIN.md)
DEMO_HISTORY = timedelta(days=42)


def parse_span(text: str) -> timedelta:
    """'7d', '12h', '365d' or '2w' as a timedelta."""
    match = re.fullmatch(r"\s*(\d+)\s*([hdw])\s*", text.lower())
    if not match:
        raise AquariumError(f"--backfill {text!r} is not a span; write it like 7d, 12h or 2w")
    amount, unit = int(match.group(1)), match.group(2)
    return {
        "h": timedelta(hours=amount),
        "d": timedelta(days=amount),
        "w": timedelta(weeks=amount),
    }[unit]


def mark_simulated(engine: Engine, tank: str) -> None:
    """Register TANK as simulated, so every page labels it as such."""
    try:
        get_tank(engine, tank)
    except NotFound:
        add_tank(engine, tank, volume_l=DEMO_VOLUME_L, simulated=True)
    else:
        update_tank(engine, tank, simulated=True)


def backfill_history(
    engine: Engine,
    tank: str,
    span: timedelta,
    *,
    seed: int = 0,
    faults: Iterable[Fault] = (),
    step: timedelta = timedelta(minutes=1),
    end: datetime | None = None,
    show_progress: bool = True,
) -> int:
    """Write SPAN of sensor readings, weekly tests and maintenance ending at END; returns rows."""
    end = end or datetime.now(UTC)
    start = end - span
    model = VirtualTank(seed=seed, start=start, faults=faults)
    store = BatchStore(engine)
    batch: list[NewReading] = []
    written = 0
    last_test = last_change = last_gravel = start
    steps = int(span / step)
    with (
        click.progressbar(length=steps, label=f"simulating {span.days} days of {tank}", file=None)
        if show_progress
        else _NoProgress() as bar
    ):
        for index in range(steps):
            now = start + index * step
            for parameter, value in model.sensor_readings().items():
                if value is not None:
                    batch.append(
                        NewReading(tank, parameter, value, now, now, default_topic(tank, parameter))
                    )
            if now - last_test >= TEST_EVERY:
                results = model.test_kit_readings()
                log_tests(
                    engine,
                    tank,
                    [TestResult(p, v) for p, v in results.items()],
                    at=now,
                    note="simulated test kit",
                )
                last_test = now
                if (
                    results.get("nitrate", 0) >= CHANGE_AT_NITRATE
                    or now - last_change >= CHANGE_EVERY
                ):
                    model.water_change(CHANGE_FRACTION)
                    log_event(
                        engine,
                        tank,
                        "water-change",
                        at=now,
                        percent=100 * CHANGE_FRACTION,
                        litres=DEMO_VOLUME_L * CHANGE_FRACTION,
                        note="simulated",
                    )
                    last_change = now
            if now - last_gravel >= GRAVEL_EVERY:
                model.gravel_clean()
                log_event(engine, tank, "gravel-clean", at=now, note="simulated")
                last_gravel = now
            model.advance(step.total_seconds())
            if len(batch) >= 20_000:
                written += store.write(batch, []).stored
                batch.clear()
            if index % 1000 == 0:
                bar.update(min(1000, steps - index))
        if batch:
            written += store.write(batch, []).stored
    return written


class _NoProgress:
    def __enter__(self) -> _NoProgress:
        return self

    def __exit__(self, *_exc: object) -> None:
        return None

    def update(self, _n: int) -> None:
        return None


def ensure_demo_history(engine: Engine, tank: str) -> None:
    """Give the demo tank six weeks of history the first time, so the charts are not empty."""
    mark_simulated(engine, tank)
    if count_readings(engine, tank) == 0:
        backfill_history(engine, tank, DEMO_HISTORY)
