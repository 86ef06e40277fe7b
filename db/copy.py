"""Copying a whole history from one database to another (SQLite to PostgreSQL), verified.

Every table of the schema is copied with its ids, in foreign-key order, from one read
transaction of the source (a consistent snapshot while a daemon keeps writing to it). The
target's id sequences are then moved past the copied ids, so ingestion continues on the copy;
finally each table's row count and the sums of its numeric columns are compared.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import (
    BigInteger,
    Boolean,
    Connection,
    Engine,
    Float,
    Integer,
    Table,
    func,
    insert,
    select,
    text,
    type_coerce,
)

from db.errors import StoreError
from db.schema import daemon_status, metadata, tanks
from db.types import UTCDateTime

# Rows per INSERT round trip: large enough that a year of 1-minute data for a tank (4 million
# rows) copies in minutes, small enough to keep memory flat.
CHUNK_ROWS = 5_000
# Heartbeats describe processes of the source installation, not history.
SKIPPED = {daemon_status.name}

Progress = Callable[[str, int, int], None]  # table, rows copied, rows in the table


@dataclass
class TableCheck:
    """One table's count and column sums, in the source and in the copy."""

    table: str
    source_rows: int
    target_rows: int
    source_sums: dict[str, float] = field(default_factory=dict)
    target_sums: dict[str, float] = field(default_factory=dict)

    @property
    def matches(self) -> bool:
        if self.source_rows != self.target_rows:
            return False
        return all(
            math.isclose(v, self.target_sums.get(k, math.nan), rel_tol=1e-9, abs_tol=1e-6)
            for k, v in self.source_sums.items()
        )


def tables_to_copy() -> list[Table]:
    """Every table of the schema, parents before children."""
    return [t for t in metadata.sorted_tables if t.name not in SKIPPED]


def _stored(table: Table) -> list:
    # Times go across as their stored epoch seconds: no datetime objects for millions of rows.
    return [
        type_coerce(c, Float).label(c.name) if isinstance(c.type, UTCDateTime) else c
        for c in table.c
    ]


def _numeric(table: Table) -> list:
    return [
        c
        for c in table.c
        if isinstance(c.type, Integer | BigInteger | Float | UTCDateTime)
        and not isinstance(c.type, Boolean)
    ]


def _check(conn: Connection, table: Table) -> tuple[int, dict[str, float]]:
    columns = _numeric(table)
    row = conn.execute(
        select(
            func.count(),
            *[func.coalesce(func.sum(type_coerce(c, Float)), 0.0) for c in columns],
        ).select_from(table)
    ).one()
    return int(row[0]), {c.name: float(v) for c, v in zip(columns, row[1:], strict=True)}


def check_target_empty(target: Engine) -> None:
    """StoreError unless TARGET holds no tanks (a copy never merges into an existing history)."""
    with target.connect() as conn:
        found = conn.execute(select(func.count()).select_from(tanks)).scalar_one()
    if found:
        raise StoreError(
            f"the target database already holds {found} tank(s); copy into a new, empty "
            "database (for PostgreSQL: createdb aquarium_new)"
        )


def copy_database(
    source: Engine, target: Engine, progress: Progress | None = None
) -> list[TableCheck]:
    """Copy every table from SOURCE into the empty, migrated TARGET; returns the checks."""
    check_target_empty(target)
    checks = []
    with source.connect() as src:
        src.begin()  # one snapshot for the copy and the check alike
        for table in tables_to_copy():
            total, sums = _check(src, table)
            copied = 0
            with target.connect() as dst, dst.begin():
                result = src.execution_options(yield_per=CHUNK_ROWS).execute(
                    select(*_stored(table)).order_by(*table.primary_key.columns)
                )
                for part in result.partitions():
                    dst.execute(insert(table), [dict(r._mapping) for r in part])
                    copied += len(part)
                    if progress:
                        progress(table.name, copied, total)
                if progress and not total:
                    progress(table.name, 0, 0)
                _move_sequence(dst, table)
            with target.connect() as dst:
                target_rows, target_sums = _check(dst, table)
            checks.append(TableCheck(table.name, total, target_rows, sums, target_sums))
    return checks


def _move_sequence(conn: Connection, table: Table) -> None:
    """Set a PostgreSQL id sequence past the copied ids (explicit ids do not advance it)."""
    if conn.dialect.name != "postgresql":
        return
    keys = list(table.primary_key.columns)
    if len(keys) != 1 or not isinstance(keys[0].type, Integer | BigInteger):
        return
    sequence = conn.execute(
        text("SELECT pg_get_serial_sequence(:table, :column)"),
        {"table": table.name, "column": keys[0].name},
    ).scalar()
    if sequence is None:
        return
    highest = select(func.max(keys[0])).scalar_subquery()
    conn.execute(select(func.setval(sequence, func.coalesce(highest, 0) + 1, False)))
