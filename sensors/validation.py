"""Plausibility checks on canonical values and device timestamps, before anything is stored.

A sensor failure must not become bad data (reef-pi 1467, 1576, 469 in DOMAIN.md), so values a
probe cannot physically produce are rejected here and dead-lettered with a reason.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from sensors.catalogue import Parameter, get_parameter
from sensors.errors import ImplausibleValue

__all__ = ["check_plausible", "plausible_device_time"]

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


def plausible_device_time(
    device_time: datetime,
    received: datetime,
    max_future: timedelta = timedelta(minutes=5),
    max_past: timedelta = timedelta(days=7),
) -> bool:
    """True if the device's own timestamp may be used instead of the receive time.

    Devices buffer while offline (reef-pi 2055 in DOMAIN.md), so a week back is allowed; a few
    minutes ahead covers clock skew, while more means an unset or wrong device clock.
    """
    # Compare the difference, not shifted times: received +- a limit can overflow datetime.max.
    ahead = _as_utc(device_time) - _as_utc(received)
    return -max_past <= ahead <= max_future
