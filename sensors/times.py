"""How the project writes times: a moment for machines (ISO 8601 UTC with a Z, in JSON, CSV and
MQTT) and a duration for keepers."""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["duration_text", "iso_utc"]


def iso_utc(moment: datetime) -> str:
    """ISO 8601 in UTC with a Z, to the second (or finer when it has microseconds)."""
    text = moment.astimezone(UTC).isoformat(
        timespec="seconds" if not moment.microsecond else "milliseconds"
    )
    return text.replace("+00:00", "Z")


def duration_text(seconds: float) -> str:
    """A duration a keeper reads at a glance: '45 s', '12 min', '5 h', '1.5 d', '12 d'.

    The one duration wording of the dashboard, the advisor's reasons and the command line.
    """
    seconds = max(0.0, seconds)
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    if seconds < 36 * 3600:
        return f"{seconds / 3600:.0f} h"
    days = seconds / 86400
    # Under ten days a half day matters ("flat for 1.5 d"); beyond, whole days read better.
    return f"{days:.1f} d".replace(".0 d", " d") if days < 10 else f"{days:.0f} d"
