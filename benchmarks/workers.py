"""Live QoS 1 ingest into PostgreSQL by N identical `aquarium ingest` worker processes.

Issue 12 asks the benchmark to show PostgreSQL with one worker and with three. The workers elect
one holder of the MQTT session by a lease (docs/scaling.md), so three should store as fast as one
(the standbys only wait to take over): this row measures that, the same way for both counts.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import Engine

from benchmarks.ingest_throughput import HOST, STALL_S, DrainFailed, publish_backlog
from db.daemon_status import list_status
from db.engine import open_engine
from db.readings import count_readings

# A worker that has not taken the session by then is not coming (a broker or database problem).
READY_S = 60.0


def drain_workers(port: int, url: str, workers: int, count: int, tank: str, logs: Path) -> float:
    """Seconds from the first publish until WORKERS processes have stored COUNT readings at URL."""
    env = {**os.environ, "AQUARIUM_DB_URL": url, "AQUARIUM_MQTT_URL": f"mqtt://{HOST}:{port}"}
    env.pop("AQUARIUM_CONFIG", None)  # admission "auto": the bench's tank is created on arrival
    logs.mkdir(parents=True, exist_ok=True)
    processes = []
    for n in range(workers):
        with (logs / f"{tank}-{n}.log").open("wb") as log:
            processes.append(
                subprocess.Popen(
                    [sys.executable, "-m", "aquarium", "ingest", "--no-alerts"],
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
    engine = open_engine(url)
    try:
        deadline = time.monotonic() + READY_S
        while not _session_held(engine, processes):
            if time.monotonic() > deadline:
                raise DrainFailed(f"no worker held the session within {READY_S:.0f} s")
            time.sleep(0.1)
        start = time.perf_counter()
        publish_backlog(port, tank, count)
        progress, last_change = -1, time.monotonic()
        while (stored := count_readings(engine, tank)) < count:
            if stored != progress:
                progress, last_change = stored, time.monotonic()
            elif time.monotonic() - last_change > STALL_S:
                raise DrainFailed(f"stalled: {stored:,} of {count:,} stored")
            time.sleep(0.05)
        return time.perf_counter() - start
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        engine.dispose()


def _session_held(engine: Engine, processes: list[subprocess.Popen[bytes]]) -> bool:
    """Whether one of PROCESSES holds the ingest session and is connected (its heartbeat says)."""
    ours = {f":{p.pid}" for p in processes}
    return any(
        s.connected and "ingest" in s.role_list and s.worker[s.worker.rfind(":") :] in ours
        for s in list_status(engine)
    )
