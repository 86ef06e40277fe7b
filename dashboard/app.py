"""The Streamlit entry point: `aquarium dashboard` runs this file."""

from __future__ import annotations

import sys
from pathlib import Path

# Streamlit runs this file as a script; make the project's packages importable when not installed.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import streamlit as st

from dashboard.state import open_store

st.set_page_config(page_title="Aquarium monitor", page_icon="🐢", layout="wide")

store = open_store()
if store.error:
    st.error(store.error)
    st.stop()

PAGES = Path(__file__).resolve().parent / "pages"
navigation = st.navigation(
    [
        st.Page(PAGES / "overview.py", title="Overview", icon="🏠", default=True),
    ]
)
navigation.run()
