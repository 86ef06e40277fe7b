"""The overview's parameter cards: latest value, its age, a status against the profile's limits,
and grey "no data for N min" when the sensor has gone quiet."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

import streamlit as st

from dashboard.formatting import age_text, label, local, plain, span_text, value_text
from db.latest import LatestValue
from db.sensor_status import SensorState
from health.profiles import Profile, parameter_status
from health.sensor_health import overdue

# Status badges: the words a keeper acts on, and colours that read at a glance.
STATUS_BADGE = {"ok": ("OK", "green"), "watch": ("Watch", "orange"), "act": ("Act", "red")}
# A sensor that says nothing about its interval and has too few readings to infer one: Tasmota's
# default TelePeriod (DOMAIN.md, "Sensors and their quirks").
DEFAULT_INTERVAL_S = 300.0
# Card labels that fit a card's width (the catalogue's full names are for tables and charts).
SHORT_LABELS = {
    "ammonia": "Ammonia (TAN)",
    "orp": "ORP (redox)",
    "kh": "KH (carbonate)",
    "gh": "GH (general)",
    "tds": "TDS",
    "temperature": "Temperature",
}
# Two cards side by side on a 390 px phone; the value's font shrinks to fit "1250 µS/cm".
CARD_WIDTH = 166
# Our own static CSS (no keeper text in it): greys out the value of a card whose data is old.
CARD_STYLE = """<style>
[class*="st-key-card-old-"] [data-testid="stMetricValue"] { color: #9ca3af; }
[class*="st-key-card-old-"] svg { opacity: 0.45; }
[class*="st-key-card-"] [data-testid="stMetricValue"] { font-size: 1.6rem; }
</style>"""


@dataclass(frozen=True)
class Freshness:
    """When a parameter's sensor was last heard and whether that is too long ago."""

    last_seen: datetime | None
    stale: bool
    silent_s: float


def freshness(parameter: str, states: list[SensorState], now: datetime) -> Freshness | None:
    """Staleness of the sensors measuring PARAMETER; None when no sensor measures it."""
    mine = [s for s in states if s.parameter == parameter]
    if not mine:
        return None
    seen = [s.last_seen for s in mine if s.last_seen is not None]
    if not seen:
        return Freshness(None, True, 0.0)
    newest = max(mine, key=lambda s: s.last_seen or datetime.min.replace(tzinfo=now.tzinfo))
    interval = newest.expected_interval_s or newest.typical_interval_s or DEFAULT_INTERVAL_S
    silent = (now - max(seen)).total_seconds()
    return Freshness(max(seen), overdue(silent, interval), silent)


def show_card(
    latest: LatestValue,
    fresh: Freshness | None,
    profile: Profile,
    spark: list[float],
    now: datetime,
    zone: tzinfo | None,
) -> None:
    """One bordered card for LATEST."""
    point = latest.sensor if latest.sensor is not None else latest.newest
    from_kit = latest.sensor is None
    stale = fresh is not None and fresh.stale
    kit_too_old = from_kit and now - point.time > timedelta(days=profile.reading_max_age_days)
    old = stale or kit_too_old
    key = f"card-{'old-' if old else ''}{latest.parameter}"
    with st.container(border=True, width=CARD_WIDTH, key=key):
        name = SHORT_LABELS.get(latest.parameter) or label(latest.parameter)
        st.metric(
            f":gray[{name}]" if old else name,
            value_text(latest.parameter, point.value),
            chart_data=spark if len(spark) > 1 and not from_kit else None,
            chart_type="line",
        )
        if stale and fresh is not None:
            st.badge(
                f"No data for {span_text(fresh.silent_s)}",
                color="gray",
                icon=":material/pause_circle:",
            )
        elif kit_too_old:
            st.badge(f"Last test {age_text(point.time, now)}", color="gray")
        else:
            text, color = STATUS_BADGE[parameter_status(profile, latest.parameter, point.value)]
            st.badge(text, color=color)  # type: ignore[arg-type]  # STATUS_BADGE's colours are Streamlit's
        source = "test kit" if from_kit else "sensor"
        if latest.by_sensor:  # two probes: each one's value, by the keeper's label
            source = latest.chosen_by
            st.caption(
                " · ".join(
                    f"{plain(name)} {value_text(latest.parameter, p.value)}"
                    for name, p in latest.by_sensor
                )
            )
        st.caption(
            f"{source} · {age_text(point.time, now)}",
            help=f"{local(point.time, zone):%Y-%m-%d %H:%M} local time",
        )
        if latest.sensor is not None and latest.manual is not None:
            kit = latest.manual
            st.caption(
                f"test kit: {value_text(latest.parameter, kit.value)}, {age_text(kit.time, now)}"
            )
