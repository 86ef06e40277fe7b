"""Current water quality against the profile: free ammonia, nitrite, pH, KH and temperature."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from health.chemistry import change_fraction, free_ammonia_from_samples
from health.levels import Judge, check_level, current_reading
from health.profiles import Profile
from health.sensor_health import distrust
from health.types import Sample
from health.verdict import Reason, Severity
from health.wording import num, when

__all__ = ["free_ammonia_check", "water_quality_reasons"]

Series = Mapping[str, list[Sample]]


def free_ammonia_check(
    clean: Series,
    trusted: Series,
    untrusted: dict[str, str],
    at: datetime,
    since: datetime | None,
    profile: Profile,
) -> tuple[float | None, list[Reason]]:
    """Free NH3 (mg/L) from the latest total ammonia result and the pH and temperature nearest it.

    ``clean`` holds fault-free samples, ``trusted`` those without sick sensors' readings. The
    value is None when there is no current ammonia result or nothing to pair it with.
    """
    p = profile
    max_age = timedelta(days=p.reading_max_age_days)
    good = trusted.get("ammonia", [])
    tan = current_reading(good, at, since, max_age)
    sick = [s for s in clean.get("ammonia", []) if s.source == "sensor" and "ammonia" in untrusted]
    suspect = current_reading(sick, at, since, max_age)
    reasons: list[Reason] = []
    if suspect is not None and (tan is None or suspect.time > tan.time) and suspect.value > 0:
        ask = Reason("free_ammonia", f"Total ammonia reads {num(suspect.value)} mg/L.", "now")
        reasons.append(distrust(ask, "ammonia", untrusted.get("ammonia", "suspect")))
    if tan is None:
        return None, reasons
    window = timedelta(hours=p.pairing_window_h)
    fa = free_ammonia_from_samples(
        tan,
        [s for s in trusted.get("ph", []) if 0 <= s.value <= 14],
        [s for s in trusted.get("temperature", []) if 0 <= s.value <= 50],
        window,
        # Free NH3 rises with warmth, so an unknown temperature is taken as the warmest allowed.
        assume_temp_c=p.temperature_act_max,
    )
    if fa is None:
        if tan.value == 0:
            return 0.0, reasons  # no ammonia at all: no free ammonia at any pH
        why = f" (the pH sensor is {untrusted['ph']})" if "ph" in untrusted else ""
        reasons.append(
            Reason(
                "no_data",
                f"Test pH: the total ammonia result of {num(tan.value)} mg/L "
                f"({when(tan.time)}) needs a pH within {num(p.pairing_window_h)} h of it to "
                f"give free ammonia{why}.",
            )
        )
        return None, reasons
    temp = (
        f"{num(fa.temp_c)} °C"
        if fa.temperature is not None
        else f"an assumed {num(fa.temp_c)} °C, the warmest the profile allows"
    )
    detail = f"total {num(tan.value)} mg/L at pH {num(fa.ph.value)} and {temp}, {when(tan.time)}"
    severity: Severity
    if fa.mg_l > p.free_ammonia_limit:
        severity = "now"
    elif fa.mg_l > p.free_ammonia_watch:
        severity = "soon"
    else:
        return fa.mg_l, reasons
    limit = p.free_ammonia_limit if severity == "now" else p.free_ammonia_watch
    reasons.append(
        Reason(
            "free_ammonia",
            f"Free ammonia is {num(fa.mg_l)} mg/L NH3 ({detail}), above {num(limit)} mg/L.",
            severity,
            change_fraction=change_fraction(fa.mg_l, p.free_ammonia_watch),
        )
    )
    return fa.mg_l, reasons


def water_quality_reasons(
    clean: Series,
    untrusted: dict[str, str],
    at: datetime,
    since: datetime | None,
    profile: Profile,
) -> list[Reason]:
    """`nitrite`, `ph_low`, `ph_high`, `kh_low` and `temperature` reasons from current readings."""
    p = profile
    max_age = timedelta(days=p.reading_max_age_days)

    def level(parameter: str, judge: Judge, after: datetime | None) -> list[Reason]:
        samples = clean.get(parameter, [])
        return check_level(parameter, samples, untrusted, at, judge, after, max_age)

    def nitrite(s: Sample) -> Reason | None:
        if s.value <= p.nitrite_limit:
            return None
        return Reason(
            "nitrite",
            f"Nitrite is {num(s.value)} mg/L ({when(s.time)}), over the "
            f"{num(p.nitrite_limit)} mg/L limit.",
            "now",
            # Judgement: aim for half the limit, since the limit itself is already chronic harm.
            change_fraction=change_fraction(s.value, p.nitrite_limit / 2),
        )

    def ph(s: Sample) -> Reason | None:
        if s.value < p.ph_floor:
            return Reason(
                "ph_low",
                f"pH is {num(s.value)} ({when(s.time)}), below {num(p.ph_floor)} where the "
                f"biofilter stops working: change water and add buffer.",
                "now",
                change_fraction=1.0,  # as much as the profile allows; clamped later
            )
        if s.value < p.ph_min:
            return Reason(
                "ph_low",
                f"pH is {num(s.value)} ({when(s.time)}), below {num(p.ph_min)}: nitrification "
                f"slows as pH falls, so change water or add buffer.",
                "soon",
            )
        if s.value > p.ph_max:
            return Reason(
                "ph_high",
                f"pH is {num(s.value)} ({when(s.time)}), above {num(p.ph_max)}, where any "
                f"ammonia is mostly the toxic free form.",
                "soon",
            )
        return None

    def kh(s: Sample) -> Reason | None:
        if s.value < p.kh_floor:
            return Reason(
                "kh_low",
                f"KH is {num(s.value)} dKH ({when(s.time)}), below the {num(p.kh_floor)} dKH "
                f"the biofilter needs: change water and add buffer before pH crashes.",
                "now",
                change_fraction=1.0,
            )
        if s.value < p.kh_min:
            return Reason(
                "kh_low",
                f"KH is {num(s.value)} dKH ({when(s.time)}), under {num(p.kh_min)} dKH: "
                f"test pH weekly, since the buffer is thin.",
            )
        return None

    def temperature(s: Sample) -> Reason | None:
        v = s.value
        severity: Severity
        if v < p.temperature_act_min or v > p.temperature_act_max:
            band, severity = (p.temperature_act_min, p.temperature_act_max), "soon"
        elif v < p.temperature_min or v > p.temperature_max:
            band, severity = (p.temperature_min, p.temperature_max), "info"
        else:
            return None
        return Reason(
            "temperature",
            f"Water is {num(v)} °C ({when(s.time)}), outside {num(band[0])}-{num(band[1])} °C: "
            f"check the heater and the room.",
            severity,
        )

    reasons = level("nitrite", nitrite, since)
    reasons += level("ph", ph, since)
    reasons += level("kh", kh, since)
    reasons += level("temperature", temperature, None)
    reasons += _temperature_swing(clean.get("temperature", []), untrusted, at, p)
    return reasons


def _temperature_swing(
    samples: list[Sample], untrusted: dict[str, str], at: datetime, p: Profile
) -> list[Reason]:
    """DOMAIN "Temperature": under 2 degC rise and 1 degC fall in 24 h."""
    day = [
        s
        for s in samples
        if at - timedelta(hours=24) < s.time <= at
        and (s.source == "manual" or "temperature" not in untrusted)
    ]
    if len(day) < 2:
        return []
    lo = min(day, key=lambda s: s.value)
    hi = max(day, key=lambda s: s.value)
    swing = hi.value - lo.value
    rising = lo.time < hi.time
    limit = p.temperature_rise_24h if rising else p.temperature_fall_24h
    if swing <= limit:
        return []
    first, last = (lo, hi) if rising else (hi, lo)
    return [
        Reason(
            "temperature",
            f"Temperature {'rose' if rising else 'fell'} {num(swing)} °C in 24 h "
            f"({num(first.value)} → {num(last.value)} °C by {when(last.time)}), more than "
            f"{num(limit)} °C: match new water's temperature and check the heater.",
            "soon",
        )
    ]
