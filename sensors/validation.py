"""Plausibility checks on canonical values and device timestamps, before anything is stored.

A sensor failure must not become bad data (reef-pi 1467, 1576, 469 in DOMAIN.md), so values a
probe cannot physically produce are rejected here and dead-lettered with a reason.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from sensors.catalogue import Parameter, get_parameter
from sensors.errors import ImplausibleValue

__all__ = ["BACKFILL_HORIZON", "MAX_CLOCK_AHEAD", "check_device_time", "check_plausible"]

# How far back a device's own time is honoured (a node that buffered through a holiday, reef-pi
# 2055 in DOMAIN.md); older history comes in through `aquarium import`. [ingest] backfill_days.
BACKFILL_HORIZON = timedelta(days=365)
# NTP-synced nodes differ by seconds; a few minutes covers a drifting RTC. More is a wrong clock.
MAX_CLOCK_AHEAD = timedelta(minutes=5)
# Before this a node's clock was never set (1970 epoch, 2000 RTC defaults): say so plainly.
_UNSET_CLOCK_BEFORE = datetime(2001, 1, 1, tzinfo=UTC)

# What each catalogue fault value means (DOMAIN.md, "Sensors and their quirks").
_FAULT_MEANINGS: dict[tuple[str, float], str] = {
    ("temperature", 85.0): (
        "is the DS18B20 power-on value, not a reading; check the probe's wiring and power"
    ),
    ("temperature", -127.0): (
        "is what DS18B20 libraries report for a disconnected probe; check the probe's wiring"
    ),
}
_GENERIC_FAULT = "is a known sensor fault value, not a reading; check the sensor"

_RANGE_HINTS: dict[str, str] = {
    "temperature": "check the probe, and that a °F reading is not sent as °C",
    "ph": "check the probe calibration",
    "conductivity": "check the probe, its cell constant and the unit (µS/cm or mS/cm)",
    "tds": "check the probe and the unit (ppm or ppt)",
    "orp": "check the probe connection",
    "oxygen": "check the probe calibration and membrane",
    "flow": "check the flow sensor's pulses-per-litre setting and the unit",
    "level": "check the level sensor's mounting and the unit",
}
_KIT_HINT = "check the test-kit reading and its unit"

# Fault values are matched with a tolerance: 85 degC sent as 185 degF converts back with
# rounding error, and is still the power-on value.
_FAULT_TOLERANCE = 1e-6


def _quantity(param: Parameter, text: str) -> str:
    return f"pH {text}" if param.unit == "pH" else f"{text} {param.unit}"


def _range(param: Parameter) -> str:
    low, high = f"{param.minimum:g}", f"{param.maximum:g}"
    # "-5–60" reads as a typo; spell the range out when it starts below zero.
    span = f"{low}–{high}" if param.minimum >= 0 else f"{low} to {high}"
    return span if param.unit == "pH" else f"{span} {param.unit}"


def check_plausible(parameter: str, value: float) -> None:
    """Raise ImplausibleValue if ``value`` (canonical unit) is a sensor fault or impossible."""
    param = get_parameter(parameter)
    if not math.isfinite(value):
        raise ImplausibleValue(
            f"{param.label} {value} is not a reading; check the sensor and its publisher"
        )
    for fault in param.fault_values:
        if math.isclose(value, fault, rel_tol=0.0, abs_tol=_FAULT_TOLERANCE):
            meaning = _FAULT_MEANINGS.get((param.name, fault), _GENERIC_FAULT)
            raise ImplausibleValue(f"{_quantity(param, f'{fault:.1f}')} {meaning}")
    if not param.minimum <= value <= param.maximum:
        hint = _RANGE_HINTS.get(param.name, _KIT_HINT)
        raise ImplausibleValue(
            f"{_quantity(param, f'{value:.6g}')} is outside the possible {_range(param)}; {hint}"
        )


def _as_utc(moment: datetime) -> datetime:
    # Naive times are UTC throughout the project (ARCHITECTURE.md: times are stored in UTC).
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def span_text(span: timedelta) -> str:
    """A duration as a keeper says it: '10 years', '3 days', '7 minutes'."""
    seconds = abs(span.total_seconds())
    for unit, size in (("year", 365.25 * 86400), ("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = int(seconds // size)
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{int(seconds)} seconds"


def check_device_time(
    device_time: datetime,
    received: datetime,
    horizon: timedelta = BACKFILL_HORIZON,
    max_ahead: timedelta = MAX_CLOCK_AHEAD,
    raw_kept: timedelta | None = None,
) -> None:
    """Raise ImplausibleValue unless the device's own time can be stored as it is.

    RAW_KEPT ([retention] raw_days) also bounds the horizon: an older reading's hour is folded
    into its hourly rollup with no raw rows left, so the same reading sent again (a node that
    missed its ack) could not be told from the first and would be counted twice.

    A device time is honoured or refused, never moved: a value stored at its receive time instead
    of when it was measured is a corrupted value (an old 35 degC would become the latest reading).
    """
    device_time = _as_utc(device_time)
    # Compare the difference, not shifted times: received +- a limit can overflow datetime.max.
    ahead = device_time - _as_utc(received)
    if device_time < _UNSET_CLOCK_BEFORE:
        raise ImplausibleValue(
            f"device time {device_time:%Y-%m-%d %H:%M} UTC is a clock that was never set: set "
            "the node's time (NTP), or leave out 'time'"
        )
    if ahead > max_ahead:
        raise ImplausibleValue(
            f"device clock {span_text(ahead)} ahead: set the node's time, or leave out 'time'"
        )
    if raw_kept is not None and raw_kept < horizon and -ahead > raw_kept:
        raise ImplausibleValue(
            f"device time {device_time:%Y-%m-%d %H:%M} UTC is {span_text(ahead)} old, past the "
            f"raw history kept ([retention] raw_days = {raw_kept.days}), where a reading sent "
            "again could not be told from the first: raise [retention] raw_days to take it"
        )
    if -ahead > horizon:
        raise ImplausibleValue(
            f"device time {device_time:%Y-%m-%d %H:%M} UTC is {span_text(ahead)} old, past the "
            f"backfill horizon of {horizon.days} days: bring older history in with `aquarium "
            "import`, or raise [ingest] backfill_days"
        )
