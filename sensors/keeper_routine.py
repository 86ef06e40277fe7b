"""The demo keeper's habits, applied to a virtual tank: tests, water changes, gravel cleans.

Shared by the history backfill (which logs each action) and the live simulator (which replays the
same history silently so its first live reading continues the stored trend instead of jumping).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sensors.virtual_tank import TankSpec, VirtualTank

# After the reference tank (DOMAIN.md: a planted turtle-and-fish tank changed "a little every month
# or two"): a weekly test kit, 40 % out when the kit's nitrate card shows 40 mg/L (the turtle-tank
# maximum, DOMAIN.md) or after six weeks, gravel cleaned every eight.
TEST_EVERY = timedelta(days=7)
CHANGE_EVERY = timedelta(days=42)
CHANGE_FRACTION = 0.40
CHANGE_AT_NITRATE = 40.0
GRAVEL_EVERY = timedelta(days=56)
# Judgement: the plants (Elodea, hornwort) take up much of the turtles' nitrogen, which is how the
# reference tank gets by on monthly changes; 3 mg/L a week gives one about every four weeks.
DEMO_SPEC = TankSpec(nitrate_gain_per_week=3.0)
STEP = timedelta(minutes=1)


@dataclass(frozen=True)
class Action:
    """Something the keeper did at TIME: 'test' (with results), 'water-change', 'gravel-clean'."""

    kind: str
    time: datetime
    results: dict[str, float] = field(default_factory=dict)
    fraction: float | None = None


class KeeperRoutine:
    """Decides, step by step, what the keeper does to MODEL."""

    def __init__(self, start: datetime) -> None:
        self.last_test = self.last_change = self.last_gravel = start

    def act(self, model: VirtualTank) -> list[Action]:
        """Apply today's chores to MODEL at its current time; returns what was done."""
        now = model.now
        actions: list[Action] = []
        if now - self.last_test >= TEST_EVERY:
            results = model.test_kit_readings()
            actions.append(Action("test", now, results=results))
            self.last_test = now
            due = now - self.last_change >= CHANGE_EVERY
            if results.get("nitrate", 0.0) >= CHANGE_AT_NITRATE or due:
                model.water_change(CHANGE_FRACTION)
                actions.append(Action("water-change", now, fraction=CHANGE_FRACTION))
                self.last_change = now
        if now - self.last_gravel >= GRAVEL_EVERY:
            model.gravel_clean()
            actions.append(Action("gravel-clean", now))
            self.last_gravel = now
        return actions


def replay(model: VirtualTank, until: datetime) -> None:
    """Run MODEL and the routine silently up to UNTIL, in the backfill's steps."""
    routine = KeeperRoutine(model.now)
    while model.now + STEP <= until:
        routine.act(model)
        model.advance(STEP.total_seconds())
