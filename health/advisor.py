"""The water-change advisor: one verdict per tank, `ok`, `soon` or `now`, with its reasons.

The checks live in their own modules and return reasons; this module gathers them, adds the
routine-interval rule, and turns the reasons into a status, a due window, a change size and plan.
"""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date, datetime, timedelta, tzinfo

from health.conductivity import conductivity_reasons, ec25_series
from health.filter_health import filter_reasons
from health.nitrate import forecast_nitrate, nitrate_reasons
from health.plan import change_plan, plan_reason, routine, routine_reasons
from health.profiles import Profile, get_profile
from health.resolution import Disagreement, combine_moments
from health.sensor_health import (
    clean,
    sensor_issues,
    sensor_reasons,
    trusted,
    untrusted_parameters,
)
from health.series import days
from health.types import PARAMETER_UNITS, Sample, TankHistory, as_utc, label
from health.verdict import SEVERITY_RANK, Reason, Status, Verdict, status_of
from health.water_quality import free_ammonia_check, water_quality_reasons
from health.wording import display_zone, local_date, num, on_date, when

__all__ = ["advise"]


def advise(
    history: TankHistory,
    at: datetime,
    profile: Profile | None = None,
    zone: tzinfo | None = None,
) -> Verdict:
    """The tank's water-change verdict at ``at``, from data at or before ``at`` only.

    ``profile`` defaults to the built-in one named by the history (without per-tank overrides;
    pass ``get_profile(name, overrides)`` to apply them). ``zone`` is the keeper's: messages and
    due dates are written in it (UTC when None).
    """
    at = as_utc(at, "at")
    with display_zone(zone):
        return _advise(history, at, profile, str(zone) if zone else "UTC")


def _advise(history: TankHistory, at: datetime, profile: Profile | None, zone: str) -> Verdict:
    h = history.until(at)
    p = profile if profile is not None else get_profile(h.profile)

    # One value per moment (DOMAIN "Test kits"): a retest or a second kit is one observation.
    combined: dict[str, list[Sample]] = {}
    disagreements: list[Disagreement] = []
    for name, values in h.samples.items():
        combined[name], found = combine_moments(name, values, p)
        disagreements += found
    h = replace(h, samples=combined)

    issues = sensor_issues(h, at)
    untrusted = untrusted_parameters(issues)
    fault_free = {name: clean(name, values) for name, values in h.samples.items()}
    good = {name: trusted(name, values, untrusted) for name, values in h.samples.items()}

    changes = [m for m in h.maintenance if m.kind == "water-change"]
    last = changes[-1] if changes else None
    # Filling a new tank is its first "change": the build-up starts there.
    start = last.time if last is not None else h.created_at
    previous = changes[-2].time if len(changes) >= 2 else None
    fraction = last.fraction(h.volume_l) if last is not None else None

    reasons = sensor_reasons(issues) + [_disagree(d) for d in disagreements]
    forecast = forecast_nitrate(good.get("nitrate", []), at, p, start, fraction, previous)
    reasons += nitrate_reasons(forecast, untrusted, at, p)
    free_nh3, ammonia_reasons = free_ammonia_check(fault_free, good, untrusted, at, start, p)
    reasons += ammonia_reasons
    reasons += water_quality_reasons(fault_free, untrusted, at, start, p)
    ec, note = ec25_series(
        good.get("conductivity", []), good.get("tds", []), good.get("temperature", [])
    )
    reasons += conductivity_reasons(ec, note, h.maintenance, last.time if last else None, at, p)
    reasons += filter_reasons(h, fault_free, good, untrusted, at, p)
    reasons += _interval_reasons(h.tank, start, last is not None, forecast.tests, at, p)
    if forecast.problem is None:
        reasons += routine_reasons(routine(changes, h.volume_l), forecast.rate_per_day, p)

    # Most urgent first; sorted() is stable, so each check's order survives within a severity.
    reasons = sorted(reasons, key=lambda r: -SEVERITY_RANK[r.severity])
    status = status_of(reasons)
    sizing = _sizing_reason(reasons, status)
    percent = _change_percent(sizing, p)
    plan = change_plan(sizing.change_fraction or 0.0, percent, p) if sizing and percent else None
    if plan is not None and sizing is not None:
        reasons.append(plan_reason(plan, _what(sizing)))
    litres = round(h.volume_l * percent / 100.0, 1) if percent and h.volume_l else None
    due, earliest, latest = _due(reasons, status, at)
    return Verdict(
        tank=h.tank,
        at=at,
        status=status,
        due=due,
        change_percent=percent or None,
        change_litres=litres,
        free_ammonia_mg_l=round(free_nh3, 4) if free_nh3 is not None else None,
        reasons=reasons,
        due_earliest=earliest,
        due_latest=latest,
        plan=plan,
        forecast=forecast.cone(at, p.nitrate_limit) if forecast.problem is None else None,
        zone=zone,
        today=local_date(at),
    )


