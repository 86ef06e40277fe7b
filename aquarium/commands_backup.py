"""`aquarium backup` and `aquarium restore`: a consistent copy while the daemon runs, and back."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import click

from aquarium.wiring import engine_for
from db.backup import backup as backup_database
from db.backup import check_backup, check_target
from db.backup import restore as restore_database
from db.daemon_status import SILENT_AFTER, list_status
from db.engine import is_sqlite
from db.pg_dump import dump_postgres
from sensors.errors import AquariumError
from settings.environment import load_settings


def _bar(label: str):
    return click.progressbar(length=1, label=label, file=sys.stderr)


@click.command()
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
def backup(target: Path) -> None:
    """Write a consistent copy of the database to TARGET, even while the daemon runs.

    SQLite: an online copy of the file. PostgreSQL: pg_dump --format=custom (restore it with
    pg_restore), or the exact command to run when pg_dump is not installed.
    """
    engine = engine_for(load_settings())
    target = check_target(target)  # before the progress bar, so an error is the only line
    if not is_sqlite(engine):
        dump_postgres(engine, target)
        click.echo(f"dumped {engine.url.database} to {target} (restore with pg_restore)")
        return
    with _bar("backing up") as bar:

        def progress(done: int, total: int) -> None:
            bar.length = max(total, 1)
            bar.update(done - bar.pos)

        pages = backup_database(engine, target, progress)
    click.echo(f"backed up {pages} pages to {target}")


@click.command()
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--force", is_flag=True, help="Restore even though a daemon seems to be running.")
def restore(source: Path, yes: bool, force: bool) -> None:
    """Replace the database with the backup SOURCE after checking it (stop the daemon first)."""
    engine = engine_for(load_settings())
    problem = check_backup(source)
    if problem:
        raise AquariumError(f"not restoring: {problem}")
    now = datetime.now(UTC)
    running = [s for s in list_status(engine) if now - s.heartbeat <= SILENT_AFTER]
    if running and not force:
        raise AquariumError(
            "not restoring: a daemon is writing to this database (heartbeat "
            f"{(now - running[0].heartbeat).total_seconds():.0f} s ago); stop `aquarium ingest` "
            "or `aquarium up` first, or pass --force"
        )
    if not yes:
        click.confirm(
            f"Replace {engine.url.database} with {source}? Readings stored since the backup "
            "will be lost. Stop `aquarium ingest` first",
            abort=True,
        )
    with _bar("restoring") as bar:

        def progress(done: int, total: int) -> None:
            bar.length = max(total, 1)
            bar.update(done - bar.pos)

        restore_database(engine, source, progress)
    engine_for(load_settings())  # migrate an older backup to this version's schema
    click.echo(f"restored {source}")
