"""Chemistry against published tables and the DOMAIN.md formulas."""

from __future__ import annotations

import math
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from health import (
    Sample,
    change_fraction,
    changes_needed,
    compensate_ec25,
    dilution,
    free_ammonia,
    free_ammonia_fraction,
    free_ammonia_from_samples,
    nearest_sample,
    steady_state_peak,
)
from tests.health.builders import day


def sig(x: float, figures: int) -> float:
    """``x`` rounded to ``figures`` significant figures."""
    return round(x, figures - 1 - math.floor(math.log10(abs(x))))


@pytest.mark.parametrize(
    ("ph", "temp_c", "table"),
    [
        (7.0, 20.0, 0.0039),  # UF IFAS FA-16 (DOMAIN.md)
        (8.0, 24.0, 0.0502),  # UF IFAS FA-16 (DOMAIN.md)
        (7.0, 18.0, 0.0034),  # aquabaz.tripod.com ammonia tables, worked example
    ],
)
def test_free_ammonia_fraction_matches_published_tables(
    ph: float, temp_c: float, table: float
) -> None:
    """The Emerson fraction equals the published table value to the figures the table prints."""
    figures = len(f"{table:.10f}".rstrip("0").split(".")[1].lstrip("0"))
    assert sig(free_ammonia_fraction(ph, temp_c), figures) == table


def test_free_ammonia_fraction_to_three_significant_figures() -> None:
    """FA-16's 0.0502 at pH 8.0 / 24 °C holds to three figures, and 20 °C / pH 7 gives 0.00394."""
    assert sig(free_ammonia_fraction(8.0, 24.0), 3) == 0.0502
    assert sig(free_ammonia_fraction(7.0, 20.0), 3) == 0.00394


@pytest.mark.parametrize(("ph", "temp_c"), [(8.5, 25.0), (6.5, 28.0), (9.0, 10.0), (7.6, 0.0)])
def test_free_ammonia_fraction_matches_the_acid_constant_form(ph: float, temp_c: float) -> None:
    """The fraction equals Ka / (Ka + [H+]) with Emerson's pKa, computed independently."""
    ka = 10 ** -(0.09018 + 2729.92 / (273.15 + temp_c))
    h = 10**-ph
    assert sig(free_ammonia_fraction(ph, temp_c), 3) == sig(ka / (ka + h), 3)


@pytest.mark.parametrize(
    ("ph", "temp_c", "percent"),
    [(8.0, 25.0, 5.28), (8.5, 20.0, 11.18), (7.0, 10.0, 0.19), (7.5, 15.0, 0.85)],
)
def test_free_ammonia_agrees_with_trussell_within_three_percent(
    ph: float, temp_c: float, percent: float
) -> None:
    """Emerson agrees with Trussell (1972), the other common table (LaMotte manuals), within 3 %."""
    assert free_ammonia_fraction(ph, temp_c) * 100 == pytest.approx(percent, rel=0.03)


def test_free_ammonia_scales_total_ammonia() -> None:
    """2 mg/L TAN at pH 8.0 and 24 °C is about 0.100 mg/L free NH3, twice the harm limit."""
    assert sig(free_ammonia(2.0, 8.0, 24.0), 3) == 0.100


@pytest.mark.parametrize(("ph", "temp_c"), [(7.0, -1.0), (7.0, 51.0), (15.0, 25.0)])
def test_free_ammonia_fraction_rejects_values_outside_the_formula(ph: float, temp_c: float) -> None:
    """Outside 0-50 °C or pH 0-14 the formula does not apply, so it raises."""
    with pytest.raises(ValueError):
        free_ammonia_fraction(ph, temp_c)


@given(
    ph=st.floats(5.0, 9.5),
    temp=st.floats(0.0, 49.0),
    dph=st.floats(0.01, 0.5),
    dt=st.floats(0.1, 1.0),
)
def test_free_ammonia_fraction_rises_with_ph_and_temperature(
    ph: float, temp: float, dph: float, dt: float
) -> None:
    """More alkaline or warmer water always holds more of its ammonia as free NH3."""
    f = free_ammonia_fraction(ph, temp)
    assert 0 < f < 1
    assert free_ammonia_fraction(ph + dph, temp) > f
    assert free_ammonia_fraction(ph, temp + dt) > f


