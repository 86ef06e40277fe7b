"""Fixtures: a private Mosquitto per session, a fresh SQLite file per test, a daemon factory."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from db.engine import open_engine
from db.readings import BatchStore
from ingest.daemon import IngestDaemon
from ingest.mqtt_session import MqttSession
from ingest.routing import Router, SensorRoute
from sensors.mqtt_settings import MqttSettings
from tests.support import Broker, start_broker, throwaway_postgres, unique


@pytest.fixture(scope="session")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Broker]:
    """A real Mosquitto on a free port with a temp config (persistence, big queues)."""
    # Every test's stopped daemon leaves a persistent session that queues what later tests
    # publish; rewriting all those queues every second (the shipped autosave_interval) would make
    # this shared broker the bottleneck. The shipped interval is tested on a broker of its own
    # (tests/reliability/test_broker_persistence.py).
    running = start_broker(tmp_path_factory.mktemp("mosquitto"), autosave_interval_s=60)
    yield running
    running.stop()


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """URL of a SQLite file of this test's own."""
    return f"sqlite:///{tmp_path / 'aquarium.db'}"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """URL of a throw-away PostgreSQL database of this test's own (skips without a server)."""
    try:
        with throwaway_postgres() as url:
            yield url
    except RuntimeError as exc:
        if "not available" not in str(exc):
            raise
        pytest.skip(str(exc))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A migrated engine on a fresh SQLite file, then on a throw-away PostgreSQL database."""
    if request.param == "sqlite":
        opened = open_engine(f"sqlite:///{tmp_path / 'store.db'}")
        yield opened
        opened.dispose()
        return
    try:
        with throwaway_postgres("aquarium_store") as url:
            opened = open_engine(url)
            yield opened
            opened.dispose()
    except RuntimeError as exc:
        if "not available" not in str(exc):
            raise
        pytest.skip(str(exc))


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """A migrated engine on this test's SQLite file."""
    opened = open_engine(db_url)
    yield opened
    opened.dispose()


DaemonFactory = Callable[..., IngestDaemon]


@pytest.fixture
def start_daemon(broker: Broker, engine: Engine) -> Iterator[DaemonFactory]:
    """Start ingestion daemons on the test broker; each is stopped after the test."""
    started: list[IngestDaemon] = []

    def factory(
        routes: list[SensorRoute] | None = None,
        *,
        client_id: str | None = None,
        store: object | None = None,
        **options: object,
    ) -> IngestDaemon:
        daemon = IngestDaemon(
            store=store or BatchStore(engine),  # type: ignore[arg-type]  # tests hand in Store fakes
            router=Router(routes or []),
            session=MqttSession(
                MqttSettings(broker.host, broker.port), client_id or unique("ingest")
            ),
            **options,  # type: ignore[arg-type]  # IngestDaemon's own keywords, checked there
        )
        daemon.start()
        assert daemon.session.wait_connected(10), "daemon did not connect to the test broker"
        started.append(daemon)
        return daemon

    yield factory
    for daemon in started:
        if daemon.session.running:
            daemon.stop()
