"""Fixtures for the dashboard: a private SQLite file named by AQUARIUM_DB_URL, caches cleared."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from db.engine import open_engine
from tests.dashboard.seed import TANK, seed

APP = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"
PAGES = ("home", "overview", "trends", "logbook", "maintenance", "alerts", "sensors", "tanks")


@pytest.fixture
def dashboard_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """AQUARIUM_DB_URL pointing at this test's own file, with Streamlit's caches emptied."""
    url = f"sqlite:///{tmp_path / 'dashboard.db'}"
    monkeypatch.setenv("AQUARIUM_DB_URL", url)
    monkeypatch.delenv("AQUARIUM_CONFIG", raising=False)
    # The engine is cached per server (st.cache_resource): without this, a test would see the
    # previous test's database.
    st.cache_resource.clear()
    st.cache_data.clear()
    yield url
    st.cache_resource.clear()
    st.cache_data.clear()


@pytest.fixture
def dashboard_engine(dashboard_url: str) -> Iterator[Engine]:
    """An engine on the dashboard's database (empty, migrated)."""
    engine = open_engine(dashboard_url)
    yield engine
    engine.dispose()


@pytest.fixture
def seeded(dashboard_engine: Engine) -> Engine:
    """The dashboard's database with tests/dashboard/seed.py's tank in it."""
    seed(dashboard_engine)
    return dashboard_engine


def open_page(page: str, tank: str | None = TANK, *, url_tank: str | None = None) -> AppTest:
    """Run the app on PAGE (one of PAGES) with TANK chosen, or URL_TANK given as ?tank=."""
    app = AppTest.from_file(str(APP), default_timeout=30)
    if tank is not None:
        app.session_state["tank_name"] = tank
    if url_tank is not None:
        app.query_params["tank"] = url_tank
    if page != "home":
        app.switch_page(f"views/{page}.py")
    return app.run()
