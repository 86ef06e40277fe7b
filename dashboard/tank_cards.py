"""The home page's tank cards: how urgent each tank is, and one card saying why in a few words."""

from __future__ import annotations

from datetime import date

import streamlit as st

from dashboard.formatting import label, plain, value_text
from db.home import TankSummary
from health.summary import due_words
from health.wording import rule_title

# Urgency levels, most urgent first in the grid: red, orange, grey (something to look at), green.
ACT, WATCH, LOOK, FINE = 3, 2, 1, 0
LEVEL_COLOUR = {ACT: "red", WATCH: "orange", LOOK: "gray", FINE: "green"}
STATUS_WORDS = {"now": "Change water now", "soon": "Water change soon", "ok": "Water is fine"}
# The order a card names open alerts in: what harms the animals first, housekeeping last.
RULE_ORDER = {
    rule: rank
    for rank, rule in enumerate(
        (
            "free_ammonia_high",
            "nitrite_high",
            "water_change_now",
            "oxygen_low",
            "temperature_high",
            "temperature_low",
            "ph_low",
            "nitrate_high",
            "kh_low",
            "orp_low",
            "flow_drop",
            "sensor_fault",
            "water_change_soon",
        )
    )
}
WORST_WORDS = {"act": "act now", "watch": "watch it"}
# Wide enough for "Nitrate (NO3) 45 mg/L"; one card across a 390 px phone, four on a laptop.
CARD_WIDTH = 300
CARD_STYLE = """<style>
[class*="st-key-tank-red-"] { border-left: 6px solid #dc2626 !important; }
[class*="st-key-tank-orange-"] { border-left: 6px solid #f59e0b !important; }
[class*="st-key-tank-gray-"] { border-left: 6px solid #9ca3af !important; }
[class*="st-key-tank-green-"] { border-left: 6px solid #16a34a !important; }
@media (max-width: 640px) {
  [class*="st-key-tank-"],
  [data-testid="stLayoutWrapper"]:has([class*="st-key-tank-"]) {
    width: 100% !important; max-width: 100% !important; flex: 1 1 100% !important;
  }
}
</style>"""


def urgency(tank: TankSummary) -> int:
    """ACT for a firing alert or a change needed now; WATCH for soon, pending alerts or a
    parameter out of its band; LOOK for quiet sensors or no verdict yet; else FINE."""
    if tank.firing or tank.status == "now" or tank.worst_status == "act":
        return ACT
    if tank.open_alerts or tank.status == "soon" or tank.worst_status == "watch":
        return WATCH
    if tank.quiet_sensors or tank.status is None:
        return LOOK
    return FINE


def by_urgency(tanks: list[TankSummary]) -> list[TankSummary]:
    """Most urgent first; real tanks before simulated ones of the same urgency; then by name."""
    return sorted(
        tanks, key=lambda t: (-urgency(t), t.simulated, -t.firing, -t.open_alerts, t.name)
    )


def due_text(tank: TankSummary, today: date) -> str:
    """The due date or window in the banner's and `aquarium advise`'s words (health/summary.py);
    nothing when the change is needed now (the badge says so) or there is no due date."""
    if tank.due is None or tank.status == "now":
        return ""
    # Due dates are calendar days stored as UTC midnight: read them back as dates, not shifted.
    words = due_words(
        tank.due.date(),
        tank.due_earliest.date() if tank.due_earliest else None,
        tank.due_latest.date() if tank.due_latest else None,
        today,
    )
    return f"next change {words}" if tank.status == "ok" else words


def status_words(tank: TankSummary) -> str:
    """The advisor's word on the tank."""
    if tank.status is None:
        return "No verdict yet"
    return STATUS_WORDS.get(tank.status, tank.status)


def status_detail(tank: TankSummary, today: date) -> str:
    """'due between 12 and 16 Dec, most likely 14 Dec · change 35 %', or why there is no verdict."""
    if tank.status is None:
        return "the daemon judges every tank once a minute"
    amount = f"change {tank.change_percent} %" if tank.change_percent else ""
    return " · ".join(part for part in (due_text(tank, today), amount) if part)


def alert_line(tank: TankSummary) -> str:
    """'2 alerts: Nitrite high, Water change due soon' (most urgent first) or 'No open alerts'."""
    if not tank.open_alerts:
        return "No open alerts"
    rules = sorted(tank.open_rules, key=lambda r: (RULE_ORDER.get(r, len(RULE_ORDER)), r))
    titles = ", ".join(rule_title(rule) for rule in rules[:2])
    more = f" and {len(rules) - 2} more" if len(rules) > 2 else ""
    count = f"{tank.open_alerts} alerts" if tank.open_alerts > 1 else "Alert"
    return f"{count}: {titles}{more}"


def worst_line(tank: TankSummary) -> str | None:
    """'Worst: Nitrate (NO3) 45 mg/L (act)' when a parameter is outside its band."""
    if tank.worst_parameter is None or tank.worst_value is None or tank.worst_status == "ok":
        return None
    value = value_text(tank.worst_parameter, tank.worst_value)
    return f"{label(tank.worst_parameter)} {value} · {WORST_WORDS.get(tank.worst_status or '', '')}"


def show_tank_card(tank: TankSummary, overview_page: str, today: date) -> None:
    """One card: the tank's name (a link to its overview), status, alerts, worst, quiet sensors."""
    level = urgency(tank)
    colour = LEVEL_COLOUR[level]
    with st.container(border=True, width=CARD_WIDTH, key=f"tank-{colour}-{tank.name}"):
        name = f"{tank.name} (simulated)" if tank.simulated else tank.name
        st.page_link(
            overview_page,
            label=f"**{name}**",
            icon=":material/open_in_new:",
            query_params={"tank": tank.name},
            width="stretch",
        )
        st.badge(status_words(tank), color=colour)  # type: ignore[arg-type]
        detail = status_detail(tank, today)
        if detail:
            st.caption(detail)
        if tank.open_alerts:
            st.markdown(f":red[**{plain(alert_line(tank))}**]")
        else:
            st.caption(alert_line(tank))
        worst = worst_line(tank)
        if worst:
            st.markdown(f"Worst: {plain(worst)}")
        if tank.quiet_sensors:
            quiet = f"{tank.quiet_sensors} of {tank.sensors} sensors quiet"
            st.caption(f":material/pause_circle: {quiet}")
        elif not tank.sensors:
            st.caption("No sensors: test-kit results only")
