"""The advisor's answer: status, due window, change plan and reasons, with its JSON form."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from sensors.times import iso_utc

__all__ = [
    "SEVERITY_RANK",
    "Cone",
    "ForecastPoint",
    "Plan",
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
    # Not in the JSON: what the advisor composes the verdict's due window and change size from.
    due: date | None = None  # when this reason wants the water changed (most likely)
    change_fraction: float | None = None  # the change (0-1) that would settle this reason
    due_earliest: date | None = None  # the window around ``due``; None: ``due`` is exact
    due_latest: date | None = None

    def __post_init__(self) -> None:
        if self.severity not in ("info", "soon", "now"):
            raise ValueError(f"severity must be info, soon or now, got {self.severity!r}")
        if self.change_fraction is not None and not 0 <= self.change_fraction <= 1:
            raise ValueError(f"change_fraction must be within 0-1, got {self.change_fraction}")

    @property
    def window(self) -> tuple[date, date] | None:
        """(earliest, latest) dates this reason wants the change in; None without a due date."""
        if self.due is None:
            return None
        return (self.due_earliest or self.due, self.due_latest or self.due)


def status_of(reasons: list[Reason]) -> Status:
    """The verdict status implied by the most severe reason."""
    rank = max((SEVERITY_RANK[r.severity] for r in reasons), default=0)
    return ("ok", "soon", "now")[rank]


def worse(a: Status, b: Status) -> bool:
    """True when status ``a`` is more urgent than ``b`` (ok < soon < now)."""
    return SEVERITY_RANK[a] > SEVERITY_RANK[b]


@dataclass(frozen=True, slots=True)
class ForecastPoint:
    """One step of a forecast cone: the expected level and the band the kit and scatter allow."""

    time: datetime
    expected: float
    low: float
    high: float


@dataclass(frozen=True)
class Cone:
    """A parameter's forecast towards its limit, for a chart to draw as a cone."""

    parameter: str
    limit: float
    crossing: datetime | None  # the most likely moment the expected level reaches the limit
    earliest: datetime | None  # the high edge reaches the limit
    latest: datetime | None  # the low edge reaches the limit
    points: tuple[ForecastPoint, ...]

    def to_json_dict(self) -> dict[str, Any]:
        """The cone in UTC, levels rounded to what a kit can tell."""
        return {
            "parameter": self.parameter,
            "limit": self.limit,
            "crossing": _utc(self.crossing),
            "earliest": _utc(self.earliest),
            "latest": _utc(self.latest),
            "points": [
                {
                    "time": _utc(p.time),
                    "expected": round(p.expected, 2),
                    "low": round(p.low, 2),
                    "high": round(p.high, 2),
                }
                for p in self.points
            ],
        }


@dataclass(frozen=True, slots=True)
class Plan:
    """How many changes of the verdict's size, how far apart, to reach what the reason asks."""

    changes: int
    percent: int
    every_days: float
    needed_percent: int  # what one change would have to be

    def to_json_dict(self) -> dict[str, Any]:
        """The plan as plain numbers."""
        return {
            "changes": self.changes,
            "percent": self.percent,
            "every_days": self.every_days,
            "needed_percent": self.needed_percent,
        }


@dataclass(frozen=True)
class Verdict:
    """A tank's water-change verdict at a moment; dates are calendar days in the keeper's zone."""

    tank: str
    at: datetime
    status: Status
    due: date | None
    change_percent: int | None
    change_litres: float | None
    free_ammonia_mg_l: float | None
    reasons: list[Reason] = field(default_factory=list)
    due_earliest: date | None = None
    due_latest: date | None = None
    plan: Plan | None = None
    forecast: Cone | None = None
    zone: str = "UTC"  # the zone the messages and dates are written in
    today: date | None = None  # the keeper's calendar day at ``at``, in ``zone``

    def codes(self) -> list[str]:
        """The reason codes in order, handy for callers and tests."""
        return [r.code for r in self.reasons]

    def to_json_dict(self) -> dict[str, Any]:
        """The `aquarium advise --json` shape (issue 4, window and plan from issue 10)."""
        return {
            "tank": self.tank,
            "at": iso_utc(self.at),
            "status": self.status,
            "due": self.due.isoformat() if self.due else None,
            "due_earliest": self.due_earliest.isoformat() if self.due_earliest else None,
            "due_latest": self.due_latest.isoformat() if self.due_latest else None,
            "change_percent": self.change_percent,
            "change_litres": self.change_litres,
            "plan": self.plan.to_json_dict() if self.plan else None,
            "free_ammonia_mg_l": self.free_ammonia_mg_l,
            "zone": self.zone,
            "reasons": [
                {"code": r.code, "severity": r.severity, "message": r.message} for r in self.reasons
            ],
            "forecast": self.forecast.to_json_dict() if self.forecast else None,
        }


def _utc(moment: datetime | None) -> str | None:
    return iso_utc(moment) if moment is not None else None
