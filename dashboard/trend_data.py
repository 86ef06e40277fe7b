"""The Trends page's data, cached, and filled for the default view before the keeper asks.

A first Trends view spent 0.1-0.2 s reading the series and 0.7 s on the advisor's forecast cone
(loading the tank's history, then advising) after the click. The server has that time earlier:
the warm-up thread (dashboard/warmup.py), once pandas and plotly are in, fills the same cache
entries the page reads for the tanks' default views, so the click finds them.

The series cache is keyed by the tank's data marker (its newest reading and pending rollup
hours): a reading stored after the cache was filled makes the next view read again, so fresh
data still shows at once.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import plotly.graph_objects as go
import streamlit as st

from dashboard.advice_view import cached_advice
from dashboard.charts import drawable, trend_figure
from dashboard.state import engine, first_choice, open_store, profile_for
from db.maintenance import list_events
from db.manual import LoggedTest, list_tests
from db.tanks import Tank, list_tanks
from db.trends import Series, charted_parameters, data_marker, trend_series
from health.profiles import limits, safe_band
from health.verdict import Cone

log = logging.getLogger(__name__)

# Test kits are weekly or rarer: 30 days shows several results and the last water change.
DEFAULT_SPAN = timedelta(days=30)
DEFAULT_COUNT = 6
# What a keeper of an under-gravel tank looks at first: the nitrate build-up, then the water.
PRIORITY = (
    "nitrate",
    "temperature",
    "ph",
    "conductivity",
    "ammonia",
    "nitrite",
    "kh",
    "flow",
    "oxygen",
    "orp",
    "tds",
    "level",
    "gh",
    "phosphate",
)
# Tanks whose default view is filled ahead: the one the page opens first, then the next ones.
# Each costs about a second of CPU; a server with hundreds of small tanks fills only these.
WARM_TANKS = 3


def rank(parameter: str) -> int:
    """Where PARAMETER comes in the Trends page's order."""
    return PRIORITY.index(parameter) if parameter in PRIORITY else len(PRIORITY)


