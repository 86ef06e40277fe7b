"""How the project writes a moment for machines: ISO 8601 in UTC with a Z (JSON, CSV, MQTT)."""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["iso_utc"]


def iso_utc(moment: datetime) -> str:
    """ISO 8601 in UTC with a Z, to the second (or finer when it has microseconds)."""
    text = moment.astimezone(UTC).isoformat(
        timespec="seconds" if not moment.microsecond else "milliseconds"
    )
    return text.replace("+00:00", "Z")
