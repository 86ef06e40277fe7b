"""Tank profiles: the limits and habits a verdict is judged against, overridable per tank.

Every default cites DOMAIN.md (../shared/DOMAIN.md, by section) or another source. Numbers marked
"judgement" have no published source: they are the keeper's to change through the tank's
`limits` table in the config, which arrives here as `overrides`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Literal

from health.types import PARAMETER_UNITS
from sensors.errors import ConfigError

__all__ = [
    "DEFAULT_PROFILE",
    "OVERRIDABLE",
    "PROFILES",
    "Limits",
    "ParameterStatus",
    "Profile",
    "get_profile",
    "limits",
    "parameter_status",
    "safe_band",
]

ParameterStatus = Literal["ok", "watch", "act"]


@dataclass(frozen=True)
class Profile:
    """Limits and water-change habits for one kind of tank; units are the canonical ones."""

    name: str
    description: str
    # Nitrate: DOMAIN "Nitrogen cycle and limits": ideally under 25 mg/L; 40 the usual maximum for
    # turtle tanks; 50 the limit for tolerant fish.
    nitrate_target: float
    nitrate_limit: float
    # Temperature band (ok) and the wider band outside which the keeper must act (DOMAIN
    # "Temperature"); set per profile below.
    temperature_min: float
    temperature_max: float
    temperature_act_min: float
    temperature_act_max: float
    # DOMAIN "The reference tank": water changed "a little every month or two" => 60 days.
    max_change_interval_days: float = 60.0
    # Judgement: tap water is assumed nitrate-free until the keeper tests it and sets this.
    tap_nitrate: float = 0.0
    # DOMAIN "Nitrogen cycle": in an established tank any detectable ammonia or nitrite points to a
    # filter problem (aquainfo.org), so "detectable" (above 0) is the watch level.
    ammonia_detect: float = 0.0
    nitrite_detect: float = 0.0
    # DOMAIN "Nitrogen cycle": free NH3 above 0.02 mg/L potentially harmful, above 0.05 harmful
    # (UF IFAS FA-16).
    free_ammonia_watch: float = 0.02
    free_ammonia_limit: float = 0.05
    # DOMAIN "Nitrogen cycle": conservative nitrite alarm at 0.5 mg/L NO2.
    nitrite_limit: float = 0.5
    # DOMAIN "Alkalinity": nitrification inhibited below pH 5.5.
    ph_floor: float = 5.5
    # US EPA "Quality Criteria for Water" 1986 (Gold Book): pH 6.5-9.0 for freshwater life.
    ph_min: float = 6.5
    ph_max: float = 9.0
    # DOMAIN "Alkalinity": a pH fall of more than 0.2 in a month means more changes or buffer.
    ph_decline_month: float = 0.2
    # DOMAIN "Alkalinity": nitrification wants alkalinity above 40 mg/L CaCO3 = 40 / 17.86 = 2.2
    # dKH; below about 4.5 dKH check pH weekly.
    kh_floor: float = 2.2
    kh_min: float = 4.5
    # DOMAIN "Temperature": change slowly, under 2 degC rise and 1 degC fall in 24 h.
    temperature_rise_24h: float = 2.0
    temperature_fall_24h: float = 1.0
    # DOMAIN "Sensors": DO above 5 mg/L good, below 1.5 fish suffer within days.
    oxygen_min: float = 5.0
    oxygen_floor: float = 1.5
    # DOMAIN "Sensors": ORP above +50 mV aerobic, below -50 mV sulphate reduction (H2S).
    orp_min: float = 50.0
    orp_floor: float = -50.0
    # Judgement: a week's notice is enough to plan a change.
    horizon_days: float = 7.0
    # Judgement: under 10 % is hardly worth the bucket; over 50 % at once swings temperature and
    # pH, which DOMAIN "Temperature" asks to change slowly.
    min_change_percent: float = 10.0
    max_change_percent: float = 50.0
    # Judgement: a nitrate result older than two weeks no longer vouches for the tank.
    nitrate_test_max_age_days: float = 14.0
    # DOMAIN "Alkalinity" ("check pH weekly"): other readings older than a week are not current.
    reading_max_age_days: float = 7.0
    # Judgement: pH swings through the day, so free ammonia pairs readings at most 3 h apart.
    pairing_window_h: float = 3.0
    # Judgement: well beyond the YF-S201's +-5 % (DOMAIN "Sensors") before flow counts as falling;
    # half the flow gone means the bed, the whole filter (DOMAIN "reference tank"), is failing.
    flow_drop_percent: float = 20.0
    flow_fail_percent: float = 50.0
    flow_baseline_days: float = 7.0
    # Judgement: conductivity rise since the post-change baseline that warrants a change
    # (DOMAIN "Water changes": conductivity climbs between changes).
    conductivity_rise_percent: float = 25.0
    # Judgement: a step down this large within a few hours is a water change, not drift.
    conductivity_step_percent: float = 10.0
    conductivity_step_hours: float = 3.0
    # DOMAIN "Nitrogen cycle": a new tank cycles in 4-8 weeks => 56 days.
    new_tank_days: float = 56.0
    # The keeper's own kit, when it reads finer or coarser than the catalogue's colour card
    # (DOMAIN "Test kits"); 0 means the catalogue's step.
    ph_kit_step: float = 0.0
    ammonia_kit_step: float = 0.0
    nitrite_kit_step: float = 0.0
    nitrate_kit_step: float = 0.0
    kh_kit_step: float = 0.0
    # Judgement: a test within 3 days of a change still tells the level at the change (issue 10);
    # an older one is only a start for an estimate.
    change_test_max_gap_days: float = 3.0
    # Judgement: successive changes of a multi-change plan a day apart, so each one's temperature
    # and pH swing settles within the 24 h DOMAIN "Temperature" asks for.
    plan_spacing_days: float = 1.0

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name not in ("name", "description") and not math.isfinite(value):
                self._fail(f"{f.name} must be a finite number, got {value!r}")
        self._order("tap_nitrate", "nitrate_target", strict=True)
        self._order("nitrate_target", "nitrate_limit", strict=True)
        self._order("free_ammonia_watch", "free_ammonia_limit")
        self._order("nitrite_detect", "nitrite_limit", strict=True)
        self._order("ph_floor", "ph_min")
        self._order("ph_min", "ph_max", strict=True)
        self._order("kh_floor", "kh_min")
        self._order("temperature_act_min", "temperature_min")
        self._order("temperature_min", "temperature_max", strict=True)
        self._order("temperature_max", "temperature_act_max")
        self._order("oxygen_floor", "oxygen_min")
        self._order("orp_floor", "orp_min")
        self._order("min_change_percent", "max_change_percent")
        self._order("flow_drop_percent", "flow_fail_percent")
        for name in (
            "tap_nitrate",
            "ammonia_detect",
            "nitrite_detect",
            "free_ammonia_watch",
            *_KIT_STEPS,
        ):
            if getattr(self, name) < 0:
                self._fail(f"{name} cannot be negative, got {getattr(self, name)}")
        for name in _POSITIVE:
            if not getattr(self, name) > 0:
                self._fail(f"{name} must be positive, got {getattr(self, name)}")
        for name in _PERCENT:
            if not 0 < getattr(self, name) <= 100:
                self._fail(f"{name} must be a percentage in (0, 100], got {getattr(self, name)}")

    def _order(self, low: str, high: str, strict: bool = False) -> None:
        a, b = getattr(self, low), getattr(self, high)
        if a > b or (strict and a == b):
            relation = "below" if strict else "at most"
            self._fail(f"{low} ({a:g}) must be {relation} {high} ({b:g})")

    def _fail(self, problem: str) -> None:
        raise ConfigError(f"profile {self.name!r}: {problem}")


_KIT_STEPS = (
    "ph_kit_step",
    "ammonia_kit_step",
    "nitrite_kit_step",
    "nitrate_kit_step",
    "kh_kit_step",
)
_POSITIVE = (
    "change_test_max_gap_days",
    "plan_spacing_days",
    "horizon_days",
    "max_change_interval_days",
    "nitrate_test_max_age_days",
    "reading_max_age_days",
    "pairing_window_h",
    "flow_baseline_days",
    "conductivity_step_hours",
    "new_tank_days",
    "temperature_rise_24h",
    "temperature_fall_24h",
    "ph_decline_month",
)
_PERCENT = (
    "min_change_percent",
    "max_change_percent",
    "flow_drop_percent",
    "flow_fail_percent",
    "conductivity_rise_percent",
    "conductivity_step_percent",
)

# Every numeric field can be overridden by its flat name, e.g. {"nitrate_limit": 30}.
OVERRIDABLE: tuple[str, ...] = tuple(
    f.name for f in fields(Profile) if f.name not in ("name", "description")
)

DEFAULT_PROFILE = "turtle-fish"

PROFILES: dict[str, Profile] = {
    "turtle-fish": Profile(
        name="turtle-fish",
        description="Turtles and fish together, freshwater (the reference tank).",
        nitrate_target=25.0,  # DOMAIN "Nitrogen cycle": ideally under 25 mg/L
        nitrate_limit=40.0,  # DOMAIN "Nitrogen cycle": 40 mg/L the usual maximum for turtle tanks
        # DOMAIN "Temperature": Reeve's turtle 24-27 degC, paradise fish 16-26 degC. The ok band is
        # where both ranges overlap; the act band is where either range still holds.
        temperature_min=24.0,
        temperature_max=26.0,
        temperature_act_min=16.0,
        temperature_act_max=27.0,
        max_change_interval_days=60.0,  # DOMAIN "reference tank": "every month or two"
    ),
    "tropical-community": Profile(
        name="tropical-community",
        description="Tropical community fish, freshwater.",
        nitrate_target=25.0,  # DOMAIN "Nitrogen cycle": ideally under 25 mg/L
        nitrate_limit=50.0,  # DOMAIN "Nitrogen cycle": 50 mg/L the limit for tolerant fish
        # Judgement: the common tropical range, with a 4 degC act margin below and 3 above.
        temperature_min=24.0,
        temperature_max=27.0,
        temperature_act_min=20.0,
        temperature_act_max=30.0,
        # Judgement: community tanks are lighter stocked but usually changed every week or two.
        max_change_interval_days=14.0,
    ),
}


def get_profile(name: str, overrides: Mapping[str, float] | None = None) -> Profile:
    """The built-in profile ``name`` with per-tank ``overrides`` applied (flat field names)."""
    base = PROFILES.get(name)
    if base is None:
        raise ConfigError(f"unknown profile {name!r}; use one of: {', '.join(PROFILES)}")
    if not overrides:
        return base
    changes: dict[str, float] = {}
    for key, value in overrides.items():
        if key not in OVERRIDABLE:
            valid = ", ".join(OVERRIDABLE)
            raise ConfigError(f"unknown limit {key!r} for profile {name!r}; valid keys: {valid}")
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"limit {key!r} must be a number, got {value!r}")
        changes[key] = float(value)
    return replace(base, **changes)  # type: ignore[arg-type]  # keys checked against OVERRIDABLE above


@dataclass(frozen=True, slots=True)
class Limits:
    """Thresholds for one parameter: outside watch_low..watch_high is "watch", past act is "act"."""

    act_low: float | None = None
    watch_low: float | None = None
    watch_high: float | None = None
    act_high: float | None = None


def limits(profile: Profile, parameter: str) -> Limits | None:
    """The profile's thresholds for ``parameter``; None when it has none (flow, level, gh...)."""
    _check_parameter(parameter)
    p = profile
    table: dict[str, Limits] = {
        "temperature": Limits(
            p.temperature_act_min, p.temperature_min, p.temperature_max, p.temperature_act_max
        ),
        "ph": Limits(p.ph_floor, p.ph_min, p.ph_max, None),
        "kh": Limits(p.kh_floor, p.kh_min, None, None),
        "ammonia": Limits(None, None, p.ammonia_detect, None),
        "free_ammonia": Limits(None, None, p.free_ammonia_watch, p.free_ammonia_limit),
        "nitrite": Limits(None, None, p.nitrite_detect, p.nitrite_limit),
        "nitrate": Limits(None, None, p.nitrate_target, p.nitrate_limit),
        "oxygen": Limits(p.oxygen_floor, p.oxygen_min, None, None),
        "orp": Limits(p.orp_floor, p.orp_min, None, None),
    }
    return table.get(parameter)


def parameter_status(profile: Profile, parameter: str, value: float) -> ParameterStatus:
    """Classify a reading for the dashboard cards: "ok", "watch" or "act"."""
    lim = limits(profile, parameter)
    if lim is None:
        return "ok"
    if (lim.act_low is not None and value < lim.act_low) or (
        lim.act_high is not None and value > lim.act_high
    ):
        return "act"
    if (lim.watch_low is not None and value < lim.watch_low) or (
        lim.watch_high is not None and value > lim.watch_high
    ):
        return "watch"
    return "ok"


def safe_band(profile: Profile, parameter: str) -> tuple[float | None, float | None] | None:
    """The "ok" band (low, high) for shading a chart; an open side is None."""
    lim = limits(profile, parameter)
    return None if lim is None else (lim.watch_low, lim.watch_high)


def _check_parameter(parameter: str) -> None:
    if parameter not in PARAMETER_UNITS and parameter != "free_ammonia":
        known = ", ".join([*PARAMETER_UNITS, "free_ammonia"])
        raise ConfigError(f"unknown parameter {parameter!r}; use one of: {known}")
