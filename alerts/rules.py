"""Alert rules: small callables, settings in ``__init__``, a pure ``__call__`` per tank.

Each rule reads one tank at one moment (its history, the advisor's verdict and its profile) and
returns a Condition: a number or a yes/no for health.rules.step, and a sentence for the keeper.
``None`` means "no data": the rule's state stays as it is (health.rules.step), so a sensor outage
neither raises nor clears an alert; the sensor_fault rule reports the outage itself.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from typing import Literal, Protocol

from health.levels import current_reading
from health.profiles import Profile, limits
from health.rules import RuleSpec
from health.sensor_health import SensorIssue, sensor_issues, trusted, untrusted_parameters
from health.summary import headline
from health.types import PARAMETER_UNITS, Sample, TankHistory, label
from health.verdict import Verdict
from health.wording import cap, num, when

__all__ = [
    "AdvisorStatus",
    "Condition",
    "Context",
    "LevelRule",
    "ReasonRule",
    "Rule",
    "SensorFault",
    "default_rules",
]

# Judgement: an unacknowledged urgent alert is worth a reminder about twice in a waking day.
REPEAT_URGENT = timedelta(hours=6)
# Judgement: a resolve band of a tenth of the limit, where no sensor accuracy gives a better one.
HYSTERESIS_FRACTION = 0.10
# DOMAIN "Sensors": DS18B20 +-0.5 degC; analog pH probes +-0.1 pH. Within that a value hovering at
# the limit is noise, so the alert resolves only once the reading is clear of it.
TEMPERATURE_HYSTERESIS = 0.5
PH_HYSTERESIS = 0.1
# Judgement: a sensor-driven level must hold this long before it fires, to ride out a water
# change or an open lid; DOMAIN "Temperature" allows 2 degC a day, so 15 min costs nothing.
SENSOR_LEVEL_HOLD = timedelta(minutes=15)
# DOMAIN "Sensors": Tasmota's default TelePeriod is 300 s; a node that drops off Wi-Fi and is back
# within one period (a router restart) is not worth a message, nor is one good reading.
SENSOR_FAULT_HOLD = timedelta(minutes=5)
SENSOR_FAULT_KINDS = frozenset({"stale", "offline", "flatline"})

Side = Literal["high", "low"]


@dataclass(frozen=True, slots=True)
class Condition:
    """A rule's reading of one tank: the value health.rules.step judges, and why."""

    value: float | bool | None
    message: str = ""


@dataclass(frozen=True)
class Context:
    """What the rules read about one tank at one moment; derived views are computed once."""

    history: TankHistory
    verdict: Verdict
    profile: Profile
    at: datetime

    @cached_property
    def issues(self) -> list[SensorIssue]:
        """Sensor problems at ``at`` (health.sensor_health)."""
        return sensor_issues(self.history, self.at)

    @cached_property
    def untrusted(self) -> dict[str, str]:
        """Parameters whose sensor must not drive an alert, as health.advisor treats them."""
        return untrusted_parameters(self.issues)

    @cached_property
    def last_change(self) -> datetime | None:
        """The last logged water change at or before ``at``."""
        log = self.history.maintenance
        changes = [m.time for m in log if m.kind == "water-change" and m.time <= self.at]
        return changes[-1] if changes else None

    def current(self, parameter: str, after_change: bool) -> Sample | None:
        """The present trusted value (a sensor's median of its last readings, or a test result)."""
        samples = trusted(parameter, self.history.series(parameter), self.untrusted)
        since = self.last_change if after_change else None
        max_age = timedelta(days=self.profile.reading_max_age_days)
        return current_reading(samples, self.at, since, max_age)


class Rule(Protocol):
    """An alert rule: a stable name, its spec for a profile, and its reading of a tank."""

    name: str

    def spec(self, profile: Profile) -> RuleSpec | None:
        """How to judge and pace this rule for PROFILE; None when the profile has no limit."""
        ...

    def __call__(self, ctx: Context) -> Condition:
        """The condition for one tank at one moment."""
        ...


class LevelRule:
    """A parameter past the profile's "act" limit (health.profiles.limits, parameter_status)."""

    def __init__(
        self,
        parameter: str,
        side: Side,
        *,
        name: str | None = None,
        hysteresis: float | None = None,
        hold: timedelta = timedelta(0),
        repeat: timedelta | None = REPEAT_URGENT,
        after_change: bool = False,
    ) -> None:
        self.parameter = parameter
        self.side = side
        self.name = name or f"{parameter}_{side}"
        self.hysteresis = hysteresis
        self.hold = hold
        self.repeat = repeat
        # Readings from before the last water change no longer describe the water (as the
        # advisor's nitrite, pH and KH checks read them); temperature and oxygen do not reset.
        self.after_change = after_change

    def limit(self, profile: Profile) -> float | None:
        lim = limits(profile, self.parameter)
        if lim is None:
            return None
        return lim.act_high if self.side == "high" else lim.act_low

    def spec(self, profile: Profile) -> RuleSpec | None:
        limit = self.limit(profile)
        if limit is None:
            return None
        band = self.hysteresis
        if band is None:
            band = abs(limit) * HYSTERESIS_FRACTION
        direction: Literal["above", "below"] = "above" if self.side == "high" else "below"
        return RuleSpec(self.name, limit, direction, band, self.hold, repeat=self.repeat)

    def __call__(self, ctx: Context) -> Condition:
        limit = self.limit(ctx.profile)
        if limit is None:
            return Condition(None)
        if self.parameter == "free_ammonia":
            value = ctx.verdict.free_ammonia_mg_l  # the advisor paired it with pH and temperature
            if value is None:
                return Condition(None)
            what, unit, source = "free ammonia", "mg/L NH3", "from the latest ammonia test"
        else:
            sample = ctx.current(self.parameter, self.after_change)
            if sample is None:
                return Condition(None)
            value = sample.value
            what, unit = label(self.parameter), PARAMETER_UNITS.get(self.parameter, "")
            kind = "test kit" if sample.source == "manual" else "sensor"
            source = f"{kind}, {when(sample.time)}"
        over = value > limit if self.side == "high" else value < limit
        relation = ("above" if self.side == "high" else "below") if over else "within"
        return Condition(
            value,
            f"{cap(what)} is {num(value)} {unit} ({source}), {relation} the "
            f"{num(limit)} {unit} {'limit' if self.side == 'high' else 'floor'}.",
        )


