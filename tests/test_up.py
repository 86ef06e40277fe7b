"""`aquarium up` on one machine: broker found, daemon, dashboard and the demo tank all running."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

from db.engine import open_engine
from db.readings import reading_series
from db.tanks import get_tank
from tests.support import Broker, free_port, wait_until


def http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def test_up_runs_daemon_dashboard_and_a_labelled_demo_tank(broker: Broker, tmp_path: Path) -> None:
    """Without sensors, `up` fills a simulated demo tank, streams it live, and stops cleanly."""
    port = free_port()
    db_url = f"sqlite:///{tmp_path / 'up.db'}"
    env = dict(os.environ, HOME=str(tmp_path), AQUARIUM_DB_URL=db_url, AQUARIUM_MQTT_URL=broker.url)
    env.pop("AQUARIUM_CONFIG", None)
    started = datetime.now(UTC)
    process = subprocess.Popen(
        [sys.executable, "-m", "aquarium", "up", "--port", str(port), "--demo-history", "1d"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert wait_until(lambda: http_ok(f"http://127.0.0.1:{port}/_stcore/health"), timeout=60)
        engine = open_engine(db_url)
        assert get_tank(engine, "demo").simulated
        history = reading_series(engine, "demo", "temperature", started - timedelta(days=2))
        assert len(history) >= 24 * 60 - 1, "a day of backfilled minutes"

        def live() -> bool:
            return bool(reading_series(engine, "demo", "ph", started))

        assert wait_until(live, timeout=30), "the simulator's readings reach the database live"
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=60)
    assert process.returncode == 0, output
    assert "Traceback" not in output
    assert f"broker: the configured broker at 127.0.0.1:{broker.port}" in output
