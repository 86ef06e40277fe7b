"""The demo tank: a simulated history written straight into the database (`simulate --backfill`)."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

import click
from sqlalchemy import Engine

from db.errors import NotFound
from db.maintenance import log_event
from db.manual import TestResult, log_tests
from db.readings import BatchStore, NewReading, first_reading_time
from db.tanks import add_tank, get_tank, list_tanks, update_tank
from sensors.errors import AquariumError
from sensors.keeper_routine import DEMO_SPEC, STEP, Action, KeeperRoutine
from sensors.naming import default_topic
from sensors.virtual_tank import Fault, VirtualTank

log = logging.getLogger(__name__)

# How often the live demo asks whether the keeper has a tank of their own: a few rounds of it.
REAL_TANK_CHECK_S = 5.0
DEMO_VOLUME_L = 96.0  # 60 x 40 cm at 40 cm deep, 24 L per 10 cm (DOMAIN.md)
# Ten weeks: the first water change (about week 6) and a forecast after it, so the demo shows the
# advisor at work rather than asking for data.
DEMO_HISTORY = timedelta(days=70)


def parse_span(text: str) -> timedelta:
    """'7d', '12h', '365d', '2w' or '90s' as a timedelta."""
    match = re.fullmatch(r"\s*(\d+)\s*([shdw])\s*", text.lower())
    if not match:
        raise AquariumError(f"{text!r} is not a time span; write it like 7d, 12h or 2w")
    amount, unit = int(match.group(1)), match.group(2)
    return {
        "s": timedelta(seconds=amount),
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
    end: datetime | None = None,
    show_progress: bool = True,
) -> int:
    """Write SPAN of sensor readings, weekly tests and maintenance ending at END; returns rows."""
    end = end or datetime.now(UTC)
    start = end - span
    model = VirtualTank(DEMO_SPEC, seed=seed, start=start, faults=faults)
    routine = KeeperRoutine(start)
    store = BatchStore(engine)
    batch: list[NewReading] = []
    written = 0
    steps = int(span / STEP)
    progress = click.progressbar(length=steps, label=f"simulating {span.days} days of {tank}")
    with progress if show_progress else _NoProgress() as bar:
        for index in range(steps):
            now = model.now
            for parameter, value in model.sensor_readings().items():
                if value is not None:
                    topic = default_topic(tank, parameter)
                    batch.append(NewReading(tank, parameter, value, now, now, topic))
            for action in routine.act(model):
                _log_action(engine, tank, action)
            model.advance(STEP.total_seconds())
            if len(batch) >= 20_000:
                written += store.write(batch, []).stored
                batch.clear()
            if index % 1000 == 999:
                bar.update(1000)
        if batch:
            written += store.write(batch, []).stored
    return written


def _log_action(engine: Engine, tank: str, action: Action) -> None:
    if action.kind == "test":
        results = [TestResult(p, v) for p, v in action.results.items()]
        log_tests(engine, tank, results, at=action.time, note="simulated test kit")
    elif action.kind == "water-change" and action.fraction is not None:
        log_event(
            engine,
            tank,
            "water-change",
            at=action.time,
            percent=100 * action.fraction,
            litres=DEMO_VOLUME_L * action.fraction,
            note="simulated",
        )
    else:
        log_event(engine, tank, action.kind, at=action.time, note="simulated")


class _NoProgress:
    def __enter__(self) -> _NoProgress:
        return self

    def __exit__(self, *_exc: object) -> None:
        return None

    def update(self, _n: int) -> None:
        return None


def ensure_demo_history(engine: Engine, tank: str, span: timedelta = DEMO_HISTORY) -> timedelta:
    """Give the demo tank SPAN of history the first time, so the charts are not empty.

    Returns the span the live simulator should replay to continue the stored history.
    """
    mark_simulated(engine, tank)
    first = first_reading_time(engine, tank)
    if first is None:
        end = datetime.now(UTC).replace(second=0, microsecond=0)
        backfill_history(engine, tank, span, end=end)
        return span + (datetime.now(UTC) - end)
    return datetime.now(UTC) - first


def real_tank_names(engine: Engine) -> list[str]:
    """Tanks that are not simulated (and not archived): the keeper's own."""
    return [t.name for t in list_tanks(engine) if not t.simulated]


def stop_when_a_real_tank_exists(
    engine: Engine, stop: threading.Event, every_s: float = REAL_TANK_CHECK_S
) -> threading.Thread:
    """Set STOP once the keeper adds a tank or a sensor publishes for one: the demo steps aside."""

    def watch() -> None:
        while not stop.wait(every_s):
            try:
                found = real_tank_names(engine)
            except AquariumError as exc:  # a locked database: ask again next time
                log.debug("checking for real tanks failed: %s", exc)
                continue
            if found:
                log.info(
                    "tank %r is real: the demo stops streaming (remove it with "
                    "'aquarium tank remove demo', or from the dashboard's home page)",
                    found[0],
                )
                stop.set()

    thread = threading.Thread(target=watch, name="demo-watch", daemon=True)
    thread.start()
    return thread
