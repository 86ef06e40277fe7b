"""`aquarium status`: every worker with its roles; a silent one is named, and can be forgotten."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine

from aquarium.cli import cli
from db.daemon_status import record_status


@pytest.fixture
def run(db_url: str, engine: Engine, monkeypatch: pytest.MonkeyPatch):
    """Invoke `aquarium ...` in-process against this test's database."""
    monkeypatch.setenv("AQUARIUM_DB_URL", db_url)
    monkeypatch.delenv("AQUARIUM_CONFIG", raising=False)
    return lambda *args: CliRunner().invoke(cli, list(args))


def test_status_lists_holder_and_standby_and_names_the_silent_worker(run, engine: Engine) -> None:
    """Three workers: the holder, a standby and one killed a minute ago, which is reported."""
    now = datetime.now(UTC)
    record_status(engine, "a:1", "mqtt://b:1883", True, now, (10, 9, 1), session="aquarium-x")
    record_status(engine, "b:2", "mqtt://b:1883", False, now, (0, 0, 0), roles="")
    record_status(engine, "c:3", "mqtt://b:1883", True, now - timedelta(minutes=1), (5, 5, 0))
    result = run("status")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert any(line.startswith("a:1") and "ingest,alerts,housekeeping" in line for line in lines)
    assert any(line.startswith("b:2") and "standby" in line for line in lines)
    assert any("worker c:3 is silent" in line for line in lines)
    listed = json.loads(run("status", "--json").output)
    states = {w["worker"]: (w["state"], w["roles"]) for w in listed["workers"]}
    assert states["b:2"] == ("running", [])
    assert states["c:3"][0] == "silent"
    assert "forgot 1 silent worker" in run("status", "--forget-silent").output
    assert run("status").exit_code == 0


def test_status_warns_when_only_standbys_run(run, engine: Engine) -> None:
    """Workers that all stand by mean nobody ingests: status says so and fails."""
    record_status(engine, "b:2", "mqtt://b:1883", False, datetime.now(UTC), (0, 0, 0), roles="")
    result = run("status")
    assert result.exit_code == 1
    assert "no worker holds the ingest session" in result.output
