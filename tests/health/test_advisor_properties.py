"""Properties of the advisor that must hold for any history (hypothesis)."""

from __future__ import annotations

import random
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from health import MaintenanceEvent, Profile, Sample, advise, get_profile
from health.verdict import SEVERITY_RANK
from tests.health.builders import change, day, history, manual

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

test_days = st.lists(st.floats(0.5, 75.0), min_size=0, max_size=6, unique=True).map(sorted)


@st.composite
def tank_histories(
    draw: st.DrawFn,
) -> tuple[dict[str, list[Sample]], list[MaintenanceEvent], float]:
    """Test results of every kind at random times after a first change, and a moment to judge."""
    samples: dict[str, list[Sample]] = {}
    for parameter, top in (("nitrate", 80.0), ("ammonia", 3.0), ("nitrite", 2.0), ("kh", 8.0)):
        days_ = draw(test_days)
        values = draw(st.lists(st.floats(0.0, top), min_size=len(days_), max_size=len(days_)))
        samples[parameter] = manual(zip(days_, values, strict=True))
    ph_days = [s.time for s in samples["ammonia"]]
    ph_values = draw(st.lists(st.floats(5.0, 9.0), min_size=len(ph_days), max_size=len(ph_days)))
    samples["ph"] = [Sample(t, v, "manual") for t, v in zip(ph_days, ph_values, strict=True)]
    maintenance = [change(0, draw(st.floats(10, 60)))]
    at = draw(st.floats(1.0, 90.0))
    return samples, maintenance, at


@FAST
@given(data=tank_histories(), where=st.floats(0.0, 1.0), percent=st.floats(5, 80))
def test_logging_a_water_change_never_makes_the_verdict_worse(
    data: tuple[dict[str, list[Sample]], list[MaintenanceEvent], float],
    where: float,
    percent: float,
) -> None:
    """Logging the change made after the latest tests never raises the status (ok < soon < now)."""
    samples, maintenance, at_day = data
    at = day(at_day)
    times = [s.time for values in samples.values() for s in values if s.time <= at]
    latest = max([*times, maintenance[-1].time])
    when = latest + (at - latest) * where + timedelta(seconds=1)
    when = min(when, at)
    before = advise(history(samples, maintenance), at)
    after_log = [*maintenance, MaintenanceEvent(when, "water-change", percent, None)]
    after = advise(history(samples, after_log), at)
    assert SEVERITY_RANK[after.status] <= SEVERITY_RANK[before.status], (before, after)


def due_key(d: date | None) -> date:
    """No due date sorts after every date: it means no change is forecast."""
    return d or date.max


@FAST
@given(
    start=st.floats(3.0, 20.0),
    days_=st.lists(st.integers(1, 30), min_size=2, max_size=6, unique=True).map(sorted),
    noise=st.lists(st.floats(-3.0, 3.0), min_size=6, max_size=6),
    rates=st.tuples(st.floats(0.0, 4.0), st.floats(0.0, 4.0)).map(sorted),
    wait=st.floats(0.0, 5.0),
)
def test_slower_build_up_never_brings_the_due_date_forward(
    start: float, days_: list[int], noise: list[float], rates: list[float], wait: float
) -> None:
    """The same tests with a lower build-up rate never give an earlier due date."""
    slow, fast = rates

    def verdict_due(rate: float) -> date | None:
        points = [(d, start + rate * d + n) for d, n in zip(days_, noise, strict=False)]
        h = history({"nitrate": manual(points)}, [change(0)])
        return advise(h, day(days_[-1] + wait)).due

    assert due_key(verdict_due(slow)) >= due_key(verdict_due(fast))


# Issue 10: kit resolution, one value per moment, scale.


@FAST
@given(data=tank_histories(), seed=st.randoms(use_true_random=False))
def test_insertion_order_never_changes_the_verdict(
    data: tuple[dict[str, list[Sample]], list[MaintenanceEvent], float], seed: random.Random
) -> None:
    """The same results typed in any order, with retests at shared moments, give one verdict."""
    samples, maintenance, at = data
    nitrate = samples["nitrate"]
    # A second kit's result at each nitrate moment, a step apart or more.
    samples = {
        **samples,
        "nitrate": nitrate + [Sample(s.time, s.value + 7.0, "manual") for s in nitrate],
    }
    shuffled = {}
    for name, values in samples.items():
        values = list(values)
        seed.shuffle(values)
        shuffled[name] = values
    assert advise(history(shuffled, maintenance), day(at)) == advise(
        history(samples, maintenance), day(at)
    )


@FAST
@given(
    base=st.sampled_from([6.6, 7.0, 7.4, 7.8, 8.2]),
    noise=st.lists(st.floats(-0.1, 0.1), min_size=3, max_size=12),
    every=st.floats(1.0, 7.0),
)
def test_kit_noise_on_a_flat_ph_never_raises_a_decline(
    base: float, noise: list[float], every: float
) -> None:
    """pH flat at ``base`` read within half a 0.2 kit step either way is never a decline."""
    ph = manual([(i * every, base + n) for i, n in enumerate(noise)])
    at = day(len(noise) * every)
    assert "ph_decline" not in advise(history({"ph": ph}, [change(0)]), at).codes()


@FAST
@given(
    base=st.sampled_from([6.6, 7.0, 7.4, 7.8]),
    steps=st.lists(st.sampled_from([-1, 0, 1]), min_size=3, max_size=10),
)
def test_one_step_ph_noise_with_kh_flat_never_asks_for_a_change(
    base: float, steps: list[int]
) -> None:
    """pH read one colour step off either way, weekly, with KH flat: never a `soon` pH decline."""
    ph = manual([(7 * i, base + 0.2 * s) for i, s in enumerate(steps)])
    kh = manual([(7 * i, 6.0) for i in range(len(steps))])
    v = advise(history({"ph": ph, "kh": kh}, [change(0)]), day(7 * len(steps)))
    assert "ph_decline" not in v.codes()


@FAST
@given(
    first=st.floats(2.0, 20.0),
    rises=st.lists(st.floats(0.0, 6.0), min_size=2, max_size=5),
    scale=st.floats(0.5, 4.0),
)
def test_scaling_nitrate_and_its_limits_keeps_the_due_date(
    first: float, rises: list[float], scale: float
) -> None:
    """Nitrate results, target and limit all times ``scale``: the same most likely due date."""
    values = [first]
    for rise in rises:
        values.append(values[-1] + rise)
    points = [(1 + 7 * i, v) for i, v in enumerate(values)]
    at = day(points[-1][0]) + timedelta(hours=1)
    base = get_profile("turtle-fish")
    scaled = get_profile(
        "turtle-fish",
        {
            "nitrate_target": base.nitrate_target * scale,
            "nitrate_limit": base.nitrate_limit * scale,
        },
    )

    def due(profile: Profile, k: float) -> date | None:
        h = history({"nitrate": manual([(d, v * k) for d, v in points])}, [change(0)])
        return advise(h, at, profile).due

    assert due(scaled, scale) == due(base, 1.0)
