"""`aquarium up`: find or start a broker, then run the daemon, dashboard and simulator."""

from __future__ import annotations

import getpass
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

log = logging.getLogger(__name__)

# Shipped inside the package (pyproject.toml package-data), so a wheel install finds it too;
# deploy/mosquitto.conf in the checkout is a link to it for keepers who run Mosquitto themselves.
BROKER_CONF = resources.files("aquarium") / "mosquitto.conf"


def port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    """Whether something accepts TCP connections on HOST:PORT."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def wait_for_port(host: str, port: int, timeout: float) -> bool:
    """Poll until HOST:PORT accepts connections or TIMEOUT passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if port_open(host, port):
            return True
        time.sleep(0.1)
    return False


def mosquitto_config(data_dir: Path, port: int) -> Path:
    """Our deploy/mosquitto.conf with the port and the persistence folder filled in."""
    data_dir.mkdir(parents=True, exist_ok=True)
    base = BROKER_CONF.read_text(encoding="utf-8").replace(
        "listener 1883 127.0.0.1", f"listener {port} 127.0.0.1"
    )
    path = data_dir / "mosquitto.conf"
    # Started as root, Mosquitto switches to the "mosquitto" user and can then no longer read
    # or write files in our folders; keeping the current user avoids that.
    user = f"user {getpass.getuser()}\n"
    path.write_text(base + f"persistence_location {data_dir}/\n" + user, encoding="utf-8")
    return path


@dataclass
class Child:
    """A process `aquarium up` started and watches."""

    name: str
    process: subprocess.Popen[bytes]
    may_finish: bool = False  # a clean exit (status 0) is its job done, not a failure


class Supervisor:
    """Starts children in order, stops them in reverse, and stops all if one dies."""

    def __init__(self) -> None:
        self.children: list[Child] = []
        self._stopping = False

    def start(
        self, name: str, argv: list[str], env: dict[str, str], *, may_finish: bool = False
    ) -> Child:
        """Start ARGV as NAME, sharing our terminal for its logs; a child that MAY_FINISH can
        exit with status 0 while the others keep running (the demo, once a real tank exists)."""
        log.info("starting %s", name)
        child = Child(name, subprocess.Popen(argv, env=env), may_finish)
        self.children.append(child)
        return child

    def wait(self) -> int:
        """Run until a signal or until a child exits; returns the exit status for `up`."""

        def on_signal(signum: int, _frame: object) -> None:
            self._stopping = True

        signal.signal(signal.SIGINT, on_signal)
        signal.signal(signal.SIGTERM, on_signal)
        status = 0
        while not self._stopping:
            for child in self.children:
                code = child.process.poll()
                if code == 0 and child.may_finish:
                    log.info("%s finished; the rest keep running", child.name)
                    self.children.remove(child)
                    break
                if code is not None:
                    log.error("%s exited with status %s; stopping the rest", child.name, code)
                    status = 1
                    self._stopping = True
                    break
            time.sleep(0.3)
        self.stop()
        return status

    def stop(self) -> None:
        """SIGTERM every child (newest first) and wait; SIGKILL what hangs."""
        for child in reversed(self.children):
            if child.process.poll() is None:
                child.process.terminate()
                try:
                    child.process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    log.warning("%s did not stop in 20 s; killing it", child.name)
                    child.process.kill()


def aquarium_argv(*args: str) -> list[str]:
    """How to run another `aquarium` command with this same Python."""
    return [sys.executable, "-m", "aquarium", *args]


def choose_broker(
    configured: bool, host: str, port: int, data_dir: Path
) -> tuple[str, list[str] | None]:
    """Which broker `up` uses: (description, argv to start one, or None to use a running one)."""
    if configured:
        return f"the configured broker at {host}:{port}", None
    if port_open("127.0.0.1", port):
        return f"the broker already listening on 127.0.0.1:{port}", None
    mosquitto = shutil.which("mosquitto") or (
        "/usr/sbin/mosquitto" if os.path.exists("/usr/sbin/mosquitto") else None
    )
    if mosquitto:
        conf = mosquitto_config(data_dir / "mosquitto", port)
        return f"Mosquitto on 127.0.0.1:{port} (deploy/mosquitto.conf)", [
            mosquitto,
            "-c",
            str(conf),
        ]
    argv = aquarium_argv("broker", "--port", str(port))
    return f"the embedded amqtt broker on 127.0.0.1:{port} (install Mosquitto for real use)", argv
