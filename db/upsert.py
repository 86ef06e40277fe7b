"""INSERT ... ON CONFLICT DO NOTHING for the two dialects we support."""

from __future__ import annotations

from sqlalchemy import Connection, Table
from sqlalchemy.sql.dml import Insert


def insert_ignore(conn: Connection, table: Table, conflict_columns: list[str]) -> Insert:
    """An insert skipping rows that clash on CONFLICT_COLUMNS (redeliveries, re-registration)."""
    # Imported here: the PostgreSQL dialect costs a SQLite command (`aquarium advise`) 0.02 s.
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert(table).on_conflict_do_nothing(index_elements=conflict_columns)
    from sqlalchemy.dialects import sqlite

    return sqlite.insert(table).on_conflict_do_nothing(index_elements=conflict_columns)
