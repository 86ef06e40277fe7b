"""`aquarium log` and `aquarium maintain`: keeper input through sensors' door, then into db/."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine

from db.maintenance import log_event
from db.manual import log_tests
from db.tanks import get_tank
from sensors.keeper_input import TestResult, check_maintenance, check_time, parse_test_arguments


def log_test_session(
    engine: Engine, tank: str, arguments: list[str], at: datetime, note: str
) -> list[TestResult]:
    """Validate every result and the time first, then store them together (all or nothing)."""
    results = parse_test_arguments(arguments)
    check_time(at, set_up=get_tank(engine, tank).set_up_at)
    log_tests(engine, tank, results, at=at, note=note)
    return results


def log_maintenance(
    engine: Engine,
    tank: str,
    kind: str,
    *,
    at: datetime,
    percent: float | None,
    litres: float | None,
    note: str,
) -> tuple[float | None, float | None]:
    """Store a maintenance event; a water change in litres also gets its percent from the volume."""
    found = get_tank(engine, tank)
    percent, litres = check_maintenance(kind, percent, litres, found.volume_l, tank)
    check_time(at, set_up=found.set_up_at)
    log_event(engine, tank, kind, at=at, percent=percent, litres=litres, note=note)
    return percent, litres
