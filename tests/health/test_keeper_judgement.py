"""Issue 10's cases: the advisor judges kit results as an experienced keeper would.

Each docstring gives the verdict before issue 10 and the one an experienced keeper gives, worked
by hand. The reference tank holds 96 L; T0 is 2026-11-01 09:00 UTC, "day n" is T0 + n days.
"""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from health import MaintenanceEvent, Sample, advise
from tests.health.builders import change, day, history, manual, reason

HOUR = timedelta(hours=1)
TEN_MIN = timedelta(minutes=10)


# 1. Results as what a kit can tell -----------------------------------------------------------


def test_ph_kit_noise_with_kh_flat_is_no_decline() -> None:
    """pH 7.6, 7.4, 7.6, 7.4 every 5 days with KH 6 throughout is one kit step of noise.

    Before: the fitted line falls 0.008 a day = 0.24 a month > 0.2, so `ph_decline`, soon, due
    today. After: the first result (7.6) against the last two (7.6, 7.4) is no fall beyond the
    0.2 step, KH is steady: `ph_noise` (info) saying so, and the verdict stays ok.
    """
    ph = manual([(0, 7.6), (5, 7.4), (10, 7.6), (15, 7.4)])
    kh = manual([(0, 6), (5, 6), (10, 6), (15, 6)])
    v = advise(history({"ph": ph, "kh": kh}, [change(0)]), day(15) + HOUR)
    assert "ph_decline" not in v.codes()
    assert v.status == "ok"
    assert reason(v, "ph_noise") == (
        "pH 7.6 to 7.4: within one kit step (0.2), KH steady at 6 dKH: no action."
    )


def test_ph_half_step_over_two_weeks_is_no_decline() -> None:
    """pH 7.6, 7.6, 7.5 over two weeks: the line says 0.21 a month, the kit says nothing moved.

    Before: slope -0.1/14 days = 0.214 a month > 0.2: `ph_decline`, soon. After: 7.6 to 7.5 is
    half a step, not beyond it: no decline, status ok.
    """
    ph = manual([(0, 7.6), (7, 7.6), (14, 7.5)])
    v = advise(history({"ph": ph}, [change(0)]), day(14) + HOUR)
    assert "ph_decline" not in v.codes() and v.status == "ok"
    assert "within one kit step" in reason(v, "ph_noise")


def test_ph_fall_with_kh_falling_is_an_exhausted_buffer() -> None:
    """pH 7.6, 7.4, 7.2, 7.0 weekly with KH 6, 5, 4, 3: both beyond their steps, so act.

    Before and after: `ph_decline`, soon. After, the message says what was seen: the first
    result 7.6 against the last two (7.2, 7.0) falls 0.4, two steps of 0.2, and KH is low at 3.
    """
    ph = manual([(0, 7.6), (7, 7.4), (14, 7.2), (21, 7.0)])
    kh = manual([(0, 6), (7, 5), (14, 4), (21, 3)])
    v = advise(history({"ph": ph, "kh": kh}, [change(0)]), day(21) + HOUR)
    assert v.status == "soon"
    message = reason(v, "ph_decline")
    assert message.startswith("pH 7.6 to 7 in a month (2 steps of 0.2")
    assert "KH is low at 3 dKH: the bed is using up the buffer" in message


def test_ph_fall_with_kh_steady_is_co2_not_the_buffer() -> None:
    """pH 7.6 to 7.0 in three weeks while KH stays 6: not the buffer (DOMAIN: check KH first).

    Before: `ph_decline`, soon. After: `ph_noise` (info) naming CO2; the verdict stays ok.
    """
    ph = manual([(0, 7.6), (7, 7.4), (14, 7.2), (21, 7.0)])
    kh = manual([(0, 6), (7, 6), (14, 6), (21, 6)])
    v = advise(history({"ph": ph, "kh": kh}, [change(0)]), day(21) + HOUR)
    assert v.status == "ok" and "ph_decline" not in v.codes()
    assert "KH steady at 6 dKH: not an exhausted buffer" in reason(v, "ph_noise")


