"""Logbook: test-kit results typed in a form, corrected in a table, imported and exported."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from dashboard.formatting import label, plain, value_text, when_text
from dashboard.logbook_form import show_form
from dashboard.logbook_table import show_history
from dashboard.state import all_tanks, choose_tank, engine, keeper_zone
from db.csv_io import MAX_BYTES, export_csv, import_rows, read_csv
from db.manual import list_tests
from sensors.errors import AquariumError

ROUND, IMPORTED = "log_import_round", "log_imported"

tank = choose_tank(all_tanks())
st.title("Logbook")
if tank is None:
    st.info("No tanks yet: add one on the **Tanks** page first.")
    st.stop()
zone = keeper_zone()

st.subheader(f"New test session · {plain(tank.name)}")
st.caption(
    "Fill in what you tested and leave the rest empty. Pick the unit your kit reports; a unit "
    "typed after the number (such as `20 NO3-N`) works too. Same checks as `aquarium log`."
)
show_form(tank.name, zone)

st.subheader("History")
show_history(engine(), tank.name, zone)

st.subheader("Import and export")
left, right = st.columns(2)
with left:
    upload = st.file_uploader(
        "Import a CSV of test results",
        type=["csv"],
        help="Columns: time,parameter,value and optionally unit,note. A time without a zone is "
        "local time. The CSV that Export writes can be imported again.",
        key=f"log_import_{tank.name}_{st.session_state.get(ROUND, 0)}",
        max_upload_size=max(1, MAX_BYTES // 1_000_000),  # in MB
    )
with right:
    tests = list_tests(engine(), tank.name)
    st.download_button(
        f"Export {len(tests)} test results as CSV",
        data=export_csv(tests),
        file_name=f"{tank.name}-tests-{datetime.now(UTC):%Y%m%d}.csv",
        mime="text/csv",
        disabled=not tests,
        icon=":material/download:",
    )

if upload is not None:
    try:
        rows = read_csv(upload.getvalue(), tank.name, set_up=tank.set_up_at)
    except AquariumError as exc:
        st.error(plain(str(exc)))
        st.stop()
    good = [r for r in rows if r.error is None]
    bad = [r for r in rows if r.error is not None]
    st.dataframe(
        pd.DataFrame(
            {
                "line": [r.line for r in rows],
                "time": [when_text(r.time, zone) if r.time else "" for r in rows],
                "parameter": [label(r.result.parameter) if r.result else "" for r in rows],
                "value": [
                    value_text(r.result.parameter, r.result.value) if r.result else "" for r in rows
                ],
                "status": ["ok" if r.error is None else f"error: {r.error}" for r in rows],
            }
        ),
        hide_index=True,
        placeholder="",  # a missing value is an empty cell, not "None"
    )
    st.caption(f"{len(good)} row(s) ready, {len(bad)} with errors (those are skipped).")
    if good and st.button(f"Import {len(good)} good row(s)", type="primary"):
        stored = import_rows(engine(), tank.name, good)
        # A new uploader key empties it, so a second click cannot import the file twice.
        st.session_state[ROUND] = st.session_state.get(ROUND, 0) + 1
        st.session_state[IMPORTED] = f"Imported {stored} test result(s)."
        st.rerun()
if IMPORTED in st.session_state:
    st.success(st.session_state.pop(IMPORTED))
