"""Two daemons on one database: the second is refused, naming the first; a crash frees it."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from sqlalchemy import Engine

from db.daemon_status import list_status
from db.engine import open_engine
from db.readings import count_readings
from ingest.one_daemon import AnotherDaemon, OneDaemon
from tests.reliability.conftest import DaemonProcess
from tests.support import Broker, publish_all, publisher, unique, wait_until


@pytest.fixture
def broker(own_broker: Broker) -> Broker:
    """This module's tests get a broker of their own (see own_broker)."""
    return own_broker


def subscriptions(daemon: DaemonProcess) -> int:
    """How many times the daemon's log says it subscribed (once per start)."""
    return daemon.logged().count("subscribed to")


def test_a_second_daemon_on_one_database_is_refused_naming_the_first(
    broker: Broker,
    db_url: str,
    engine: Engine,
    daemon_process: DaemonProcess,
    tmp_path: Path,
    report,
) -> None:
    """Another client id or the same one: refused with the first daemon named; SIGKILL frees it."""
    first = daemon_process
    first.start()
    assert wait_until(lambda: subscriptions(first) == 1, timeout=30)
    # Its heartbeat names the MQTT session it holds (written at the first beat after it connects).
    assert wait_until(
        lambda: any(s.session == first.client_id for s in list_status(engine)), timeout=30
    )
    assert first.process is not None
    for client_id in (unique("other"), first.client_id):
        second = DaemonProcess(db_url, broker, client_id, tmp_path / f"{client_id}.log")
        second.start()
        assert second.process is not None
        assert second.process.wait(timeout=60) == 1, "the second daemon must not run"
        said = second.logged()
        assert "another ingest daemon already writes to" in said
        assert f"pid {first.process.pid}" in said and first.client_id in said
        assert "Traceback" not in said
    first.kill()
    restarted = time.monotonic()
    first.start()  # the kernel freed the lock with the killed process: no refusal, no wait
    assert wait_until(lambda: subscriptions(first) == 2, timeout=30)
    recovery = time.monotonic() - restarted
    tank = unique("once")
    with publisher(broker) as client:
        publish_all(
            client, [(f"aquarium/{tank}/ph", f"{7 + i / 1000:.3f}".encode()) for i in range(100)]
        )
    assert wait_until(lambda: count_readings(engine, tank) == 100, timeout=30)
    assert first.stop() == 0
    report(
        "two daemons on one database",
        "a second `aquarium ingest` (another client id, then the same) beside a running one; "
        "then the first SIGKILLed and restarted",
        "100 QoS 1 readings without a device time",
        100 - count_readings(engine, tank),
        recovery,
    )


def test_a_second_daemon_reaching_the_database_through_a_symlink_is_refused(
    engine: Engine, db_url: str, tmp_path: Path
) -> None:
    """The same file under another name (a symlink in the keeper's home) is the same database."""
    link = tmp_path / "elsewhere" / "link.db"
    link.parent.mkdir()
    link.symlink_to(Path(db_url.removeprefix("sqlite:///")))
    first = OneDaemon(engine)
    first.acquire()
    linked = open_engine(f"sqlite:///{link}")
    try:
        with pytest.raises(AnotherDaemon, match="another ingest daemon already writes"):
            OneDaemon(linked).acquire()
    finally:
        linked.dispose()
        first.release()
