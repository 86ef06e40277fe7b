"""`aquarium --help` starts without the heavy libraries, and its lazy listing tells the truth."""

from __future__ import annotations

import subprocess
import sys

import click
import pytest

from aquarium.cli import LAZY_COMMANDS, LAZY_TANK_COMMANDS, cli
from tests.aquarium.test_cli import COMMANDS

HEAVY = ("sqlalchemy", "paho", "streamlit", "pydantic", "apprise", "pandas", "alembic", "health")


def test_top_level_help_imports_no_heavy_library() -> None:
    """Listing the commands loads none of SQLAlchemy, paho, Streamlit, pydantic, apprise, pandas."""
    probe = (
        "import sys\n"
        "from aquarium.cli import cli\n"
        "try:\n"
        "    cli(['--help'], prog_name='aquarium')\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print('loaded:' + ','.join(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    shown, _, loaded = result.stdout.rpartition("loaded:")
    assert "Commands:" in shown and "advise" in shown
    assert loaded.strip() == "", f"`aquarium --help` imported {loaded.strip()}"


@pytest.mark.parametrize(
    ("path", "summary"),
    [((name,), entry[1]) for name, entry in sorted(LAZY_COMMANDS.items())]
    + [(("tank", name), entry[1]) for name, entry in sorted(LAZY_TANK_COMMANDS.items())],
    ids=lambda value: " ".join(value) if isinstance(value, tuple) else "summary",
)
def test_lazy_summary_matches_the_command(path: tuple[str, ...], summary: str) -> None:
    """Each summary listed without importing equals the first line of the command's own help."""
    group: click.Group = cli
    for name in path[:-1]:
        group = group.get_command(click.Context(group), name)  # type: ignore[assignment]
    command = group.get_command(click.Context(group), path[-1])
    assert command is not None and command.name == path[-1]
    first_line = (command.help or "").split("\n")[0]
    assert summary == first_line, f"update {' '.join(path)!r} in aquarium/cli.py's lazy tables"


def test_help_test_covers_every_command() -> None:
    """Every top-level command is in the --help test's list, so a new one cannot skip it."""
    listed = {c[0] for c in COMMANDS if c}
    assert set(cli.list_commands(click.Context(cli))) <= listed
