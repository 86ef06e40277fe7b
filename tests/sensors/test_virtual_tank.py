"""The virtual tank: determinism, the nitrogen cycle, maintenance, faults and long runs."""

from __future__ import annotations

import itertools
import math
import time
from datetime import UTC, datetime

import pytest

from sensors.catalogue import PARAMETERS
from sensors.virtual_tank import Fault, FaultRates, TankSpec, VirtualTank
from sensors.virtual_tank_faults import (
    AMMONIA_CARD,
    NITRATE_CARD,
    NITRITE_CARD,
    SENSORS,
    card_step,
)

START = datetime(2026, 3, 1, tzinfo=UTC)
HOUR = 3600.0
DAY = 86400.0


def _hourly_readings(tank: VirtualTank, hours: int) -> list[dict[str, float | None]]:
    readings = []
    for _ in range(hours):
        tank.advance(HOUR)
        readings.append(tank.sensor_readings())
    return readings


def _daily_truth(tank: VirtualTank, days: int) -> list[dict[str, float]]:
    rows = []
    for _ in range(days):
        for _ in range(24):
            tank.advance(HOUR)
        rows.append(tank.truth)
    return rows


def test_same_seed_gives_identical_readings() -> None:
    """Two tanks with the same seed and the same calls report exactly the same values."""
    faults = (Fault.DROPOUT, Fault.GLITCH_85, Fault.AMMONIA_SPIKE)
    a = VirtualTank(seed=42, start=START, faults=faults)
    b = VirtualTank(seed=42, start=START, faults=faults)
    assert _hourly_readings(a, 72) == _hourly_readings(b, 72)
    assert a.test_kit_readings() == b.test_kit_readings()
    assert a.truth == b.truth


def test_different_seeds_give_different_readings() -> None:
    """Another seed gives another run (noise, calibration and rations differ)."""
    a = _hourly_readings(VirtualTank(seed=1, start=START), 24)
    b = _hourly_readings(VirtualTank(seed=2, start=START), 24)
    assert a != b
    assert sum(x["temperature"] != y["temperature"] for x, y in zip(a, b, strict=True)) > 12


def test_clog_fault_makes_flow_fall_over_days_until_gravel_clean() -> None:
    """With CLOG the measured flow falls day after day, DO and ORP follow, a clean restores it."""
    clogged = VirtualTank(seed=5, start=START, faults=[Fault.CLOG])
    healthy = VirtualTank(seed=5, start=START)
    first = clogged.sensor_readings()["flow"]
    daily_flow = []
    for _ in range(6):
        day = _hourly_readings(clogged, 24)
        flows = [r["flow"] for r in day]
        assert None not in flows
        daily_flow.append(sum(f for f in flows if f is not None) / len(flows))
    _hourly_readings(healthy, 24 * 6)
    assert first is not None
    assert all(later < earlier for earlier, later in itertools.pairwise(daily_flow))
    assert daily_flow[-1] < 0.6 * first
    assert healthy.truth["flow"] > 0.95 * TankSpec().pump_flow_l_min
    for _ in range(24):  # three more weeks: the bed goes anoxic
        clogged.advance(DAY)
    assert clogged.truth["orp"] < 50.0  # DOMAIN: below +50 mV is no longer aerobic
    assert clogged.truth["oxygen"] < healthy.truth["oxygen"] - 0.5
    clogged.gravel_clean()
    assert clogged.truth["flow"] == pytest.approx(TankSpec().pump_flow_l_min)


