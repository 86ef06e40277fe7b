"""How numbers and times read in the keeper's messages."""

from __future__ import annotations

from datetime import UTC, date, datetime

__all__ = ["cap", "num", "on_date", "rule_title", "when"]

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


def when(moment: datetime) -> str:
    """A moment in UTC to the minute; the dashboard shows local time, messages stay unambiguous."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def on_date(day: date) -> str:
    """A date as YYYY-MM-DD."""
    return day.isoformat()


def cap(text: str) -> str:
    """Capitalise the first letter only, so "pH" and "ORP" keep their case elsewhere."""
    return text[:1].upper() + text[1:]


def rule_title(code: str) -> str:
    """'Nitrate high' for 'nitrate_high'; an unknown code reads as words."""
    return RULE_TITLES.get(code) or cap(code.replace("_", " "))
