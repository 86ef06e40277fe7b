"""A notification the keeper should get: one rule's transition on one tank, in words and JSON."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from health.rules import Transition
from health.verdict import Verdict
from sensors.times import iso_utc

__all__ = ["Evaluation", "Notice", "notify_type", "summary"]

# How a notice opens, by transition kind (health.rules.TransitionKind; only these notify).
_HEADS = {"fired": "ALERT", "repeat": "REMINDER", "resolved": "RESOLVED"}
# apprise's notification types, by the most urgent transition in a message.
_TYPES = {"fired": "failure", "repeat": "warning", "resolved": "success"}


@dataclass(frozen=True, slots=True)
class Notice:
    """A transition worth telling the keeper about."""

    tank: str
    rule: str
    kind: str  # "fired", "repeat" or "resolved"
    state: str  # the rule's state after the transition
    at: datetime
    value: float | bool | None
    message: str

    @classmethod
    def of(cls, tank: str, transition: Transition, message: str) -> Notice:
        return cls(
            tank=tank,
            rule=transition.rule,
            kind=transition.kind,
            state=transition.to_state.value,
            at=transition.at,
            value=transition.value,
            message=message,
        )

    @property
    def title(self) -> str:
        """A phone notification's title: which tank, which rule, what happened."""
        return f"{self.tank}: {self.rule.replace('_', ' ')} — {_HEADS.get(self.kind, self.kind)}"

    @property
    def line(self) -> str:
        """The notice in one line of a body."""
        return f"[{_HEADS.get(self.kind, self.kind)}] {self.rule.replace('_', ' ')}: {self.message}"

    def to_json_dict(self) -> dict[str, Any]:
        """The event published on aquarium/<tank>/alerts (times in ISO 8601 UTC)."""
        return {
            "tank": self.tank,
            "rule": self.rule,
            "event": self.kind,
            "state": self.state,
            "at": iso_utc(self.at),
            "value": self.value,
            "message": self.message,
        }


@dataclass(frozen=True)
class Evaluation:
    """One tank evaluated: the advisor's verdict and the notices its rules produced."""

    tank: str
    verdict: Verdict
    notices: list[Notice]


def summary(notices: Sequence[Notice]) -> tuple[str, str]:
    """Title and body for one message carrying every notice of one tank's evaluation.

    A single test result can trip several rules at once (nitrite high and "water change now");
    one message per tank per evaluation keeps the phone from buzzing for each.
    """
    if len(notices) == 1:
        return notices[0].title, notices[0].message
    tanks = sorted({n.tank for n in notices})
    title = f"{', '.join(tanks)}: {len(notices)} alerts"
    return title, "\n".join(n.line for n in notices)


def notify_type(notices: Sequence[Notice]) -> str:
    """apprise's type for a message carrying NOTICES: the most urgent transition decides."""
    kinds = {n.kind for n in notices}
    kind = "fired" if "fired" in kinds else "repeat" if "repeat" in kinds else "resolved"
    return _TYPES[kind]
