"""Sensor readings: the daemon's batched writes and the queries that read them back."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import (
    Connection,
    Engine,
    Select,
    and_,
    bindparam,
    case,
    func,
    select,
    tuple_,
    update,
)

from db.availability import AvailabilityChange, set_availability
from db.dead_letters import MAX_AGE as DEAD_LETTER_MAX_AGE
from db.dead_letters import MAX_ROWS as DEAD_LETTER_MAX_ROWS
from db.dead_letters import DeadLetter, add_dead_letters, excerpt, prune_dead_letters
from db.deliveries import Delivery, DeliveryWindow
from db.file_guard import DatabaseFileChanged, DatabaseFileGuard
from db.latest import latest_values
from db.pg_arrays import number_array
from db.rollup import mark_hours
from db.schema import readings, sensors, tanks
from db.tanks import ensure_tank
from db.types import UTCDateTime, to_epoch
from db.upsert import insert_ignore
from sensors.times import iso_utc


# A named tuple, not a frozen dataclass: the daemon builds one for every reading it receives, on
# the network thread, and a frozen dataclass's __init__ cost 1.1 us more of the few a message has.
class NewReading(NamedTuple):
    """One decoded, validated value on its way into the database."""

    tank: str
    parameter: str
    value: float
    time: datetime
    received_at: datetime
    topic: str
    field: str = ""
    # Set when the time is the receive time: the only case the (sensor, time) unique key cannot
    # deduplicate; db/deliveries.py decides within the session's redelivery window.
    delivery: Delivery | None = None
    # The message it came from, for the dead letter should its (sensor, time) hold another value.
    payload: bytes = b""


# A row of the readings table: (sensor id, epoch time, value, epoch received at).
_Row = tuple[int, float, float, float]

# The statements every batch runs, built once: building them per batch cost about 1.5 us a
# message, more than executing them.
_TANK_NAMES = select(tanks.c.id, tanks.c.name).where(
    tanks.c.id.in_(bindparam("ids", expanding=True))
)
_SENSOR_KEYS = (
    select(sensors.c.id, tanks.c.name, sensors.c.parameter, sensors.c.topic, sensors.c.field)
    .join(tanks, tanks.c.id == sensors.c.tank_id)
    .where(sensors.c.id.in_(bindparam("ids", expanding=True)))
)
_SEEN = bindparam("seen", type_=UTCDateTime())
# A reading is the device's proof of life: it clears an earlier offline message. last_seen only
# moves forward (a backfilled old reading does not make a sensor look older).
_TOUCH_SENSOR = (
    update(sensors)
    .where(sensors.c.id == bindparam("touched_id"))
    .values(
        last_seen=case(
            (sensors.c.last_seen.is_(None) | (sensors.c.last_seen < _SEEN), _SEEN),
            else_=sensors.c.last_seen,
        ),
        online=True,
    )
)


@dataclass(frozen=True)
class BatchResult:
    """What one committed batch did."""

    stored: int
    duplicates: int
    dead_letters: int


class BatchStore:
    """Writes the daemon's batches: readings, dead letters and availability in one transaction.

    Keeps the ids of tanks and sensors it has seen, so a steady stream costs one INSERT per batch
    plus one UPDATE of last_seen per sensor.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        dead_letter_max_rows: int = DEAD_LETTER_MAX_ROWS,
        dead_letter_max_age: timedelta = DEAD_LETTER_MAX_AGE,
    ) -> None:
        self.engine = engine
        self._tank_ids: dict[str, int] = {}
        self._sensor_ids: dict[tuple[str, str, str, str], int] = {}
        self.dead_letter_max_rows = dead_letter_max_rows
        self.dead_letter_max_age = dead_letter_max_age
        self._letters_since_prune = 0
        self._window = DeliveryWindow()
        self._file = DatabaseFileGuard(engine)

    def write(
        self,
        batch: list[NewReading],
        letters: list[DeadLetter],
        availability: Sequence[AvailabilityChange] = (),
    ) -> BatchResult:
        """Commit BATCH, LETTERS and AVAILABILITY changes together; raises if nothing could be."""
        try:
            with self.engine.connect().execution_options(sqlite_write=True) as conn:
                with conn.begin():
                    result = self._write(conn, batch, letters)
                    for change in availability:  # in arrival order: the last word wins
                        set_availability(conn, change.topics, change.online, change.at)
                # After the commit, on the still open connection: rows committed into a deleted
                # or replaced file or log are lost at the next restart, so their messages must
                # not be acked (the broker redelivers them).
                self._file.check(conn)
        except Exception as exc:
            # Ids cached from a transaction that rolled back may not exist: forget them.
            self._tank_ids.clear()
            self._sensor_ids.clear()
            self._window.forget()
            # A deleted log often fails the commit itself ("disk I/O error"): say the real cause.
            if not isinstance(exc, DatabaseFileChanged) and self._file.log_replaced():
                # What was acked before the deletion is still only in the unlinked log, open in
                # the pool's connections: save it now, before a crash or a kill loses it.
                saved = self._file.save_after_failure(self.engine)
                raise self._file.log_replaced_error(saved) from exc
            raise
        return result

    def _write(
        self, conn: Connection, batch: list[NewReading], letters: list[DeadLetter]
    ) -> BatchResult:
        # (sensor id, time, value, received at) with epoch seconds, converted once: the same
        # tuples are inserted, marked for the rollup and checked for clashes.
        rows: list[_Row] = []
        kept: list[NewReading] = []  # the reading behind each row, in the same order
        last_seen: dict[int, float] = {}
        duplicates = 0
        self._forget_stale_ids(conn, batch)
        copies = self._window.duplicates(conn, [r.delivery for r in batch if r.delivery])
        sensor_ids = self._sensor_ids
        for reading in batch:
            if copies and reading.delivery in copies:
                duplicates += 1
                continue
            key = (reading.tank, reading.parameter, reading.topic, reading.field)
            sensor_id = sensor_ids.get(key)
            if sensor_id is None:
                sensor_id = self._sensor_id(conn, reading)
            received = to_epoch(reading.received_at)
            rows.append((sensor_id, to_epoch(reading.time), reading.value, received))
            kept.append(reading)
            if last_seen.get(sensor_id, received) <= received:
                last_seen[sensor_id] = received
        stored = 0
        if rows:
            stored = _insert_new(conn, rows)
            mark_hours(conn, ((row[0], row[1]) for row in rows))
            duplicates += len(rows) - stored
            if stored < len(rows):
                conflicts = _conflicts(conn, rows, kept)
                duplicates -= len(conflicts)
                letters = [*letters, *conflicts]
        if last_seen:
            conn.execute(
                _TOUCH_SENSOR,
                [{"touched_id": sensor_id, "seen": seen} for sensor_id, seen in last_seen.items()],
            )
        add_dead_letters(conn, letters)
        # Prune every tenth of the cap, so a flood of bad messages keeps the table within
        # max_rows plus one tenth, at the cost of one DELETE per (max_rows / 10) letters.
        self._letters_since_prune += len(letters)
        if self._letters_since_prune >= max(1, self.dead_letter_max_rows // 10):
            prune_dead_letters(
                conn, letters[-1].time, self.dead_letter_max_rows, self.dead_letter_max_age
            )
            self._letters_since_prune = 0
        self._window = DeliveryWindow()
        return BatchResult(stored=stored, duplicates=duplicates, dead_letters=len(letters))

    def _forget_stale_ids(self, conn: Connection, batch: list[NewReading]) -> None:
        """Forget every cached id if one the batch needs no longer names what it named.

        `aquarium tank remove` beside a running daemon deletes the tank and its sensors, and
        SQLite gives the highest deleted ids to the next tank and sensor: a cached id would file
        the old node's readings under another tank's sensor (readings have no foreign key to
        catch it). One look-up of the batch's cached ids, inside the write transaction.
        """
        keys = {(r.tank, r.parameter, r.topic, r.field) for r in batch}
        tank_ids = {self._tank_ids[k[0]]: k[0] for k in keys if k[0] in self._tank_ids}
        sensor_ids = {self._sensor_ids[k]: k for k in keys if k in self._sensor_ids}
        if not tank_ids:
            return
        named = dict(conn.execute(_TANK_NAMES, {"ids": list(tank_ids)}).all())
        found = {
            row[0]: tuple(row[1:]) for row in conn.execute(_SENSOR_KEYS, {"ids": list(sensor_ids)})
        }
        if named != tank_ids or found != sensor_ids:
            self._tank_ids.clear()
            self._sensor_ids.clear()

    def _sensor_id(self, conn: Connection, reading: NewReading) -> int:
        if reading.tank not in self._tank_ids:
            self._tank_ids[reading.tank] = ensure_tank(conn, reading.tank, reading.received_at)
        tank_id = self._tank_ids[reading.tank]
        key = (reading.tank, reading.parameter, reading.topic, reading.field)
        if key not in self._sensor_ids:
            identity = ["tank_id", "parameter", "topic", "field"]
            conn.execute(
                insert_ignore(conn, sensors, identity).values(
                    tank_id=tank_id,
                    parameter=reading.parameter,
                    topic=reading.topic,
                    field=reading.field,
                    first_seen=reading.received_at,
                )
            )
            self._sensor_ids[key] = conn.execute(
                select(sensors.c.id).where(
                    and_(
                        sensors.c.tank_id == tank_id,
                        sensors.c.parameter == reading.parameter,
                        sensors.c.topic == reading.topic,
                        sensors.c.field == reading.field,
                    )
                )
            ).scalar_one()
        return self._sensor_ids[key]


@dataclass(frozen=True)
class LatestReading:
    """The newest value of one parameter in one tank."""

    parameter: str
    value: float
    time: datetime


def latest_readings(engine: Engine, tank: str) -> list[LatestReading]:
    """The newest sensor value of each parameter of TANK (db.latest does the fast query)."""
    return [
        LatestReading(v.parameter, v.sensor.value, v.sensor.time)
        for v in latest_values(engine, tank)
        if v.sensor is not None
    ]


def reading_series(
    engine: Engine, tank: str, parameter: str, since: datetime, until: datetime | None = None
) -> list[tuple[datetime, float]]:
    """Raw (time, value) pairs of one parameter, oldest first."""
    query = (
        select(readings.c.time, readings.c.value)
        .where(readings.c.sensor_id.in_(_sensor_ids(tank, parameter)), readings.c.time >= since)
        .order_by(readings.c.time)
    )
    if until is not None:
        query = query.where(readings.c.time <= until)
    with engine.connect() as conn:
        return [(row.time, row.value) for row in conn.execute(query)]


def count_readings(engine: Engine, tank: str | None = None) -> int:
    """How many sensor readings are stored (for one tank, or all)."""
    query = select(func.count()).select_from(readings)
    if tank is not None:
        query = query.where(readings.c.sensor_id.in_(_sensor_ids(tank)))
    with engine.connect() as conn:
        return conn.execute(query).scalar_one()


def first_reading_time(engine: Engine, tank: str) -> datetime | None:
    """When TANK's oldest stored sensor reading was taken, or None without readings."""
    query = select(func.min(readings.c.time)).where(readings.c.sensor_id.in_(_sensor_ids(tank)))
    with engine.connect() as conn:
        return conn.execute(query).scalar()  # min() keeps the column's type: a UTC datetime


def _sensor_ids(tank: str, parameter: str | None = None) -> Select[tuple[int]]:
    """The ids of TANK's sensors (of PARAMETER when given): readings are reached through them."""
    query = select(sensors.c.id).join(tanks, tanks.c.id == sensors.c.tank_id)
    query = query.where(tanks.c.name == tank)
    if parameter is not None:
        query = query.where(sensors.c.parameter == parameter)
    return query


def _conflicts(conn: Connection, rows: list[_Row], kept: list[NewReading]) -> list[DeadLetter]:
    """Dead letters for ROWS whose (sensor, time) already holds another value.

    An identical value is a copy (a resend, a redelivery) and stays a duplicate. A different one
    is a second reading the device stamped with the same time (a clock with whole seconds, a
    node sending twice a second): skipping it silently would ack a reading that is never stored.
    """
    stored: dict[tuple[int, float], float] = {}
    keys = list({(row[0], row[1]) for row in rows})
    for start in range(0, len(keys), _KEYS_PER_QUERY):
        chunk = keys[start : start + _KEYS_PER_QUERY]
        query = select(readings.c.sensor_id, readings.c.time, readings.c.value).where(
            tuple_(readings.c.sensor_id, readings.c.time).in_(chunk)
        )
        for sensor_id, moment, value in conn.execute(query):
            stored[(sensor_id, to_epoch(moment))] = value
    letters = []
    for (sensor_id, moment, sent, _received), reading in zip(rows, kept, strict=True):
        value = stored.get((sensor_id, moment))
        # The same reading sent again in another unit can differ in the last bit: still a copy.
        if value is not None and not math.isclose(value, sent, rel_tol=1e-9):
            letters.append(
                DeadLetter(
                    time=reading.received_at,
                    topic=reading.topic,
                    payload=excerpt(reading.payload),
                    payload_size=len(reading.payload),
                    reason=(
                        f"{reading.parameter} {value:g} is already stored for this sensor at "
                        f"{iso_utc(reading.time)}, and this message says {reading.value:g} for "
                        "the same time: send times to the millisecond, or one reading per time"
                    ),
                )
            )
    return letters


# Two bound values per key: far below SQLite's 32,766 variables and PostgreSQL's 65,535.
_KEYS_PER_QUERY = 500


def _insert_new(conn: Connection, rows: list[_Row]) -> int:
    """Insert ROWS, skipping any already stored for that sensor and time; returns how many were new.

    One statement for the batch: sqlite3's executemany reuses the compiled statement (its
    rowcount sums the rows, a row skipped by ON CONFLICT counting 0); PostgreSQL takes the batch
    as arrays (_UNNEST_READINGS) and counts the rows it inserted. This replaced SQLAlchemy's
    multi-row INSERT ... RETURNING, which rebuilt the statement and a datetime per value: about
    half of the daemon's time per message on SQLite.
    """
    if conn.dialect.name == "postgresql":
        columns = tuple(number_array(column) for column in _as_arrays(rows, 4))
        return max(0, conn.exec_driver_sql(_UNNEST_READINGS, columns).rowcount)
    return max(0, conn.exec_driver_sql(_INSERT_READING, rows).rowcount)


_INSERT_READING = (
    "INSERT INTO readings (sensor_id, time, value, received_at) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (sensor_id, time) DO NOTHING"
)


# PostgreSQL: the whole batch as four arrays in one statement. A pipelined executemany still
# costs the server a bind and execute per row: 48-83 us a message against SQLite's 18-29 us
# (benchmarks/profile_ingest.py); the arrays leave one statement per batch. ON CONFLICT DO
# NOTHING skips a (sensor, time) met twice in the same batch as it skips a stored one.
_UNNEST_READINGS = (
    "INSERT INTO readings (sensor_id, time, value, received_at) "
    "SELECT * FROM unnest(%s::integer[], %s::float8[], %s::float8[], %s::float8[]) "
    "ON CONFLICT (sensor_id, time) DO NOTHING"
)


def _as_arrays(rows: Sequence[tuple[Any, ...]], width: int) -> tuple[list[Any], ...]:
    """ROWS of WIDTH values as WIDTH column lists, one array parameter each."""
    columns = tuple(list(column) for column in zip(*rows, strict=True))
    return columns if columns else tuple([] for _ in range(width))