def _disagree(d: Disagreement) -> Reason:
    unit = PARAMETER_UNITS.get(d.parameter, "")
    values = " and ".join(num(v) for v in d.values)
    return Reason(
        "kits_disagree",
        f"Your {label(d.parameter)} results at {when(d.time)} ({values} {unit}) differ by more "
        f"than one kit step ({num(round(d.step, 1))}): your two kits disagree, retest. Until "
        f"then the advisor uses their mean, {num(d.mean)}.",
    )


def _interval_reasons(
    tank: str,
    start: datetime | None,
    logged: bool,
    nitrate: list[Sample],
    at: datetime,
    p: Profile,
) -> list[Reason]:
    """The routine cap: the profile's longest interval, unless recent nitrate tests vouch."""
    if start is None:
        return [
            Reason(
                "no_data",
                f"Log the last water change (aquarium maintain {tank} water-change --at DATE) "
                f"so the advisor knows where the build-up started.",
            )
        ]
    longest = p.max_change_interval_days
    due = local_date(start + timedelta(days=longest))
    elapsed = days(at - start)
    what = "the last water change" if logged else "the tank's set-up"
    since_start = [s for s in nitrate if s.time >= start]  # a test at the change is after it
    recent = [s for s in since_start if s.time >= at - timedelta(days=p.nitrate_test_max_age_days)]
    if recent:
        if elapsed < longest:
            return []
        return [
            Reason(
                "interval",
                f"It is {elapsed:.0f} days since {what}, past the usual {longest:.0f}; recent "
                f"nitrate tests decide instead of the routine.",
            )
        ]
    reasons = []
    if since_start:
        age = days(at - since_start[-1].time)
        reasons.append(Reason("no_data", f"Test nitrate: the latest result is {age:.0f} days old."))
    if elapsed >= longest:
        reasons.append(
            Reason(
                "interval",
                f"It is {elapsed:.0f} days since {what} ({on_date(local_date(start))}), past the "
                f"longest interval of {longest:.0f} days, and no nitrate test from the last "
                f"{p.nitrate_test_max_age_days:.0f} days says it can wait.",
                "soon",
                due=due,
            )
        )
    else:
        reasons.append(
            Reason(
                "interval",
                f"With no nitrate test since {what} the routine applies: it was on "
                f"{on_date(local_date(start))}, so the next change is due by {on_date(due)} "
                f"(at least every {longest:.0f} days).",
                due=due,
            )
        )
    return reasons


def _due(
    reasons: list[Reason], status: Status, at: datetime
) -> tuple[date | None, date | None, date | None]:
    """(due, earliest, latest): `now` is today; `soon` its earliest soon reason's window; `ok` its
    earliest dated reason's window.

    A date already past reads as today: the verdict says when to act, the messages say since when.
    """
    today = local_date(at)
    if status == "now":
        return today, today, today
    pool = [r for r in reasons if r.severity == "soon"] if status == "soon" else reasons
    dated = [r for r in pool if r.window is not None]
    if not dated:
        return (today, today, today) if status == "soon" else (None, None, None)
    first = min(dated, key=lambda r: (r.due, r.window))
    earliest, latest = first.window or (today, today)
    assert first.due is not None
    return max(today, first.due), max(today, earliest), max(today, latest)


def _sizing_reason(reasons: list[Reason], status: Status) -> Reason | None:
    """The reason that sizes the change: the most urgent one that asks for a size.

    Only reasons as urgent as the verdict count: a flow or ammonia emergency is not sized by a
    nitrate forecast weeks away. An `ok` verdict is sized by its forecast, for the change on the
    due date.
    """
    top = [
        r
        for r in reasons
        if r.change_fraction is not None and SEVERITY_RANK[r.severity] >= SEVERITY_RANK[status]
    ]
    if not top:
        return None
    return max(top, key=lambda r: (r.change_fraction or 0.0, r.code))


def _change_percent(sizing: Reason | None, p: Profile) -> int:
    """The size the reason asks for, rounded to 5 % and held within the profile (0: no size)."""
    if sizing is None or sizing.change_fraction is None:
        return 0
    percent = 5.0 * math.floor(sizing.change_fraction * 100.0 / 5.0 + 0.5)  # half up to 5 %
    return int(min(max(percent, p.min_change_percent), p.max_change_percent))


def _what(reason: Reason) -> str:
    """What a sized reason is about, for the plan's sentence."""
    return {
        "nitrate_high": "nitrate",
        "nitrate_forecast": "nitrate",
        "free_ammonia": "free ammonia",
        "nitrite": "nitrite",
        "conductivity_rise": "conductivity",
    }.get(reason.code, reason.code.replace("_", " "))
