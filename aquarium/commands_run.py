"""The long-running commands: up, ingest, dashboard, simulate, broker."""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading

import click

from aquarium.supervisor import Supervisor, aquarium_argv, choose_broker, wait_for_port
from aquarium.wiring import engine_for, sync_sensors, sync_tanks
from sensors.errors import AquariumError
from sensors.naming import tank_name_problem
from settings.environment import default_db_path, load_settings

log = logging.getLogger(__name__)
DEMO_TANK = "demo"


def _stop_on_signals() -> threading.Event:
    stop = threading.Event()

    def handler(signum: int, _frame: object) -> None:
        log.info("received %s; finishing", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)
    return stop


@click.command()
@click.option(
    "--client-id",
    help="MQTT client id of the one persistent ingest session (stored in the database, so every "
    "worker resumes the same session). Default: the stored one, else aquarium-ingest- plus a "
    "hash of the database URL.",
)
@click.option("--share-group", hidden=True)
@click.option(
    "--no-alerts",
    is_flag=True,
    help="Never evaluate alerts in this worker (by default one worker, elected, does).",
)
def ingest(client_id: str | None, share_group: str | None, no_alerts: bool) -> None:
    """Run an ingest worker: MQTT readings into the database (SIGTERM stops it cleanly).

    Start as many identical workers as you like against one PostgreSQL database: one holds the
    ingest session, alert evaluation and housekeeping, each by a lease in the database; the
    others stand by and take over within seconds when it dies (docs/scaling.md).
    """
    if share_group:
        raise AquariumError(
            "--share-group is gone: a shared subscription strands a dead worker's share on "
            "Mosquitto; start identical workers without it, they fail over by a lease "
            "(docs/scaling.md)"
        )
    from aquarium.worker import run_worker

    run_worker(client_id=client_id, alerts=not no_alerts, stop=_stop_on_signals())


@click.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on. 0.0.0.0 exposes it to the network: put a login first.",
)
@click.option("--port", default=8501, show_default=True, type=click.IntRange(1, 65535))
def dashboard(host: str, port: int) -> None:
    """Serve the Streamlit dashboard."""
    load_settings()  # a broken config is reported here, in one line, not inside the page
    where = "only this machine" if host in ("127.0.0.1", "localhost", "::1") else "the network"
    click.echo(f"dashboard on http://{host}:{port} (reachable from {where})", err=True)
    # Through the launcher, not `streamlit run`: the chart libraries and the default Trends
    # views warm up as the server starts, not when the first keeper opens a page.
    argv = [
        sys.executable,
        "-m",
        "dashboard.serve",
        "--server.address",
        host,
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
    ]
    os.execv(sys.executable, argv)


@click.command()
@click.option("--tank", default=DEMO_TANK, show_default=True, help="Tank to publish as.")
@click.option("--interval", default=10.0, show_default=True, help="Seconds between rounds.")
@click.option("--speed", default=1.0, show_default=True, help="Model time per clock second.")
@click.option("--seed", default=0, show_default=True, help="Random seed, for repeatable runs.")
@click.option(
    "--rounds", type=int, help="Stop after this many rounds (default: run until stopped)."
)
@click.option(
    "--fault",
    "faults",
    multiple=True,
    help="Inject a fault: stuck, dropout, glitch85, ph-drift, clog, ammonia-spike.",
)
@click.option(
    "--backfill",
    help="Instead of publishing, write this much history into the database, e.g. 7d or 365d.",
)
@click.option(
    "--history",
    help="Replay this much of the simulated routine first (as --backfill wrote it), so live "
    "values continue a backfilled history, e.g. 42d.",
)
@click.option(
    "--until-real-tank",
    is_flag=True,
    help="Stop once a tank that is not simulated exists (the keeper added one or a sensor "
    "published): what `aquarium up` runs the demo with.",
)
def simulate(
    tank: str,
    interval: float,
    speed: float,
    seed: int,
    rounds: int | None,
    faults: tuple[str, ...],
    backfill: str | None,
    history: str | None,
    until_real_tank: bool,
) -> None:
    """Publish a simulated tank to aquarium/<tank>/<parameter> (clearly labelled as simulated)."""
    from sensors.simulator import run_simulator
    from sensors.virtual_tank import Fault

    problem = tank_name_problem(tank)
    if problem:
        raise AquariumError(problem)
    try:
        fault_set = [Fault(f) for f in faults]
    except ValueError as exc:
        names = ", ".join(f.value for f in Fault)
        raise AquariumError(f"unknown fault ({exc}); use one of {names}") from exc
    settings = load_settings()
    engine = engine_for(settings)
    from aquarium.demo import (
        backfill_history,
        mark_simulated,
        parse_span,
        stop_when_a_real_tank_exists,
    )

    mark_simulated(engine, tank)
    if backfill:
        backfill_history(engine, tank, parse_span(backfill), seed=seed, faults=fault_set)
        return
    mqtt = settings.mqtt
    stop = _stop_on_signals()
    if until_real_tank:
        stop_when_a_real_tank_exists(engine, stop)
    log.info("simulating tank %r on %s every %g s", tank, mqtt.display, interval)
    count = run_simulator(
        mqtt,
        tank,
        interval_s=interval,
        speed=speed,
        seed=seed,
        faults=fault_set,
        rounds=rounds,
        stop=stop,
        history=parse_span(history) if history else None,
    )
    log.info("published %d readings, %d confirmed by the broker", count.published, count.confirmed)
    if count.published and not count.confirmed:
        raise AquariumError(
            f"the broker at {mqtt.display} confirmed none of {count.published} readings; is it "
            "running? Check AQUARIUM_MQTT_URL"
        )


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=1883, show_default=True, type=click.IntRange(1, 65535))
def broker(host: str, port: int) -> None:
    """Run the embedded MQTT broker (amqtt): for trying things out without Mosquitto."""
    from aquarium.embedded_broker import run_embedded_broker

    run_embedded_broker(host, port)


