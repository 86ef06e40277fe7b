"""Sending through apprise URLs (ntfy, Telegram, e-mail, Pushover, webhooks...): one attempt.

The queue, the retries with capped, jittered backoff (STYLE.md 10) and the rate limits live in
alerts/outbox_delivery.py, over the durable outbox in the database.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Sequence
from dataclasses import dataclass

import apprise

from alerts.masking import mask_url, scrub

log = logging.getLogger(__name__)

__all__ = ["Delivery", "Endpoint", "RetryPolicy", "send_test"]

# Judgement: a notification should still reach a phone after an outage of the service or of the
# home's internet (minutes to hours), but not days later: 40 attempts, doubling from 2 s to at
# most 5 minutes, span about 3 hours (alerts/outbox_delivery.py MAX_AGE stops them at 6 h).
ATTEMPTS = 40
BACKOFF_BASE_S = 2.0
BACKOFF_CAP_S = 300.0
# Judgement: no single send may hang a worker (apprise's own socket timeouts are per request).
SEND_TIMEOUT_S = 30.0


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