def test_compensate_ec25() -> None:
    """EC25 = EC / (1 + 0.02 (T - 25)): unchanged at 25 °C, raised by 1/0.9 at 20 °C."""
    assert compensate_ec25(500.0, 25.0) == 500.0
    assert compensate_ec25(450.0, 20.0) == pytest.approx(500.0)
    assert compensate_ec25(550.0, 30.0) == pytest.approx(500.0)


def test_domain_sawtooth_example() -> None:
    """10 mg/L a week with 30 % weekly changes settles at 33.3 before and 23.3 after a change."""
    peak = steady_state_peak(10.0, 0.3)
    assert peak == pytest.approx(33.33, abs=0.01)
    assert dilution(peak, 0.3) == pytest.approx(23.33, abs=0.01)
    assert dilution(peak, 0.3) + 10.0 == pytest.approx(peak)


def test_dilution_with_tap_nitrate() -> None:
    """Tap water carrying nitrate lifts the level after a change: 40 -> 25 with 50 % of 10."""
    assert dilution(40.0, 0.5, 10.0) == pytest.approx(25.0)
    assert steady_state_peak(10.0, 0.5, c_tap=5.0) == pytest.approx(25.0)


def test_changes_needed() -> None:
    """n = ln(target / C0) / ln(1 - f): 80 -> 10 takes three 50 % changes."""
    assert changes_needed(80.0, 10.0, 0.5) == pytest.approx(3.0)
    assert changes_needed(10.0, 20.0, 0.5) == 0.0
    assert changes_needed(80.0, 5.0, 0.5, c_tap=10.0) == math.inf


def test_change_fraction_inverts_dilution() -> None:
    """The fraction for 40 -> 25 with nitrate-free tap water is 37.5 %."""
    assert change_fraction(40.0, 25.0) == pytest.approx(0.375)
    assert change_fraction(20.0, 25.0) == 0.0


@given(c=st.floats(1.0, 500.0), target=st.floats(0.5, 400.0), tap=st.floats(0.0, 0.4))
def test_change_fraction_reaches_the_target(c: float, target: float, tap: float) -> None:
    """Changing the computed fraction lands exactly on the target (or leaves a low level alone)."""
    f = change_fraction(c, target, tap)
    expected = min(c, target)
    assert dilution(c, f, tap) == pytest.approx(expected, rel=1e-9, abs=1e-9)


def test_fraction_validation() -> None:
    """A change fraction outside 0-1 is a caller's bug and raises."""
    with pytest.raises(ValueError):
        dilution(10.0, 1.5)
    with pytest.raises(ValueError):
        steady_state_peak(10.0, 0.0)


def test_nearest_sample_picks_the_closest_within_the_window() -> None:
    """The nearest reading wins and nothing outside the window counts."""
    samples = [
        Sample(day(0), 7.0, "sensor"),
        Sample(day(0) + timedelta(hours=2), 7.2, "sensor"),
        Sample(day(0) + timedelta(hours=5), 7.4, "manual"),
    ]
    at = day(0) + timedelta(hours=3)
    assert nearest_sample(samples, at, timedelta(hours=3)) == samples[1]
    assert nearest_sample(samples, at, timedelta(minutes=30)) is None


def test_nearest_sample_prefers_the_manual_test_on_a_tie() -> None:
    """At equal distance the keeper's own test beats the sensor."""
    at = day(0)
    tie = [
        Sample(at - timedelta(hours=1), 7.2, "sensor"),
        Sample(at + timedelta(hours=1), 7.4, "manual"),
    ]
    assert nearest_sample(tie, at, timedelta(hours=2)) == tie[1]


def test_free_ammonia_from_samples_reports_what_it_used() -> None:
    """Free ammonia pairs the TAN test with the nearest pH and temperature and names them."""
    tan = Sample(day(0), 1.0, "manual")
    ph = [Sample(day(0) - timedelta(hours=5), 7.0), Sample(day(0) + timedelta(minutes=10), 8.0)]
    temps = [Sample(day(0) - timedelta(minutes=5), 24.0)]
    fa = free_ammonia_from_samples(tan, ph, temps, timedelta(hours=3))
    assert fa is not None
    assert fa.ph == ph[1] and fa.temperature == temps[0] and fa.tan == tan
    assert sig(fa.mg_l, 3) == 0.0502
    assert free_ammonia_from_samples(tan, ph[:1], temps, timedelta(hours=3)) is None
    assumed = free_ammonia_from_samples(tan, ph, [], timedelta(hours=3), assume_temp_c=27.0)
    assert assumed is not None and assumed.temperature is None and assumed.temp_c == 27.0
