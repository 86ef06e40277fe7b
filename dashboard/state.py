"""What every page shares: the database engine (opened once per server) and the chosen tank."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st
from sqlalchemy import Engine

from aquarium.errors import AquariumError
from aquarium.settings import load_settings
from db.engine import open_engine
from db.errors import StoreError
from db.tanks import Tank, list_tanks


@dataclass(frozen=True)
class Store:
    """The engine, or the one-line error that stopped it opening."""

    engine: Engine | None
    error: str | None = None


@st.cache_resource
def open_store() -> Store:
    """Open the database named by the settings once for the whole server."""
    try:
        return Store(open_engine(load_settings().db_url))
    except (AquariumError, StoreError) as exc:
        return Store(None, f"Cannot start: {exc}")


def engine() -> Engine:
    """The shared engine (pages run only after app.py checked it opened)."""
    found = open_store().engine
    assert found is not None
    return found


def choose_tank(tanks: list[Tank]) -> Tank | None:
    """A tank selector in the sidebar, remembered across pages; None when there are no tanks."""
    if not tanks:
        return None
    names = [t.name for t in tanks]
    remembered = st.session_state.get("tank_name")
    index = names.index(remembered) if remembered in names else 0
    label = [f"{t.name} (simulated)" if t.simulated else t.name for t in tanks]
    chosen = st.sidebar.selectbox(
        "Tank", range(len(tanks)), index=index, format_func=label.__getitem__
    )
    st.session_state["tank_name"] = names[chosen]
    return tanks[chosen]


def all_tanks() -> list[Tank]:
    """Every tank, fresh from the database."""
    return list_tanks(engine())
