"""The nitrate sawtooth: a linear rise between water changes, a dilution step at each change.

DOMAIN "Water changes": between changes nitrate rises roughly linearly, so the rate is fitted
only to results after the last change; each change steps the level down by the dilution formula.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from health.chemistry import change_fraction, dilution
from health.levels import check_level
from health.profiles import Profile
from health.series import LinearFit, between, days, fit_line
from health.types import Sample
from health.verdict import Reason
from health.wording import num, on_date, when

__all__ = ["MIN_FIT_SPAN_DAYS", "NitrateForecast", "forecast_nitrate", "nitrate_reasons"]

# Judgement: kit colour steps are 5-10 mg/L, so results less than two days apart mostly measure
# the kit, not the tank.
MIN_FIT_SPAN_DAYS = 2.0


@dataclass(frozen=True)
class NitrateForecast:
    """The fitted rise since the last change and where it leads; ``problem`` says why not."""

    start: datetime | None  # the last water change (or the tank's filling)
    tests: list[Sample]  # results after ``start``
    used_dilution_point: bool
    fit: LinearFit | None
    level_now: float | None
    crossing: datetime | None  # when the fitted rise reaches the limit; may be before `at`
    problem: str | None

    @property
    def rate_per_day(self) -> float | None:
        """The fitted build-up in mg/L a day."""
        return self.fit.slope if self.fit else None


def forecast_nitrate(
    samples: list[Sample],
    at: datetime,
    profile: Profile,
    start: datetime | None,
    start_fraction: float | None = None,
    previous_start: datetime | None = None,
) -> NitrateForecast:
    """Fit the rise after ``start`` and forecast when it crosses the profile's limit.

    ``samples`` are trusted nitrate results in time order. With only one result after the change,
    the level just after it (the last result before the change, diluted by ``start_fraction``)
    stands in as the second point; taking that older result as the level at the change makes the
    rise look steeper, so the forecast errs early.
    """
    tests = between(samples, start, at)
    points = [(s.time, s.value) for s in tests]
    used_dilution = False
    if len(tests) == 1 and start is not None and start_fraction is not None:
        before = between(samples, previous_start, start)
        if before:
            after_change = dilution(before[-1].value, start_fraction, profile.tap_nitrate)
            points.insert(0, (start, after_change))
            used_dilution = True
    fit = fit_line(points) if len(points) >= 2 else None

    def result(problem: str | None, fit: LinearFit | None = None) -> NitrateForecast:
        level = max(0.0, fit.at(at)) if fit else None
        crossing = fit.when(profile.nitrate_limit) if fit and fit.slope > 0 else None
        return NitrateForecast(start, tests, used_dilution, fit, level, crossing, problem)

    if start is None:
        since = "on record"
    elif start_fraction is not None:  # only a logged change has a size
        since = f"since the water change on {on_date(start.date())}"
    else:
        since = f"since {on_date(start.date())}"
    if fit is None:
        have = "none" if not tests else f"one, from {when(tests[0].time)}"
        return result(
            f"Test nitrate: the advisor needs at least two nitrate results {since} "
            f"to forecast (it has {have})."
        )
    if fit.span_days < MIN_FIT_SPAN_DAYS:
        return result(
            f"Test nitrate again in a few days: the results {since} span "
            f"{fit.span_days:.1f} days, too short to fit a rate."
        )
    return result(None, fit)


def nitrate_reasons(
    forecast: NitrateForecast,
    samples: list[Sample],
    untrusted: dict[str, str],
    at: datetime,
    profile: Profile,
) -> list[Reason]:
    """`nitrate_high` from the latest result, `nitrate_forecast` from the fit, or `no_data`."""
    p = profile

    def judge(s: Sample) -> Reason | None:
        if s.value <= p.nitrate_limit:
            return None
        return Reason(
            "nitrate_high",
            f"Nitrate is {num(s.value)} mg/L ({when(s.time)}), over the {num(p.nitrate_limit)} "
            f"mg/L limit.",
            "now",
            change_fraction=change_fraction(s.value, p.nitrate_target, p.tap_nitrate),
        )

    # Nitrate only rises between changes, so the latest result since the change stays valid.
    reasons = check_level("nitrate", samples, untrusted, at, judge, since=forecast.start)
    if forecast.problem is not None:
        return [*reasons, Reason("no_data", forecast.problem)]
    return [*reasons, _forecast_reason(forecast, at, p)]


def _forecast_reason(forecast: NitrateForecast, at: datetime, p: Profile) -> Reason:
    assert forecast.fit is not None and forecast.level_now is not None
    rate = forecast.fit.slope
    level = forecast.level_now
    n = len(forecast.tests)
    basis = f"fitted to {n} result{'s' if n != 1 else ''}"
    if forecast.used_dilution_point:
        basis += " and the diluted level just after the change"
    if forecast.crossing is None:
        trend = "is not rising" if rate <= 0 else f"is rising only {num(rate)} mg/L a day"
        return Reason(
            "nitrate_forecast",
            f"Nitrate {trend} (about {num(level)} mg/L, {basis}), so no change is forecast "
            f"from it.",
        )
    crossing = forecast.crossing
    if crossing <= at:
        return Reason(
            "nitrate_forecast",
            f"The rise of {num(rate)} mg/L a day ({basis}) puts nitrate near {num(level)} mg/L "
            f"now, past the {num(p.nitrate_limit)} mg/L limit since {on_date(crossing.date())}: "
            f"test nitrate to confirm, or change water.",
            "soon",
            due=at.date(),
            change_fraction=change_fraction(level, p.nitrate_target, p.tap_nitrate),
        )
    soon = days(crossing - at) <= p.horizon_days
    # Changed on the due day, the level is at the limit: bring that back to the target.
    fraction = change_fraction(p.nitrate_limit, p.nitrate_target, p.tap_nitrate)
    return Reason(
        "nitrate_forecast",
        f"Nitrate is rising {num(rate)} mg/L a day (about {num(level)} mg/L now, {basis}) and "
        f"is forecast to reach the {num(p.nitrate_limit)} mg/L limit on "
        f"{on_date(crossing.date())}.",
        "soon" if soon else "info",
        due=crossing.date(),
        change_fraction=fraction,
    )
