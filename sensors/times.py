"""How the project writes times: a moment for machines (ISO 8601 UTC with a Z, in JSON, CSV and
MQTT) and a duration for keepers."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

__all__ = ["LocalTimeError", "duration_text", "iso_utc", "wall_clock_to_utc"]


class LocalTimeError(ValueError):
    """A wall-clock time that names no single instant in its zone; the message says why."""


def wall_clock_to_utc(naive: datetime, zone: tzinfo | None = None) -> datetime:
    """NAIVE read as wall-clock time in ZONE (this machine's zone if None), as aware UTC.

    Where daylight saving time makes the wall clock skip an hour (spring) or repeat one (autumn),
    such a time is no instant or two: refused (LocalTimeError), never guessed. Guessing moved a
    reading by an hour, and the repeated hour's readings collided with the first pass's and were
    dropped as copies of them.
    """
    instants = {
        (
            naive.replace(tzinfo=zone, fold=fold)
            if zone is not None
            else naive.replace(fold=fold).astimezone()
        ).astimezone(UTC)
        for fold in (0, 1)
    }
    if len(instants) == 1:
        return instants.pop()
    where = f"in {zone}" if zone is not None else "in this machine's zone"
    earliest = min(instants)
    local = earliest.astimezone(zone) if zone is not None else earliest.astimezone()
    if local.replace(tzinfo=None) == naive.replace(fold=0):
        raise LocalTimeError(f"{naive:%Y-%m-%d %H:%M} happens twice {where} (clocks go back)")
    raise LocalTimeError(f"{naive:%Y-%m-%d %H:%M} does not exist {where} (clocks go forward)")


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
