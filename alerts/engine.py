"""The alert engine inside the daemon: evaluates tanks on a schedule and when data arrives.

A round costs what changed, not the number of tanks: after the first round (every tank) it
evaluates the tanks with new data since the last round, those with an alert pending or firing
(their hold and repeat timers run on the clock), and each idle tank once per sweep interval (a
sensor that goes silent sends no data that would trigger a round). 20,000 idle tanks made every
round take 100 s and delayed a real tank's nitrite alert from 10 s to 150 s.

It runs in its own thread and reads and writes through db/ like any other client, so ingestion
never waits for it; delivery (apprise, MQTT) is handed to sinks that return at once. The
dashboard is the third sink by construction: it reads the `alerts` rows the evaluator stores.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Protocol, runtime_checkable

from sqlalchemy import Engine

from alerts.evaluator import Evaluator, Judged
from alerts.notice import Evaluation, Notice
from db.alert_state import data_marker, tanks_needing_a_round
from db.tanks import list_tanks
from health.verdict import Verdict

log = logging.getLogger(__name__)

__all__ = ["AlertEngine", "Sink"]

# Issue 4 asks for rules "on a schedule and on new data". Judgement: once a minute is as often as
# common sensors report (ESPHome's default update_interval is 60 s) and far inside any hold time.
INTERVAL_S = 60.0
# How often to ask the database whether anything new arrived: a max over three primary keys.
POLL_S = 5.0
# New data triggers an evaluation at most this often, and never more than a fifth of the time:
# sensors report every few seconds, and a keeper's test result only needs to land within seconds.
MIN_GAP_S = 10.0
BUSY_FRACTION = 0.2
# An idle tank (no new data, no open alert) is still evaluated this often: health/sensor_health
# notices a silent sensor only when evaluated, and alerts/rules.py SENSOR_FAULT_HOLD is 5 minutes,
# so a silent sensor still reaches the keeper within about two holds.
SWEEP_S = 300.0
# Data committed after a round started but received before it still counts as new next round:
# the batcher commits within seconds of receiving (slower only while the database is away, and
# then the sweep catches up).
CHANGE_OVERLAP = timedelta(seconds=30)
# A round stores its tanks' new states a batch at a time, one transaction (one disk flush) each:
# a flush per tank was half of a 200-tank round. A batch is cut after this many tanks or this many
# seconds, so a notice waits at most about a second longer than when each tank committed alone.
SAVE_BATCH = 200
SAVE_DELAY_S = 1.0


class Sink(Protocol):
    """Somewhere notices go. ``deliver`` must return at once; ``close`` may wait a little."""

    def start(self) -> None: ...

    def deliver(self, verdict: Verdict, notices: Sequence[Notice]) -> None: ...

    def close(self, timeout: float) -> None: ...


@runtime_checkable
class BatchSink(Protocol):
    """A sink that takes a batch of evaluations at once (one write for them all), not one by one."""

    def deliver_many(self, evaluations: Sequence[Evaluation]) -> None: ...


class AlertEngine:
    """Start it beside the ingest daemon; stop it before the process exits."""

    def __init__(
        self,
        engine: Engine,
        evaluator: Evaluator,
        sinks: Sequence[Sink] = (),
        *,
        interval_s: float = INTERVAL_S,
        poll_s: float = POLL_S,
        min_gap_s: float = MIN_GAP_S,
        sweep_s: float = SWEEP_S,
    ) -> None:
        self.engine = engine
        self.evaluator = evaluator
        self.sinks = list(sinks)
        self.interval_s, self.poll_s, self.min_gap_s = interval_s, poll_s, min_gap_s
        self.rounds = 0
        self.sweep_s = sweep_s
        self.last_round_tanks = 0  # how many tanks the last round evaluated
        self.evaluations = 0  # tank evaluations since start, all rounds together
        self._round_started: datetime | None = None  # wall clock, for "new data since"
        self._evaluated: dict[str, float] = {}  # tank -> monotonic time of its last evaluation
        self._failing: dict[str, str] = {}  # what failed -> its error, to log it once
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="alerts", daemon=True)

    def start(self) -> None:
        """Start the sinks, evaluate now, then keep evaluating in a background thread."""
        for sink in self.sinks:
            sink.start()
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Finish the current round, then give the sinks TIMEOUT to send what is queued."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
        for sink in self.sinks:
            try:
                sink.close(timeout)
            except OSError as exc:  # the broker or network is down: expected, say it plainly
                log.warning("closing the alert sink %s failed: %s", type(sink).__name__, exc)
            except Exception:
                log.exception("closing the alert sink %s failed", type(sink).__name__)

    def run_once(
        self, at: datetime | None = None, tanks: Sequence[str] | None = None
    ) -> list[Evaluation]:
        """Evaluate TANKS (every tank) at AT (now) and hand the results to the sinks."""
        at = at or datetime.now(UTC)
        names = [t.name for t in list_tanks(self.engine)] if tanks is None else list(tanks)
        done: list[Evaluation] = []
        batch: list[Judged] = []
        batch_began = time.monotonic()
        for name in names:
            try:
                batch.append(self.evaluator.judge(name, at))
            except Exception as exc:  # one tank's bad data must not stop the others' alerts
                self._failed(f"evaluating alerts for tank {name}", exc)
            if len(batch) >= SAVE_BATCH or time.monotonic() - batch_began >= SAVE_DELAY_S:
                done += self._store_and_deliver(batch)
                batch, batch_began = [], time.monotonic()
        done += self._store_and_deliver(batch)
        self.rounds += 1
        self.last_round_tanks = len(names)
        return done

    def _store_and_deliver(self, batch: list[Judged]) -> list[Evaluation]:
        """Store BATCH's states in one transaction, then hand its evaluations to the sinks.

        Stored first, as one tank at a time did: a notice delivered is always one recorded. If
        the shared transaction fails, each tank is stored alone, so one tank's failure (say it
        was removed meanwhile) does not lose the others' states.
        """
        if not batch:
            return []
        try:
            self.evaluator.save(batch)
            stored = batch
        except Exception:
            stored = []
            for judged in batch:
                try:
                    self.evaluator.save([judged])
                except Exception as exc:
                    self._failed(f"evaluating alerts for tank {judged.evaluation.tank}", exc)
                else:
                    stored.append(judged)
        evaluations = [judged.evaluation for judged in stored]
        for evaluation in evaluations:
            self._evaluated[evaluation.tank] = time.monotonic()
            self.evaluations += 1
            self._recovered(f"evaluating alerts for tank {evaluation.tank}")
        for sink in self.sinks:
            self._hand_over(sink, evaluations)
        return evaluations

    def _hand_over(self, sink: Sink, evaluations: list[Evaluation]) -> None:
        """Give SINK the EVALUATIONS, at once if it takes a batch; a failure never stops a round."""
        batches = [evaluations] if isinstance(sink, BatchSink) else [[e] for e in evaluations]
        for batch in batches:
            try:
                if isinstance(sink, BatchSink):
                    sink.deliver_many(batch)
                else:
                    sink.deliver(batch[0].verdict, batch[0].notices)
            except (OSError, RuntimeError) as exc:  # e.g. the MQTT broker is unreachable
                self._failed(f"handing alerts to {type(sink).__name__}", exc)
            except Exception:
                log.exception("handing alerts to %s failed", type(sink).__name__)

    def due_tanks(self) -> list[str] | None:
        """The tanks this round must evaluate (None: all of them, as in the first round)."""
        started = datetime.now(UTC)
        since, self._round_started = self._round_started, started
        if since is None:
            return None
        changed, idle = tanks_needing_a_round(self.engine, since - CHANGE_OVERLAP)
        now = time.monotonic()
        swept = [t for t in idle if now - self._evaluated.get(t, -self.sweep_s) >= self.sweep_s]
        return sorted(changed | set(swept))

    def _run(self) -> None:
        seen: tuple[float, int, int] | None = None
        last_start = -float("inf")
        took = 0.0  # seconds the last round took
        while not self._stop.is_set():
            now = time.monotonic()
            marker: tuple[float, int, int] | None
            try:
                marker = data_marker(self.engine)
                self._recovered("checking the database for new data")
            except Exception as exc:
                self._failed("checking the database for new data", exc)
                marker = seen
            gap = max(self.min_gap_s, took / BUSY_FRACTION)
            due = now - last_start >= self.interval_s or (
                marker != seen and now - last_start >= gap
            )
            if due:
                # The marker read before the round: data arriving meanwhile triggers another.
                seen = marker
                last_start = time.monotonic()
                try:
                    self.run_once(tanks=self.due_tanks())
                    self._recovered("an alert round")
                except Exception as exc:  # e.g. the database locked for longer than busy_timeout
                    self._failed("an alert round", exc)
                took = time.monotonic() - last_start
            self._stop.wait(self.poll_s)

    def _failed(self, what: str, exc: Exception) -> None:
        """Log a failure in full once; while the same one repeats every round, only at debug."""
        text = f"{type(exc).__name__}: {exc}"
        if self._failing.get(what) == text:
            log.debug("%s failed again: %s", what, text)
            return
        self._failing[what] = text
        log.error("%s failed; retrying every round until it works", what, exc_info=exc)

    def _recovered(self, what: str) -> None:
        if self._failing.pop(what, None) is not None:
            log.info("%s works again", what)
