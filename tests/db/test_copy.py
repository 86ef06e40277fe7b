"""`aquarium copy-db`: a year of SQLite history into PostgreSQL, verified, and ingestion goes on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, func, select

from aquarium.cli import cli
from db.bulk import bulk_insert_readings
from db.copy import tables_to_copy
from db.engine import open_engine
from db.manual import TestResult as KitResult
from db.manual import log_tests
from db.readings import BatchStore, NewReading
from db.rollup import refresh_rollups
from db.tanks import add_tank
from tests.dashboard.seed import seed

pytestmark = pytest.mark.postgres

YEAR_S = 365 * 86_400


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in tables_to_copy()
        }


def test_copy_db_moves_a_year_and_ingestion_continues_on_the_copy(
    db_url: str, engine: Engine, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every table's rows arrive with matching sums; new readings and tests get fresh ids."""
    now = datetime.now(UTC)
    seed(engine, now)  # tests, maintenance, alerts, dead letters, two days of five sensors
    add_tank(engine, "farm1", volume_l=2000)
    end = int(now.timestamp()) // 600 * 600 - 3 * 86_400
    bulk_insert_readings(
        engine,
        "farm1",
        "ph",
        [(float(t), 7.0 + (t % 7) / 10) for t in range(end - YEAR_S, end, 600)],
    )
    refresh_rollups(engine)
    before = _counts(engine)
    assert before["readings"] > 52_000 and before["reading_hours"] > 8_000
    monkeypatch.setenv("AQUARIUM_DB_URL", db_url)
    monkeypatch.delenv("AQUARIUM_CONFIG", raising=False)
    result = CliRunner().invoke(cli, ["copy-db", "--to", postgres_url])
    assert result.exit_code == 0, result.output
    assert "copied and verified" in result.output
    assert "MISMATCH" not in result.output
    copy = open_engine(postgres_url)
    try:
        assert _counts(copy) == before
        stored = BatchStore(copy).write(
            [NewReading("farm1", "ph", 7.3, now, now, "aquarium/farm1/ph")], []
        )
        assert stored.stored == 1
        log_tests(copy, "farm1", [KitResult("nitrate", 20.0)], at=now - timedelta(minutes=1))
        after = _counts(copy)
        assert after["readings"] == before["readings"] + 1
        assert after["manual_tests"] == before["manual_tests"] + 1
        again = CliRunner().invoke(cli, ["copy-db", "--to", postgres_url])
        assert again.exit_code == 1 and "already holds" in again.output
    finally:
        copy.dispose()
