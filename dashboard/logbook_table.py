"""The logbook's history: an editable table of test results, with corrections and deletions."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, tzinfo

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from dashboard.formatting import label, number_text, plain, server_zone, unit
from dashboard.logbook_form import as_utc
from dashboard.time_axis import local_times
from db.manual import LoggedTest, delete_test, list_tests, update_test
from db.tanks import get_tank
from sensors.errors import AquariumError, KeeperInputError
from sensors.keeper_input import check_time, parse_result
from sensors.notes import NOTE_MAX_CHARS

HISTORY_ROWS = 500
COLUMNS = ["time", "parameter_label", "value", "unit", "entered", "note", "delete"]


@dataclass
class EditOutcome:
    """What saving the table did, for the keeper."""

    updated: int = 0
    deleted: int = 0
    errors: list[str] = field(default_factory=list)


def tests_frame(tests: list[LoggedTest], zone: tzinfo | None) -> pd.DataFrame:
    """TESTS newest first, times as local wall-clock, ready for st.data_editor."""
    ordered = list(reversed(tests))
    return pd.DataFrame(
        {
            "id": [t.id for t in ordered],
            "parameter": [t.parameter for t in ordered],
            "time": local_times([t.time.timestamp() for t in ordered], zone),
            "parameter_label": [label(t.parameter) for t in ordered],
            # Text at the parameter's precision (pH "8.00", not "8"), edited as typed (a decimal
            # comma too); the stored number stays in "stored", so a row whose value text is
            # untouched keeps its full precision when only its note or time changes.
            "value": [number_text(t.parameter, t.value) for t in ordered],
            "stored": [t.value for t in ordered],
            "unit": [unit(t.parameter) or "pH" for t in ordered],
            "entered": [
                f"{t.entered_value:g} {t.entered_unit}".strip()
                if t.entered_value is not None and t.entered_unit
                else ""
                for t in ordered
            ],
            "note": [t.note for t in ordered],
            "delete": [False] * len(ordered),
        }
    )


def _typed(cell: object) -> str:
    """A value cell as text: what the keeper sees or typed ('' for an emptied cell)."""
    if cell is None or (isinstance(cell, float) and math.isnan(cell)):
        return ""
    return str(cell).strip()


def _changed(before: pd.Series, after: pd.Series) -> bool:
    if bool(after["delete"]):
        return True
    moved = abs((pd.Timestamp(after["time"]) - pd.Timestamp(before["time"])).total_seconds()) >= 1
    value_changed = _typed(after["value"]) != _typed(before["value"])
    return moved or value_changed or str(after["note"] or "") != str(before["note"] or "")


def apply_edits(
    engine: Engine,
    before: pd.DataFrame,
    after: pd.DataFrame,
    zone: tzinfo | None,
    set_up: datetime | None = None,
) -> EditOutcome:
    """Store what the keeper changed in the table: corrections checked like new entries."""
    outcome = EditOutcome()
    for index in after.index:
        old, new = before.loc[index], after.loc[index]
        if not _changed(old, new):
            continue
        test_id, parameter = int(old["id"]), str(old["parameter"])
        where = f"{label(parameter)} of {pd.Timestamp(old['time']):%Y-%m-%d %H:%M}"
        try:
            if bool(new["delete"]):
                delete_test(engine, test_id)
                outcome.deleted += 1
                continue
            if not _typed(new["value"]) or pd.isna(new["time"]):
                raise KeeperInputError("give both a value and a time")
            if _typed(new["value"]) == _typed(old["value"]):
                value = float(old["stored"])
            else:
                value = parse_result(parameter, _typed(new["value"])).value
            moment = as_utc(
                pd.Timestamp(new["time"]).floor("us").to_pydatetime(), zone or server_zone()
            )
            check_time(moment, set_up=set_up)
            update_test(engine, test_id, value=value, time=moment, note=str(new["note"] or ""))
            outcome.updated += 1
        except AquariumError as exc:
            outcome.errors.append(f"{where}: {exc}")
    return outcome


def show_history(engine: Engine, tank: str, zone: tzinfo | None) -> None:
    """The newest results of TANK as an editable table, with a button to store the changes."""
    tests = list_tests(engine, tank)[-HISTORY_ROWS:]
    if not tests:
        st.info("No test results yet: the form above stores the first.")
        return
    before = tests_frame(tests, zone)
    key = f"log_history_{tank}"
    st.caption(
        f"The newest {len(tests)} results. Correct a value, time or note in place, or tick "
        "**delete**, then save. Values are in the units shown."
    )
    after = st.data_editor(
        before,
        key=key,
        hide_index=True,
        placeholder="",  # a missing value is an empty cell, not "None"
        column_order=COLUMNS,
        disabled=["parameter_label", "unit", "entered"],
        column_config={
            "time": st.column_config.DatetimeColumn("Time (local)", format="YYYY-MM-DD HH:mm"),
            "parameter_label": st.column_config.TextColumn("Parameter"),
            "value": st.column_config.TextColumn("Value"),
            "unit": st.column_config.TextColumn("Unit"),
            "entered": st.column_config.TextColumn("As entered"),
            "note": st.column_config.TextColumn("Note", max_chars=NOTE_MAX_CHARS),
            "delete": st.column_config.CheckboxColumn("Delete"),
        },
    )
    if st.button("Save changes to the table", key=f"{key}_save"):
        outcome = apply_edits(engine, before, after, zone, get_tank(engine, tank).set_up_at)
        for error in outcome.errors:
            st.error(plain(error))
        if outcome.updated or outcome.deleted:
            st.session_state[f"{key}_done"] = (
                f"Saved {outcome.updated} correction(s), deleted {outcome.deleted} result(s)."
            )
            del st.session_state[key]
            st.rerun()
        elif not outcome.errors:
            st.info("Nothing was changed.")
    done = st.session_state.pop(f"{key}_done", None)
    if done:
        st.success(done)
