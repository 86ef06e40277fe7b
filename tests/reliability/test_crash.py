"""Crashes: kill -9 while readings stream in; every reading stored exactly once afterwards."""

from __future__ import annotations

import time

from sqlalchemy import Engine, func, select

from db.readings import count_readings
from db.schema import readings
from tests.reliability.conftest import DaemonProcess, wait_subscribed
from tests.support import Broker, publisher, unique, wait_until

MESSAGES = 3000
KILLS = 5


def distinct_values(engine: Engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count(func.distinct(readings.c.value)))).scalar_one()


def test_repeated_sigkill_loses_and_duplicates_nothing(
    broker: Broker, engine: Engine, daemon_process: DaemonProcess, report
) -> None:
    """SIGKILL five times during a 3,000-message QoS 1 stream: 3,000 rows, all distinct."""
    tank = unique("crash")
    daemon_process.start()
    assert wait_subscribed(daemon_process)
    with publisher(broker) as client:
        infos = []
        kills = 0
        for i in range(MESSAGES):
            # Plain numbers carry no device time: only the DUP flag and delivery key catch a
            # message stored but not acked before the kill. Values are unique to count them.
            infos.append(client.publish(f"aquarium/{tank}/tds", f"{100 + i / 1000:.3f}", qos=1))
            if i % (MESSAGES // (KILLS + 1)) == MESSAGES // (KILLS + 1) - 1 and kills < KILLS:
                time.sleep(0.2)  # let some batches commit mid-stream
                daemon_process.kill()
                kills += 1
                daemon_process.start()
        for info in infos:
            info.wait_for_publish(timeout=30)
    started = time.monotonic()
    assert wait_until(lambda: count_readings(engine, tank) >= MESSAGES, timeout=60)
    recovery = time.monotonic() - started
    # A marker published last reaches the daemon after every message queued before it (one
    # session, one queue, in order), so once it is stored no late redelivery is still on its way.
    # Its value repeats the first reading's, so the distinct count stays MESSAGES.
    marker = unique("marker")
    with publisher(broker) as client:
        client.publish(f"aquarium/{marker}/tds", "100.000", qos=1).wait_for_publish(timeout=30)
    assert wait_until(lambda: count_readings(engine, marker) == 1, timeout=60)
    stored = count_readings(engine, tank)
    assert stored == MESSAGES
    assert distinct_values(engine) == MESSAGES
    assert daemon_process.stop() == 0
    report(
        "daemon crash",
        f"SIGKILL of `aquarium ingest`, {KILLS} times mid-stream, restarted at once",
        f"{MESSAGES} QoS 1 readings",
        MESSAGES - stored,
        recovery,
    )
