"""Duties that run in one worker at a time: whoever holds the duty's lease runs it; the others
stand by and take the lease when its holder is gone (db/lease.py says how the engine decides).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Protocol

from db.lease import Lease

log = logging.getLogger(__name__)

# A standby asks for a free lease this often: with PostgreSQL releasing a dead holder's lock at
# once, this is the failover delay (plus the duty's own start, e.g. the MQTT connect).
ACQUIRE_EVERY_S = 2.0
# The holder checks its lease connection this often, and stops the duty when it is gone, so a
# worker cut off from the database does not go on beside its successor for longer than this.
CHECK_EVERY_S = 1.0


class Duty(Protocol):
    """Something started when the lease is won and stopped when it is lost or given up."""

    def start(self) -> None: ...

    def stop(self) -> None: ...


class ElectedDuty:
    """Runs a fresh duty from MAKE whenever this process holds LEASE; a thread does the asking."""

    def __init__(
        self,
        lease: Lease,
        make: Callable[[], Duty],
        *,
        acquire_every_s: float = ACQUIRE_EVERY_S,
        check_every_s: float = CHECK_EVERY_S,
    ) -> None:
        self.lease, self.make = lease, make
        self.acquire_every_s, self.check_every_s = acquire_every_s, check_every_s
        self.duty: Duty | None = None
        self.terms = 0  # how many times this process has held the lease
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name=f"lease-{lease.name}", daemon=True)

    @property
    def name(self) -> str:
        return self.lease.name

    @property
    def active(self) -> bool:
        """Whether the duty runs in this process now."""
        return self.duty is not None

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Stop the duty (if running here) and give the lease up for the next worker."""
        self._stop.set()
        self._thread.join(timeout=60)
        with self._lock:
            self._end_term()
        self.lease.release()

    def _run(self) -> None:
        while not self._stop.is_set():
            with self._lock:
                if self.duty is None:
                    self._try_to_begin()
                elif not self.lease.still_held():
                    self._end_term()
            self._stop.wait(self.check_every_s if self.duty else self.acquire_every_s)

    def _try_to_begin(self) -> None:
        if self._stop.is_set() or not self.lease.acquire():
            return
        try:
            duty = self.make()
            duty.start()
        except Exception:  # a duty that cannot start must not keep the lease from others
            log.exception("could not start %s; giving its lease up", self.name)
            self.lease.release()
            return
        self.duty = duty
        self.terms += 1
        if self.lease.exclusive:
            log.info("took the %s lease: this worker runs %s now", self.name, self.name)

    def _end_term(self) -> None:
        if self.duty is None:
            return
        duty, self.duty = self.duty, None
        try:
            duty.stop()
        except Exception:
            log.exception("error stopping %s", self.name)