def test_water_change_steps_nitrate_and_conductivity_down_by_the_fraction() -> None:
    """A 30 % change applies C_after = C (1 - f) + C_tap f, and the probe sees the same step."""
    spec = TankSpec(tap_nitrate=5.0)
    tank = VirtualTank(spec, seed=3, start=START)
    tank.advance(10 * DAY)
    before, seen_before = tank.truth, tank.sensor_readings()
    tank.water_change(0.3)
    after, seen_after = tank.truth, tank.sensor_readings()
    assert after["nitrate"] == pytest.approx(before["nitrate"] * 0.7 + 5.0 * 0.3, rel=1e-12)
    expected_ec = before["conductivity"] * 0.7 + spec.tap_conductivity * 0.3
    assert after["conductivity"] == pytest.approx(expected_ec, rel=1e-12)
    assert after["phosphate"] == pytest.approx(before["phosphate"] * 0.7, rel=1e-12)
    assert after["kh"] == pytest.approx(before["kh"] * 0.7 + spec.tap_kh * 0.3, rel=1e-12)
    assert after["gh"] == pytest.approx(before["gh"] * 0.7 + spec.tap_gh * 0.3, rel=1e-12)
    assert seen_before["conductivity"] is not None and seen_after["conductivity"] is not None
    measured = seen_after["conductivity"] / seen_before["conductivity"]
    assert measured == pytest.approx(expected_ec / before["conductivity"], abs=0.02)


@pytest.mark.parametrize("gain", [20.0, 35.0])
def test_nitrate_rises_between_changes_at_the_configured_rate(gain: float) -> None:
    """An established tank gains nitrate_gain_per_week of nitrate each week, within 5 %."""
    tank = VirtualTank(TankSpec(nitrate_gain_per_week=gain), seed=11, start=START)
    tank.advance(DAY)
    first = tank.truth["nitrate"]
    tank.advance(14 * DAY)  # same phase of the weekly top-off as `first`
    assert (tank.truth["nitrate"] - first) / 2.0 == pytest.approx(gain, rel=0.05)


def test_weekly_changes_settle_at_x_over_f() -> None:
    """Gaining x a week and changing f weekly, nitrate before each change tends to x / f."""
    tank = VirtualTank(seed=8, start=START)
    before = []
    for _ in range(12):
        _daily_truth(tank, 7)
        before.append(tank.truth["nitrate"])
        tank.water_change(0.3)
    assert before[-1] == pytest.approx(20.0 / 0.3, rel=0.05)  # DOMAIN: 10/week, 30 % -> 33.3


def test_new_tank_shows_ammonia_peak_then_nitrite_peak_then_nitrate() -> None:
    """A new tank cycles as DOMAIN says: ammonia ~2 weeks, then nitrite, done in 4-8 weeks."""
    rows = _daily_truth(VirtualTank(seed=4, start=START, established=False), 70)
    ammonia_peak = max(range(70), key=lambda d: rows[d]["ammonia"])
    nitrite_peak = max(range(70), key=lambda d: rows[d]["nitrite"])
    assert 7 <= ammonia_peak <= 21
    assert ammonia_peak + 5 <= nitrite_peak <= 42
    assert rows[ammonia_peak]["ammonia"] > 1.0 and rows[nitrite_peak]["nitrite"] > 2.0
    cycled = next(
        d for d in range(70) if all(r["ammonia"] < 0.1 and r["nitrite"] < 0.1 for r in rows[d:])
    )
    assert 28 <= cycled <= 56
    assert rows[nitrite_peak]["nitrate"] < rows[-1]["nitrate"]
    assert rows[ammonia_peak]["nitrate"] < 1.0


def test_established_tank_keeps_ammonia_and_nitrite_below_a_kits_first_step() -> None:
    """A healthy mature bed never lets a kit see ammonia or nitrite (DOMAIN: that is trouble)."""
    tank = VirtualTank(seed=9, start=START)
    for _ in range(24 * 14):
        tank.advance(HOUR)
        truth = tank.truth
        assert truth["ammonia"] < AMMONIA_CARD[1] / 2
        assert truth["nitrite"] < NITRITE_CARD[1] / 2


