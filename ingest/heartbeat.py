"""The daemon's heartbeat: its broker connection and counters, written for the dashboard."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime

from sqlalchemy import Engine

from db.daemon_status import BEAT_S, forget_status, record_status
from ingest.daemon import IngestDaemon

log = logging.getLogger(__name__)


class Heartbeat:
    """Writes the daemon's state every BEAT_S seconds, and at once when the connection flips."""

    def __init__(self, engine: Engine, daemon: IngestDaemon, broker: str, client_id: str) -> None:
        self.engine, self.daemon, self.broker, self.client_id = engine, daemon, broker, client_id
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="heartbeat", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Stop beating and remove the row: a daemon stopped on purpose is not a failure."""
        self._stop.set()
        self._thread.join(timeout=5)
        try:
            forget_status(self.engine, self.client_id)
        except Exception as exc:  # the database may be the thing that is broken
            log.warning("could not clear the daemon status: %s", exc)

    def _run(self) -> None:
        last_connected: bool | None = None
        elapsed = BEAT_S
        while not self._stop.is_set():
            connected = self.daemon.session.connected
            if connected != last_connected or elapsed >= BEAT_S:
                self._beat(connected)
                last_connected, elapsed = connected, 0.0
            self._stop.wait(0.5)
            elapsed += 0.5

    def _beat(self, connected: bool) -> None:
        stats = self.daemon.stats
        try:
            record_status(
                self.engine,
                self.client_id,
                self.broker,
                connected,
                datetime.now(UTC),
                (stats.received, stats.stored, stats.rejected),
            )
        except Exception as exc:  # storage trouble is reported by the batcher; keep beating
            log.debug("heartbeat not written: %s", exc)
