"""`aquarium tank remove|archive|unarchive`: retiring a tank (the demo's, or one given away)."""

from __future__ import annotations

import click

from aquarium.wiring import engine_for
from db.tanks import archive_tank, get_tank, remove_tank, unarchive_tank
from settings.environment import load_settings


@click.command("remove")
@click.argument("name")
@click.option("--yes", is_flag=True, help="Do not ask to confirm (for scripts).")
def tank_remove(name: str, yes: bool) -> None:
    """Delete tank NAME and its whole history (readings, tests, log, alerts) for good.

    To hide a tank but keep its history, use 'aquarium tank archive NAME'.
    """
    engine = engine_for(load_settings())
    tank = get_tank(engine, name)
    if not yes:
        click.confirm(
            f"Delete tank {tank.name} and all its readings, tests, maintenance log and alerts? "
            "This cannot be undone (see 'aquarium backup')",
            abort=True,
        )
    removed = remove_tank(engine, tank.name)
    rows = sum(removed.values())
    detail = ", ".join(f"{count} {table}" for table, count in sorted(removed.items()))
    click.echo(f"removed tank {tank.name} and {rows} rows of its history ({detail or 'none'})")


@click.command("archive")
@click.argument("name")
def tank_archive(name: str) -> None:
    """Hide tank NAME from the dashboard and alerts, keeping its history."""
    archive_tank(engine_for(load_settings()), name)
    click.echo(f"archived tank {name}; bring it back with 'aquarium tank unarchive {name}'")


@click.command("unarchive")
@click.argument("name")
def tank_unarchive(name: str) -> None:
    """Show an archived tank NAME again."""
    unarchive_tank(engine_for(load_settings()), name)
    click.echo(f"tank {name} is back on the dashboard")