def test_ammonia_spike_fault_brings_ammonia_back() -> None:
    """AMMONIA_SPIKE puts ammonia where a test kit sees it, which a healthy tank never does."""
    tank = VirtualTank(seed=2, start=START, faults=[Fault.AMMONIA_SPIKE])
    kit_ammonia = []
    for _ in range(30):
        tank.advance(DAY)
        kit_ammonia.append(tank.test_kit_readings()["ammonia"])
    assert max(kit_ammonia) >= 0.5
    assert min(kit_ammonia) == 0.0


def test_glitch_85_appears_exactly_and_only_with_the_fault() -> None:
    """GLITCH_85 makes the temperature read exactly 85.0 now and then; never without it."""
    glitchy = _hourly_readings(VirtualTank(seed=6, start=START, faults=[Fault.GLITCH_85]), 500)
    clean = _hourly_readings(VirtualTank(seed=6, start=START), 500)
    glitches = [r["temperature"] for r in glitchy if r["temperature"] == 85.0]
    assert 0 < len(glitches) < 50
    assert all(r["temperature"] != 85.0 for r in clean)


def test_dropout_yields_none_sometimes() -> None:
    """DROPOUT makes single readings None while the others keep arriving."""
    readings = _hourly_readings(VirtualTank(seed=6, start=START, faults=[Fault.DROPOUT]), 200)
    values = [r[name] for r in readings for name in SENSORS]
    missing = sum(v is None for v in values)
    assert 0 < missing < len(values) // 5
    assert all(set(r) == set(SENSORS) for r in readings)
    clean = _hourly_readings(VirtualTank(seed=6, start=START), 200)
    assert all(v is not None for r in clean for v in r.values())


def test_stuck_sensor_repeats_one_value_while_the_water_changes() -> None:
    """STUCK freezes the chosen probe at its value when the fault began."""
    spec = TankSpec(fault_rates=FaultRates(stuck_sensor="ph", onset_h=6.0))
    tank = VirtualTank(spec, seed=1, start=START, faults=[Fault.STUCK])
    readings = _hourly_readings(tank, 48)
    after = {r["ph"] for r in readings[6:]}
    assert len(after) == 1
    assert len({r["ph"] for r in readings[:5]}) > 1
    assert len({r["temperature"] for r in readings[6:]}) > 1


def test_ph_drift_grows_with_time_while_the_kit_does_not_drift() -> None:
    """PH_DRIFT moves the probe away from the true pH at the set rate; the kit stays near truth."""
    tank = VirtualTank(seed=1, start=START, faults=[Fault.PH_DRIFT])
    offsets = []
    for _ in range(4):
        tank.advance(7 * DAY)
        ph = tank.sensor_readings()["ph"]
        assert ph is not None
        offsets.append(ph - tank.truth["ph"])
        assert tank.test_kit_readings()["ph"] == pytest.approx(tank.truth["ph"], abs=0.35)
    assert all(b < a for a, b in itertools.pairwise(offsets))
    assert offsets[-1] - offsets[0] == pytest.approx(-0.01 * 21, abs=0.08)


def test_kh_and_ph_fall_with_nitrification() -> None:
    """Without water changes KH falls with nitrification and pH follows it down, slowly."""
    tank = VirtualTank(seed=1, start=START)
    rows = _daily_truth(tank, 28)
    kh = [r["kh"] for r in rows]
    assert all(b < a for a, b in itertools.pairwise(kh))
    assert kh[0] - kh[-1] > 2.0
    # DOMAIN: a fall of more than 0.2 pH a month calls for action; this bioload is near it.
    assert 0.1 < rows[0]["ph"] - rows[-1]["ph"] < 0.4


def test_temperature_swings_day_and_night_around_the_heater_set_point() -> None:
    """Water temperature cycles with the heater and the day, in DS18B20 steps, within 24-27 degC."""
    tank = VirtualTank(seed=1, start=START)
    truths, readings, switches, heater = [], [], 0, tank.truth["heater"]
    for _ in range(72 * 6):
        tank.advance(600)
        truths.append(tank.truth["temperature"])
        readings.append(tank.sensor_readings()["temperature"])
        switches += tank.truth["heater"] != heater
        heater = tank.truth["heater"]
    assert min(truths) > 24.0 and max(truths) < 27.0  # DOMAIN: turtles 24-27 degC
    assert max(truths) - min(truths) > 0.4
    assert switches >= 6
    assert all(r is not None and (r * 16).is_integer() for r in readings)


