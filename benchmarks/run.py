"""Every row of the performance table, each beside a reference measured in the same run.

Builds its own data (a year of 1-minute readings for 8 parameters in one tank, with weekly tests
and water changes; 200 small tanks with a few hours each), runs every row on SQLite and, when
PostgreSQL answers on 127.0.0.1:5432, the PostgreSQL rows, then prints one table. The machine is
shared and noisy: read the ratios, not the absolute figures.

    .venv/bin/aquarium bench [--quick] [--days 365] [--tanks 200] ...
    .venv/bin/python benchmarks/run.py --quick
"""

from __future__ import annotations

import logging
import os
import platform
import secrets
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import click
from sqlalchemy import Engine, create_engine, text

from benchmarks import history, measures, trends_page
from benchmarks.ingest_rows import ingest_table
from benchmarks.table import Row, Sizes, ratio, say
from db.engine import open_engine
from db.rollup import refresh_rollups

POSTGRES_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


@contextmanager
def postgres_database() -> Iterator[str | None]:
    """A throw-away database on the local PostgreSQL, or None when none answers."""
    try:
        admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
        name = f"aquarium_bench_{secrets.token_hex(4)}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # no server, no driver: the PostgreSQL rows are skipped
        print(f"PostgreSQL rows skipped: {type(exc).__name__}", file=sys.stderr)
        yield None
        return
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def build_sqlite(path: Path, args: Sizes, end: datetime) -> Engine:
    engine = open_engine(f"sqlite:///{path}")
    total = history.planned_rows(args.days, args.tanks, args.tank_hours)
    label = f"building {args.days:g} days + {args.tanks} tanks ({total:,} readings)"
    with click.progressbar(length=total, label=label, file=sys.stderr) as bar:
        history.build(
            engine,
            days=args.days,
            tanks=args.tanks,
            tank_hours=args.tank_hours,
            end=end,
            progress=bar.update,
        )
    return engine


def storage_table(engine: Engine, backend: str) -> list[Row]:
    per_row, rows, sizes = measures.bytes_per_reading(engine)
    detail = ", ".join(f"{n} {s / 1e6:.1f} MB" for n, s in sorted(sizes.items()))
    say(f"  {backend} readings storage: {rows:,} rows; {detail}")
    return [
        (
            "bytes per stored reading",
            backend,
            f"{per_row:.1f} B ({rows:,} rows)",
            "16 B payload (time, value)",
            ratio(per_row, 16),
            "<= 40 B",
            per_row <= 40,
        )
    ]


