"""`aquarium dead-letters` and `aquarium export`: what was refused, and everything stored."""

from __future__ import annotations

import json
import sys

import click

from aquarium.cli import settings
from sensors.errors import AquariumError


@click.command("dead-letters")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--limit", default=50, show_default=True, help="How many, newest first.")
@click.pass_context
def dead_letters(ctx: click.Context, as_json: bool, limit: int) -> None:
    """Messages the daemon refused, with the reason."""
    from aquarium.wiring import engine_for
    from db.dead_letters import list_dead_letters
    from sensors.times import iso_utc

    letters = list_dead_letters(engine_for(settings(ctx)), limit)
    if as_json:
        rows = [
            {
                "time": iso_utc(d.time),
                "topic": d.topic,
                "payload": d.payload,
                "payload_size": d.payload_size,
                "reason": d.reason,
            }
            for d in letters
        ]
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if not letters:
        click.echo("no refused messages")
        return
    from aquarium.commands_alerts import local_text, zone_line

    click.echo(zone_line())
    for d in letters:
        click.echo(f"{local_text(d.time)}  {d.topic}  {d.payload[:60]!r}\n    {d.reason}")


@click.command("export")
@click.option("--tank", "tank_name", help="Only this tank.")
@click.option("--since", help="From (ISO 8601).")
@click.option("--until", help="To (ISO 8601).")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv")
@click.option(
    "--local", is_flag=True, help="CSV times in your local zone with its offset (default: UTC)."
)
@click.pass_context
def export(
    ctx: click.Context,
    tank_name: str | None,
    since: str | None,
    until: str | None,
    fmt: str,
    local: bool,
) -> None:
    """Every sensor reading and test result to stdout, in UTC (--local: your zone).

    CSV columns: time,tank,parameter,value,unit,source,note.
    """
    from aquarium.wiring import engine_for
    from db.csv_io import write_json
    from db.export import export_rows
    from db.export_csv import write_export_csv
    from sensors.keeper_input import parse_when

    engine = engine_for(settings(ctx))
    tank = tank_name
    start = parse_when(since, option="--since") if since else None
    end = parse_when(until, option="--until") if until else None
    if local and fmt != "csv":
        raise AquariumError("--local is for CSV; JSON times stay in UTC for programs to read")
    if fmt == "csv":
        from dashboard.formatting import server_zone

        zone = server_zone() if local else None
        write_export_csv(engine, sys.stdout, tank=tank, since=start, until=end, zone=zone)
    else:
        write_json(export_rows(engine, tank=tank, since=start, until=end), sys.stdout)
