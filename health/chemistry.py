"""Water chemistry: free ammonia, conductivity compensation, dilution by water changes.

Formulas are from DOMAIN.md (../shared/DOMAIN.md); each function names its section.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from health.types import Sample

__all__ = [
    "MG_CACO3_PER_DKH",
    "NH3_PER_NH3_N",
    "NO2_PER_NO2_N",
    "NO3_PER_NO3_N",
    "FreeAmmonia",
    "change_fraction",
    "changes_needed",
    "compensate_ec25",
    "dilution",
    "free_ammonia",
    "free_ammonia_fraction",
    "free_ammonia_from_samples",
    "nearest_sample",
    "steady_state_peak",
]

# DOMAIN "Nitrogen cycle": kits reporting the nitrogen basis convert by these mass ratios.
NH3_PER_NH3_N = 1.216
NO2_PER_NO2_N = 3.29
NO3_PER_NO3_N = 4.43
# DOMAIN "Alkalinity": 1 dKH = 17.86 mg/L CaCO3.
MG_CACO3_PER_DKH = 17.86


def free_ammonia_fraction(ph: float, temp_c: float) -> float:
    """Fraction of total ammonia that is free NH3 (Emerson et al. 1975; valid 0-50 degC).

    pKa = 0.09018 + 2729.92 / T(K); f = 1 / (1 + 10^(pKa - pH))  (DOMAIN "Nitrogen cycle").
    """
    if not 0.0 <= temp_c <= 50.0:
        raise ValueError(f"Emerson's formula holds for 0-50 °C, got {temp_c:g} °C")
    if not 0.0 <= ph <= 14.0:
        raise ValueError(f"pH must be within 0-14, got {ph:g}")
    pka = 0.09018 + 2729.92 / (temp_c + 273.15)
    return 1.0 / (1.0 + 10.0 ** (pka - ph))


def free_ammonia(tan_mg_l: float, ph: float, temp_c: float) -> float:
    """Free NH3 in mg/L from a total ammonia (TAN) result and the water's pH and temperature."""
    if tan_mg_l < 0:
        raise ValueError(f"total ammonia cannot be negative, got {tan_mg_l:g}")
    return tan_mg_l * free_ammonia_fraction(ph, temp_c)


def compensate_ec25(ec: float, temp_c: float) -> float:
    """Conductivity referred to 25 degC: EC25 = EC / (1 + 0.02 (T - 25)) (DOMAIN "Sensors")."""
    factor = 1.0 + 0.02 * (temp_c - 25.0)
    if factor <= 0:
        raise ValueError(f"cannot compensate conductivity at {temp_c:g} °C")
    return ec / factor


def dilution(c_before: float, fraction: float, c_tap: float = 0.0) -> float:
    """Level after changing ``fraction``: C (1 - f) + C_tap f (DOMAIN "Water changes")."""
    _check_fraction(fraction, allow_zero=True)
    return c_before * (1.0 - fraction) + c_tap * fraction


def change_fraction(c_now: float, target: float, c_tap: float = 0.0) -> float:
    """The single-change fraction that takes ``c_now`` down to ``target`` (0 when already there).

    Inverts the dilution formula; 1.0 means even a full change only reaches the tap level.
    """
    if c_now <= target:
        return 0.0
    if target <= c_tap:
        return 1.0
    return (c_now - target) / (c_now - c_tap)


def changes_needed(c0: float, target: float, fraction: float, c_tap: float = 0.0) -> float:
    """Changes of ``fraction`` to bring ``c0`` to ``target``: ln(target/C0) / ln(1 - f).

    DOMAIN "Water changes"; with tap water at ``c_tap`` the distances to the tap level are used.
    Returns 0 when already at or below target, inf when the tap level is at or above target.
    """
    _check_fraction(fraction)
    if c0 <= target:
        return 0.0
    if target <= c_tap:
        return math.inf
    if fraction == 1.0:
        return 1.0
    return math.log((target - c_tap) / (c0 - c_tap)) / math.log(1.0 - fraction)


def steady_state_peak(build_up: float, fraction: float, c_tap: float = 0.0) -> float:
    """Level just before each change when ``build_up`` accrues per interval: C_tap + x / f.

    DOMAIN "Water changes": 10 mg/L a week with 30 % weekly changes settles at 33.3 before a change.
    """
    _check_fraction(fraction)
    return c_tap + build_up / fraction


def nearest_sample(samples: Sequence[Sample], at: datetime, window: timedelta) -> Sample | None:
    """The sample nearest in time to ``at`` within +-``window``; on a tie the manual one wins.

    A manual test beats a sensor at equal distance because the keeper took it with this result.
    """
    best: Sample | None = None
    best_key: tuple[float, int] | None = None
    for sample in samples:
        distance = abs((sample.time - at).total_seconds())
        if distance > window.total_seconds():
            continue
        key = (distance, 0 if sample.source == "manual" else 1)
        if best_key is None or key < best_key:
            best, best_key = sample, key
    return best


@dataclass(frozen=True, slots=True)
class FreeAmmonia:
    """A free ammonia result and the samples it was computed from."""

    mg_l: float
    fraction: float
    tan: Sample
    ph: Sample
    temperature: Sample | None  # None: the assumed temperature below was used
    temp_c: float


def free_ammonia_from_samples(
    tan: Sample,
    ph_samples: Sequence[Sample],
    temperature_samples: Sequence[Sample],
    window: timedelta,
    assume_temp_c: float | None = None,
) -> FreeAmmonia | None:
    """Pair a total ammonia result with the pH and temperature nearest in time, within ``window``.

    Without a pH there is no answer (the fraction changes tenfold per pH unit). Without a
    temperature, ``assume_temp_c`` is used when given; callers pass a conservative (warm) value.
    """
    ph = nearest_sample(ph_samples, tan.time, window)
    if ph is None:
        return None
    temp = nearest_sample(temperature_samples, tan.time, window)
    temp_c = temp.value if temp is not None else assume_temp_c
    if temp_c is None:
        return None
    fraction = free_ammonia_fraction(ph.value, temp_c)
    return FreeAmmonia(tan.value * fraction, fraction, tan, ph, temp, temp_c)


def _check_fraction(fraction: float, allow_zero: bool = False) -> None:
    low_ok = fraction >= 0 if allow_zero else fraction > 0
    if not (low_ok and fraction <= 1):
        raise ValueError(f"a water change fraction must be within (0, 1], got {fraction:g}")
