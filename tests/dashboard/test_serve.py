"""`aquarium dashboard` warms up as its server starts, before any browser session."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from dashboard.serve import READY
from db.engine import open_engine
from tests.dashboard.seed import TANK, seed
from tests.support import free_port, wait_until


def test_the_server_says_it_is_warm_before_anyone_opens_a_page(tmp_path: Path) -> None:
    """Started and left alone, the server loads the chart libraries, fills the seeded tank's
    default Trends view and says so; no session, no page run."""
    url = f"sqlite:///{tmp_path / 'serve.db'}"
    engine = open_engine(url)
    seed(engine)
    engine.dispose()
    env = {k: v for k, v in os.environ.items() if k != "AQUARIUM_CONFIG"}
    env["AQUARIUM_DB_URL"] = url
    log_path = tmp_path / "dashboard.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "aquarium", "dashboard", "--port", str(free_port())],
            cwd=tmp_path,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            warm = wait_until(lambda: READY in log_path.read_text(errors="replace"), timeout=90)
        finally:
            process.terminate()
            process.wait(timeout=15)
    text = log_path.read_text(errors="replace")
    assert warm, text
    (line,) = [line for line in text.splitlines() if READY in line]
    assert f"default Trends view filled for {TANK}" in line, line
    assert "No runtime found" not in text  # the fill waited for the server's cache store
