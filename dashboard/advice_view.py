"""The water-change advisor's verdict as a banner: status, due date, how much, and why.

The advisor lives in health/ (pure) and the history loader in db/; this module only wires them to
the page. When the advisor is not installed it shows nothing, never a made-up verdict.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo
from typing import TYPE_CHECKING

import streamlit as st

from dashboard.formatting import plain
from dashboard.state import engine, keeper_zone, profile_for
from db.tanks import Tank

if TYPE_CHECKING:
    from health.verdict import Verdict

# The verdict moves with new tests and readings, not by the second.
CACHE_SECONDS = 60


def advice_for(tank: Tank, at: datetime | None = None) -> Verdict | None:
    """The advisor's verdict for TANK at AT (now), or None when health.advisor is unavailable."""
    try:
        from health.advisor import advise
    except ImportError:
        return None
    from db.tank_history import load_tank_history

    at = at or datetime.now(UTC)
    profile, _warning = profile_for(tank)
    return advise(load_tank_history(engine(), tank.name, at), at, profile)


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def _cached_advice(name: str, minute: int, _tank: Tank) -> Verdict | None:
    return advice_for(_tank, datetime.fromtimestamp(minute * 60, UTC))


def _day(due: date, zone: tzinfo | None) -> str:
    """'today' when the due date has come (in the keeper's zone), else 'Tue 24 Nov'."""
    return "today" if due <= datetime.now(zone).date() else f"{due:%a %d %b}"


def _headline(verdict: Verdict, zone: tzinfo | None = None) -> str:
    amount = ""
    if verdict.change_percent:
        litres = f" ({verdict.change_litres:g} L)" if verdict.change_litres else ""
        amount = f" Change {verdict.change_percent} %{litres}."
    if verdict.status == "now":
        return f"**Water change needed now.**{amount}"
    due = f" Due {_day(verdict.due, zone)}." if verdict.due else ""
    if verdict.status == "soon":
        return f"**Water change soon.**{due}{amount}"
    due = f" Next change by {_day(verdict.due, zone)}." if verdict.due else ""
    return f"**Water is fine: no change needed yet.**{due}"


def show_advice(tank: Tank) -> None:
    """The banner for TANK; nothing at all when there is no advisor."""
    now = datetime.now(UTC)
    try:
        verdict = _cached_advice(tank.name, int(now.timestamp() // 60), tank)
    except Exception as exc:  # a broken advisor must not take the overview down with it
        st.warning(f"The water-change advisor could not run: {plain(str(exc))[:300]}")
        return
    if verdict is None:
        return
    if verdict.status == "ok" and any(r.code == "no_data" for r in verdict.reasons):
        # "Water is fine" would claim more than the advisor knows: say what it needs instead.
        asks = [f"- {plain(r.message)}" for r in verdict.reasons if r.code == "no_data"]
        st.info(
            "\n".join(["**Not enough data for a verdict yet.**", *asks]),
            icon=":material/science:",
        )
        return
    show = {"now": st.error, "soon": st.warning}.get(verdict.status, st.success)
    icon = {"now": ":material/warning:", "soon": ":material/schedule:"}.get(
        verdict.status, ":material/check_circle:"
    )
    # The reasons that set the status go in the banner; the advisor's notes (severity "info",
    # such as which test to do next) fold away so the banner stays short on a phone.
    urgent = [r for r in verdict.reasons if r.severity != "info"]
    notes = [r for r in verdict.reasons if r.severity == "info"]
    lines = [_headline(verdict, keeper_zone()), *(f"- {plain(r.message)}" for r in urgent)]
    show("\n".join(lines), icon=icon)
    if notes:
        with st.expander(f"Advisor notes ({len(notes)})"):
            st.markdown("\n".join(f"- {plain(r.message)}" for r in notes))
