"""One function per row of the performance table; each returns its figure and its reference.

Commands are timed as a keeper runs them (a fresh process, best of N, so another engineer's burst
on this shared machine costs a retry rather than the figure); library paths are timed in-process.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, func, select, text

from alerts.engine import AlertEngine
from alerts.evaluator import Evaluator
from alerts.verdict_recorder import VerdictRecorder
from db.bulk import bulk_insert_readings
from db.schema import readings

AQUARIUM = str(Path(sys.executable).with_name("aquarium"))


@dataclass(frozen=True)
class Run:
    """One finished process: wall seconds, CPU seconds (user + system) and peak resident memory.

    On a machine shared by busy neighbours the wall time mostly measures the wait for a core;
    the CPU time is what the program itself costs.
    """

    seconds: float
    max_rss_mb: float
    cpu_s: float = 0.0


def run_process(argv: Sequence[str], env: dict[str, str] | None = None) -> Run:
    """Run ARGV with stdout discarded; its own peak RSS comes from wait4, not the parent's."""
    began = time.perf_counter()
    child = subprocess.Popen(list(argv), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - began
    child.returncode = os.waitstatus_to_exitcode(status)
    stderr = child.stderr.read().decode(errors="replace") if child.stderr else ""
    if child.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[:3])} failed ({child.returncode}): {stderr[-400:]}")
    # ru_maxrss is in KiB on Linux
    return Run(elapsed, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime)


def best_of(n: int, action: Callable[[], float]) -> float:
    return min(action() for _ in range(n))


def env_for(url: str) -> dict[str, str]:
    return {**os.environ, "AQUARIUM_DB_URL": url}


def cli_help(rounds: int) -> tuple[Run, Run]:
    """(`aquarium --help`, `python -c pass`), the fastest of ROUNDS each."""
    figure = min((run_process([AQUARIUM, "--help"]) for _ in range(rounds)), key=_wall)
    reference = min((run_process([sys.executable, "-c", "pass"]) for _ in range(rounds)), key=_wall)
    return figure, reference


def _wall(run: Run) -> float:
    return run.seconds


def advise(url: str, tank: str, rounds: int) -> tuple[Run, Run]:
    """(`aquarium advise TANK`, the floor under it), the fastest of ROUNDS each.

    The command is a whole process, as the keeper sees it. The floor is a process that only
    imports what any database command needs (the interpreter, SQLAlchemy, click and health/):
    what is left above it is the command's own work.
    """
    figure = min(
        (run_process([AQUARIUM, "advise", tank], env_for(url)) for _ in range(rounds)), key=_wall
    )
    floor = [sys.executable, "-c", "import sqlalchemy, click, health"]
    reference = min((run_process(floor) for _ in range(rounds)), key=_wall)
    return figure, reference


def export(url: str, tank: str, since: datetime | None = None) -> Run:
    """`aquarium export --tank TANK [--since]` to /dev/null."""
    argv = [AQUARIUM, "export", "--tank", tank]
    if since is not None:
        argv += ["--since", since.isoformat()]
    return run_process(argv, env_for(url))


def sqlite3_csv(path: Path, tank: str) -> Run:
    """The reference: the sqlite3 shell writing the same rows as CSV."""
    sql = (
        "SELECT r.time, t.name, s.parameter, r.value FROM readings r "  # noqa: S608
        "JOIN sensors s ON s.id = r.sensor_id JOIN tanks t ON t.id = s.tank_id "
        f"WHERE t.name = '{tank}' ORDER BY r.time"
    )
    return run_process(["sqlite3", "-csv", str(path), sql])


def bytes_per_reading(engine: Engine) -> tuple[float, int, dict[str, int]]:
    """(bytes per stored reading, rows, bytes by table or index) for the readings table."""
    with engine.connect() as conn:
        rows = conn.execute(select(func.count()).select_from(readings)).scalar_one()
        if engine.dialect.name == "sqlite":
            sizes = conn.execute(
                text(
                    "SELECT name, SUM(pgsize) FROM dbstat WHERE name IN "
                    "(SELECT name FROM sqlite_master WHERE tbl_name = 'readings') GROUP BY name"
                )
            ).all()
        else:
            sizes = conn.execute(
                text(
                    "SELECT c.relname, pg_relation_size(c.oid) FROM pg_class c "
                    "WHERE c.oid = 'readings'::regclass OR c.oid IN "
                    "(SELECT indexrelid FROM pg_index WHERE indrelid = 'readings'::regclass)"
                )
            ).all()
    by_name = {name: int(size) for name, size in sizes}
    return sum(by_name.values()) / max(1, rows), rows, by_name


def alert_round(engine: Engine) -> tuple[float, int]:
    """(seconds, tanks) for one alert round over every tank, as the daemon runs it: with the
    home page's verdict recorder, without network delivery (no MQTT, no notification URLs)."""
    alerts = AlertEngine(engine, Evaluator(engine), sinks=[VerdictRecorder(engine)])
    began = time.perf_counter()
    done = alerts.run_once(datetime.now(UTC))
    return time.perf_counter() - began, len(done)


def bulk_load(engine: Engine, rows: int) -> float:
    """Rows per second for db.bulk over ROWS one-minute readings of one new sensor."""
    start = int(time.time()) - rows * 60
    points = ((float(start + 60 * i), 20.0 + (i % 100) / 10) for i in range(rows))
    began = time.perf_counter()
    bulk_insert_readings(engine, f"bulk-{int(began * 1000) % 10**9}", "temperature", points)
    return rows / (time.perf_counter() - began)


def peak_rss_self_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
