"""The nitrate sawtooth: a linear rise between water changes, a dilution step at each change.

DOMAIN "Water changes": between changes nitrate rises roughly linearly, so the rate is fitted
only to results after the last change; each change steps the level down by the dilution formula.
DOMAIN "Test kits": nitrate cannot fall between changes, so a result below what dilution leaves
is a reagent error until a retest says otherwise, and every forecast carries the kit's step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Literal

from health.chemistry import change_fraction, dilution
from health.levels import check_level
from health.profiles import Profile
from health.resolution import beyond, resolution
from health.series import LinearFit, days, fit_line
from health.types import Sample
from health.verdict import Cone, ForecastPoint, Reason
from health.wording import day_month, local_date, num, on_date, when, window

__all__ = [
    "MIN_FIT_SPAN_DAYS",
    "NitrateForecast",
    "Rejected",
    "forecast_nitrate",
    "nitrate_reasons",
]

# Judgement: kit colour steps are 5-10 mg/L, so results less than two days apart mostly measure
# the kit, not the tank.
MIN_FIT_SPAN_DAYS = 2.0
# How far the drawn cone reaches: judgement, a chart of more than four months says nothing.
_CONE_DAYS = 120

ChangeBasis = Literal["none", "near", "estimated"]


@dataclass(frozen=True, slots=True)
class Rejected:
    """A result below the lowest level the physics allows since the change."""

    sample: Sample
    floor: float  # the lowest plausible level at that moment
    why: str  # where the floor comes from, for the keeper


@dataclass(frozen=True)
class NitrateForecast:
    """The fitted rise since the last change and where it leads; ``problem`` says why not."""

    start: datetime | None  # the last water change (or the tank's filling)
    tests: list[Sample]  # trusted results at or after ``start``
    change_basis: ChangeBasis  # how the level just after the change was found, if it was used
    fit: LinearFit | None
    level_now: float | None
    crossing: datetime | None  # when the fitted rise reaches the limit; may be before `at`
    problem: str | None
    rejected: list[Rejected] = field(default_factory=list)
    level_error: float = 0.0  # mg/L either side of the line: the kit's half step and the scatter
    pre_change: Sample | None = None  # the test the level at the change came from

    @property
    def rate_per_day(self) -> float | None:
        """The fitted build-up in mg/L a day."""
        return self.fit.slope if self.fit else None

    @property
    def used_dilution_point(self) -> bool:
        """True when the diluted level just after the change is one of the fitted points."""
        return self.change_basis != "none"

    def error_at(self, moment: datetime) -> float:
        """How far either side of the line the level may be at ``moment`` (mg/L)."""
        spread = self.fit.spread_at(moment) if self.fit else 0.0
        return self.level_error + spread

    def window(self) -> tuple[datetime, datetime] | None:
        """(earliest, latest) moments the level may reach the limit, or None without a crossing."""
        if self.fit is None or self.crossing is None or self.fit.slope <= 0:
            return None
        half = timedelta(days=self.error_at(self.crossing) / self.fit.slope)
        return self.crossing - half, self.crossing + half

    def cone(self, at: datetime, limit: float) -> Cone | None:
        """The forecast drawn from ``at`` to where the slow edge reaches the limit, day by day."""
        if self.fit is None or self.fit.slope <= 0:
            return None
        span = self.window()
        end = span[1] if span else at
        last = min(max(end, at + timedelta(days=1)), at + timedelta(days=_CONE_DAYS))
        points, t = [], at
        while True:
            expected = self.fit.at(t)
            err = self.error_at(t)
            points.append(
                ForecastPoint(t, max(0.0, expected), max(0.0, expected - err), expected + err)
            )
            if t >= last:
                break
            t = min(t + timedelta(days=1), last)
        earliest, latest = span if span else (None, None)
        return Cone("nitrate", limit, self.crossing, earliest, latest, tuple(points))


def forecast_nitrate(
    samples: list[Sample],
    at: datetime,
    profile: Profile,
    start: datetime | None,
    start_fraction: float | None = None,
    previous_start: datetime | None = None,
) -> NitrateForecast:
    """Fit the rise from ``start`` and forecast when it crosses the profile's limit.

    ``samples`` are trusted nitrate results in time order; one at the very moment of the change
    is a result after it (issue 10). With only one result after the change, the level just after
    it stands in as the second point: the last result before the change, diluted by
    ``start_fraction``, when it is within ``change_test_max_gap_days`` of the change; else an
    estimate that assumes the same rise before and after the change, with a wider window.
    """
    p = profile
    after = [s for s in samples if (start is None or s.time >= start) and s.time <= at]
    before = [
        s
        for s in samples
        if start is not None
        and s.time < start
        and (previous_start is None or s.time >= previous_start)
    ]
    pre = before[-1] if before else None
    tests, rejected = _plausible(after, pre, start_fraction, p)
    points = [(s.time, s.value) for s in tests]
    basis: ChangeBasis = "none"
    extra_error = 0.0
    # A test at the very moment of the change already is the level after it: no second dilution.
    at_change_tested = bool(tests) and tests[0].time == start
    if (
        len(tests) == 1
        and not at_change_tested
        and pre is not None
        and start is not None
        and start_fraction is not None
    ):
        level, basis = _level_at_change(pre, tests[0], start, start_fraction, p)
        points.insert(0, (start, dilution(level, start_fraction, p.tap_nitrate)))
        if basis == "estimated":
            # The estimate leans on a rate it also assumes: another half kit step of doubt.
            extra_error = resolution("nitrate", level, "manual", p) / 2.0
    fit = fit_line(points) if len(points) >= 2 else None
    half_step = resolution("nitrate", p.nitrate_limit, "manual", p) / 2.0

    def result(problem: str | None, fit: LinearFit | None = None) -> NitrateForecast:
        level = max(0.0, fit.at(at)) if fit else None
        crossing = fit.when(p.nitrate_limit) if fit and fit.slope > 0 else None
        return NitrateForecast(
            start,
            tests,
            basis if fit else "none",
            fit,
            level,
            crossing,
            problem,
            rejected,
            half_step + extra_error,
            pre if fit and basis != "none" else None,
        )

    if start is None:
        since = "on record"
    elif start_fraction is not None:  # only a logged change has a size
        since = f"since the water change on {on_date(local_date(start))}"
    else:
        since = f"since {on_date(local_date(start))}"
    near = (
        start is not None
        and pre is not None
        and days(start - pre.time) <= p.change_test_max_gap_days
    )
    if fit is None and not tests and near and pre is not None and start_fraction is not None:
        diluted = dilution(pre.value, start_fraction, p.tap_nitrate)
        return result(
            f"Nitrate is about {num(diluted)} mg/L after the water change ({num(pre.value)} "
            f"mg/L tested {when(pre.time)}, diluted {start_fraction * 100:.0f} %); test "
            f"again in a few days so the advisor can fit the rise."
        )
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


def _plausible(
    after: list[Sample], pre: Sample | None, fraction: float | None, p: Profile
) -> tuple[list[Sample], list[Rejected]]:
    """Split results since the change into those physics allows and those it does not.

    The floor is what the change left (the last result before it, diluted) and then the highest
    trusted result since: nitrate only rises between changes. A result below the floor by more
    than the two readings' kit steps together is rejected (DOMAIN "Test kits").
    """
    floor: float | None = None
    why = ""
    if pre is not None and fraction is not None:
        floor = dilution(pre.value, fraction, p.tap_nitrate)
        why = (
            f"{num(pre.value)} mg/L before the {fraction * 100:.0f} % change diluted to about "
            f"{num(floor)}"
        )
    kept: list[Sample] = []
    rejected: list[Rejected] = []
    for s in after:
        # Both readings carry a kit step (a 10 and a 20 are neighbouring colours), so the fall
        # must exceed the two steps together before it contradicts the physics.
        step = resolution("nitrate", floor or 0.0, "manual", p) + resolution(
            "nitrate", s.value, "manual", p
        )
        if floor is not None and beyond(floor - s.value, step):
            rejected.append(Rejected(s, floor, why))
            continue
        kept.append(s)
        if floor is None or s.value > floor:
            floor, why = s.value, f"{num(s.value)} mg/L on {when(s.time)}"
    return kept, rejected


def _level_at_change(
    pre: Sample, post: Sample, start: datetime, fraction: float, p: Profile
) -> tuple[float, ChangeBasis]:
    """The level just before the change: the pre-change test if near it, else an estimate.

    For the estimate, nitrate rose at one rate r from the old test P through the change to the
    test Q after it: Q = (P + r d0)(1 - f) + tap f + r d1, so r = (Q - dilution(P)) / (d0 (1 - f)
    + d1), and the level at the change is P + r d0.
    """
    d0 = days(start - pre.time)
    if d0 <= p.change_test_max_gap_days:
        return pre.value, "near"
    d1 = days(post.time - start)
    rate = (post.value - dilution(pre.value, fraction, p.tap_nitrate)) / (d0 * (1 - fraction) + d1)
    return pre.value + max(0.0, rate) * d0, "estimated"


def nitrate_reasons(
    forecast: NitrateForecast,
    untrusted: dict[str, str],
    at: datetime,
    profile: Profile,
) -> list[Reason]:
    """`nitrate_high` from the latest plausible result, the forecast or `no_data`, and retests."""
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

    # Nitrate only rises between changes, so the latest plausible result since it stays valid.
    reasons = check_level("nitrate", forecast.tests, untrusted, at, judge)
    reasons += [_retest(r) for r in forecast.rejected]
    if forecast.problem is not None:
        return [*reasons, Reason("no_data", forecast.problem)]
    return [*reasons, _forecast_reason(forecast, at, p)]


def _retest(r: Rejected) -> Reason:
    return Reason(
        "nitrate_retest",
        f"Nitrate read {num(r.sample.value)} mg/L ({when(r.sample.time)}), but it cannot fall "
        f"between water changes ({r.why}): retest, shaking the second reagent bottle hard. "
        f"Until a retest agrees the advisor ignores it.",
    )


def _forecast_reason(forecast: NitrateForecast, at: datetime, p: Profile) -> Reason:
    assert forecast.fit is not None and forecast.level_now is not None
    rate = forecast.fit.slope
    level = forecast.level_now
    n = len(forecast.tests)
    basis = f"fitted to {n} result{'s' if n != 1 else ''}"
    pre = forecast.pre_change
    if forecast.change_basis == "near":
        basis += " and the diluted level just after the change"
    elif forecast.change_basis == "estimated" and pre is not None:
        age = days(forecast.start - pre.time) if forecast.start else 0.0
        basis += (
            f"; estimating the level at the change from an old test ({num(pre.value)} mg/L, "
            f"{age:.0f} days before it), so the window is wider: test again to narrow it"
        )
    if forecast.crossing is None:
        trend = "is not rising" if rate <= 0 else f"is rising only {num(rate)} mg/L a day"
        return Reason(
            "nitrate_forecast",
            f"Nitrate {trend} (about {num(level)} mg/L, {basis}), so no change is forecast "
            f"from it.",
        )
    crossing = forecast.crossing
    today = local_date(at)
    if crossing <= at:
        # The cone's optimistic edge is past the limit too: no test is needed to know it.
        sure = level - p.nitrate_limit > forecast.error_at(at)
        return Reason(
            "nitrate_forecast",
            f"The rise of {num(rate)} mg/L a day ({basis}) puts nitrate near {num(level)} mg/L "
            f"now, past the {num(p.nitrate_limit)} mg/L limit since "
            f"{on_date(local_date(crossing))}: "
            + (
                "change water now, and test nitrate to size the next changes."
                if sure
                else "test nitrate to confirm, or change water."
            ),
            "now" if sure else "soon",
            due=today,
            change_fraction=change_fraction(level, p.nitrate_target, p.tap_nitrate),
        )
    span = forecast.window()
    assert span is not None
    earliest = max(today, local_date(span[0]))
    likely, latest = local_date(crossing), local_date(span[1])
    reach = _reach(forecast, p)
    if reach is not None:
        # A line is trusted no further ahead than the span it was fitted over, and the routine
        # always holds that far (a fresh demo's 4 results gave "between today and 14 Jul 2028,
        # most likely 19 Apr 2027" for a tank changed every month or two). min(likely, reach)
        # keeps a slower rise from ever bringing the date forward.
        if likely > reach:
            return _beyond_reach(forecast, at, p, basis, likely, reach)
        latest = min(latest, reach)
    soon = days(crossing - at) <= p.horizon_days
    # Changed on the due day, the level is at the limit: bring that back to the target.
    fraction = change_fraction(p.nitrate_limit, p.nitrate_target, p.tap_nitrate)
    return Reason(
        "nitrate_forecast",
        f"Nitrate is rising {num(rate)} mg/L a day (about {num(level)} mg/L now, {basis}) and "
        f"is forecast to reach the {num(p.nitrate_limit)} mg/L limit "
        f"{window(earliest, likely, latest, today)}.",
        "soon" if soon else "info",
        due=likely,
        change_fraction=fraction,
        due_earliest=earliest,
        due_latest=latest,
    )


def _reach(forecast: NitrateForecast, p: Profile) -> date | None:
    """How far ahead the fitted line can date a change: the routine's date (the last change plus
    the longest interval, DOMAIN "every month or two") or, when later, the last result plus the
    span the results cover."""
    if forecast.start is None or forecast.fit is None:
        return None
    routine = forecast.start + timedelta(days=p.max_change_interval_days)
    fitted_to = forecast.fit.origin + timedelta(days=2 * forecast.fit.span_days)
    return local_date(max(routine, fitted_to))


def _beyond_reach(
    forecast: NitrateForecast, at: datetime, p: Profile, basis: str, likely: date, reach: date
) -> Reason:
    """Due at the forecast's reach, when the likely crossing lies beyond what the results tell."""
    assert forecast.fit is not None and forecast.level_now is not None
    today = local_date(at)
    due = max(today, reach)
    moment = datetime.combine(due, time(12), tzinfo=at.tzinfo)
    expected = max(forecast.level_now, forecast.fit.at(moment))
    fraction = change_fraction(expected, p.nitrate_target, p.tap_nitrate)
    return Reason(
        "nitrate_forecast",
        f"Nitrate is rising {num(forecast.fit.slope)} mg/L a day (about "
        f"{num(forecast.level_now)} mg/L now, {basis}): at that pace it reaches the "
        f"{num(p.nitrate_limit)} mg/L limit around {day_month(likely, today)}, further ahead "
        f"than {forecast.fit.n} results over {forecast.fit.span_days:.0f} days can tell. Change "
        f"by {day_month(due, today)} and keep testing weekly: more results move this date.",
        "soon" if days(moment - at) <= p.horizon_days else "info",
        due=due,
        change_fraction=fraction or None,
    )
