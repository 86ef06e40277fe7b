"""The alert engine's memory: each rule's state per tank, kept in the `alerts` table.

One row per episode: a rule that goes pending or fires gets a new row, which follows it through
firing to resolved and then stays as history. A pending alert that is cancelled leaves an
"inactive" row that the next episode reuses, so a flapping condition does not pile up rows.
db/alerts_queries.py reads the same rows for the dashboard and sets acknowledged_at; saving here
never clears an acknowledgement within an episode, so a click between load and save survives.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, Float, func, insert, literal, select, type_coerce, update

from db.outbox import OutboxEntry, add_notifications
from db.schema import alerts, maintenance, manual_tests, sensors, tanks
from db.tanks import get_tank
from db.types import UTCDateTime
from health.rules import AlertState, RuleState

_OPEN = (AlertState.PENDING, AlertState.FIRING)


@dataclass(frozen=True)
class RuleUpdate:
    """A rule's new state after one evaluation, with the keeper's sentence for it."""

    rule: str
    state: RuleState
    message: str


def load_rule_states(engine: Engine, tank: str) -> dict[str, RuleState]:
    """The current state of every rule of TANK that has ever left "inactive", by rule name."""
    tank_id = get_tank(engine, tank).id
    with engine.connect() as conn:
        return {row.rule: _state(row) for row in _newest(conn, tank_id)}


def save_rule_states(
    engine: Engine,
    tank: str,
    updates: Sequence[RuleUpdate],
    outbox: Sequence[OutboxEntry] = (),
) -> None:
    """Store UPDATES for TANK and queue OUTBOX in one transaction (nothing when both are empty).

    One transaction: an alert recorded as notified always has its message queued, and a queued
    message always belongs to a recorded alert, whenever the process is killed.
    """
    save_many_rule_states(engine, [TankSave(tank, tuple(updates), tuple(outbox))])


@dataclass(frozen=True)
class TankSave:
    """One tank's rule updates and the messages they queue, to store together."""

    tank: str
    updates: tuple[RuleUpdate, ...]
    outbox: tuple[OutboxEntry, ...] = ()


def save_many_rule_states(engine: Engine, saves: Sequence[TankSave]) -> None:
    """Store several tanks' updates and queue their messages in one transaction.

    An alert round changes many tanks at once (every tank goes pending when their sensors fall
    silent together); one commit per tank made the commits, each a disk flush, half the round.
    The guarantee of save_rule_states holds for each tank, as all commit or none do.
    """
    saves = [s for s in saves if s.updates or s.outbox]
    if not saves:
        return
    with engine.connect().execution_options(sqlite_write=True) as conn, conn.begin():
        names = sorted({s.tank for s in saves})
        ids = dict(
            conn.execute(select(tanks.c.name, tanks.c.id).where(tanks.c.name.in_(names))).all()
        )
        for save in saves:
            if save.tank not in ids:
                get_tank(engine, save.tank)  # raises NotFound, naming a near miss
            tank_id = ids[save.tank]
            newest = {row.rule: row for row in _newest(conn, tank_id)}
            for change in save.updates:
                _save(conn, tank_id, newest.get(change.rule), change)
            add_notifications(conn, save.outbox)


def data_marker(engine: Engine) -> tuple[float, int, int]:
    """The newest reading's arrival, test result id and maintenance id: "has anything arrived?".

    Each is a max over a short table (sensors) or an integer primary key, answered at once.
    """
    with engine.connect() as conn:
        row = conn.execute(
            select(
                select(func.max(type_coerce(sensors.c.last_seen, Float))).scalar_subquery(),
                select(func.max(manual_tests.c.id)).scalar_subquery(),
                select(func.max(maintenance.c.id)).scalar_subquery(),
            )
        ).one()
    return (row[0] or 0.0, row[1] or 0, row[2] or 0)


