"""`aquarium bench`: the performance table. The measurements live in benchmarks/, which is part
of the source checkout rather than of the installed package."""

from __future__ import annotations

import sys
from pathlib import Path

import click

CHECKOUT = Path(__file__).resolve().parent.parent

if (CHECKOUT / "benchmarks" / "run.py").is_file():
    sys.path.insert(0, str(CHECKOUT))
    from benchmarks.run import bench
else:

    @click.command()
    def bench() -> None:
        """Measure every performance goal on data built for the run, beside same-run references."""
        raise click.ClickException(
            "aquarium bench runs from a source checkout: clone the repository, run "
            "scripts/bootstrap there, then .venv/bin/aquarium bench"
        )
