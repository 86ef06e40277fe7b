"""The worker's heartbeat: its roles, its broker connection and counters, for status and the
dashboard."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import Engine

from db.daemon_status import BEAT_S, forget_status, record_status
from ingest.daemon import IngestDaemon
from ingest.election import ElectedDuty

log = logging.getLogger(__name__)


class Heartbeat:
    """Writes the worker's state every BEAT_S seconds, and at once when its roles or connection
    change."""

    def __init__(
        self,
        engine: Engine,
        broker: str,
        worker: str,
        duties: Sequence[ElectedDuty],
        *,
        beat_s: float = BEAT_S,
    ) -> None:
        self.engine, self.broker, self.worker, self.duties = engine, broker, worker, duties
        self.beat_s = beat_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="heartbeat", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Stop beating and remove the row: a worker stopped on purpose is not a failure."""
        self._stop.set()
        self._thread.join(timeout=5)
        try:
            forget_status(self.engine, self.worker)
        except Exception as exc:  # the database may be the thing that is broken
            log.warning("could not clear the worker status: %s", exc)

    def _daemon(self) -> IngestDaemon | None:
        for duty in self.duties:
            if isinstance(duty.duty, IngestDaemon):
                return duty.duty
        return None

    def _state(self) -> tuple[str, bool]:
        roles = ",".join(d.name for d in self.duties if d.active)
        daemon = self._daemon()
        return roles, bool(daemon and daemon.session.connected)

    def _run(self) -> None:
        last: tuple[str, bool] | None = None
        elapsed = self.beat_s
        while not self._stop.is_set():
            state = self._state()
            if state != last or elapsed >= self.beat_s:
                self._beat(*state)
                last, elapsed = state, 0.0
            self._stop.wait(0.5)
            elapsed += 0.5

    def _beat(self, roles: str, connected: bool) -> None:
        daemon = self._daemon()
        stats = daemon.stats if daemon else None
        try:
            record_status(
                self.engine,
                self.worker,
                self.broker,
                connected,
                datetime.now(UTC),
                (stats.received, stats.stored, stats.rejected) if stats else (0, 0, 0),
                roles=roles,
                session=daemon.session.client_id if daemon else None,
                pending=daemon.batcher.pending if daemon else 0,
            )
        except Exception as exc:  # storage trouble is reported by the batcher; keep beating
            log.debug("heartbeat not written: %s", exc)