def tanks_needing_a_round(engine: Engine, since: datetime) -> tuple[set[str], set[str]]:
    """(tanks with new data since SINCE or an open alert, every other active tank).

    New data: a reading received (sensors.last_seen), a test result or maintenance entered, since
    SINCE. Open: an alert pending or firing, whose timers need the clock even without data.
    """
    active = select(tanks.c.id).where(tanks.c.archived_at.is_(None))
    changed = (
        select(sensors.c.tank_id)
        .where(sensors.c.last_seen >= since)
        .union(
            select(manual_tests.c.tank_id).where(manual_tests.c.created_at >= since),
            select(maintenance.c.tank_id).where(maintenance.c.created_at >= since),
            select(alerts.c.tank_id).where(alerts.c.state.in_([s.value for s in _OPEN])),
        )
        .subquery()
    )
    with engine.connect() as conn:
        busy_ids = {row[0] for row in conn.execute(select(changed.c.tank_id))}
        names = {
            row.id: row.name
            for row in conn.execute(select(tanks.c.id, tanks.c.name).where(tanks.c.id.in_(active)))
        }
    busy = {names[i] for i in busy_ids if i in names}
    return busy, set(names.values()) - busy


def _newest(conn: Connection, tank_id: int) -> Sequence[Any]:
    latest = (
        select(func.max(alerts.c.id))
        .where(alerts.c.tank_id == tank_id)
        .group_by(alerts.c.rule)
        .scalar_subquery()
    )
    return conn.execute(select(alerts).where(alerts.c.id.in_(latest))).all()


def _state(row: Any) -> RuleState:
    state = AlertState(row.state)
    return RuleState(
        state=state,
        since=row.since,
        last_value=row.last_value,
        fired_at=row.fired_at,
        last_notified_at=row.last_notified_at,
        # An acknowledgement belongs to its episode: a finished one must not silence the next.
        acknowledged_at=row.acknowledged_at if state in _OPEN else None,
        clear_since=row.clear_since,
    )


def _values(change: RuleUpdate) -> dict[str, Any]:
    s = change.state
    # A yes/no condition's "value" says nothing the state does not; the dashboard shows numbers.
    value = None if isinstance(s.last_value, bool) else s.last_value
    return {
        "state": s.state.value,
        "since": s.since,
        "fired_at": s.fired_at,
        "last_notified_at": s.last_notified_at,
        "last_value": value,
        "clear_since": s.clear_since,
    }


def _save(conn: Connection, tank_id: int, row: Any | None, change: RuleUpdate) -> None:
    s = change.state
    if s.since is None:
        return  # a rule that has never left "inactive" has nothing worth a row
    opening = s.state in _OPEN
    values = _values(change)
    if row is None or row.state == AlertState.RESOLVED:
        if opening:  # a new episode
            conn.execute(
                insert(alerts).values(
                    tank_id=tank_id,
                    rule=change.rule,
                    acknowledged_at=s.acknowledged_at,
                    message=change.message,
                    **values,
                )
            )
        return
    if row.state == AlertState.INACTIVE:
        if opening:  # a new episode in a cancelled one's row: start it afresh
            conn.execute(
                update(alerts)
                .where(alerts.c.id == row.id)
                .values(
                    acknowledged_at=s.acknowledged_at,
                    resolved_at=None,
                    message=change.message,
                    **values,
                )
            )
        return
    # The same episode moves on (pending -> firing -> resolved, or pending -> cancelled).
    extra: dict[str, Any] = {
        "acknowledged_at": func.coalesce(
            alerts.c.acknowledged_at, literal(s.acknowledged_at, UTCDateTime())
        )
        if s.acknowledged_at is not None
        else alerts.c.acknowledged_at
    }
    if s.state == AlertState.RESOLVED:
        extra["resolved_at"] = s.since  # the message stays: it says what the alert was about
    elif opening:
        extra["message"] = change.message
    conn.execute(update(alerts).where(alerts.c.id == row.id).values(**values, **extra))
