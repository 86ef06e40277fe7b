"""QoS 0 while the database is locked: the daemon's queue is bounded, reading pauses instead."""

from __future__ import annotations

import sqlite3
import time

import pytest
from sqlalchemy import Engine

from db.readings import count_readings
from tests.conftest import DaemonFactory
from tests.support import Broker, publish_all, publisher, unique, wait_until


@pytest.fixture
def broker(own_broker: Broker) -> Broker:
    """This module's tests get a broker of their own (see own_broker)."""
    return own_broker


FLOOD = 30_000
CAP = 2_000  # a small cap for the test; the daemon's default is 20,000


def test_a_qos0_flood_during_a_database_lock_keeps_the_queue_bounded(
    broker: Broker, db_url: str, engine: Engine, start_daemon: DaemonFactory, report
) -> None:
    """With the write lock held, at most CAP messages wait; all the daemon read is then stored."""
    tank = unique("qos0")
    daemon = start_daemon(max_pending=CAP)
    holder = sqlite3.connect(db_url.removeprefix("sqlite:///"), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the database
    try:
        with publisher(broker) as client:
            publish_all(
                client,
                [(f"aquarium/{tank}/flow", f"{i / 1000:.3f}".encode()) for i in range(FLOOD)],
                qos=0,
            )
            assert wait_until(lambda: daemon.stats.paused > 0, timeout=30)
            holder.execute("COMMIT")
            released = time.monotonic()
            # The broker delivers in order: once this QoS 1 marker is stored, the flood is over.
            marker = unique("marker")
            publish_all(client, [(f"aquarium/{marker}/ph", b"7.0")], qos=1)
            assert wait_until(lambda: count_readings(engine, marker) == 1, timeout=120)
            drained = time.monotonic() - released
    finally:
        holder.close()
    stats = daemon.stats
    stored = count_readings(engine, tank)
    assert stats.most_waiting <= CAP
    assert stored == stats.received - 1, "every message the daemon read is stored"
    report(
        "QoS 0 flood, database locked",
        "another writer holds the SQLite write lock while QoS 0 readings flood in",
        f"{FLOOD:,} QoS 0 readings; at most {stats.most_waiting:,} waited in the daemon "
        f"(cap {CAP:,}); {FLOOD - stored:,} dropped by the broker (QoS 0)",
        stats.received - 1 - stored,
        drained,
    )
