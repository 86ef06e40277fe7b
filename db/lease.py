"""Leases: which worker runs a duty that must run once (ingest's one MQTT session, alerts,
housekeeping), with failover, held by the database engine itself.

PostgreSQL: a session-level advisory lock (pg_try_advisory_lock) on a connection kept open for
the lease. The server releases it the moment that connection ends: at once when the holder's
process dies (the kernel closes its socket), within the keepalive bound below when its machine
or network dies. No lease rows to expire, no clocks to agree on.

SQLite has one writer on one machine: the lease is always granted, and a second daemon on one
file is the heartbeat's business (db/daemon_status.py), as it was before workers existed.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging

from sqlalchemy import Connection, Engine, text

log = logging.getLogger(__name__)

# Server-side TCP keepalive on the lease connection: a holder whose machine vanished (power cut,
# cable) is noticed after idle + interval x count = 10 + 5 x 3 = 25 s, inside the 30 s failover
# bound of docs/scaling.md. These settings are per session and need no privileges.
KEEPALIVE_IDLE_S = 10
KEEPALIVE_INTERVAL_S = 5
KEEPALIVE_COUNT = 3


def lease_key(name: str) -> int:
    """The advisory lock key of lease NAME: a signed 64-bit hash, stable across versions."""
    digest = hashlib.blake2b(f"aquarium lease {name}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


class Lease:
    """One named lease in ENGINE's database; acquire() is non-blocking, still_held() is cheap."""

    def __init__(self, engine: Engine, name: str) -> None:
        self.engine, self.name = engine, name
        self.key = lease_key(name)
        self._conn: Connection | None = None
        self._held = False

    @property
    def exclusive(self) -> bool:
        """Whether the engine can hold this lease against other processes (PostgreSQL)."""
        return self.engine.dialect.name == "postgresql"

    @property
    def held(self) -> bool:
        """Whether this process holds the lease (as far as it last checked)."""
        return self._held

    def acquire(self) -> bool:
        """Take the lease if nobody holds it; True when this process holds it now."""
        if self._held:
            return True
        if not self.exclusive:
            self._held = True
            return True
        try:
            if self._conn is None:
                self._conn = self._open()
            got = bool(
                self._conn.execute(
                    text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key}
                ).scalar()
            )
        except Exception as exc:  # the database is away: not held, try again later
            log.debug("lease %s not taken: %s", self.name, exc)
            self._drop_connection()
            return False
        self._held = got
        return got

    def still_held(self) -> bool:
        """Check that the lease's connection (and so the lock) is alive; False once it is lost."""
        if not self._held or not self.exclusive:
            return self._held
        try:
            assert self._conn is not None
            self._conn.execute(text("SELECT 1")).scalar()
        except Exception as exc:
            log.error(
                "lost the database connection that holds the %s lease (%s); another worker "
                "takes over",
                self.name,
                _one_line(exc),
            )
            self._held = False
            self._drop_connection()
        return self._held

    def release(self) -> None:
        """Give the lease up at once, for the next worker."""
        if self._held and self._conn is not None:
            # Closing alone frees it too, but only once the server has seen the close; a broken
            # connection has taken the lock with it.
            with contextlib.suppress(Exception):
                self._conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self.key})
        self._held = False
        self._drop_connection()

    def _open(self) -> Connection:
        # Autocommit: the lock belongs to the session, and an idle open transaction would hold
        # back vacuum for as long as the lease lasts.
        conn = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        for setting, value in (
            ("tcp_keepalives_idle", KEEPALIVE_IDLE_S),
            ("tcp_keepalives_interval", KEEPALIVE_INTERVAL_S),
            ("tcp_keepalives_count", KEEPALIVE_COUNT),
        ):
            conn.execute(text(f"SET {setting} = {int(value)}"))
        conn.execute(
            text("SELECT set_config('application_name', :name, false)"),
            {"name": f"aquarium lease {self.name}"[:63]},
        )
        return conn

    def _drop_connection(self) -> None:
        if self._conn is not None:
            try:
                self._conn.invalidate()  # never back to the pool: the lock must end with it
                self._conn.close()
            except Exception:  # already broken: nothing more to release
                pass
            self._conn = None


def _one_line(exc: BaseException) -> str:
    cause = getattr(exc, "orig", None) or exc
    return str(cause).splitlines()[0][:200] if str(cause) else type(cause).__name__
