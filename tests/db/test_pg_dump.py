"""`aquarium backup` on PostgreSQL: pg_dump writes a dump pg_restore can read back."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine

from aquarium.cli import cli
from db.engine import open_engine
from db.readings import count_readings
from tests.dashboard.seed import seed
from tests.support import throwaway_postgres

pytestmark = pytest.mark.postgres


def test_backup_on_postgres_dumps_what_pg_restore_brings_back(
    postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The dump restored into another database holds the same readings."""
    source: Engine = open_engine(postgres_url)
    seed(source)
    monkeypatch.setenv("AQUARIUM_DB_URL", postgres_url)
    monkeypatch.delenv("AQUARIUM_CONFIG", raising=False)
    dump = tmp_path / "aquarium.dump"
    result = CliRunner().invoke(cli, ["backup", str(dump)])
    assert result.exit_code == 0, result.output
    assert "pg_restore" in result.output
    with throwaway_postgres("aquarium_restored") as restored_url:
        database = restored_url.rsplit("/", 1)[1]
        subprocess.run(
            ["pg_restore", "-h", "127.0.0.1", "-U", "postgres", "-d", database, str(dump)],
            check=True,
        )
        restored = open_engine(restored_url)
        assert count_readings(restored) == count_readings(source) > 0
        restored.dispose()
    source.dispose()


def test_without_pg_dump_the_error_gives_the_exact_command(
    postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No pg_dump on PATH: one line naming the package and the command, with no password."""
    url = postgres_url.replace("postgres@", "postgres:s3cret@")
    monkeypatch.setenv("AQUARIUM_DB_URL", url)
    monkeypatch.delenv("AQUARIUM_CONFIG", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    result = CliRunner().invoke(cli, ["backup", str(tmp_path / "x.dump")])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert (
        len(lines) == 1
        and "postgresql-client" in lines[0]
        and "pg_dump --format=custom" in lines[0]
    )
    assert "s3cret" not in result.output and "PGPASSWORD=..." in lines[0]
