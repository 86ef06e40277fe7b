"""The workers' heartbeats: roles, broker connection, counters; and the facts they share."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, select, update

from db.schema import daemon_status, shared_settings
from db.upsert import insert_ignore

# How often a daemon writes its status (ingest/heartbeat.py). Declared here, beside the status it
# writes, so readers (the dashboard, `aquarium restore`) need not load the daemon to know it.
BEAT_S = 10.0
# A daemon is silent, not merely between beats, after three missed beats.
SILENT_AFTER = timedelta(seconds=3 * BEAT_S)


@dataclass(frozen=True)
class DaemonStatus:
    """One worker's last word."""

    worker: str
    broker: str
    connected: bool
    since: datetime
    heartbeat: datetime
    received: int
    stored: int
    rejected: int
    roles: str = ""  # comma-separated leases held: ingest, alerts, housekeeping; "" is standby
    session: str | None = None
    pending: int = 0

    @property
    def role_list(self) -> list[str]:
        """The roles as a list; empty for a standby."""
        return [r for r in self.roles.split(",") if r]

    def silent(self, now: datetime) -> bool:
        """Whether the worker has missed three heartbeats (killed, crashed, or cut off)."""
        return now - self.heartbeat > SILENT_AFTER


def record_status(
    engine: Engine,
    worker: str,
    broker: str,
    connected: bool,
    now: datetime,
    counts: tuple[int, int, int],
    *,
    roles: str = "ingest,alerts,housekeeping",
    session: str | None = None,
    pending: int = 0,
) -> None:
    """Write WORKER's heartbeat; `since` moves only when the connection state changes."""
    received, stored, rejected = counts
    with engine.connect().execution_options(sqlite_write=True) as conn, conn.begin():
        conn.execute(
            insert_ignore(conn, daemon_status, ["worker"]).values(
                worker=worker, broker=broker, connected=connected, since=now, heartbeat=now
            )
        )
        previous = conn.execute(
            select(daemon_status.c.connected).where(daemon_status.c.worker == worker)
        ).scalar_one()
        values: dict[str, object] = {
            "broker": broker,
            "connected": connected,
            "heartbeat": now,
            "received": received,
            "stored": stored,
            "rejected": rejected,
            "roles": roles,
            "session": session,
            "pending": pending,
        }
        if previous != connected:
            values["since"] = now
        conn.execute(update(daemon_status).where(daemon_status.c.worker == worker).values(**values))


def forget_status(engine: Engine, worker: str) -> None:
    """Remove WORKER's row when it stops cleanly (it is not running, not failing)."""
    with engine.connect().execution_options(sqlite_write=True) as conn, conn.begin():
        conn.execute(delete(daemon_status).where(daemon_status.c.worker == worker))


def forget_silent(engine: Engine, now: datetime) -> int:
    """Remove the rows of workers silent for longer than SILENT_AFTER; returns how many."""
    with engine.connect().execution_options(sqlite_write=True) as conn, conn.begin():
        return conn.execute(
            delete(daemon_status).where(daemon_status.c.heartbeat < now - SILENT_AFTER)
        ).rowcount


def list_status(engine: Engine) -> list[DaemonStatus]:
    """Every worker that has reported, newest heartbeat first."""
    query = select(daemon_status).order_by(daemon_status.c.heartbeat.desc())
    with engine.connect() as conn:
        return [DaemonStatus(**row._mapping) for row in conn.execute(query)]


SESSION_CLIENT_ID = "mqtt_session_client_id"


def shared_client_id(engine: Engine, proposed: str, *, insist: bool = False) -> str:
    """The MQTT client id of the one ingest session: the stored one, else PROPOSED (stored).

    INSIST (an explicit --client-id) replaces the stored id: the keeper moved the session.
    """
    with engine.connect().execution_options(sqlite_write=True) as conn, conn.begin():
        if insist:
            conn.execute(delete(shared_settings).where(shared_settings.c.name == SESSION_CLIENT_ID))
        conn.execute(
            insert_ignore(conn, shared_settings, ["name"]).values(
                name=SESSION_CLIENT_ID, value=proposed
            )
        )
        return conn.execute(
            select(shared_settings.c.value).where(shared_settings.c.name == SESSION_CLIENT_ID)
        ).scalar_one()


@dataclass(frozen=True)
class Workers:
    """The workers as status and the dashboard report them."""

    live: list[DaemonStatus]
    silent: list[DaemonStatus]  # rows left by workers that stopped beating without a word

    @property
    def ingesting(self) -> list[DaemonStatus]:
        """Live workers holding the ingest session (one, in a healthy installation)."""
        return [s for s in self.live if "ingest" in s.role_list]


def workers(engine: Engine, now: datetime) -> Workers:
    """Every worker, split into live ones and silent ones."""
    statuses = list_status(engine)
    return Workers(
        live=[s for s in statuses if not s.silent(now)],
        silent=[s for s in statuses if s.silent(now)],
    )
