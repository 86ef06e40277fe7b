"""`aquarium alerts [ack]`, `aquarium notify-test`, and the alert engine's wiring for the daemon."""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING

import click
from sqlalchemy import Engine

from aquarium.advice import profile_for
from aquarium.wiring import engine_for
from db.alerts_queries import OPEN_STATES, RESOLVED, AlertRow, acknowledge_alert, list_alerts
from db.tanks import get_tank
from health.profiles import Profile
from sensors.errors import AquariumError, ConfigError
from sensors.times import iso_utc
from settings.environment import Settings, load_settings

if TYPE_CHECKING:
    from alerts.engine import AlertEngine, Sink

STATES = {
    "open": OPEN_STATES,
    "firing": ("firing",),
    "pending": ("pending",),
    "resolved": (RESOLVED,),
    "all": (*OPEN_STATES, RESOLVED),
}


def alert_engine_for(
    settings: Settings, engine: Engine, *, client_id: str = "aquarium-ingest-alerts"
) -> AlertEngine:
    """The alert engine with the config's profiles, its apprise URLs and the MQTT broker."""
    # Imported here: apprise takes a sixth of a second to import, which every other command
    # (this module is loaded by the command line's start) would pay for nothing.
    from alerts.engine import AlertEngine
    from alerts.evaluator import Evaluator
    from alerts.mqtt_publisher import MqttAlertPublisher
    from alerts.outbox_delivery import NotificationOutbox
    from alerts.rules import default_rules
    from alerts.verdict_recorder import VerdictRecorder
    from dashboard.formatting import server_zone

    config = settings.config
    for tank in config.tanks:  # a bad limit override fails here, in one line, not every minute
        profile_for(config, tank.name, tank.profile)

    def profiles(tank: str, name: str) -> Profile:
        return profile_for(config, tank, name)

    publisher = MqttAlertPublisher(settings.mqtt, client_id=client_id)
    outbox = NotificationOutbox(engine, config.notify.urls)
    sinks: list[Sink] = [VerdictRecorder(engine, profiles)]
    if home_assistant_discovery(settings):
        from alerts.ha_discovery import HomeAssistantDiscovery

        # Before the publisher: its start sets the connection's will before it connects, and
        # its close says "offline" before the shared connection goes.
        sinks.append(HomeAssistantDiscovery(engine, publisher, prefix=config.homeassistant.prefix))
    sinks += [publisher, outbox]
    evaluator = Evaluator(
        engine, default_rules(), profiles, server_zone(), endpoints=outbox.endpoint_keys
    )
    return AlertEngine(engine, evaluator, sinks)


LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


def home_assistant_discovery(settings: Settings) -> bool:
    """Whether to announce tanks to Home Assistant: as configured, else when the broker is local."""
    chosen = settings.config.homeassistant.discovery
    return chosen if chosen is not None else settings.mqtt.host in LOCAL_HOSTS


def local_text(moment: datetime | None) -> str:
    """MOMENT in the keeper's zone to the minute (ARCHITECTURE.md); --json gives UTC."""
    from dashboard.formatting import server_zone

    return moment.astimezone(server_zone()).strftime("%Y-%m-%d %H:%M") if moment else "-"


def zone_line() -> str:
    """'times in Europe/Berlin': the zone named once, above a listing."""
    from dashboard.formatting import zone_name

    return f"times in {zone_name(None)}"


def _row_json(a: AlertRow) -> dict[str, object]:
    def iso(moment: datetime | None) -> str | None:
        return iso_utc(moment) if moment else None

    return {
        "id": a.id,
        "tank": a.tank,
        "rule": a.rule,
        "state": a.state,
        "since": iso(a.since),
        "fired_at": iso(a.fired_at),
        "resolved_at": iso(a.resolved_at),
        "acknowledged_at": iso(a.acknowledged_at),
        "last_value": a.last_value,
        "message": a.message,
    }


@click.group("alerts", invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON (times in ISO 8601 UTC).")
@click.option(
    "--state",
    type=click.Choice(list(STATES)),
    default="open",
    show_default=True,
    help="Which alerts: open (pending and firing), firing, pending, resolved or all.",
)
@click.option("--tank", "tank_name", help="Only this tank.")
@click.option("--limit", default=200, show_default=True, help="How many, newest first.")
@click.pass_context
def alerts(
    ctx: click.Context, as_json: bool, state: str, tank_name: str | None, limit: int
) -> None:
    """List alerts: tank, rule, state, since when, and what the rule saw."""
    if ctx.invoked_subcommand is not None:
        return
    engine = engine_for(load_settings())
    if tank_name:
        get_tank(engine, tank_name)  # an unknown tank says so instead of listing nothing
    rows = list_alerts(engine, states=STATES[state], tank=tank_name, limit=limit)
    if as_json:
        click.echo(json.dumps([_row_json(a) for a in rows], indent=2, ensure_ascii=False))
        return
    if not rows:
        click.echo("no alerts" if state == "all" else f"no {state} alerts")
    else:
        click.echo(zone_line())
    for a in rows:
        seen = ", acknowledged" if a.acknowledged_at else ""
        click.echo(f"{local_text(a.since)}  {a.tank}  {a.rule}  {a.state}{seen}\n    {a.message}")


@alerts.command("ack")
@click.argument("tank_name", metavar="TANK", required=False)
@click.argument("rule", required=False)
@click.option("--id", "alert_id", type=int, help="The alert's id (from 'aquarium alerts --json').")
def ack(tank_name: str | None, rule: str | None, alert_id: int | None) -> None:
    """Acknowledge TANK's open alert RULE: no more reminders until it resolves."""
    engine = engine_for(load_settings())
    if alert_id is None:
        if not (tank_name and rule):
            raise AquariumError("say which alert: 'aquarium alerts ack TANK RULE' or --id ID")
        get_tank(engine, tank_name)
        found = [
            a for a in list_alerts(engine, states=OPEN_STATES, tank=tank_name) if a.rule == rule
        ]
        if not found:
            raise AquariumError(
                f"tank {tank_name!r} has no open alert {rule!r}; 'aquarium alerts' lists the "
                "open ones"
            )
        alert_id = found[0].id
    acknowledge_alert(engine, alert_id)
    what = f"{rule} on {tank_name}" if rule else f"alert {alert_id}"
    click.echo(f"acknowledged {what}: no more reminders until it resolves")


@click.command("notify-test")
@click.option(
    "--url",
    "urls",
    multiple=True,
    help="Test this apprise URL instead of the configured ones (repeatable).",
)
def notify_test(urls: tuple[str, ...]) -> None:
    """Send a test notification to every configured URL; one line each, exit 1 if any failed."""
    targets = list(urls) or load_settings().config.notify.urls
    if not targets:
        raise ConfigError(
            'no notification URLs: add [notify] urls = ["ntfy://your-topic"] to the file '
            "AQUARIUM_CONFIG names, or pass --url"
        )
    from alerts.apprise_notifier import send_test

    results = send_test(targets)
    for result in results:
        click.echo(f"{result.url}: " + ("ok" if result.ok else f"failed ({result.reason})"))
    if not all(r.ok for r in results):
        raise SystemExit(1)
