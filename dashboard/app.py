"""The Streamlit entry point: `aquarium dashboard` runs this file."""

from __future__ import annotations

import sys
from pathlib import Path

# Streamlit runs this file as a script; make the project's packages importable when not installed.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import streamlit as st

from dashboard.formatting import zone_name
from dashboard.state import keeper_zone, open_store
from dashboard.warmup import chart_script_preload, warm_up_imports
from sensors.errors import AquariumError

warm_up_imports()  # pandas and plotly load while the keeper reads the first page

st.set_page_config(page_title="Aquarium monitor", page_icon=":material/pets:", layout="wide")

store = open_store()
if store.error:
    st.error(store.error)
    st.stop()

# Not "pages/": Streamlit would also auto-discover that folder and serve a page opened by URL on
# a freshly started server without app.py (no store check, no page config, file names as nav).
PAGES = Path(__file__).resolve().parent / "views"
navigation = st.navigation(
    [
        st.Page(PAGES / "home.py", title="All tanks", icon=":material/grid_view:", default=True),
        st.Page(PAGES / "overview.py", title="Overview", icon=":material/home:"),
        st.Page(PAGES / "trends.py", title="Trends", icon=":material/show_chart:"),
        st.Page(PAGES / "logbook.py", title="Logbook", icon=":material/science:"),
        st.Page(PAGES / "maintenance.py", title="Maintenance", icon=":material/water_drop:"),
        st.Page(PAGES / "alerts.py", title="Alerts", icon=":material/notifications_active:"),
        st.Page(PAGES / "sensors.py", title="Sensors", icon=":material/sensors:"),
        st.Page(PAGES / "tanks.py", title="Tanks", icon=":material/pets:"),
    ]
)
# The keeper's zone, named once for every page: the times on them are all in it.
st.sidebar.caption(f"Times in {zone_name(keeper_zone())}")
try:
    navigation.run()
except AquariumError as exc:  # e.g. the database locked by another program: one line, the fix
    st.error(str(exc))
finally:
    # The plotly chunk loads in the browser while the first page is read (dashboard/warmup.py);
    # last in the sidebar, where its empty element moves nothing. Our own fixed tag, no input.
    if (preload := chart_script_preload()) is not None:
        st.sidebar.html(preload, unsafe_allow_javascript=True)
