"""The alert rule state machine: hold time, hysteresis, repeats, acknowledgement, no flapping."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from health import AlertState, RuleSpec, RuleState, Transition, acknowledge, step
from tests.health.builders import T0

MIN = timedelta(minutes=1)
NITRATE = RuleSpec("nitrate", limit=40.0, hysteresis=5.0, hold=10 * MIN, repeat=timedelta(hours=1))


def run(
    values: Sequence[float | bool | None], rule: RuleSpec = NITRATE, every: timedelta = MIN
) -> tuple[RuleState, list[Transition]]:
    """Feed one value per ``every`` from T0 and collect every transition."""
    state, log = RuleState(), []
    for i, value in enumerate(values):
        state, transitions = step(state, value, T0 + i * every, rule)
        log += transitions
    return state, log


def notified(log: list[Transition]) -> list[str]:
    """The kinds of transitions the keeper hears about."""
    return [t.kind for t in log if t.notify]


def test_hold_time_before_firing() -> None:
    """A condition must hold for the hold time before the rule fires and notifies once."""
    state, log = run([45.0] * 12)
    assert [t.kind for t in log] == ["pending", "fired"]
    assert log[1].at == T0 + 10 * MIN
    assert state.state is AlertState.FIRING and state.fired_at == T0 + 10 * MIN


def test_short_spike_is_cancelled_silently() -> None:
    """A spike shorter than the hold time goes pending and back without a notification."""
    state, log = run([45.0] * 3 + [30.0] * 3)
    assert [t.kind for t in log] == ["pending", "cancelled"]
    assert notified(log) == [] and state.state is AlertState.INACTIVE


def test_hysteresis_resolves_only_below_the_band() -> None:
    """Firing above 40 resolves only below 35: 38 keeps it firing, 34 resolves it once."""
    state, log = run([45.0] * 11 + [38.0] * 5 + [34.0])
    assert notified(log) == ["fired", "resolved"]
    assert state.state is AlertState.RESOLVED


def test_repeat_interval_while_firing() -> None:
    """A firing rule re-notifies once per repeat interval, not on every evaluation."""
    _, log = run([45.0] * (11 + 150))
    assert notified(log) == ["fired", "repeat", "repeat"]


def test_acknowledgement_stops_repeats_until_resolved() -> None:
    """After the keeper acknowledges, no repeats; the resolution is still announced."""
    state, _log = run([45.0] * 11)
    state, acked = acknowledge(state, T0 + 11 * MIN, NITRATE)
    assert acked[0].kind == "acknowledged" and not acked[0].notify
    for i in range(12, 200):
        state, transitions = step(state, 45.0, T0 + i * MIN, NITRATE)
        assert transitions == []
    state, transitions = step(state, 30.0, T0 + 200 * MIN, NITRATE)
    assert notified(transitions) == ["resolved"] and state.acknowledged_at is None


def test_missing_data_changes_nothing() -> None:
    """No value (a sensor outage) neither fires nor resolves."""
    state, log = run([45.0] * 11 + [None] * 30)
    assert state.state is AlertState.FIRING and notified(log) == ["fired"]
    assert state.last_value == 45.0


def test_flapping_input_does_not_flap_notifications() -> None:
    """A value bouncing across the limit every minute for hours fires once and never resolves."""
    bouncing = [41.0 if i % 2 else 39.0 for i in range(240)]
    _, log = run(bouncing)
    assert notified(log).count("fired") == 1
    assert "resolved" not in notified(log)


def test_flapping_boolean_with_resolve_hold() -> None:
    """A boolean condition flickering faster than the hold times stays firing quietly."""
    rule = RuleSpec("stale", hold=5 * MIN, resolve_hold=5 * MIN)
    flicker = [True] * 6 + [False, True] * 60
    _, log = run(flicker, rule)
    assert notified(log) == ["fired"]


def test_below_direction_mirrors_hysteresis() -> None:
    """A low-side rule fires below its limit and resolves only above limit + hysteresis."""
    rule = RuleSpec("ph", limit=6.5, direction="below", hysteresis=0.2)
    state, log = run([6.4, 6.6, 6.69, 6.71], rule)
    assert notified(log) == ["fired", "resolved"]
    assert log[-1].value == 6.71 and state.state is AlertState.RESOLVED


def test_numeric_value_without_a_limit_is_an_error() -> None:
    """A rule comparing numbers needs a limit; without one the mistake is loud."""
    with pytest.raises(ValueError, match="no limit"):
        step(RuleState(), 3.0, T0, RuleSpec("nolimit"))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(30.0, 50.0), min_size=1, max_size=200))
def test_notifications_bounded_by_clear_crossings(values: list[float]) -> None:
    """Fires never outnumber the times the value left the hysteresis band, plus one."""
    _, log = run(values)
    fired = notified(log).count("fired")
    resolved = notified(log).count("resolved")
    clears = sum(1 for a, b in itertools.pairwise(values) if a >= 35.0 > b)
    assert fired <= clears + 1
    assert resolved <= fired and fired - resolved in (0, 1)
