"""Reliability tests record one row each for docs/reliability.md (scripts/reliability writes it)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support import Broker, start_broker, wait_until


@dataclass(frozen=True)
class FaultRow:
    """One line of the reliability table."""

    fault: str
    injection: str
    load: str
    lost: int
    recovery_s: float | None


_ROWS: list[FaultRow] = []


@pytest.fixture
def report() -> Callable[..., None]:
    """Record this test's fault, how it was injected, the load, what was lost and recovery time."""

    def add(fault: str, injection: str, load: str, lost: int, recovery_s: float | None) -> None:
        _ROWS.append(FaultRow(fault, injection, load, lost, recovery_s))

    return add


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Write the table when asked to (scripts/reliability sets AQUARIUM_RELIABILITY_REPORT)."""
    target = os.environ.get("AQUARIUM_RELIABILITY_REPORT")
    if not target or not _ROWS:
        return
    lines = [
        "| fault | how it is injected | load | readings lost | recovery |",
        "| --- | --- | --- | --- | --- |",
    ]
    for row in _ROWS:
        recovery = "n/a" if row.recovery_s is None else f"{row.recovery_s:.1f} s"
        lines.append(f"| {row.fault} | {row.injection} | {row.load} | {row.lost} | {recovery} |")
    Path(target).write_text("\n".join(lines) + "\n", encoding="utf-8")


@dataclass
class DaemonProcess:
    """The real `aquarium ingest` as a subprocess, for faults that need a real process."""

    db_url: str
    broker: Broker
    client_id: str
    log: Path
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = dict(os.environ, AQUARIUM_DB_URL=self.db_url, AQUARIUM_MQTT_URL=self.broker.url)
        env.pop("AQUARIUM_CONFIG", None)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "aquarium", "ingest", "--client-id", self.client_id],
            env=env,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
        )

    def kill(self) -> None:
        assert self.process is not None
        self.process.kill()
        self.process.wait(timeout=10)

    def stop(self) -> int:
        assert self.process is not None
        self.process.terminate()
        return self.process.wait(timeout=30)

    def logged(self) -> str:
        return self.log.read_text(errors="replace")


@pytest.fixture
def daemon_process(broker: Broker, db_url: str, tmp_path: Path) -> Iterator[DaemonProcess]:
    """A daemon subprocess on the session broker and this test's database."""
    from tests.support import unique

    daemon = DaemonProcess(db_url, broker, unique("proc"), tmp_path / "daemon.log")
    yield daemon
    if daemon.process and daemon.process.poll() is None:
        daemon.kill()


def wait_subscribed(daemon: DaemonProcess, timeout: float = 30) -> bool:
    """Whether the daemon logged its subscription (so the broker now queues for it)."""
    return wait_until(lambda: "subscribed to" in daemon.logged(), timeout=timeout, step=0.1)


@pytest.fixture
def own_broker(tmp_path: Path) -> Iterator[Broker]:
    """A Mosquitto of this test's own: its floods do not swell the shared broker's queues, and
    no other test's retained messages or sessions reach it. A module that overrides `broker` with
    it gets it in start_daemon and daemon_process too."""
    own = start_broker(tmp_path / "own-broker")
    yield own
    own.stop()
