"""Delivery to real endpoints: an apprise JSON webhook, a failing one, the real broker, the CLI."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from click.testing import CliRunner
from paho.mqtt.enums import CallbackAPIVersion
from sqlalchemy import Engine

from alerts.apprise_notifier import RetryPolicy
from alerts.engine import AlertEngine
from alerts.evaluator import Evaluator
from alerts.masking import mask_url
from alerts.mqtt_publisher import MqttAlertPublisher
from alerts.outbox_delivery import NotificationOutbox
from aquarium.cli import cli
from db.outbox import notification_counts
from sensors.mqtt_settings import MqttSettings
from tests.alerts.conftest import Webhook, log_kit, minutes
from tests.support import Broker, free_port, unique, wait_until
from tests.support import publisher as publisher_client

FAST = RetryPolicy(attempts=4, base_s=0.1, cap_s=0.2)


def _outbox(
    engine: Engine, urls: list[str], **options: Any
) -> tuple[NotificationOutbox, Evaluator]:
    """A started outbox for URLS and an evaluator that queues for it."""
    outbox = NotificationOutbox(engine, urls, FAST, poll_s=0.05, **options)
    outbox.start()
    return outbox, Evaluator(engine, endpoints=outbox.endpoint_keys)


def test_webhook_gets_one_message_per_alert_not_per_round(
    engine: Engine, tank: str, webhook: Webhook
) -> None:
    """A nitrite result reaches the JSON webhook once, however many rounds see it firing."""
    outbox, evaluator = _outbox(engine, [webhook.url()])
    alerts = AlertEngine(engine, evaluator, [outbox])
    log_kit(engine, tank, minutes(0), nitrite=0.8)
    for minute in (1, 2, 3):
        alerts.run_once(minutes(minute))
    assert webhook.wait_delivered(1)
    assert wait_until(lambda: notification_counts(engine)["sent"] == 1)
    outbox.close(timeout=5)
    assert len(webhook.bodies) == 1
    body = webhook.bodies[0]
    # Both rules it tripped (nitrite_high, water_change_now) travel in one message.
    assert body["title"] == f"{tank}: 2 alerts"
    assert "nitrite high: Nitrite is 0.8 mg/L NO2" in body["message"]
    assert body["type"] == "failure"


def test_failing_endpoint_is_retried_and_logged_without_blocking_the_others(
    engine: Engine, tank: str, webhook_factory: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """A 500 is retried and logged, a dead URL gives up, and neither delays a good URL."""
    flaky = webhook_factory(statuses=[500, 500], delay_s=0.5)
    good = webhook_factory()
    dead = f"json://127.0.0.1:{free_port()}/gone"
    caplog.set_level(logging.INFO, logger="alerts")
    outbox, evaluator = _outbox(engine, [flaky.url(), dead, good.url()])
    log_kit(engine, tank, minutes(2), nitrite=0.8)
    evaluation = evaluator.evaluate(tank, minutes(3))

    began = time.monotonic()
    outbox.deliver(evaluation.verdict, evaluation.notices)
    # Shorter than one exchange with the slow endpoint: deliver() queues durably and wakes the
    # workers; it never waits on the network (a same-run reference, not a fixed budget).
    assert time.monotonic() - began < 0.5

    assert good.wait_delivered(1, timeout=5)
    assert flaky.delivered == []  # still retrying when the good one already has it
    assert flaky.wait_delivered(1, timeout=10)
    assert len(flaky.bodies) == 3
    assert wait_until(lambda: "gave up" in caplog.text, timeout=10)
    outbox.close(timeout=5)
    retries = [r.getMessage() for r in caplog.records if "retrying in" in r.getMessage()]
    assert sum("attempt 1 of 4" in m for m in retries) == 2  # the flaky and the dead URL
    gave_up = [r for r in caplog.records if "gave up" in r.getMessage()]
    assert len(gave_up) == 1 and "after 4 attempt(s)" in gave_up[0].getMessage()
    assert len(good.bodies) == 1
    assert notification_counts(engine) == {"sent": 2, "waiting": 0, "gave_up": 1}


def _subscriber(broker: Broker, topics: list[str]) -> tuple[mqtt.Client, list[mqtt.MQTTMessage]]:
    got: list[mqtt.MQTTMessage] = []
    client = mqtt.Client(callback_api_version=CallbackAPIVersion.VERSION2, client_id=unique("sub"))
    client.on_message = lambda _c, _u, message: got.append(message)
    subscribed: list[int] = []
    client.on_subscribe = lambda _c, _u, mid, _r, _p: subscribed.append(mid)
    client.connect(broker.host, broker.port)
    client.loop_start()
    client.subscribe([(t, 1) for t in topics])
    assert wait_until(lambda: subscribed, timeout=5)
    return client, got


def test_broker_subscriber_sees_retained_advice_and_an_alert_event(
    engine: Engine, tank: str, broker: Broker
) -> None:
    """Events arrive on aquarium/<tank>/alerts; a late subscriber still gets the advice JSON."""
    publisher = MqttAlertPublisher(
        MqttSettings(broker.host, broker.port), client_id=unique("alerts")
    )
    alerts = AlertEngine(engine, Evaluator(engine), [publisher])
    publisher.start()
    assert publisher.wait_connected(5)
    marker = f"test/{tank}/marker"
    early, events = _subscriber(
        broker, [f"aquarium/{tank}/alerts", f"aquarium/{tank}/advice", marker]
    )
    log_kit(engine, tank, minutes(0), nitrite=0.8)
    alerts.run_once(minutes(1))
    alerts.run_once(minutes(2))  # the same verdict: republished (forged advice must not stay)
    publisher.close(timeout=5)  # returns once the broker has acknowledged every message
    # Published after the broker took them all, the marker reaches the subscriber after them
    # (Mosquitto queues a session's messages in arrival order): once it is here, nothing is late.
    with publisher_client(broker) as client:
        client.publish(marker, b"end", qos=1).wait_for_publish(5)
    assert wait_until(lambda: any(m.topic == marker for m in events), timeout=5)
    early.disconnect()
    early.loop_stop()
    by_topic: dict[str, list[dict[str, Any]]] = {}
    for message in events:
        if message.topic != marker:
            by_topic.setdefault(message.topic, []).append(json.loads(message.payload))
    fired = {e["rule"]: e for e in by_topic[f"aquarium/{tank}/alerts"]}
    assert set(fired) == {"nitrite_high", "water_change_now"}
    assert fired["nitrite_high"]["event"] == "fired"
    assert fired["nitrite_high"]["at"] == "2026-11-02T08:01:00Z"
    assert fired["nitrite_high"]["value"] == 0.8
    assert len(by_topic[f"aquarium/{tank}/advice"]) == 2

    late, retained = _subscriber(broker, [f"aquarium/{tank}/advice"])
    assert wait_until(lambda: retained, timeout=5)
    late.disconnect()
    late.loop_stop()
    assert retained[0].retain
    advice = json.loads(retained[0].payload)
    assert advice["tank"] == tank and advice["status"] == "now"
    assert "nitrite" in [r["code"] for r in advice["reasons"]]


def _config(tmp_path: Path, urls: list[str]) -> Path:
    path = tmp_path / "aquarium.toml"
    path.write_text("[notify]\nurls = [" + ", ".join(json.dumps(u) for u in urls) + "]\n")
    return path


def test_notify_test_reports_each_url_and_hides_secrets(
    tmp_path: Path, db_url: str, webhook: Webhook, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One line per configured URL, ok or failed with a reason, exit 1, no password shown."""
    dead = f"json://keeper:hunter2secret@127.0.0.1:{free_port()}/hook"
    monkeypatch.setenv("AQUARIUM_DB_URL", db_url)
    monkeypatch.setenv("AQUARIUM_CONFIG", str(_config(tmp_path, [webhook.url(), dead])))
    result = CliRunner().invoke(cli, ["notify-test"])
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].endswith(": ok")
    assert ": failed (" in lines[1]
    assert "hunter2secret" not in result.output
    assert len(webhook.bodies) == 1 and "test notification" in webhook.bodies[0]["title"]

    only_good = CliRunner().invoke(cli, ["notify-test", "--url", webhook.url()])
    assert only_good.exit_code == 0, only_good.output