def test_level_falls_with_evaporation_until_the_top_off() -> None:
    """Evaporation lowers the level and concentrates the water; the weekly top-off refills it."""
    spec = TankSpec()
    tank = VirtualTank(spec, seed=1, start=START)
    tank.advance(6.5 * DAY)
    expected_drop = spec.evaporation_cm_per_day * 6.5
    assert tank.truth["level"] == pytest.approx(spec.full_level_cm - expected_drop, rel=1e-6)
    tank.advance(DAY)
    assert tank.truth["level"] == pytest.approx(spec.full_level_cm, abs=0.2)


def test_kit_results_sit_on_the_kits_steps() -> None:
    """Test-kit results use the colour cards, 0.2 pH steps and whole degrees of KH and GH."""
    assert card_step(30.0, NITRATE_CARD) == 40.0
    assert card_step(2.0, NITRATE_CARD) == 0.0
    assert card_step(500.0, NITRATE_CARD) == 160.0
    assert card_step(0.3, AMMONIA_CARD) == 0.25
    tank = VirtualTank(seed=1, start=START, established=False)
    for _ in range(40):
        tank.advance(DAY)
        kit = tank.test_kit_readings()
        assert kit["ammonia"] in AMMONIA_CARD
        assert kit["nitrite"] in NITRITE_CARD
        assert kit["nitrate"] in NITRATE_CARD
        assert (kit["ph"] * 5) == pytest.approx(round(kit["ph"] * 5))
        assert kit["kh"].is_integer() and kit["gh"].is_integer()


def test_step_size_does_not_change_the_result() -> None:
    """One hour in 1-second steps ends where one 1-hour step does."""
    fine = VirtualTank(seed=1, start=START, established=False)
    coarse = VirtualTank(seed=1, start=START, established=False)
    for tank in (fine, coarse):
        tank.advance(12 * DAY)
    for _ in range(3600):
        fine.advance(1.0)
    coarse.advance(HOUR)
    for name, value in coarse.truth.items():
        assert fine.truth[name] == pytest.approx(value, rel=0.01, abs=0.02), name


def test_a_neglected_year_in_hourly_steps_stays_finite_and_physical() -> None:
    """A year of hourly steps with every fault and no maintenance stays physical and is fast."""
    tank = VirtualTank(seed=1, start=START, faults=list(Fault))
    began = time.perf_counter()
    for _ in range(365 * 24):
        tank.advance(HOUR)
    elapsed = time.perf_counter() - began
    truth = tank.truth
    assert all(math.isfinite(v) for v in truth.values())
    for name, parameter in PARAMETERS.items():
        if name in truth:
            assert parameter.minimum <= truth[name] <= parameter.maximum, name
    assert 4.0 < truth["ph"] < 9.0
    assert truth["oxygen"] <= 10.0  # saturation at 25 degC is 8.25 mg/L (DOMAIN)
    assert 0.0 <= truth["flow"] <= TankSpec().pump_flow_l_min
    assert 0.0 < truth["level"] <= TankSpec().full_level_cm
    assert tank.now == START.replace(year=2027)
    assert elapsed < 2.0


def test_bad_arguments_are_refused_with_a_reason() -> None:
    """Going back in time or changing more than all the water is refused."""
    tank = VirtualTank(start=START)
    with pytest.raises(ValueError, match="back in time"):
        tank.advance(-1.0)
    with pytest.raises(ValueError, match=r"0\.\.1"):
        tank.water_change(1.5)
    with pytest.raises(ValueError, match="not a sensor"):
        VirtualTank(TankSpec(fault_rates=FaultRates(stuck_sensor="salinity")), start=START)
