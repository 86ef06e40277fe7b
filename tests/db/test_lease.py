"""Leases held by PostgreSQL advisory locks: one holder, handed over when the holder is gone."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text

from db.engine import open_engine
from db.lease import Lease
from ingest.election import ElectedDuty
from tests.support import wait_until

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg(postgres_url: str) -> Iterator[Engine]:
    """A migrated engine on a throw-away PostgreSQL database."""
    engine = open_engine(postgres_url)
    yield engine
    engine.dispose()


def test_only_one_process_holds_a_lease_until_it_lets_go(pg: Engine) -> None:
    """A second claimant is refused while the first holds the lease, and wins once it is freed."""
    first, second = Lease(pg, "ingest"), Lease(pg, "ingest")
    assert first.acquire()
    assert not second.acquire()
    assert Lease(pg, "alerts").acquire(), "a different lease is independent"
    first.release()
    assert second.acquire()
    assert not first.acquire()
    second.release()


def test_a_holder_whose_connection_dies_loses_the_lease_and_knows_it(pg: Engine) -> None:
    """Terminating the holder's server session frees the lock, and still_held() says so."""
    holder, waiting = Lease(pg, "ingest"), Lease(pg, "ingest")
    assert holder.acquire()
    with pg.connect() as conn:
        terminated = conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = 'aquarium lease ingest' AND pid <> pg_backend_pid() "
                # only this test's database: other runs on the same server hold leases too
                "AND datname = current_database()"
            )
        ).all()
    assert terminated == [(True,)]
    assert wait_until(waiting.acquire, timeout=10)
    assert not holder.still_held()
    assert not holder.acquire(), "the lost lease is now someone else's"
    waiting.release()


class Recorder:
    """A duty that notes when it runs."""

    def __init__(self, log: list[str], name: str) -> None:
        self.log, self.name = log, name

    def start(self) -> None:
        self.log.append(f"{self.name} start")

    def stop(self) -> None:
        self.log.append(f"{self.name} stop")


def test_a_standby_takes_the_duty_over_when_the_holder_stops(pg: Engine) -> None:
    """Two elected duties on one lease: exactly one runs; stopping it hands the duty over."""
    log: list[str] = []
    a = ElectedDuty(Lease(pg, "alerts"), lambda: Recorder(log, "a"), acquire_every_s=0.1)
    b = ElectedDuty(Lease(pg, "alerts"), lambda: Recorder(log, "b"), acquire_every_s=0.1)
    a.start()
    assert wait_until(lambda: a.active, timeout=10)
    b.start()
    assert not wait_until(lambda: b.active, timeout=0.5), "two holders at once"
    a.stop()
    assert wait_until(lambda: b.active, timeout=10)
    b.stop()
    assert log == ["a start", "a stop", "b start", "b stop"]


def test_a_duty_that_cannot_start_gives_its_lease_to_another(pg: Engine) -> None:
    """A worker whose duty fails to start releases the lease instead of sitting on it."""

    def broken() -> Recorder:
        raise RuntimeError("no broker")

    log: list[str] = []
    bad = ElectedDuty(Lease(pg, "ingest"), broken, acquire_every_s=0.1)
    bad.start()
    good = ElectedDuty(Lease(pg, "ingest"), lambda: Recorder(log, "good"), acquire_every_s=0.1)
    good.start()
    assert wait_until(lambda: good.active, timeout=10)
    bad.stop()
    good.stop()
    assert log == ["good start", "good stop"]


def test_on_sqlite_the_lease_is_always_granted(engine: Engine) -> None:
    """SQLite keeps the single-daemon behaviour: every claimant holds the lease."""
    assert Lease(engine, "ingest").acquire() and Lease(engine, "ingest").acquire()
