"""Issue 10's cases: the advisor judges kit results as an experienced keeper would.

Each docstring gives the verdict before issue 10 and the one an experienced keeper gives, worked
by hand. The reference tank holds 96 L; T0 is 2026-11-01 09:00 UTC, "day n" is T0 + n days.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from health import MaintenanceEvent, Sample, advise
from health.verdict import Verdict
from tests.health.builders import T0, change, day, history, manual, sensor

HOUR = timedelta(hours=1)
TEN_MIN = timedelta(minutes=10)


def reason(v: Verdict, code: str) -> str:
    """The message of the verdict's reason ``code`` (fails when absent)."""
    found = [r.message for r in v.reasons if r.code == code]
    assert found, f"{code} not in {v.codes()}"
    return found[0]


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


# 5. A plan, not only a date ------------------------------------------------------------------


def wobble(t: datetime) -> float:
    """A small real-looking wobble so no series looks flat-lined (a sensor fault)."""
    return 0.05 * math.sin(t.timestamp() / 900.0)


def flow_falling_to(level: float) -> list[Sample]:
    """Flow 6 L/min for nine days, then ``level`` for the last day (a clogging bed)."""
    return sensor(day(0), day(10), TEN_MIN, lambda t: (6.0 if t < day(9) else level) + wobble(t))


def test_flow_emergency_is_sized_by_the_gravel_clean() -> None:
    """Flow down 67 % (6 -> 2 L/min) is NOW; a far nitrate forecast must not size the change.

    Before: 40 %, from the nitrate forecast (limit 40 back to target 25) weeks away. After: 30 %
    (28.8 L), the change a gravel clean siphons out.
    """
    nitrate = manual([(1, 12), (8, 15)])
    v = advise(history({"flow": flow_falling_to(2.0), "nitrate": nitrate}, [change(0)]), day(10))
    assert v.status == "now"
    assert (v.change_percent, v.change_litres) == (30, 28.8)


def test_ammonia_in_an_established_tank_is_sized_by_the_ammonia() -> None:
    """Ammonia 0.5 in a tank set up 110 days ago is soon; the far nitrate forecast does not size it.

    Before: SOON, 40 % (38.4 L), the nitrate forecast's size for a change weeks away. After: SOON,
    30 % (28.8 L), the partial change that dilutes ammonia while the bed's fault is found.
    """
    nitrate = manual([(1, 12), (8, 15)])
    tests = {"ammonia": manual([(9.9, 0.5)]), "nitrate": nitrate}
    h = history(tests, [change(0)], created_at=day(-100))
    v = advise(h, day(10))
    assert (v.status, v.change_percent, v.change_litres) == ("soon", 30, 28.8)


def test_free_ammonia_emergency_plans_three_changes() -> None:
    """Total ammonia 2 at pH 8.0, 25 degC is 0.107 mg/L free NH3: now, and one change is not enough.

    Emerson: pKa = 0.09018 + 2729.92 / 298.15 = 9.246, f = 1 / (1 + 10^1.246) = 0.0537, so
    NH3 = 0.107. Back to the 0.02 watch level needs 1 - 0.02/0.107 = 81 %; at 50 % a change,
    n = ln(0.186) / ln(0.5) = 2.4, so 3 changes a day apart. Before: NOW, 50 %, no plan.
    """
    tests = {
        "ammonia": manual([(9.9, 2.0)]),
        "ph": manual([(9.9, 8.0)]),
        "temperature": manual([(9.9, 25.0)]),
    }
    v = advise(history(tests, [change(0)], created_at=day(-100)), day(10))
    assert (v.status, v.change_percent) == ("now", 50)
    assert v.plan is not None and (v.plan.changes, v.plan.needed_percent) == (3, 82)
    assert "for free ammonia" in reason(v, "change_plan")


def test_conductivity_rise_is_sized() -> None:
    """Conductivity 400 after the change, 520 now (+30 %): soon, 1 - 400/520 = 23 %, so 25 %.

    Before: soon with no size at all. After: 25 % (24 L).
    """
    ec = sensor(day(0), day(10), TEN_MIN, lambda t: (400.0 if t < day(9) else 520.0) + wobble(t))
    temp = sensor(day(0), day(10), TEN_MIN, lambda t: 25.0 + wobble(t) / 10)
    v = advise(history({"conductivity": ec, "temperature": temp}, [change(0)]), day(10))
    assert v.status == "soon" and "conductivity_rise" in v.codes()
    assert (v.change_percent, v.change_litres) == (25, 24.0)


