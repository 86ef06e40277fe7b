"""`aquarium`: one program, a thin layer over the packages (each command calls one function)."""

from __future__ import annotations

import json
import logging
from importlib import import_module
from typing import TYPE_CHECKING, Any

import click

from aquarium.log_masking import hide_credentials_in_logs
from sensors.credentials import mask_credentials
from sensors.errors import AquariumError
from sensors.keeper_input import MAINTENANCE_KINDS, TANK_VOLUME_L

if TYPE_CHECKING:
    from settings.environment import Settings

VOLUME = click.FloatRange(*TANK_VOLUME_L)
SET_UP_HELP = (
    "When the tank was set up (ISO date). Only for a tank still cycling (under about 8 weeks): "
    "the advisor then follows the cycle instead of reporting a filter fault."
)


# Commands that live in their own modules, loaded only when they run or show their own --help:
# importing them pulls in SQLAlchemy, paho, pydantic and apprise, which made `aquarium --help`
# take 0.8 s. The summary is what `aquarium --help` lists; a test checks it against the
# command's own first docstring line, so the two cannot drift apart.
LAZY_COMMANDS: dict[str, tuple[str, str]] = {
    "advise": (
        "aquarium.commands_advise:advise",
        "Does TANK need a water change: when, how much, and why (every tank if none is given).",
    ),
    "alerts": (
        "aquarium.commands_alerts:alerts",
        "List alerts: tank, rule, state, since when, and what the rule saw.",
    ),
    "backup": (
        "aquarium.commands_backup:backup",
        "Write a consistent copy of the database to TARGET, even while the daemon runs.",
    ),
    "bench": (
        "aquarium.commands_bench:bench",
        "Measure every performance goal on data built for the run, beside same-run references.",
    ),
    "broker": (
        "aquarium.commands_run:broker",
        "Run the embedded MQTT broker (amqtt): for trying things out without Mosquitto.",
    ),
    "copy-db": (
        "aquarium.commands_copy:copy_db",
        "Copy the whole history into an empty database (say PostgreSQL), then verify it.",
    ),
    "dashboard": ("aquarium.commands_run:dashboard", "Serve the Streamlit dashboard."),
    "dead-letters": (
        "aquarium.commands_records:dead_letters",
        "Messages the daemon refused, with the reason.",
    ),
    "export": (
        "aquarium.commands_records:export",
        "Every sensor reading and test result to stdout, in UTC (--local: your zone).",
    ),
    "ingest": (
        "aquarium.commands_run:ingest",
        "Run an ingest worker: MQTT readings into the database (SIGTERM stops it cleanly).",
    ),
    "notify-test": (
        "aquarium.commands_alerts:notify_test",
        "Send a test notification to every configured URL; one line each, exit 1 if any failed.",
    ),
    "restore": (
        "aquarium.commands_backup:restore",
        "Replace the database with the backup SOURCE after checking it (stop the daemon first).",
    ),
    "sensor": (
        "aquarium.commands_sensor:sensor",
        "Publish readings from probes wired to this machine.",
    ),
    "simulate": (
        "aquarium.commands_run:simulate",
        "Publish a simulated tank to aquarium/<tank>/<parameter> (clearly labelled as simulated).",
    ),
    "status": (
        "aquarium.commands_status:status",
        "List every ingest worker: roles, heartbeat, counters; warn when one is missing.",
    ),
    "up": (
        "aquarium.commands_run:up",
        "Run everything here: broker, daemon, dashboard (and a demo tank until you have a tank).",
    ),
}
LAZY_TANK_COMMANDS: dict[str, tuple[str, str]] = {
    "archive": (
        "aquarium.commands_tank:tank_archive",
        "Hide tank NAME from the dashboard and alerts, keeping its history.",
    ),
    "remove": (
        "aquarium.commands_tank:tank_remove",
        "Delete tank NAME and its whole history (readings, tests, log, alerts) for good.",
    ),
    "unarchive": ("aquarium.commands_tank:tank_unarchive", "Show an archived tank NAME again."),
}


