"""Helpers the tests share: a real Mosquitto, a publisher, waiting for a condition."""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from aquarium.supervisor import mosquitto_config, wait_for_port

_counter = itertools.count()


def unique(prefix: str) -> str:
    """A name no other test in this session uses (topics and client ids stay apart)."""
    return f"{prefix}{os.getpid() % 1000}x{next(_counter)}"


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(condition: Callable[[], object], timeout: float = 10.0, step: float = 0.05) -> bool:
    """Poll CONDITION until it is truthy or TIMEOUT passes; returns whether it became true."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return bool(condition())


def mosquitto_binary() -> str:
    """Path of the mosquitto executable (Debian puts it in /usr/sbin)."""
    found = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
    if not Path(found).exists():
        raise RuntimeError("mosquitto is not installed; run .ci/run or apt-get install mosquitto")
    return found


@dataclass
class Broker:
    """A private Mosquitto started for the tests, with deploy/mosquitto.conf's limits."""

    port: int
    config: Path
    process: subprocess.Popen[bytes] | None = None
    host: str = "127.0.0.1"

    def start(self) -> None:
        """Start (or restart) the broker on the same port and persistence folder."""
        log = (self.config.parent / "mosquitto.log").open("ab")
        self.process = subprocess.Popen(
            [mosquitto_binary(), "-c", str(self.config)], stdout=log, stderr=subprocess.STDOUT
        )
        if not wait_for_port(self.host, self.port, timeout=10):
            raise RuntimeError(f"mosquitto did not start; see {self.config.parent}/mosquitto.log")

    def stop(self) -> None:
        """Stop the broker (it saves its persistent sessions on the way out)."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    @property
    def url(self) -> str:
        return f"mqtt://{self.host}:{self.port}"


def start_broker(folder: Path) -> Broker:
    """A private broker on a free port, its config and data in FOLDER."""
    port = free_port()
    broker = Broker(port=port, config=mosquitto_config(folder, port))
    broker.start()
    return broker


@contextmanager
def publisher(broker: Broker, client_id: str | None = None) -> Iterator[mqtt.Client]:
    """A connected paho client for publishing test messages."""
    client = mqtt.Client(
        callback_api_version=CallbackAPIVersion.VERSION2, client_id=client_id or unique("pub")
    )
    client.max_inflight_messages_set(1000)
    client.max_queued_messages_set(0)  # unlimited: tests publish whole backlogs at once
    client.connect(broker.host, broker.port)
    client.loop_start()
    try:
        yield client
    finally:
        client.disconnect()
        client.loop_stop()


def publish_all(client: mqtt.Client, messages: list[tuple[str, bytes]], qos: int = 1) -> None:
    """Publish MESSAGES and wait until the broker has confirmed each one."""
    # In chunks: paho refuses a message whose 16-bit packet id is still outstanding.
    for start in range(0, len(messages), 20_000):
        chunk = messages[start : start + 20_000]
        infos = [client.publish(topic, payload, qos=qos) for topic, payload in chunk]
        for info in infos:
            info.wait_for_publish(timeout=60)
