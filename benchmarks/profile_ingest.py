"""Where the microseconds of one ingested message go, stage by stage, without the broker.

Runs the daemon's own code in one thread on N synthetic messages: the message callback's work
(route: decode, validate, convert; build the NewReading and its delivery key) and the store's
batched commit (500 a batch, as the daemon does), on SQLite and, when it answers, PostgreSQL.
The MQTT side (paho parsing, the PUBACK) is what the bare-subscriber reference measures.

    .venv/bin/python benchmarks/profile_ingest.py [--messages 20000] [--pyinstrument]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.ingest_throughput import payloads
from benchmarks.run import postgres_database
from db.deliveries import Delivery
from db.engine import open_engine
from db.readings import BatchStore, NewReading
from ingest.daemon import content_key
from ingest.routing import Router

BATCH = 500


def decode_stage(kind: str, n: int) -> tuple[list[NewReading], float]:
    """The callback's work for N messages: (readings, seconds)."""
    router = Router()
    topic = "aquarium/profile/temperature"
    raw = [p.encode() for p in payloads(kind, n)]
    began = time.perf_counter()
    out = []
    for mid, payload in enumerate(raw):
        received = datetime.now(UTC)
        routed = router.route(topic, payload, received)
        assert isinstance(routed, list)  # plain readings on the default scheme
        for v in routed:
            out.append(
                NewReading(
                    tank=v.tank,
                    parameter=v.parameter,
                    value=v.value,
                    time=v.time,
                    received_at=received,
                    topic=topic,
                    field=v.field,
                    delivery=None
                    if v.device_time
                    else Delivery(
                        "profile", mid % 65535 + 1, content_key(topic.encode(), payload), False
                    ),
                )
            )
    return out, time.perf_counter() - began


def store_stage(url: str, batch_of: list[NewReading]) -> float:
    """Seconds to commit the readings in batches of BATCH through BatchStore."""
    engine = open_engine(url)
    store = BatchStore(engine)
    store.write(batch_of[:1], [])  # the tank and sensor rows exist, as in a steady stream
    began = time.perf_counter()
    for start in range(1, len(batch_of), BATCH):
        store.write(batch_of[start : start + BATCH], [])
    elapsed = time.perf_counter() - began
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
            readings, decode_s = decode_stage(kind, n)
            urls = [("SQLite", f"sqlite:///{folder / kind}.db")]
            if pg_url is not None:
                urls.append(("PostgreSQL", pg_url))
            lines.append((kind, "route + NewReading + delivery key", decode_s))
            for backend, url in urls:
                stored_s = store_stage(url, readings)
                lines.append((kind, f"BatchStore.write, {backend}, {BATCH} a batch", stored_s))
    if profiler is not None:
        profiler.stop()
        print(profiler.output_text(unicode=False, color=False, show_all=False))
    print(f"\nmicroseconds per message ({n:,} messages, one thread, no broker)")
    for kind, stage, seconds in lines:
        print(f"{kind:<14} {stage:<46} {1e6 * seconds / n:8.1f} us")


if __name__ == "__main__":
    main()