@pytest.mark.parametrize(
    ("url", "secret"),
    [
        ("mailto://keeper:p4ssword@example.com", "p4ssword"),
        ("tgram://123456789:AAHbottoken/424242", "AAHbottoken"),
        ("ntfy://my-secret-topic", "my-secret-topic"),
        ("pover://userkey123@apptoken456", "apptoken456"),
        ("json://example.com/hook?:Authorization=Bearer%20tok3n", "tok3n"),
        ("jsons://example.com/webhooks/very-secret-path", "very-secret-path"),
    ],
)
def test_masked_urls_keep_no_secret(url: str, secret: str) -> None:
    """A masked notification URL shows its scheme but none of its credentials or tokens."""
    masked = mask_url(url)
    assert secret not in masked
    assert masked.startswith(url.split("://")[0] + "://")


def test_publishing_while_the_broker_is_away_queues_without_errors(
    engine: Engine, tank: str, caplog
) -> None:
    """With no broker, the MQTT sink queues advice and events, and closes with a warning only."""
    import logging

    from tests.support import free_port

    publisher = MqttAlertPublisher(
        MqttSettings("127.0.0.1", free_port()), client_id=unique("alerts")
    )
    alerts = AlertEngine(engine, Evaluator(engine), [publisher])
    publisher.start()
    log_kit(engine, tank, minutes(0), nitrite=0.8)
    with caplog.at_level(logging.WARNING):
        alerts.run_once(minutes(1))
        alerts.run_once(minutes(2))
        publisher.close(timeout=0.5)
    assert "failed" not in caplog.text
    assert "Traceback" not in caplog.text
    assert not [r for r in caplog.records if r.exc_info]
