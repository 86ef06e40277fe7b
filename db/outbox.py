"""The notification outbox: messages for the keeper's phone, kept until a service confirms them.

Rows are written in the alert state's own transaction (db/alert_state.py save_rule_states), so a
process killed between deciding to notify and sending loses nothing: the next process finds the
row unsent and sends it. One row per message per notification URL, the URL known by a hash.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, and_, func, insert, select, update

from db.schema import notifications

__all__ = [
    "OutboxEntry",
    "PendingNotification",
    "abandon_unknown_endpoints",
    "add_notifications",
    "due_notifications",
    "give_up",
    "mark_failed",
    "mark_sent",
    "notification_counts",
]


@dataclass(frozen=True)
class OutboxEntry:
    """A message to queue for one URL."""

    endpoint: str
    tank: str
    rules: tuple[str, ...]
    title: str
    body: str
    notify_type: str
    created_at: datetime


@dataclass(frozen=True)
class PendingNotification:
    """An unsent message, as the delivery worker reads it."""

    id: int
    tank: str
    rules: tuple[str, ...]
    title: str
    body: str
    notify_type: str
    created_at: datetime
    attempts: int


def add_notifications(conn: Connection, entries: Sequence[OutboxEntry]) -> None:
    """Queue ENTRIES inside the caller's transaction (the one that stores the alert state)."""
    if not entries:
        return
    conn.execute(
        insert(notifications),
        [
            {
                "endpoint": e.endpoint,
                "tank": e.tank,
                "rules": ",".join(e.rules)[:255],
                "title": e.title,
                "body": e.body,
                "notify_type": e.notify_type,
                "created_at": e.created_at,
                "next_attempt_at": e.created_at,
            }
            for e in entries
        ],
    )


def _unsent(endpoint: str) -> object:
    return and_(
        notifications.c.endpoint == endpoint,
        notifications.c.sent_at.is_(None),
        notifications.c.gave_up_at.is_(None),
    )


def due_notifications(
    engine: Engine, endpoint: str, now: datetime, limit: int = 10_000
) -> list[PendingNotification]:
    """ENDPOINT's unsent messages whose next attempt is due at NOW, oldest first."""
    query = (
        select(notifications)
        .where(_unsent(endpoint), notifications.c.next_attempt_at <= now)  # type: ignore[arg-type]
        .order_by(notifications.c.id)
        .limit(limit)
    )
    with engine.connect() as conn:
        return [
            PendingNotification(
                id=row.id,
                tank=row.tank,
                rules=tuple(r for r in row.rules.split(",") if r),
                title=row.title,
                body=row.body,
                notify_type=row.notify_type,
                created_at=row.created_at,
                attempts=row.attempts,
            )
            for row in conn.execute(query)
        ]


def mark_sent(engine: Engine, ids: Sequence[int], at: datetime) -> None:
    """The service confirmed IDS at AT."""
    _set(engine, ids, sent_at=at, attempts=notifications.c.attempts + 1)


def mark_failed(engine: Engine, ids: Sequence[int], next_attempt_at: datetime, error: str) -> None:
    """An attempt at IDS failed with ERROR (already scrubbed of secrets); retry at NEXT."""
    _set(
        engine,
        ids,
        next_attempt_at=next_attempt_at,
        attempts=notifications.c.attempts + 1,
        last_error=error[:1000],
    )


def give_up(engine: Engine, ids: Sequence[int], at: datetime, error: str) -> None:
    """Stop retrying IDS (too old to be worth a buzz, or the URL is gone), keeping why."""
    _set(engine, ids, gave_up_at=at, last_error=error[:1000])


def abandon_unknown_endpoints(engine: Engine, known: Sequence[str], at: datetime) -> int:
    """Give up unsent messages for URLs no longer configured; returns how many."""
    condition = and_(
        notifications.c.sent_at.is_(None),
        notifications.c.gave_up_at.is_(None),
        notifications.c.endpoint.not_in(list(known)),
    )
    with engine.connect().execution_options(sqlite_write=True) as conn, conn.begin():
        return conn.execute(
            update(notifications)
            .where(condition)
            .values(gave_up_at=at, last_error="its notification URL is no longer configured")
        ).rowcount


def notification_counts(engine: Engine, endpoint: str | None = None) -> dict[str, int]:
    """How many messages are sent, waiting and given up (for ENDPOINT, or all)."""
    query = select(
        func.count().filter(notifications.c.sent_at.is_not(None)),
        func.count().filter(
            and_(notifications.c.sent_at.is_(None), notifications.c.gave_up_at.is_(None))
        ),
        func.count().filter(notifications.c.gave_up_at.is_not(None)),
    )
    if endpoint is not None:
        query = query.where(notifications.c.endpoint == endpoint)
    with engine.connect() as conn:
        sent, waiting, gave_up = conn.execute(query).one()
    return {"sent": sent, "waiting": waiting, "gave_up": gave_up}


def _set(engine: Engine, ids: Sequence[int], **values: object) -> None:
    if not ids:
        return
    with engine.connect().execution_options(sqlite_write=True) as conn, conn.begin():
        for start in range(0, len(ids), 500):  # stay under SQLite's bound-parameter limit
            chunk = list(ids[start : start + 500])
            conn.execute(
                update(notifications).where(notifications.c.id.in_(chunk)).values(**values)
            )
