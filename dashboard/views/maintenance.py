"""Maintenance: water changes (percent, or litres via the tank's volume), cleans, top-offs."""

from __future__ import annotations

from contextlib import suppress
from datetime import UTC, datetime, tzinfo

import pandas as pd
import streamlit as st

from dashboard.advice_view import forget_advice
from dashboard.formatting import plain, server_zone, span_text, when_text
from dashboard.logbook_form import as_utc
from dashboard.state import all_tanks, choose_tank, engine, keeper_zone
from dashboard.time_axis import local_times
from db.errors import NotFound
from db.maintenance import KINDS, delete_event, list_events, log_event
from db.tanks import Tank
from sensors.errors import AquariumError
from sensors.keeper_input import check_maintenance, check_time
from sensors.notes import NOTE_MAX_CHARS

KIND_LABELS = {
    "water-change": "Water change",
    "gravel-clean": "Gravel clean",
    "filter-clean": "Filter clean",
    "top-off": "Top-off",
    "note": "Note",
}
AMOUNT_NAMES = ("Percent", "Litres")
KIND, HOW, AMOUNT, AT, NOTE = "mt_kind", "mt_how", "mt_amount", "mt_at", "mt_note"
ERROR, SAVED = "mt_error", "mt_saved"


def _now_field(zone: tzinfo | None) -> datetime:
    return datetime.now(zone or server_zone()).replace(tzinfo=None, second=0, microsecond=0)


def _save(tank: Tank, zone: tzinfo | None) -> None:
    state = st.session_state
    kind, amount = state[KIND], state.get(AMOUNT)
    percent = amount if state[HOW] == AMOUNT_NAMES[0] and amount is not None else None
    litres = amount if state[HOW] == AMOUNT_NAMES[1] and amount is not None else None
    at = as_utc(state.get(AT), zone)
    try:
        percent, litres = check_maintenance(
            kind, percent, litres, tank.volume_l, tank.name, names=AMOUNT_NAMES
        )
        check_time(at, set_up=tank.set_up_at)
        log_event(
            engine(),
            tank.name,
            kind,
            at=at,
            percent=percent,
            litres=litres,
            note=state.get(NOTE, "").strip(),
        )
    except AquariumError as exc:
        state[ERROR] = str(exc)
        return
    state.pop(ERROR, None)
    forget_advice()
    size = f" ({percent:g} %{f', {litres:g} L' if litres else ''})" if percent else ""
    state[SAVED] = f"Logged: {KIND_LABELS[kind].lower()}{size}."
    state[AMOUNT], state[NOTE], state[AT] = None, "", _now_field(zone)


def _form(tank: Tank, zone: tzinfo | None) -> None:
    state = st.session_state
    state.setdefault(AT, _now_field(zone))
    state.setdefault(KIND, KINDS[0])
    state.setdefault(HOW, AMOUNT_NAMES[0])
    if SAVED in state:
        st.success(plain(state.pop(SAVED)), icon=":material/check_circle:")
    with st.form("maintenance_form", width=720):
        st.selectbox("What was done", KINDS, format_func=KIND_LABELS.__getitem__, key=KIND)
        how, amount = st.columns([1, 2])
        with how:
            st.radio("Amount in", AMOUNT_NAMES, key=HOW, horizontal=True)
        with amount:
            st.number_input(
                "Amount (water changes; optional otherwise)",
                min_value=0.0,
                step=5.0,
                value=None,
                key=AMOUNT,
                placeholder="e.g. 30",
            )
        if ERROR in state:
            st.error(plain(state[ERROR]))
        if not tank.volume_l:
            st.caption("Litres stay litres until the tank's volume is set on the **Tanks** page.")
        st.datetime_input("When (local time)", key=AT)
        st.text_input("Note", key=NOTE, max_chars=NOTE_MAX_CHARS)
        st.form_submit_button("Log it", type="primary", on_click=_save, args=(tank, zone))


tank = choose_tank(all_tanks())
st.title("Maintenance")
if tank is None:
    st.info("No tanks yet: add one on the **Tanks** page first.")
    st.stop()
zone = keeper_zone()
events = list_events(engine(), tank.name)
now = datetime.now(UTC)
changes = [e for e in events if e.kind == "water-change" and e.time <= now]
cleans = [e for e in events if e.kind == "gravel-clean" and e.time <= now]
first, second = st.columns(2)
for column, title, done in (
    (first, "Last water change", changes),
    (second, "Last gravel clean", cleans),
):
    column.metric(
        title,
        f"{span_text((now - done[-1].time).total_seconds())} ago" if done else "never logged",
        help=f"{when_text(done[-1].time, zone)} local time" if done else None,
    )
_form(tank, zone)

st.subheader("History")
if not events:
    st.info("Nothing logged yet.")
    st.stop()
newest = list(reversed(events))
frame = pd.DataFrame(
    {
        "time": local_times([e.time.timestamp() for e in newest], zone),
        "What": [KIND_LABELS.get(e.kind, e.kind) for e in newest],
        "percent": [e.percent for e in newest],
        "litres": [e.litres for e in newest],
        "Note": [e.note for e in newest],
        "delete": [False] * len(newest),
    }
)
edited = st.data_editor(
    frame,
    hide_index=True,
    placeholder="",  # a missing value is an empty cell, not "None"
    disabled=["time", "What", "percent", "litres", "Note"],
    key=f"mt_history_{tank.name}",
    column_config={
        "time": st.column_config.DatetimeColumn("Time (local)", format="YYYY-MM-DD HH:mm"),
        "percent": st.column_config.NumberColumn("%", format="%.0f"),
        "litres": st.column_config.NumberColumn("Litres", format="%.1f"),
        "delete": st.column_config.CheckboxColumn("Delete"),
    },
)
doomed = [newest[i].id for i in edited.index[edited["delete"]]]
if doomed and st.button(f"Delete {len(doomed)} event(s)", type="primary"):
    for event_id in doomed:
        with suppress(NotFound):  # deleted meanwhile in another tab: the goal is reached
            delete_event(engine(), event_id)
    del st.session_state[f"mt_history_{tank.name}"]
    st.rerun()
