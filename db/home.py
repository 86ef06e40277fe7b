"""Every tank at a glance: one query for the home page, however many tanks there are.

The verdict comes from tank_verdicts (written by the daemon's alert round), the rest from
correlated subqueries on indexed columns, so 200 tanks cost one round trip, not 200.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, Float, and_, func, literal, or_, select, type_coerce

from db.schema import alerts, sensors, tank_verdicts, tanks
from db.types import UTCDateTime, to_epoch

# States the alert engine stores for an open alert (db/alerts_queries.py OPEN_STATES).
_OPEN = ("pending", "firing")
# A sensor is quiet after this many of its intervals without a reading (health/sensor_health.py
# STALE_INTERVALS) ...
QUIET_INTERVALS = 3
# ... taking Tasmota's default TelePeriod when it has no interval of its own (DOMAIN.md, "Sensors
# and their quirks").
DEFAULT_INTERVAL_S = 300.0


@dataclass(frozen=True)
class TankSummary:
    """What a tank's card on the home page shows."""

    name: str
    simulated: bool
    status: str | None  # the advisor's "ok", "soon" or "now"; None before the first round
    verdict_at: datetime | None
    due: datetime | None
    due_earliest: datetime | None
    due_latest: datetime | None
    change_percent: int | None
    headline: str
    worst_parameter: str | None
    worst_value: float | None
    worst_status: str | None
    firing: int  # open alerts that fired (past their hold time)
    open_alerts: int  # firing or pending, acknowledged or not
    open_rules: tuple[str, ...]  # codes of the open alerts' rules
    sensors: int
    quiet_sensors: int
    last_seen: datetime | None


def tank_summaries(engine: Engine, now: datetime) -> list[TankSummary]:
    """Every tank that is not archived, by name, with its verdict, alerts and quiet sensors."""
    mine = alerts.c.tank_id == tanks.c.id
    is_open = alerts.c.state.in_(_OPEN)
    firing = select(func.count()).where(mine, alerts.c.state == "firing").scalar_subquery()
    open_count = select(func.count()).where(mine, is_open).scalar_subquery()
    # Every open rule's code, in one string per tank (GROUP_CONCAT / string_agg); the page
    # orders them by urgency.
    open_rules = select(func.aggregate_strings(alerts.c.rule, ",")).where(mine, is_open)
    own = sensors.c.tank_id == tanks.c.id
    last_seen = type_coerce(sensors.c.last_seen, Float)
    interval = func.coalesce(sensors.c.expected_interval_s, literal(DEFAULT_INTERVAL_S))
    quiet = or_(
        sensors.c.last_seen.is_(None),
        last_seen < literal(to_epoch(now)) - QUIET_INTERVALS * interval,
    )
    sensor_count = select(func.count()).where(own).scalar_subquery()
    quiet_count = select(func.count()).where(and_(own, quiet)).scalar_subquery()
    newest_seen = select(func.max(sensors.c.last_seen)).where(own).scalar_subquery()
    query = (
        select(
            tanks.c.name,
            tanks.c.simulated,
            tank_verdicts,
            firing.label("firing"),
            open_count.label("open_alerts"),
            open_rules.scalar_subquery().label("open_rules"),
            sensor_count.label("sensor_count"),
            quiet_count.label("quiet_sensors"),
            type_coerce(newest_seen, UTCDateTime).label("last_seen"),
        )
        .select_from(tanks.outerjoin(tank_verdicts, tank_verdicts.c.tank_id == tanks.c.id))
        .where(tanks.c.archived_at.is_(None))
        .order_by(tanks.c.name)
    )
    with engine.connect() as conn:
        return [
            TankSummary(
                name=row.name,
                simulated=bool(row.simulated),
                status=row.status,
                verdict_at=row.at,
                due=row.due,
                due_earliest=row.due_earliest,
                due_latest=row.due_latest,
                change_percent=row.change_percent,
                headline=row.headline or "",
                worst_parameter=row.worst_parameter,
                worst_value=row.worst_value,
                worst_status=row.worst_status,
                firing=row.firing,
                open_alerts=row.open_alerts,
                open_rules=tuple(sorted(set(row.open_rules.split(",")))) if row.open_rules else (),
                sensors=row.sensor_count,
                quiet_sensors=row.quiet_sensors,
                last_seen=row.last_seen,
            )
            for row in conn.execute(query)
        ]
