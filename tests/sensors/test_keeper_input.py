"""The keeper-input door: typed results, typed times and maintenance amounts, each rule once."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from sensors.errors import AquariumError, KeeperInputError
from sensors.keeper_input import (
    FUTURE_SKEW,
    FUTURE_TIME,
    TANK_VOLUME_L,
    check_maintenance,
    check_time,
    from_local,
    parse_result,
    parse_test_arguments,
    parse_when,
)

NOW = datetime(2026, 11, 24, 18, 0, tzinfo=UTC)


def test_a_time_just_past_the_skew_is_refused_and_one_inside_is_kept() -> None:
    """Up to FUTURE_SKEW ahead is clock difference; a second more is the future, refused."""
    inside = NOW + FUTURE_SKEW
    assert check_time(inside, now=NOW) is inside  # returned as given, never moved
    with pytest.raises(KeeperInputError, match=FUTURE_TIME):
        check_time(inside + timedelta(seconds=1), now=NOW)


def test_a_year_typo_and_a_time_before_the_set_up_are_refused() -> None:
    """'0026' for '2026' and a result before the tank existed are typos, said with the fix."""
    with pytest.raises(KeeperInputError, match="check the year"):
        check_time(datetime(26, 11, 24, tzinfo=UTC), now=NOW)
    with pytest.raises(KeeperInputError, match="before the tank was set up"):
        check_time(NOW - timedelta(days=30), now=NOW, set_up=date(2026, 11, 1))
    assert check_time(NOW - timedelta(days=3), now=NOW, set_up=date(2026, 11, 1))


def test_a_time_without_a_zone_is_the_keepers_local_time() -> None:
    """'18:30' in a UTC+2 zone is 16:30 UTC; a Z or an offset is taken as written."""
    plus_two = timezone(timedelta(hours=2))
    assert parse_when("2026-11-24 18:30", zone=plus_two) == datetime(
        2026, 11, 24, 16, 30, tzinfo=UTC
    )
    assert parse_when("2026-11-24T18:30Z", zone=plus_two) == datetime(
        2026, 11, 24, 18, 30, tzinfo=UTC
    )
    assert parse_when("2026-11-24T18:30-05:00") == datetime(2026, 11, 24, 23, 30, tzinfo=UTC)
    assert from_local(datetime(2026, 1, 1, 12), plus_two).hour == 10


def test_a_bad_time_names_the_option_and_the_format() -> None:
    """Text that is not ISO 8601 says which option and shows examples."""
    with pytest.raises(KeeperInputError, match="--since 'yesterday' is not a date"):
        parse_when("yesterday", option="--since")


def test_results_are_canonical_and_keep_what_was_typed() -> None:
    """nitrate as NO3-N is stored as NO3 with the typed number and unit kept."""
    result = parse_result("nitrate", "5 NO3-N")
    assert result.value == pytest.approx(22.14, abs=0.01)
    assert (result.entered_value, result.entered_unit) == (5.0, "NO3-N")


@pytest.mark.parametrize(
    ("arguments", "needle"),
    [
        ([], "at least one result"),
        (["nitrate"], "is not PARAM=VALUE"),
        (["nitrate=20", "NO3=4"], "given twice"),
        (["salinity=35"], "unknown parameter"),
        (["ph=15"], "ph=15: pH 15 is outside the possible"),
        (["ec=1,250"], "ambiguous"),
        (["kh=4 furlongs"], "kh=4 furlongs"),
    ],
)
def test_each_bad_argument_is_one_keeper_error(arguments: list[str], needle: str) -> None:
    """Every refusal is a KeeperInputError (an AquariumError) naming the argument's problem."""
    with pytest.raises(KeeperInputError) as caught:
        parse_test_arguments(arguments)
    assert isinstance(caught.value, AquariumError)
    assert needle in str(caught.value) and "\n" not in str(caught.value)


def test_maintenance_amounts_are_checked_and_completed_from_the_volume() -> None:
    """Litres become a percent of the volume; both, neither or too much are refused."""
    assert check_maintenance("water-change", None, 24.0, 96.0, "t") == (25.0, 24.0)
    for percent, litres, needle in ((10, 5, "not both"), (None, None, "needs its size")):
        with pytest.raises(KeeperInputError, match=needle):
            check_maintenance("water-change", percent, litres, 96.0, "t")
    with pytest.raises(KeeperInputError, match="more than the tank's 96 L"):
        check_maintenance("water-change", None, 200.0, 96.0, "t")
    with pytest.raises(KeeperInputError, match="unknown kind"):
        check_maintenance("repaint", None, None, 96.0, "t")


def test_a_decimal_comma_is_read_as_a_point_and_an_ambiguous_one_refused() -> None:
    """'7,4' is pH 7.4 and '0,25 mg/L' is 0.25; '1,250' could be 1.25 or 1250, so it is refused."""
    assert parse_result("ph", "7,4").value == 7.4
    assert parse_result("ammonia", "0,25 mg/L").value == 0.25
    assert parse_test_arguments(["no3=12,5"])[0].value == 12.5
    with pytest.raises(KeeperInputError, match=r"ambiguous: write 1\.250 .* or 1250"):
        parse_result("conductivity", "1,250")
    with pytest.raises(AquariumError, match="decimal comma"):
        parse_result("ph", "7,4,1")  # not one number: refused, with the sensors' wording


@pytest.mark.parametrize(
    ("typed", "why"),
    [("2026-10-25 02:30", "happens twice"), ("2026-03-29 02:30", "does not exist")],
)
def test_a_local_time_the_clock_change_skips_or_repeats_is_refused_not_guessed(
    typed: str, why: str
) -> None:
    """A zoneless time in the hour daylight saving skips or repeats names no single instant."""
    with pytest.raises(KeeperInputError, match=f"{why}.*UTC offset"):
        parse_when(typed, zone=ZoneInfo("Europe/Berlin"))
    assert parse_when("2026-10-25 02:30+01:00") == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)


@pytest.mark.parametrize("litres", [float("nan"), float("inf"), 1e308, TANK_VOLUME_L[1] + 1])
def test_litres_no_tank_holds_are_refused_even_without_a_volume(litres: float) -> None:
    """NaN, infinity or more water than the largest tank is a typo, volume known or not."""
    with pytest.raises(KeeperInputError, match="--litres"):
        check_maintenance("water-change", None, litres, None, "t")
