"""The redelivery window: which QoS 1 redeliveries are copies of a message already stored.

The rule (issue 13; the readings layout relies on it, and nothing else deduplicates by content):

- A message whose reading has the device's own time needs no window: the (sensor, time) key of
  the readings table stores it once, whenever and however often it comes.
- A message without a device time (stored at its receive time) is a duplicate only if the broker
  marked it as a redelivery (DUP) and the SAME SESSION (MQTT client id) stored a message with the
  same packet id, topic and payload among its last REDELIVERY_WINDOW recorded messages.

Why that window: a broker redelivers only what it sent this session and did not get an ack for,
and it never has more than its in-flight window outstanding (deploy/mosquitto.conf:
max_inflight_messages 1000). Acks leave right after each commit, so the original of a redelivery
is always among the session's last few thousand stored messages. Packet ids repeat every 65,535
messages, so anything older that matches is a different reading with the same value (a steady
"25.0"), never a copy. Matching against the whole history, as before, dropped those as duplicates
after they had been acked: acknowledged and never stored.

The table keeps one row per (session, packet id): the last message stored with it, and the
session's sequence number at that moment. It never holds more than 65,535 rows per session.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from sqlalchemy import Connection, func, select

from db.pg_arrays import number_array
from db.schema import deliveries

# Messages, not time: a daemon may be down for days before the redelivery comes. 10x the
# shipped in-flight window, and far below the 65,535 packet ids after which ids repeat.
REDELIVERY_WINDOW = 10_000


# A named tuple, not a frozen dataclass: the daemon makes one per message stored at its receive
# time, and the store hashes each one; both cost a microsecond more as a dataclass.
class Delivery(NamedTuple):
    """How one MQTT message arrived: its session, packet id and content, and whether DUP was set."""

    session: str
    packet_id: int
    content_key: int  # a hash of topic and payload
    redelivered: bool


class DeliveryWindow:
    """Decides and records deliveries inside a batch's transaction (one writer per session)."""

    def __init__(self) -> None:
        self._seq: dict[str, int] = {}

    def forget(self) -> None:
        """Drop cached sequence numbers (after a rolled-back transaction)."""
        self._seq.clear()

    def duplicates(self, conn: Connection, batch: Iterable[Delivery]) -> set[Delivery]:
        """The deliveries in BATCH that are copies of a message this session already stored.

        Records every other one, so a later redelivery of it is recognised in turn.
        """
        found: set[Delivery] = set()
        recorded: dict[tuple[str, int], tuple[str, int, int, int]] = {}
        for delivery in dict.fromkeys(batch):  # one message, several readings: once
            ident = (delivery.session, delivery.packet_id)
            seq = self._next_seq(conn, delivery.session)
            if delivery.redelivered and self._is_copy(conn, delivery, recorded.get(ident), seq):
                found.add(delivery)
                continue
            recorded[ident] = (delivery.session, delivery.packet_id, delivery.content_key, seq + 1)
            self._seq[delivery.session] = seq + 1
        if recorded:
            _record(conn, list(recorded.values()))
        return found

    def _next_seq(self, conn: Connection, session: str) -> int:
        if session not in self._seq:
            last = conn.execute(
                select(func.max(deliveries.c.seq)).where(deliveries.c.session == session)
            ).scalar()
            self._seq[session] = int(last or 0)
        return self._seq[session]

    def _is_copy(
        self,
        conn: Connection,
        delivery: Delivery,
        in_batch: tuple[str, int, int, int] | None,
        seq: int,
    ) -> bool:
        if in_batch is not None:  # the original is in this very batch
            return in_batch[2] == delivery.content_key
        row = conn.execute(
            select(deliveries.c.content_key, deliveries.c.seq).where(
                deliveries.c.session == delivery.session,
                deliveries.c.packet_id == delivery.packet_id,
            )
        ).first()
        return (
            row is not None
            and row.content_key == delivery.content_key
            and row.seq > seq - REDELIVERY_WINDOW
        )


def _record(conn: Connection, rows: list[tuple[str, int, int, int]]) -> None:
    """Upsert (session, packet_id, content_key, seq) ROWS: the last message stored per packet id.

    One statement for the batch, as db/readings.py inserts readings (sqlite3's executemany of a
    prepared statement; on PostgreSQL one statement over arrays): SQLAlchemy's executemany built
    a parameter dict per row, which made recording a delivery dearer than storing its reading.
    """
    if conn.dialect.name == "postgresql":
        # One statement of four arrays: a pipelined row each cost the server a bind and execute.
        sessions, *numbers = zip(*rows, strict=True)
        conn.exec_driver_sql(
            _RECORD_ARRAYS, (list(sessions), *(number_array(column) for column in numbers))
        )
        return
    conn.exec_driver_sql(_RECORD, rows)


_RECORD_ARRAYS = (
    "INSERT INTO deliveries (session, packet_id, content_key, seq) "
    "SELECT * FROM unnest(%s::text[], %s::integer[], %s::bigint[], %s::bigint[]) "
    "ON CONFLICT (session, packet_id) DO UPDATE "
    "SET content_key = excluded.content_key, seq = excluded.seq"
)
_RECORD = (
    "INSERT INTO deliveries (session, packet_id, content_key, seq) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (session, packet_id) DO UPDATE "
    "SET content_key = excluded.content_key, seq = excluded.seq"
)
