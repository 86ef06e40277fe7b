"""The demo steps aside: it stops streaming once a real tank exists, and `up` skips it then."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

from sqlalchemy import Engine

from db.errors import NotFound
from db.tanks import add_tank, get_tank
from tests.support import Broker, free_port, wait_until


def _env(db_url: str, broker: Broker, home: Path) -> dict[str, str]:
    env = dict(os.environ, HOME=str(home), AQUARIUM_DB_URL=db_url, AQUARIUM_MQTT_URL=broker.url)
    env.pop("AQUARIUM_CONFIG", None)
    return env


def test_the_live_demo_stops_when_the_keeper_adds_a_tank(
    broker: Broker, engine: Engine, db_url: str, tmp_path: Path
) -> None:
    """`simulate --until-real-tank` streams while only the demo exists and exits 0 after one."""
    process = subprocess.Popen(
        [sys.executable, "-m", "aquarium", "simulate", "--interval", "0.5", "--until-real-tank"],
        env=_env(db_url, broker, tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert wait_until(lambda: _exists(engine, "demo"), timeout=30)
        assert process.poll() is None, "the demo runs while it is the only tank"
        add_tank(engine, "turtles")
        assert wait_until(lambda: process.poll() is not None, timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
        output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output
    assert "tank 'turtles' is real: the demo stops streaming" in output


def _exists(engine: Engine, name: str) -> bool:
    try:
        get_tank(engine, name)
    except NotFound:
        return False
    return True


def test_up_runs_no_demo_beside_a_real_tank(
    broker: Broker, engine: Engine, db_url: str, tmp_path: Path
) -> None:
    """With a keeper's tank in the database, `up` starts no simulator and says why."""
    add_tank(engine, "turtles")
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "aquarium", "up", "--port", str(port)],
        env=_env(db_url, broker, tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert wait_until(lambda: _healthy(port), timeout=60)
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=60)
    assert process.returncode == 0, output
    assert "tanks: turtles (no demo" in output
    assert "simulating" not in output
    assert not _exists(engine, "demo")


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
            return r.status == 200
    except OSError:
        return False
