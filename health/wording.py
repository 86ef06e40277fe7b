"""How numbers and times read in the keeper's messages."""

from __future__ import annotations

from datetime import UTC, date, datetime

__all__ = ["cap", "num", "on_date", "when"]


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
