"""Where the microseconds of one ingested message go, stage by stage, without the broker.

Runs the daemon's own code in one thread on N synthetic messages: routing alone (decode,
validate, convert), the whole message callback (IngestDaemon._on_message on real paho
MQTTMessage objects: routing, the NewReading and its delivery key, the batcher), and the store's
batched commit (500 a batch, as the daemon does), on SQLite and, when it answers, PostgreSQL.
The MQTT side (paho parsing, the PUBACK) is what the bare-subscriber reference measures.

Figures are this thread's CPU time (time.thread_time), not wall time: on a shared machine the
wall clock also counts the other tenants (the store's fsync waits are therefore not in them).

    .venv/bin/python benchmarks/profile_ingest.py [--messages 20000] [--pyinstrument]
"""

from __future__ import annotations

import argparse
import gc
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import paho.mqtt.client as mqtt

from benchmarks.ingest_throughput import payloads
from benchmarks.run import postgres_database
from db.engine import open_engine
from db.readings import BatchStore, NewReading
from ingest.batcher import Store
from ingest.daemon import IngestDaemon
from ingest.mqtt_session import MqttSession
from ingest.routing import Router
from sensors.mqtt_settings import MqttSettings

BATCH = 500
TOPIC = "aquarium/profile/temperature"


def route_stage(kind: str, n: int) -> float:
    """CPU seconds to route N messages (decode, validate, convert)."""
    router = Router()
    raw = [p.encode() for p in payloads(kind, n)]
    began = time.thread_time()
    for payload in raw:
        router.route(TOPIC, payload, datetime.now(UTC))
    return time.thread_time() - began


def callback_stage(kind: str, n: int, store: Store) -> tuple[list[NewReading], float]:
    """The daemon's message callback on N paho messages: (readings, CPU seconds)."""
    daemon = IngestDaemon(
        store=store,
        router=Router(),
        session=MqttSession(MqttSettings("127.0.0.1", 1883), "profile"),  # never connected
        max_pending=n + 1,  # nothing drains the batcher here
    )
    messages = []
    for mid, payload in enumerate(payloads(kind, n)):
        message = mqtt.MQTTMessage(mid=mid % 65535 + 1, topic=TOPIC.encode())
        message.payload, message.qos = payload.encode(), 1
        messages.append(message)
    gc.collect()  # the garbage of earlier stages is not this stage's cost
    began = time.thread_time()
    for message in messages:
        daemon._on_message(message, 1)
    elapsed = time.thread_time() - began
    return [r for m in daemon.batcher._pending for r in m.readings], elapsed


def store_stage(url: str, batch_of: list[NewReading]) -> float:
    """Seconds to commit the readings in batches of BATCH through BatchStore."""
    engine = open_engine(url)
    store = BatchStore(engine)
    store.write(batch_of[:1], [])  # the tank and sensor rows exist, as in a steady stream
    began = time.thread_time()
    for start in range(1, len(batch_of), BATCH):
        store.write(batch_of[start : start + BATCH], [])
    elapsed = time.thread_time() - began
    engine.dispose()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--pyinstrument", action="store_true", help="Also print a call tree.")
    args = parser.parse_args()
    n = args.messages
    folder = Path(tempfile.mkdtemp(prefix="aquarium-profile-"))
    profiler = None
    if args.pyinstrument:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
        profiler.start()
    lines = []
    with postgres_database() as pg_url:
        for kind in ("plain", "device-timed"):
            url = f"sqlite:///{folder / kind}.db"
            lines.append((kind, "route (decode, validate, convert)", route_stage(kind, n)))
            engine = open_engine(url)
            readings, callback_s = callback_stage(kind, n, BatchStore(engine))
            engine.dispose()
            lines.append((kind, "the whole message callback", callback_s))
            urls = [("SQLite", url)]
            if pg_url is not None:
                urls.append(("PostgreSQL", pg_url))
            for backend, url in urls:
                stored_s = store_stage(url, readings)
                lines.append((kind, f"BatchStore.write, {backend}, {BATCH} a batch", stored_s))
    if profiler is not None:
        profiler.stop()
        print(profiler.output_text(unicode=False, color=False, show_all=False))
    print(f"\nCPU microseconds per message ({n:,} messages, one thread, no broker)")
    for kind, stage, seconds in lines:
        print(f"{kind:<14} {stage:<46} {1e6 * seconds / n:8.1f} us")


if __name__ == "__main__":
    main()
