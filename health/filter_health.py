"""Health of the under-gravel bed, which is the whole filter (DOMAIN "The reference tank").

Failure signs from DOMAIN "Under-gravel filter failure signs": falling flow as mulm clogs the
bed, ammonia or nitrite reappearing, a slow pH/KH decline, falling ORP and oxygen. A new tank's
cycle stage replaces the stall alarm while it cycles.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from health.levels import Judge, check_level
from health.profiles import Profile
from health.series import LinearFit, between, daily_medians, days, fit_line, median_value
from health.types import MaintenanceEvent, Sample, TankHistory, label
from health.verdict import Reason, Severity
from health.wording import cap, num, on_date, when

__all__ = ["CycleStage", "CycleStatus", "cycle_status", "filter_reasons"]

CycleStage = Literal["ammonia", "nitrite", "nitrate", "established"]
Series = Mapping[str, list[Sample]]

# DOMAIN "Nitrogen cycle": ammonia rises about 2 weeks, then nitrite about 2 weeks.
_AMMONIA_PHASE_DAYS = 14.0
_NITRITE_PHASE_DAYS = 28.0
# DOMAIN "Alkalinity": a pH fall is judged over a month; judgement: two weeks of data at least.
_DECLINE_WINDOW = timedelta(days=30)
_KH_WINDOW = timedelta(days=60)
_MIN_TREND_DAYS = 14.0
_MIN_TREND_POINTS = 3
# Judgement: warn when KH will reach its floor within a month at the present rate.
_KH_WARNING = timedelta(days=30)


@dataclass(frozen=True, slots=True)
class CycleStatus:
    """Where a tank is in its nitrogen cycle and what that rests on."""

    stage: CycleStage
    age_days: float | None
    basis: Literal["tests", "age", "assumed"]

    @property
    def cycling(self) -> bool:
        """True while the tank is new and still establishing its biofilter."""
        return self.stage != "established"


def cycle_status(history: TankHistory, at: datetime, profile: Profile) -> CycleStatus:
    """The cycle stage from the tank's age and its ammonia, nitrite and nitrate tests.

    A tank without a creation date is assumed established; one older than the profile's
    `new_tank_days` is established whatever its tests say (they then mean a stall).
    """
    created = history.created_at
    if created is None:
        return CycleStatus("established", None, "assumed")
    age = days(at - created)
    if age >= profile.new_tank_days:
        return CycleStatus("established", age, "age")
    ammonia = between(history.series("ammonia"), created, at)
    nitrite = between(history.series("nitrite"), created, at)
    if not ammonia and not nitrite:
        stage: CycleStage = (
            "ammonia"
            if age < _AMMONIA_PHASE_DAYS
            else "nitrite"
            if age < _NITRITE_PHASE_DAYS
            else "nitrate"
        )
        return CycleStatus(stage, age, "age")
    if nitrite and nitrite[-1].value > profile.nitrite_detect:
        return CycleStatus("nitrite", age, "tests")
    if ammonia and ammonia[-1].value > profile.ammonia_detect:
        return CycleStatus("ammonia", age, "tests")
    return CycleStatus("nitrate", age, "tests")


def filter_reasons(
    history: TankHistory,
    clean: Series,
    trusted: Series,
    untrusted: dict[str, str],
    at: datetime,
    profile: Profile,
) -> list[Reason]:
    """Every filter-health reason: cycling or stall, flow, pH/KH decline, ORP and oxygen."""
    cycle = cycle_status(history, at, profile)
    reasons = [_cycling(cycle, clean, at)] if cycle.cycling else []
    if not cycle.cycling:
        reasons += _stall(clean, untrusted, at, profile)
    reasons += _flow(trusted.get("flow", []), history.maintenance, at, profile)
    reasons += _ph_decline(trusted.get("ph", []), at, profile)
    reasons += _kh_decline(trusted.get("kh", []), at, profile)
    reasons += _redox(clean, untrusted, at, profile)
    return reasons


def _cycling(cycle: CycleStatus, clean: Series, at: datetime) -> Reason:
    age = f"{cycle.age_days:.0f} days old" if cycle.age_days is not None else "new"
    phase = {
        "ammonia": "ammonia phase: ammonia rises while the first bacteria grow",
        "nitrite": "nitrite phase: ammonia falls as nitrite rises",
        "nitrate": "nitrate phase: ammonia and nitrite read zero and nitrate builds",
    }[cycle.stage]
    if cycle.basis == "age":
        return Reason(
            "cycling",
            f"The tank is {age} and, by age alone, probably in the {phase}; test ammonia and "
            f"nitrite to follow the cycle.",
        )
    found = []
    for parameter in ("ammonia", "nitrite"):
        values = [s for s in clean.get(parameter, []) if s.time <= at]
        if values:
            found.append(f"{label(parameter)} {num(values[-1].value)} mg/L")
    return Reason(
        "cycling",
        f"The tank is {age} and in the {phase} ({', '.join(found)}); ammonia and nitrite are "
        f"expected while it cycles, so they are not read as a filter fault.",
    )


def _stall(clean: Series, untrusted: dict[str, str], at: datetime, p: Profile) -> list[Reason]:
    """DOMAIN: in an established tank any detectable ammonia or nitrite points to the filter."""
    max_age = timedelta(days=p.reading_max_age_days)
    reasons: list[Reason] = []
    for parameter, detect in (("ammonia", p.ammonia_detect), ("nitrite", p.nitrite_detect)):
        samples = clean.get(parameter, [])
        judge = _detected(parameter, detect)
        reasons += check_level(parameter, samples, untrusted, at, judge, None, max_age)
    return reasons


def _detected(parameter: str, detect: float) -> Judge:
    def judge(s: Sample) -> Reason | None:
        if s.value <= detect:
            return None
        return Reason(
            "biofilter_stall",
            f"{cap(label(parameter))} is {num(s.value)} mg/L ({when(s.time)}) in an "
            f"established tank: unless stocking or feeding changed, the bed is not keeping up "
            f"(clogging, low oxygen or low pH).",
            "soon",
        )

    return judge


def _flow(
    flow: list[Sample], log: list[MaintenanceEvent], at: datetime, p: Profile
) -> list[Reason]:
    """Flow through the bed against its own recent baseline and against its post-clean level."""
    cleans = [m.time for m in log if m.kind in ("gravel-clean", "filter-clean") and m.time <= at]
    since = cleans[-1] if cleans else None
    data = between(flow, since, at)
    day = timedelta(days=1)
    now = between(data, at - day, at)
    if len(now) < 3:
        return []
    current = median_value(now)
    candidates: list[tuple[float, float, str]] = []
    base = between(data, at - day * (p.flow_baseline_days + 1), at - day)
    if len(base) >= 3 and base[-1].time - base[0].time >= day / 2:
        candidates.append(
            (
                _drop(current, base),
                median_value(base) or 0.0,  # never None: three samples or more
                f"its median over the previous {num(p.flow_baseline_days)} days",
            )
        )
    if since is not None and at - since > 2 * day:
        fresh = between(data, since, since + day)
        if len(fresh) >= 3:
            candidates.append(
                (
                    _drop(current, fresh),
                    median_value(fresh) or 0.0,  # never None: three samples or more
                    f"the flow after the clean on {on_date(since.date())}",
                )
            )
    if not candidates or current is None:
        return []
    drop, baseline, against = max(candidates, key=lambda c: c[0])
    if drop * 100 < p.flow_drop_percent:
        return []
    severity: Severity = "now" if drop * 100 >= p.flow_fail_percent else "soon"
    cause = "the pump may have stopped" if current == 0 else "the gravel is clogging"
    return [
        Reason(
            "flow_drop",
            f"Flow through the bed is {num(current)} L/min, {drop * 100:.0f} % below {against} "
            f"({num(baseline)} L/min): {cause}, so a gravel clean is due.",
            severity,
        )
    ]


def _drop(current: float | None, base: list[Sample]) -> float:
    reference = median_value(base)
    if current is None or not reference or reference <= 0:
        return 0.0
    return max(0.0, 1.0 - current / reference)


def _ph_decline(ph: list[Sample], at: datetime, p: Profile) -> list[Reason]:
    """DOMAIN "Alkalinity": a pH fall of more than 0.2 in a month needs changes or buffer."""
    fit = _trend(ph, at, _DECLINE_WINDOW)
    if fit is None:
        return []
    per_month = fit.slope * 30.0
    if per_month > -p.ph_decline_month:
        return []
    return [
        Reason(
            "ph_decline",
            f"pH is falling about {num(-per_month)} a month (now about {num(fit.at(at))}), more "
            f"than {num(p.ph_decline_month)}: the bed is using up the buffer, so change more "
            f"water or add buffer before it crashes.",
            "soon",
        )
    ]


def _kh_decline(kh: list[Sample], at: datetime, p: Profile) -> list[Reason]:
    """KH falling towards the floor nitrification needs (DOMAIN "Alkalinity")."""
    fit = _trend(kh, at, _KH_WINDOW)
    if fit is None or fit.slope >= 0 or fit.at(at) <= p.kh_floor:
        return []  # at or below the floor, water_quality's kh_low says it
    reach = fit.when(p.kh_floor)
    if reach is None or reach - at > _KH_WARNING:
        return []
    return [
        Reason(
            "kh_decline",
            f"KH is falling about {num(-fit.slope * 7)} dKH a week (now about {num(fit.at(at))}) "
            f"and will reach the {num(p.kh_floor)} dKH floor around {on_date(reach.date())}.",
            "soon",
            due=reach.date(),
        )
    ]


def _trend(samples: list[Sample], at: datetime, window: timedelta) -> LinearFit | None:
    points = daily_medians(between(samples, at - window, at))
    if len(points) < _MIN_TREND_POINTS:
        return None
    fit = fit_line(points)
    if fit is None or fit.span_days < _MIN_TREND_DAYS:
        return None
    return fit


def _redox(clean: Series, untrusted: dict[str, str], at: datetime, p: Profile) -> list[Reason]:
    """DOMAIN "Sensors": ORP below +50 mV is not aerobic, below -50 mV H2S forms; DO 5 / 1.5."""
    max_age = timedelta(days=p.reading_max_age_days)
    checks = (
        ("orp", p.orp_min, p.orp_floor, "mV", "orp_low", "the bed is going anaerobic"),
        ("oxygen", p.oxygen_min, p.oxygen_floor, "mg/L", "oxygen_low", "fish and bed starve"),
    )
    reasons: list[Reason] = []
    for parameter, low, floor, unit, code, why in checks:
        judge = _below(parameter, low, floor, unit, code, why)
        samples = clean.get(parameter, [])
        reasons += check_level(parameter, samples, untrusted, at, judge, None, max_age)
    return reasons


def _below(parameter: str, low: float, floor: float, unit: str, code: str, why: str) -> Judge:
    def judge(s: Sample) -> Reason | None:
        if s.value >= low:
            return None
        severity: Severity = "now" if s.value < floor else "soon"
        bound = floor if severity == "now" else low
        return Reason(
            code,
            f"{cap(label(parameter))} is {num(s.value)} {unit} ({when(s.time)}), "
            f"below {num(bound)} {unit}: {why}; clean the gravel and change water.",
            severity,
        )

    return judge
