"""Imports the chart libraries in the background when the dashboard starts.

A fresh server imported pandas and plotly only when a keeper first opened a page with a chart:
the first Trends view took 11 s on a loaded 2-core machine (later views 2 s), almost all of it
importing. Started from app.py, the import runs while the keeper reads the home page.
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Sequence

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
