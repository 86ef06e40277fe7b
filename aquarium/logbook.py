"""The keeper's manual entries from the command line: test-kit results and maintenance."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import Engine

from aquarium.errors import AquariumError
from db.maintenance import KINDS, log_event
from db.manual import TestResult, log_tests
from db.tanks import get_tank
from sensors.catalogue import PARAMETERS
from sensors.errors import SensorError
from sensors.units import parse_value_with_unit
from sensors.validation import check_plausible

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
        parameter = resolve_parameter(name)
        if parameter in seen:
            raise AquariumError(f"{parameter} is given twice; give each parameter once")
        seen.add(parameter)
        try:
            results.append(parse_result(parameter, text))
        except AquariumError as exc:
            raise AquariumError(f"{argument}: {exc}") from exc
    return results


def resolve_parameter(name: str) -> str:
    """The catalogue name for what a keeper typed ("NO3", "KH", "temp"...)."""
    key = name.strip().lower()
    parameter = PARAMETER_ALIASES.get(key, key)
    if parameter not in PARAMETERS:
        raise AquariumError(f"unknown parameter {name!r}; use one of {', '.join(PARAMETERS)}")
    return parameter


def parse_result(parameter: str, text: str) -> TestResult:
    """One typed result ("20", "4.5 dKH", "20 NO3-N") checked and converted to the canonical unit.

    The command line and the dashboard's logbook both go through here, so a value refused in one
    is refused in the other with the same words.
    """
    try:
        value = parse_value_with_unit(parameter, text)
        check_plausible(parameter, value)
    except SensorError as exc:
        raise AquariumError(exc.reason) from exc
    entered = ENTERED.match(text)
    return TestResult(
        parameter,
        value,
        float(entered.group(1)) if entered else None,
        (entered.group(2).strip() or None) if entered else None,
    )


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
    percent, litres = check_maintenance(
        kind, percent, litres, get_tank(engine, tank).volume_l, tank
    )
    log_event(engine, tank, kind, at=at, percent=percent, litres=litres, note=note)
    return percent, litres


def check_maintenance(
    kind: str,
    percent: float | None,
    litres: float | None,
    volume: float | None,
    tank: str,
    names: tuple[str, str] = ("--percent", "--litres"),
) -> tuple[float | None, float | None]:
    """Validate an event's amounts and complete percent or litres from the tank's VOLUME.

    NAMES are what the caller calls the two amounts in its messages (options on the command line,
    field labels on the dashboard).
    """
    pct, ltr = names
    if kind not in KINDS:
        raise AquariumError(f"unknown kind {kind!r}; use one of {', '.join(KINDS)}")
    if percent is not None and litres is not None:
        raise AquariumError(f"give {pct} or {ltr}, not both")
    if percent is not None and not 0 < percent <= 100:
        raise AquariumError(f"{pct} {percent:g} is out of range; give a number from 1 to 100")
    if litres is not None and litres <= 0:
        raise AquariumError(f"{ltr} {litres:g} must be more than 0")
    if kind == "water-change" and percent is None and litres is None:
        raise AquariumError(f"a water change needs its size: add {pct} 30 or {ltr} 25")
    if litres is not None and volume:
        if litres > volume:
            raise AquariumError(
                f"{ltr} {litres:g} is more than the tank's {volume:g} L; check the amount, or "
                f"fix the volume with 'aquarium tank edit {tank} --volume LITRES'"
            )
        percent = round(100 * litres / volume, 1)
    elif percent is not None and volume:
        litres = round(volume * percent / 100, 1)
    return percent, litres
