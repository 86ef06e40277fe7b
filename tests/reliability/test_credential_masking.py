"""No password from a malformed broker or database URL in command-line errors, logs or pages."""

from __future__ import annotations

import io
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from aquarium.log_masking import hide_credentials_in_logs
from tests.dashboard.conftest import APP

SECRET = "Turtle9Secret"

MQTT_URLS = [
    f"mqtt://keeper:Pa#{SECRET}@127.0.0.1:1883",
    f"mqtt://keeper:Pa/{SECRET}@127.0.0.1:1883",
    f"mqtt://keeper:Pa?{SECRET}@127.0.0.1:1883",
    f"mqtt://keeper:Pa@{SECRET}@127.0.0.1:99999",
    f"mqtt:keeper:{SECRET}@127.0.0.1:1883",
    f"mqtt//keeper:{SECRET}@127.0.0.1:1883",
]
DB_URLS = [
    f"postgresql+psycopg//aq:Db{SECRET}@127.0.0.1/aquarium",
    f"postgresql+psycopg://aq:Db#{SECRET}@127.0.0.1:1/aquarium",
    f"postgresql+psycopg://aq:Db/{SECRET}@127.0.0.1:1/aquarium",
    f"sqlite//aq:{SECRET}@nowhere",
]
CASES = [("AQUARIUM_MQTT_URL", u) for u in MQTT_URLS] + [("AQUARIUM_DB_URL", u) for u in DB_URLS]


def _env(tmp_path: Path, variable: str, url: str) -> dict[str, str]:
    env = dict(os.environ, AQUARIUM_DB_URL=f"sqlite:///{tmp_path / 'a.db'}")
    env.pop("AQUARIUM_CONFIG", None)
    env[variable] = url
    return env


@pytest.mark.parametrize(("variable", "url"), CASES)
@pytest.mark.parametrize("command", [["tank", "list"], ["ingest"]])
def test_the_command_line_masks_the_password_of_a_malformed_url(
    tmp_path: Path, variable: str, url: str, command: list[str]
) -> None:
    """The real `aquarium` process refuses the URL in one line without any part of its password."""
    done = subprocess.run(
        [sys.executable, "-m", "aquarium", *command],
        env=_env(tmp_path, variable, url),
        capture_output=True,
        text=True,
        timeout=60,
    )
    output = done.stdout + done.stderr
    assert done.returncode != 0
    assert SECRET not in output, output
    assert "Traceback" not in output
    assert variable in output or "cannot open the database" in output


@pytest.mark.parametrize(("variable", "url"), CASES)
def test_the_dashboard_masks_the_password_of_a_malformed_url(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, variable: str, url: str, report
) -> None:
    """The dashboard's 'Cannot start' page names the variable and hides the password."""
    for name, value in _env(tmp_path, variable, url).items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AQUARIUM_CONFIG", raising=False)
    st.cache_resource.clear()
    try:
        app = AppTest.from_file(str(APP), default_timeout=60).run()
    finally:
        st.cache_resource.clear()
    shown = " ".join(e.value for e in app.error)
    assert "Cannot start" in shown
    assert SECRET not in shown and SECRET not in str(app)
    if url == CASES[-1][1]:
        report(
            "credentials in messages",
            "malformed AQUARIUM_MQTT_URL / AQUARIUM_DB_URL ('#', '/', '?', '@' in the password, "
            "missing '//', bad port) through the CLI, the daemon and the dashboard",
            f"{len(CASES)} URLs x 3 surfaces",
            0,
            None,
        )


def test_log_lines_and_tracebacks_are_masked() -> None:
    """A log line and a traceback quoting a URL with a password show only its user and host."""
    logger = logging.getLogger(f"masking-test-{id(SECRET)}")
    logger.propagate = False
    out = io.StringIO()
    logger.addHandler(logging.StreamHandler(out))
    hide_credentials_in_logs(logger)
    url = f"postgresql+psycopg://aq:Db#{SECRET}@db.local/aquarium"
    logger.error("cannot reach %s", url)
    try:
        raise ConnectionError(f"connecting to mqtt://keeper:{SECRET}@broker.local:1883 failed")
    except ConnectionError:
        logger.exception("daemon stopped")
    text = out.getvalue()
    assert SECRET not in text
    assert "aq:***@db.local" in text and "keeper:***@broker.local" in text
    assert "Traceback" in text  # the traceback is kept, only the password is gone