@click.command()
@click.option("--quick", is_flag=True, help="Small sizes, one round: a run of a few minutes.")
@click.option("--days", type=float, help="History of the big tank.  [365; quick 30]")
@click.option("--tanks", type=int, help="Small tanks for the alert round.  [200]")
@click.option("--tank-hours", type=float, help="History per small tank.  [6; quick 2]")
@click.option("--messages", type=int, help="MQTT backlog per round.  [20000; quick 4000]")
@click.option("--rounds", type=int, help="Rounds per timing (median or best).  [3; quick 1]")
@click.option("--bulk-rows", type=int, help="Rows per bulk load.  [500000; quick 100000]")
@click.option("--no-postgres", is_flag=True, help="Skip the PostgreSQL rows.")
@click.option(
    "--only",
    help="Comma-separated row groups: help,storage,advise,export,alerts,trends,bulk,ingest.  [all]",
)
def bench(
    quick: bool,
    days: float | None,
    tanks: int | None,
    tank_hours: float | None,
    messages: int | None,
    rounds: int | None,
    bulk_rows: int | None,
    no_postgres: bool,
    only: str | None,
) -> None:
    """Measure every performance goal on data built for the run, beside same-run references."""
    args = Sizes(
        quick=quick,
        days=days if days is not None else (30 if quick else 365),
        tanks=tanks if tanks is not None else 200,
        tank_hours=tank_hours if tank_hours is not None else (2 if quick else 6),
        messages=messages if messages is not None else (4000 if quick else 20_000),
        rounds=rounds if rounds is not None else (1 if quick else 3),
        bulk_rows=bulk_rows if bulk_rows is not None else (100_000 if quick else 500_000),
    )
    groups = set(only.split(",")) if only else None
    # The daemon and the alert engine narrate at INFO; here that would bury the progress lines.
    logging.getLogger().setLevel(logging.WARNING)
    wanted = lambda group: groups is None or group in groups  # noqa: E731
    rows: list[Row] = []
    folder = tempfile.TemporaryDirectory(prefix="aquarium-bench-")
    work = Path(folder.name)
    end = datetime.now(UTC).replace(second=0, microsecond=0)
    began = time.perf_counter()

    try:
        if wanted("help"):
            say("timing `aquarium --help` against `python -c pass`")
            figure, reference = measures.cli_help(max(5, args.rounds))
            rows.append(
                (
                    "`aquarium --help`",
                    "-",
                    f"{figure.seconds:.3f} s ({figure.cpu_s:.3f} s CPU)",
                    f"`python -c pass` {reference.seconds:.3f} s ({reference.cpu_s:.3f} s CPU)",
                    ratio(figure.seconds, reference.seconds),
                    "<= 0.2 s",
                    figure.seconds <= 0.2,
                )
            )

        if (
            wanted("storage")
            or wanted("advise")
            or wanted("export")
            or wanted("alerts")
            or wanted("trends")
        ):
            db_path = work / "history.db"
            engine = build_sqlite(db_path, args, end)
            url = f"sqlite:///{db_path}"
            say("first rollup refresh over the whole history")
            refreshed = time.perf_counter()
            refresh_rollups(engine)
            say(f"  {time.perf_counter() - refreshed:.1f} s")
            if wanted("storage"):
                rows += storage_table(engine, "SQLite")
            if wanted("advise"):
                say(f"timing `aquarium advise` on {args.days:g} days")
                advised, floor = measures.advise(url, history.BIG_TANK, args.rounds)
                rows.append(
                    (
                        f"`aquarium advise`, {args.days:g} days",
                        "SQLite",
                        f"{advised.seconds:.2f} s ({advised.cpu_s:.2f} s CPU)",
                        f"importing sqlalchemy, click, health: {floor.seconds:.2f} s",
                        ratio(advised.seconds, floor.seconds),
                        "<= 0.3 s on a year",
                        advised.seconds <= 0.3,
                    )
                )
            if wanted("export"):
                rows += export_table(db_path, url, end, args)
            if wanted("alerts"):
                say(f"one alert round over {args.tanks + 1} tanks")
                seconds, tanks = measures.alert_round(engine)
                rows.append(
                    (
                        f"alert round, {tanks} tanks x 8 sensors",
                        "SQLite",
                        f"{seconds:.1f} s",
                        "the 60 s schedule",
                        ratio(seconds, 60),
                        "<= 10 s",
                        seconds <= 10,
                    )
                )
            if wanted("trends"):
                rows += trends_table(url, work, args)
            engine.dispose()

        with postgres_database() if not no_postgres else _none() as pg_url:
            if wanted("bulk"):
                rows += bulk_table(work, pg_url, args)
            if wanted("ingest"):
                rows += ingest_table(work, pg_url, args)

    finally:  # a row that crashed still leaves the rows measured before it
        print_table(rows, args, time.perf_counter() - began)
        folder.cleanup()


def trends_table(url: str, work: Path, args: Sizes) -> list[Row]:
    why_not = trends_page.available()
    if why_not is not None:
        say(f"Trends page row skipped: {why_not}")
        return []
    say(
        f"the Trends page in Chromium, {args.rounds} fresh browser session(s) each: on a warm "
        "server clicked at the home page's heading, then once the home page is loaded; then "
        "right after a server start"
    )
    views = trends_page.trends_views(url, work, args.rounds)
    median = trends_page.median
    at_heading, home_loaded, later = (
        median(views.at_heading),
        median(views.home_loaded),
        median(views.later),
    )
    cold = median(views.cold)
    for name, found in (
        ("warm, at the heading", views.at_heading),
        ("warm, home loaded", views.home_loaded),
        ("later views", views.later),
        ("right after start", views.cold),
    ):
        say(f"  {name}: " + ", ".join(f"{s:.2f}" for s in found) + " s")
    span = f"{args.days:g} days x 8 parameters"
    goal = "<= 1 s on a year"
    return [
        (
            f"first Trends view in a browser session, {span}: server warm (browser opened once "
            f"it printed `dashboard warm:`, {median(views.warm_up_s):.1f} s after its start), "
            "clicked as soon as the home page's heading shows",
            "SQLite",
            f"{at_heading:.2f} s",
            f"a later view {later:.2f} s",
            ratio(at_heading, later),
            goal,
            at_heading <= 1,
        ),
        (
            f"the same, clicked once the home page (its {args.tanks + 1} tank cards) has finished "
            "loading",
            "SQLite",
            f"{home_loaded:.2f} s",
            f"a later view {later:.2f} s",
            ratio(home_loaded, later),
            goal,
            home_loaded <= 1,
        ),
        (
            "first Trends view right after the server starts (browser opened at its health "
            "check, clicked at the heading: the row's old protocol)",
            "SQLite",
            f"{cold:.2f} s",
            f"server warm {at_heading:.2f} s",
            ratio(cold, at_heading),
            "-",
            None,
        ),
    ]


