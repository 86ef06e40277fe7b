"""Batching: messages wait here until their rows are committed, and only then are acknowledged."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from db.availability import AvailabilityChange
from db.dead_letters import DeadLetter
from db.readings import BatchResult, NewReading
from sensors.errors import AquariumError

log = logging.getLogger(__name__)


class Store(Protocol):
    """Where batches go (db.readings.BatchStore; tests may hand in a failing one)."""

    def write(
        self,
        batch: list[NewReading],
        letters: list[DeadLetter],
        availability: Sequence[AvailabilityChange] = (),
    ) -> BatchResult: ...


@dataclass(slots=True)  # slots: one is made per message, on the network thread
class PendingMessage:
    """One received message: what it became, and what to ack once that is committed."""

    mid: int
    qos: int
    generation: int  # the connection it arrived on; acks never cross a reconnect
    readings: list[NewReading] = field(default_factory=list)
    letter: DeadLetter | None = None
    availability: AvailabilityChange | None = None  # a device's LWT / status message


@dataclass
class IngestStats:
    """Counters for logs, tests and the benchmark."""

    received: int = 0
    stored: int = 0
    duplicates: int = 0
    rejected: int = 0
    # Messages that carry no reading by design: our own advice topics, availability, retained
    # states without a time. With the above they account for every message received.
    ignored: int = 0
    batches: int = 0
    store_failures: int = 0
    most_waiting: int = 0  # the most messages that waited at once (bounded by max_pending)
    paused: int = 0  # times reading from the broker paused because max_pending were waiting


class Batcher:
    """Collects messages and commits them in batches from its own thread, then acks them in order.

    A failed commit keeps the batch and retries with a capped delay: nothing is acked, so the
    broker keeps the messages (and stops sending once its in-flight window is full). QoS 0
    messages have no such window, so at most MAX_PENDING messages wait here: add() then blocks
    the network thread, which stops reading from the socket, and the broker holds (or, for
    QoS 0, drops) what it cannot send, per its own limits (README, "Why it does not lose
    readings").
    """

    def __init__(
        self,
        store: Store,
        ack: Callable[[list[PendingMessage]], None],
        *,
        max_batch: int = 500,
        max_delay_s: float = 0.05,
        retry_cap_s: float = 5.0,  # a fixed disk is noticed within 5 s; retries stay cheap
        # 20,000 waiting messages are about 15 MB (300,000 took the daemon from 78 to 308 MB),
        # and 40 batches: plenty to ride out a short lock at full speed.
        max_pending: int = 20_000,
    ) -> None:
        self.store = store
        self.ack = ack
        self.max_batch = max_batch
        self.max_delay_s = max_delay_s
        self.retry_cap_s = retry_cap_s
        self.max_pending = max(max_pending, max_batch)
        self.stats = IngestStats()
        self._pending: list[PendingMessage] = []
        self._cond = threading.Condition()
        self._stopping = False
        self._failing = False

    @property
    def pending(self) -> int:
        """Messages received and not yet committed."""
        return len(self._pending)

    def add(self, message: PendingMessage) -> None:
        """Queue a message (called from the MQTT network thread)."""
        with self._cond:
            if len(self._pending) >= self.max_pending and not self._stopping:
                self.stats.paused += 1
                if self.stats.paused == 1 or self._failing:
                    log.warning(
                        "%d messages are waiting for the database; reading from the broker is "
                        "paused until they are stored",
                        len(self._pending),
                    )
                self._cond.notify_all()
                self._cond.wait_for(lambda: len(self._pending) < self.max_pending or self._stopping)
            self._pending.append(message)
            waiting = len(self._pending)
            stats = self.stats
            stats.received += 1
            if waiting > stats.most_waiting:
                stats.most_waiting = waiting
            if waiting >= self.max_batch:
                self._cond.notify_all()

    def run(self) -> None:
        """The writer loop; returns after stop() once everything queued is committed or given up."""
        retry_delay = 0.0
        while True:
            with self._cond:
                if not self._stopping and len(self._pending) < self.max_batch and not retry_delay:
                    self._cond.wait(timeout=self.max_delay_s)
                batch = self._pending[: self.max_batch]
                stopping = self._stopping
            if batch:
                if self._commit(batch):
                    retry_delay = 0.0
                    with self._cond:
                        del self._pending[: len(batch)]
                        self._cond.notify_all()  # add() may be waiting for room
                    self.ack(batch)  # in order, in one call: one wake of the network thread
                else:
                    retry_delay = min(self.retry_cap_s, max(0.5, retry_delay * 2))
                    if stopping:
                        log.error(
                            "stopping with %d messages not stored; they were not acknowledged, "
                            "so the broker will deliver them again",
                            len(self._pending),
                        )
                        return
                    with self._cond:  # wait out the delay, but wake at once for stop()
                        self._cond.wait_for(lambda: self._stopping, timeout=retry_delay)
                    continue
            if stopping and not self._pending:
                return

    def stop(self) -> None:
        """Ask run() to flush what is queued and return."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()

    def _commit(self, batch: list[PendingMessage]) -> bool:
        readings = [r for m in batch for r in m.readings]
        letters = [m.letter for m in batch if m.letter is not None]
        changes = [m.availability for m in batch if m.availability is not None]
        try:
            result = self.store.write(readings, letters, changes)
        except Exception as exc:  # any store failure: keep the batch, say so once
            self.stats.store_failures += 1
            if not self._failing:
                log.error(
                    "cannot store readings (%s); holding %d messages unacknowledged and retrying",
                    _one_line(exc),
                    len(batch),
                )
                self._failing = True
            return False
        if self._failing:
            log.warning("storing again after %d failed attempts", self.stats.store_failures)
            self._failing = False
        self.stats.batches += 1
        self.stats.stored += result.stored
        self.stats.duplicates += result.duplicates
        self.stats.rejected += result.dead_letters
        self.stats.ignored += sum(1 for m in batch if not m.readings and m.letter is None)
        return True


def _one_line(exc: BaseException) -> str:
    if isinstance(exc, AquariumError):  # our own message: one line already, ending in the fix
        return str(exc)
    cause = getattr(exc, "orig", None) or exc
    return str(cause).splitlines()[0][:200] if str(cause) else type(cause).__name__
