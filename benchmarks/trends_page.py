"""The Trends page in Debian's Chromium, timed from the click to a drawn chart.

Starts the real dashboard (`streamlit run`) on the benchmark's database, opens the overview (the
first tank, the big one, is chosen), then clicks Trends: the first view of the browser session,
then a later one after going back to the overview.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from benchmarks.ingest_throughput import free_port

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# The Trends page's figure with the temperature series drawn (the big tank's first sensor).
CHART_DRAWN = """() => location.pathname.endsWith('/trends')
    && [...document.querySelectorAll('.js-plotly-plot')].some(
        plot => (plot.data || []).some(trace => trace.name === 'Water temperature'))"""


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


def available() -> str | None:
    """Why the page cannot be timed here, or None when it can."""
    if not CHROMIUM.exists():
        return "no Debian chromium at /usr/bin/chromium"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "playwright is not installed (scripts/bootstrap test installs it)"
    return None


def trends_views(db_url: str, log_path: Path) -> tuple[float, float]:
    """(first, later) seconds from clicking Trends to a drawn chart."""
    from playwright.sync_api import expect, sync_playwright

    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "AQUARIUM_CONFIG"}
    env["AQUARIUM_DB_URL"] = db_url
    address = f"http://127.0.0.1:{port}"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [
                sys.executable, "-m", "streamlit", "run", "dashboard/app.py",
                "--server.port", str(port), "--server.headless", "true",
                "--browser.gatherUsageStats", "false",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 60
            while not _healthy(address):
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError(f"the dashboard did not start; see {log_path}")
                time.sleep(0.2)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
                )
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                page.set_default_timeout(120_000)
                page.goto(address)
                expect(page.get_by_role("heading").first).to_be_visible()
                times = []
                for _ in range(2):
                    began = time.perf_counter()
                    page.get_by_role("link", name="Trends").click()
                    page.wait_for_function(CHART_DRAWN, polling=50)
                    times.append(time.perf_counter() - began)
                    page.get_by_role("link", name="Overview").click()
                    expect(page.get_by_role("heading").first).to_be_visible()
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=15)
    return times[0], times[1]