@contextmanager
def _none() -> Iterator[None]:
    yield None


def export_table(db_path: Path, url: str, end: datetime, args: Sizes) -> list[Row]:
    say("timing `aquarium export` against `sqlite3 -csv` of the same rows")
    tank = history.BIG_TANK
    figure = min((measures.export(url, tank) for _ in range(args.rounds)), key=lambda r: r.seconds)
    reference = min(
        (measures.sqlite3_csv(db_path, tank) for _ in range(args.rounds)), key=lambda r: r.seconds
    )
    week = measures.export(url, tank, since=end - timedelta(days=7))
    rows = int(args.days * 86_400) // history.STEP_S * len(history.SHAPES)
    speed, reference_speed = rows / figure.seconds, rows / reference.seconds
    return [
        (
            f"`aquarium export --tank`, {rows:,} rows",
            "SQLite",
            f"{speed:,.0f} rows/s",
            f"`sqlite3 -csv` {reference_speed:,.0f} rows/s",
            ratio(speed, reference_speed),
            ">= 0.5 x",
            speed >= 0.5 * reference_speed,
        ),
        (
            "export peak memory: whole history / last week",
            "SQLite",
            f"{figure.max_rss_mb:.0f} MB / {week.max_rss_mb:.0f} MB",
            f"`sqlite3 -csv` {reference.max_rss_mb:.0f} MB",
            ratio(figure.max_rss_mb, week.max_rss_mb),
            "constant (~1 x)",
            figure.max_rss_mb <= 1.25 * week.max_rss_mb,
        ),
    ]


def bulk_table(work: Path, pg_url: str | None, args: Sizes) -> list[Row]:
    say(f"bulk load of {args.bulk_rows:,} rows: SQLite, then PostgreSQL")
    sqlite_engine = open_engine(f"sqlite:///{work / 'bulk.db'}")
    sqlite_speed = measures.bulk_load(sqlite_engine, args.bulk_rows)
    sqlite_engine.dispose()
    rows: list[Row] = [
        (
            "bulk load (backfill, copy)",
            "SQLite",
            f"{sqlite_speed:,.0f} rows/s",
            "-",
            "-",
            ">= 150k rows/s",
            sqlite_speed >= 150_000,
        )
    ]
    if pg_url is not None:
        engine = open_engine(pg_url)
        speed = measures.bulk_load(engine, args.bulk_rows)
        rows.append(
            (
                "bulk load (backfill, copy)",
                "PostgreSQL",
                f"{speed:,.0f} rows/s",
                f"SQLite {sqlite_speed:,.0f} rows/s",
                ratio(speed, sqlite_speed),
                ">= 150k rows/s",
                speed >= 150_000,
            )
        )
        rows += storage_table(engine, "PostgreSQL")
        engine.dispose()
    return rows


def print_table(rows: list[Row], args: Sizes, seconds: float) -> None:
    cpu = platform.processor() or platform.machine()
    print(
        f"\naquarium bench{' --quick' if args.quick else ''}: {args.days:g} days of 1-minute "
        f"data x 8 parameters, {args.tanks} small tanks x {args.tank_hours:g} h, "
        f"{args.messages:,} messages x {args.rounds} round(s); {os.cpu_count()} cores ({cpu}), "
        f"Python {platform.python_version()}; {seconds:.0f} s\n"
    )
    header = ("what", "backend", "figure", "reference, same run", "ratio", "goal", "met")
    table = [header, *[(*r[:6], {True: "yes", False: "NO", None: "-"}[r[6]]) for r in rows]]
    print("| " + " | ".join(header) + " |")
    print("| " + " | ".join("---" for _ in header) + " |")
    for row in table[1:]:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    bench()
