"""The test-session form: several kit results at once, each checked like `aquarium log` does.

Validation runs in the submit callback, before the page is drawn again, so each message can sit
right under the field it is about. A session is stored whole or not at all.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

import streamlit as st

from dashboard.advice_view import forget_advice
from dashboard.formatting import label, plain, server_zone, value_text
from dashboard.state import engine
from db.manual import log_tests
from db.tanks import get_tank
from sensors.errors import AquariumError
from sensors.keeper_input import (
    TestResult,
    check_time,
    entry_text,
    from_local,
    parse_result,
)
from sensors.notes import NOTE_MAX_CHARS
from sensors.units import units_for

# The kits a keeper of the reference tank uses (ARCHITECTURE: the logbook's parameters).
KIT_PARAMETERS = ("ammonia", "nitrite", "nitrate", "ph", "kh", "gh", "phosphate", "temperature")
AT, NOTE, ERRORS, SAVED = "log_at", "log_note", "log_errors", "log_saved"
FORM_ERROR = "_form"
FORM_WIDTH = 720
UNIT_WIDTH = 140


def value_key(parameter: str) -> str:
    """Session key of a parameter's value field."""
    return f"log_value_{parameter}"


def unit_key(parameter: str) -> str:
    """Session key of a parameter's unit choice."""
    return f"log_unit_{parameter}"


def as_utc(moment: datetime | None, zone: tzinfo | None) -> datetime:
    """A widget's naive local time as aware UTC (now when the widget is empty)."""
    return from_local(moment or datetime.now(), zone or server_zone())


def check_session(
    typed: dict[str, str],
    units: dict[str, str],
    at: datetime,
    set_up: datetime | None = None,
) -> tuple[list[TestResult], dict[str, str]]:
    """The session's results and, per field, what is wrong (empty fields are skipped)."""
    results, errors = [], {}
    for parameter in KIT_PARAMETERS:
        text = (typed.get(parameter) or "").strip()
        if not text:
            continue
        unit = units.get(parameter) or units_for(parameter)[0]
        try:
            results.append(parse_result(parameter, entry_text(text, unit)))
        except AquariumError as exc:
            errors[parameter] = str(exc)
    try:
        check_time(at, set_up=set_up)
    except AquariumError as exc:
        errors[AT] = str(exc)
    if not results and not errors:
        errors[FORM_ERROR] = "Type at least one result, for example nitrate 20."
    return results, errors


def _save(tank: str, zone: tzinfo | None) -> None:
    state = st.session_state
    at = as_utc(state.get(AT), zone)
    typed = {p: state.get(value_key(p), "") for p in KIT_PARAMETERS}
    units = {p: state.get(unit_key(p), "") for p in KIT_PARAMETERS}
    try:
        set_up = get_tank(engine(), tank).set_up_at
    except AquariumError as exc:
        state[ERRORS] = {FORM_ERROR: str(exc)}
        return
    results, errors = check_session(typed, units, at, set_up)
    if not errors:
        try:
            log_tests(engine(), tank, results, at=at, note=state.get(NOTE, "").strip())
        except AquariumError as exc:
            errors[FORM_ERROR] = str(exc)
    state[ERRORS] = errors
    if errors:
        return
    forget_advice()  # the overview's verdict must show this session at once
    state[SAVED] = "Saved: " + ", ".join(
        f"{label(r.parameter)} {value_text(r.parameter, r.value)}" for r in results
    )
    for parameter in KIT_PARAMETERS:
        state[value_key(parameter)] = ""
    state[NOTE] = ""
    state[AT] = datetime.now(zone or server_zone()).replace(tzinfo=None, second=0, microsecond=0)


def show_form(tank: str, zone: tzinfo | None) -> None:
    """The form for one test session of TANK."""
    state = st.session_state
    if AT not in state:
        state[AT] = datetime.now(zone or server_zone()).replace(
            tzinfo=None, second=0, microsecond=0
        )
    errors: dict[str, str] = state.get(ERRORS, {})
    saved = state.pop(SAVED, None)
    if saved:
        st.success(plain(saved), icon=":material/check_circle:")
    with st.form("logbook_form", border=True, width=FORM_WIDTH):
        st.datetime_input("Tested at (local time)", key=AT)
        if AT in errors:
            st.error(errors[AT])
        for parameter in KIT_PARAMETERS:
            _field(parameter, errors.get(parameter))
        st.text_input(
            "Note", key=NOTE, placeholder="kit brand, anything unusual…", max_chars=NOTE_MAX_CHARS
        )
        if FORM_ERROR in errors:
            st.error(plain(errors[FORM_ERROR]))
        st.form_submit_button(
            "Save test results", type="primary", on_click=_save, args=(tank, zone)
        )


def _field(parameter: str, error: str | None) -> None:
    units = units_for(parameter)
    state = st.session_state
    state.setdefault(value_key(parameter), "")
    # Side by side even on a phone (columns would stack the unit under its value).
    with st.container(horizontal=True, vertical_alignment="bottom"):
        st.text_input(label(parameter), key=value_key(parameter), placeholder="not tested")
        if len(units) > 1:
            state.setdefault(unit_key(parameter), units[0])
            st.selectbox("Unit", units, key=unit_key(parameter), width=UNIT_WIDTH)
        else:
            st.text_input(
                "Unit",
                value=units[0],
                disabled=True,
                key=f"log_fixed_{parameter}",
                width=UNIT_WIDTH,
            )
    if error:
        st.error(plain(error))
