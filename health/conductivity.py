"""Conductivity as a continuous stand-in for sparse nitrate tests.

DOMAIN "Water changes": conductivity/TDS climbs between changes and steps down at each change, so
its rise since the post-change baseline tracks the build-up, and a step down with no change logged
is probably an unlogged change.
"""

from __future__ import annotations

import bisect
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from health.chemistry import compensate_ec25
from health.profiles import Profile
from health.types import MaintenanceEvent, Sample
from health.verdict import Reason, Severity
from health.wording import local_date, num, on_date, when

__all__ = ["UnloggedChange", "conductivity_reasons", "ec25_series", "find_unlogged_change"]

# Judgement: a temperature reading within 30 min describes the water a conductivity reading saw.
_TEMPERATURE_PAIRING = timedelta(minutes=30)
# Judgement: new water takes about an hour to mix; the baseline is the median of the next 6 h.
_MIXING = timedelta(hours=1)
_BASELINE_SPAN = timedelta(hours=6)
# Judgement: a change logged up to 12 h away from the step (keepers log late) explains it.
_LOG_SLACK = timedelta(hours=12)
# Judgement: a fall past 80 % is a probe lifted out of the water, not a water change.
_PROBE_OUT = 0.8
# DOMAIN "Sensors": TDS is about 0.5 x EC; TDS pens compensate to 25 degC themselves.
_TDS_PER_EC = 0.5


def ec25_series(
    conductivity: Sequence[Sample], tds: Sequence[Sample], temperature: Sequence[Sample]
) -> tuple[list[Sample], str]:
    """Conductivity at 25 degC in uS/cm, and a note saying how it was obtained.

    Raw conductivity is compensated with the nearest temperature (DOMAIN "Sensors"); without
    conductivity, TDS / 0.5 stands in.
    """
    if conductivity:
        times = [t.time for t in temperature]
        out, compensated = [], 0
        for s in conductivity:
            temp = _nearest(temperature, times, s.time)
            value = s.value
            if temp is not None and 0.0 <= temp <= 50.0:
                value, compensated = compensate_ec25(s.value, temp), compensated + 1
            out.append(Sample(s.time, value, s.source))
        note = "at 25 °C" if compensated == len(out) else "partly uncompensated"
        return out, note
    return [Sample(s.time, s.value / _TDS_PER_EC, s.source) for s in tds], "from TDS"


@dataclass(frozen=True, slots=True)
class UnloggedChange:
    """A step down in conductivity that no logged change explains."""

    time: datetime
    before: float
    after: float

    @property
    def drop_percent(self) -> float:
        """How far conductivity fell, in percent."""
        return (1.0 - self.after / self.before) * 100.0


def find_unlogged_change(
    series: Sequence[Sample],
    maintenance: Sequence[MaintenanceEvent],
    since: datetime | None,
    profile: Profile,
) -> UnloggedChange | None:
    """The latest step down of more than the profile's percent within its hours, if unexplained."""
    window = timedelta(hours=profile.conductivity_step_hours)
    threshold = profile.conductivity_step_percent / 100.0
    times = [s.time for s in series]
    explained = [
        m.time for m in maintenance if m.kind in ("water-change", "gravel-clean", "top-off")
    ]
    found: UnloggedChange | None = None
    resume = since
    windows = _SlidingWindows([s.value for s in series])
    for i, s in enumerate(series):
        if resume is not None and s.time <= resume:
            continue
        lo = bisect.bisect_left(times, s.time - window)
        hi = bisect.bisect_right(times, s.time + window)
        if i - lo < 2 or hi - i < 2:
            continue
        b, a = windows.medians(lo, i, hi)
        # The reading itself must be low too, so the step is dated at its first low reading.
        low = s.value < b * (1.0 - threshold)
        if b <= 0 or not low or not threshold < 1.0 - a / b < _PROBE_OUT:
            continue
        resume = s.time + window  # one step, however many readings show it
        if any(abs(t - s.time) <= _LOG_SLACK for t in explained):
            continue
        found = UnloggedChange(s.time, b, a)
    return found


