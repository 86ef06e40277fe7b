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
from health.resolution import beyond, resolution
from health.series import LinearFit, between, daily_medians, days, fit_line, median_value
from health.types import MaintenanceEvent, Sample, TankHistory, label
from health.verdict import Reason, Severity
from health.wording import cap, local_date, num, on_date, when

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
    age_days: float | None  # since set-up; without a set-up date, the age of the tank's history
    basis: Literal["tests", "age", "assumed", "unknown"]

    @property
    def cycling(self) -> bool:
        """True while the tank is new and still establishing its biofilter."""
        return self.stage != "established"


def cycle_status(history: TankHistory, at: datetime, profile: Profile) -> CycleStatus:
    """The cycle stage from the tank's age and its ammonia, nitrite and nitrate tests.

    A tank without a set-up date is assumed established once its history here is older than the
    profile's `new_tank_days` (basis "unknown" before that: it may be new, and the messages say
    so); one set up longer ago is established whatever its tests say (they then mean a stall).
    """
    created = history.created_at
    if created is None:
        first = _first_record(history)
        known = days(at - first) if first is not None else None
        if known is not None and known < profile.new_tank_days:
            return CycleStatus("established", known, "unknown")
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


def _first_record(history: TankHistory) -> datetime | None:
    """When the tank's history begins: its adding to the app or its oldest record."""
    times = [s[0].time for s in history.samples.values() if s]
    times += [m.time for m in history.maintenance[:1]]
    if history.added_at is not None:
        times.append(history.added_at)
    return min(times) if times else None


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
        reasons += _stall(clean, untrusted, at, profile, history.tank, cycle)
    reasons += _flow(trusted.get("flow", []), history.maintenance, at, profile)
    reasons += _ph_decline(trusted.get("ph", []), trusted.get("kh", []), at, profile)
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


def _stall(
    clean: Series,
    untrusted: dict[str, str],
    at: datetime,
    p: Profile,
    tank: str,
    cycle: CycleStatus,
) -> list[Reason]:
    """DOMAIN: in an established tank any detectable ammonia or nitrite points to the filter."""
    max_age = timedelta(days=p.reading_max_age_days)
    reasons: list[Reason] = []
    for parameter, detect in (("ammonia", p.ammonia_detect), ("nitrite", p.nitrite_detect)):
        samples = clean.get(parameter, [])
        judge = _detected(parameter, detect, tank, cycle)
        reasons += check_level(parameter, samples, untrusted, at, judge, None, max_age)
    return reasons


# Judgement: a partial change dilutes the ammonia or nitrite while the cause is found, without
# stripping the bed; keepers' rule of thumb is 25-50 %, and a gravel clean siphons about a third.
_STALL_CHANGE = 0.3
_GRAVEL_CLEAN_CHANGE = 0.3


def _detected(parameter: str, detect: float, tank: str, cycle: CycleStatus) -> Judge:
    def judge(s: Sample) -> Reason | None:
        if s.value <= detect:
            return None
        found = f"{cap(label(parameter))} is {num(s.value)} mg/L ({when(s.time)})"
        if cycle.basis == "unknown":
            age = cycle.age_days or 0.0
            message = (
                f"{found}. The tank has no set-up date and {age:.0f} days of history here: if it "
                f"was set up in the last 8 weeks it is still cycling and this is expected; if it "
                f"is older, the bed is not keeping up (clogging, low oxygen or low pH). Give its "
                f"set-up date with 'aquarium tank edit {tank} --set-up DATE'."
            )
        else:
            message = (
                f"{found} in an established tank: unless stocking or feeding changed, the bed "
                f"is not keeping up (clogging, low oxygen or low pH)."
            )
        return Reason("biofilter_stall", message, "soon", change_fraction=_STALL_CHANGE)

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
                    f"the flow after the clean on {on_date(local_date(since))}",
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
            change_fraction=_GRAVEL_CLEAN_CHANGE,
        )
    ]


def _drop(current: float | None, base: list[Sample]) -> float:
    reference = median_value(base)
    if current is None or not reference or reference <= 0:
        return 0.0
    return max(0.0, 1.0 - current / reference)


