"""Home: every tank at a glance, the ones needing attention first; a card opens its overview."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import streamlit as st

from dashboard.formatting import local, plain
from dashboard.state import engine, keeper_zone
from dashboard.status_view import show_pipeline_status
from dashboard.tank_cards import ACT, CARD_STYLE, FINE, by_urgency, show_tank_card, urgency
from db.errors import NotFound
from db.home import TankSummary, tank_summaries
from db.tanks import archive_tank, remove_tank

REFRESH = timedelta(seconds=30)
OVERVIEW = "views/overview.py"

st.title("Tanks at a glance")


def _how_many(count: int, total: int) -> str:
    """'2 of 5 tanks need', or 'The tank needs' when there is only one (a fresh install's demo)."""
    return "The tank needs" if total == 1 else f"{count} of {total} tanks need"


def _retire_demo(names: list[str], keep_history: bool) -> None:
    for name in names:
        try:
            (archive_tank if keep_history else remove_tank)(engine(), name)
        except NotFound:
            continue  # removed meanwhile, from another tab or the command line
    done = "archived (its history kept)" if keep_history else "removed with its history"
    st.session_state["home_note"] = f"The demo tank is {done}."


def offer_to_retire_the_demo(tanks: list[TankSummary]) -> None:
    """Once the keeper has a tank of their own the demo has stopped: offer to take it away."""
    demos = [t.name for t in tanks if t.simulated]
    real = [t.name for t in tanks if not t.simulated]
    if not demos or not real:
        return
    with st.container(border=True, key="demo-offer"):
        st.markdown(
            f"**{plain(', '.join(demos))}** is the simulated demo tank. It stopped streaming when "
            f"**{plain(real[0])}** appeared. Remove it?"
        )
        with st.container(horizontal=True):
            st.button(
                "Remove the demo and its history",
                key="demo-remove",
                on_click=_retire_demo,
                args=(demos, False),
            )
            st.button(
                "Archive it (keep its history)",
                key="demo-archive",
                on_click=_retire_demo,
                args=(demos, True),
            )


@st.fragment(run_every=REFRESH)
def grid() -> None:
    now = datetime.now(UTC)
    today = local(now, keeper_zone()).date()  # "due today" is the keeper's today
    show_pipeline_status()
    tanks = by_urgency(tank_summaries(engine(), now))
    if "home_note" in st.session_state:
        st.success(st.session_state.pop("home_note"))
    offer_to_retire_the_demo(tanks)
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
        st.error(f"**{_how_many(urgent, len(tanks))} action now.**", icon=":material/warning:")
    elif attention:
        st.warning(f"{_how_many(attention, len(tanks))} a look.", icon=":material/schedule:")
    elif len(tanks) == 1:
        st.success("The tank is fine.", icon=":material/check_circle:")
    else:
        st.success(f"All {len(tanks)} tanks are fine.", icon=":material/check_circle:")
    st.html(CARD_STYLE)
    with st.container(horizontal=True, gap="small"):
        for tank in tanks:
            show_tank_card(tank, OVERVIEW, today)
    st.caption(
        f"Updated {local(now, keeper_zone()):%H:%M:%S}; refreshes every {REFRESH.seconds} s. "
        "Most urgent first; tap a tank's name to open it."
    )


grid()
