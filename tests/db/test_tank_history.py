"""Advice from hourly rollups plus two days of raw readings matches advice from raw data."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from db.maintenance import log_event
from db.manual import TestResult, log_tests
from db.readings import BatchStore, NewReading
from db.rollup import refresh_rollups
from db.tank_history import LOOKBACK, RAW_WINDOW, load_tank_history
from db.tanks import add_tank
from health import advise
from health.sensor_choice import REPORTING_WINDOW
from health.verdict import Verdict

AT = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
STEP = timedelta(minutes=5)
DAYS = 12


def _readings(tank: str, start: datetime, end: datetime) -> list[NewReading]:
    """Five-minute readings: conductivity climbing since a water change, flow slowly falling,
    pH and oxygen with a daily swing, and two temperature probes half a degree apart."""
    out = []
    at = start
    while at < end:
        days = (at - (AT - timedelta(days=DAYS))).total_seconds() / 86_400
        swing = math.sin(2 * math.pi * (at.hour * 60 + at.minute) / 1440)
        values = {
            "conductivity": 380.0 + 6.0 * days + 2.0 * swing,
            "flow": 8.0 - 0.25 * days + 0.05 * swing,
            "ph": 7.5 + 0.1 * swing,
            "oxygen": 7.5 + 0.3 * swing,
            "temperature": 25.0 + 0.4 * swing,
        }
        for parameter, value in values.items():
            topic = f"aquarium/{tank}/{parameter}"
            out.append(NewReading(tank, parameter, round(value, 3), at, at, topic))
        outlet = f"aquarium/{tank}/temperature-outlet"
        out.append(NewReading(tank, "temperature", round(25.5 + 0.4 * swing, 3), at, at, outlet))
        at += STEP
    return out


def _tank(engine: Engine, name: str) -> None:
    """An established tank with twelve days of sensors, weekly tests and a water change."""
    add_tank(engine, name, volume_l=96.0, at=AT - timedelta(days=200))
    start = AT - timedelta(days=DAYS)
    log_event(engine, name, "water-change", at=start + timedelta(hours=1), percent=30.0)
    for days_after, nitrate in ((1, 12.0), (5, 18.0), (9, 26.0)):
        results = [TestResult("nitrate", nitrate), TestResult("ph", 7.4), TestResult("kh", 5.0)]
        log_tests(engine, name, results, at=start + timedelta(days=days_after, hours=18))
    BatchStore(engine).write(_readings(name, start, AT - timedelta(hours=6)), [])


def _latest_hours(engine: Engine, tank: str) -> None:
    """The last six hours of readings, up to AT."""
    BatchStore(engine).write(_readings(tank, AT - timedelta(hours=6), AT + STEP), [])


def _both(engine: Engine, tank: str) -> tuple[Verdict, Verdict]:
    """(the verdict from rollups and two raw days, the verdict from every raw reading)."""
    fed = load_tank_history(engine, tank, AT)
    raw = load_tank_history(engine, tank, AT, raw_window=LOOKBACK)
    return advise(fed, AT), advise(raw, AT)


def _decision(verdict: Verdict) -> dict[str, object]:
    """What the verdict decides: status, dates, size, plan, and each reason's code and weight.

    The reasons' sentences quote numbers, and a median of hourly means (say a conductivity
    baseline) may differ from the raw median in its last digit: that is the rollup's price.
    """
    body = verdict.to_json_dict()
    body["reasons"] = [(r["code"], r["severity"]) for r in body["reasons"]]
    return body


def test_rollup_fed_history_gives_the_raw_verdict(any_engine: Engine) -> None:
    """Twelve days of five-minute readings judged from hourly means give the raw data's verdict."""
    _tank(any_engine, "fed")
    _latest_hours(any_engine, "fed")
    refresh_rollups(any_engine)
    fed, raw = _both(any_engine, "fed")
    assert _decision(fed) == _decision(raw)
    # The checks had something to judge: a dated forecast and a conductivity rise.
    assert {"nitrate_forecast", "conductivity_rise"} <= {r.code for r in fed.reasons}


def test_readings_not_yet_rolled_up_count_as_in_the_raw_verdict(any_engine: Engine) -> None:
    """The newest readings, stored after the last rollup refresh, weigh as in the raw path."""
    _tank(any_engine, "late")
    refresh_rollups(any_engine)
    # The last six hours arrive after the refresh, with a step down in conductivity that no
    # logged water change explains.
    step = AT - timedelta(hours=3)
    late = [
        NewReading(r.tank, r.parameter, r.value * 0.6, r.time, r.received_at, r.topic)
        if r.parameter == "conductivity" and r.time >= step
        else r
        for r in _readings("late", AT - timedelta(hours=6), AT + STEP)
    ]
    BatchStore(any_engine).write(late, [])
    fed, raw = _both(any_engine, "late")
    assert _decision(fed) == _decision(raw)
    assert "unlogged_change" in {r.code for r in fed.reasons}


def test_two_sensors_of_a_parameter_are_judged_apart_from_rollups(any_engine: Engine) -> None:
    """Two temperature probes keep their own series through the rollups; the verdict matches."""
    _tank(any_engine, "probes")
    _latest_hours(any_engine, "probes")
    refresh_rollups(any_engine)
    fed = load_tank_history(any_engine, "probes", AT)
    raw = load_tank_history(any_engine, "probes", AT, raw_window=LOOKBACK)
    assert sorted(fed.by_sensor["temperature"]) == ["temperature", "temperature-outlet"]
    cut = AT - RAW_WINDOW
    for probe, samples in fed.by_sensor["temperature"].items():
        # Each probe's own readings of the last two days as they are, hourly means before.
        recent = [s for s in raw.by_sensor["temperature"][probe] if s.time >= cut]
        assert [s for s in samples if s.time >= cut] == recent
        assert len(samples) < len(raw.by_sensor["temperature"][probe]) / 2
    # The followed series: the median of the two probes wherever both report (the first
    # minutes of the raw part still meet an hourly mean older than the reporting window).
    settled = cut + REPORTING_WINDOW
    assert [s for s in fed.samples["temperature"] if s.time > settled] == [
        s for s in raw.samples["temperature"] if s.time > settled
    ]
    tank_probe = {s.time: s.value for s in fed.by_sensor["temperature"]["temperature"]}
    for s in fed.samples["temperature"]:
        if s.time > settled:  # half way between the probes, which read 0.5 degC apart
            assert abs(s.value - tank_probe[s.time] - 0.25) < 0.01
    assert _decision(advise(fed, AT)) == _decision(advise(raw, AT))
