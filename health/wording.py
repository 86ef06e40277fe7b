"""How numbers and times read in the keeper's messages, in the keeper's zone."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime, tzinfo

__all__ = [
    "cap",
    "current_zone",
    "day_month",
    "display_zone",
    "local_date",
    "num",
    "on_date",
    "rule_title",
    "when",
    "window",
]

# The zone messages are written in. The advisor sets it for one verdict (the dashboard passes the
# keeper's zone, the command line the machine's, JSON output UTC), so the checks need not carry it.
_ZONE: ContextVar[tzinfo] = ContextVar("health_display_zone", default=UTC)


@contextmanager
def display_zone(zone: tzinfo | None) -> Iterator[None]:
    """Write times and dates in ``zone`` (UTC when None) inside the block."""
    token = _ZONE.set(zone or UTC)
    try:
        yield
    finally:
        _ZONE.reset(token)


def current_zone() -> tzinfo:
    """The zone messages are being written in."""
    return _ZONE.get()


# The titles a keeper reads for the alert rules' codes (alerts/rules.py default_rules); the code
# stays visible, small, for searching logs and `aquarium alerts ack`.
RULE_TITLES = {
    "water_change_now": "Water change needed now",
    "water_change_soon": "Water change due soon",
    "free_ammonia_high": "Free ammonia high",
    "nitrite_high": "Nitrite high",
    "nitrate_high": "Nitrate high",
    "ph_low": "pH low",
    "kh_low": "KH (buffer) low",
    "temperature_high": "Water too warm",
    "temperature_low": "Water too cold",
    "oxygen_low": "Oxygen low",
    "orp_low": "ORP (redox) low",
    "flow_drop": "Flow through the bed falling",
    "sensor_fault": "Sensor fault",
}


def num(value: float) -> str:
    """A reading as a keeper writes it: three significant figures, no exponent, no trailing .0."""
    if value == 0:
        return "0"
    if abs(value) >= 100:
        return f"{value:.0f}"
    if abs(value) < 0.001:
        return f"{value:.5f}".rstrip("0").rstrip(".")
    text = f"{value:.3g}"
    return text if "e" not in text else f"{value:f}".rstrip("0").rstrip(".")


def local_date(moment: datetime) -> date:
    """The calendar day of ``moment`` in the keeper's zone."""
    return moment.astimezone(_ZONE.get()).date()


def when(moment: datetime) -> str:
    """A moment to the minute in the keeper's zone, with the zone named so it is unambiguous."""
    local = moment.astimezone(_ZONE.get())
    return local.strftime("%Y-%m-%d %H:%M ") + (local.tzname() or "UTC")


def on_date(day: date) -> str:
    """A date as YYYY-MM-DD."""
    return day.isoformat()


def day_month(day: date, today: date | None = None) -> str:
    """A date as a keeper says it: '14 Dec'; '14 Jul 2028' when it is not in TODAY's year (a
    forecast a year and more away must not read as this summer)."""
    if today is not None and day.year != today.year:
        return f"{day.day} {day:%b} {day.year}"
    return f"{day.day} {day:%b}"


def window(earliest: date, likely: date, latest: date, today: date | None = None) -> str:
    """'between 12 and 16 Dec, most likely 14 Dec'; 'on 14 Dec' when the window is one day."""
    if earliest == latest:
        return f"on {day_month(likely, today)}"
    if earliest == today:
        first = "today"
    elif (earliest.month, earliest.year) == (latest.month, latest.year):
        first = str(earliest.day)
    else:
        first = day_month(earliest, today)
    return f"between {first} and {day_month(latest, today)}, most likely {day_month(likely, today)}"


def cap(text: str) -> str:
    """Capitalise the first letter only, so "pH" and "ORP" keep their case elsewhere."""
    return text[:1].upper() + text[1:]


def rule_title(code: str) -> str:
    """'Nitrate high' for 'nitrate_high'; an unknown code reads as words."""
    return RULE_TITLES.get(code) or cap(code.replace("_", " "))
