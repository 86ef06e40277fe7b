"""Alert fixtures: an established tank, test-kit results at chosen times, a real webhook server."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from sqlalchemy import Engine

from db.manual import TestResult, log_tests
from db.tanks import add_tank
from tests.support import unique

# A fixed moment, so holds and repeats are counted in evaluation time, not wall-clock time.
T0 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


def minutes(n: float) -> datetime:
    """T0 plus N minutes."""
    return T0 + timedelta(minutes=n)


def log_kit(engine: Engine, tank: str, at: datetime, **values: float) -> None:
    """Store a test-kit session for TANK at AT (parameter=value in canonical units)."""
    log_tests(engine, tank, [TestResult(p, v) for p, v in values.items()], at=at)


@pytest.fixture
def tank(engine: Engine) -> str:
    """An established tank (set up 100 days before T0, past any cycling) with 100 L of water."""
    name = unique("t")
    add_tank(engine, name, volume_l=100, at=T0 - timedelta(days=100))
    return name


@dataclass
class Webhook:
    """A tiny HTTP endpoint that records JSON bodies; ``statuses`` scripts its answers."""

    port: int
    statuses: list[int] = field(default_factory=list)  # answers in order, then 200
    delay_s: float = 0.0
    bodies: list[dict[str, Any]] = field(default_factory=list)  # every request, answered or not
    delivered: list[dict[str, Any]] = field(default_factory=list)  # only those answered 200
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str = "hook") -> str:
        return f"json://127.0.0.1:{self.port}/{path}"

    def wait_delivered(self, count: int, timeout: float = 5.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.delivered) >= count:
                return True
            time.sleep(0.02)
        return len(self.delivered) >= count


def _handler(hook: Webhook) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            time.sleep(hook.delay_s)
            with hook.lock:
                hook.bodies.append(body)
                status = hook.statuses.pop(0) if hook.statuses else 200
                if status == 200:
                    hook.delivered.append(body)
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass  # keep the test output quiet

    return Handler


@pytest.fixture
def webhook_factory() -> Iterator[Any]:
    """Start webhook servers on free ports; all are shut down after the test."""
    servers: list[ThreadingHTTPServer] = []

    def start(statuses: list[int] | None = None, delay_s: float = 0.0) -> Webhook:
        hook = Webhook(port=0, statuses=list(statuses or []), delay_s=delay_s)
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(hook))
        hook.port = server.server_address[1]
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return hook

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def webhook(webhook_factory: Any) -> Webhook:
    """One webhook server that answers 200."""
    return webhook_factory()
