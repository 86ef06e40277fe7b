"""Delivery from the durable outbox (db/outbox.py) to every apprise URL, rate-limited and merged.

One worker thread per URL reads that URL's due messages from the database, so a slow or dead
service only delays its own messages, and a restarted daemon carries on with whatever the last
one had not sent. Each URL has a rate limit; messages that pile up behind it (an alert flood:
1,100 tanks firing at once) are merged into one ("1,101 tanks need attention: ...") instead of
being dropped, and every merged row is marked sent with the message that carried it.
"""

from __future__ import annotations

import hashlib
import logging
import random
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from alerts.apprise_notifier import Endpoint, RetryPolicy
from alerts.notice import Notice
from db.outbox import (
    PendingNotification,
    abandon_unknown_endpoints,
    due_notifications,
    give_up,
    mark_failed,
    mark_sent,
)
from health.verdict import Verdict

log = logging.getLogger(__name__)

__all__ = ["NotificationOutbox", "RateLimit", "endpoint_key", "merged_message"]

# Judgement, from the services' published limits: ntfy.sh lets a visitor burst 60 requests and
# then one per 5 s; Telegram asks for about one message a second per chat and 20 a minute in a
# group; Pushover counts messages per month. Five at once, then one every 12 s, stays inside all
# of them, and nobody reads more than that on a phone anyway.
BURST = 5
REFILL_S = 12.0
# How often a worker looks at the outbox when nothing woke it (a new message wakes it at once).
POLL_S = 2.0
# Judgement: a notification older than the urgent repeat interval (alerts/rules.py REPEAT_URGENT,
# 6 h) is stale; a reminder carries the news by then. Retries stop, and the row says why.
MAX_AGE = timedelta(hours=6)
# Phone notifications truncate long bodies (ntfy 4,096 bytes, Telegram 4,096 characters).
MAX_BODY_CHARS = 3_000
NAMES_PER_RULE = 12


def endpoint_key(url: str) -> str:
    """How the outbox names URL: a hash, so the database holds no token or password."""
    return hashlib.sha256(url.encode()).hexdigest()[:32]


class RateLimit:
    """A token bucket: BURST sends at once, then one every REFILL_S seconds."""

    def __init__(
        self,
        burst: int = BURST,
        refill_s: float = REFILL_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.burst, self.refill_s, self.clock = burst, refill_s, clock
        self.tokens = float(burst)
        self.updated = clock()

    def wait_s(self) -> float:
        """Seconds until a send is allowed (0: now)."""
        self._refill()
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) * self.refill_s

    def take(self) -> None:
        self._refill()
        self.tokens -= 1

    def _refill(self) -> None:
        now = self.clock()
        self.tokens = min(self.burst, self.tokens + (now - self.updated) / self.refill_s)
        self.updated = now


def merged_message(rows: Sequence[PendingNotification]) -> tuple[str, str, str]:
    """Title, body and apprise type of one message carrying ROWS (several tanks' notices).

    Grouped by rule, the rarest first, so the one real tank in a flood of a thousand that share a
    rule is named on the first line rather than lost among the others.
    """
    if len(rows) == 1:
        return rows[0].title, rows[0].body, rows[0].notify_type
    tanks = sorted({r.tank for r in rows})
    by_rule: dict[str, set[str]] = {}
    for row in rows:
        for rule in row.rules or ("alert",):
            by_rule.setdefault(rule, set()).add(row.tank)
    urgent = [r for r in rows if r.notify_type != "success"]
    title = (
        f"{len(tanks):,} tank{'s' if len(tanks) != 1 else ''} need attention"
        if urgent
        else f"{len(tanks):,} tank{'s' if len(tanks) != 1 else ''}: alerts resolved"
    )
    lines = []
    for rule, names in sorted(by_rule.items(), key=lambda item: (len(item[1]), item[0])):
        shown = sorted(names)[:NAMES_PER_RULE]
        more = len(names) - len(shown)
        label = rule.replace("_", " ")
        count = f" ({len(names):,} tanks)" if len(names) > 1 else ""
        tail = f" and {more:,} more" if more else ""
        lines.append(f"{label}{count}: {', '.join(shown)}{tail}")
    if len(tanks) == 1:
        lines = [r.body for r in rows]
    body = "\n".join(lines)
    if len(body) > MAX_BODY_CHARS:
        cut = body[: MAX_BODY_CHARS - 40].rsplit("\n", 1)[0]
        body = cut + "\n... see the dashboard's Alerts page"
    kinds = {r.notify_type for r in rows}
    kind = "failure" if "failure" in kinds else "warning" if "warning" in kinds else "success"
    return title, body, kind


@dataclass
class _Worker:
    endpoint: Endpoint
    key: str
    thread: threading.Thread
    limit: RateLimit
    wake: threading.Event


