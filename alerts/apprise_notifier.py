"""Delivery through apprise URLs (ntfy, Telegram, e-mail, Pushover, webhooks...).

Each URL has its own queue and worker thread: the alert engine only enqueues, so a slow or dead
service never delays an evaluation (nor the ingestion beside it), and a failing URL only delays
its own messages, never another URL's. A failed send is retried with capped, jittered backoff
and every attempt is logged (STYLE.md 10).
"""

from __future__ import annotations

import logging
import queue
import random
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

import apprise

from alerts.masking import mask_url, scrub
from alerts.notice import Notice, summary
from health.verdict import Verdict

log = logging.getLogger(__name__)

__all__ = ["AppriseNotifier", "Delivery", "Endpoint", "RetryPolicy", "send_test"]

# Judgement: a notification should still reach a phone after a short outage (a router restart,
# a service's brief 5xx) but not hours later; 6 attempts over about 2 minutes.
ATTEMPTS = 6
BACKOFF_BASE_S = 2.0
BACKOFF_CAP_S = 60.0
# Judgement: no single send may hang a worker (apprise's own socket timeouts are per request).
SEND_TIMEOUT_S = 30.0
# Judgement: an alert storm beyond this per URL is dropped oldest first rather than eat memory.
QUEUE_SIZE = 1000

_TYPES = {"fired": "failure", "repeat": "warning", "resolved": "success"}


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently one message is sent to one URL."""

    attempts: int = ATTEMPTS
    base_s: float = BACKOFF_BASE_S
    cap_s: float = BACKOFF_CAP_S

    def delay(self, attempt: int, rng: random.Random) -> float:
        """Seconds before retry ATTEMPT (1-based): "equal jitter" within a doubling, capped span.

        Half the span is fixed so a retry never comes at once; the other half is random so many
        messages failing together do not retry in step (AWS "Exponential Backoff And Jitter").
        """
        span = min(self.cap_s, self.base_s * 2 ** (attempt - 1))
        return span / 2 + rng.uniform(0, span / 2)


@dataclass(frozen=True)
class Delivery:
    """The outcome of one send to one URL; ``url`` is masked, ``reason`` scrubbed of secrets."""

    url: str
    ok: bool
    reason: str = ""


@dataclass(frozen=True)
class _Message:
    title: str
    body: str
    notify_type: str


class Endpoint:
    """One apprise URL, parsed once."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.masked = mask_url(url)
        self._server = apprise.Apprise()
        self.valid = bool(self._server.add(url))

    def send(self, title: str, body: str, notify_type: str = "info") -> Delivery:
        """One attempt; never raises."""
        if not self.valid:
            return Delivery(
                self.masked,
                False,
                "apprise does not understand this URL; check it against "
                "https://github.com/caronc/apprise/wiki",
            )
        try:
            result = self._server.notify(
                body=body, title=title, notify_type=notify_type, timeout=SEND_TIMEOUT_S
            )
        except Exception as exc:  # a plugin bug must cost one attempt, not the worker
            return Delivery(self.masked, False, scrub(f"{type(exc).__name__}: {exc}", self.url))
        if result:
            return Delivery(self.masked, True)
        return Delivery(self.masked, False, scrub(_reason(result), self.url))


def _reason(result: apprise.AppriseResult) -> str:
    """The last warning or error apprise logged for this send: its own words for the failure."""
    entries = list(result.logs())  # read to the end: apprise's log store holds a lock meanwhile
    # Entries carry level names ("WARNING"); getLevelName maps a known name back to its number.
    problems = [e.message for e in entries if _level(e.level) >= logging.WARNING]
    # Without its full stop: the reason is quoted inside our own sentences.
    return (
        problems[-1].rstrip(".")
        if problems
        else f"apprise reported {getattr(result.status, 'name', result.status)}"
    )


def _level(name: str) -> int:
    number = logging.getLevelName(str(name).upper())
    return number if isinstance(number, int) else logging.WARNING


