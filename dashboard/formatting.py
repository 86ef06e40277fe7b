"""Presentation helpers: local times, ages, numbers with units."""

from __future__ import annotations

from datetime import UTC, datetime

from sensors.catalogue import PARAMETERS


def local(moment: datetime) -> datetime:
    """MOMENT in the keeper's local time zone (the server's, which is the keeper's machine)."""
    return moment.astimezone()


def age_text(moment: datetime, now: datetime | None = None) -> str:
    """'12 s ago', '5 min ago', '3 h ago', '2 d ago'."""
    seconds = max(0.0, ((now or datetime.now(UTC)) - moment).total_seconds())
    if seconds < 90:
        return f"{seconds:.0f} s ago"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min ago"
    if seconds < 36 * 3600:
        return f"{seconds / 3600:.0f} h ago"
    return f"{seconds / 86400:.0f} d ago"


def value_text(parameter: str, value: float) -> str:
    """VALUE to the parameter's display precision, with its unit."""
    info = PARAMETERS.get(parameter)
    if info is None:
        return f"{value:g}"
    unit = "" if info.unit == "pH" else f" {info.unit}"
    return f"{value:.{info.decimals}f}{unit}"


def label(parameter: str) -> str:
    """The parameter's display name."""
    info = PARAMETERS.get(parameter)
    return info.label if info else parameter
