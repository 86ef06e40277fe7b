"""An ingest worker: the duties it may be elected to, their leases, and its heartbeat."""

from __future__ import annotations

import logging
import os
import socket
import threading
from datetime import timedelta

from aquarium.commands_alerts import alert_engine_for
from aquarium.wiring import daemon_for, default_client_id, engine_for, sync_sensors, sync_tanks
from db.daemon_status import shared_client_id
from db.lease import Lease
from ingest.election import ElectedDuty
from ingest.heartbeat import Heartbeat
from ingest.housekeeping import Housekeeping
from ingest.one_daemon import OneDaemon
from settings.environment import load_settings

log = logging.getLogger(__name__)

# Lease names; also the roles `aquarium status` shows.
INGEST, ALERTS, HOUSEKEEPING = "ingest", "alerts", "housekeeping"


def worker_name() -> str:
    """This process as the status table names it: host and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"[:128]


def run_worker(*, client_id: str | None, alerts: bool, stop: threading.Event) -> None:
    """Stand for every duty, run those whose lease this process wins, until STOP is set."""
    settings = load_settings()
    engine = engine_for(settings)
    one_daemon = OneDaemon(engine)
    one_daemon.acquire()  # SQLite: refuses a second daemon, naming the first, before anything else
    sync_tanks(engine, settings.config)
    sync_sensors(engine, settings.config)
    session_id = shared_client_id(
        engine, client_id or default_client_id(settings.db_url), insist=client_id is not None
    )
    raw_days = settings.config.retention.raw_days
    retention = timedelta(days=raw_days) if raw_days else None
    duties = [
        ElectedDuty(
            Lease(engine, INGEST), lambda: daemon_for(settings, engine, client_id=session_id)
        ),
        ElectedDuty(Lease(engine, HOUSEKEEPING), lambda: Housekeeping(engine, retention)),
    ]
    if alerts:
        duties.append(
            ElectedDuty(
                Lease(engine, ALERTS),
                lambda: alert_engine_for(settings, engine, client_id=f"{session_id}-alerts"),
            )
        )
    name = worker_name()
    heartbeat = Heartbeat(engine, settings.mqtt.display, name, duties)
    log.info(
        "worker %s: ingesting from %s into %s (session %s)",
        name,
        settings.mqtt.display,
        engine.url.render_as_string(),
        session_id,
    )
    for duty in duties:
        duty.start()
    heartbeat.start()
    stop.wait()
    for duty in reversed(duties):
        duty.stop()
    heartbeat.stop()
    one_daemon.release()
