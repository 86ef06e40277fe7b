"""The keeper's manual entries from the command line: test-kit results and maintenance."""

from __future__ import annotations

import re
from datetime import datetime

from sensors.validation import check_plausible
from sqlalchemy import Engine

from aquarium.errors import AquariumError
from db.maintenance import KINDS, log_event
from db.manual import TestResult, log_tests
from db.tanks import get_tank
from sensors.catalogue import PARAMETERS
from sensors.errors import SensorError
from sensors.units import parse_value_with_unit

# What the keeper typed: a number, then an optional unit (kept to show the entry as written).
ENTERED = re.compile(r"\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(.*)")

# Aliases keepers type for parameters (kits and forums say NO3, KH, dKH...).
PARAMETER_ALIASES = {
    "nh3": "ammonia",
    "nh4": "ammonia",
    "tan": "ammonia",
    "no2": "nitrite",
    "no3": "nitrate",
    "po4": "phosphate",
    "temp": "temperature",
    "ec": "conductivity",
    "do": "oxygen",
    "o2": "oxygen",
}


def parse_test_arguments(arguments: list[str]) -> list[TestResult]:
    """PARAM=VALUE[UNIT] arguments as canonical results; one clear error for the first bad one."""
    if not arguments:
        raise AquariumError("give at least one result, for example: nitrate=20 ph=7.4 kh=4dKH")
    results: list[TestResult] = []
    seen: set[str] = set()
    for argument in arguments:
        name, sep, text = argument.partition("=")
        if not sep or not text.strip():
            raise AquariumError(f"{argument!r} is not PARAM=VALUE; write it like nitrate=20")
        key = name.strip().lower()
        parameter = PARAMETER_ALIASES.get(key, key)
        if parameter not in PARAMETERS:
            raise AquariumError(f"unknown parameter {name!r}; use one of {', '.join(PARAMETERS)}")
        if parameter in seen:
            raise AquariumError(f"{parameter} is given twice; give each parameter once")
        seen.add(parameter)
        try:
            value = parse_value_with_unit(parameter, text)
            check_plausible(parameter, value)
        except SensorError as exc:
            raise AquariumError(f"{argument}: {exc.reason}") from exc
        entered = ENTERED.match(text)
        results.append(
            TestResult(
                parameter,
                value,
                float(entered.group(1)) if entered else None,
                (entered.group(2).strip() or None) if entered else None,
            )
        )
    return results


def log_test_session(
    engine: Engine, tank: str, arguments: list[str], at: datetime, note: str
) -> list[TestResult]:
    """Validate every result first, then store them together (all or nothing)."""
    results = parse_test_arguments(arguments)
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
    if kind not in KINDS:
        raise AquariumError(f"unknown kind {kind!r}; use one of {', '.join(KINDS)}")
    if percent is not None and litres is not None:
        raise AquariumError("give --percent or --litres, not both")
    if percent is not None and not 0 < percent <= 100:
        raise AquariumError(f"--percent {percent:g} is out of range; give a number from 1 to 100")
    if litres is not None and litres <= 0:
        raise AquariumError(f"--litres {litres:g} must be more than 0")
    if kind == "water-change" and percent is None and litres is None:
        raise AquariumError("a water change needs its size: add --percent 30 or --litres 25")
    volume = get_tank(engine, tank).volume_l
    if litres is not None and volume:
        if litres > volume:
            raise AquariumError(
                f"--litres {litres:g} is more than the tank's {volume:g} L; check the amount, or "
                f"fix the volume with 'aquarium tank edit {tank} --volume LITRES'"
            )
        percent = round(100 * litres / volume, 1)
    elif percent is not None and volume:
        litres = round(volume * percent / 100, 1)
    log_event(engine, tank, kind, at=at, percent=percent, litres=litres, note=note)
    return percent, litres
