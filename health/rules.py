"""The alert rule state machine: pure transitions that alerts/ persists and delivers.

inactive -> pending (condition true, hold time running) -> firing (notify) -> resolved (notify).
Numeric conditions have hysteresis: a rule fires above its limit and resolves only once the value
falls below limit - hysteresis ("above"; mirrored for "below"), so a value hovering at the limit
does not flap. While firing, a repeat interval re-notifies until the keeper acknowledges.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Literal

from health.types import as_utc

__all__ = [
    "AlertState",
    "RuleSpec",
    "RuleState",
    "Transition",
    "TransitionKind",
    "acknowledge",
    "step",
]


class AlertState(StrEnum):
    """Where a rule is; the values are what alerts/ stores."""

    INACTIVE = "inactive"
    PENDING = "pending"
    FIRING = "firing"
    RESOLVED = "resolved"


TransitionKind = Literal["pending", "cancelled", "fired", "repeat", "resolved", "acknowledged"]


@dataclass(frozen=True, slots=True)
class RuleSpec:
    """How one rule judges its condition and paces its notifications."""

    name: str
    limit: float | None = None  # required for numeric conditions; unused for booleans
    direction: Literal["above", "below"] = "above"
    hysteresis: float = 0.0
    hold: timedelta = timedelta(0)  # the condition must hold this long before firing
    resolve_hold: timedelta = timedelta(0)  # and be clear this long before resolving
    repeat: timedelta | None = None  # re-notify while firing and unacknowledged; None: never

    def __post_init__(self) -> None:
        if self.hysteresis < 0:
            raise ValueError(f"rule {self.name!r}: hysteresis cannot be negative")
        if self.hold < timedelta(0) or self.resolve_hold < timedelta(0):
            raise ValueError(f"rule {self.name!r}: hold times cannot be negative")
        if self.repeat is not None and self.repeat <= timedelta(0):
            raise ValueError(f"rule {self.name!r}: repeat must be positive or None")


@dataclass(frozen=True, slots=True)
class RuleState:
    """A rule's stored state; the default is a rule that has never fired."""

    state: AlertState = AlertState.INACTIVE
    since: datetime | None = None  # when `state` was entered
    last_value: float | bool | None = None
    fired_at: datetime | None = None
    last_notified_at: datetime | None = None
    acknowledged_at: datetime | None = None
    clear_since: datetime | None = None  # firing, but the condition has been clear since then


@dataclass(frozen=True, slots=True)
class Transition:
    """A change worth recording; ``notify`` says whether the keeper should hear of it."""

    rule: str
    kind: TransitionKind
    from_state: AlertState
    to_state: AlertState
    at: datetime
    value: float | bool | None
    notify: bool


def step(
    state: RuleState,
    condition_value: float | bool | None,
    now: datetime,
    rule: RuleSpec,
) -> tuple[RuleState, list[Transition]]:
    """Advance ``state`` by one evaluation at ``now``; returns the new state and its transitions.

    ``None`` (or NaN) means no data: nothing changes, so a sensor outage neither resolves nor
    fires an alert (the sensor_fault reasons report the outage).
    """
    now = as_utc(now, "now")
    if condition_value is None or (
        not isinstance(condition_value, bool) and math.isnan(condition_value)
    ):
        return state, []
    active = _active(state, condition_value, rule)
    current = replace(state, last_value=condition_value)

    def move(
        new: RuleState, kind: TransitionKind, notify: bool
    ) -> tuple[RuleState, list[Transition]]:
        change = Transition(rule.name, kind, state.state, new.state, now, condition_value, notify)
        return new, [change]

    if state.state in (AlertState.INACTIVE, AlertState.RESOLVED):
        if not active:
            return current, []
        if rule.hold <= timedelta(0):
            return move(_fire(current, now), "fired", True)
        return move(replace(current, state=AlertState.PENDING, since=now), "pending", False)

    if state.state is AlertState.PENDING:
        if not active:
            return move(replace(current, state=AlertState.INACTIVE, since=now), "cancelled", False)
        if state.since is None or now - state.since >= rule.hold:
            return move(_fire(current, now), "fired", True)
        return current, []

    # FIRING
    if not active:
        clear_since = state.clear_since or now
        if now - clear_since >= rule.resolve_hold:
            resolved = replace(
                current,
                state=AlertState.RESOLVED,
                since=now,
                acknowledged_at=None,
                clear_since=None,
            )
            return move(resolved, "resolved", True)
        return replace(current, clear_since=clear_since), []
    current = replace(current, clear_since=None)
    repeat_due = (
        rule.repeat is not None
        and state.acknowledged_at is None
        and state.last_notified_at is not None
        and now - state.last_notified_at >= rule.repeat
    )
    if repeat_due:
        return move(replace(current, last_notified_at=now), "repeat", True)
    return current, []


def acknowledge(
    state: RuleState, now: datetime, rule: RuleSpec
) -> tuple[RuleState, list[Transition]]:
    """The keeper has seen a firing alert: stop repeats until it resolves (no-op otherwise)."""
    now = as_utc(now, "now")
    if state.state is not AlertState.FIRING or state.acknowledged_at is not None:
        return state, []
    acked = replace(state, acknowledged_at=now)
    return acked, [
        Transition(
            rule.name, "acknowledged", state.state, state.state, now, state.last_value, False
        )
    ]


def _fire(state: RuleState, now: datetime) -> RuleState:
    return replace(
        state,
        state=AlertState.FIRING,
        since=now,
        fired_at=now,
        last_notified_at=now,
        acknowledged_at=None,
        clear_since=None,
    )


def _active(state: RuleState, value: float | bool, rule: RuleSpec) -> bool:
    """Is the condition on? Numeric values latch until they clear the hysteresis band."""
    if isinstance(value, bool):
        return value
    if rule.limit is None:
        raise ValueError(f"rule {rule.name!r} got a number ({value}) but has no limit")
    latched = state.state in (AlertState.PENDING, AlertState.FIRING)
    if rule.direction == "above":
        threshold = rule.limit - rule.hysteresis if latched else rule.limit
        return value > threshold if not latched else value >= threshold
    threshold = rule.limit + rule.hysteresis if latched else rule.limit
    return value < threshold if not latched else value <= threshold
