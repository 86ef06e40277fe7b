"""A built wheel, installed into a fresh virtual environment, runs without the checkout."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv holding only our wheel; the dependencies come from the test venv's folder."""
    work = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(work), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    [wheel] = work.glob("aquarium_monitor-*.whl")
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    subprocess.run(
        [venv / "bin" / "python", "-m", "pip", "install", "-q", "--no-deps", "--no-index", wheel],
        check=True,
        capture_output=True,
        timeout=300,
    )
    # The dependencies (streamlit, SQLAlchemy...) are the test venv's, added as a plain path: a
    # .pth line is not a site directory, so the editable install's finder there stays inactive
    # and every project module must come from the wheel.
    [site] = (venv / "lib").glob("python*/site-packages")
    (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return venv


def _run(venv: Path, *args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize("command", [[], ["up"]], ids=["aquarium", "aquarium up"])
def test_the_installed_program_answers_help(
    installed: Path, command: list[str], tmp_path: Path
) -> None:
    """`aquarium --help` and `aquarium up --help` work from the wheel's console script."""
    done = _run(installed, installed / "bin" / "aquarium", *command, "--help", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Usage: aquarium" in done.stdout


def test_the_wheel_carries_the_broker_config_and_the_dashboard(
    installed: Path, tmp_path: Path
) -> None:
    """`aquarium up` finds mosquitto.conf and the dashboard app inside the installed package."""
    code = (
        "import sys, aquarium, dashboard.serve as serve, aquarium.supervisor as s\n"
        "from pathlib import Path\n"
        "print(aquarium.__file__)\n"
        "print(serve.APP, serve.APP.is_file())\n"
        "print(s.mosquitto_config(Path(sys.argv[1]), 18999).read_text())\n"
    )
    done = _run(installed, installed / "bin" / "python", "-c", code, tmp_path / "m", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    package, app, config = done.stdout.split("\n", 2)
    assert package.startswith(str(installed)), package  # not the checkout
    assert app.startswith(str(installed)) and app.endswith(" True"), app
    assert "listener 18999 127.0.0.1" in config and "max_queued_messages" in config
