"""Times typed by a keeper: ISO 8601, local time when no zone is given."""

from __future__ import annotations

from datetime import UTC, datetime

from aquarium.errors import AquariumError


def parse_when(text: str | None, *, option: str = "--at") -> datetime:
    """TEXT as an aware UTC datetime; None means now. A time without a zone is local time."""
    if text is None:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(text.strip().replace(" ", "T", 1))
    except ValueError as exc:
        raise AquariumError(
            f"{option} {text!r} is not a date or time; use ISO 8601 such as 2026-11-24 or "
            "2026-11-24T18:30 (local time) or 2026-11-24T17:30Z"
        ) from exc
    if moment.tzinfo is None:
        moment = moment.astimezone()  # the keeper's local zone
    return moment.astimezone(UTC)


def iso_utc(moment: datetime) -> str:
    """ISO 8601 in UTC with a Z, to the second (or finer when it has microseconds)."""
    text = moment.astimezone(UTC).isoformat(
        timespec="seconds" if not moment.microsecond else "milliseconds"
    )
    return text.replace("+00:00", "Z")
