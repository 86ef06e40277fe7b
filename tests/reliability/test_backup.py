"""Backups while the daemon writes, and checked restores."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine

from aquarium.cli import cli
from db.backup import check_backup
from db.engine import open_engine
from db.readings import count_readings
from tests.conftest import DaemonFactory
from tests.support import Broker, publish_all, publisher, unique, wait_until


def test_backup_during_writes_is_consistent_and_restores(
    broker: Broker,
    db_url: str,
    engine: Engine,
    start_daemon: DaemonFactory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    report,
) -> None:
    """`aquarium backup` mid-stream gives an intact copy that `aquarium restore` brings back."""
    monkeypatch.setenv("AQUARIUM_DB_URL", db_url)
    tank = unique("backup")
    start_daemon()
    stream_done = threading.Event()

    def stream() -> None:
        with publisher(broker) as client:
            for chunk in range(10):
                publish_all(
                    client,
                    [
                        (f"aquarium/{tank}/gh", f"{(chunk * 200 + i) / 100:.2f}".encode())
                        for i in range(200)
                    ],
                )
        stream_done.set()

    streamer = threading.Thread(target=stream)
    streamer.start()
    assert wait_until(lambda: count_readings(engine, tank) > 300, timeout=20)
    copy = tmp_path / "copy.db"
    result = CliRunner().invoke(cli, ["backup", str(copy)])
    assert result.exit_code == 0, result.output
    streamer.join()
    assert wait_until(lambda: count_readings(engine, tank) == 2000, timeout=20)
    assert check_backup(copy) == ""
    with sqlite3.connect(copy) as conn:
        in_copy = conn.execute("SELECT count(*) FROM readings").fetchone()[0]
    assert 300 < in_copy <= 2000
    restored = CliRunner().invoke(cli, ["restore", str(copy), "--yes"])
    assert restored.exit_code == 0, restored.output
    assert count_readings(open_engine(db_url), tank) == in_copy
    report(
        "backup during writes",
        "`aquarium backup` (SQLite online backup API) mid-stream, then `aquarium restore`",
        "2,000 QoS 1 readings",
        0,
        None,
    )


def test_restore_refuses_a_file_that_is_not_a_backup(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Restoring garbage is refused in one line and the live database is untouched."""
    monkeypatch.setenv("AQUARIUM_DB_URL", db_url)
    open_engine(db_url)
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"definitely not sqlite" * 100)
    result = CliRunner().invoke(cli, ["restore", str(junk), "--yes"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: not restoring:")
    assert check_backup(Path(db_url.removeprefix("sqlite:///"))) == ""


def test_backup_into_a_missing_folder_is_a_one_line_error(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A target folder that does not exist is named, with no traceback."""
    monkeypatch.setenv("AQUARIUM_DB_URL", db_url)
    result = CliRunner().invoke(cli, ["backup", str(tmp_path / "nope" / "x.db")])
    assert result.exit_code == 1
    assert result.output.startswith("Error: the folder") and "Traceback" not in result.output


def test_restore_refuses_while_a_daemon_is_writing(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fresh daemon heartbeat stops a restore unless --force is given."""
    from datetime import UTC, datetime

    from db.daemon_status import record_status

    monkeypatch.setenv("AQUARIUM_DB_URL", db_url)
    engine = open_engine(db_url)
    copy = tmp_path / "copy.db"
    assert CliRunner().invoke(cli, ["backup", str(copy)]).exit_code == 0
    record_status(engine, "ingest-x", "mqtt://127.0.0.1:1883", True, datetime.now(UTC), (0, 0, 0))
    refused = CliRunner().invoke(cli, ["restore", str(copy), "--yes"])
    assert refused.exit_code == 1 and "stop `aquarium ingest`" in refused.output
    forced = CliRunner().invoke(cli, ["restore", str(copy), "--yes", "--force"])
    assert forced.exit_code == 0, forced.output
