"""`aquarium status`: every worker with its roles, heartbeat and counters; missing ones named."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import click

from aquarium.wiring import engine_for
from db.daemon_status import DaemonStatus, forget_silent, workers
from db.sensor_status import newest_sensor_report
from sensors.times import iso_utc
from settings.environment import load_settings


def _age(now: datetime, moment: datetime) -> str:
    seconds = max(0.0, (now - moment).total_seconds())
    return f"{seconds:.0f} s ago" if seconds < 120 else f"{seconds / 60:.0f} min ago"


def _row(status: DaemonStatus, state: str) -> dict[str, object]:
    return {
        "worker": status.worker,
        "state": state,
        "roles": status.role_list,
        "session": status.session,
        "broker": status.broker,
        "connected": status.connected,
        "heartbeat": iso_utc(status.heartbeat),
        "received": status.received,
        "stored": status.stored,
        "rejected": status.rejected,
        "pending": status.pending,
    }


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output (times in UTC).")
@click.option(
    "--forget-silent",
    "forget",
    is_flag=True,
    help="Remove the entries of workers that stopped beating (gone for good) and exit.",
)
def status(as_json: bool, forget: bool) -> None:
    """List every ingest worker: roles, heartbeat, counters; warn when one is missing.

    Exit status 1 when no worker is running, none holds the ingest session, or one is silent.
    """
    engine = engine_for(load_settings())
    now = datetime.now(UTC)
    if forget:
        click.echo(f"forgot {forget_silent(engine, now)} silent worker(s)")
        return
    found = workers(engine, now)
    newest = newest_sensor_report(engine)
    problems = []
    if not found.live:
        problems.append("no worker is running: start `aquarium ingest`")
    elif not found.ingesting:
        problems.append("no worker holds the ingest session (a standby takes it within seconds)")
    problems += [
        f"the ingesting worker {s.worker} has lost the broker {s.broker}"
        for s in found.ingesting
        if not s.connected
    ]
    problems += [
        f"worker {s.worker} is silent since {_age(now, s.heartbeat)}: killed, crashed or cut off; "
        "restart it, or `aquarium status --forget-silent` if it is gone for good"
        for s in found.silent
    ]
    if as_json:
        rows = [_row(s, "running") for s in found.live]
        rows += [_row(s, "silent") for s in found.silent]
        click.echo(
            json.dumps(
                {
                    "workers": rows,
                    "newest_reading": iso_utc(newest) if newest else None,
                    "problems": problems,
                },
                indent=2,
            )
        )
    else:
        for s, state in [(s, "running") for s in found.live] + [
            (s, "SILENT") for s in found.silent
        ]:
            mqtt = "connected" if s.connected else "-"
            click.echo(
                f"{s.worker:28s} {state:8s} {s.roles or 'standby':28s} broker {mqtt:9s} "
                f"beat {_age(now, s.heartbeat):11s} stored {s.stored:>9,d}  "
                f"waiting to commit {s.pending:,d}"
            )
        click.echo(
            "newest reading stored: "
            + (_age(now, newest) if newest else "none yet")
            + " (Mosquitto does not report a session's queue length; see docs/scaling.md)"
        )
        for problem in problems:
            click.echo(f"warning: {problem}", err=True)
    if problems:
        raise SystemExit(1)
