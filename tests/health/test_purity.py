"""health/ is the pure core: standard library only, no I/O modules (STYLE.md 1)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

HEALTH = Path(__file__).resolve().parents[2] / "health"

# Standard-library modules that do I/O or talk to the outside world: not for a pure core.
IO_MODULES = frozenset(
    {
        "asyncio",
        "ftplib",
        "http",
        "io",
        "logging",
        "multiprocessing",
        "os",
        "pathlib",
        "shutil",
        "smtplib",
        "socket",
        "sqlite3",
        "ssl",
        "subprocess",
        "tempfile",
        "threading",
        "urllib",
    }
)


def import_problems(source: str, filename: str) -> list[str]:
    """Every import in ``source`` that is neither stdlib nor health, or is an I/O module."""
    problems = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: inside health/ by construction
                continue
            names = [node.module or ""]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            if top == "health":
                continue
            if top not in sys.stdlib_module_names:
                problems.append(f"{filename}:{node.lineno} imports {name} (not stdlib)")
            elif top in IO_MODULES:
                problems.append(f"{filename}:{node.lineno} imports {name} (I/O)")
    return problems


def test_health_modules_import_only_stdlib_and_health() -> None:
    """Every health/*.py imports only the standard library (minus I/O modules) or health."""
    files = sorted(HEALTH.glob("*.py"))
    assert len(files) > 5
    problems = [p for f in files for p in import_problems(f.read_text("utf-8"), f.name)]
    assert problems == []


def test_checker_flags_third_party_and_io_imports() -> None:
    """The checker itself catches numpy, sqlalchemy, db and socket imports."""
    source = (
        "import numpy\nfrom sqlalchemy import select\nfrom db.readings import x\nimport socket\n"
    )
    assert len(import_problems(source, "bad.py")) == 4
    assert import_problems("import math\nfrom health.types import Sample\n", "ok.py") == []


def test_importing_health_loads_no_third_party_module() -> None:
    """A fresh interpreter importing every health module loads nothing outside the stdlib."""
    modules = ", ".join(
        f"health.{f.stem}" for f in sorted(HEALTH.glob("*.py")) if f.stem != "__init__"
    )
    code = (
        "import sys, importlib\n"
        f"for m in '{modules}'.split(', '): importlib.import_module(m)\n"
        "print('\\n'.join(sorted(sys.modules)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=HEALTH.parent, capture_output=True, text=True, check=True
    ).stdout.split()
    foreign = [
        m
        for m in out
        if m.split(".")[0] not in sys.stdlib_module_names
        and m.split(".")[0] not in ("health", "__main__")
        and not m.startswith("_")
    ]
    assert foreign == []