def send_test(urls: Sequence[str]) -> list[Delivery]:
    """Send one test notification to each URL now, one attempt each (`aquarium notify-test`)."""
    return [
        Endpoint(url).send(
            "Aquarium monitor: test notification",
            "If you can read this, aquarium alerts will reach you here.",
        )
        for url in urls
    ]


class _Worker:
    """One URL's queue and the thread that empties it, retrying each message in order."""

    def __init__(self, endpoint: Endpoint, policy: RetryPolicy, rng: random.Random) -> None:
        self.endpoint = endpoint
        self.policy = policy
        self.rng = rng
        self.queue: queue.Queue[_Message | None] = queue.Queue(QUEUE_SIZE)
        self.closing = threading.Event()
        self.thread = threading.Thread(
            target=self._run, name=f"notify {endpoint.masked}", daemon=True
        )

    def put(self, message: _Message | None) -> None:
        while True:
            try:
                self.queue.put_nowait(message)
                return
            except queue.Full:
                try:
                    dropped = self.queue.get_nowait()
                except queue.Empty:
                    continue
                log.error(
                    "notification queue for %s is full; dropped %r",
                    self.endpoint.masked,
                    dropped.title if dropped else None,
                )

    def _run(self) -> None:
        while (message := self.queue.get()) is not None:
            self._deliver(message)

    def _deliver(self, message: _Message) -> None:
        for attempt in range(1, self.policy.attempts + 1):
            done = self.endpoint.send(message.title, message.body, message.notify_type)
            if done.ok:
                log.info("notified %s: %s", done.url, message.title)
                return
            last = attempt == self.policy.attempts or self.closing.is_set()
            if last:
                log.error(
                    "gave up notifying %s after %d attempt(s): %s (%s)",
                    done.url,
                    attempt,
                    done.reason,
                    message.title,
                )
                return
            delay = self.policy.delay(attempt, self.rng)
            log.warning(
                "notifying %s failed (attempt %d of %d): %s; retrying in %.1f s",
                done.url,
                attempt,
                self.policy.attempts,
                done.reason,
                delay,
            )
            # Shutting down cuts the wait short; the loop then makes its final attempt.
            self.closing.wait(delay)


class AppriseNotifier:
    """Sends each evaluation's notices to every configured apprise URL, in the background."""

    def __init__(
        self,
        urls: Sequence[str],
        policy: RetryPolicy | None = None,
        rng: random.Random | None = None,
    ) -> None:
        rng = rng or random.Random()
        self.workers = []
        for url in urls:
            endpoint = Endpoint(url)
            if not endpoint.valid:
                log.error(
                    "notification URL %s is not one apprise understands; alerts will not "
                    "reach it (try: aquarium notify-test)",
                    endpoint.masked,
                )
                continue
            self.workers.append(_Worker(endpoint, policy or RetryPolicy(), rng))

    def start(self) -> None:
        """Start one worker thread per URL."""
        for worker in self.workers:
            worker.thread.start()

    def deliver(self, verdict: Verdict, notices: Sequence[Notice]) -> None:
        """Queue one message with NOTICES for every URL; returns at once."""
        if not notices:
            return
        title, body = summary(notices)
        kinds = {n.kind for n in notices}
        kind = "fired" if "fired" in kinds else "repeat" if "repeat" in kinds else "resolved"
        message = _Message(title, body, _TYPES[kind])
        for worker in self.workers:
            worker.put(message)

    def close(self, timeout: float = 10.0) -> None:
        """Finish what is queued (one last attempt each, no more waiting), within TIMEOUT."""
        for worker in self.workers:
            worker.closing.set()
            worker.put(None)
        deadline = time.monotonic() + timeout
        for worker in self.workers:
            if worker.thread.is_alive():
                worker.thread.join(max(0.0, deadline - time.monotonic()))
            left = sum(1 for m in list(worker.queue.queue) if m is not None)
            if left or worker.thread.is_alive():
                log.warning(
                    "stopped with notifications to %s still unsent (%d queued)",
                    worker.endpoint.masked,
                    left,
                )
