"""Tanks: add a tank, or change a tank's volume and health profile."""

from __future__ import annotations

import streamlit as st

from dashboard.formatting import plain, when_text
from dashboard.state import TANK_KEY, all_tanks, choose_tank, engine, in_config, keeper_zone
from db.tanks import add_tank, update_tank
from health.profiles import DEFAULT_PROFILE, PROFILES
from sensors.errors import AquariumError
from sensors.keeper_input import TANK_VOLUME_L
from sensors.naming import tank_name_problem

FORM_WIDTH = 720


def _profile_text(name: str) -> str:
    found = PROFILES.get(name)
    return f"{name}: {found.description}" if found else name


tanks = all_tanks()
tank = choose_tank(tanks)
zone = keeper_zone()
st.title("Tanks")

if tanks:
    st.dataframe(
        {
            "name": [t.name for t in tanks],
            "volume (L)": [t.volume_l for t in tanks],
            "profile": [t.profile for t in tanks],
            "simulated": ["yes" if t.simulated else "" for t in tanks],
            "added": [when_text(t.created_at, zone) for t in tanks],
        },
        hide_index=True,
        placeholder="",  # a missing value is an empty cell, not "None"
    )

if "tanks_note" in st.session_state:
    st.success(plain(st.session_state.pop("tanks_note")))

profiles = list(PROFILES)
if tank is not None:
    st.subheader(f"Edit {plain(tank.name)}")
    if in_config(tank.name):
        st.warning(
            "This tank is described in the config file (AQUARIUM_CONFIG): the daemon puts the "
            "file's volume and profile back when it starts. Change the file to make edits stick."
        )
    with st.form(f"edit_tank_{tank.name}", width=FORM_WIDTH):
        volume = st.number_input(
            "Volume of water (L)",
            min_value=TANK_VOLUME_L[0],
            max_value=TANK_VOLUME_L[1],
            value=tank.volume_l,
            placeholder="not set",
            help="Used to turn litres of a water change into a percentage.",
        )
        profile = st.selectbox(
            "Health profile",
            profiles,
            index=profiles.index(tank.profile) if tank.profile in profiles else 0,
            format_func=_profile_text,
        )
        if st.form_submit_button("Save", type="primary"):
            try:
                update_tank(engine(), tank.name, volume_l=volume, profile=profile)
            except AquariumError as exc:
                st.error(plain(str(exc)))
            else:
                st.session_state["tanks_note"] = f"Saved {tank.name}."
                st.rerun()
    st.caption("A tank keeps its name: sensors publish under it (aquarium/<name>/...).")

st.subheader("Add a tank")
with st.form("add_tank", width=FORM_WIDTH):
    name = st.text_input("Name", max_chars=32, help="Lowercase letters, digits, - and _.")
    volume = st.number_input(
        "Volume of water (L)",
        min_value=TANK_VOLUME_L[0],
        max_value=TANK_VOLUME_L[1],
        value=None,
        placeholder="optional",
    )
    profile = st.selectbox(
        "Health profile", profiles, index=profiles.index(DEFAULT_PROFILE), format_func=_profile_text
    )
    if st.form_submit_button("Add tank", type="primary"):
        problem = tank_name_problem(name.strip())
        if problem:
            st.error(plain(problem))
        else:
            try:
                add_tank(engine(), name.strip(), volume_l=volume, profile=profile)
            except AquariumError as exc:
                st.error(plain(str(exc)))
            else:
                st.session_state[TANK_KEY] = name.strip()
                st.session_state["tanks_note"] = f"Added {name.strip()}."
                st.rerun()
