"""A nitrate forecast dates a change no further ahead than its results can tell.

Seen on a fresh demo: four results rising 0.14 mg/L a day gave "due between today and 14 Jul
2028, most likely 19 Apr 2027" for a tank changed every month or two (DOMAIN). A line is trusted
as far ahead as the span it was fitted over, and the routine interval always holds that far.
T0 is 2026-11-01 09:00 UTC and the change is on day 0, so the reference tank's routine (60 days)
falls on 31 Dec and the tropical profile's (14 days) on 15 Nov.
"""

from __future__ import annotations

from datetime import date, timedelta

from health import advise
from health.summary import headline
from health.verdict import Verdict
from tests.health.builders import change, day, history, manual

HOUR = timedelta(hours=1)


def _forecast(v: Verdict) -> str:
    """The nitrate forecast's message."""
    return next(r.message for r in v.reasons if r.code == "nitrate_forecast")


def test_a_crossing_beyond_what_the_results_tell_gives_the_routine_date() -> None:
    """15, 15, 20, 20 mg/L weekly: a 21-day fit cannot date a crossing around 31 Jan 2027.

    Before: due 31 Jan 2027, in a window from 17 Dec to 18 Mar 2027. After: the line is trusted
    to day 23 + 21 = day 44, so the routine's 31 Dec (day 0 + 60) decides; the message names the
    far crossing, says why it is not used and asks for weekly tests.
    """
    nitrate = manual([(2, 15), (9, 15), (16, 20), (23, 20)])
    v = advise(history({"nitrate": nitrate}, [change(0)]), day(23) + HOUR)
    assert v.status == "ok"
    assert v.due == date(2026, 12, 31)
    assert (v.due_earliest, v.due_latest) == (v.due, v.due)  # one day, not a window
    message = _forecast(v)
    assert "reaches the 40 mg/L limit around 31 Jan 2027" in message
    assert "further ahead than 4 results over 21 days can tell" in message
    assert "Change by 31 Dec and keep testing weekly" in message
    assert "next change due 31 Dec" in headline(v)


def test_results_over_two_months_still_date_a_change_past_the_routine() -> None:
    """Weekly results rising 0.3 mg/L a day for 56 days reach day 114: recent tests decide.

    The crossing (9 Feb 2027, day 100) is past the routine's 31 Dec, but 9 results over 56 days
    vouch for it, as issue 10 wants: the forecast stands with its window.
    """
    nitrate = manual([(d, 10 + 0.3 * d) for d in range(2, 59, 7)])
    v = advise(history({"nitrate": nitrate}, [change(0)]), day(58) + HOUR)
    assert v.due == date(2027, 2, 9)
    assert (v.due_earliest, v.due_latest) == (date(2027, 1, 23), date(2027, 2, 23))
    assert "further ahead" not in _forecast(v)


def test_a_window_is_cut_where_the_results_stop_telling() -> None:
    """Tropical, 5, 5, 20 mg/L in three days: likely 13 Nov, the window cut at 15 Nov.

    The cone's slow edge reaches past 19 Nov; the line is trusted to the routine's 15 Nov (day
    0 + 14; the results' own reach, day 7, is sooner), so the window reads "between today and
    15 Nov, most likely 13 Nov".
    """
    nitrate = manual([(1, 5), (3, 5), (4, 20)])
    v = advise(
        history({"nitrate": nitrate}, [change(0)], profile="tropical-community"), day(4) + HOUR
    )
    assert v.due == date(2026, 11, 13)
    assert (v.due_earliest, v.due_latest) == (date(2026, 11, 5), date(2026, 11, 15))
    assert "between today and 15 Nov, most likely 13 Nov" in _forecast(v)
