"""What every page shares: the engine and settings (opened once per server), the chosen tank,
the keeper's time zone and the tank's health profile."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import streamlit as st
from sqlalchemy import Engine

from db.engine import open_engine
from db.tanks import Tank, list_tanks, unknown_tank_message
from health.profiles import DEFAULT_PROFILE, Profile, get_profile
from sensors.credentials import mask_credentials
from sensors.errors import AquariumError
from settings.environment import Settings, load_settings

TANK_KEY = "tank_name"
TANK_PARAM = "tank"  # ?tank=turtles
TANK_WIDGET = "tank_select"


@dataclass(frozen=True)
class Store:
    """The engine and settings, or the one-line error that stopped them opening."""

    engine: Engine | None
    error: str | None = None
    settings: Settings | None = None


@st.cache_resource
def open_store() -> Store:
    """Open the database named by the settings once for the whole server."""
    try:
        settings = load_settings()
        return Store(open_engine(settings.db_url), settings=settings)
    except AquariumError as exc:
        return Store(None, f"Cannot start: {mask_credentials(str(exc))}")


def engine() -> Engine:
    """The shared engine (pages run only after app.py checked it opened)."""
    found = open_store().engine
    assert found is not None
    return found


def settings() -> Settings | None:
    """The settings read at start (None only when they failed, and then no page runs)."""
    return open_store().settings


def all_tanks() -> list[Tank]:
    """Every tank, fresh from the database."""
    return list_tanks(engine())


def first_choice(tanks: list[Tank], asked: str | None) -> int:
    """Index of the tank ASKED for, else the first real tank: the demo never hides a real one."""
    names = [t.name for t in tanks]
    if asked in names:
        return names.index(asked)
    return next((i for i, t in enumerate(tanks) if not t.simulated), 0)


def choose_tank(tanks: list[Tank]) -> Tank | None:
    """A tank selector in the sidebar, kept in the URL (?tank=turtles) so a page can be
    bookmarked and shared; None when there are no tanks."""
    if not tanks:
        return None
    names = [t.name for t in tanks]
    asked = st.query_params.get(TANK_PARAM) or st.session_state.get(TANK_KEY)
    if asked and asked not in names:
        st.warning(unknown_tank_message(asked, names))
    index = first_choice(tanks, asked)
    # The URL wins over the widget's remembered value: it changes when a card or a shared link
    # opens another tank; the widget's own changes reach the URL first, through on_change.
    st.session_state[TANK_WIDGET] = index

    def chosen_by_hand() -> None:
        st.query_params[TANK_PARAM] = names[st.session_state[TANK_WIDGET]]

    shown = [f"{t.name} (simulated)" if t.simulated else t.name for t in tanks]
    chosen = st.sidebar.selectbox(
        "Tank",
        range(len(tanks)),
        key=TANK_WIDGET,
        format_func=shown.__getitem__,
        on_change=chosen_by_hand,
    )
    st.session_state[TANK_KEY] = names[chosen]
    st.query_params[TANK_PARAM] = names[chosen]
    return tanks[chosen]


def keeper_zone() -> tzinfo | None:
    """The browser's time zone when it told us, else None (the server's local zone)."""
    name = st.context.timezone
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def configured_limits(tank: str) -> dict[str, float]:
    """The limit overrides the config file gives TANK."""
    found = settings()
    if found is None:
        return {}
    for configured in found.config.tanks:
        if configured.name == tank:
            return dict(configured.limits)
    return {}


def in_config(tank: str) -> bool:
    """Whether the config file describes TANK (its volume and profile are then the file's)."""
    found = settings()
    return found is not None and any(t.name == tank for t in found.config.tanks)


def profile_for(tank: Tank) -> tuple[Profile, str | None]:
    """The tank's profile with the config's overrides, and a warning when it had to fall back."""
    try:
        return get_profile(tank.profile, configured_limits(tank.name)), None
    except AquariumError as exc:
        return get_profile(DEFAULT_PROFILE), f"{exc}; showing limits of {DEFAULT_PROFILE!r}."
