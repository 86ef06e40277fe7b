"""Housekeeping inside the daemon: keep the hourly rollup current and apply raw retention."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from db.retention import fold_old_readings
from db.rollup import refresh_rollups

log = logging.getLogger(__name__)

# A minute keeps the dashboard's trend queries from doing the merge themselves, at the cost of
# one cheap read when nothing is new (db/rollup.py).
ROLLUP_EVERY_S = 60.0
RETENTION_EVERY = timedelta(hours=24)


class Housekeeping:
    """A background thread; failures are logged and retried next round, never fatal."""

    def __init__(self, engine: Engine, raw_retention: timedelta | None) -> None:
        self.engine, self.raw_retention = engine, raw_retention
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="housekeeping", daemon=True)
        self._last_retention: datetime | None = None

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def run_once(self, now: datetime) -> None:
        """One round: refresh the rollup, and fold old readings when a day has passed."""
        refresh_rollups(self.engine)
        due = self._last_retention is None or now - self._last_retention >= RETENTION_EVERY
        if self.raw_retention is not None and due:
            removed = fold_old_readings(self.engine, self.raw_retention, now)
            self._last_retention = now
            if removed:
                log.info(
                    "folded %d raw readings older than %s into hourly rollups",
                    removed,
                    self.raw_retention,
                )

    def _run(self) -> None:
        while not self._stop.wait(ROLLUP_EVERY_S):
            try:
                self.run_once(datetime.now(UTC))
            except Exception as exc:  # storage trouble is the batcher's to report; try later
                log.warning("housekeeping skipped this round: %s", exc)
