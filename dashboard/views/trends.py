"""Trends: chosen parameters on one time axis, with test results, maintenance and safe bands."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo

import pandas as pd
import streamlit as st

from dashboard.formatting import label, plain, span_text, value_text, when_text
from dashboard.state import all_tanks, choose_tank, engine, keeper_zone, profile_for
from dashboard.time_axis import zone_name
from dashboard.trend_data import (
    DEFAULT_SPAN,
    default_parameters,
    rank,
    trend_view,
    view_range,
)
from db.trends import charted_parameters

PRESETS = {
    "24 h": timedelta(hours=24),
    "7 d": timedelta(days=7),
    "30 d": DEFAULT_SPAN,
    "1 y": timedelta(days=365),
}
CUSTOM = "Custom"
DEFAULT_PRESET = "30 d"  # the view dashboard/trend_data.py fills ahead


def _range(zone: tzinfo | None) -> tuple[datetime, datetime] | None:
    """The chosen range in UTC; None while a custom range is half picked."""
    preset = st.segmented_control(
        "Range", [*PRESETS, CUSTOM], default=DEFAULT_PRESET, key="trend_range"
    )
    now = datetime.now(UTC)
    if preset != CUSTOM:
        return view_range(now, PRESETS.get(preset or DEFAULT_PRESET, PRESETS[DEFAULT_PRESET]))
    today = now.astimezone(zone).date()
    picked = st.date_input(
        "From – to (local dates)",
        value=(today - timedelta(days=30), today),
        max_value=today,
        key="trend_custom",
    )
    if not isinstance(picked, tuple) or len(picked) != 2:
        st.info("Pick the last day of the range too.")
        return None
    first, last = picked

    def midnight(day: date) -> datetime:
        return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)

    return midnight(first), midnight(last + timedelta(days=1))


tank = choose_tank(all_tanks())
st.title("Trends")
if tank is None:
    st.info("No tanks yet: add one on the **Tanks** page.")
    st.stop()
available = sorted(charted_parameters(engine(), tank.name), key=rank)
if not available:
    st.info(
        f"Nothing to draw for {plain(tank.name)} yet: no sensor has reported and no test result "
        "is logged."
    )
    st.stop()

zone = keeper_zone()
_profile, problem = profile_for(tank)
if problem:
    st.warning(plain(problem))
chosen = st.multiselect(
    "Parameters",
    available,
    default=default_parameters(available),
    format_func=label,
    key=f"trend_parameters_{tank.name}",
)
picked = _range(zone)
if not chosen or picked is None:
    if not chosen:
        st.info("Choose at least one parameter.")
    st.stop()
since, until = picked
chosen = sorted(chosen, key=rank)
view = trend_view(tank, tuple(chosen), since, until, str(zone or ""))
series, tests, cone = view.series, view.tests, view.cone
if view.figure is not None:
    st.plotly_chart(
        view.figure, config={"displaylogo": False, "scrollZoom": False}, key="trend_chart"
    )
empty = view.empty
drawn = view.figure is not None
if empty:
    names = ", ".join(label(p) for p in empty)
    st.info(
        f"No data in this range for {names}: widen the range, or log a test.",
        icon=":material/hide_source:",
    )

buckets = {s.bucket_s for s in series.values() if len(s)}
legend = (
    "Green: the profile's safe range; red dotted lines: its limits to act on; ◆ test-kit results"
    + (
        "; dashed orange and its shading: the advisor's forecast and its uncertainty"
        if cone
        else ""
    )
    + "."
)
if buckets - {0}:
    size = span_text(max(buckets))
    st.caption(
        f"Lines are {size} means; the shaded band spans each {size}'s lowest to highest "
        f"reading, so short spikes stay visible. {legend}"
    )
elif drawn:
    st.caption(f"Every reading is drawn. {legend}")
st.caption(f"{when_text(since, zone)} to {when_text(until, zone)}, times in {zone_name(zone)}.")

with st.expander(f"Test results in this range ({len(tests)})"):
    if tests:
        st.table(
            pd.DataFrame(
                {
                    "time": [when_text(t.time, zone) for t in reversed(tests)],
                    "parameter": [label(t.parameter) for t in reversed(tests)],
                    "value": [value_text(t.parameter, t.value) for t in reversed(tests)],
                    "note": [plain(t.note) for t in reversed(tests)],
                }
            )
        )
    else:
        st.write("No test results in this range.")
