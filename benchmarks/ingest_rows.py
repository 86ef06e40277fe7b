"""The ingest rows: QoS 1 backlogs drained by the daemon (SQLite, PostgreSQL, three worker
processes) beside a bare paho subscriber that stores nothing, on one private Mosquitto."""

from __future__ import annotations

import statistics
from collections.abc import Callable
from pathlib import Path

from benchmarks.ingest_throughput import (
    DrainFailed,
    drain_daemon,
    drain_reference,
    measure,
    start_broker,
)
from benchmarks.table import Row, Sizes, ratio, say
from benchmarks.workers import drain_workers


def ingest_table(work: Path, pg_url: str | None, args: Sizes) -> list[Row]:
    broker, port = start_broker(work)
    n = args.messages
    rows: list[Row] = []
    # CPU seconds per drain, beside the wall clock: this machine is shared, and the other
    # tenants move the wall-clock figures (and their ratio) far more than the CPU time.
    cpu: dict[str, list[float]] = {"ref": [], "sqlite": [], "pg": []}
    consumers: dict[str, Callable[[str, str], float]] = {
        "ref": lambda cid, _t: drain_reference(port, cid, n, cpu["ref"]),
        "sqlite": lambda cid, t: drain_daemon(
            port, cid, n, f"sqlite:///{work / cid}.db", t, cpu["sqlite"]
        ),
    }
    if pg_url is not None:
        consumers["pg"] = lambda cid, t: drain_daemon(port, cid, n, pg_url, t, cpu["pg"])
    try:
        for kind in ("plain", "device-timed"):
            for spent in cpu.values():
                spent.clear()
            speeds: dict[str, list[float]] = {name: [] for name in consumers}
            failures: dict[str, str] = {}
            for r in range(args.rounds):
                say(f"ingest, {kind} payloads, round {r + 1}/{args.rounds}: {n:,} messages each")
                for name, drain in consumers.items():
                    if name in failures:
                        continue
                    try:
                        speeds[name].append(n / measure(name, port, n, drain, r, kind))
                    except DrainFailed as exc:  # reported in the table, the run goes on
                        failures[name] = str(exc)
                        say(f"  {name}: {exc}")
            ref = _median_text(speeds["ref"], failures.get("ref"), cpu["ref"], n)
            lite = _median_text(speeds["sqlite"], failures.get("sqlite"), cpu["sqlite"], n)
            rows.append(
                (
                    f"QoS 1 ingest, commit before ack, {kind}",
                    "SQLite",
                    lite[1],
                    f"bare paho subscriber {ref[1]}",
                    ratio(lite[0], ref[0]),
                    ">= 0.6 x",
                    lite[0] >= 0.6 * ref[0],
                )
            )
            if "pg" in consumers:
                pg = _median_text(speeds["pg"], failures.get("pg"), cpu["pg"], n)
                rows.append(
                    (
                        f"QoS 1 ingest, one worker, {kind}",
                        "PostgreSQL",
                        pg[1],
                        f"SQLite {lite[1]}",
                        ratio(pg[0], lite[0]),
                        ">= 0.8 x SQLite",
                        pg[0] >= 0.8 * lite[0] > 0,
                    )
                )
        if pg_url is not None:
            rows.append(workers_row(port, pg_url, work, args))
    finally:
        broker.terminate()
        broker.wait()
    return rows


def workers_row(port: int, pg_url: str, work: Path, args: Sizes) -> Row:
    """Three identical `aquarium ingest` processes beside one, measured the same way (live)."""
    speeds: dict[int, list[float]] = {1: [], 3: []}
    failures: dict[int, str] = {}
    for r in range(args.rounds):
        for count in (1, 3):
            say(f"ingest, {count} worker process(es), round {r + 1}/{args.rounds}")
            tank = f"bench-workers{count}-{r}"
            try:
                seconds = drain_workers(port, pg_url, count, args.messages, tank, work / "logs")
                speeds[count].append(args.messages / seconds)
            except DrainFailed as exc:
                failures[count] = str(exc)
                say(f"  {count} worker(s): {exc}")
    one = _median_text(speeds[1], failures.get(1))
    three = _median_text(speeds[3], failures.get(3))
    return (
        "QoS 1 ingest, live, 3 worker processes (one holds the session)",
        "PostgreSQL",
        three[1],
        f"1 worker process {one[1]}",
        ratio(three[0], one[0]),
        "failover, not speed: about 1 x",
        None,
    )


def _median_text(
    speeds: list[float], failure: str | None, cpu_s: list[float] | None = None, count: int = 0
) -> tuple[float, str]:
    """(median msg/s, as shown, with the median CPU us a message); a failure shows 0 and why."""
    if failure is not None:
        return 0.0, failure
    speed = statistics.median(speeds)
    if not cpu_s or not count:
        return speed, f"{speed:,.0f} msg/s"
    return speed, f"{speed:,.0f} msg/s ({1e6 * statistics.median(cpu_s) / count:.0f} us CPU/msg)"