class AdvisorStatus:
    """The water-change advisor says STATUS (health.advisor)."""

    def __init__(
        self,
        name: str,
        status: str,
        *,
        defer_to: Collection[str] = (),
        hold: timedelta = timedelta(0),
        repeat: timedelta | None = None,
    ) -> None:
        self.name = name
        self.status = status
        # While the verdict is one of these, a more urgent rule speaks: this rule keeps its state
        # (None), so "soon" neither resolves nor re-fires when the verdict escalates to "now".
        self.defer_to = frozenset(defer_to)
        self.hold = hold
        self.repeat = repeat

    def spec(self, profile: Profile) -> RuleSpec:
        return RuleSpec(self.name, hold=self.hold, repeat=self.repeat)

    def __call__(self, ctx: Context) -> Condition:
        v = ctx.verdict
        if v.status in self.defer_to:
            return Condition(None)
        if v.status != self.status:
            return Condition(False, _CLEAR[v.status])
        # The banner's and the command line's headline, word for word (issue 10).
        why = [r.message for r in v.reasons if r.severity == v.status]
        return Condition(True, " ".join([headline(v), *why]))


# What a resolved advisor alert says, by the verdict that resolved it.
_CLEAR = {
    "ok": "The advisor says the water is fine: no water change needed yet.",
    "soon": "No longer urgent: the advisor now says a water change is due soon.",
    "now": "The advisor now says a water change is needed now.",
}


class ReasonRule:
    """The advisor gives a reason CODE at one of SEVERITIES (e.g. flow_drop: the bed clogs)."""

    def __init__(
        self,
        code: str,
        *,
        name: str | None = None,
        severities: Collection[str] = ("soon", "now"),
        clear: str = "",
        hold: timedelta = timedelta(0),
        repeat: timedelta | None = None,
    ) -> None:
        self.code = code
        self.name = name or code
        self.severities = frozenset(severities)
        self.clear = clear or f"The advisor no longer reports {code}."
        self.hold = hold
        self.repeat = repeat

    def spec(self, profile: Profile) -> RuleSpec:
        return RuleSpec(self.name, hold=self.hold, repeat=self.repeat)

    def __call__(self, ctx: Context) -> Condition:
        found = [
            r.message
            for r in ctx.verdict.reasons
            if r.code == self.code and r.severity in self.severities
        ]
        return Condition(True, " ".join(found)) if found else Condition(False, self.clear)


class SensorFault:
    """A sensor that went quiet, reports itself offline or flat-lined (health.sensor_health)."""

    def __init__(
        self,
        *,
        name: str = "sensor_fault",
        kinds: Collection[str] = SENSOR_FAULT_KINDS,
        hold: timedelta = SENSOR_FAULT_HOLD,
        resolve_hold: timedelta = SENSOR_FAULT_HOLD,
        repeat: timedelta | None = None,
    ) -> None:
        self.name = name
        self.kinds = frozenset(kinds)
        self.hold = hold
        self.resolve_hold = resolve_hold
        self.repeat = repeat

    def spec(self, profile: Profile) -> RuleSpec:
        return RuleSpec(
            self.name, hold=self.hold, resolve_hold=self.resolve_hold, repeat=self.repeat
        )

    def __call__(self, ctx: Context) -> Condition:
        found = [i.message for i in ctx.issues if i.kind in self.kinds]
        if not found:
            return Condition(False, "Every sensor is reporting.")
        return Condition(True, " ".join(found))


def default_rules() -> list[Rule]:
    """The rules the daemon runs: the advisor's verdict, the act limits, sensors and flow."""
    return [
        AdvisorStatus("water_change_now", "now", repeat=REPEAT_URGENT),
        AdvisorStatus("water_change_soon", "soon", defer_to=("now",)),
        LevelRule("free_ammonia", "high"),
        LevelRule("nitrite", "high", after_change=True),
        LevelRule("nitrate", "high", after_change=True),
        LevelRule("ph", "low", hysteresis=PH_HYSTERESIS, hold=SENSOR_LEVEL_HOLD, after_change=True),
        LevelRule("kh", "low", after_change=True),
        LevelRule("temperature", "high", hysteresis=TEMPERATURE_HYSTERESIS, hold=SENSOR_LEVEL_HOLD),
        LevelRule("temperature", "low", hysteresis=TEMPERATURE_HYSTERESIS, hold=SENSOR_LEVEL_HOLD),
        LevelRule("oxygen", "low", hold=SENSOR_LEVEL_HOLD),
        LevelRule("orp", "low", hold=SENSOR_LEVEL_HOLD),
        ReasonRule("flow_drop", clear="Flow through the bed is back near its baseline."),
        SensorFault(),
    ]
