"""The database file deleted or replaced under the daemon: it stops acking and says why."""

from __future__ import annotations

import logging
import os
import shutil
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine

from db.engine import open_engine
from db.readings import BatchStore, count_readings
from tests.conftest import DaemonFactory
from tests.reliability.conftest import DaemonProcess, wait_subscribed
from tests.support import Broker, publish_all, publisher, unique, wait_until


@pytest.fixture
def broker(own_broker: Broker) -> Broker:
    """This module's tests get a broker of their own (see own_broker)."""
    return own_broker


BEFORE, DURING = 200, 300


def delete(path: Path) -> None:
    """`rm aquarium.db` while the daemon runs."""
    path.unlink()


def replace(path: Path) -> None:
    """A copy moved over the file (a restore done by hand while the daemon runs)."""
    copy = path.with_name("copy.db")
    shutil.copyfile(path, copy)
    os.replace(copy, path)


@pytest.mark.parametrize("fault", [delete, replace])
def test_a_deleted_or_replaced_database_file_stops_the_acks(
    fault, broker: Broker, db_url: str, start_daemon: DaemonFactory, caplog, report
) -> None:
    """Readings arriving after the file is gone are not acked and land after a restart."""
    path = Path(db_url.removeprefix("sqlite:///"))
    tank, later, client_id = unique("file"), unique("after"), unique("ingest")
    engine = open_engine(db_url)
    daemon = start_daemon(client_id=client_id, store=BatchStore(engine))
    with publisher(broker) as client:
        publish_all(
            client, [(f"aquarium/{tank}/ph", f"{7 + i / 1000:.3f}".encode()) for i in range(BEFORE)]
        )
        assert wait_until(lambda: daemon.session.acks_sent == BEFORE)
        fault(path)
        with caplog.at_level(logging.ERROR, logger="ingest.batcher"):
            publish_all(
                client,
                [(f"aquarium/{later}/ph", f"{7 + i / 1000:.3f}".encode()) for i in range(DURING)],
            )
            assert wait_until(lambda: daemon.stats.store_failures > 0)
    assert daemon.session.acks_sent == BEFORE, "nothing committed into the lost file is acked"
    assert str(path) in caplog.text and "restart the daemon" in caplog.text
    daemon.stop()
    engine.dispose()
    started = time.monotonic()
    fresh = open_engine(db_url)  # the restarted daemon opens whatever file is at the path now
    try:
        start_daemon(client_id=client_id, store=BatchStore(fresh))
        assert wait_until(lambda: count_readings(fresh, later) == DURING, timeout=30)
        recovery = time.monotonic() - started
        stored = count_readings(fresh, later)
    finally:
        fresh.dispose()
    report(
        f"database file {'deleted' if fault is delete else 'replaced'}",
        "`rm aquarium.db`" if fault is delete else "a copy moved over aquarium.db",
        f"{DURING} QoS 1 readings after the fault, daemon restarted",
        DURING - stored,
        recovery,
    )


def readings(tank: str, count: int) -> list[tuple[str, bytes]]:
    """COUNT distinct pH readings for TANK, without a device time."""
    return [(f"aquarium/{tank}/ph", f"{7 + i / 1000:.3f}".encode()) for i in range(count)]


def test_a_deleted_write_ahead_log_loses_nothing_acknowledged(
    broker: Broker, db_url: str, engine: Engine, daemon_process: DaemonProcess
) -> None:
    """`rm aquarium.db-wal` under a running daemon, then SIGKILL: after a restart all is stored."""
    path = Path(db_url.removeprefix("sqlite:///"))
    tank, later = unique("wal"), unique("after")
    daemon_process.start()
    assert wait_subscribed(daemon_process)
    with publisher(broker) as client:
        publish_all(
            client, [(f"aquarium/{tank}/ph", f"{7 + i / 1000:.3f}".encode()) for i in range(BEFORE)]
        )
        assert wait_until(lambda: count_readings(engine, tank) == BEFORE, timeout=60)
        engine.dispose()  # only the daemon keeps the log open, as with a dashboard stopped
        Path(f"{path}-wal").unlink()  # "junk" beside the database, cleaned up by hand
        publish_all(
            client,
            [(f"aquarium/{later}/ph", f"{7 + i / 1000:.3f}".encode()) for i in range(DURING)],
        )
    assert wait_until(lambda: "write-ahead log" in daemon_process.logged(), timeout=60)
    daemon_process.kill()  # no clean close, which would have saved the log's contents
    daemon_process.start()
    fresh = open_engine(db_url)
    try:
        assert wait_until(lambda: count_readings(fresh, later) == DURING, timeout=60)
        assert count_readings(fresh, tank) == BEFORE, "what was acked before the fault is kept"
    finally:
        fresh.dispose()
