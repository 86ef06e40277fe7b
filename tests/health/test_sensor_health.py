"""Sensor health: stale, offline, flat-lined, jumping sensors and DS18B20 fault values."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime, timedelta

from health import Sample, SensorStatus, sensor_issues
from health.sensor_health import clean, untrusted_parameters
from tests.health.builders import day, history, sensor

FIVE_MIN = timedelta(minutes=5)


def wobble(base: float, amplitude: float = 0.05) -> Callable[[datetime], float]:
    """A reading function that varies like real water around ``base``."""
    return lambda t: base + amplitude * math.sin(t.timestamp() / 600.0)


def test_healthy_sensor_has_no_issues() -> None:
    """A varying sensor reporting on schedule raises nothing."""
    temps = sensor(day(0), day(1), FIVE_MIN, wobble(25.0))
    h = history({"temperature": temps}, sensors=[SensorStatus("temperature", day(1), 300.0)])
    assert sensor_issues(h, day(1) + timedelta(minutes=2)) == []


def test_stale_after_three_expected_intervals() -> None:
    """No reading for more than three expected intervals makes the sensor stale and untrusted."""
    temps = sensor(day(0), day(1), FIVE_MIN, wobble(25.0))
    h = history({"temperature": temps}, sensors=[SensorStatus("temperature", day(1), 300.0)])
    assert sensor_issues(h, day(1) + timedelta(minutes=14)) == []
    issues = sensor_issues(h, day(1) + timedelta(minutes=16))
    assert [i.kind for i in issues] == ["stale"]
    assert untrusted_parameters(issues) == {"temperature": "not reporting"}


def test_stale_is_inferred_without_a_configured_interval() -> None:
    """Without a SensorStatus the usual gap between readings stands in for the interval."""
    h = history({"ph": sensor(day(0), day(1), FIVE_MIN, wobble(7.2))})
    assert [i.kind for i in sensor_issues(h, day(1) + timedelta(hours=1))] == ["stale"]


def test_configured_sensor_that_never_reported_is_stale() -> None:
    """A configured sensor with no reading at all is reported, not silently ignored."""
    h = history(sensors=[SensorStatus("oxygen", None, 60.0)])
    assert [i.kind for i in sensor_issues(h, day(0))] == ["stale"]


def test_offline_from_availability() -> None:
    """A sensor reporting itself offline (Tasmota LWT) is an issue even with fresh readings."""
    temps = sensor(day(0), day(1), FIVE_MIN, wobble(25.0))
    h = history({"temperature": temps}, sensors=[SensorStatus("temperature", day(1), 300.0, False)])
    assert [i.kind for i in sensor_issues(h, day(1))] == ["offline"]


def test_flatline_over_twelve_hours() -> None:
    """Thirteen hours of the identical pH value is a stuck sensor; six hours is not yet."""
    varied = sensor(day(0), day(0) + timedelta(hours=6), FIVE_MIN, wobble(7.2))
    flat = sensor(
        day(0) + timedelta(hours=6, minutes=5),
        day(0) + timedelta(hours=19),
        FIVE_MIN,
        lambda t: 7.0,
    )
    h = history({"ph": varied + flat})
    assert sensor_issues(h, day(0) + timedelta(hours=12)) == []
    issues = sensor_issues(h, day(0) + timedelta(hours=19))
    assert [i.kind for i in issues] == ["flatline"]
    assert "7" in issues[0].message


def test_steady_zero_flow_is_not_a_sensor_fault() -> None:
    """A stopped pump reads a steady 0 L/min: that is for the flow check, not a sensor fault."""
    h = history({"flow": sensor(day(0), day(1), FIVE_MIN, lambda t: 0.0)})
    assert sensor_issues(h, day(1)) == []


def test_impossible_temperature_jump() -> None:
    """Water cannot warm 5 °C in a minute, so the sensor is suspect for a day."""
    temps = sensor(day(0), day(0) + timedelta(hours=2), timedelta(minutes=1), wobble(25.0))
    temps.append(Sample(day(0) + timedelta(hours=2, minutes=1), 30.0))
    h = history({"temperature": temps})
    issues = sensor_issues(h, day(0) + timedelta(hours=2, minutes=2))
    assert [i.kind for i in issues] == ["jump"]
    assert sensor_issues(h, day(1) + timedelta(hours=3)) != []  # stale by then, no longer "jump"
    assert "jump" not in [i.kind for i in sensor_issues(h, day(1) + timedelta(hours=3))]


def test_ds18b20_fault_values_are_dropped_and_reported() -> None:
    """85.0 and -127 are not readings: they are dropped and reported but do not taint the sensor."""
    temps = sensor(day(0), day(1), FIVE_MIN, wobble(25.0))
    temps[100] = Sample(temps[100].time, 85.0)
    temps[200] = Sample(temps[200].time, -127.0)
    h = history({"temperature": temps})
    issues = sensor_issues(h, day(1))
    assert [i.kind for i in issues] == ["fault_value"]
    assert untrusted_parameters(issues) == {}
    assert all(s.value < 30 for s in clean("temperature", temps))


def test_manual_entries_are_never_dropped_as_fault_values() -> None:
    """A keeper typing 85.0 °C gets a range check elsewhere; health does not silently drop it."""
    assert clean("temperature", [Sample(day(0), 85.0, "manual")]) != []
