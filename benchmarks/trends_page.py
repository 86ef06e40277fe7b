"""The Trends page in Debian's Chromium, timed from the click to a drawn chart.

Starts the dashboard as a keeper's server runs it (`aquarium dashboard`, which warms up as it
starts: dashboard/serve.py) on the benchmark's database, opens the home page in a fresh browser
(the first tank, the big one, is chosen), clicks Trends and waits for the temperature trace to be
drawn: the first view of the browser session; then the overview and Trends again: a later view.

Three ways of opening the session, each a row of the table, so that none hides another:
  * warm, at the heading: the browser opened once the server printed that it is warm (READY),
    Trends clicked as soon as the home page's heading shows;
  * warm, home page loaded: the same, clicked once the home page has finished its run;
  * cold: the browser opened as soon as the server answers its health check, clicked at the
    heading (how this row was measured before the server warmed up at start).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from benchmarks.ingest_throughput import free_port
from dashboard.serve import READY

if TYPE_CHECKING:
    from playwright.sync_api import Page

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
# Streamlit shows its status widget while a page's script runs; gone, the page is complete.
PAGE_RUNNING = "[data-testid='stStatusWidget']"
START_S = 60
WARM_S = 180


@dataclass
class Views:
    """Seconds from the click to the drawn chart, one a browser session and way of opening."""

    at_heading: list[float] = field(default_factory=list)
    home_loaded: list[float] = field(default_factory=list)
    later: list[float] = field(default_factory=list)
    cold: list[float] = field(default_factory=list)
    warm_up_s: list[float] = field(default_factory=list)  # server start to READY


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


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


@dataclass
class Server:
    address: str
    log_path: Path
    process: subprocess.Popen[bytes]
    started: float

    def wait_warm(self) -> float:
        """Seconds from the server's start to its READY line (the warm-up is done)."""
        deadline = time.monotonic() + WARM_S
        while READY.encode() not in self.log_path.read_bytes():
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError(f"the dashboard never said it was warm; see {self.log_path}")
            time.sleep(0.1)
        return time.monotonic() - self.started


@contextmanager
def dashboard(db_url: str, log_path: Path) -> Iterator[Server]:
    """`aquarium dashboard` on a free port over DB_URL, once it answers its health check."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "AQUARIUM_CONFIG"}
    env["AQUARIUM_DB_URL"] = db_url
    address = f"http://127.0.0.1:{port}"
    with log_path.open("wb") as log:
        started = time.monotonic()
        process = subprocess.Popen(
            [sys.executable, "-m", "aquarium", "dashboard", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + START_S
            while not _healthy(address):
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError(f"the dashboard did not start; see {log_path}")
                time.sleep(0.1)
            yield Server(address, log_path, process, started)
        finally:
            process.terminate()
            process.wait(timeout=15)


def _open_trends(page: Page) -> float:
    from playwright.sync_api import expect

    began = time.perf_counter()
    page.get_by_role("link", name="Trends").click()
    page.wait_for_function(CHART_DRAWN, polling=50)
    seconds = time.perf_counter() - began
    page.get_by_role("link", name="Overview").click()
    expect(page.get_by_role("heading").first).to_be_visible()
    return seconds


def session(address: str, wait_for_home: bool) -> tuple[float, float]:
    """(first, later) seconds from clicking Trends to a drawn chart, in a fresh browser.

    WAIT_FOR_HOME clicks once the home page has finished its run, else as soon as its heading
    shows.
    """
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.set_default_timeout(120_000)
            page.goto(address)
            expect(page.get_by_role("heading").first).to_be_visible()
            if wait_for_home:
                # The status widget shows while a run is under way; the home page's run may
                # not have shown it yet, so wait for its cards (page links) first.
                page.get_by_test_id("stPageLink").first.wait_for(state="attached")
                page.locator(PAGE_RUNNING).wait_for(state="detached")
            return _open_trends(page), _open_trends(page)
        finally:
            browser.close()


def trends_views(db_url: str, work: Path, rounds: int = 1) -> Views:
    """ROUNDS fresh browser sessions each way (see the module's docstring)."""
    views = Views()
    with dashboard(db_url, work / "dashboard-warm.log") as server:
        views.warm_up_s.append(server.wait_warm())
        for _ in range(rounds):
            first, later = session(server.address, wait_for_home=False)
            views.at_heading.append(first)
            views.later.append(later)
            first, later = session(server.address, wait_for_home=True)
            views.home_loaded.append(first)
            views.later.append(later)
    for index in range(rounds):
        with dashboard(db_url, work / f"dashboard-cold-{index}.log") as server:
            views.cold.append(session(server.address, wait_for_home=False)[0])
    return views
