"""Bulk loads (backfill, copy-db, benchmarks) keep what is stored and add only what is new."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine

import db.bulk
from db.bulk import bulk_insert_readings
from db.readings import count_readings, reading_series

START = 1_780_000_000.0
SINCE = datetime.fromtimestamp(START, UTC)


@pytest.fixture
def engine(any_engine: Engine) -> Engine:
    """A migrated engine on a SQLite file, then on a throw-away PostgreSQL database (COPY path)."""
    return any_engine


def test_new_history_is_stored_whole(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """Rows in several chunks all arrive, with their times and values."""
    points = [(START + 60 * i, 20 + i / 100) for i in range(1200)]
    monkeypatch.setattr(db.bulk, "CHUNK", 500)  # three chunks, the last one short
    assert bulk_insert_readings(engine, "t1", "temperature", points) == 1200
    series = reading_series(engine, "t1", "temperature", since=SINCE)
    assert [(t.timestamp(), v) for t, v in series] == points


def test_a_reload_keeps_stored_values_and_adds_only_new_ones(engine: Engine) -> None:
    """Loading overlapping history again skips what is stored (first value wins), adds the rest."""
    bulk_insert_readings(engine, "t2", "ph", [(START + 60 * i, 7.0) for i in range(100)])
    again = [(START + 60 * i, 6.0) for i in range(50, 150)]  # half already stored
    bulk_insert_readings(engine, "t2", "ph", again)
    assert count_readings(engine, "t2") == 150
    values = {t.timestamp(): v for t, v in reading_series(engine, "t2", "ph", since=SINCE)}
    assert values[START + 60 * 60] == 7.0 and values[START + 60 * 120] == 6.0
