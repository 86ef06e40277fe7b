"""Presentation helpers: local times, ages, numbers with units, text made safe for markdown."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime, tzinfo
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sensors.catalogue import PARAMETERS
from sensors.credentials import mask_credentials
from sensors.times import duration_text


@cache
def server_zone() -> tzinfo:
    """The server's zone with its daylight-saving rules (a fixed offset would be wrong half the
    year when a chart spans a change)."""
    name = os.environ.get("TZ", "").lstrip(":")
    try:
        if name:
            return ZoneInfo(name)
        with Path("/etc/localtime").open("rb") as source:
            return ZoneInfo.from_file(source)
    except (OSError, ValueError, ZoneInfoNotFoundError):
        found = datetime.now().astimezone().tzinfo
        return found if found is not None else UTC


def zone_name(zone: tzinfo | None, at: datetime | None = None) -> str:
    """'Europe/Berlin' (the IANA key when there is one), else the abbreviation ('CET')."""
    found = zone or server_zone()
    key = getattr(found, "key", None)
    if key:
        return str(key)
    return (at or datetime.now(found)).astimezone(found).tzname() or "local time"


def local(moment: datetime, zone: tzinfo | None = None) -> datetime:
    """MOMENT in ZONE, by default the server's local zone (the keeper's machine)."""
    return moment.astimezone(zone)


def when_text(moment: datetime | None, zone: tzinfo | None = None) -> str:
    """'2026-11-24 18:30' in local time, or an em dash for no time."""
    if moment is None:
        return "—"
    return f"{local(moment, zone):%Y-%m-%d %H:%M}"


span_text = duration_text  # the project's one duration wording (sensors/times.py)


def age_text(moment: datetime, now: datetime | None = None) -> str:
    """'12 s ago', '5 min ago', '3 h ago', '2 d ago'."""
    return f"{span_text(((now or datetime.now(UTC)) - moment).total_seconds())} ago"


def number_text(parameter: str, value: float) -> str:
    """VALUE to the parameter's display precision, without its unit (pH 8 is "8.00")."""
    info = PARAMETERS.get(parameter)
    return f"{value:g}" if info is None else f"{value:.{info.decimals}f}"


def value_text(parameter: str, value: float) -> str:
    """VALUE to the parameter's display precision, with its unit."""
    info = PARAMETERS.get(parameter)
    if info is None:
        return f"{value:g}"
    if info.unit == "pH":
        return f"{value:.{info.decimals}f}"
    return f"{value:.{info.decimals}f} {info.unit}"


def unit(parameter: str) -> str:
    """The parameter's canonical unit ('' for pH, which is its own unit)."""
    info = PARAMETERS.get(parameter)
    return "" if info is None or info.unit == "pH" else info.unit


def label(parameter: str) -> str:
    """The parameter's display name."""
    info = PARAMETERS.get(parameter)
    return info.label if info else parameter


def label_with_unit(parameter: str) -> str:
    """'Nitrate (NO3), mg/L'; just 'pH' for pH."""
    shown = unit(parameter)
    return f"{label(parameter)}, {shown}" if shown else label(parameter)


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


# Markdown turns bare addresses into links even when escaped; an invisible word joiner inside
# "://", "www." and "@" stops that without changing what the keeper reads.
_AUTOLINKS = (("://", ":\u2060//"), ("www.", "www\u2060."), ("@", "@\u2060"))


def plain(text: str) -> str:
    """TEXT escaped so Streamlit's markdown shows it literally (no links, images or styling),
    with any URL's password hidden."""
    text = mask_credentials(text)
    for found, broken in _AUTOLINKS:
        text = text.replace(found, broken)
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)
