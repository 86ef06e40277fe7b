"""Restores that must not touch the live database unless the backup is fully usable."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from aquarium.cli import cli
from db.backup import check_backup
from db.engine import open_engine
from db.migrate import current_revision, head_revision
from db.tanks import add_tank, list_tanks


def _live_with_tank(db_url: str, name: str) -> Path:
    engine = open_engine(db_url)
    add_tank(engine, name, volume_l=96.0)
    engine.dispose()
    return Path(db_url.removeprefix("sqlite:///"))


def _backup_at_revision(tmp_path: Path, revision: str, name: str = "backup.db") -> Path:
    """A real backup of a fresh database whose schema revision is then set to REVISION."""
    copy = tmp_path / name
    engine = open_engine(f"sqlite:///{copy}")
    add_tank(engine, "from-backup")
    engine.dispose()
    with sqlite3.connect(copy) as conn:
        conn.execute("UPDATE alembic_version SET version_num = ?", (revision,))
    return copy


def _tank_names(db_url: str) -> list[str]:
    return [t.name for t in list_tanks(open_engine(db_url))]


@pytest.mark.parametrize("revision", ["9999_from_the_future", "a1b2c3d4e5f6"])
def test_a_backup_from_a_newer_version_is_refused_and_the_live_database_is_untouched(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, report, revision: str
) -> None:
    """A schema revision this version does not ship is refused with the fix; commands still work."""
    monkeypatch.setenv("AQUARIUM_DB_URL", db_url)
    live = _live_with_tank(db_url, "reef")
    before = live.read_bytes()
    newer = _backup_at_revision(tmp_path, revision)
    result = CliRunner().invoke(cli, ["restore", str(newer), "--yes"])
    assert result.exit_code == 1
    assert "newer version" in result.output and "upgrade first" in result.output
    assert "Traceback" not in result.output and result.output.count("\n") == 1
    assert live.read_bytes() == before
    assert current_revision(open_engine(db_url, migrate=False)) == head_revision()
    listed = CliRunner().invoke(cli, ["tank", "list"])
    assert listed.exit_code == 0 and "reef" in listed.output
    good = tmp_path / "good.db"
    assert CliRunner().invoke(cli, ["backup", str(good)]).exit_code == 0
    again = CliRunner().invoke(cli, ["restore", str(good), "--yes"])
    assert again.exit_code == 0, again.output
    assert _tank_names(db_url) == ["reef"]
    report(
        "restore of a newer version's backup",
        f"`aquarium restore` of a backup whose schema revision is {revision!r}",
        "1 live tank",
        0,
        None,
    )


def test_a_backup_whose_migration_fails_leaves_the_live_database_as_it_was(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, report
) -> None:
    """A backup that passes the checks but cannot be migrated is refused before the swap."""
    monkeypatch.setenv("AQUARIUM_DB_URL", db_url)
    live = _live_with_tank(db_url, "reef")
    before = live.read_bytes()
    # Marked one revision old while its tables are already at head: the next migration's
    # "add column" then fails on a column that exists, the way a hand-edited file would.
    crafted = _backup_at_revision(tmp_path, "0004")
    assert check_backup(crafted) == ""
    result = CliRunner().invoke(cli, ["restore", str(crafted), "--yes"])
    assert result.exit_code == 1
    error = result.output.split("Error: ", 1)[1]
    assert error.startswith("not restoring:") and error.rstrip().endswith("left as it was")
    assert "\n" not in error.rstrip()
    assert live.read_bytes() == before
    assert _tank_names(db_url) == ["reef"]
    assert not list(live.parent.glob(".*.restoring*"))
    report(
        "restore of a backup whose migration fails",
        "`aquarium restore` of a file marked revision 0004 with head's tables",
        "1 live tank",
        0,
        None,
    )


def test_a_garbage_file_is_refused_and_commands_still_work(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Random bytes named like a backup are refused; the live database and the CLI are fine."""
    monkeypatch.setenv("AQUARIUM_DB_URL", db_url)
    live = _live_with_tank(db_url, "reef")
    before = live.read_bytes()
    junk = tmp_path / "junk.db"
    junk.write_bytes(bytes(range(256)) * 64)
    result = CliRunner().invoke(cli, ["restore", str(junk), "--yes"])
    assert result.exit_code == 1 and result.output.startswith("Error: not restoring:")
    assert live.read_bytes() == before
    assert CliRunner().invoke(cli, ["tank", "list"]).exit_code == 0


def test_a_newer_live_database_is_a_one_line_error(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A live database already at an unknown revision gives the fix, not 'Can't locate revision'."""
    monkeypatch.setenv("AQUARIUM_DB_URL", db_url)
    live = _live_with_tank(db_url, "reef")
    with sqlite3.connect(live) as conn:
        conn.execute("UPDATE alembic_version SET version_num = 'zz_newer'")
    result = CliRunner().invoke(cli, ["tank", "list"])
    assert result.exit_code == 1
    assert "newer version" in result.output and "Can't locate" not in result.output
