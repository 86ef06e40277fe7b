"""The verdict's headline in words: the one sentence the banner, the command line and alerts share.

Issue 10: the page and the command line must say the same thing. They all call `headline`, so the
status, due window, percent, litres and plan are written once.
"""

from __future__ import annotations

from datetime import date

from health.verdict import Verdict
from health.wording import day_month, num, window

__all__ = ["amount", "due_phrase", "due_words", "headline"]

_TITLE = {
    "now": "Water change needed now",
    "soon": "Water change soon",
    "ok": "Water is fine",
}


def due_phrase(v: Verdict) -> str | None:
    """'due today', 'due between 12 and 16 Dec, most likely 14 Dec', or None without a due date."""
    if v.due is None:
        return None
    return due_words(v.due, v.due_earliest, v.due_latest, v.today or v.due)


def due_words(due: date, earliest: date | None, latest: date | None, today: date) -> str:
    """The due date or window as every page and command words it (the home cards too)."""
    if due <= today:
        return "due today"
    earliest = earliest or due
    latest = latest or due
    if earliest == latest:
        return f"due {day_month(due, today)}"
    return f"due {window(earliest, due, latest, today)}"


def amount(v: Verdict) -> str | None:
    """'change 50 % (48 L), 2 changes a day apart', or None without a size."""
    if not v.change_percent:
        return None
    text = f"change {v.change_percent} %"
    if v.change_litres:
        text += f" ({num(v.change_litres)} L)"
    if v.plan is not None:
        spacing = (
            "a day apart" if v.plan.every_days == 1 else f"{num(v.plan.every_days)} days apart"
        )
        text += f", {v.plan.changes} changes {spacing}"
    return text


def headline(v: Verdict) -> str:
    """'Water change soon: due between 12 and 16 Dec, most likely 14 Dec; change 40 % (38.4 L).'"""
    parts = []
    due = due_phrase(v)
    if v.status == "ok":
        if due is None:
            return "Water is fine: no change needed yet."
        parts.append(f"next change {due}")
    elif v.status == "soon" and due is not None:
        parts.append(due)
    size = amount(v)
    if size is not None:
        parts.append(size)
    return f"{_TITLE[v.status]}{': ' + '; '.join(parts) if parts else ''}."
