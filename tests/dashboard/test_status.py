"""The overview says when the pipeline behind it is down: no daemon, or no broker."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from db.daemon_status import record_status
from tests.dashboard.conftest import open_page


def warnings_and_errors(app) -> list[str]:
    return [str(w.value) for w in app.warning] + [str(e.value) for e in app.error]


def test_no_heartbeat_says_the_daemon_is_not_running(seeded: Engine) -> None:
    """Without a recent heartbeat the overview warns that readings are not being stored."""
    record_status(
        seeded, "old", "mqtt://x:1883", True, datetime.now(UTC) - timedelta(hours=1), (0, 0, 0)
    )
    texts = warnings_and_errors(open_page("overview"))
    assert any("daemon is not running" in t for t in texts)


def test_a_daemon_without_its_broker_is_shown_as_disconnected(seeded: Engine) -> None:
    """A beating daemon that has lost the broker shows as disconnected, naming the broker."""
    now = datetime.now(UTC)
    record_status(
        seeded, "d1", "mqtt://127.0.0.1:1883", True, now - timedelta(minutes=5), (1, 1, 0)
    )
    record_status(seeded, "d1", "mqtt://127.0.0.1:1883", False, now, (1, 1, 0))
    texts = warnings_and_errors(open_page("overview"))
    assert any("lost the MQTT broker" in t and "1883" in t for t in texts), texts
    assert not any("not running" in t for t in texts)


def test_a_connected_daemon_raises_no_warning(seeded: Engine) -> None:
    """When all is well the overview says nothing about the pipeline."""
    record_status(seeded, "d1", "mqtt://127.0.0.1:1883", True, datetime.now(UTC), (1, 1, 0))
    texts = warnings_and_errors(open_page("overview"))
    assert not any("daemon" in t for t in texts)


def test_several_workers_are_listed_and_a_silent_one_is_named(seeded: Engine) -> None:
    """Holder, standby and a worker killed a minute ago: listed, and the silent one warned about."""
    now = datetime.now(UTC)
    record_status(seeded, "h:1", "mqtt://127.0.0.1:1883", True, now, (3, 3, 0))
    record_status(seeded, "s:2", "mqtt://127.0.0.1:1883", False, now, (0, 0, 0), roles="")
    record_status(
        seeded, "k:3", "mqtt://127.0.0.1:1883", True, now - timedelta(minutes=1), (1, 1, 0)
    )
    app = open_page("overview")
    texts = warnings_and_errors(app)
    assert any("Worker k" in t and "silent since" in t for t in texts), texts
    assert not any("lost the MQTT broker" in t for t in texts), "a standby is not disconnected"
    table = app.dataframe[0].value
    assert sorted(table["worker"]) == ["h:1", "k:3", "s:2"]
    assert dict(zip(table["worker"], table["roles"], strict=True))["s:2"] == "standby"
