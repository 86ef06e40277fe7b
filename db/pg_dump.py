"""Backups of a PostgreSQL database are PostgreSQL's own: pg_dump in its custom format."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from pathlib import Path

from sqlalchemy import Engine

from db.errors import StoreError


def pg_dump_argv(engine: Engine, target: Path) -> list[str]:
    """The pg_dump command line writing ENGINE's database to TARGET (no password in it)."""
    url = engine.url
    argv = ["pg_dump", "--format=custom", f"--file={target}", "--no-password"]
    if url.host:
        argv.append(f"--host={url.host}")
    if url.port:
        argv.append(f"--port={url.port}")
    if url.username:
        argv.append(f"--username={url.username}")
    argv.append(url.database or "")
    return argv


def shown_command(engine: Engine, target: Path) -> str:
    """The command as a keeper would type it, the password left for them to supply."""
    prefix = "PGPASSWORD=... " if engine.url.password else ""
    return prefix + shlex.join(pg_dump_argv(engine, target))


def dump_postgres(engine: Engine, target: Path) -> None:
    """Run pg_dump into TARGET; StoreError with the exact command when it cannot."""
    command = shown_command(engine, target)
    if shutil.which("pg_dump") is None:
        raise StoreError(
            "pg_dump is not installed; install the PostgreSQL client "
            f"(apt-get install postgresql-client) and run: {command}"
        )
    env = dict(os.environ)
    if engine.url.password:
        env["PGPASSWORD"] = str(engine.url.password)  # not in argv, where `ps` would show it
    done = subprocess.run(
        pg_dump_argv(engine, target), env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        target.unlink(missing_ok=True)
        reason = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise StoreError(f"pg_dump failed ({reason}); the command was: {command}")
