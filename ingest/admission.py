"""Which tanks a message may create: any publisher can invent topic names, so new tanks are
admitted by policy and at a bounded rate, and refused ones go to the dead letters with the fix.

`[ingest] new_tanks = "auto"` (the default) creates a tank for a new aquarium/<tank>/<parameter>
topic, at most `max_new_tanks_per_hour` an hour; `"config-only"` stores readings only for tanks
that exist already (in the config file, or added with `aquarium tank add`).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from typing import Literal

from ingest.routing import Rejected

__all__ = ["NEW_TANKS_PER_HOUR", "NewTanks", "TankAdmission"]

NewTanks = Literal["auto", "config-only"]

# Judgement: a keeper sets up a tank or two at a time, a shop a rack of ten; 20,000 invented topic
# names became 20,000 permanent tanks (RSS 71 -> 177 MB, alert rounds of 100 s). More in one hour
# is a publisher inventing names, or a migration that should use `aquarium tank add`.
NEW_TANKS_PER_HOUR = 10
# How often an unknown name may re-read the tank list (a tank added meanwhile with the CLI).
REFRESH_S = 10.0
HOUR_S = 3600.0


class TankAdmission:
    """Decides, per message, whether its tank exists or may be created; raises Rejected if not."""

    def __init__(
        self,
        known_tanks: Callable[[], Iterable[str]],
        *,
        new_tanks: NewTanks = "auto",
        per_hour: int = NEW_TANKS_PER_HOUR,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._load = known_tanks
        self.new_tanks, self.per_hour, self.clock = new_tanks, per_hour, clock
        self._known = set(known_tanks())
        self._loaded_at = clock()
        self._created: deque[float] = deque()  # when each admitted new tank was admitted
        self._lock = threading.Lock()

    def check(self, tank: str) -> None:
        """Return if TANK exists or may be created now; otherwise Rejected with the fix."""
        with self._lock:
            if tank in self._known:
                return
            now = self.clock()
            if now - self._loaded_at >= REFRESH_S:
                self._known = set(self._load())
                self._loaded_at = now
                if tank in self._known:
                    return
            if self.new_tanks == "config-only":
                raise Rejected(
                    f'tank {tank!r} does not exist and [ingest] new_tanks is "config-only"; '
                    f"add it to the config's [[tanks]] or with 'aquarium tank add {tank}'"
                )
            while self._created and now - self._created[0] >= HOUR_S:
                self._created.popleft()
            if len(self._created) >= self.per_hour:
                raise Rejected(
                    f"tank {tank!r} would be more than {self.per_hour} new tanks within an hour "
                    f"([ingest] max_new_tanks_per_hour); if it is real, add it with "
                    f"'aquarium tank add {tank}', otherwise find the publisher inventing topics"
                )
            self._created.append(now)
            self._known.add(tank)
