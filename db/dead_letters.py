"""Dead letters: every message the daemon refused, with the reason, kept within bounds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine, delete, func, insert, select

from db.schema import dead_letters, sensors

# A flood of bad messages must not fill the disk: keep the newest rows only, and not for ever.
MAX_ROWS = 10_000
MAX_AGE = timedelta(days=30)
EXCERPT_CHARS = 200
# Nor may one noisy source erase the others' letters (25,000 junk messages evicted a genuine
# DS18B20 85.0 within 7 s): each source keeps at most its newest PER_SOURCE rows, and when the
# table is over MAX_ROWS the biggest sources shrink first.
PER_SOURCE = 1_000
SOURCE_LEVELS = 2  # "aquarium/turtles", "tele/node1": one tank, or one device


def source_of(topic: str) -> str:
    """The source a dead letter is counted against: the topic's first two levels."""
    return "/".join(topic.split("/")[:SOURCE_LEVELS])[:255]


@dataclass(frozen=True)
class DeadLetter:
    """A refused message: where it came from, a bounded copy of it, and why."""

    time: datetime
    topic: str
    payload: str
    payload_size: int
    reason: str
    id: int | None = None
    source: str = ""  # filled from the topic when stored


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
                    "source": source_of(d.topic),
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
    conn: Connection,
    now: datetime,
    max_rows: int = MAX_ROWS,
    max_age: timedelta = MAX_AGE,
    per_source: int = PER_SOURCE,
) -> int:
    """Drop letters older than MAX_AGE, beyond PER_SOURCE per source, and beyond MAX_ROWS taken
    from the biggest sources first; returns rows removed."""
    removed = conn.execute(delete(dead_letters).where(dead_letters.c.time < now - max_age)).rowcount
    counts: dict[str, int] = {
        source: count
        for source, count in conn.execute(
            select(dead_letters.c.source, func.count()).group_by(dead_letters.c.source)
        )
    }
    keep = _fair_share(list(counts.values()), max_rows, per_source)
    for source, count in counts.items():
        if count > keep:
            removed += _keep_newest(conn, source, keep)
    # More sources than MAX_ROWS (every message from a new topic): a flood that spreads over
    # thousands of topics has one letter per source, like a real sensor's. The oldest letters
    # of sources that never sent a reading go first; only then the oldest of any source.
    excess = conn.execute(select(func.count()).select_from(dead_letters)).scalar_one() - max_rows
    known = [source for source in _known_sources(conn) if source in counts]
    if excess > 0 and known:
        oldest_unknown = (
            select(dead_letters.c.id)
            .where(dead_letters.c.source.not_in(known))
            .order_by(dead_letters.c.id)
            .limit(excess)
        )
        removed += conn.execute(
            delete(dead_letters).where(dead_letters.c.id.in_(oldest_unknown.scalar_subquery()))
        ).rowcount
    cutoff = conn.execute(
        select(dead_letters.c.id).order_by(dead_letters.c.id.desc()).offset(max_rows).limit(1)
    ).scalar()
    if cutoff is not None:
        removed += conn.execute(delete(dead_letters).where(dead_letters.c.id <= cutoff)).rowcount
    return removed


def _known_sources(conn: Connection) -> set[str]:
    """Sources that have sent a reading: the topics of the sensors table, as sources."""
    return {
        source_of(topic) for topic in conn.execute(select(sensors.c.topic).distinct()).scalars()
    }


def _fair_share(counts: list[int], max_rows: int, per_source: int) -> int:
    """The most rows any one source may keep: at most PER_SOURCE, and small enough that the
    table fits in MAX_ROWS when the biggest sources are cut down to it (water-filling)."""
    share = per_source
    while share > 1 and sum(min(count, share) for count in counts) > max_rows:
        share = max(1, share * 3 // 4)
    return share


def _keep_newest(conn: Connection, source: str, keep: int) -> int:
    cutoff = conn.execute(
        select(dead_letters.c.id)
        .where(dead_letters.c.source == source)
        .order_by(dead_letters.c.id.desc())
        .offset(keep)
        .limit(1)
    ).scalar()
    if cutoff is None:
        return 0
    return conn.execute(
        delete(dead_letters).where(dead_letters.c.source == source, dead_letters.c.id <= cutoff)
    ).rowcount
