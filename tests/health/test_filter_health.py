"""Filter health for the under-gravel bed: cycle stage, stall, flow, pH/KH decline, ORP, oxygen."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import pytest

from health import PROFILES, advise, cycle_status
from tests.health.builders import T0, change, day, history, manual, sensor

TEN_MIN = timedelta(minutes=10)
P = PROFILES["turtle-fish"]


def jitter(t: datetime) -> float:
    """A small real-looking wobble so no series looks flat-lined."""
    return 0.05 * math.sin(t.timestamp() / 900.0)


def cycling_tests() -> dict[str, list]:
    """Ammonia then nitrite rising in a new tank; pH and temperature tested alongside."""
    return {
        "ammonia": manual([(7, 1.0), (14, 2.0), (18, 1.0)]),
        "nitrite": manual([(14, 0.0), (18, 0.4)]),
        "ph": manual([(7, 7.0), (14, 7.0), (18, 7.0)]),
        "temperature": manual([(7, 25.0), (14, 25.0), (18, 25.0)]),
    }


def test_cycling_tank_reports_cycling_not_stall() -> None:
    """In a 20-day-old tank, ammonia and nitrite are the cycle, not a stalled biofilter."""
    h = history(cycling_tests(), created_at=T0)
    v = advise(h, day(20))
    assert "cycling" in v.codes()
    assert "biofilter_stall" not in v.codes()
    assert "nitrite phase" in next(r.message for r in v.reasons if r.code == "cycling")
    assert v.status == "ok"


def test_same_tests_in_an_established_tank_are_a_stall() -> None:
    """The same ammonia and nitrite in a tank of unknown age point to the filter."""
    h = history(cycling_tests(), [change(0)])
    v = advise(h, day(20))
    assert "biofilter_stall" in v.codes() and "cycling" not in v.codes()
    assert v.status == "soon"


@pytest.mark.parametrize(
    ("samples", "age", "stage", "basis"),
    [
        ({}, 5, "ammonia", "age"),
        ({}, 20, "nitrite", "age"),
        ({}, 40, "nitrate", "age"),
        ({"ammonia": [(5, 0.5)]}, 5, "ammonia", "tests"),
        ({"ammonia": [(5, 0.5)], "nitrite": [(12, 1.0)]}, 12, "nitrite", "tests"),
        ({"ammonia": [(30, 0.0)], "nitrite": [(30, 0.0)]}, 30, "nitrate", "tests"),
        ({"ammonia": [(5, 0.5)]}, 60, "established", "age"),
    ],
)
def test_cycle_stage(samples: dict, age: float, stage: str, basis: str) -> None:
    """The stage follows the tests when there are some and the calendar when there are none."""
    h = history({k: manual(v) for k, v in samples.items()}, created_at=T0)
    status = cycle_status(h, day(age), P)
    assert (status.stage, status.basis) == (stage, basis)


def test_clogging_bed_is_flow_drop() -> None:
    """Flow falling from 6 to 4 L/min against its own week is a clog: gravel clean due soon."""
    flow = sensor(day(0), day(10), TEN_MIN, lambda t: (6.0 if t < day(9) else 4.0) + jitter(t))
    v = advise(history({"flow": flow}, [change(0)]), day(10))
    drop = [r for r in v.reasons if r.code == "flow_drop"]
    assert drop and drop[0].severity == "soon"
    assert "gravel clean" in drop[0].message
    assert v.status == "soon"


def test_slow_clog_is_measured_against_the_last_clean() -> None:
    """A slow 25 % fall in a month, too gradual for the weekly baseline, shows against the clean."""
    flow = sensor(
        day(0),
        day(30),
        TEN_MIN,
        lambda t: 6.0 - 1.5 * (t - T0).total_seconds() / (30 * 86400) + jitter(t),
    )
    h = history({"flow": flow}, [change(0, kind="gravel-clean"), change(0)])
    drop = [r for r in advise(h, day(30)).reasons if r.code == "flow_drop"]
    assert drop and "after the clean" in drop[0].message


def test_stopped_pump_is_now() -> None:
    """Flow falling to zero means the filter has stopped: now."""
    flow = sensor(day(0), day(10), TEN_MIN, lambda t: (6.0 + jitter(t)) if t < day(9) else 0.0)
    v = advise(history({"flow": flow}, [change(0)]), day(10))
    assert v.status == "now" and v.reasons[0].code == "flow_drop"
    assert "pump" in v.reasons[0].message


def test_gravel_clean_resets_the_flow_baseline() -> None:
    """After a gravel clean, higher flow is the new normal and old low flow is not a baseline."""
    flow = sensor(day(0), day(10), TEN_MIN, lambda t: (4.0 if t < day(8) else 6.0) + jitter(t))
    h = history({"flow": flow}, [change(8, kind="gravel-clean"), change(0)])
    assert "flow_drop" not in advise(h, day(10)).codes()


def test_ph_decline_over_a_month() -> None:
    """pH falling 0.4 in a month (more than 0.2) says the bed is eating the buffer."""
    ph = manual([(d, 7.4 - 0.4 * d / 28) for d in range(0, 29, 4)])
    v = advise(history({"ph": ph}, [change(0)]), day(28) + timedelta(hours=1))
    assert "ph_decline" in v.codes()


def test_kh_heading_for_the_floor() -> None:
    """KH falling 0.5 dKH a week from 4.5 will hit 2.2 within a month: kh_decline with that date."""
    kh = manual([(0, 4.5), (7, 4.0), (14, 3.5), (21, 3.0)])
    v = advise(history({"kh": kh}, [change(0)]), day(21) + timedelta(hours=1))
    reason = next(r for r in v.reasons if r.code == "kh_decline")
    assert reason.severity == "soon" and reason.due == day(32.2).date()


@pytest.mark.parametrize(
    ("parameter", "value", "code", "status"),
    [
        ("orp", 20.0, "orp_low", "soon"),
        ("orp", -120.0, "orp_low", "now"),
        ("oxygen", 4.0, "oxygen_low", "soon"),
        ("oxygen", 1.0, "oxygen_low", "now"),
    ],
)
def test_falling_orp_and_oxygen(parameter: str, value: float, code: str, status: str) -> None:
    """ORP below +50 mV or DO below 5 mg/L is soon; below -50 mV or 1.5 mg/L is now."""
    readings = sensor(day(9), day(10), TEN_MIN, lambda t: value + jitter(t))
    v = advise(history({parameter: readings}, [change(0)]), day(10))
    assert v.status == status and v.reasons[0].code == code
