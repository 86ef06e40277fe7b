"""Keeper input, one door: what a keeper types, turned into canonical results and UTC times.

The command line (`aquarium log`, `aquarium maintain`), the dashboard's forms, the logbook table's
corrections and the CSV import all come through here, so a value or a time refused on one path is
refused on every path with the same words. Stdlib only (ARCHITECTURE.md: sensors/ owns it).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Literal, get_args

from sensors.catalogue import PARAMETERS
from sensors.errors import KeeperInputError, SensorError
from sensors.times import LocalTimeError, wall_clock_to_utc
from sensors.units import parse_value_with_unit
from sensors.validation import check_plausible

__all__ = [
    "ENTERED",
    "FUTURE_SKEW",
    "FUTURE_TIME",
    "MAINTENANCE_KINDS",
    "TANK_VOLUME_L",
    "MaintenanceKind",
    "TestResult",
    "check_maintenance",
    "check_time",
    "decimal_point",
    "entry_text",
    "from_local",
    "parse_result",
    "parse_test_arguments",
    "parse_when",
    "resolve_parameter",
]

# What the keeper typed: a number, then an optional unit (kept to show the entry as written).
ENTERED = re.compile(r"\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(.*)")

# A decimal comma as much of Europe writes it ("7,4"); "1,250" is ambiguous (see decimal_point).
DECIMAL_COMMA = re.compile(r"^(\s*[-+]?\d+),(\d+)(?![\d.,])")

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

# The maintenance a keeper logs (ARCHITECTURE.md, `aquarium maintain`).
MaintenanceKind = Literal["water-change", "gravel-clean", "filter-clean", "top-off", "note"]
MAINTENANCE_KINDS: tuple[str, ...] = get_args(MaintenanceKind)

# A bucket-sized nano tank to a public aquarium's big display: anything else is a typo.
TANK_VOLUME_L = (1.0, 100_000.0)
# A clock a few minutes fast (a phone, a Pi without NTP yet) is skew; more is a mistyped time.
# The same allowance as a device's clock (sensors/validation.py).
FUTURE_SKEW = timedelta(minutes=5)
FUTURE_TIME = "that time is in the future; give the time it was done"
# No keeper's record is older than the hobby's test kits in common use; an earlier year is a typo
# ("0026-11-24", "1926-11-24").
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class TestResult:
    """One parameter of one test session, in the canonical unit, with what the keeper typed."""

    __test__ = False  # not a pytest test class, despite the name

    parameter: str
    value: float
    entered_value: float | None = None
    entered_unit: str | None = None


def resolve_parameter(name: str) -> str:
    """The catalogue name for what a keeper typed ("NO3", "KH", "temp"...)."""
    key = name.strip().lower()
    parameter = PARAMETER_ALIASES.get(key, key)
    if parameter not in PARAMETERS:
        raise KeeperInputError(f"unknown parameter {name!r}; use one of {', '.join(PARAMETERS)}")
    return parameter


def decimal_point(text: str) -> str:
    """TEXT with a decimal comma ("7,4", "0,25 mg/L") written as a point.

    Three digits after the comma ("1,250") could be a thousands separator or a decimal comma:
    refused, never guessed, since either guess may be a value ten or a thousand times off.
    """
    match = DECIMAL_COMMA.match(text)
    if match is None:
        return text
    if len(match.group(2)) == 3:
        whole, part = match.group(1).strip(), match.group(2)
        raise KeeperInputError(
            f"{text.strip()!r} is ambiguous: write {whole}.{part} for a decimal, or "
            f"{whole}{part} for {whole} thousand {part}"
        )
    return f"{match.group(1)}.{match.group(2)}{text[match.end() :]}"


def parse_result(parameter: str, text: str) -> TestResult:
    """One typed result ("20", "4.5 dKH", "7,4", "20 NO3-N"), checked, in the canonical unit."""
    text = decimal_point(text)
    value = parse_value_with_unit(parameter, text)
    check_plausible(parameter, value)
    entered = ENTERED.match(text)
    return TestResult(
        parameter,
        value,
        float(entered.group(1)) if entered else None,
        (entered.group(2).strip() or None) if entered else None,
    )


def parse_test_arguments(arguments: Sequence[str]) -> list[TestResult]:
    """PARAM=VALUE[UNIT] arguments as canonical results; one clear error for the first bad one."""
    if not arguments:
        raise KeeperInputError("give at least one result, for example: nitrate=20 ph=7.4 kh=4dKH")
    results: list[TestResult] = []
    seen: set[str] = set()
    for argument in arguments:
        name, sep, text = argument.partition("=")
        if not sep or not text.strip():
            raise KeeperInputError(f"{argument!r} is not PARAM=VALUE; write it like nitrate=20")
        parameter = resolve_parameter(name)
        if parameter in seen:
            raise KeeperInputError(f"{parameter} is given twice; give each parameter once")
        seen.add(parameter)
        try:
            results.append(parse_result(parameter, text))
        except SensorError as exc:
            raise KeeperInputError(f"{argument}: {exc}") from exc
    return results


def entry_text(typed: str, unit: str) -> str:
    """What the keeper typed, with the chosen unit unless they typed a unit themselves."""
    typed = typed.strip()
    match = ENTERED.match(typed)
    if match is None or match.group(2).strip():
        return typed  # a unit typed by hand wins; a non-number is reported as such
    return f"{typed} {unit}".strip()


def from_local(moment: datetime, zone: tzinfo | None = None) -> datetime:
    """MOMENT as aware UTC; a naive one is wall-clock time in ZONE (the machine's zone if None)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone) if zone is not None else moment.astimezone()
    return moment.astimezone(UTC)


def parse_when(text: str | None, *, option: str = "--at", zone: tzinfo | None = None) -> datetime:
    """TEXT as an aware UTC datetime; None means now. A time without a zone is local time."""
    if text is None:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(text.strip().replace(" ", "T", 1))
    except ValueError as exc:
        raise KeeperInputError(
            f"{option} {text!r} is not a date or time; use ISO 8601 such as 2026-11-24 or "
            "2026-11-24T18:30 (local time) or 2026-11-24T17:30Z"
        ) from exc
    if moment.tzinfo is not None:
        return moment.astimezone(UTC)
    try:
        return wall_clock_to_utc(moment, zone)
    except LocalTimeError as exc:  # the hour clocks skip or repeat: ask, never guess
        raise KeeperInputError(
            f"{option} {text!r}: {exc}; add the UTC offset (such as +01:00) "
            "or give the time in UTC with a Z"
        ) from exc


def check_time(
    moment: datetime,
    *,
    now: datetime | None = None,
    set_up: datetime | date | None = None,
) -> datetime:
    """MOMENT if a keeper's entry may carry it: not in the future, not before the tank's history.

    A few minutes ahead are clock skew (FUTURE_SKEW). Before the tank was set up (when its set-up
    date is known) or before 1970, the date is a typo. Returns MOMENT unchanged: a time is never
    moved to make it fit.
    """
    now = now or datetime.now(UTC)
    if moment - now > FUTURE_SKEW:
        raise KeeperInputError(FUTURE_TIME)
    if moment < EARLIEST:
        raise KeeperInputError(f"that time is before {EARLIEST:%Y}; check the year")
    if set_up is not None:
        start = (
            set_up if isinstance(set_up, datetime) else datetime.combine(set_up, time(), tzinfo=UTC)
        )
        if moment < from_local(start):
            raise KeeperInputError(
                f"that time is before the tank was set up ({start:%Y-%m-%d}); check the date, "
                "or the tank's set-up date"
            )
    return moment


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
    if kind not in MAINTENANCE_KINDS:
        raise KeeperInputError(f"unknown kind {kind!r}; use one of {', '.join(MAINTENANCE_KINDS)}")
    if percent is not None and litres is not None:
        raise KeeperInputError(f"give {pct} or {ltr}, not both")
    if percent is not None and not 0 < percent <= 100:
        raise KeeperInputError(f"{pct} {percent:g} is out of range; give a number from 1 to 100")
    if litres is not None and not litres > 0:  # NaN too: it compares false to everything
        raise KeeperInputError(f"{ltr} {litres:g} must be more than 0")
    if litres is not None and not litres <= TANK_VOLUME_L[1]:
        # Checked without the tank's volume too: a tank with none stored infinity as a size.
        raise KeeperInputError(
            f"{ltr} {litres:g} is more than any tank holds ({TANK_VOLUME_L[1]:g} L); "
            "check the amount"
        )
    if kind == "water-change" and percent is None and litres is None:
        raise KeeperInputError(f"a water change needs its size: add {pct} 30 or {ltr} 25")
    if litres is not None and volume:
        if litres > volume:
            raise KeeperInputError(
                f"{ltr} {litres:g} is more than the tank's {volume:g} L; check the amount, or "
                f"fix the volume with 'aquarium tank edit {tank} --volume LITRES'"
            )
        percent = round(100 * litres / volume, 1)
    elif percent is not None and volume:
        litres = round(volume * percent / 100, 1)
    return percent, litres