def test_ph_fall_without_kh_asks_for_kh() -> None:
    """pH 7.6 to 7.0 with no KH test: soon, and the message asks for the KH test that decides."""
    ph = manual([(0, 7.6), (7, 7.4), (14, 7.2), (21, 7.0)])
    v = advise(history({"ph": ph}, [change(0)]), day(21) + HOUR)
    assert v.status == "soon"
    assert "test KH to tell an exhausted buffer" in reason(v, "ph_decline")


# 2. One value per moment ---------------------------------------------------------------------


def retest_history(first: float, second: float) -> list[Sample]:
    """Nitrate 30 on day 3, then two results typed in this order at one moment on day 10."""
    return manual([(3, 30), (10, first), (10, second)])


def test_two_kits_at_one_moment_give_one_verdict_whatever_the_order() -> None:
    """Nitrate 35 and 45 at one moment (a retest with a second kit) are one observation, 40.

    Before: typed 35 then 45 gave NOW, 45 % (the last typed, 45, is over the limit);
    typed 45 then 35 gave SOON, 40 %. After: the mean is 40, not over the 40 limit; the line
    from 30 on day 3 to 40 on day 10 reaches 40 at day 10, so the level now (40.06) is past the
    limit but within the kit's half step: SOON, due today, 40 % (40.06 -> 25 is 37.6 %, rounded
    to 40 %), 38.4 L, either way round. 35 and 45 are one step (10 at 40) apart: no retest.
    """
    at = day(10) + HOUR
    a = advise(history({"nitrate": retest_history(35, 45)}, [change(0)]), at)
    b = advise(history({"nitrate": retest_history(45, 35)}, [change(0)]), at)
    assert a == b
    assert (a.status, a.due, a.change_percent, a.change_litres) == ("soon", at.date(), 40, 38.4)
    assert "kits_disagree" not in a.codes()


def test_two_kits_that_disagree_ask_for_a_retest() -> None:
    """Nitrate 20 and 40 at one moment differ by 20, beyond the 7.5 step at their mean 30: retest.

    Before: nothing said; both went into the fit as if exact ("not rising"). After:
    `kits_disagree` names both results and the mean (30) the advisor uses until the retest.
    """
    v = advise(history({"nitrate": retest_history(20, 40)}, [change(0)]), day(10) + HOUR)
    message = reason(v, "kits_disagree")
    assert "(20 and 40 mg/L NO3)" in message and "kit step (7.5)" in message
    assert "retest" in message and "mean, 30" in message


# 3. Plausibility across time -----------------------------------------------------------------


def zero_after_change() -> list[MaintenanceEvent]:
    """The routine before it, then a 50 % change on day 20."""
    return [change(0), change(20, 50)]


def test_implausible_zero_keeps_the_routine_due_date() -> None:
    """30 the day before a 50 % change leaves about 15; a 0 two days later is a reagent error.

    Before: the line from 15 (the diluted level) to 0 falls, "no change is forecast", and the
    routine interval was dropped because a recent test vouched: no due date at all. After: 0 is
    below the floor 15 by more than the two readings' kit steps (5 at 15, 5 at 0): `nitrate_retest`
    (shake the second bottle) and the routine stands: due 60 days after the change, day 80 =
    2027-01-20.
    """
    nitrate = manual([(10, 20), (19, 30), (22, 0)])
    v = advise(history({"nitrate": nitrate}, zero_after_change()), day(22) + HOUR)
    assert v.status == "ok"
    assert v.due == day(80).date()
    message = reason(v, "nitrate_retest")
    assert "Nitrate read 0 mg/L" in message and "diluted to about 15" in message
    assert "nitrate_forecast" not in v.codes()


def test_a_plausible_low_result_after_a_change_is_kept() -> None:
    """14 after 40 was halved (20 expected) is within the two readings' steps (5 + 5): kept."""
    nitrate = manual([(19, 40), (22, 14)])
    v = advise(history({"nitrate": nitrate}, zero_after_change()), day(22) + HOUR)
    assert "nitrate_retest" not in v.codes()