class _SlidingWindows:
    """The medians of VALUES[lo:i] and VALUES[i:hi] for bounds that only move forward.

    Each window is kept sorted as its bounds move, instead of sorting both again for every
    reading: a day of 1-minute readings with a few hours' window was a million values sorted per
    evaluation. The medians are statistics.median's, to the bit (the middle value, or the mean of
    the middle two).
    """

    def __init__(self, values: list[float]) -> None:
        self.values = values
        self.lo = self.i = self.hi = 0
        self.before: list[float] = []  # values[lo:i], sorted
        self.after: list[float] = []  # values[i:hi], sorted

    def medians(self, lo: int, i: int, hi: int) -> tuple[float, float]:
        """(median of VALUES[lo:i], median of VALUES[i:hi]); both windows must be non-empty."""
        values, before, after = self.values, self.before, self.after
        for j in range(self.hi, hi):
            bisect.insort(after, values[j])
        for j in range(self.i, i):
            del after[bisect.bisect_left(after, values[j])]
            bisect.insort(before, values[j])
        for j in range(self.lo, lo):
            del before[bisect.bisect_left(before, values[j])]
        self.lo, self.i, self.hi = lo, i, max(hi, self.hi)
        return _middle(before), _middle(after)


def _middle(ordered: list[float]) -> float:
    n = len(ordered)
    if n % 2 == 1:
        return ordered[n // 2]
    return (ordered[n // 2 - 1] + ordered[n // 2]) / 2


def conductivity_reasons(
    series: Sequence[Sample],
    note: str,
    maintenance: Sequence[MaintenanceEvent],
    last_change: datetime | None,
    at: datetime,
    profile: Profile,
) -> list[Reason]:
    """`conductivity_rise` since the post-change baseline and `unlogged_change` for a step down."""
    reasons: list[Reason] = []
    step = find_unlogged_change(series, maintenance, last_change, profile)
    if step is not None:
        reasons.append(
            Reason(
                "unlogged_change",
                f"Conductivity fell {step.drop_percent:.0f} % ({num(step.before)} → "
                f"{num(step.after)} µS/cm) around {when(step.time)} with no water change logged: "
                f"if you changed water then, log it so the forecast starts from it.",
            )
        )
    if last_change is None:
        return reasons
    start, end = last_change + _MIXING, last_change + _MIXING + _BASELINE_SPAN
    base = [s.value for s in series if start <= s.time <= end]
    recent = [s.value for s in series[-3:] if s.time > at - timedelta(hours=24)]
    if not base or not recent:
        return reasons
    baseline, current = statistics.median(base), statistics.median(recent)
    if baseline <= 0:
        return reasons
    rise = (current / baseline - 1.0) * 100.0
    limit = profile.conductivity_rise_percent
    if rise >= limit / 2:
        severity: Severity = "soon" if rise >= limit else "info"
        # Judgement: dilute the rise away as if tap water read zero; real tap water carries some
        # salts, so this errs small, as a first change should.
        fraction = 1.0 - baseline / current
        reasons.append(
            Reason(
                "conductivity_rise",
                f"Conductivity ({note}) is up {rise:.0f} % since the water change on "
                f"{on_date(local_date(last_change))} ({num(baseline)} → {num(current)} µS/cm; "
                f"a change is due at {limit:.0f} %).",
                severity,
                change_fraction=fraction,
            )
        )
    return reasons


def _nearest(samples: Sequence[Sample], times: list[datetime], at: datetime) -> float | None:
    # Bisect instead of chemistry.nearest_sample: a month of 5-minute readings pairs in O(n log n).
    i = bisect.bisect_left(times, at)
    best = None
    for j in (i - 1, i):
        if 0 <= j < len(samples):
            gap = abs(samples[j].time - at)
            if gap <= _TEMPERATURE_PAIRING and (best is None or gap < best[0]):
                best = (gap, samples[j].value)
    return best[1] if best else None
