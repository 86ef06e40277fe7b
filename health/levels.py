"""The current reading of a parameter, judged with sick-sensor gating.

Every check of "the latest value against a limit" goes through `check_level`, so the rule that a
sick sensor never drives `now` alone lives in one place.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from health.sensor_health import distrust
from health.types import Sample
from health.verdict import Reason

__all__ = ["Judge", "check_level", "current_reading"]

Judge = Callable[[Sample], Reason | None]

# Sensor noise: the current value of a sensor is the median of its last readings within this
# window, so one spike neither raises nor clears an alarm (judgement).
_SENSOR_SMOOTHING = timedelta(hours=1)
_SENSOR_READINGS = 3


def current_reading(
    samples: Sequence[Sample],
    at: datetime,
    since: datetime | None = None,
    max_age: timedelta | None = None,
) -> Sample | None:
    """The parameter's present value from time-ordered samples at or before ``at``.

    A manual test stands as it is; a sensor's value is the median of its last few readings.
    Readings at or before ``since`` (say, the last water change) or older than ``max_age`` do not
    count.
    """
    window = [
        s
        for s in samples
        if s.time <= at
        and (since is None or s.time > since)
        and (max_age is None or s.time >= at - max_age)
    ]
    if not window:
        return None
    last = window[-1]
    if last.source == "manual":
        return last
    recent = [
        s.value
        for s in window[-_SENSOR_READINGS:]
        if s.source == "sensor" and last.time - s.time <= _SENSOR_SMOOTHING
    ]
    return Sample(last.time, statistics.median(recent), "sensor")


def check_level(
    parameter: str,
    samples: Sequence[Sample],
    untrusted: dict[str, str],
    at: datetime,
    judge: Judge,
    since: datetime | None = None,
    max_age: timedelta | None = None,
) -> list[Reason]:
    """Judge the current trusted reading; a newer reading from a sick sensor only asks for a test.

    ``samples`` are fault-free readings of ``parameter``; ``untrusted`` maps parameters whose
    sensor is sick to a few words saying why.
    """
    sick = parameter in untrusted
    good = [s for s in samples if s.source == "manual" or not sick]
    suspect = [s for s in samples if s.source == "sensor" and sick]
    out: list[Reason] = []
    trusted_now = current_reading(good, at, since, max_age)
    if trusted_now is not None and (reason := judge(trusted_now)) is not None:
        out.append(reason)
    suspect_now = current_reading(suspect, at, since, max_age)
    if suspect_now is not None and (trusted_now is None or suspect_now.time > trusted_now.time):
        reason = judge(suspect_now)
        if reason is not None and reason.severity != "info":
            out.append(distrust(reason, parameter, untrusted[parameter]))
    return out