@click.command()
@click.option(
    "--port", default=8501, show_default=True, type=click.IntRange(1, 65535), help="Dashboard port."
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Dashboard address.")
@click.option(
    "--no-demo",
    is_flag=True,
    help="Never run the demo tank (by default it runs until you have a tank of your own).",
)
@click.option(
    "--demo", "force_demo", is_flag=True, help="Run the demo tank even beside real tanks."
)
@click.option(
    "--demo-history",
    default="70d",
    show_default=True,
    help="History written for the demo tank on its first start.",
)
def up(port: int, host: str, no_demo: bool, force_demo: bool, demo_history: str) -> None:
    """Run everything here: broker, daemon, dashboard (and a demo tank until you have a tank)."""
    settings = load_settings()
    engine = engine_for(settings)
    sync_tanks(engine, settings.config)
    sync_sensors(engine, settings.config)
    env = dict(os.environ)
    env.setdefault("AQUARIUM_DB_URL", settings.db_url)
    data_dir = default_db_path(os.environ).parent
    supervisor = Supervisor()
    description, broker_argv = choose_broker(
        settings.mqtt_configured, settings.mqtt.host, settings.mqtt.port, data_dir
    )
    click.echo(f"broker: {description}", err=True)
    if broker_argv:
        supervisor.start("broker", broker_argv, env)
        if not wait_for_port("127.0.0.1", settings.mqtt.port, timeout=15):
            supervisor.stop()
            raise AquariumError(
                f"the broker did not start on 127.0.0.1:{settings.mqtt.port}; is the port taken? "
                "Set AQUARIUM_MQTT_URL to a broker you run"
            )
    click.echo(f"database: {engine.url.render_as_string()}", err=True)
    supervisor.start("daemon", aquarium_argv("ingest"), env)
    from aquarium.demo import real_tank_names

    real = real_tank_names(engine)
    if force_demo or not (no_demo or settings.config.sensors or real):
        from aquarium.demo import ensure_demo_history, parse_span

        click.echo(f"no tanks of your own yet: simulating a tank called {DEMO_TANK!r}", err=True)
        history = ensure_demo_history(engine, DEMO_TANK, parse_span(demo_history))
        argv = aquarium_argv(
            "simulate", "--tank", DEMO_TANK, "--history", f"{history.total_seconds():.0f}s"
        )
        # It stops by itself once the keeper adds a tank or a sensor publishes for one.
        argv += [] if force_demo else ["--until-real-tank"]
        supervisor.start("simulator", argv, env, may_finish=True)
    elif real:
        click.echo(f"tanks: {', '.join(real)} (no demo; 'up --demo' runs it anyway)", err=True)
    supervisor.start(
        "dashboard", aquarium_argv("dashboard", "--host", host, "--port", str(port)), env
    )
    click.echo(f"open http://{host}:{port} — press Ctrl+C to stop everything", err=True)
    sys.exit(supervisor.wait())
