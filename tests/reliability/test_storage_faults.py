"""Disk full and a read-only database: nothing acked, one clear error, storing resumes."""

from __future__ import annotations

import logging
import time
from typing import Any

import pytest
from sqlalchemy import Engine, event, func, select

from db.engine import open_engine
from db.readings import BatchStore, count_readings
from db.schema import readings
from tests.conftest import DaemonFactory
from tests.support import Broker, publish_all, publisher, unique, wait_until

FAULTS = {
    # SQLite's own "database or disk is full" (SQLITE_FULL), as on a full SD card.
    "disk full": "PRAGMA max_page_count = {pages}",
    # SQLite's own "attempt to write a readonly database" (SQLITE_READONLY).
    "read-only database": "PRAGMA query_only = 1",
}


class FaultSwitch:
    """Turns a storage fault on for every new connection of ENGINE (a real SQLite error path)."""

    def __init__(self, engine: Engine, pragma: str) -> None:
        self.engine, self.pragma, self.on = engine, pragma, False
        event.listen(engine, "connect", self._apply)

    def _apply(self, dbapi_conn: Any, _record: Any) -> None:
        if self.on:
            pages = dbapi_conn.execute("PRAGMA page_count").fetchone()[0]
            dbapi_conn.execute(self.pragma.format(pages=pages))

    def set(self, on: bool) -> None:
        self.on = on
        self.engine.dispose()  # pooled connections reopen with (or without) the fault


@pytest.mark.parametrize("fault", list(FAULTS))
def test_storage_fault_holds_messages_and_resumes(
    fault: str,
    broker: Broker,
    db_url: str,
    start_daemon: DaemonFactory,
    caplog: pytest.LogCaptureFixture,
    report,
) -> None:
    """While writes fail the daemon acks nothing and logs one error; afterwards all is stored."""
    engine = open_engine(db_url)
    switch = FaultSwitch(engine, FAULTS[fault])
    tank = unique("fault")
    daemon = start_daemon(store=BatchStore(engine))
    with publisher(broker) as client:
        publish_all(client, [(f"aquarium/{tank}/orp", f"{i}".encode()) for i in range(100)])
        assert wait_until(lambda: count_readings(engine, tank) == 100)
        switch.set(True)
        caplog.clear()
        with caplog.at_level(logging.ERROR, logger="ingest.batcher"):
            publish_all(
                client, [(f"aquarium/{tank}/orp", f"{100 + i}".encode()) for i in range(300)]
            )
            assert wait_until(lambda: daemon.stats.store_failures >= 2, timeout=30)
            # A full disk may still take a few rows into free pages before it bites; once it
            # does, no batch gets in part-way: the count stands still while the writes fail.
            during = count_readings(engine, tank)
            assert wait_until(lambda: daemon.stats.store_failures >= 4, timeout=30)
            assert count_readings(engine, tank) == during < 400
            errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
        assert len(errors) == 1, [r.getMessage() for r in errors]
        message = errors[0].getMessage()
        assert "cannot store readings" in message and "unacknowledged" in message
        switch.set(False)
        fixed = time.monotonic()
        assert wait_until(lambda: count_readings(engine, tank) == 400, timeout=30)
        recovery = time.monotonic() - fixed
    with engine.connect() as conn:  # every reading once: none lost, none doubled
        values = conn.execute(select(func.count(func.distinct(readings.c.value)))).scalar_one()
    assert values == 400
    report(
        fault,
        f"SQLite itself refuses writes ({FAULTS[fault].split('=')[0].strip()}) on the daemon's "
        "connections, then the fault is lifted",
        "300 QoS 1 readings during the fault",
        400 - count_readings(engine, tank),
        recovery,
    )
