"""SQLAlchemy's failures become one line with the fix at db/'s boundary, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, event, text

from aquarium.cli import cli
from db import engine as db_engine
from db.engine import open_engine
from db.errors import StoreUnavailable
from db.failures import FULL, LOCKED, READ_ONLY
from db.manual import TestResult, list_tests, log_tests
from db.tanks import add_tank
from sensors.notes import NOTE_MAX_CHARS

NOW = datetime.now(UTC)
HOLD_LOCK = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
print("holding", flush=True)
sys.stdin.read()  # until the test closes our stdin
"""


@pytest.fixture
def lock_holder(db_url: str, engine: Engine) -> Iterator[subprocess.Popen[str]]:
    """Another process holding the database's write lock (tank 'turtles' exists) until the end."""
    add_tank(engine, "turtles")
    path = db_url.removeprefix("sqlite:///")
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, path],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
    yield holder
    holder.communicate(timeout=30)


def _fault_on_connect(engine: Engine, pragma: str) -> None:
    """Every new connection of ENGINE gets PRAGMA (a real SQLite error path, not a mock)."""

    def apply(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.execute(pragma)

    event.listen(engine, "connect", apply)
    engine.dispose()


def test_log_while_another_process_holds_the_lock_is_one_line(
    db_url: str,
    engine: Engine,
    lock_holder: subprocess.Popen[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`aquarium log` behind another program's write lock prints the lock line and exits 1."""
    monkeypatch.setenv("AQUARIUM_DB_URL", db_url)
    monkeypatch.delenv("AQUARIUM_CONFIG", raising=False)
    # Shorter than the 15 s a keeper's command waits, so the test does not idle.
    monkeypatch.setattr(db_engine, "BUSY_TIMEOUT_MS", 300)
    result = CliRunner().invoke(cli, ["log", "turtles", "nitrate=20"])
    assert result.exit_code == 1, result.output
    assert result.output.strip().splitlines() == [f"Error: {LOCKED}"]


def test_a_full_disk_is_one_line_with_the_fix(engine: Engine) -> None:
    """SQLite's 'database or disk is full' becomes the full-disk line; nothing half-written."""
    add_tank(engine, "full")
    with engine.connect() as conn:
        pages = conn.execute(text("PRAGMA page_count")).scalar_one()
    _fault_on_connect(engine, f"PRAGMA max_page_count = {pages}")
    with pytest.raises(StoreUnavailable) as caught:
        for _ in range(8000):  # fill the free pages until the cap bites
            log_tests(
                engine, "full", [TestResult("nitrate", 20.0)], at=NOW, note="x" * NOTE_MAX_CHARS
            )
    assert str(caught.value) == FULL


def test_a_read_only_database_is_one_line_with_the_fix(engine: Engine) -> None:
    """SQLite's 'attempt to write a readonly database' becomes the read-only line."""
    add_tank(engine, "ro")
    _fault_on_connect(engine, "PRAGMA query_only = 1")
    with pytest.raises(StoreUnavailable) as caught:
        add_tank(engine, "another")
    assert str(caught.value) == READ_ONLY


def test_a_missing_table_names_the_table_and_the_fix(engine: Engine) -> None:
    """A database whose table was dropped says which table and what to check."""
    add_tank(engine, "t")
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE manual_tests"))
    with pytest.raises(StoreUnavailable) as caught:
        list_tests(engine, "t")
    assert "lacks the table manual_tests" in str(caught.value)
    assert "AQUARIUM_DB_URL" in str(caught.value)


def test_a_file_that_is_not_a_database_is_one_line(tmp_path: Path) -> None:
    """Pointing AQUARIUM_DB_URL at a text file says it is not a SQLite database."""
    junk = tmp_path / "notes.db"
    junk.write_text("shopping list\n" * 200)
    with pytest.raises(StoreUnavailable, match="not a SQLite database"):
        open_engine(f"sqlite:///{junk}")
