"""Benchmark: the trends page's query and figure for a year of 1-minute data, 8 parameters.

Builds the history in a temporary SQLite file (or reuses --db), then times in the same run:
  * the first rollup refresh over the whole year (once per database, on first use);
  * the trends path: trend_series (hourly rollup, 6-hour min/mean/max buckets) + trend_figure;
  * a naive full read of the same range (reading_series for every raw row) + the same figure.

    .venv/bin/python benchmarks/trends.py [--days 365] [--db /tmp/year.db] [--skip-naive]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import history
from benchmarks.history import SHAPES, STEP_S
from dashboard.charts import trend_figure
from db.bulk import bulk_insert_readings
from db.engine import open_engine
from db.readings import count_readings, reading_series
from db.rollup import refresh_rollups
from db.trends import Series, trend_series

TANK = history.BIG_TANK


def _rows(parameter: str, start: int, count: int, seed: int) -> Iterator[tuple[float, float]]:
    """history.sensor_rows with one reading mid-year far off: it must stay visible."""
    spike = start + count // 2 * STEP_S
    for t, value in history.sensor_rows(parameter, start, count, seed):
        yield t, (SHAPES[parameter][0] * 1.5 if t == spike else value)


def build(url: str, days: int) -> None:
    """Write DAYS of 1-minute readings for 8 parameters, with a progress line."""
    engine = open_engine(url)
    end = int(datetime.now(UTC).timestamp()) // STEP_S * STEP_S
    count = days * 86_400 // STEP_S
    start = end - count * STEP_S
    total = count * len(SHAPES)
    done = 0
    began = time.perf_counter()
    for seed, parameter in enumerate(SHAPES):

        def progress(rows: int, before: int = done) -> None:
            share = (before + rows) / total
            rate = (before + rows) / max(1e-9, time.perf_counter() - began)
            print(
                f"\r  writing {before + rows:>10,} / {total:,} rows ({share:5.1%}, "
                f"{rate:,.0f} rows/s)",
                end="",
                file=sys.stderr,
                flush=True,
            )

        bulk_insert_readings(
            engine, TANK, parameter, _rows(parameter, start, count, seed), progress=progress
        )
        done += count
    print(file=sys.stderr)
    engine.dispose()


T = TypeVar("T")


def timed(action: Callable[[], T]) -> tuple[float, T]:
    began = time.perf_counter()
    result = action()
    return time.perf_counter() - began, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--db", type=Path, help="SQLite file to build or reuse (default: temp)")
    parser.add_argument("--skip-naive", action="store_true", help="Only time the trends path.")
    args = parser.parse_args()

    folder = tempfile.TemporaryDirectory(prefix="aquarium-bench-")
    path = args.db or Path(folder.name) / "year.db"
    url = f"sqlite:///{path}"
    engine = open_engine(url)
    if count_readings(engine, None) == 0:
        print(f"building {args.days} days x {len(SHAPES)} parameters in {path}", file=sys.stderr)
        engine.dispose()
        build(url, args.days)
        engine = open_engine(url)
    rows = count_readings(engine, None)
    until = datetime.now(UTC)
    since = until - timedelta(days=args.days)
    parameters = list(SHAPES)

    refresh_s, _ = timed(lambda: refresh_rollups(engine))

    def trends_path() -> tuple[dict[str, Series], Any]:
        series = trend_series(engine, TANK, parameters, since, until)
        return series, trend_figure(series, [], [], {})

    cold_s, _ = timed(trends_path)
    warm_times = []
    for _ in range(3):
        warm, (series, figure) = timed(trends_path)
        warm_times.append(warm)
    warm_s = min(warm_times)
    points = sum(len(s) for s in series.values())
    spike_seen = all(max(s.high) > SHAPES[p][0] * 1.4 for p, s in series.items())
    table = [
        ("first rollup refresh (once per database)", refresh_s, "", ""),
        ("trends: query + figure, 1st call", cold_s, f"{points:,}", ""),
        ("trends: query + figure, best of 3", warm_s, f"{points:,}", "1.0x"),
    ]
    json_kb = len(figure.to_json()) / 1024
    naive_kb = float("nan")
    if not args.skip_naive:

        def naive_path() -> tuple[dict[str, Series], Any]:
            raw = {p: reading_series(engine, TANK, p, since, until) for p in parameters}
            full = {
                p: Series(
                    p,
                    0,
                    [t.timestamp() for t, _ in pairs],
                    [v for _, v in pairs],
                    [v for _, v in pairs],
                    [v for _, v in pairs],
                    [1] * len(pairs),
                )
                for p, pairs in raw.items()
            }
            return full, trend_figure(full, [], [], {})

        naive_s, (full, naive_figure) = timed(naive_path)
        naive_points = sum(len(s) for s in full.values())
        table.append(
            ("naive: full read + figure", naive_s, f"{naive_points:,}", f"{naive_s / warm_s:.0f}x")
        )
        naive_kb = len(naive_figure.to_json()) / 1024  # what the browser would have to load
    print(f"\n{rows:,} readings ({args.days} days x {len(SHAPES)} parameters, 1-minute), SQLite")
    print(f"{'step':<44} {'seconds':>8} {'points':>11} {'ratio':>7}")
    for name, seconds, drawn, ratio in table:
        print(f"{name:<44} {seconds:>8.3f} {drawn:>11} {ratio:>7}")
    print(f"figure JSON sent to the browser: trends {json_kb:,.0f} KiB, naive {naive_kb:,.0f} KiB")
    print(f"the one-minute spike shows in every parameter's band: {spike_seen}")
    engine.dispose()
    folder.cleanup()


if __name__ == "__main__":
    main()