class NotificationOutbox:
    """The sink that sends what the evaluator queued; ``deliver`` only wakes the workers."""

    def __init__(
        self,
        engine: Engine,
        urls: Sequence[str],
        policy: RetryPolicy | None = None,
        rng: random.Random | None = None,
        *,
        rate: Callable[[], RateLimit] = RateLimit,
        poll_s: float = POLL_S,
        max_age: timedelta = MAX_AGE,
    ) -> None:
        self.engine = engine
        self.policy = policy or RetryPolicy()
        self.rng = rng or random.Random()
        self.poll_s, self.max_age = poll_s, max_age
        self._closing = threading.Event()
        self.workers: list[_Worker] = []
        for url in dict.fromkeys(urls):
            endpoint = Endpoint(url)
            if not endpoint.valid:
                log.error(
                    "notification URL %s is not one apprise understands; alerts will not "
                    "reach it (try: aquarium notify-test)",
                    endpoint.masked,
                )
                continue
            key = endpoint_key(url)
            thread = threading.Thread(
                target=self._run, args=(len(self.workers),), name=f"notify {endpoint.masked}"
            )
            self.workers.append(_Worker(endpoint, key, thread, rate(), threading.Event()))
        self.sent = 0  # messages the services confirmed (a merged one counts once)

    @property
    def endpoint_keys(self) -> list[str]:
        """The keys the evaluator queues messages under, one per working URL."""
        return [w.key for w in self.workers]

    def start(self) -> None:
        """Forget messages for URLs no longer configured, then start one worker per URL."""
        dropped = abandon_unknown_endpoints(self.engine, self.endpoint_keys, datetime.now(UTC))
        if dropped:
            log.warning(
                "%d unsent notification(s) were for URLs no longer in [notify] urls; not sent",
                dropped,
            )
        for worker in self.workers:
            worker.thread.daemon = True
            worker.thread.start()

    def deliver(self, verdict: Verdict, notices: Sequence[Notice]) -> None:
        """The evaluator already queued NOTICES with the alert state: wake the workers."""
        if notices:
            for worker in self.workers:
                worker.wake.set()

    def close(self, timeout: float = 10.0) -> None:
        """Stop the workers; what is unsent stays in the outbox for the next start."""
        self._closing.set()
        for worker in self.workers:
            worker.wake.set()
        deadline = time.monotonic() + timeout
        for worker in self.workers:
            if worker.thread.is_alive():
                worker.thread.join(max(0.0, deadline - time.monotonic()))

    def _run(self, index: int) -> None:
        worker = self.workers[index]
        while not self._closing.is_set():
            try:
                waited = self._step(worker)
            except Exception:  # the database away for a moment: the rows wait, log and go on
                log.exception("reading the notification outbox failed; retrying")
                waited = self.poll_s
            if waited:
                worker.wake.wait(waited)
                if not self._closing.is_set():
                    worker.wake.clear()

    def _step(self, worker: _Worker) -> float:
        """Send what is due for WORKER's URL; returns seconds to wait before the next look."""
        now = datetime.now(UTC)
        rows = due_notifications(self.engine, worker.key, now)
        if not rows:
            return self.poll_s
        stale = [r for r in rows if now - r.created_at > self.max_age]
        if stale:
            give_up(self.engine, [r.id for r in stale], now, "older than the retry window")
            log.error(
                "gave up %d notification(s) to %s: unsent for over %s",
                len(stale),
                worker.endpoint.masked,
                self.max_age,
            )
            rows = [r for r in rows if r not in stale]
            if not rows:
                return 0.0
        wait = worker.limit.wait_s()
        if wait > 0:
            return min(wait, self.poll_s)  # meanwhile more rows may arrive: they go merged
        worker.limit.take()
        title, body, kind = merged_message(rows)
        done = worker.endpoint.send(title, body, kind)
        ids = [r.id for r in rows]
        if done.ok:
            mark_sent(self.engine, ids, datetime.now(UTC))
            self.sent += 1
            log.info("notified %s: %s", done.url, title)
            return 0.0
        attempt = max(r.attempts for r in rows) + 1
        if attempt >= self.policy.attempts:
            give_up(self.engine, ids, datetime.now(UTC), done.reason)
            log.error(
                "gave up notifying %s after %d attempt(s): %s (%s)",
                done.url,
                attempt,
                done.reason,
                title,
            )
            return 0.0
        delay = self.policy.delay(attempt, self.rng)
        mark_failed(self.engine, ids, datetime.now(UTC) + timedelta(seconds=delay), done.reason)
        log.warning(
            "notifying %s failed (attempt %d of %d): %s; retrying in %.1f s",
            done.url,
            attempt,
            self.policy.attempts,
            done.reason,
            delay,
        )
        return 0.0
