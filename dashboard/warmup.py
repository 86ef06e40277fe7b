"""Loads the chart libraries ahead of the first chart: in the server and in the browser.

A fresh server imported pandas and plotly only when a keeper first opened a page with a chart:
the first Trends view took 11 s on a loaded 2-core machine (later views 2 s), almost all of it
importing. Started from app.py, the import runs while the keeper reads the home page.

The browser has the same first-time cost: Streamlit's plotly component is a 4.7 MB script
chunk that the page fetches, compiles and runs only when the first chart arrives (1.5-2.5 s of
a first Trends view here, then 0.2 s a view). chart_script_preload() names that chunk so the
app can load it while the home page is read; the chart's own import then finds it loaded.
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Sequence
from functools import cache
from pathlib import Path

log = logging.getLogger(__name__)

CHART_MODULES = ("dashboard.charts", "dashboard.logbook_table")
_started: set[str] = set()
_lock = threading.Lock()


def warm_up_imports(modules: Sequence[str] = CHART_MODULES) -> threading.Thread | None:
    """Import MODULES in a daemon thread, once per process; returns the thread it started."""
    with _lock:
        fresh = [m for m in modules if m not in _started]
        _started.update(fresh)
    if not fresh:
        return None
    thread = threading.Thread(target=_import, args=(fresh,), name="warm-up-imports", daemon=True)
    thread.start()
    return thread


def _import(modules: list[str]) -> None:
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:  # the page's own import will raise it where the keeper sees it
            log.exception("importing %s ahead of time failed", name)


# Where Streamlit's frontend keeps its script chunks, and the plotly component's name pattern.
STATIC_JS = "static/static/js"
PLOTLY_CHUNK = "PlotlyChart.*.js"


@cache
def plotly_chunk() -> str | None:
    """The file name of Streamlit's plotly component chunk; None if this Streamlit has none."""
    import streamlit

    found = sorted(Path(streamlit.__file__).parent.joinpath(STATIC_JS).glob(PLOTLY_CHUNK))
    return found[0].name if len(found) == 1 else None


def chart_script_preload() -> str | None:
    """HTML that loads the plotly chunk in the browser now, or None when there is none to load.

    A module script at the URL the app itself imports it from ("static/js/" beside the app's
    own scripts, under any base path): the browser runs a module once per URL, so the chart's
    later import is free.
    """
    name = plotly_chunk()
    return f'<script type="module" src="static/js/{name}"></script>' if name else None
