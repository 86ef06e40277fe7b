"""`aquarium copy-db --to URL`: move a whole history (say SQLite to PostgreSQL), verified."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import click

from aquarium.wiring import engine_for
from db.copy import copy_database
from db.daemon_status import workers
from db.engine import open_engine
from sensors.errors import AquariumError
from settings.environment import load_settings

if TYPE_CHECKING:  # click's progress bar class is only named in its private module
    from click._termui_impl import ProgressBar


@click.command("copy-db")
@click.option(
    "--to",
    "target_url",
    required=True,
    help="Database URL of the new, empty database, e.g. postgresql+psycopg://aq@db/aquarium.",
)
def copy_db(target_url: str) -> None:
    """Copy the whole history into an empty database (say PostgreSQL), then verify it.

    Every tank, reading, rollup, test, maintenance entry, alert and dead letter of the configured
    database (AQUARIUM_DB_URL) is copied with its ids; then each table's count and sums are
    compared.

    Afterwards point AQUARIUM_DB_URL at the new database and start the workers there: they resume
    the same MQTT session, so what the sensors publish meanwhile waits at the broker.
    """
    source = engine_for(load_settings())
    target = open_engine(target_url)
    running = workers(source, datetime.now(UTC)).live
    if running:
        click.echo(
            f"note: {len(running)} worker(s) still write to the source; readings they store "
            "after this snapshot stay behind. Stop them first for a complete move.",
            err=True,
        )
    bars: dict[str, ProgressBar[int]] = {}

    def progress(table: str, done: int, total: int) -> None:
        if table not in bars:
            for bar in bars.values():
                bar.render_finish()
            bars[table] = click.progressbar(
                length=max(total, 1), label=f"{table:16s}", file=sys.stderr, show_pos=True
            )
        bar = bars[table]
        bar.update(done - bar.pos)

    checks = copy_database(source, target, progress)
    for bar in bars.values():
        bar.render_finish()
    bad = [c for c in checks if not c.matches]
    for check in checks:
        mark = "ok" if check.matches else "MISMATCH"
        click.echo(f"{check.table:16s} {check.source_rows:>12,d} rows  {mark}")
    if bad:
        raise AquariumError(
            "the copy does not match the source in "
            + ", ".join(f"{c.table} ({c.source_rows} vs {c.target_rows} rows)" for c in bad)
            + "; drop the target database and run copy-db again with the workers stopped"
        )
    shown = target.url.render_as_string(hide_password=True)
    click.echo(f"copied and verified; now set AQUARIUM_DB_URL={shown} and start the workers")
