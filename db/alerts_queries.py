"""Alerts as the dashboard reads them: by state, newest first, and the keeper's acknowledgement.

The alert engine (alerts/) owns the rows and their state machine; the dashboard only reads them
and sets acknowledged_at, which the engine honours by not repeating the notification.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, func, literal, select, update

from db.errors import NotFound
from db.schema import alerts, tanks
from db.types import UTCDateTime

# States the alert engine stores (health/rules.py AlertState); "inactive" rows are not shown.
OPEN_STATES = ("pending", "firing")
RESOLVED = "resolved"


@dataclass(frozen=True)
class AlertRow:
    """One alert: which rule, for which tank, where it stands and since when."""

    id: int
    tank: str
    rule: str
    state: str
    since: datetime
    fired_at: datetime | None
    resolved_at: datetime | None
    acknowledged_at: datetime | None
    last_value: float | None
    message: str


def list_alerts(
    engine: Engine,
    *,
    states: Sequence[str],
    tank: str | None = None,
    acknowledged: bool | None = None,
    limit: int = 200,
) -> list[AlertRow]:
    """Alerts in STATES (of TANK, or every tank), newest first; ACKNOWLEDGED filters when set."""
    query = (
        select(alerts, tanks.c.name.label("tank"))
        .join(tanks, tanks.c.id == alerts.c.tank_id)
        .where(alerts.c.state.in_(states), tanks.c.archived_at.is_(None))
        .order_by(alerts.c.since.desc(), alerts.c.id.desc())
        .limit(limit)
    )
    if tank is not None:
        query = query.where(tanks.c.name == tank)
    if acknowledged is True:
        query = query.where(alerts.c.acknowledged_at.is_not(None))
    elif acknowledged is False:
        query = query.where(alerts.c.acknowledged_at.is_(None))
    with engine.connect() as conn:
        return [
            AlertRow(
                id=row.id,
                tank=row.tank,
                rule=row.rule,
                state=row.state,
                since=row.since,
                fired_at=row.fired_at,
                resolved_at=row.resolved_at,
                acknowledged_at=row.acknowledged_at,
                last_value=row.last_value,
                message=row.message,
            )
            for row in conn.execute(query)
        ]


def acknowledge_alert(engine: Engine, alert_id: int, at: datetime | None = None) -> None:
    """Mark an open alert as seen by the keeper; NotFound if it is gone or already resolved."""
    with engine.connect().execution_options(sqlite_write=True) as conn, conn.begin():
        changed = conn.execute(
            update(alerts)
            .where(alerts.c.id == alert_id, alerts.c.state.in_(OPEN_STATES))
            # A second click keeps the first acknowledgement's time.
            .values(
                acknowledged_at=func.coalesce(
                    alerts.c.acknowledged_at, literal(at or datetime.now(UTC), UTCDateTime())
                )
            )
        ).rowcount
    if not changed:
        raise NotFound(f"alert {alert_id} is no longer open; it may have resolved meanwhile")
