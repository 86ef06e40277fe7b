"""Starts the dashboard's server with its warm-up under way: what `aquarium dashboard` runs.

`streamlit run dashboard/app.py` began the warm-up (dashboard/warmup.py: pandas and plotly, then
the default Trends views) only when the first browser session ran app.py, so the first keeper to
click Trends waited for the imports. A keeper's dashboard is an always-on server: here the
warm-up starts with the server process, beside Streamlit's own start, and the server says on
stderr when it is done (READY), so a supervisor or the benchmark can wait for that.

    python -m dashboard.serve [streamlit run options...]
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path

APP = Path(__file__).resolve().parent / "app.py"
# The line the server prints once the chart libraries are imported and the default views filled.
READY = "dashboard warm:"


def start_warm_up() -> threading.Thread | None:
    """Begin the warm-up in this process; it prints READY on stderr when it ends. Returns its
    thread, None when this process started it already."""
    from dashboard.warmup import FILL, warm_up_imports

    began = time.perf_counter()

    def announce(filled: object) -> None:
        views = (
            f"the default Trends view filled for {', '.join(map(str, filled)) or 'no tank'}"
            if isinstance(filled, list)
            else "the default Trends views left to the first page (see above)"
        )
        seconds = time.perf_counter() - began
        print(f"{READY} chart libraries loaded and {views} in {seconds:.1f} s", file=sys.stderr)
        sys.stderr.flush()

    return warm_up_imports(then=FILL, done=announce)


def main(argv: Sequence[str] | None = None) -> None:
    """Warm up, then serve app.py exactly as `streamlit run app.py ARGV...` would."""
    args = list(sys.argv[1:] if argv is None else argv)
    # Streamlit first: importing it builds plotly objects that look for pandas in sys.modules,
    # and would find the warm-up's half-imported pandas there.
    from streamlit.web import cli

    start_warm_up()
    cli.main(["run", str(APP), *args], prog_name="streamlit")


if __name__ == "__main__":
    main()
