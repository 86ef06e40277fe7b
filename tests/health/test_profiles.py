"""Tank profiles, per-tank overrides and the dashboard's status and band helpers."""

from __future__ import annotations

import pytest

from health import (
    DEFAULT_PROFILE,
    OVERRIDABLE,
    PROFILES,
    get_profile,
    limits,
    parameter_status,
    safe_band,
)


def test_builtin_profiles_carry_the_domain_limits() -> None:
    """turtle-fish (the default) caps nitrate at 40 mg/L, tropical-community at 50; both aim 25."""
    assert DEFAULT_PROFILE == "turtle-fish"
    turtle, tropical = PROFILES["turtle-fish"], PROFILES["tropical-community"]
    assert (turtle.nitrate_target, turtle.nitrate_limit) == (25.0, 40.0)
    assert (tropical.nitrate_target, tropical.nitrate_limit) == (25.0, 50.0)
    assert turtle.max_change_interval_days == 60.0
    assert (turtle.free_ammonia_watch, turtle.free_ammonia_limit, turtle.nitrite_limit) == (
        0.02,
        0.05,
        0.5,
    )
    assert (turtle.ph_floor, turtle.kh_floor) == (5.5, 2.2)
    assert turtle.tap_nitrate == 0.0


def test_overrides_replace_named_limits() -> None:
    """Flat override keys change just those limits and leave the built-in profile alone."""
    p = get_profile("turtle-fish", {"nitrate_limit": 30, "temperature_max": 26.5, "tap_nitrate": 5})
    assert (p.nitrate_limit, p.temperature_max, p.tap_nitrate) == (30.0, 26.5, 5.0)
    assert PROFILES["turtle-fish"].nitrate_limit == 40.0


def test_unknown_override_names_the_key_and_the_valid_ones() -> None:
    """A misspelt key is an error that says which key and lists the valid ones."""
    with pytest.raises(ValueError, match="'nitrate_limt'") as info:
        get_profile("turtle-fish", {"nitrate_limt": 30})
    assert "nitrate_limit" in str(info.value) and "temperature_max" in str(info.value)


def test_unknown_profile_lists_the_builtins() -> None:
    """An unknown profile name is an error listing the profiles there are."""
    with pytest.raises(ValueError, match="tropical-community"):
        get_profile("reef")


@pytest.mark.parametrize(
    "overrides",
    [
        {"nitrate_target": 45},  # above the 40 limit
        {"min_change_percent": 60},  # above the 50 maximum
        {"temperature_min": 30},  # above temperature_max
        {"horizon_days": 0},
        {"nitrate_limit": float("nan")},
        {"nitrate_limit": True},
    ],
)
def test_inconsistent_overrides_are_rejected(overrides: dict[str, float]) -> None:
    """Overrides that make the profile contradict itself raise ValueError naming the field."""
    with pytest.raises(ValueError, match=next(iter(overrides))):
        get_profile("turtle-fish", overrides)


def test_every_numeric_field_is_overridable() -> None:
    """OVERRIDABLE lists the numeric fields and not the name or description."""
    assert "nitrate_limit" in OVERRIDABLE and "name" not in OVERRIDABLE
    assert "description" not in OVERRIDABLE


@pytest.mark.parametrize(
    ("parameter", "value", "status"),
    [
        ("nitrate", 20.0, "ok"),
        ("nitrate", 30.0, "watch"),
        ("nitrate", 40.0, "watch"),
        ("nitrate", 41.0, "act"),
        ("ph", 7.2, "ok"),
        ("ph", 6.0, "watch"),
        ("ph", 5.0, "act"),
        ("kh", 3.0, "watch"),
        ("kh", 2.0, "act"),
        ("temperature", 25.0, "ok"),
        ("temperature", 26.5, "watch"),
        ("temperature", 28.0, "act"),
        ("temperature", 15.0, "act"),
        ("ammonia", 0.0, "ok"),
        ("ammonia", 0.25, "watch"),
        ("free_ammonia", 0.03, "watch"),
        ("free_ammonia", 0.06, "act"),
        ("nitrite", 0.25, "watch"),
        ("nitrite", 1.0, "act"),
        ("oxygen", 4.0, "watch"),
        ("oxygen", 1.0, "act"),
        ("orp", 0.0, "watch"),
        ("orp", -80.0, "act"),
        ("flow", 0.0, "ok"),
    ],
)
def test_parameter_status(parameter: str, value: float, status: str) -> None:
    """Readings classify as ok, watch or act against the turtle-fish profile."""
    assert parameter_status(PROFILES["turtle-fish"], parameter, value) == status


def test_parameter_status_rejects_unknown_parameters() -> None:
    """A parameter name the app does not know is an error, not a silent "ok"."""
    with pytest.raises(ValueError, match="nitrate"):
        parameter_status(PROFILES["turtle-fish"], "nitrat", 10.0)


def test_safe_band() -> None:
    """The ok band shades charts: nitrate up to 25, temperature 24-26, flow has none."""
    p = PROFILES["turtle-fish"]
    assert safe_band(p, "nitrate") == (None, 25.0)
    assert safe_band(p, "temperature") == (24.0, 26.0)
    assert safe_band(p, "ph") == (6.5, 9.0)
    assert safe_band(p, "flow") is None
    lim = limits(p, "temperature")
    assert lim is not None and (lim.act_low, lim.act_high) == (16.0, 27.0)
