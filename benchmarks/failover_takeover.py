"""How long the ingest session is without a worker when its holder is SIGKILLed.

Two identical `aquarium ingest` workers on a throw-away PostgreSQL database and a private
Mosquitto; the holder of the ingest lease is SIGKILLed and restarted ROUNDS times, and each time
the seconds from the kill until the standby has subscribed with the session are printed.

Usage: .venv/bin/python benchmarks/failover_takeover.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support import IngestWorker, start_broker, throwaway_postgres, wait_until


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="aquarium-takeover-"))
    broker = start_broker(folder / "mosquitto")
    times = []
    try:
        with throwaway_postgres("aquarium_takeover") as url:
            workers = [IngestWorker(url, broker, folder / f"worker{i}.log") for i in range(2)]
            for worker in workers:
                worker.start()
            for _ in range(args.rounds):
                assert wait_until(lambda: sum(w.holds() for w in workers) == 1, 60, 0.05)
                holder = next(w for w in workers if w.holds())
                standby = next(w for w in workers if w is not holder)
                before = standby.logged().count("subscribed to")
                killed = time.monotonic()
                holder.kill()

                def resumed(standby: IngestWorker = standby, before: int = before) -> bool:
                    return standby.logged().count("subscribed to") > before

                assert wait_until(resumed, 60, 0.02)
                times.append(time.monotonic() - killed)
                holder.start()
            for worker in workers:
                worker.stop()
    finally:
        broker.stop()
    print("SIGKILL of the holder until the standby holds the session:")
    print("  " + ", ".join(f"{t:.2f} s" for t in times))


if __name__ == "__main__":
    main()