def test_old_pre_change_test_is_an_estimate_with_a_wider_window() -> None:
    """The only test before a 50 % change on day 30 is 20 days older; one test after it.

    Tests: 20 on day 10, the change on day 30, 25 on day 35; the truth is a steady 1 mg/L a day.
    Before: 20 taken as the level at the change, halved to 10, then 25 five days later is 3 mg/L
    a day: due day 40 (2026-12-11), 10 days early, with no word about the old test.
    After: one rate r through both intervals, 25 = (20 + 20 r) x 0.5 + 5 r, gives r = 1; the level
    at the change is 40, 20 after it, and the limit of 40 comes on day 50 (2026-12-21). The
    message says it is estimating from an old test, and the window is half a step wider:
    5 (half the 10 step at 40) + 5 (half the step at 40, the estimate) = 10 mg/L = 10 days each
    way, between 11 and 31 Dec.
    """
    nitrate = manual([(10, 20), (35, 25)])
    v = advise(history({"nitrate": nitrate}, [change(0), change(30, 50)]), day(35) + HOUR)
    assert v.due == day(50).date()
    assert (v.due_earliest, v.due_latest) == (day(40).date(), day(60).date())
    assert "estimating the level at the change from an old test (20 mg/L, 20 days" in reason(
        v, "nitrate_forecast"
    )


def test_recent_pre_change_test_is_the_level_at_the_change() -> None:
    """A test two days before the change is near enough: diluted, it is the level after it.

    30 on day 28, a 50 % change on day 30 (15 after), 20 on day 35: 1 mg/L a day, due day 55.
    """
    nitrate = manual([(28, 30), (35, 20)])
    v = advise(history({"nitrate": nitrate}, [change(0), change(30, 50)]), day(35) + HOUR)
    assert v.due == day(55).date()
    assert "diluted level just after the change" in reason(v, "nitrate_forecast")


def test_a_test_at_the_moment_of_the_change_counts_as_after_it() -> None:
    """A test logged at the change's exact time is the level after it, not before (no 2nd dilution).

    30 on day 18, a 50 % change on day 20 with 15 logged at the same moment, 20 on day 25.
    Before: the day-20 test counted as before the change, so 15 was halved again to 7.5 and the
    line to 20 rose 2.5 a day: due day 33 (2026-12-04). After: 15 and 20 are both after the
    change, 1 mg/L a day, due day 45 (2026-12-16).
    """
    nitrate = manual([(18, 30), (20, 15), (25, 20)])
    v = advise(history({"nitrate": nitrate}, [change(0), change(20, 50)]), day(25) + HOUR)
    assert v.due == day(45).date()
    assert "nitrate_retest" not in v.codes()


def test_right_after_a_change_the_test_before_it_is_used() -> None:
    """Nitrate 45 four minutes before a 50 % change: about 22.5 after it, and no 'no recent test'.

    Before: "Test nitrate: ... it has none" and "With no recent nitrate test the routine applies".
    After: the no-data note says nitrate is about 22.5 after the change and asks for a test in a
    few days; the routine sentence says there is no test *since the change*.
    """
    nitrate = [Sample(day(20) - timedelta(minutes=4), 45, "manual")]
    v = advise(history({"nitrate": nitrate}, [change(0), change(20, 50)]), day(20) + HOUR)
    notes = " ".join(r.message for r in v.reasons)
    assert "Nitrate is about 22.5 mg/L after the water change" in notes
    assert "no recent nitrate test" not in notes.lower()
    assert v.status == "ok"


# 4. A due window -----------------------------------------------------------------------------


def test_due_window_is_written_in_the_keepers_zone() -> None:
    """12, 19, 26 on days 1, 8, 15 reach 40 on 30 Nov 09:00 UTC, +-5 days (half a 10 step).

    The message says "between 25 Nov and 5 Dec, most likely 30 Nov"; in Auckland (UTC+13)
    30 Nov 09:00 UTC is 30 Nov 22:00, the same day, and the test times read in NZDT.
    """
    nitrate = manual([(1, 12), (8, 19), (15, 26)])
    v = advise(
        history({"nitrate": nitrate}, [change(0)]),
        day(15) + HOUR,
        zone=ZoneInfo("Pacific/Auckland"),
    )
    assert (v.due_earliest, v.due, v.due_latest) == (day(24).date(), day(29).date(), day(34).date())
    assert "between 25 Nov and 5 Dec, most likely 30 Nov" in reason(v, "nitrate_forecast")
    assert v.zone == "Pacific/Auckland"
    assert v.forecast is not None and v.forecast.points[0].time == day(15) + HOUR
