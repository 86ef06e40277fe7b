"""Alerts and the MQTT advice topic carry the advisor's one verdict (issue 10)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from alerts.evaluator import Evaluator
from db.tank_history import load_tank_history
from health import advise, get_profile
from health.summary import headline
from tests.alerts.conftest import log_kit, minutes

AUCKLAND = ZoneInfo("Pacific/Auckland")


def test_alert_message_is_the_banner_headline_in_local_time_and_the_topic_stays_utc(
    engine: Engine, tank: str
) -> None:
    """Nitrate 70 fires 'now' with the headline word for word in NZDT; the advice JSON is UTC.

    Hand-worked: 70 mg/L is over the 40 limit, so now; back to the 25 target needs 64.3 % (65 %
    rounded up), capped at 50 % (50 L of the 100 L tank), and ln(25/70)/ln(0.5) = 1.5, so 2
    changes a day apart.
    """
    log_kit(engine, tank, minutes(0), nitrate=70)
    evaluation = Evaluator(engine, zone=AUCKLAND).evaluate(tank, minutes(5))
    fired = [n for n in evaluation.notices if n.rule == "water_change_now"]
    assert fired
    local = advise(
        load_tank_history(engine, tank, minutes(5)),
        minutes(5),
        get_profile("turtle-fish"),
        AUCKLAND,
    )
    assert headline(local) == "Water change needed now: change 50 % (50 L), 2 changes a day apart."
    assert fired[0].message.startswith(headline(local))
    assert "NZDT" in fired[0].message and "UTC" not in fired[0].message
    advice = evaluation.verdict.to_json_dict()  # what the MQTT advice topic publishes
    assert advice["zone"] == "UTC" and advice["status"] == "now"
    assert (advice["change_percent"], advice["change_litres"]) == (50, 50.0)
    assert advice["plan"] == {"changes": 2, "percent": 50, "every_days": 1.0, "needed_percent": 65}
    assert any("UTC" in r["message"] for r in advice["reasons"])
