"""Home: every tank at a glance, the ones needing attention first; a card opens its overview."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import streamlit as st

from dashboard.formatting import local
from dashboard.state import engine, keeper_zone
from dashboard.status_view import show_pipeline_status
from dashboard.tank_cards import ACT, CARD_STYLE, FINE, by_urgency, show_tank_card, urgency
from db.home import tank_summaries

REFRESH = timedelta(seconds=30)
OVERVIEW = "views/overview.py"

st.title("Tanks at a glance")


@st.fragment(run_every=REFRESH)
def grid() -> None:
    now = datetime.now(UTC)
    show_pipeline_status()
    tanks = by_urgency(tank_summaries(engine(), now))
    if not tanks:
        st.info(
            "No tanks yet. Add one on the **Tanks** page, or publish a reading to "
            "`aquarium/<tank>/<parameter>` (for example `aquarium/turtles/temperature` with "
            "`25.1`)."
        )
        return
    urgent = sum(1 for t in tanks if urgency(t) == ACT)
    attention = sum(1 for t in tanks if urgency(t) != FINE)
    if urgent:
        st.error(f"**{urgent} of {len(tanks)} tanks need action now.**", icon=":material/warning:")
    elif attention:
        st.warning(f"{attention} of {len(tanks)} tanks need a look.", icon=":material/schedule:")
    else:
        st.success(f"All {len(tanks)} tanks are fine.", icon=":material/check_circle:")
    st.html(CARD_STYLE)
    with st.container(horizontal=True, gap="small"):
        for tank in tanks:
            show_tank_card(tank, OVERVIEW)
    st.caption(
        f"Updated {local(now, keeper_zone()):%H:%M:%S}; refreshes every {REFRESH.seconds} s. "
        "Most urgent first; tap a tank's name to open it."
    )


grid()
