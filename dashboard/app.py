"""The Streamlit entry point: `aquarium dashboard` runs this file."""

from __future__ import annotations

import sys
from pathlib import Path

# Streamlit runs this file as a script; make the project's packages importable when not installed.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import streamlit as st

from dashboard.formatting import zone_name
from dashboard.state import keeper_zone, open_store
from dashboard.warmup import FILL, chart_script_preload, warm_up_imports
from sensors.errors import AquariumError

# pandas and plotly load, then the Trends page's default view is read into its cache
# (dashboard/trend_data.py). `aquarium dashboard` began this as the server started
# (dashboard/serve.py), and then this call does nothing; a bare `streamlit run` begins it here.
warm_up_imports(then=FILL)

st.set_page_config(page_title="Aquarium monitor", page_icon=":material/pets:", layout="wide")

PRELOAD_KEY = "chunk-preload"

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
# The plotly and Trends widget chunks load in the browser while the first page is read
# (dashboard/warmup.py). Before the page runs, not after: a keeper who clicks on while the home
# page is still reading its tanks stops that run, and a tag sent last never reached the browser.
# Our own fixed tags, no input; their container is hidden so it leaves no gap in the sidebar.
if (preload := chart_script_preload()) is not None:
    hidden = f"<style>:has(> .st-key-{PRELOAD_KEY}) {{ display: none; }}</style>"
    st.sidebar.container(key=PRELOAD_KEY).html(hidden + preload, unsafe_allow_javascript=True)
try:
    navigation.run()
except AquariumError as exc:  # e.g. the database locked by another program: one line, the fix
    st.error(str(exc))
