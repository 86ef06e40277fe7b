"""One note-length rule for the command line, the dashboard's forms and CSV import."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine

from aquarium.cli import cli
from db.csv_io import read_csv
from db.engine import open_engine
from db.maintenance import list_events
from db.manual import list_tests
from db.tanks import add_tank
from sensors.notes import NOTE_MAX_CHARS
from tests.dashboard.conftest import open_page
from tests.dashboard.seed import TANK

PASTED_FILE = "x" * 120_000


@pytest.fixture
def cli_engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Engine:
    """A database with one tank, named by AQUARIUM_DB_URL for the command line."""
    url = f"sqlite:///{tmp_path / 'notes.db'}"
    monkeypatch.setenv("AQUARIUM_DB_URL", url)
    monkeypatch.delenv("AQUARIUM_CONFIG", raising=False)
    engine = open_engine(url)
    add_tank(engine, "reef", volume_l=96.0)
    return engine


@pytest.mark.parametrize(
    "command",
    [["log", "reef", "nitrate=20"], ["maintain", "reef", "water-change", "--percent", "30"]],
)
def test_the_command_line_refuses_a_note_over_the_rule_and_stores_nothing(
    cli_engine: Engine, command: list[str]
) -> None:
    """A 120 KB note is one error line naming the limit; neither result nor event is stored."""
    result = CliRunner().invoke(cli, [*command, "--note", PASTED_FILE])
    assert result.exit_code == 1
    assert result.output.startswith("Error: the note is 120,000 characters long")
    assert f"at most {NOTE_MAX_CHARS}" in result.output and result.output.count("\n") == 1
    assert list_tests(cli_engine, "reef") == [] and list_events(cli_engine, "reef") == []


def test_a_note_at_the_limit_is_stored_whole(cli_engine: Engine) -> None:
    """Exactly NOTE_MAX_CHARS characters are kept as typed, not cut."""
    note = "n" * NOTE_MAX_CHARS
    result = CliRunner().invoke(cli, ["log", "reef", "nitrate=20", "--note", note])
    assert result.exit_code == 0, result.output
    assert [t.note for t in list_tests(cli_engine, "reef")] == [note]


def test_the_dashboard_forms_use_the_same_limit(dashboard_engine: Engine) -> None:
    """The logbook and maintenance note fields cap input at the rule the command line applies."""
    add_tank(dashboard_engine, TANK, volume_l=96.0)
    assert open_page("logbook").text_input(key="log_note").max_chars == NOTE_MAX_CHARS
    maintenance = open_page("maintenance")
    notes = [t for t in maintenance.text_input if t.label == "Note"]
    assert notes and all(t.max_chars == NOTE_MAX_CHARS for t in notes)


def test_a_csv_row_with_a_long_note_is_refused_and_the_others_kept() -> None:
    """CSV import refuses only the row whose note is over the rule, saying why."""
    text = (
        "time,parameter,value,unit,note\n"
        "2026-11-20T10:00:00Z,nitrate,20,mg/L,ok\n"
        f"2026-11-20T11:00:00Z,nitrate,25,mg/L,{'y' * (NOTE_MAX_CHARS + 1)}\n"
    )
    rows = read_csv(text.encode(), TANK)
    assert rows[0].error is None
    assert "at most" in (rows[1].error or "")
