"""The store stops acking when its write-ahead log is deleted, even once another connection made
a new one at the same path (the race behind a reliability test that failed 1 run in 10)."""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from db.engine import open_engine
from db.errors import StoreUnavailable
from db.file_guard import DatabaseFileChanged, DatabaseFileGuard
from db.readings import BatchStore, NewReading, count_readings

START = datetime(2026, 11, 20, tzinfo=UTC)


def _batch(first: int, count: int) -> list[NewReading]:
    """COUNT pH readings a minute apart from minute FIRST."""
    return [
        NewReading("t", "ph", 7.0 + i / 1000, START + timedelta(minutes=i), START, "aquarium/t/ph")
        for i in range(first, first + count)
    ]


def _readings_after_a_kill(path: Path) -> int:
    """The readings a kill now would leave: the database file alone (the unlinked log is lost)."""
    survivor = path.with_name("after-kill.db")
    survivor.write_bytes(path.read_bytes())
    copy = sqlite3.connect(survivor)
    try:
        return int(copy.execute("SELECT count(*) FROM readings").fetchone()[0])
    finally:
        copy.close()


def test_a_log_deleted_and_made_anew_by_another_connection_stops_the_acks(tmp_path: Path) -> None:
    """`rm aquarium.db-wal`, then any new connection recreates it: the store still notices."""
    path = tmp_path / "aquarium.db"
    engine = open_engine(f"sqlite:///{path}")
    store = BatchStore(engine)
    store.write(_batch(0, 10), [])
    Path(f"{path}-wal").unlink()
    other = sqlite3.connect(path)
    # Its first read creates the log file again, then (the shared index still describing the
    # old log) may fail with a disk I/O error: either way a log is at the path once more.
    with contextlib.suppress(sqlite3.OperationalError):
        other.execute("SELECT count(*) FROM tanks").fetchone()
    assert Path(f"{path}-wal").exists()
    with pytest.raises(DatabaseFileChanged, match=r"write-ahead log .* was deleted"):
        store.write(_batch(10, 10), [])
    other.close()
    engine.dispose()


def test_a_log_left_alone_never_stops_the_acks(tmp_path: Path) -> None:
    """Many batches, with other connections opening and closing beside the store: no alarm."""
    path = tmp_path / "aquarium.db"
    engine = open_engine(f"sqlite:///{path}")
    store = BatchStore(engine)
    for round_ in range(20):
        store.write(_batch(round_ * 10, 10), [])
        other = sqlite3.connect(path)
        other.execute("SELECT count(*) FROM readings").fetchone()
        other.close()
    assert count_readings(engine, "t") == 200
    engine.dispose()


def test_a_failed_commit_after_the_log_was_deleted_names_the_log(tmp_path: Path) -> None:
    """Without a connection the guard tells that the last good commit's log is gone."""
    path = tmp_path / "aquarium.db"
    engine = open_engine(f"sqlite:///{path}")
    store = BatchStore(engine)
    store.write(_batch(0, 10), [])
    guard = DatabaseFileGuard(engine)
    assert not guard.log_replaced()  # it has seen no good commit: it cannot tell
    with engine.connect() as conn:
        guard.check(conn)
    assert not guard.log_replaced()  # the log is the one the last good check saw
    Path(f"{path}-wal").unlink()
    assert guard.log_replaced()
    assert "write-ahead log" in str(guard.log_replaced_error(""))
    engine.dispose()


def test_no_new_connection_resets_a_deleted_log_so_acked_rows_survive(tmp_path: Path) -> None:
    """After `rm aquarium.db-wal`, this process opens no new connection (it would reset the
    shared index); the store's next commit saves the old log, and a restart finds every row."""
    path = tmp_path / "aquarium.db"
    engine = open_engine(f"sqlite:///{path}")
    store = BatchStore(engine)
    store.write(_batch(0, 10), [])  # acked: in the log, not yet in the database file
    Path(f"{path}-wal").unlink()
    with engine.connect() as held, pytest.raises(StoreUnavailable, match="write-ahead log"):
        held.exec_driver_sql("SELECT 1")  # the pooled connection is busy: a new one is needed
        with engine.connect() as second:
            second.exec_driver_sql("SELECT count(*) FROM readings")
    with pytest.raises(DatabaseFileChanged, match="was saved into the database file"):
        store.write(_batch(10, 10), [])
    engine.dispose()
    reopened = open_engine(f"sqlite:///{path}")
    assert count_readings(reopened, "t") >= 10  # the acked first batch, whatever became of the rest
    reopened.dispose()


def test_a_commit_failing_after_the_log_was_deleted_still_saves_the_acked_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first commit after `rm aquarium.db-wal` fails (a disk I/O error, injected): the rows
    acked before are copied from the open, unlinked log into the database file before the
    store gives up, so a kill right then loses none of them."""
    path = tmp_path / "aquarium.db"
    engine = open_engine(f"sqlite:///{path}")
    store = BatchStore(engine)
    store.write(_batch(0, 10), [])  # acked: in the log, not yet in the database file
    Path(f"{path}-wal").unlink()

    def failing(*_args: object) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(store, "_write", failing)
    with pytest.raises(DatabaseFileChanged, match="what it held was saved into the database file"):
        store.write(_batch(10, 10), [])
    assert _readings_after_a_kill(path) == 10
    engine.dispose()


def test_a_store_finding_every_connection_busy_waits_for_one_to_save_the_log(
    tmp_path: Path,
) -> None:
    """After `rm aquarium.db-wal`, with the pool's only connection out with another thread, the
    store's commit is refused a new one; it waits for that connection to come back and saves
    the acked rows through it (the reliability test lost them about 1 run in 10 under load)."""
    path = tmp_path / "aquarium.db"
    engine = open_engine(f"sqlite:///{path}")
    store = BatchStore(engine)
    store.write(_batch(0, 10), [])  # acked: in the log, not yet in the database file
    held = engine.connect()
    held.exec_driver_sql("SELECT count(*) FROM readings").fetchone()
    held.rollback()
    Path(f"{path}-wal").unlink()
    giving_back = threading.Timer(0.5, held.close)  # another thread's short read, ending
    giving_back.start()
    with pytest.raises(DatabaseFileChanged, match="what it held was saved into the database file"):
        store.write(_batch(10, 10), [])
    giving_back.join()
    assert _readings_after_a_kill(path) == 10
    engine.dispose()
