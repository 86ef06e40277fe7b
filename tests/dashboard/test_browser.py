"""End to end in Debian's Chromium: the real server, a seeded database, a keeper's clicks."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from db.engine import open_engine
from db.manual import list_tests
from tests.dashboard.seed import TANK, seed
from tests.support import free_port, wait_until

if TYPE_CHECKING:
    from playwright.sync_api import Page

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
# Never a downloaded browser: Debian's, headless, with nothing phoning home.
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

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not at /usr/bin/chromium"),
]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.fixture
def dashboard_server(tmp_path: Path) -> Iterator[str]:
    """`aquarium dashboard` on a free port over a seeded SQLite file; its URL."""
    url = f"sqlite:///{tmp_path / 'browser.db'}"
    engine = open_engine(url)
    seed(engine)
    engine.dispose()
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "AQUARIUM_CONFIG"}
    env["AQUARIUM_DB_URL"] = url
    log = (tmp_path / "streamlit.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "aquarium", "dashboard", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    address = f"http://127.0.0.1:{port}"
    try:
        assert wait_until(lambda: _healthy(address), timeout=30), (
            f"the dashboard did not start; see {tmp_path / 'streamlit.log'}"
        )
        yield address
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def _shoot(page: Page, path: Path) -> None:
    """A full-page screenshot (Streamlit scrolls inside its own container, so grow the view)."""
    height = page.evaluate("() => document.querySelector('[data-testid=stMain]').scrollHeight")
    page.set_viewport_size({"width": 1280, "height": max(800, int(height) + 40)})
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})


def test_a_result_typed_in_the_logbook_shows_on_the_trends_page(
    dashboard_server: str, tmp_path: Path
) -> None:
    """The home grid's card opens the tank's overview; a nitrite result saved through the form
    is stored and drawn on Trends."""
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.set_default_timeout(20_000)
        page.goto(dashboard_server)
        expect(page.get_by_role("heading", name="Tanks at a glance")).to_be_visible()
        # The chart library loads while the home page (which has no chart) is read.
        page.wait_for_function(
            """() => performance.getEntriesByType('resource').some(
                entry => /[/]static[/]js[/]PlotlyChart[.]/.test(entry.name))"""
        )
        _shoot(page, tmp_path / "home.png")
        page.get_by_role("link", name=TANK, exact=True).click()
        expect(page.get_by_role("heading", name=f"Overview · {TANK}")).to_be_visible()
        assert f"tank={TANK}" in page.url
        expect(page.get_by_text("Nitrate (NO3)").first).to_be_visible()
        # The alert quotes keeper text with a markdown link and a bare URL: neither is a link.
        expect(page.get_by_text("<b>bold</b>").first).to_be_visible()
        expect(page.locator("a[href*='example.com']")).to_have_count(0)
        page.wait_for_timeout(1500)  # let the sparklines draw before the picture
        _shoot(page, tmp_path / "overview.png")

        page.get_by_role("link", name="Logbook").click()
        page.get_by_label("Nitrite (NO2)").fill("0.3")
        page.get_by_role("button", name="Save test results").click()
        expect(page.get_by_text("Saved: Nitrite (NO2) 0.30 mg/L")).to_be_visible()
        _shoot(page, tmp_path / "logbook.png")

        page.get_by_role("link", name="Trends").click()
        page.wait_for_function(
            """() => [...document.querySelectorAll('.js-plotly-plot')].some(plot =>
                (plot.data || []).some(trace => trace.name === 'test kit'
                    && Array.from(trace.y).some(y => Math.abs(y - 0.3) < 1e-9)))"""
        )
        _shoot(page, tmp_path / "trends.png")
        browser.close()

    engine = open_engine(f"sqlite:///{tmp_path / 'browser.db'}")
    assert [t.value for t in list_tests(engine, TANK, parameter="nitrite")][-1] == 0.3
    engine.dispose()
    for name in ("home", "overview", "logbook", "trends"):
        assert (tmp_path / f"{name}.png").stat().st_size > 10_000


# Boxes of every annotation (row titles, event labels, far limits) and of each row's time labels.
_LAYOUT_BOXES = """() => {
    const plot = document.querySelector('.js-plotly-plot');
    const box = el => { const r = el.getBoundingClientRect();
        return {text: el.textContent, left: r.left, right: r.right, top: r.top,
                bottom: r.bottom}; };
    const notes = [...plot.querySelectorAll('g.annotation')].map(box).filter(b => b.text);
    // Plotly names the tick groups xtick, x2tick, x3tick... after their axis.
    const axes = [...plot.querySelectorAll('g.xaxislayer-above')].map(layer =>
        [...layer.querySelectorAll('g[class$=tick] text')].filter(t => t.textContent.trim())
            .length);
    return {notes, axes, rows: plot.querySelectorAll('g.yaxislayer-above').length};
}"""


_X_RANGE = """() => { const plot = document.querySelector('.js-plotly-plot');
    return plot && plot.layout ? JSON.stringify(plot.layout.xaxis.range) : ''; }"""
_ALL_ROWS_HAVE_TIME = """() => { const plot = document.querySelector('.js-plotly-plot');
    const layers = [...plot.querySelectorAll('g.xaxislayer-above')];
    return layers.length > 0
        && layers.every(l => l.querySelectorAll('g[class$=tick] text').length >= 2);
}"""


def _overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return (
        a["left"] < b["right"]
        and b["left"] < a["right"]
        and a["top"] < b["bottom"]
        and (b["top"] < a["bottom"])
    )


def test_every_range_shows_time_on_every_row_and_no_labels_overlap(dashboard_server: str) -> None:
    """At 24 h, 7 d, 30 d and 1 y each drawn row has time labels and no two labels overlap."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(20_000)
        page.goto(f"{dashboard_server}/trends?tank={TANK}")
        page.wait_for_selector(".js-plotly-plot g.xtick text")
        for preset in ("24 h", "7 d", "30 d", "1 y"):
            before = page.evaluate(_X_RANGE)
            page.get_by_role("radio", name=preset, exact=True).click()
            # The new figure is in when its time range changed and plotly drew its ticks.
            page.wait_for_function(f"before => ({_X_RANGE})() !== before", arg=before)
            # On a timeout the assertions below say which row has no time labels.
            with contextlib.suppress(PlaywrightTimeout):
                page.wait_for_function(_ALL_ROWS_HAVE_TIME, timeout=10_000)
            found = page.evaluate(_LAYOUT_BOXES)
            assert found["rows"] >= 3, (preset, found)
            assert len(found["axes"]) == found["rows"], (preset, found["axes"])
            assert all(count >= 2 for count in found["axes"]), (preset, found["axes"])
            notes = found["notes"]
            clashes = [
                (a["text"], b["text"])
                for i, a in enumerate(notes)
                for b in notes[i + 1 :]
                if _overlap(a, b)
            ]
            assert not clashes, (preset, clashes)
            if preset == "1 y":
                texts = [n["text"] for n in notes]
                assert any(t.startswith("water change") for t in texts), texts
                assert "gravel" in texts, texts
        browser.close()
