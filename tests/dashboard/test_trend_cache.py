"""The Trends cache filled ahead by the warm-up: the same chart, and fresh data still shows."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

import numpy as np
import streamlit as st
from sqlalchemy import Engine

from dashboard.trend_data import fill_default_views
from db.readings import BatchStore, NewReading
from tests.dashboard.conftest import open_page
from tests.dashboard.seed import TANK

FRESH = 38.7  # a temperature no seeded reading has


def _chart(page: str = "trends") -> dict:
    app = open_page(page, TANK)
    assert not app.exception, app.exception
    (chart,) = app.get("plotly_chart")
    return json.loads(chart.proto.spec)


def _values(figure: dict) -> list[float]:
    """Every y value the figure's traces draw (lines, bands, markers)."""
    found: list[float] = []
    for trace in figure["data"]:
        y = trace.get("y", [])
        if isinstance(y, dict):  # plotly's typed array: base64 of the numbers
            y = np.frombuffer(base64.b64decode(y["bdata"]), dtype=y["dtype"]).tolist()
        found += [v for v in y if isinstance(v, float)]
    return found


def test_a_filled_view_draws_the_same_chart_as_one_read_on_the_click(seeded: Engine) -> None:
    """The chart from the warm-up's cache is the chart the page draws on its own."""
    own = _chart()
    st.cache_data.clear()
    st.cache_resource.clear()
    assert fill_default_views() == [TANK]
    assert _chart() == own


def test_a_reading_stored_after_the_fill_shows_on_the_next_view(seeded: Engine) -> None:
    """A temperature stored by the daemon after the cache was filled is in the next chart."""
    assert fill_default_views() == [TANK]
    before = _chart()
    assert FRESH not in _values(before)
    now = datetime.now(UTC)
    topic = f"aquarium/{TANK}/temperature"
    BatchStore(seeded).write([NewReading(TANK, "temperature", FRESH, now, now, topic)], [])
    assert FRESH in _values(_chart())
