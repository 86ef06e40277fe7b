"""The water-change advisor's verdict as a banner: status, due date, how much, and why.

The advisor lives in health/ (pure) and the history loader in db/; this module only wires them to
the page, in the keeper's zone. The headline is health.summary's, word for word what `aquarium
advise` and the alerts say. When the advisor is not installed it shows nothing, never a made-up
verdict.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, tzinfo
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import streamlit as st

from dashboard.formatting import plain, server_zone
from dashboard.state import engine, keeper_zone, profile_for
from db.tanks import Tank
from health.summary import due_phrase, headline

if TYPE_CHECKING:
    from health.types import TankHistory
    from health.verdict import Verdict

# The verdict moves with new tests and readings, not by the second.
CACHE_SECONDS = 60


def advice_for(
    tank: Tank,
    at: datetime | None = None,
    zone: tzinfo | None = None,
    history: Callable[[], TankHistory] | None = None,
) -> Verdict | None:
    """The advisor's verdict for TANK at AT (now) in ZONE, or None when health is unavailable.

    HISTORY gives the tank's history at AT when the caller keeps it; else it is loaded here.
    """
    try:
        from health.advisor import advise
    except ImportError:
        return None
    from db.tank_history import load_tank_history

    at = at or datetime.now(UTC)
    profile, _warning = profile_for(tank)
    found = history() if history is not None else load_tank_history(engine(), tank.name, at)
    return advise(found, at, profile, zone or server_zone())


@st.cache_resource(ttl=CACHE_SECONDS, max_entries=16, show_spinner=False)
def _history(name: str, minute: int) -> TankHistory:
    """TANK's history at MINUTE, loaded once for every session and zone (0.6 s on a year).

    Shared, not copied: health/ is pure and only reads it.
    """
    from db.tank_history import load_tank_history

    return load_tank_history(engine(), name, datetime.fromtimestamp(minute * 60, UTC))


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def cached_advice(name: str, minute: int, zone_name: str, _tank: Tank) -> Verdict | None:
    """The verdict for the tank NAME at MINUTE in the zone named ZONE_NAME ("": the server's).

    The zone comes from its name, not the session, so the server's warm-up can fill it too.
    """
    try:
        zone = ZoneInfo(zone_name) if zone_name else None
    except (ZoneInfoNotFoundError, ValueError):
        zone = None
    at = datetime.fromtimestamp(minute * 60, UTC)
    return advice_for(_tank, at, zone, lambda: _history(name, minute))


def forget_advice() -> None:
    """Drop cached verdicts: a test or a water change just logged must show at once (issue 10)."""
    cached_advice.clear()
    _history.clear()


def current_verdict(tank: Tank) -> Verdict | None:
    """The advisor's verdict for TANK this minute in the keeper's zone (cached for the minute)."""
    now = datetime.now(UTC)
    zone = keeper_zone()
    return cached_advice(tank.name, int(now.timestamp() // 60), str(zone or ""), tank)


# Notes the keeper acts on even when the water is fine: how to change, not only when.
_PLAN_CODES = ("change_plan", "routine_short", "kits_disagree", "nitrate_retest")


def show_advice(tank: Tank) -> None:
    """The banner for TANK; nothing at all when there is no advisor."""
    now = datetime.now(UTC)
    zone = keeper_zone()
    try:
        verdict = cached_advice(tank.name, int(now.timestamp() // 60), str(zone or ""), tank)
    except Exception as exc:  # a broken advisor must not take the overview down with it
        st.warning(f"The water-change advisor could not run: {plain(str(exc))[:300]}")
        return
    if verdict is None:
        return
    if verdict.status == "ok" and any(r.code == "no_data" for r in verdict.reasons):
        # "Water is fine" would claim more than the advisor knows: say what it needs instead,
        # with the routine's due date the command line gives too.
        asks = [f"- {plain(r.message)}" for r in verdict.reasons if r.code == "no_data"]
        due = due_phrase(verdict)
        head = "**Not enough data for a verdict yet.**" + (
            f" Routine: next change {due}." if due else ""
        )
        st.info("\n".join([head, *asks]), icon=":material/science:")
        return
    show = {"now": st.error, "soon": st.warning}.get(verdict.status, st.success)
    icon = {"now": ":material/warning:", "soon": ":material/schedule:"}.get(
        verdict.status, ":material/check_circle:"
    )
    # The reasons that set the status and the plan go in the banner; the advisor's other notes
    # (severity "info", such as which test to do next) fold away so it stays short on a phone.
    urgent = [r for r in verdict.reasons if r.severity != "info" or r.code in _PLAN_CODES]
    notes = [r for r in verdict.reasons if r not in urgent]
    lines = [f"**{plain(headline(verdict))}**", *(f"- {plain(r.message)}" for r in urgent)]
    show("\n".join(lines), icon=icon)
    if notes:
        with st.expander(f"Advisor notes ({len(notes)})"):
            st.markdown("\n".join(f"- {plain(r.message)}" for r in notes))
