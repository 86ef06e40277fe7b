"""Column types shared by the schema: times as UTC epoch seconds."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Float
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """A tz-aware UTC datetime stored as float epoch seconds.

    Why not DateTime: SQLite has no time type (SQLAlchemy stores text and parses it on every row,
    which dominates a year-long trend query), and an epoch number buckets into hours with plain
    arithmetic on SQLite and PostgreSQL alike. Float seconds keep microseconds for 200+ years.
    """

    impl = Float
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> float | None:
        if value is None:
            return None
        if isinstance(value, int | float):
            return float(value)
        if value.tzinfo is None:  # naive times inside the app are UTC by convention
            value = value.replace(tzinfo=UTC)
        return value.timestamp()

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return datetime.fromtimestamp(float(value), UTC)


def to_epoch(moment: datetime) -> float:
    """Epoch seconds of a datetime; naive means UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()