class Group(click.Group):
    """Turns the errors a keeper can fix into one line and exit status 1, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except AquariumError as exc:
            raise click.ClickException(mask_credentials(str(exc))) from exc


class LazyGroup(Group):
    """A group that lists its LAZY commands (name -> ("module:attribute", summary)) without
    importing them; the others are defined in this module."""

    def __init__(self, *args: Any, lazy: dict[str, tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = lazy

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *self.lazy])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy:
            module, _, attribute = self.lazy[cmd_name][0].partition(":")
            command: click.Command = getattr(import_module(module), attribute)
            return command
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        limit = formatter.width - 6 - max(len(name) for name in self.list_commands(ctx))
        rows = []
        for name in self.list_commands(ctx):
            if name in self.lazy:  # a stand-in that only knows the summary shortens it like click
                stand_in = click.Command(name, help=self.lazy[name][1])
                rows.append((name, stand_in.get_short_help_str(limit)))
            else:
                command = super().get_command(ctx, name)
                if command is not None and not command.hidden:
                    rows.append((name, command.get_short_help_str(limit)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


class ProfileChoice(click.Choice):
    """The profile names, read from health/ only when an option is parsed or its help shown:
    importing health/ (the whole advisor) would add 0.03-0.1 s to every `aquarium --help`."""

    def __init__(self) -> None:
        super().__init__((), case_sensitive=True)

    @property
    def choices(self) -> tuple[str, ...]:
        from health.profiles import PROFILES

        return tuple(PROFILES)

    @choices.setter
    def choices(self, _value: object) -> None:
        return None  # click.Choice.__init__ sets it; the names always come from health/


class ProfileOption(click.Option):
    """An option whose default is health/'s default profile, looked up when first needed."""

    def get_default(self, ctx: click.Context, call: bool = True) -> Any:
        from health.profiles import DEFAULT_PROFILE

        return DEFAULT_PROFILE


def settings(ctx: click.Context) -> Settings:
    """Settings, read once per invocation."""
    from settings.environment import load_settings

    if "settings" not in ctx.meta:
        ctx.meta["settings"] = load_settings()
    return ctx.meta["settings"]


def check_tank_name(name: str) -> str:
    from sensors.naming import tank_name_problem

    problem = tank_name_problem(name)
    if problem:
        raise AquariumError(problem)
    return name


@click.group(
    cls=LazyGroup, lazy=LAZY_COMMANDS, context_settings={"help_option_names": ["-h", "--help"]}
)
@click.option("-v", "--verbose", is_flag=True, help="Log debug detail.")
@click.version_option(package_name="aquarium-monitor")
def cli(verbose: bool) -> None:
    """Aquarium monitor: sensors over MQTT into SQLite, a dashboard, and a water-change advisor.

    Settings come from the environment: AQUARIUM_DB_URL (default: a SQLite file under
    ~/.local/share/aquarium), AQUARIUM_MQTT_URL (default mqtt://127.0.0.1:1883) and
    AQUARIUM_CONFIG (a TOML file describing tanks and sensors).
    """
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    hide_credentials_in_logs()
    # Alembic narrates every start at INFO; a keeper only needs to hear about real migrations.
    logging.getLogger("alembic").setLevel(logging.INFO if verbose else logging.WARNING)
    # apprise logs every send at INFO and repeats our own delivery warnings.
    logging.getLogger("apprise").setLevel(logging.INFO if verbose else logging.ERROR)


@cli.group(cls=LazyGroup, lazy=LAZY_TANK_COMMANDS)
def tank() -> None:
    """Add, edit, list, archive and remove tanks."""


@tank.command("add")
@click.argument("name")
@click.option("--volume", type=VOLUME, help="Water volume, L.")
@click.option(
    "--profile",
    cls=ProfileOption,
    type=ProfileChoice(),
    show_default=True,
    help="Health profile: limits and habits for the livestock.",
)
@click.option("--set-up", "set_up", help=SET_UP_HELP)
@click.pass_context
def tank_add(
    ctx: click.Context, name: str, volume: float | None, profile: str, set_up: str | None
) -> None:
    """Register tank NAME (lowercase letters, digits, - and _)."""
    from aquarium.wiring import engine_for
    from db.tanks import add_tank
    from sensors.keeper_input import parse_when

    created = add_tank(
        engine_for(settings(ctx)),
        check_tank_name(name),
        volume_l=volume,
        profile=profile,
        set_up_at=parse_when(set_up, option="--set-up") if set_up else None,
    )
    click.echo(f"added tank {created.name}")


