"""Issue 10's cases, continued: a plan rather than a date, and one verdict everywhere.

Each docstring gives the verdict before issue 10 and the one an experienced keeper gives, worked
by hand. The reference tank holds 96 L; T0 is 2026-11-01 09:00 UTC, "day n" is T0 + n days.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from health import Sample, advise
from tests.health.builders import T0, change, day, history, manual, reason, sensor

HOUR = timedelta(hours=1)
TEN_MIN = timedelta(minutes=10)


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
