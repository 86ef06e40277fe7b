"""A plan, not only a date: how many changes when one is not enough, and a routine that keeps up.

DOMAIN "Water changes": changes needed to reach a target n = ln(target / C0) / ln(1 - f); with a
build-up x per interval and a fraction f every interval the level before each change settles at
x / f (plus what the tap brings).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import pairwise
from statistics import median

from health.chemistry import steady_state_peak
from health.profiles import Profile
from health.types import MaintenanceEvent
from health.verdict import Plan, Reason
from health.wording import num

__all__ = ["change_plan", "plan_reason", "routine", "routine_reasons"]

# Judgement: the last few changes describe the keeper's habit; older ones may be another habit.
_ROUTINE_CHANGES = 4


def change_plan(needed: float, percent: int, p: Profile) -> Plan | None:
    """Several changes of ``percent`` when one cannot do what a ``needed`` fraction asks.

    Each change of f leaves (1 - f) of what is above the tap's level, and one of F leaves
    (1 - F), so n = ln(1 - F) / ln(1 - f), the DOMAIN formula with target / C0 = 1 - F.
    """
    f = percent / 100.0
    if needed >= 1.0 or f <= 0 or f >= 1 or needed <= f + 1e-9:
        return None  # "as much as allowed" (needed 1) is not a count of changes
    n = math.log(1.0 - needed) / math.log(1.0 - f)
    return Plan(math.ceil(n - 1e-9), percent, p.plan_spacing_days, math.ceil(needed * 100 - 1e-9))


def plan_reason(plan: Plan, why: str) -> Reason:
    """The plan in words for the keeper."""
    spacing = "a day apart" if plan.every_days == 1 else f"{num(plan.every_days)} days apart"
    return Reason(
        "change_plan",
        f"One {plan.percent} % change is not enough for {why} ({plan.needed_percent} % would "
        f"be needed at once): make {plan.changes} changes of {plan.percent} %, {spacing}, so "
        f"temperature and pH change slowly.",
    )


def routine(
    changes: Sequence[MaintenanceEvent], volume_l: float | None
) -> tuple[float, float] | None:
    """The keeper's habit from the log: (median days between changes, median fraction)."""
    sized = [c for c in changes if c.fraction(volume_l) is not None][-_ROUTINE_CHANGES:]
    if len(sized) < 3:  # two intervals at least before calling it a habit
        return None
    gaps = [(b.time - a.time).total_seconds() / 86_400.0 for a, b in pairwise(sized)]
    fractions = [c.fraction(volume_l) or 0.0 for c in sized]
    interval = median(gaps)
    if interval <= 0:
        return None
    return interval, median(fractions)


def routine_reasons(
    habit: tuple[float, float] | None, rate_per_day: float | None, p: Profile
) -> list[Reason]:
    """`routine_short` when the keeper's routine lets nitrate settle above the limit."""
    if habit is None or rate_per_day is None or rate_per_day <= 0:
        return []
    interval, fraction = habit
    rise = rate_per_day * interval
    peak = steady_state_peak(rise, fraction, p.tap_nitrate)
    if peak <= p.nitrate_limit:
        return []
    room = p.nitrate_limit - p.tap_nitrate
    percent = 5 * math.ceil(rise / room * 100 / 5 - 1e-9)
    every = interval
    if percent > p.max_change_percent:
        percent = int(p.max_change_percent)
        # The longest interval at which the largest allowed change still keeps up.
        every = max(1.0, math.floor(room * percent / 100.0 / rate_per_day))
    percent = max(percent, int(p.min_change_percent))
    new_peak = steady_state_peak(rate_per_day * every, percent / 100.0, p.tap_nitrate)
    return [
        Reason(
            "routine_short",
            f"Your routine ({fraction * 100:.0f} % every {interval:.0f} days) cannot keep up "
            f"with a rise of {num(rise)} mg/L per interval: nitrate settles near {num(peak)} "
            f"mg/L before each change (rise / fraction), over the {num(p.nitrate_limit)} mg/L "
            f"limit. Change {percent} % every {every:.0f} days instead (settles near "
            f"{num(new_peak)} mg/L).",
        )
    ]
