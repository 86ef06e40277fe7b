"""Several sensors of one parameter: the advisor follows the primary, else the median."""

from __future__ import annotations

from datetime import timedelta

from health import Sample, TankHistory, sensor_issues
from health.sensor_choice import chosen_series
from tests.health.builders import T0


def _probe(value: float, minutes: int = 60, offset_s: int = 0) -> list[Sample]:
    return [Sample(T0 + timedelta(minutes=m, seconds=offset_s), value) for m in range(minutes)]


def _two_probes(tank_c: float, outlet_c: float, primary: str | None) -> TankHistory:
    by_sensor = {"tank": _probe(tank_c), "bed outlet": _probe(outlet_c, offset_s=20)}
    return TankHistory(
        tank="t",
        volume_l=100,
        profile="turtle",
        samples={"temperature": chosen_series(by_sensor, primary)},
        maintenance=[],
        by_sensor={"temperature": by_sensor},
    )


def test_the_primary_sensor_is_followed_while_it_reports() -> None:
    """With a primary, the series is its readings alone, whatever the other probe says."""
    chosen = chosen_series({"tank": _probe(25.0), "bed outlet": _probe(27.0, offset_s=20)}, "tank")
    assert {s.value for s in chosen} == {25.0}
    assert len(chosen) == 60


def test_without_the_primary_the_median_of_those_reporting_is_followed() -> None:
    """No primary (or a silent one): the median of the probes reporting, never a zig-zag."""
    three = {"a": _probe(25.0), "b": _probe(26.0, offset_s=10), "c": _probe(30.0, offset_s=20)}
    chosen = chosen_series(three, None)
    assert {s.value for s in chosen[3:]} == {26.0}  # once all three have reported
    silent_primary = {"tank": _probe(25.0, minutes=10), "bed outlet": _probe(27.0, offset_s=20)}
    late = [s for s in chosen_series(silent_primary, "tank") if s.time > T0 + timedelta(hours=0.5)]
    assert late and {s.value for s in late} == {27.0}


def test_one_sensor_is_passed_through_unchanged() -> None:
    """A single probe's readings are the series as they are."""
    alone = _probe(25.0)
    assert chosen_series({"tank": alone}, None) == alone


def test_a_two_degree_disagreement_is_a_note_naming_both_probes() -> None:
    """Two DS18B20s (+-0.5 degC each) 2 degC apart give a sensor-health note with both labels."""
    at = T0 + timedelta(minutes=60)
    (issue,) = [
        i for i in sensor_issues(_two_probes(25.0, 27.0, "tank"), at) if i.kind == "disagree"
    ]
    assert "'tank'" in issue.message and "'bed outlet'" in issue.message
    assert "differ by 2" in issue.message


def test_probes_within_their_accuracy_give_no_note() -> None:
    """0.8 degC apart is within two DS18B20s' accuracy: no note (the case that must not fire)."""
    at = T0 + timedelta(minutes=60)
    assert not [i for i in sensor_issues(_two_probes(25.0, 25.8, None), at) if i.kind == "disagree"]
