"""Ids of accumulating tables go past 2^31 on PostgreSQL (a 32-bit SERIAL would stop there)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from db.dead_letters import DeadLetter, add_dead_letters, list_dead_letters
from db.engine import open_engine
from db.manual import TestResult as KitResult
from db.manual import list_tests, log_tests
from db.tanks import add_tank

pytestmark = pytest.mark.postgres


def test_ids_continue_past_two_to_the_31_on_postgres(postgres_url: str) -> None:
    """With the sequences at 2^31, a dead letter and a kit result still get stored."""
    engine = open_engine(postgres_url)
    try:
        with engine.connect() as conn, conn.begin():
            for table in ("dead_letters", "manual_tests", "maintenance", "alerts"):
                conn.execute(text(f"SELECT setval('{table}_id_seq', 2147483647)"))
        now = datetime.now(UTC)
        with engine.connect() as conn, conn.begin():
            add_dead_letters(conn, [DeadLetter(now, "aquarium/x/ph", "14.9", 4, "too high")])
        add_tank(engine, "big")
        log_tests(engine, "big", [KitResult("nitrate", 10.0)], at=now)
        assert list_dead_letters(engine)[0].reason == "too high"
        (test,) = list_tests(engine, "big")
        assert test.id >= 2**31
    finally:
        engine.dispose()
