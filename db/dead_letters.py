"""Dead letters: every message the daemon refused, with the reason, kept within bounds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine, delete, func, insert, select

from db.schema import dead_letters

# A flood of bad messages must not fill the disk: keep the newest rows only, and not for ever.
MAX_ROWS = 10_000
MAX_AGE = timedelta(days=30)
EXCERPT_CHARS = 200


@dataclass(frozen=True)
class DeadLetter:
    """A refused message: where it came from, a bounded copy of it, and why."""

    time: datetime
    topic: str
    payload: str
    payload_size: int
    reason: str
    id: int | None = None


def excerpt(payload: bytes) -> str:
    """A printable, bounded copy of a payload (binary shown with escapes)."""
    text = payload[: EXCERPT_CHARS * 4].decode("utf-8", errors="backslashreplace")
    text = "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)
    return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1] + "…"


def add_dead_letters(conn: Connection, letters: list[DeadLetter]) -> None:
    """Store refused messages inside the caller's transaction."""
    if letters:
        conn.execute(
            insert(dead_letters),
            [
                {
                    "time": d.time,
                    "topic": d.topic[:255],
                    "payload": d.payload,
                    "payload_size": d.payload_size,
                    "reason": d.reason,
                }
                for d in letters
            ],
        )


def list_dead_letters(engine: Engine, limit: int = 100) -> list[DeadLetter]:
    """The newest refused messages first."""
    query = select(dead_letters).order_by(dead_letters.c.id.desc()).limit(limit)
    with engine.connect() as conn:
        return [DeadLetter(**row._mapping) for row in conn.execute(query)]


def count_dead_letters(engine: Engine) -> int:
    """How many refused messages are kept."""
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(dead_letters)).scalar_one()


def prune_dead_letters(
    conn: Connection, now: datetime, max_rows: int = MAX_ROWS, max_age: timedelta = MAX_AGE
) -> int:
    """Drop dead letters older than MAX_AGE or beyond the newest MAX_ROWS; returns rows removed."""
    removed = conn.execute(delete(dead_letters).where(dead_letters.c.time < now - max_age)).rowcount
    cutoff = conn.execute(
        select(dead_letters.c.id).order_by(dead_letters.c.id.desc()).offset(max_rows).limit(1)
    ).scalar()
    if cutoff is not None:
        removed += conn.execute(delete(dead_letters).where(dead_letters.c.id <= cutoff)).rowcount
    return removed