def view_range(now: datetime, span: timedelta) -> tuple[datetime, datetime]:
    """SPAN up to the end of NOW's minute: every view within a minute shares one cache entry."""
    until = datetime.fromtimestamp((int(now.timestamp()) // 60 + 1) * 60, UTC)
    return until - span, until


def default_parameters(available: list[str]) -> list[str]:
    """The parameters a first view shows, in the page's order."""
    return sorted(sorted(available, key=rank)[:DEFAULT_COUNT], key=rank)


@st.cache_data(ttl=30, show_spinner="Reading the history…", max_entries=64)
def _series(
    tank: str, parameters: tuple[str, ...], since: int, until: int, marker: tuple[str, int]
) -> dict[str, Series]:
    """MARKER is only a key: a new reading of the tank changes it (see data_marker)."""
    return trend_series(
        engine(),
        tank,
        parameters,
        datetime.fromtimestamp(since, UTC),
        datetime.fromtimestamp(until, UTC),
    )


def series_for(
    tank: str, parameters: tuple[str, ...], since: datetime, until: datetime
) -> dict[str, Series]:
    """TANK's series between SINCE and UNTIL, from the cache while no reading came in."""
    marker = data_marker(engine(), tank)
    return _series(tank, parameters, int(since.timestamp()), int(until.timestamp()), marker)


# Names of UTC that browsers report as "UTC" (Chromium on a server set to Etc/UTC does).
UTC_NAMES = {"Etc/UTC", "Etc/UCT", "Etc/Universal", "Etc/Zulu", "UCT", "Universal", "Zulu"}


def server_zone_names() -> list[str]:
    """The server's IANA zone name ('Europe/Berlin') as a browser on it would name it, or [""]
    (the server's zone, unnamed) when it has none we can tell.

    A browser on the keeper's own machine names the same zone, so its verdict is the one filled.
    """
    name = os.environ.get("TZ", "").lstrip(":")
    if not name:
        target = str(Path("/etc/localtime").resolve())
        name = target.split("zoneinfo/", 1)[1] if "zoneinfo/" in target else ""
    return ["UTC"] if name in UTC_NAMES else [name]


@dataclass(frozen=True)
class TrendView:
    """What the Trends page draws: the series, the test results, the forecast cone, the
    parameters with nothing to draw, and the figure (None when nothing is drawn)."""

    series: dict[str, Series]
    tests: list[LoggedTest]
    cone: Cone | None
    empty: list[str]
    figure: go.Figure | None


def trend_view(
    tank: Tank, chosen: tuple[str, ...], since: datetime, until: datetime, zone_name: str
) -> TrendView:
    """TANK's CHOSEN parameters between SINCE and UNTIL in the zone named ZONE_NAME."""
    zone = _zone(zone_name)
    series = series_for(tank.name, chosen, since, until)
    tests = [
        t
        for t in list_tests(engine(), tank.name, since=since, until=until)
        if t.parameter in chosen
    ]
    events = list_events(engine(), tank.name, since=since, until=until)
    profile, _problem = profile_for(tank)
    bands = {
        p: band
        for p in chosen
        if limits(profile, p) and (band := safe_band(profile, p)) is not None
    }
    act = {
        p: (found.act_low, found.act_high)
        for p in chosen
        if (found := limits(profile, p)) is not None
    }
    try:
        verdict = cached_advice(
            tank.name, int(datetime.now(UTC).timestamp() // 60), zone_name, tank
        )
    except Exception:  # the overview says what broke; a chart without the forecast is a chart
        verdict = None
    cone = verdict.forecast if verdict is not None else None  # the nitrate forecast
    if cone is not None and cone.parameter not in chosen:
        cone = None
    drawn, empty = drawable(series, tests, cone)
    figure = None
    if drawn:
        inputs = (series, tests, events, bands, zone, act, (since, until), cone)
        figure = _figure(hashlib.sha256(pickle.dumps(inputs)).hexdigest(), inputs)
    return TrendView(series, tests, cone, empty, figure)


@st.cache_resource(ttl=60, max_entries=16, show_spinner=False)
def _figure(digest: str, _inputs: tuple[Any, ...]) -> go.Figure:
    """The figure of _INPUTS, whose pickled DIGEST is the key: the same inputs draw the same
    figure, so it is built once (0.2-0.3 s on a year) and shared; Streamlit only reads it."""
    series, tests, events, bands, zone, act, span, cone = _inputs
    return trend_figure(series, tests, events, bands, zone, act, span, cone)


def _zone(name: str) -> ZoneInfo | None:
    """The zone named NAME as keeper_zone() gives it; None for "" (the server's)."""
    try:
        return ZoneInfo(name) if name else None
    except (ZoneInfoNotFoundError, ValueError):
        return None


def fill_default_views(now: datetime | None = None, tanks: int = WARM_TANKS) -> list[str]:
    """Fill the cache entries of the first TANKS tanks' default Trends view; returns their names.

    The verdict (forecast cone) is filled for the server's zone, the keeper's when the browser
    is in the same one; another zone computes its own on the click, as before.
    """
    if open_store().engine is None:  # app.py shows why; nothing to read
        return []
    now = now or datetime.now(UTC)
    found = list_tanks(engine())
    if not found:
        return []
    first = first_choice(found, None)
    order = [found[first], *(t for i, t in enumerate(found) if i != first)]
    zones = server_zone_names()
    filled = []
    for tank in order[:tanks]:
        available = charted_parameters(engine(), tank.name)
        if not available:
            continue
        since, until = view_range(now, DEFAULT_SPAN)
        for zone in zones:
            trend_view(tank, tuple(default_parameters(available)), since, until, zone)
        filled.append(tank.name)
    return filled
