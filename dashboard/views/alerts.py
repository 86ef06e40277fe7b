"""Alerts: open, acknowledged and resolved alerts with their times; acknowledge from here."""

from __future__ import annotations

from datetime import tzinfo

import streamlit as st

from dashboard.formatting import plain, when_text
from dashboard.state import all_tanks, choose_tank, engine, keeper_zone
from db.alerts_queries import OPEN_STATES, RESOLVED, AlertRow, acknowledge_alert, list_alerts
from db.errors import NotFound
from health.wording import num, rule_title

RESOLVED_SHOWN = 50
STATE_WORDS = {"pending": "pending (holding before it fires)", "firing": "firing"}


def _acknowledge(alert_id: int) -> None:
    try:
        acknowledge_alert(engine(), alert_id)
        st.session_state["alerts_note"] = ("success", "Acknowledged: no more reminders for it.")
    except NotFound as exc:
        st.session_state["alerts_note"] = ("info", str(exc))


def _describe(alert: AlertRow) -> str:
    """'**turtles** · **Nitrate high** · firing', then the rule's code small for searching."""
    value = f" · last value {num(alert.last_value)}" if alert.last_value is not None else ""
    state = STATE_WORDS.get(alert.state, alert.state)
    return (
        f"**{plain(alert.tank)}** · **{plain(rule_title(alert.rule))}** · {state}{value} "
        f":small[:gray[`{alert.rule}`]]"
    )


def _open_alert(alert: AlertRow, zone: tzinfo | None, can_acknowledge: bool) -> None:
    with st.container(border=True):
        text, button = st.columns([5, 1], vertical_alignment="center")
        with text:
            st.markdown(_describe(alert))
            if alert.message:
                st.text(alert.message)  # the engine's words may quote keeper text: never markdown
            times = f"since {when_text(alert.since, zone)}"
            if alert.fired_at:
                times += f" · fired {when_text(alert.fired_at, zone)}"
            if alert.acknowledged_at:
                times += f" · acknowledged {when_text(alert.acknowledged_at, zone)}"
            st.caption(times)
        if can_acknowledge:
            button.button(
                "Acknowledge", key=f"ack_{alert.id}", on_click=_acknowledge, args=(alert.id,)
            )


tank = choose_tank(all_tanks())
st.title("Alerts")
zone = keeper_zone()
# Every tank by default: a real tank's alert must never hide behind the tank chosen last.
only = st.toggle(
    f"Only {tank.name}" if tank is not None else "Only the chosen tank",
    value=False,
    disabled=tank is None,
)
name = tank.name if (tank is not None and only) else None
if "alerts_note" in st.session_state:
    kind, text = st.session_state.pop("alerts_note")
    (st.success if kind == "success" else st.info)(text)

active = list_alerts(engine(), states=OPEN_STATES, tank=name, acknowledged=False)
seen = list_alerts(engine(), states=OPEN_STATES, tank=name, acknowledged=True)
resolved = list_alerts(engine(), states=(RESOLVED,), tank=name, limit=RESOLVED_SHOWN)

st.subheader(f"Active ({len(active)})")
if not active:
    st.success("No active alerts.", icon=":material/check_circle:")
for alert in active:
    _open_alert(alert, zone, can_acknowledge=True)

st.subheader(f"Acknowledged ({len(seen)})")
if not seen:
    st.caption("None: acknowledged alerts stay here until they resolve.")
for alert in seen:
    _open_alert(alert, zone, can_acknowledge=False)

st.subheader("Resolved")
if not resolved:
    st.caption("No resolved alerts yet.")
else:
    st.dataframe(
        {
            "tank": [a.tank for a in resolved],
            "alert": [rule_title(a.rule) for a in resolved],
            "rule": [a.rule for a in resolved],
            "since": [when_text(a.since, zone) for a in resolved],
            "resolved": [when_text(a.resolved_at, zone) for a in resolved],
            "message": [a.message for a in resolved],
        },
        hide_index=True,
        placeholder="",  # a missing value is an empty cell, not "None"
    )
