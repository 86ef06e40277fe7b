"""Overview: the advisor's verdict, open alerts, and a card per parameter, refreshing by itself."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import streamlit as st

from dashboard.advice_view import show_advice
from dashboard.cards import CARD_STYLE, freshness, show_card
from dashboard.formatting import local, plain, when_text
from dashboard.state import all_tanks, choose_tank, engine, keeper_zone, profile_for
from dashboard.status_view import show_pipeline_status
from db.alerts_queries import OPEN_STATES, list_alerts
from db.latest import latest_values
from db.sensor_status import sensor_states
from db.tanks import Tank
from db.trends import trend_series
from health.wording import rule_title

REFRESH = timedelta(seconds=10)
SPARK_POINTS = 96  # one per 15 minutes of the last day

tank = choose_tank(all_tanks())
if tank is None:
    st.title("Overview")
    st.info(
        "No tanks yet. Add one on the **Tanks** page, or publish a reading to "
        "`aquarium/<tank>/<parameter>` (for example `aquarium/turtles/temperature` with `25.1`)."
    )
    st.stop()

st.title(f"Overview · {plain(tank.name)}")
if tank.simulated:
    st.caption(
        f"Tank **{plain(tank.name)}** is SIMULATED: demo data from the virtual tank, "
        "not a real tank."
    )
profile, problem = profile_for(tank)
if problem:
    st.warning(plain(problem))


@st.fragment(run_every=REFRESH)
def live(tank: Tank) -> None:
    now = datetime.now(UTC)
    zone = keeper_zone()
    show_pipeline_status()
    show_advice(tank)
    st.html(CARD_STYLE)
    for alert in list_alerts(engine(), states=OPEN_STATES, tank=tank.name, acknowledged=False):
        text = alert.message or alert.rule
        st.error(
            f"**Alert: {plain(rule_title(alert.rule))}** since {when_text(alert.since, zone)}: "
            f"{plain(text)}",
            icon=":material/notifications_active:",
        )
    latest = latest_values(engine(), tank.name)
    if not latest:
        st.info(
            f"No readings or test results for {plain(tank.name)} yet. Sensors publish to "
            f"`aquarium/{tank.name}/<parameter>`; test-kit results go in the **Logbook**."
        )
        return
    states = sensor_states(engine(), now, tank.name)
    sensed = [v.parameter for v in latest if v.sensor is not None]
    sparks = trend_series(
        engine(), tank.name, sensed, now - timedelta(hours=24), now, max_points=SPARK_POINTS
    )
    # Fixed-width cards in a wrapping row: six across a laptop, two across a phone.
    with st.container(horizontal=True, gap="small"):
        for value in latest:
            spark = sparks[value.parameter].lines()[0][1].mean if value.parameter in sparks else []
            fresh = freshness(value.parameter, states, now)
            show_card(value, fresh, profile, spark, now, zone)
    st.caption(
        f"Updated {local(now, zone):%H:%M:%S}; refreshes every {REFRESH.seconds} s. "
        f"Limits from the {plain(profile.name)} profile."
    )


live(tank)
