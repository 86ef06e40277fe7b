"""The unlogged-change check's sliding medians are statistics.median's, to the bit."""

from __future__ import annotations

import statistics

from hypothesis import given
from hypothesis import strategies as st

from health.conductivity import _SlidingWindows

# Readings as probes report them: repeats, a few decimals, now and then a step down.
VALUES = st.lists(
    st.floats(min_value=0.0, max_value=2000.0, allow_nan=False).map(lambda v: round(v, 1)),
    min_size=5,
    max_size=120,
)


@given(VALUES, st.data())
def test_sliding_medians_match_sorting_windows(values: list[float], data: st.DataObject) -> None:
    """For bounds that only move forward, both windows' medians equal statistics.median."""
    windows = _SlidingWindows(values)
    lo = hi = 0
    for i in range(len(values)):
        lo = min(i, max(lo, i - data.draw(st.integers(0, 20))))
        hi = max(hi, min(len(values), i + data.draw(st.integers(0, 20))))
        if i - lo < 1 or hi - i < 1 or data.draw(st.booleans()):
            continue  # the check skips readings too (within `resume`, or too few around)
        assert windows.medians(lo, i, hi) == (
            statistics.median(values[lo:i]),
            statistics.median(values[i:hi]),
        )
