"""How each cost grows: with history (a month, a year, five years) and with tanks (1, 20, 200).

For each history length it builds the benchmark's big tank (8 one-minute sensors, a keeper's log)
and times what a keeper waits for: `aquarium advise`, the first Trends view in Chromium, an export
(beside `sqlite3 -csv` of the same rows), and the bytes each reading takes. For each tank count it
builds that many small tanks and times one alert round. A cost that stays flat as history grows
reads rollups and key ranges; one that grows with it still reads every row.

    .venv/bin/python benchmarks/growth.py [--days 30,365,1825] [--tanks 1,20,200] [--no-browser]
"""

from __future__ import annotations

import logging
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import click

from benchmarks import history, measures, trends_page
from benchmarks.run import Sizes, build_sqlite, say
from db.rollup import refresh_rollups


def _sizes(days: float, tanks: int) -> Sizes:
    return Sizes(
        quick=False, days=days, tanks=tanks, tank_hours=6, messages=0, rounds=1, bulk_rows=0
    )


def history_column(work: Path, days: float, browser: bool) -> dict[str, str]:
    """Every history-bound figure for DAYS of the big tank's history."""
    path = work / f"history-{days:g}.db"
    end = datetime.now(UTC).replace(second=0, microsecond=0)
    engine = build_sqlite(path, _sizes(days, 0), end)
    refresh_rollups(engine)
    url = f"sqlite:///{path}"
    per_row, rows, _ = measures.bytes_per_reading(engine)
    engine.dispose()
    found = {"rows": f"{rows:,}", "bytes per reading": f"{per_row:.1f} B"}
    say(f"  {days:g} days: advise")
    advised, floor = measures.advise(url, history.BIG_TANK, 3)
    found["`aquarium advise` (import floor)"] = f"{advised.seconds:.2f} s ({floor.seconds:.2f} s)"
    say(f"  {days:g} days: export")
    export = measures.export(url, history.BIG_TANK)
    reference = measures.sqlite3_csv(path, history.BIG_TANK)
    found["`aquarium export`"] = (
        f"{rows / export.seconds:,.0f} rows/s ({reference.seconds / export.seconds:.2f} x "
        f"sqlite3), {export.max_rss_mb:.0f} MB"
    )
    if browser and trends_page.available() is None:
        say(f"  {days:g} days: Trends page")
        views = trends_page.trends_views(url, work)
        first, later = trends_page.median(views.at_heading), trends_page.median(views.later)
        found["first / later Trends view (warm server)"] = f"{first:.2f} s / {later:.2f} s"
    path.unlink()
    return found


def tanks_column(work: Path, tanks: int) -> dict[str, str]:
    """The alert round over TANKS small tanks (plus the big tank, with a day of history)."""
    path = work / f"tanks-{tanks}.db"
    end = datetime.now(UTC).replace(second=0, microsecond=0)
    engine = build_sqlite(path, _sizes(1, tanks), end)
    refresh_rollups(engine)
    seconds, evaluated = measures.alert_round(engine)
    engine.dispose()
    path.unlink()
    return {"alert round": f"{seconds:.2f} s ({evaluated} tanks)"}


def _table(columns: dict[str, dict[str, str]]) -> None:
    names = list(dict.fromkeys(k for column in columns.values() for k in column))
    print("| what | " + " | ".join(columns) + " |")
    print("| --- | " + " | ".join("---" for _ in columns) + " |")
    for name in names:
        print(f"| {name} | " + " | ".join(c.get(name, "-") for c in columns.values()) + " |")
    print()


@click.command()
@click.option("--days", default="30,365,1825", help="History lengths in days.  [30,365,1825]")
@click.option("--tanks", default="1,20,200", help="Small-tank counts.  [1,20,200]")
@click.option("--no-browser", is_flag=True, help="Skip the Trends page (Chromium) timings.")
def growth(days: str, tanks: str, no_browser: bool) -> None:
    """Time the history-bound and tank-bound costs at several sizes and print two tables."""
    logging.getLogger().setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="aquarium-growth-") as folder:
        work = Path(folder)
        by_history = {}
        for day_count in (float(d) for d in days.split(",")):
            say(f"history of {day_count:g} days")
            by_history[f"{day_count:g} days"] = history_column(work, day_count, not no_browser)
        by_tanks = {}
        for tank_count in (int(t) for t in tanks.split(",")):
            say(f"alert round over {tank_count} small tanks")
            by_tanks[f"{tank_count} tanks"] = tanks_column(work, tank_count)
    print("\nCost against history (one tank, 8 one-minute sensors):\n")
    _table(by_history)
    print("Cost against tanks (8 one-minute sensors each, 6 hours of history):\n")
    _table(by_tanks)


if __name__ == "__main__":
    growth()
