"""The water-change advisor: one verdict per tank, `ok`, `soon` or `now`, with its reasons.

The checks live in their own modules and return reasons; this module gathers them, adds the
routine-interval rule, and turns the reasons into a status, a due date and a change size.
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta

from health.conductivity import conductivity_reasons, ec25_series
from health.filter_health import filter_reasons
from health.nitrate import forecast_nitrate, nitrate_reasons
from health.profiles import Profile, get_profile
from health.sensor_health import (
    clean,
    sensor_issues,
    sensor_reasons,
    trusted,
    untrusted_parameters,
)
from health.series import days
from health.types import Sample, TankHistory, as_utc
from health.verdict import SEVERITY_RANK, Reason, Status, Verdict, status_of
from health.water_quality import free_ammonia_check, water_quality_reasons
from health.wording import on_date

__all__ = ["advise"]


def advise(history: TankHistory, at: datetime, profile: Profile | None = None) -> Verdict:
    """The tank's water-change verdict at ``at``, from data at or before ``at`` only.

    ``profile`` defaults to the built-in one named by the history (without per-tank overrides;
    pass ``get_profile(name, overrides)`` to apply them).
    """
    at = as_utc(at, "at")
    h = history.until(at)
    p = profile if profile is not None else get_profile(h.profile)

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

    reasons = sensor_reasons(issues)
    forecast = forecast_nitrate(good.get("nitrate", []), at, p, start, fraction, previous)
    reasons += nitrate_reasons(forecast, fault_free.get("nitrate", []), untrusted, at, p)
    free_nh3, ammonia_reasons = free_ammonia_check(fault_free, good, untrusted, at, start, p)
    reasons += ammonia_reasons
    reasons += water_quality_reasons(fault_free, untrusted, at, start, p)
    ec, note = ec25_series(
        good.get("conductivity", []), good.get("tds", []), good.get("temperature", [])
    )
    reasons += conductivity_reasons(ec, note, h.maintenance, last.time if last else None, at, p)
    reasons += filter_reasons(h, fault_free, good, untrusted, at, p)
    reasons += _interval_reasons(h.tank, start, last is not None, good.get("nitrate", []), at, p)

    # Most urgent first; sorted() is stable, so each check's order survives within a severity.
    reasons = sorted(reasons, key=lambda r: -SEVERITY_RANK[r.severity])
    status = status_of(reasons)
    percent = _change_percent(reasons, status, p)
    litres = round(h.volume_l * percent / 100.0, 1) if percent and h.volume_l else None
    return Verdict(
        tank=h.tank,
        at=at,
        status=status,
        due=_due(reasons, status, at),
        change_percent=percent,
        change_litres=litres,
        free_ammonia_mg_l=round(free_nh3, 4) if free_nh3 is not None else None,
        reasons=reasons,
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
    due = (start + timedelta(days=longest)).date()
    elapsed = days(at - start)
    what = "the last water change" if logged else "the tank's set-up"
    since_start = [s for s in nitrate if s.time > start]
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
                f"It is {elapsed:.0f} days since {what} ({on_date(start.date())}), past the "
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
                f"With no recent nitrate test the routine applies: {what} was on "
                f"{on_date(start.date())}, so the next change is due by {on_date(due)} "
                f"(at least every {longest:.0f} days).",
                due=due,
            )
        )
    return reasons


def _due(reasons: list[Reason], status: Status, at: datetime) -> date | None:
    """`now` is due today; `soon` at its earliest soon reason; `ok` at its earliest dated reason.

    A date already past reads as today: the verdict says when to act, the messages say since when.
    """
    today = at.date()
    if status == "now":
        return today
    if status == "soon":
        return max(today, min(r.due or today for r in reasons if r.severity == "soon"))
    dated = [r.due for r in reasons if r.due is not None]
    return max(today, min(dated)) if dated else None


def _change_percent(reasons: list[Reason], status: Status, p: Profile) -> int | None:
    """The largest change any urgent reason asks for, rounded to 5 % and held within the profile.

    With no urgent reason sizing it, the forecast's size (for the change on its due date) is used.
    """
    urgent = [
        r.change_fraction
        for r in reasons
        if r.change_fraction is not None and SEVERITY_RANK[r.severity] >= SEVERITY_RANK[status]
    ]
    sized = urgent or [r.change_fraction for r in reasons if r.change_fraction is not None]
    if not sized:
        return None
    percent = 5.0 * math.floor(max(sized) * 100.0 / 5.0 + 0.5)  # round half up to 5 %
    return int(min(max(percent, p.min_change_percent), p.max_change_percent))
