"""Packet ids wrap at 65,535: a repeated value must not be taken for a redelivered copy."""

from __future__ import annotations

import time
from functools import partial

import pytest
from sqlalchemy import Engine

from db.readings import count_readings
from tests.reliability.conftest import DaemonProcess, wait_subscribed
from tests.support import Broker, publish_all, publisher, unique, wait_until


@pytest.fixture
def broker(own_broker: Broker) -> Broker:
    """This module's tests get a broker of their own (see own_broker)."""
    return own_broker


BEFORE_WRAP = 70_000  # the session's packet ids pass 65,535 and start again at 1
DURING_KILLS = 20_000
KILLS = 3


def stored_past(engine: Engine, tank: str, floor: int) -> bool:
    """Whether TANK has more than FLOOR readings."""
    return count_readings(engine, tank) > floor


@pytest.mark.timeout(400)  # a load test: 2 shared cores, a real subprocess
def test_a_steady_value_past_a_packet_id_wrap_survives_sigkills_exactly_once(
    broker: Broker, engine: Engine, daemon_process: DaemonProcess, report
) -> None:
    """90,000 QoS 1 readings of "25.0", three SIGKILLs after the wrap: every one stored once."""
    tank = unique("wrap")
    topic = f"aquarium/{tank}/temperature"
    daemon_process.start()
    assert wait_subscribed(daemon_process)
    with publisher(broker) as client:
        publish_all(client, [(topic, b"25.0")] * BEFORE_WRAP)
        assert wait_until(lambda: count_readings(engine, tank) >= BEFORE_WRAP, timeout=180)
        chunk = DURING_KILLS // (KILLS + 1)
        for kill in range(KILLS + 1):
            already = count_readings(engine, tank)
            publish_all(client, [(topic, b"25.0")] * chunk)
            if kill < KILLS:
                # Killed mid-stream: some of this chunk stored and acked, some stored and not
                # acked (redelivered with DUP), some never read (redelivered with DUP too).
                assert wait_until(partial(stored_past, engine, tank, already + chunk // 4), 60)
                daemon_process.kill()
                daemon_process.start()
        started = time.monotonic()
        expected = BEFORE_WRAP + DURING_KILLS
        assert wait_until(lambda: count_readings(engine, tank) >= expected, timeout=180)
        recovery = time.monotonic() - started
        # The broker delivers the session's queue in order: once this marker is stored, every
        # redelivery has been decided, so the count below is final.
        marker = unique("marker")
        publish_all(client, [(f"aquarium/{marker}/ph", b"7.0")])
        assert wait_until(lambda: count_readings(engine, marker) == 1, timeout=60)
    stored = count_readings(engine, tank)
    assert stored == expected, f"{stored} of {expected} stored (acknowledged = stored, once)"
    assert daemon_process.stop() == 0
    report(
        "packet-id wrap",
        f'70,000 readings of "25.0" (packet ids wrap), then 20,000 more with {KILLS} SIGKILLs',
        f"{expected:,} QoS 1 readings without a device time, all the same value",
        expected - stored,
        recovery,
    )
