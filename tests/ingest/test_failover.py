"""Identical ingest workers on one PostgreSQL and one broker: when one dies, another resumes the
one persistent session within the bound, and every reading is stored exactly once."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from db.engine import open_engine
from db.schema import readings
from tests.support import (
    TOOK_LEASE,
    Broker,
    IngestWorker,
    publisher,
    throwaway_postgres,
    unique,
    wait_until,
)

pytestmark = pytest.mark.postgres

# The issue asks for 30,000 readings in each of five rounds: that takes 3-4 minutes on the shared
# 2-core machine, so the suite runs five rounds of 10,000 (the kills land at the same thirds of
# the burst); AQUARIUM_FAILOVER_READINGS=30000 runs the full size (docs/scaling.md has figures).
READINGS = int(os.environ.get("AQUARIUM_FAILOVER_READINGS", "10000"))
ROUNDS = int(os.environ.get("AQUARIUM_FAILOVER_ROUNDS", "5"))
TOPICS = 10
# docs/scaling.md: a dead worker's readings are stored by another within 30 s; the drain of the
# whole backlog at one worker's rate comes on top, so the test waits for the bound plus that.
FAILOVER_BOUND_S = 30.0


def _counts(engine: Engine) -> tuple[int, int]:
    with engine.connect() as conn:
        row = conn.execute(
            select(func.count(), func.count(func.distinct(readings.c.value))).select_from(readings)
        ).one()
    return int(row[0]), int(row[1])


def _holder(workers: list[IngestWorker], timeout: float) -> IngestWorker:
    found: list[IngestWorker] = []

    def one_holds() -> bool:
        found[:] = [w for w in workers if w.holds()]
        return len(found) == 1

    assert wait_until(one_holds, timeout=timeout, step=0.1), (
        f"expected one ingest holder, found {len(found)}: "
        + " | ".join(w.logged()[-400:] for w in workers)
    )
    return found[0]


def _round(broker: Broker, folder: Path, db_url: str) -> dict[str, float]:
    tank = unique("farm")
    workers = [IngestWorker(db_url, broker, folder / f"worker{i}.log") for i in range(3)]
    for worker in workers:  # started together: they also race to migrate the new database
        worker.start()
    try:
        first = _holder(workers, timeout=60)
        assert wait_until(lambda: "subscribed to" in first.logged(), timeout=30, step=0.1)
        killed_at = restarted_at = 0.0
        with publisher(broker) as client:
            infos = []
            for i in range(READINGS):
                # Plain numbers carry no device time: only the delivery key catches a message
                # stored but not acked before a kill. Values are unique so duplicates show.
                topic = f"aquarium/{tank}{i % TOPICS}/tds"
                infos.append(client.publish(topic, f"{100 + i / 1000:.3f}", qos=1))
                if i == READINGS // 3:
                    first.kill()  # SIGKILL mid-burst; never restarted
                    killed_at = time.monotonic()
                if i == 2 * READINGS // 3:
                    second = _holder([w for w in workers if w is not first], FAILOVER_BOUND_S)
                    second.kill()  # SIGKILL the successor too, and start it again at once
                    second.start()
                    restarted_at = time.monotonic()
                if i % 5000 == 4999:  # paho refuses a packet id still outstanding
                    for info in infos:
                        info.wait_for_publish(timeout=60)
                    infos.clear()
            for info in infos:
                info.wait_for_publish(timeout=60)
        published_at = time.monotonic()
        engine = open_engine(db_url, migrate=False)
        try:
            drained = wait_until(
                lambda: _counts(engine)[0] >= READINGS, timeout=FAILOVER_BOUND_S + 60, step=0.2
            )
            stored, distinct = _counts(engine)
            assert drained, f"{stored} of {READINGS} stored; " + workers[2].logged()[-600:]
            done_at = time.monotonic()
            time.sleep(1.0)  # anything redelivered late would land now as a second row
            stored, distinct = _counts(engine)
        finally:
            engine.dispose()
        assert stored == READINGS, f"{stored} rows for {READINGS} readings"
        assert distinct == READINGS, f"{READINGS - distinct} readings stored twice"
        took = [w for w in workers if TOOK_LEASE in w.logged()]
        assert len(took) >= 2, "only one worker ever ingested"
        return {
            "after_kill_s": done_at - killed_at,
            "after_restart_s": done_at - restarted_at,
            "after_last_publish_s": done_at - published_at,
            "workers_that_ingested": float(len(took)),
        }
    finally:
        for worker in workers:
            worker.stop()


def test_workers_fail_over_and_store_every_reading_exactly_once(
    broker: Broker, tmp_path: Path
) -> None:
    """Three workers; holder SIGKILLed mid-burst, successor killed and restarted: exactly once."""
    results = []
    for number in range(ROUNDS):
        try:
            with throwaway_postgres("aquarium_failover") as url:
                folder = tmp_path / f"round{number}"
                folder.mkdir()
                results.append(_round(broker, folder, url))
        except RuntimeError as exc:
            if "not available" in str(exc):
                pytest.skip(str(exc))
            raise
    print("failover rounds:", results)
