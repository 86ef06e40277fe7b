"""The advisor's answer: a status, a due date, a change size and the reasons, with its JSON form."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Literal

__all__ = [
    "SEVERITY_RANK",
    "Reason",
    "Severity",
    "Status",
    "Verdict",
    "status_of",
    "worse",
]

Status = Literal["ok", "soon", "now"]
Severity = Literal["info", "soon", "now"]

# One scale for both: an "info" reason leaves the verdict "ok".
SEVERITY_RANK: dict[str, int] = {"ok": 0, "info": 0, "soon": 1, "now": 2}


@dataclass(frozen=True, slots=True)
class Reason:
    """Why the verdict is what it is: a stable code and one sentence for the keeper."""

    code: str
    message: str
    severity: Severity = "info"
    # Not in the JSON: what the advisor composes the verdict's due date and change size from.
    due: date | None = None  # when this reason wants the water changed
    change_fraction: float | None = None  # the change (0-1) that would settle this reason

    def __post_init__(self) -> None:
        if self.severity not in ("info", "soon", "now"):
            raise ValueError(f"severity must be info, soon or now, got {self.severity!r}")
        if self.change_fraction is not None and not 0 <= self.change_fraction <= 1:
            raise ValueError(f"change_fraction must be within 0-1, got {self.change_fraction}")


def status_of(reasons: list[Reason]) -> Status:
    """The verdict status implied by the most severe reason."""
    rank = max((SEVERITY_RANK[r.severity] for r in reasons), default=0)
    return ("ok", "soon", "now")[rank]


def worse(a: Status, b: Status) -> bool:
    """True when status ``a`` is more urgent than ``b`` (ok < soon < now)."""
    return SEVERITY_RANK[a] > SEVERITY_RANK[b]


@dataclass(frozen=True)
class Verdict:
    """A tank's water-change verdict at a moment."""

    tank: str
    at: datetime
    status: Status
    due: date | None
    change_percent: int | None
    change_litres: float | None
    free_ammonia_mg_l: float | None
    reasons: list[Reason] = field(default_factory=list)

    def codes(self) -> list[str]:
        """The reason codes in order, handy for callers and tests."""
        return [r.code for r in self.reasons]

    def to_json_dict(self) -> dict[str, Any]:
        """The `aquarium advise --json` shape (issue 4), ready for json.dumps."""
        return {
            "tank": self.tank,
            "at": self.at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
            "status": self.status,
            "due": self.due.isoformat() if self.due else None,
            "change_percent": self.change_percent,
            "change_litres": self.change_litres,
            "free_ammonia_mg_l": self.free_ammonia_mg_l,
            "reasons": [{"code": r.code, "message": r.message} for r in self.reasons],
        }
