"""Nothing acknowledged is lost, nothing redelivered is stored twice."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, func, select

from db.availability import AvailabilityChange
from db.dead_letters import DeadLetter
from db.readings import BatchResult, BatchStore, NewReading, count_readings
from db.schema import readings, sensors
from tests.conftest import DaemonFactory
from tests.support import Broker, publish_all, publisher, unique, wait_until


def test_readings_published_while_the_daemon_is_down_arrive_when_it_returns(
    broker: Broker, engine: Engine, start_daemon: DaemonFactory
) -> None:
    """The persistent session queues QoS 1 messages for a stopped daemon with the same client id."""
    tank, client_id = unique("t"), unique("ingest")
    start_daemon(client_id=client_id).stop()
    messages = [(f"aquarium/{tank}/conductivity", f"{400 + i}".encode()) for i in range(300)]
    with publisher(broker) as client:
        publish_all(client, messages)
    start_daemon(client_id=client_id)
    assert wait_until(lambda: count_readings(engine, tank) == 300, timeout=20)


def test_a_message_published_twice_with_a_device_time_is_stored_once(
    broker: Broker, engine: Engine, start_daemon: DaemonFactory
) -> None:
    """Two copies of the same timestamped reading (a device resending) make one row."""
    tank = unique("t")
    daemon = start_daemon()
    payload = json.dumps({"value": 6.9, "time": datetime.now(UTC).isoformat()}).encode()
    with publisher(broker) as client:
        publish_all(client, [(f"aquarium/{tank}/ph", payload)] * 2)
    assert wait_until(lambda: daemon.stats.duplicates == 1)
    assert count_readings(engine, tank) == 1


class CommitThenCrash(BatchStore):
    """Commits like the real store, then the process 'dies' before acking (injected fault)."""

    def __init__(self, engine: Engine, daemon_ref: list) -> None:
        super().__init__(engine)
        self.daemon_ref = daemon_ref

    def write(
        self,
        batch: list[NewReading],
        letters: list[DeadLetter],
        availability: Sequence[AvailabilityChange] = (),
    ) -> BatchResult:
        result = super().write(batch, letters, availability)
        # The connection dies between the commit and the acks (fault injection into paho: its
        # socket closed at once), so not one ack leaves and the broker still holds every message.
        # Returning normally lets the batcher take the next batch, as a real writer would; a
        # raise here would hold the first batch forever and never commit the messages after it.
        # Before the test hands in the daemon (a retained message on the shared broker arrives
        # right after the SUBACK) there is nothing to crash, and nothing of the test's to lose.
        if self.daemon_ref:
            self.daemon_ref[0].session.client._sock_close()
        return result


def test_redelivery_after_a_crash_between_commit_and_ack_is_not_stored_twice(
    broker: Broker, engine: Engine, start_daemon: DaemonFactory
) -> None:
    """Messages committed but never acked come back with DUP set and are recognised."""
    tank, client_id = unique("t"), unique("ingest")
    ref: list = []
    # Batches of 5: the 20 messages always span several commits, each followed by a crash, as a
    # loaded machine splits them; the test no longer depends on how the scheduler batches them.
    crashing = start_daemon(client_id=client_id, store=CommitThenCrash(engine, ref), max_batch=5)
    ref.append(crashing)
    messages = [(f"aquarium/{tank}/orp", f"{200 + i}".encode()) for i in range(20)]
    with publisher(broker) as client:
        publish_all(client, messages)
    assert wait_until(lambda: count_readings(engine, tank) == 20, timeout=30)
    crashing.session.stop()  # the crashed process is gone; its batcher never acked
    crashing.batcher.stop()
    healthy = start_daemon(client_id=client_id)
    assert wait_until(lambda: healthy.stats.duplicates >= 20, timeout=15)
    assert count_readings(engine, tank) == 20


class FailingStore:
    """Fails the first N writes (disk trouble), then writes for real."""

    def __init__(self, engine: Engine, failures: int) -> None:
        self.real = BatchStore(engine)
        self.failures = failures

    def write(
        self,
        batch: list[NewReading],
        letters: list[DeadLetter],
        availability: Sequence[AvailabilityChange] = (),
    ) -> BatchResult:
        if self.failures > 0:
            self.failures -= 1
            raise OSError("disk I/O error (injected)")
        return self.real.write(batch, letters, availability)


def test_a_failing_store_keeps_messages_unacked_until_it_recovers(
    broker: Broker, engine: Engine, start_daemon: DaemonFactory
) -> None:
    """While writes fail nothing is acked or lost; once they succeed every reading is stored."""
    tank = unique("t")
    daemon = start_daemon(store=FailingStore(engine, failures=3))
    with publisher(broker) as client:
        publish_all(
            client, [(f"aquarium/{tank}/oxygen", f"{7 + i / 100}".encode()) for i in range(50)]
        )
    assert wait_until(lambda: count_readings(engine, tank) == 50, timeout=20)
    assert daemon.stats.store_failures == 3


def test_sigterm_flushes_and_exits_cleanly(
    broker: Broker, db_url: str, tmp_path: Path, start_daemon: DaemonFactory
) -> None:
    """`aquarium ingest` exits 0 on SIGTERM; what it had not stored waits at the broker for the
    next start, so the two together store every reading exactly once."""
    tank, client_id = unique("t"), unique("ingest")
    env = dict(os.environ, AQUARIUM_DB_URL=db_url, AQUARIUM_MQTT_URL=broker.url)
    env.pop("AQUARIUM_CONFIG", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "aquarium", "ingest", "--client-id", client_id],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    from db.engine import open_engine

    engine = open_engine(db_url)
    # A new session's subscription starts when the daemon connects: probe until it is listening.
    probe = unique("probe")
    with publisher(broker) as client:

        def listening() -> bool:
            publish_all(client, [(f"aquarium/{probe}/level", b"1.0")])
            return count_readings(engine, probe) > 0

        assert wait_until(listening, timeout=30, step=0.3)
        messages = [(f"aquarium/{tank}/level", f"{30 - i / 10:.1f}".encode()) for i in range(200)]
        publish_all(client, messages)
    process.send_signal(signal.SIGTERM)
    _out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert "Traceback" not in err
    assert "stopped:" in err
    # SIGTERM may come before the broker handed over every message: those stay in the session.
    start_daemon(client_id=client_id, store=BatchStore(engine))
    assert wait_until(lambda: count_readings(engine, tank) == 200, timeout=20)
    with engine.connect() as conn:
        distinct = (
            select(func.count(func.distinct(readings.c.value)))
            .join(sensors, sensors.c.id == readings.c.sensor_id)
            .where(sensors.c.parameter == "level", readings.c.value > 5)
        )
        assert conn.execute(distinct).scalar_one() == 200
    engine.dispose()


def test_device_times_far_in_the_past_are_kept_for_buffered_readings(
    broker: Broker, engine: Engine, start_daemon: DaemonFactory
) -> None:
    """A node that buffered for a day publishes old readings; each keeps its own time."""
    tank = unique("t")
    start_daemon()
    now = datetime.now(UTC).replace(microsecond=0)
    messages = [
        (
            f"aquarium/{tank}/temperature",
            json.dumps({"value": 25.0, "time": (now - timedelta(hours=h)).isoformat()}).encode(),
        )
        for h in range(24)
    ]
    with publisher(broker) as client:
        publish_all(client, messages)
    assert wait_until(lambda: count_readings(engine, tank) == 24)