def _ph_decline(ph: list[Sample], kh: list[Sample], at: datetime, p: Profile) -> list[Reason]:
    """DOMAIN "Alkalinity": a pH fall of more than 0.2 in a month needs changes or buffer.

    Judged as a keeper would (DOMAIN "Test kits"): the fall must be beyond one kit step (or the
    probe's accuracy) and seen in the last two results, and KH must be checked before it is
    called an exhausted buffer: nitrification eats KH first, so a pH fall with KH steady is
    CO2 or kit noise.
    """
    window = between(ph, at - _DECLINE_WINDOW, at)
    fit = _trend(ph, at, _DECLINE_WINDOW)
    if fit is None or fit.slope * 30.0 > -p.ph_decline_month:
        return []
    points = daily_medians(window)
    step = max(resolution("ph", s.value, s.source, p) for s in window)
    # The first results before the last two (a third of them at least one) set the level the
    # last two are compared with; a median so one odd early result does not make a trend.
    early = median_value([Sample(t, v) for t, v in points[: max(1, (len(points) - 1) // 2)]])
    assert early is not None  # _trend needs at least three points
    last_two = [v for _, v in points[-2:]]
    fall = early - max(last_two)
    seen = f"pH {num(points[0][1])} to {num(points[-1][1])}"
    kit = "one kit step" if any(s.source == "manual" for s in window) else "the probe's accuracy"
    kh_state, kh_words = _kh_state(kh, at, p)
    if not beyond(fall, step):
        return [
            Reason(
                "ph_noise",
                f"{seen}: within {kit} ({num(step)}), {kh_words}: no action.",
            )
        ]
    steps = fall / step if step else 0.0
    seen += f" in a month ({steps:.0f} steps of {num(step)}, in the last two results)"
    if kh_state == "steady":
        return [
            Reason(
                "ph_noise",
                f"{seen}, but {kh_words}: not an exhausted buffer. Carbon dioxide lowers pH "
                f"without touching KH (test pH in the morning and the evening); no water change "
                f"for this.",
            )
        ]
    then = (
        f"{kh_words}: the bed is using up the buffer, so change more water or add buffer "
        f"before it crashes."
        if kh_state == "falling"
        else f"{kh_words}: test KH to tell an exhausted buffer (KH falling) from CO2 (KH steady)."
    )
    return [Reason("ph_decline", f"{seen}; {then}", "soon")]


def _kh_state(kh: list[Sample], at: datetime, p: Profile) -> tuple[str, str]:
    """("steady" | "falling" | "unknown", words): KH over two months, judged by its kit step."""
    window = between(kh, at - _KH_WINDOW, at)
    if not window:
        return "unknown", "KH not tested in the last two months"
    step = max(resolution("kh", s.value, s.source, p) for s in window)
    latest = window[-1].value
    if latest < p.kh_min:
        return "falling", f"KH is low at {num(latest)} dKH"
    highest = max(s.value for s in window[:-1]) if len(window) > 1 else latest
    if len(window) > 1 and beyond(highest - latest, step):
        return "falling", f"KH fell from {num(highest)} to {num(latest)} dKH"
    return "steady", f"KH steady at {num(latest)} dKH"


def _kh_decline(kh: list[Sample], at: datetime, p: Profile) -> list[Reason]:
    """KH falling towards the floor nitrification needs (DOMAIN "Alkalinity")."""
    fit = _trend(kh, at, _KH_WINDOW)
    if fit is None or fit.slope >= 0 or fit.at(at) <= p.kh_floor:
        return []  # at or below the floor, water_quality's kh_low says it
    window = between(kh, at - _KH_WINDOW, at)
    step = max(resolution("kh", s.value, s.source, p) for s in window)
    if not beyond(max(s.value for s in window) - window[-1].value, step):
        return []  # within one drop of the kit: DOMAIN "Test kits" calls that noise
    reach = fit.when(p.kh_floor)
    if reach is None or reach - at > _KH_WARNING:
        return []
    return [
        Reason(
            "kh_decline",
            f"KH is falling about {num(-fit.slope * 7)} dKH a week (now about {num(fit.at(at))}) "
            f"and will reach the {num(p.kh_floor)} dKH floor around "
            f"{on_date(local_date(reach))}.",
            "soon",
            due=local_date(reach),
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
