"""How many QoS 1 messages a second the daemon stores, against a bare paho subscriber.

Both drain the same backlog from a private Mosquitto (deploy/mosquitto.conf limits): N messages
published while the consumer was away, then the consumer connects with its persistent session.
The reference only counts messages (auto-ack, no database); the daemon decodes, validates, commits
to SQLite (WAL, synchronous=FULL) and acks after commit. The ratio is what durability costs.

Usage: .venv/bin/python benchmarks/ingest_throughput.py [--messages 20000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from aquarium.supervisor import mosquitto_config, wait_for_port
from db.engine import open_engine
from db.readings import BatchStore, count_readings
from ingest.daemon import IngestDaemon
from ingest.mqtt_session import MqttSession
from ingest.routing import Router
from sensors.mqtt_settings import MqttSettings

HOST = "127.0.0.1"
# No reading stored for this long means the daemon is stuck (e.g. unacked messages filling the
# broker's in-flight window), not slow: the row reports it instead of waiting out the backlog.
STALL_S = 30


class DrainFailed(RuntimeError):
    """The daemon did not store the whole backlog."""


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def payloads(kind: str, count: int) -> list[str]:
    """COUNT payloads: plain numbers (stored at receive time) or JSON with distinct device times."""
    if kind == "plain":
        return [f"{24 + (i % 100) / 100:.2f}" for i in range(count)]
    newest = datetime.now(UTC).replace(microsecond=0)
    return [
        json.dumps(
            {
                "value": round(24 + (i % 100) / 100, 2),
                "time": (newest - timedelta(seconds=count - i)).isoformat().replace("+00:00", "Z"),
            }
        )
        for i in range(count)
    ]


def publish_backlog(port: int, tank: str, count: int, kind: str = "plain") -> None:
    """Publish COUNT readings at QoS 1 and wait for the broker to confirm them."""
    client = mqtt.Client(callback_api_version=CallbackAPIVersion.VERSION2)
    client.max_inflight_messages_set(1000)
    client.max_queued_messages_set(0)
    client.connect(HOST, port)
    client.loop_start()
    infos = [
        client.publish(f"aquarium/{tank}/temperature", payload, qos=1)
        for payload in payloads(kind, count)
    ]
    for info in infos:
        info.wait_for_publish(timeout=60)
    client.disconnect()
    client.loop_stop()


def register_session(port: int, client_id: str) -> None:
    """Create the persistent session and subscription, then go away (the broker now queues)."""
    client = mqtt.Client(
        callback_api_version=CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=False
    )
    subscribed = threading.Event()
    client.on_subscribe = lambda *args: subscribed.set()
    client.connect(HOST, port)
    client.subscribe("aquarium/+/+", qos=1)
    client.loop_start()
    subscribed.wait(10)
    client.disconnect()
    client.loop_stop()


def process_cpu_s() -> float:
    """CPU seconds this process has used, all threads (the broker is another process)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def drain_reference(port: int, client_id: str, count: int, cpu: list[float] | None = None) -> float:
    """Seconds for a bare paho subscriber to receive COUNT queued messages.

    CPU, when given, gets the CPU seconds of the same span: on a shared machine the wall clock
    also counts the other tenants, the CPU time much less so.
    """
    received = 0
    done = threading.Event()

    def on_message(*_args: object) -> None:
        nonlocal received
        received += 1
        if received >= count:
            done.set()

    client = mqtt.Client(
        callback_api_version=CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=False
    )
    client.on_message = on_message
    start, cpu_start = time.perf_counter(), process_cpu_s()
    client.connect(HOST, port)
    client.loop_start()
    done.wait(300)
    elapsed = time.perf_counter() - start
    if cpu is not None:
        cpu.append(process_cpu_s() - cpu_start)
    client.disconnect()
    client.loop_stop()
    return elapsed


def drain_daemon(
    port: int, client_id: str, count: int, url: str, tank: str, cpu: list[float] | None = None
) -> float:
    """Seconds for the ingestion daemon to store COUNT queued messages in the database at URL.

    CPU, when given, gets the CPU seconds of the same span (as drain_reference).
    """
    engine = open_engine(url)
    daemon = IngestDaemon(
        store=BatchStore(engine),
        router=Router(),
        session=MqttSession(MqttSettings(HOST, port), client_id),
    )
    start, cpu_start = time.perf_counter(), process_cpu_s()
    daemon.start()
    progress, last_change = -1, time.monotonic()
    while daemon.stats.stored < count:
        if daemon.stats.stored != progress:
            progress, last_change = daemon.stats.stored, time.monotonic()
        elif time.monotonic() - last_change > STALL_S:
            break
        time.sleep(0.01)
    elapsed = time.perf_counter() - start
    if cpu is not None:
        cpu.append(process_cpu_s() - cpu_start)
    daemon.stop()
    stored = count_readings(engine, tank)
    engine.dispose()
    if stored != count:
        raise DrainFailed(f"stalled: {stored:,} of {count:,} stored, none for {STALL_S} s")
    return elapsed


def measure(
    name: str,
    port: int,
    count: int,
    drain: Callable[[str, str], float],
    r: int,
    kind: str = "plain",
) -> float:
    """Queue COUNT messages of KIND for a fresh persistent session, then time DRAIN of them."""
    client_id, tank = f"bench-{name}-{kind}-{r}", f"bench-{name}-{kind}-{r}"
    register_session(port, client_id)
    publish_backlog(port, tank, count, kind)
    return drain(client_id, tank)


def start_broker(folder: Path) -> tuple[subprocess.Popen[bytes], int]:
    """A private Mosquitto with the shipped limits, on a free port."""
    port = free_port()
    mosquitto = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
    broker = subprocess.Popen(
        [mosquitto, "-c", str(mosquitto_config(folder, port))],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for_port(HOST, port, 10)
    return broker, port


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="aquarium-bench-"))
    broker, port = start_broker(folder)
    try:
        n = args.messages
        results: dict[str, list[float]] = {"reference": [], "daemon": []}
        for r in range(args.rounds):
            print(f"round {r + 1}/{args.rounds}: {n} messages each", file=sys.stderr, flush=True)
            results["reference"].append(
                measure("ref", port, n, lambda cid, _t: drain_reference(port, cid, n), r)
            )
            results["daemon"].append(
                measure(
                    "dmn",
                    port,
                    n,
                    lambda cid, t: drain_daemon(port, cid, n, f"sqlite:///{folder / cid}.db", t),
                    r,
                )
            )
        ref = statistics.median(results["reference"])
        dmn = statistics.median(results["daemon"])
        print(f"\nIngest throughput, QoS 1 backlog of {n} messages, median of {args.rounds}")
        print(f"{'consumer':<34}{'seconds':>10}{'msg/s':>12}{'ratio':>8}")
        print(f"{'bare paho subscriber (reference)':<34}{ref:>10.2f}{n / ref:>12.0f}{1.0:>8.2f}")
        print(f"{'daemon: decode+SQLite+ack':<34}{dmn:>10.2f}{n / dmn:>12.0f}{ref / dmn:>8.2f}")
        print("\n(ratio = daemon speed / reference speed; every message was stored exactly once)")
    finally:
        broker.terminate()
        broker.wait()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
