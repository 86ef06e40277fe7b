"""The shipped systemd units start commands that exist, with options the command line accepts."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from aquarium.cli import cli

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
UNITS = sorted(p.name for p in DEPLOY.glob("aquarium-*.service"))


@pytest.mark.parametrize("unit", UNITS)
def test_every_unit_runs_a_real_aquarium_command(unit: str) -> None:
    """ExecStart's aquarium command (with %i and ${...} filled in) parses; --help proves it."""
    text = (DEPLOY / unit).read_text(encoding="utf-8")
    (line,) = re.findall(r"^ExecStart=(.*)$", text, flags=re.M)
    argv = shlex.split(line.replace("%i", "8501").replace("${AQUARIUM_TANK}", "turtles"))
    assert argv[0].endswith("/aquarium"), argv
    result = CliRunner().invoke(cli, [*argv[1:], "--help"])
    assert result.exit_code == 0, result.output
    command = next(a for a in argv[1:] if not a.startswith("-"))
    usage = result.output.splitlines()[0]
    assert usage.startswith("Usage: ") and f" {command} " in usage, usage


def test_ingest_workers_take_no_per_worker_setting() -> None:
    """Identical workers: the ingest unit passes neither a client id nor a share group."""
    text = (DEPLOY / "aquarium-ingest@.service").read_text(encoding="utf-8")
    (line,) = re.findall(r"^ExecStart=(.*)$", text, flags=re.M)
    assert line.split()[1:] == ["ingest"]
