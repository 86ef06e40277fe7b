"""`aquarium advise`: the water-change advisor's verdict on the command line."""

from __future__ import annotations

import json
import os

import click

from aquarium.advice import verdict_for
from dashboard.formatting import server_zone
from db.engine import open_engine
from db.tanks import list_tanks
from health.summary import headline
from health.verdict import Verdict
from sensors.keeper_input import parse_when
from settings.environment import config_path, database_url


def describe(verdict: Verdict) -> str:
    """The verdict as a few lines for a terminal: the banner's headline, then the reasons."""
    lines = [f"{verdict.tank}: {headline(verdict)}"]
    if verdict.free_ammonia_mg_l is not None:
        lines.append(f"  free ammonia (NH3): {verdict.free_ammonia_mg_l:g} mg/L")
    lines += [f"  - [{r.code}] {r.message}" for r in verdict.reasons]
    return "\n".join(lines)


@click.command()
@click.argument("tank_name", metavar="[TANK]", required=False)
@click.option("--at", "at", help="Judge as of this time (ISO 8601; local time). Default: now.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def advise(tank_name: str | None, at: str | None, as_json: bool) -> None:
    """Does TANK need a water change: when, how much, and why (every tank if none is given)."""
    # Only what this command reads: the database, and the config file when one is named (for
    # per-tank limits). load_settings() would import pydantic for an empty config (0.15 s) and
    # aquarium.wiring the ingest daemon and paho (0.05 s): a third of the command's time.
    path = config_path(os.environ)
    if path is not None:
        from settings.config import load_config

        config = load_config(path)
    else:
        config = None
    engine = open_engine(database_url(os.environ))
    moment = parse_when(at)
    names = [tank_name] if tank_name else [t.name for t in list_tanks(engine)]
    if not names:
        raise click.ClickException("no tanks yet; add one with 'aquarium tank add NAME'")
    # JSON stays UTC; the text is for the keeper at this machine, so in its zone (issue 10).
    zone = None if as_json else server_zone()
    verdicts = [verdict_for(engine, config, name, moment, zone) for name in names]
    if as_json:
        body = [v.to_json_dict() for v in verdicts]
        click.echo(json.dumps(body[0] if tank_name else body, indent=2, ensure_ascii=False))
        return
    click.echo("\n\n".join(describe(v) for v in verdicts))
