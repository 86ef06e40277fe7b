"""The dashboard imports its chart libraries ahead of the first chart, once per process."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import sys
from dashboard.warmup import warm_up_imports
assert "plotly" not in sys.modules and "pandas" not in sys.modules
first = warm_up_imports()
second = warm_up_imports()
first.join(timeout=120)
print(second is None, "plotly" in sys.modules, "pandas" in sys.modules, not first.is_alive())
"""


def test_chart_libraries_are_imported_once_in_the_background() -> None:
    """The first call imports plotly and pandas in a thread; a second call starts nothing."""
    result = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=180, check=True
    )
    assert result.stdout.split() == ["True", "True", "True", "True"]


def test_the_browser_preload_names_the_installed_plotly_and_widget_chunks() -> None:
    """The preload tags load plotly's chunk and each Trends widget's, from the static folder."""
    from pathlib import Path

    import streamlit

    from dashboard.warmup import STATIC_JS, TRENDS_CHUNKS, chart_script_preload, chunk, plotly_chunk

    name = plotly_chunk()
    assert name is not None, "Streamlit renamed its plotly chunk: the first chart loads it late"
    widgets = [chunk(pattern) for pattern in TRENDS_CHUNKS]
    assert None not in widgets, "Streamlit renamed a widget chunk: the Trends page loads it late"
    names = [name, *widgets]
    for found in names:
        assert (Path(streamlit.__file__).parent / STATIC_JS / str(found)).is_file()
    assert chart_script_preload() == "".join(
        f'<script type="module" src="static/js/{n}"></script>' for n in names
    )


NO_RUNTIME = """
import dashboard.warmup as warmup
warmup.RUNTIME_WAIT_S = 0.3
calls = []
def fill():
    calls.append("fill")
    return ["tank"]
thread = warmup.warm_up_imports(["json"], then="__main__:fill", done=calls.append)
thread.join(timeout=60)
print(calls)
"""


def test_the_fill_waits_for_streamlits_runtime_and_skips_without_one() -> None:
    """With no Streamlit server in the process, the default views are not filled into a stand-in
    cache; the warm-up still reports that it ended, with nothing filled."""
    result = subprocess.run(
        [sys.executable, "-c", NO_RUNTIME], capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.strip() == "[None]", result.stderr


QUIET_PROBE = """
import threading
from dashboard.warmup import THREAD_NAME, quiet_context_warnings
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx
quiet_context_warnings()
quiet_context_warnings()  # a second call adds no second filter
for name in (THREAD_NAME, "someone-else"):
    thread = threading.Thread(target=get_script_run_ctx, name=name)
    thread.start()
    thread.join()
"""


def test_streamlits_missing_context_warning_is_dropped_for_the_warm_up_thread_only() -> None:
    """The warm-up's expected "missing ScriptRunContext" warning stays out of the terminal;
    the same warning from another thread still shows."""
    result = subprocess.run(
        [sys.executable, "-c", QUIET_PROBE], capture_output=True, text=True, timeout=120, check=True
    )
    assert "Thread 'someone-else': missing ScriptRunContext" in result.stderr
    assert "warm-up-imports" not in result.stderr
