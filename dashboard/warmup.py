"""Loads the chart libraries ahead of the first chart: in the server and in the browser.

A fresh server imported pandas and plotly only when a keeper first opened a page with a chart:
the first Trends view took 11 s on a loaded 2-core machine (later views 2 s), almost all of it
importing. `aquarium dashboard` starts the warm-up with the server process (dashboard/serve.py);
app.py starts it too, for a bare `streamlit run`, and a process does it once.

The browser has the same first-time cost: Streamlit's plotly component is a 4.7 MB script
chunk that the page fetches, compiles and runs only when the first chart arrives (1.5-2.5 s of
a first Trends view here, then 0.2 s a view); the Trends page's widgets (multiselect, segmented
control, tank selector, table) each fetch their own chunk on first use too. chart_script_preload()
names those chunks so the app can load them while the home page is read; the page's own imports
then find them loaded.

After the imports, the same thread fills the Trends page's cache for the default view
(dashboard/trend_data.py): its series and the advisor's forecast cone are ready at the click.
"""

from __future__ import annotations

import importlib
import logging
import threading
import time
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path

log = logging.getLogger(__name__)

CHART_MODULES = ("dashboard.charts", "dashboard.logbook_table")
# Called after the imports: "module:function", so this module imports nothing heavy itself.
FILL = "dashboard.trend_data:fill_default_views"
# How long the fill waits for Streamlit's runtime: the server makes it within seconds of start.
RUNTIME_WAIT_S = 120.0
THREAD_NAME = "warm-up-imports"
# The logger of streamlit/runtime/scriptrunner_utils/script_run_context.py (Streamlit 1.67),
# which warns when a cache is filled outside a page (the warm-up does that on purpose).
SCRIPT_RUN_CONTEXT_LOGGER = "streamlit.runtime.scriptrunner_utils.script_run_context"
_started: set[str] = set()
_lock = threading.Lock()


def warm_up_imports(
    modules: Sequence[str] = CHART_MODULES,
    then: str | None = None,
    done: Callable[[object], None] | None = None,
) -> threading.Thread | None:
    """Import MODULES in a daemon thread, once per process, then call THEN ("module:function")
    there, and DONE with what THEN returned (None when it did not run or failed); returns the
    thread it started."""
    with _lock:
        fresh = [m for m in modules if m not in _started]
        _started.update(fresh)
    if not fresh:
        return None
    thread = threading.Thread(
        target=_import, args=(fresh, then, done), name=THREAD_NAME, daemon=True
    )
    thread.start()
    return thread


class _NotFromTheWarmUp(logging.Filter):
    """Drops the records the warm-up thread itself causes.

    Filling st.cache_data outside any page makes Streamlit warn "Thread 'warm-up-imports':
    missing ScriptRunContext! This warning can be ignored..." in the keeper's terminal at every
    start: expected here, and noise there. The same warning from any other thread still shows.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return record.threadName != THREAD_NAME


def _import(modules: list[str], then: str | None, done: Callable[[object], None] | None) -> None:
    quiet_context_warnings()
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:  # the page's own import will raise it where the keeper sees it
            log.exception("importing %s ahead of time failed", name)
    result = None
    if then is not None and not _runtime_up():
        log.warning("Streamlit's runtime did not start; %s is left to the first page", then)
    elif then is not None:
        try:
            module, function = then.split(":")
            result = getattr(importlib.import_module(module), function)()
        except Exception:  # the page computes what is missing, and shows its error there
            log.exception("%s ahead of time failed", then)
    if done is not None:
        done(result)


def quiet_context_warnings() -> None:
    """Keep Streamlit's missing-context warnings from the warm-up thread out of the log."""
    context_log = logging.getLogger(SCRIPT_RUN_CONTEXT_LOGGER)
    if not any(isinstance(f, _NotFromTheWarmUp) for f in context_log.filters):
        context_log.addFilter(_NotFromTheWarmUp())


def _runtime_up() -> bool:
    """Whether Streamlit's runtime exists, waiting up to RUNTIME_WAIT_S for the server to make it.

    Started with the server process (dashboard/serve.py), the imports can end before Streamlit
    has made its runtime; a cache made then gets a stand-in store instead of the server's (and
    Streamlit logs "No runtime found").
    """
    from streamlit import runtime

    deadline = time.monotonic() + RUNTIME_WAIT_S
    while not runtime.exists():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


# Where Streamlit's frontend keeps its script chunks, and the plotly component's name pattern.
STATIC_JS = "static/static/js"
PLOTLY_CHUNK = "PlotlyChart.*.js"
# The Trends page's other components, each a chunk fetched on its first use: the parameter
# multiselect, the range's segmented control (ButtonGroup), the sidebar's tank selector and the
# test results table.
TRENDS_CHUNKS = ("Multiselect.*.js", "ButtonGroup.*.js", "Selectbox.*.js", "Table.*.js")


@cache
def chunk(pattern: str) -> str | None:
    """The file name of the one Streamlit script chunk matching PATTERN; None if not one."""
    import streamlit

    found = sorted(Path(streamlit.__file__).parent.joinpath(STATIC_JS).glob(pattern))
    return found[0].name if len(found) == 1 else None


def plotly_chunk() -> str | None:
    """The file name of Streamlit's plotly component chunk; None if this Streamlit has none."""
    return chunk(PLOTLY_CHUNK)


def chart_script_preload() -> str | None:
    """HTML that loads the plotly and Trends widget chunks in the browser now, or None when
    there is none to load.

    Module scripts at the URL the app itself imports them from ("static/js/" beside the app's
    own scripts, under any base path): the browser runs a module once per URL, so the page's
    later imports are free.
    """
    names = [n for p in (PLOTLY_CHUNK, *TRENDS_CHUNKS) if (n := chunk(p)) is not None]
    tags = [f'<script type="module" src="static/js/{name}"></script>' for name in names]
    return "".join(tags) or None