def test_one_capped_change_says_how_many_and_how_far_apart() -> None:
    """Nitrate 70 needs 64 % to reach 25, capped at 50 %: two changes, a day apart.

    n = ln(25/70) / ln(1 - 0.5) = 1.49, so 2 changes (70 -> 35 -> 17.5). Before: NOW, 50 %, and
    nothing about a second change. After: NOW, 50 %, plan 2 x 50 % every 1 day.
    """
    v = advise(history({"nitrate": manual([(3, 50), (9, 70)])}, [change(0)]), day(9) + HOUR)
    assert (v.status, v.change_percent) == ("now", 50)
    assert v.plan is not None and (v.plan.changes, v.plan.percent, v.plan.every_days) == (2, 50, 1)
    assert "make 2 changes of 50 %, a day apart" in reason(v, "change_plan")


def test_neglected_tank_is_now_with_a_plan() -> None:
    """Tests rose 1 mg/L a day after a change on day 0 (15, 25, 35 on days 5, 15, 25); day 90.

    The line is 10 + day, so about 100 on day 90, 60 over the limit, far beyond the kit's half
    step: before, SOON ("test nitrate to confirm"); after, NOW, 50 %, and 100 -> 25 needs 75 %:
    n = ln(0.25) / ln(0.5) = 2 changes of 50 %.
    """
    nitrate = manual([(5, 15), (15, 25), (25, 35)])
    v = advise(history({"nitrate": nitrate}, [change(0)]), day(90))
    assert (v.status, v.change_percent, v.due) == ("now", 50, day(90).date())
    assert v.plan is not None and v.plan.changes == 2


def test_a_routine_that_cannot_keep_up_says_so_with_one_that_does() -> None:
    """5 % every 7 days against 1 mg/L a day (7 a week) settles at 7 / 0.05 = 140 before a change.

    Before: nothing said. After: `routine_short` says it settles near 140, over 40, and gives
    7 / 40 = 17.5 %, so 20 % every 7 days (settles near 35).
    """
    log = [change(d, 5) for d in (0, 7, 14, 21)]
    v = advise(history({"nitrate": manual([(22, 10), (27, 15)])}, log), day(27) + HOUR)
    message = reason(v, "routine_short")
    assert "(5 % every 7 days)" in message and "settles near 140 mg/L" in message
    assert "Change 20 % every 7 days instead (settles near 35 mg/L)" in message


def test_a_routine_that_keeps_up_says_nothing() -> None:
    """30 % every 7 days against 7 a week settles at 23.3: no routine note."""
    log = [change(d, 30) for d in (0, 7, 14, 21)]
    v = advise(history({"nitrate": manual([(22, 10), (27, 15)])}, log), day(27) + HOUR)
    assert "routine_short" not in v.codes()


# 6. One verdict everywhere: the health side --------------------------------------------------


def test_a_tank_added_a_minute_ago_is_not_called_established() -> None:
    """A tank with no set-up date, added a minute ago, with ammonia 0.5: maybe still cycling.

    Before: "Ammonia is 0.5 mg/L ... in an established tank". After: the message says the tank
    has no set-up date and 0 days of history, that a new tank is expected to show ammonia, and how
    to give the set-up date; the verdict is still soon (ammonia is there either way).
    """
    at = day(1)
    h = history({"ammonia": [Sample(at - 2 * HOUR, 0.5, "manual")]})
    h = type(h)(**{**h.__dict__, "added_at": at - timedelta(minutes=1)})
    v = advise(h, at)
    message = reason(v, "biofilter_stall")
    assert "established" not in message
    assert "no set-up date and 0 days of history" in message and "--set-up" in message


def test_an_old_history_without_set_up_date_is_established() -> None:
    """Ten weeks of history and no set-up date: the tank is established, as before."""
    at = day(70)
    ammonia = manual([(0, 0), (69.9, 0.5)])
    v = advise(history({"ammonia": ammonia}), at)
    assert "in an established tank" in reason(v, "biofilter_stall")


def test_verdict_dates_are_the_keepers_calendar_days() -> None:
    """At 23:30 UTC on 20 Nov it is already 21 Nov in Berlin: 'today' is the keeper's day."""
    at = T0.replace(hour=23, minute=30) + timedelta(days=19)
    nitrate = manual([(3, 50), (9, 70)])
    local = advise(history({"nitrate": nitrate}, [change(0)]), at, zone=ZoneInfo("Europe/Berlin"))
    utc = advise(history({"nitrate": nitrate}, [change(0)]), at, zone=UTC)
    assert utc.due is not None and local.due is not None
    assert (local.due - utc.due).days == 1


def test_a_due_window_past_this_year_names_its_year() -> None:
    """A forecast window running into 2028 says '14 Jul 2028', never a bare '14 Jul' that reads as
    this coming summer; dates in today's year stay short ('19 Apr' stays '19 Apr' in 2027)."""
    from datetime import date

    from health.wording import window

    today = date(2026, 11, 30)
    words = window(today, date(2027, 4, 19), date(2028, 7, 14), today)
    assert words == "between today and 14 Jul 2028, most likely 19 Apr 2027"
    assert window(date(2027, 4, 1), date(2027, 4, 19), date(2027, 5, 2), date(2027, 1, 5)) == (
        "between 1 Apr and 2 May, most likely 19 Apr"
    )
