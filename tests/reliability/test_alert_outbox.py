"""Alert notifications are durable: a killed daemon resumes them; a flood merges, never drops."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from alerts.apprise_notifier import RetryPolicy
from alerts.engine import AlertEngine
from alerts.evaluator import Evaluator
from alerts.outbox_delivery import NotificationOutbox, RateLimit
from db.alerts_queries import list_alerts
from db.outbox import notification_counts
from db.tanks import add_tank
from tests.alerts.conftest import Webhook, log_kit
from tests.alerts.conftest import webhook_factory as webhook_factory  # a fixture, shared
from tests.support import Broker, unique, wait_until

FLOOD = 1_100


def _daemon(broker: Broker, db_url: str, config: Path, log: Path) -> subprocess.Popen[bytes]:
    env = dict(os.environ, AQUARIUM_DB_URL=db_url, AQUARIUM_MQTT_URL=broker.url)
    env["AQUARIUM_CONFIG"] = str(config)
    return subprocess.Popen(
        [sys.executable, "-m", "aquarium", "ingest", "--client-id", unique("outbox")],
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )


def test_a_daemon_killed_while_retrying_delivers_the_notification_after_restart_once(
    broker: Broker, db_url: str, engine: Engine, tmp_path: Path, webhook_factory: Any, report
) -> None:
    """SIGKILL during the retries; the restarted daemon sends the queued alert exactly once."""
    hook: Webhook = webhook_factory(statuses=[500] * 1000)  # the service is down for now
    tank = unique("outbox")
    now = datetime.now(UTC)
    add_tank(engine, tank, volume_l=100, at=now - timedelta(days=100))
    log_kit(engine, tank, now - timedelta(minutes=1), nitrite=0.8)
    config = tmp_path / "aquarium.toml"
    config.write_text(f'[notify]\nurls = ["{hook.url()}"]\n', encoding="utf-8")
    log = tmp_path / "daemon.log"
    first = _daemon(broker, db_url, config, log)
    try:
        # Two failed attempts: the daemon is in its backoff between retries when it dies.
        assert wait_until(lambda: len(hook.bodies) >= 2, timeout=60), log.read_text()
    finally:
        first.kill()
        first.wait(timeout=10)
    assert hook.delivered == []
    assert notification_counts(engine)["waiting"] == 1
    with hook.lock:
        hook.statuses.clear()  # the service is back
    killed_at = datetime.now(UTC)
    second = _daemon(broker, db_url, config, log)
    try:
        assert wait_until(lambda: notification_counts(engine)["sent"] == 1, timeout=60)
        recovered = (datetime.now(UTC) - killed_at).total_seconds()
    finally:
        second.terminate()
        second.wait(timeout=30)
    assert len(hook.delivered) == 1, hook.delivered
    assert "nitrite high" in hook.delivered[0]["message"]
    assert notification_counts(engine) == {"sent": 1, "waiting": 0, "gave_up": 0}
    firing = [
        a for a in list_alerts(engine, states=("firing",), tank=tank) if a.rule == "nitrite_high"
    ]
    assert len(firing) == 1  # the restart neither re-fired nor forgot the alert
    report(
        "daemon killed while retrying a notification",
        "webhook answering 500; `aquarium ingest` SIGKILLed after 2 failed attempts, restarted "
        "once the webhook answers 200",
        "1 nitrite alert",
        1 - len(hook.delivered),
        recovered,
    )


def test_an_alert_flood_is_merged_and_the_real_tanks_alert_is_delivered(
    engine: Engine, webhook_factory: Any, report
) -> None:
    """1,100 tanks firing at once plus one real tank: every notice is sent, merged, none dropped."""
    hook: Webhook = webhook_factory()
    now = datetime.now(UTC)
    flood = [unique("junk") for _ in range(FLOOD)]
    for name in flood:
        add_tank(engine, name, volume_l=100, at=now - timedelta(days=100))
        log_kit(engine, name, now - timedelta(minutes=1), kh=1.0)
    real = unique("reef")
    add_tank(engine, real, volume_l=100, at=now - timedelta(days=100))
    log_kit(engine, real, now - timedelta(minutes=1), nitrite=0.8)
    # A fast bucket keeps the test short; the merging is the same at the shipped 5 + 1/12 s.
    outbox = NotificationOutbox(
        engine,
        [hook.url()],
        RetryPolicy(attempts=4, base_s=0.1, cap_s=0.2),
        rate=lambda: RateLimit(burst=5, refill_s=1.0),
        poll_s=0.05,
    )
    alerts = AlertEngine(engine, Evaluator(engine, endpoints=outbox.endpoint_keys), [outbox])
    outbox.start()
    try:
        alerts.run_once(now)
        assert wait_until(lambda: notification_counts(engine)["sent"] == FLOOD + 1, timeout=120), (
            notification_counts(engine)
        )
    finally:
        outbox.close(timeout=5)
    assert notification_counts(engine) == {"sent": FLOOD + 1, "waiting": 0, "gave_up": 0}
    messages = hook.delivered
    assert len(messages) < 50  # merged: a few dozen buzzes at most, not 1,101
    real_lines = [
        line
        for m in messages
        for line in [m["title"], *m["message"].splitlines()]
        if real in line and "nitrite" in line
    ]
    assert real_lines, "the real tank's nitrite alert must be named in what was delivered"
    report(
        "alert flood",
        f"{FLOOD:,} tanks firing (KH low) in one round beside one real tank's nitrite alert; "
        "rate limit per URL, merged messages",
        f"{FLOOD + 1:,} notices to one webhook, delivered in {len(messages)} messages",
        FLOOD + 1 - notification_counts(engine)["sent"],
        None,
    )