@tank.command("edit")
@click.argument("name")
@click.option("--volume", type=VOLUME, help="Water volume, L.")
@click.option("--profile", type=ProfileChoice(), help="Health profile.")
@click.option("--set-up", "set_up", help=SET_UP_HELP)
@click.pass_context
def tank_edit(
    ctx: click.Context, name: str, volume: float | None, profile: str | None, set_up: str | None
) -> None:
    """Change tank NAME's volume, profile or set-up date."""
    from aquarium.wiring import engine_for
    from db.tanks import update_tank
    from sensors.keeper_input import parse_when

    update_tank(
        engine_for(settings(ctx)),
        name,
        volume_l=volume,
        profile=profile,
        set_up_at=parse_when(set_up, option="--set-up") if set_up else None,
    )
    click.echo(f"updated tank {name}")


@tank.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--all", "everything", is_flag=True, help="Include archived tanks.")
@click.pass_context
def tank_list(ctx: click.Context, as_json: bool, everything: bool) -> None:
    """List tanks (archived ones only with --all)."""
    from aquarium.wiring import engine_for
    from db.tanks import list_tanks
    from sensors.times import iso_utc

    tanks = list_tanks(engine_for(settings(ctx)), include_archived=everything)
    if as_json:
        rows = [
            {
                "name": t.name,
                "volume_l": t.volume_l,
                "profile": t.profile,
                "simulated": t.simulated,
                "created_at": iso_utc(t.created_at),
                "archived_at": iso_utc(t.archived_at) if t.archived_at else None,
            }
            for t in tanks
        ]
        click.echo(json.dumps(rows, indent=2))
        return
    if not tanks:
        click.echo(
            "no tanks yet: 'aquarium tank add NAME', or publish to aquarium/NAME/temperature"
        )
    for t in tanks:
        volume = f"{t.volume_l:g} L" if t.volume_l else "volume not set"
        label = " (simulated)" if t.simulated else ""
        label += " (archived)" if t.archived_at else ""
        click.echo(f"{t.name}\t{volume}\t{t.profile}{label}")


@cli.command("log")
@click.argument("tank_name", metavar="TANK")
@click.argument("results", nargs=-1, metavar="PARAM=VALUE[UNIT]...")
@click.option("--at", "at", help="When the test was done (ISO 8601; local time). Default: now.")
@click.option("--note", default="", help="A note kept with the results.")
@click.pass_context
def log_command(
    ctx: click.Context, tank_name: str, results: tuple[str, ...], at: str | None, note: str
) -> None:
    """Log test-kit results, e.g. `aquarium log turtles nitrate=20 no2=0 ph=7.4 kh=4dKH`.

    Units: nitrate as NO3 (default) or NO3-N, KH in dKH or ppm CaCO3, temperature C or F...
    """
    from aquarium.logbook import log_test_session
    from aquarium.wiring import engine_for
    from sensors.catalogue import PARAMETERS
    from sensors.keeper_input import parse_when

    stored = log_test_session(
        engine_for(settings(ctx)), tank_name, list(results), parse_when(at), note
    )
    shown = [(r.parameter, r.value, PARAMETERS[r.parameter]) for r in stored]
    summary = ", ".join(f"{name} {value:.{p.decimals}f} {p.unit}" for name, value, p in shown)
    click.echo(f"logged for {tank_name}: {summary}")


@cli.command("maintain")
@click.argument("tank_name", metavar="TANK")
@click.argument("kind", type=click.Choice(MAINTENANCE_KINDS))
@click.option("--percent", type=float, help="Water changed, % of the tank.")
@click.option("--litres", type=float, help="Water changed, L (needs the tank's volume for %).")
@click.option("--at", "at", help="When (ISO 8601; local time). Default: now.")
@click.option("--note", default="", help="A note.")
@click.pass_context
def maintain(
    ctx: click.Context,
    tank_name: str,
    kind: str,
    percent: float | None,
    litres: float | None,
    at: str | None,
    note: str,
) -> None:
    """Log maintenance: water-change, gravel-clean, filter-clean, top-off or note."""
    from aquarium.logbook import log_maintenance
    from aquarium.wiring import engine_for
    from sensors.keeper_input import parse_when

    percent, litres = log_maintenance(
        engine_for(settings(ctx)),
        tank_name,
        kind,
        at=parse_when(at),
        percent=percent,
        litres=litres,
        note=note,
    )
    amount = f" ({percent:g} %)" if percent else ""
    click.echo(f"logged {kind}{amount} for {tank_name}")
    if kind == "water-change" and percent is None:
        click.echo(
            f"note: {tank_name} has no volume, so the change's share is unknown and the advisor "
            f"cannot use it; set it with 'aquarium tank edit {tank_name} --volume LITRES'",
            err=True,
        )


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="aquarium")
