"""Helpers the tests share: a real Mosquitto, a publisher, waiting for a condition."""

from __future__ import annotations

import itertools
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
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


def start_broker(folder: Path, autosave_interval_s: int | None = None) -> Broker:
    """A private broker on a free port, its config and data in FOLDER.

    AUTOSAVE_INTERVAL_S replaces the shipped interval (1 s) when given.
    """
    port = free_port()
    config = mosquitto_config(folder, port)
    if autosave_interval_s is not None:
        text = config.read_text(encoding="utf-8")
        config.write_text(
            text.replace("autosave_interval 1\n", f"autosave_interval {autosave_interval_s}\n"),
            encoding="utf-8",
        )
    broker = Broker(port=port, config=config)
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


POSTGRES_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


@contextmanager
def throwaway_postgres(prefix: str = "aquarium_test") -> Iterator[str]:
    """The URL of a new, uniquely named PostgreSQL database, dropped afterwards.

    Raises RuntimeError when no server answers on 127.0.0.1:5432 (callers skip with a reason).
    """
    import uuid

    from sqlalchemy import create_engine, text

    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        admin.dispose()
        raise RuntimeError(f"PostgreSQL on 127.0.0.1:5432 is not available ({exc})") from exc
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


TOOK_LEASE = "took the ingest lease"  # what ingest/election.py logs when a worker wins


@dataclass
class IngestWorker:
    """`aquarium ingest` as a subprocess, started exactly as a keeper would start every worker."""

    db_url: str
    broker: Broker
    log: Path
    process: subprocess.Popen[bytes] | None = None
    # Lease terms seen in earlier lives of this worker (a restart appends to the same log).
    terms: dict[str, int] = field(default_factory=dict)

    def start(self) -> None:
        env = dict(os.environ, AQUARIUM_DB_URL=self.db_url, AQUARIUM_MQTT_URL=self.broker.url)
        env.pop("AQUARIUM_CONFIG", None)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "aquarium", "ingest"],
            env=env,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
        )

    def logged(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def holds(self, lease: str = "ingest") -> bool:
        """Whether this (living) worker has taken LEASE in its current life."""
        alive = self.process is not None and self.process.poll() is None
        return alive and self.logged().count(f"took the {lease} lease") > self.terms.get(lease, 0)

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)
        for lease in ("ingest", "alerts", "housekeeping"):
            self.terms[lease] = self.logged().count(f"took the {lease} lease")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
