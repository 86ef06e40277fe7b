"""The daemons' heartbeats: connected to the broker or not, and since when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, select, update

from db.schema import daemon_status
from db.upsert import insert_ignore

# How often a daemon writes its status (ingest/heartbeat.py). Declared here, beside the status it
# writes, so readers (the dashboard, `aquarium restore`) need not load the daemon to know it.
BEAT_S = 10.0
# A daemon is silent, not merely between beats, after three missed beats.
SILENT_AFTER = timedelta(seconds=3 * BEAT_S)


@dataclass(frozen=True)
class DaemonStatus:
    """One daemon's last word."""

    client_id: str
    broker: str
    connected: bool
    since: datetime
    heartbeat: datetime
    received: int
    stored: int
    rejected: int


def record_status(
    engine: Engine,
    client_id: str,
    broker: str,
    connected: bool,
    now: datetime,
    counts: tuple[int, int, int],
) -> None:
    """Write CLIENT_ID's heartbeat; `since` moves only when the connection state changes."""
    received, stored, rejected = counts
    with engine.connect().execution_options(sqlite_write=True) as conn, conn.begin():
        conn.execute(
            insert_ignore(conn, daemon_status, ["client_id"]).values(
                client_id=client_id, broker=broker, connected=connected, since=now, heartbeat=now
            )
        )
        previous = conn.execute(
            select(daemon_status.c.connected).where(daemon_status.c.client_id == client_id)
        ).scalar_one()
        values: dict[str, object] = {
            "broker": broker,
            "connected": connected,
            "heartbeat": now,
            "received": received,
            "stored": stored,
            "rejected": rejected,
        }
        if previous != connected:
            values["since"] = now
        conn.execute(
            update(daemon_status).where(daemon_status.c.client_id == client_id).values(**values)
        )


def forget_status(engine: Engine, client_id: str) -> None:
    """Remove CLIENT_ID's row when it stops cleanly (it is not running, not failing)."""
    with engine.connect().execution_options(sqlite_write=True) as conn, conn.begin():
        conn.execute(delete(daemon_status).where(daemon_status.c.client_id == client_id))


def list_status(engine: Engine) -> list[DaemonStatus]:
    """Every daemon that has reported, newest heartbeat first."""
    query = select(daemon_status).order_by(daemon_status.c.heartbeat.desc())
    with engine.connect() as conn:
        return [DaemonStatus(**row._mapping) for row in conn.execute(query)]
