"""Sensors: each sensor's topic, last message, traffic and interval; refused messages and why."""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st

from dashboard.cards import freshness
from dashboard.formatting import age_text, label, plain, span_text, when_text
from dashboard.state import all_tanks, choose_tank, engine, keeper_zone, settings
from db.dead_letters import count_dead_letters, list_dead_letters
from db.sensor_status import SensorState, sensor_states

DEAD_LETTERS_SHOWN = 100


def _configured_interval(state: SensorState) -> float | None:
    """The interval the config file gives this sensor's topic, if any."""
    found = settings()
    if found is None:
        return None
    for sensor in found.config.sensors:
        if sensor.topic == state.topic and sensor.parameter == state.parameter:
            return sensor.expected_interval_s
    return None


def _interval_text(state: SensorState) -> str:
    expected = state.expected_interval_s or _configured_interval(state)
    if expected:
        return f"every {span_text(expected)}"
    if state.typical_interval_s:
        return f"≈ every {span_text(state.typical_interval_s)} (seen)"
    return "not set"


tank = choose_tank(all_tanks())
st.title("Sensors")
zone = keeper_zone()
now = datetime.now(UTC)
only = st.toggle("Only the chosen tank", value=tank is not None, disabled=tank is None)
states = sensor_states(engine(), now, tank.name if (tank is not None and only) else None)

if not states:
    st.info(
        "No sensor has reported yet. Sensors publish to `aquarium/<tank>/<parameter>` on the MQTT "
        "broker, or are described in the config file (AQUARIUM_CONFIG)."
    )
else:
    rows = []
    for state in states:
        fresh = freshness(state.parameter, [state], now)
        status = "online"
        if state.online is False:
            status = "offline (reported)"
        elif fresh is not None and fresh.stale:
            status = f"stale: no data for {span_text(fresh.silent_s)}"
        # What a keeper scans for first comes first: on a phone the right-hand columns scroll.
        row = {
            "parameter": label(state.parameter),
            "status": status,
            "age": age_text(state.last_seen, now) if state.last_seen else "never",
            "last hour": state.last_hour,
            "interval": _interval_text(state),
            "topic": state.topic + (f" [{state.field}]" if state.field else ""),
            "last seen": when_text(state.last_seen, zone) if state.last_seen else "never",
        }
        rows.append(row if only else {"tank": state.tank, **row})
    st.dataframe(rows, hide_index=True, placeholder="")
    st.caption(
        "Last hour: readings timed within the past 60 minutes. Stale: nothing for three "
        "expected intervals."
    )

st.subheader(f"Refused messages ({count_dead_letters(engine())} kept)")
letters = list_dead_letters(engine(), DEAD_LETTERS_SHOWN)
if not letters:
    st.success(
        "No refused messages: everything received was stored.", icon=":material/check_circle:"
    )
else:
    st.caption(
        "Messages the daemon could not store, newest first, with the reason. Nothing here was "
        f"turned into a reading. Showing up to {DEAD_LETTERS_SHOWN}."
    )
    st.dataframe(
        {
            "time": [when_text(d.time, zone) for d in letters],
            "reason": [d.reason for d in letters],
            "topic": [d.topic for d in letters],
            "payload": [d.payload for d in letters],
        },
        hide_index=True,
        placeholder="",  # a missing value is an empty cell, not "None"
        column_config={"reason": st.column_config.TextColumn("reason", width="large")},
    )
    st.caption(f"Times are local. {plain('Payloads are excerpts (at most 200 characters).')}")
