"""health/ is the pure core; what it may import is a contract in pyproject.toml (lint-imports).

The contracts name the packages health/ must not import; this test adds what a list cannot: that
importing every health module loads nothing outside the standard library and sensors' pure modules.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEALTH = ROOT / "health"


def test_importing_health_loads_no_third_party_module() -> None:
    """A fresh interpreter importing every health module loads only stdlib and pure sensors/."""
    modules = ", ".join(
        f"health.{f.stem}" for f in sorted(HEALTH.glob("*.py")) if f.stem != "__init__"
    )
    code = (
        "import sys, importlib\n"
        f"for m in '{modules}'.split(', '): importlib.import_module(m)\n"
        "print('\\n'.join(sorted(sys.modules)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    foreign = [
        m
        for m in out
        if m.split(".")[0] not in sys.stdlib_module_names
        and m.split(".")[0] not in ("health", "__main__")
        and m.split(".")[0] != "sensors"  # its pure modules; the contracts forbid the rest
        and not m.startswith("_")
    ]
    assert foreign == []
