"""The maintenance log: water changes, gravel and filter cleans, top-offs and notes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, delete, insert, select

from db.errors import NotFound
from db.schema import maintenance, tanks
from db.tanks import get_tank
from sensors.errors import KeeperInputError
from sensors.keeper_input import MAINTENANCE_KINDS
from sensors.notes import note_problem

KINDS = MAINTENANCE_KINDS  # declared with the keeper input that checks them


@dataclass(frozen=True)
class LoggedEvent:
    """A stored maintenance event."""

    id: int
    tank: str
    kind: str
    time: datetime
    percent: float | None
    litres: float | None
    note: str


def log_event(
    engine: Engine,
    tank: str,
    kind: str,
    *,
    at: datetime,
    percent: float | None = None,
    litres: float | None = None,
    note: str = "",
) -> int:
    """Store one maintenance event; returns its id. Callers validate KIND and amounts."""
    if problem := note_problem(note):
        raise KeeperInputError(problem)
    tank_id = get_tank(engine, tank).id
    with engine.connect().execution_options(sqlite_write=True) as conn, conn.begin():
        return conn.execute(
            insert(maintenance)
            .values(
                tank_id=tank_id,
                kind=kind,
                time=at,
                percent=percent,
                litres=litres,
                note=note,
                created_at=datetime.now(UTC),
            )
            .returning(maintenance.c.id)
        ).scalar_one()


def list_events(
    engine: Engine,
    tank: str,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    kind: str | None = None,
) -> list[LoggedEvent]:
    """Maintenance events of TANK, oldest first."""
    query = (
        select(maintenance, tanks.c.name.label("tank"))
        .join(tanks, tanks.c.id == maintenance.c.tank_id)
        .where(tanks.c.name == tank)
        .order_by(maintenance.c.time, maintenance.c.id)
    )
    if since is not None:
        query = query.where(maintenance.c.time >= since)
    if until is not None:
        query = query.where(maintenance.c.time <= until)
    if kind is not None:
        query = query.where(maintenance.c.kind == kind)
    with engine.connect() as conn:
        return [
            LoggedEvent(
                id=row.id,
                tank=row.tank,
                kind=row.kind,
                time=row.time,
                percent=row.percent,
                litres=row.litres,
                note=row.note,
            )
            for row in conn.execute(query)
        ]


def delete_event(engine: Engine, event_id: int) -> None:
    """Remove a logged event; NotFound if it is gone."""
    with engine.connect().execution_options(sqlite_write=True) as conn, conn.begin():
        changed = conn.execute(delete(maintenance).where(maintenance.c.id == event_id)).rowcount
    if not changed:
        raise NotFound(f"no maintenance event with id {event_id}")
