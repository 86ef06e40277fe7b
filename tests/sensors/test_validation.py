"""Plausibility of values and of device timestamps."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta, timezone

import pytest

from sensors.errors import ImplausibleValue, SensorError, UnknownParameter
from sensors.units import to_canonical
from sensors.validation import check_device_time, check_plausible

RECEIVED = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


def test_ds18b20_power_on_value_is_named() -> None:
    """85.0 degC is rejected as the DS18B20 power-on value with a wiring hint (DOMAIN.md)."""
    with pytest.raises(ImplausibleValue) as caught:
        check_plausible("temperature", 85.0)
    assert caught.value.reason == (
        "85.0 °C is the DS18B20 power-on value, not a reading; check the probe's wiring and power"
    )


def test_ds18b20_disconnected_value_is_named() -> None:
    """-127 degC is rejected as a disconnected DS18B20 (DOMAIN.md)."""
    with pytest.raises(ImplausibleValue) as caught:
        check_plausible("temperature", -127)
    assert "disconnected" in caught.value.reason


def test_power_on_value_sent_in_fahrenheit_is_still_named() -> None:
    """85 degC published as 185 degF is recognised after conversion."""
    with pytest.raises(ImplausibleValue) as caught:
        check_plausible("temperature", to_canonical("temperature", 185.0, "F"))
    assert "power-on" in caught.value.reason


def test_out_of_range_ph_names_the_range_and_fix() -> None:
    """pH 15.2 is rejected with the possible range and a calibration hint."""
    with pytest.raises(ImplausibleValue) as caught:
        check_plausible("ph", 15.2)
    assert caught.value.reason == (
        "pH 15.2 is outside the possible 0–14; check the probe calibration"
    )


@pytest.mark.parametrize(
    ("parameter", "value", "shown"),
    [
        ("temperature", 70.0, "70 °C is outside the possible -5 to 60 °C"),
        ("conductivity", -1.0, "-1 µS/cm is outside the possible 0–200000 µS/cm"),
        ("nitrate", 4430.0, "4430 mg/L is outside the possible 0–2000 mg/L"),
        ("ammonia", -0.01, "-0.01 mg/L is outside"),
    ],
)
def test_out_of_range_values_are_rejected(parameter: str, value: float, shown: str) -> None:
    """Values outside the physically possible range raise ImplausibleValue showing both."""
    with pytest.raises(ImplausibleValue) as caught:
        check_plausible(parameter, value)
    assert caught.value.reason.startswith(shown)


@pytest.mark.parametrize(
    ("parameter", "value"),
    [
        ("temperature", 25.5),
        ("temperature", -5.0),
        ("ph", 0.0),
        ("ph", 14.0),
        ("ph", 7.2),
        ("orp", -200.0),
        ("nitrate", 40.0),
        ("kh", 4.5),
        ("oxygen", 8.25),
        ("flow", 0.0),
    ],
)
def test_plausible_values_pass(parameter: str, value: float) -> None:
    """Real readings, including the range boundaries, raise nothing."""
    check_plausible(parameter, value)  # raises on a refusal


@pytest.mark.parametrize("value", [math.nan, math.inf])
def test_non_finite_values_are_implausible(value: float) -> None:
    """nan and infinity are never plausible."""
    with pytest.raises(ImplausibleValue):
        check_plausible("ph", value)


def test_implausible_value_is_a_sensor_error() -> None:
    """ImplausibleValue belongs to the SensorError family so ingest can dead-letter it."""
    with pytest.raises(SensorError):
        check_plausible("ph", -1.0)


def test_unknown_parameter_is_reported() -> None:
    """Checking an unknown parameter raises UnknownParameter."""
    with pytest.raises(UnknownParameter):
        check_plausible("salinity", 35.0)


@pytest.mark.parametrize(
    ("offset", "expected"),
    [
        (timedelta(0), True),
        (timedelta(minutes=4), True),
        (timedelta(minutes=5), True),
        (timedelta(minutes=6), False),
        (-timedelta(days=8), True),  # a node that buffered through a holiday
        (-timedelta(days=365), True),
        (-timedelta(days=365, seconds=1), False),
        (-timedelta(days=3650), False),
    ],
)
def test_device_time_window(offset: timedelta, expected: bool) -> None:
    """A device time up to 5 min ahead or a year behind is honoured; beyond is refused."""
    if expected:
        check_device_time(RECEIVED + offset, RECEIVED)
    else:
        with pytest.raises(ImplausibleValue):
            check_device_time(RECEIVED + offset, RECEIVED)


def test_device_time_refusals_say_why_and_how_to_fix_it() -> None:
    """Ahead, unset and too old each get a reason a keeper can act on."""
    with pytest.raises(ImplausibleValue, match="device clock 10 years ahead: set the node's"):
        check_device_time(RECEIVED + timedelta(days=3653), RECEIVED)
    with pytest.raises(ImplausibleValue, match="never set"):
        check_device_time(datetime(1970, 1, 1, tzinfo=UTC), RECEIVED)
    with pytest.raises(ImplausibleValue, match=r"backfill horizon of 365 days.*aquarium import"):
        check_device_time(RECEIVED - timedelta(days=400), RECEIVED)


def test_device_time_horizon_can_be_changed() -> None:
    """A shorter horizon refuses what the default would honour; a longer one the reverse."""
    with pytest.raises(ImplausibleValue, match="30 days"):
        check_device_time(RECEIVED - timedelta(days=31), RECEIVED, horizon=timedelta(days=30))
    check_device_time(RECEIVED - timedelta(days=700), RECEIVED, horizon=timedelta(days=730))


def test_device_time_compares_instants_across_zones() -> None:
    """The same instant written in another zone is honoured; naive times are UTC here."""
    shanghai = RECEIVED.astimezone(timezone(timedelta(hours=8)))
    check_device_time(shanghai, RECEIVED)
    check_device_time(RECEIVED.replace(tzinfo=None), RECEIVED)
    with pytest.raises(ImplausibleValue, match="8 hours ahead"):
        check_device_time(RECEIVED.replace(tzinfo=None) + timedelta(hours=8), RECEIVED)


def test_device_time_near_the_end_of_time_does_not_overflow() -> None:
    """Extreme datetimes give an answer instead of an OverflowError."""
    end = datetime.max.replace(tzinfo=UTC)
    check_device_time(end, end)
    with pytest.raises(ImplausibleValue):
        check_device_time(datetime.min.replace(tzinfo=UTC), end)
