"""Trends: chosen parameters on one time axis, with test results, maintenance and safe bands."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo

import pandas as pd
import streamlit as st

from dashboard.advice_view import current_verdict
from dashboard.charts import drawable, trend_figure
from dashboard.formatting import label, plain, span_text, value_text, when_text
from dashboard.state import all_tanks, choose_tank, engine, keeper_zone, profile_for
from dashboard.time_axis import zone_name
from db.maintenance import list_events
from db.manual import list_tests
from db.trends import Series, charted_parameters, trend_series
from health.profiles import limits, safe_band

PRESETS = {
    "24 h": timedelta(hours=24),
    "7 d": timedelta(days=7),
    "30 d": timedelta(days=30),
    "1 y": timedelta(days=365),
}
CUSTOM = "Custom"
# Test kits are weekly or rarer: 30 days shows several results and the last water change.
DEFAULT_PRESET = "30 d"
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
DEFAULT_COUNT = 6


def _rank(parameter: str) -> int:
    return PRIORITY.index(parameter) if parameter in PRIORITY else len(PRIORITY)


@st.cache_data(ttl=30, show_spinner="Reading the history…")
def _series(tank: str, parameters: tuple[str, ...], since: int, until: int) -> dict[str, Series]:
    """Cached per minute-rounded range: switching pages and back does not query again."""
    return trend_series(
        engine(),
        tank,
        parameters,
        datetime.fromtimestamp(since, UTC),
        datetime.fromtimestamp(until, UTC),
    )


def _range(zone: tzinfo | None) -> tuple[datetime, datetime] | None:
    """The chosen range in UTC; None while a custom range is half picked."""
    preset = st.segmented_control(
        "Range", [*PRESETS, CUSTOM], default=DEFAULT_PRESET, key="trend_range"
    )
    now = datetime.now(UTC)
    until = datetime.fromtimestamp((int(now.timestamp()) // 60 + 1) * 60, UTC)
    if preset != CUSTOM:
        return until - PRESETS.get(preset or DEFAULT_PRESET, PRESETS[DEFAULT_PRESET]), until
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
available = sorted(charted_parameters(engine(), tank.name), key=_rank)
if not available:
    st.info(
        f"Nothing to draw for {plain(tank.name)} yet: no sensor has reported and no test result "
        "is logged."
    )
    st.stop()

zone = keeper_zone()
profile, problem = profile_for(tank)
if problem:
    st.warning(plain(problem))
chosen = st.multiselect(
    "Parameters",
    available,
    default=available[:DEFAULT_COUNT],
    format_func=label,
    key=f"trend_parameters_{tank.name}",
)
picked = _range(zone)
if not chosen or picked is None:
    if not chosen:
        st.info("Choose at least one parameter.")
    st.stop()
since, until = picked
chosen = sorted(chosen, key=_rank)
series = _series(tank.name, tuple(chosen), int(since.timestamp()), int(until.timestamp()))
tests = [
    t for t in list_tests(engine(), tank.name, since=since, until=until) if t.parameter in chosen
]
events = list_events(engine(), tank.name, since=since, until=until)
bands = {
    p: band for p in chosen if limits(profile, p) and (band := safe_band(profile, p)) is not None
}
act = {
    p: (found.act_low, found.act_high) for p in chosen if (found := limits(profile, p)) is not None
}
try:
    verdict = current_verdict(tank)
except Exception:  # the overview says what broke; a chart without the forecast is still a chart
    verdict = None
cone = verdict.forecast if verdict is not None else None  # the nitrate forecast
if cone is not None and cone.parameter not in chosen:
    cone = None
drawn, empty = drawable({p: series[p] for p in chosen}, tests, cone)
if drawn:
    figure = trend_figure(
        {p: series[p] for p in chosen}, tests, events, bands, zone, act, (since, until), cone
    )
    st.plotly_chart(figure, config={"displaylogo": False, "scrollZoom": False}, key="trend_chart")
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
