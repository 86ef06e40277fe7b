"""Sensor health: stale, offline, flat-lined, jumping sensors and known fault values.

A sick sensor's readings never drive a `now` verdict alone (DOMAIN "What keepers ask": sensor
failure must not become bad data or a runaway decision, reef-pi 1467, 1576, 469). The checks
drop its readings and say so with a `sensor_fault` reason; manual tests still count.
"""

from __future__ import annotations

import bisect
import itertools
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from health.types import Sample, SensorStatus, TankHistory, as_utc, label
from health.verdict import Reason, Severity
from health.wording import num, when
from sensors.catalogue import PARAMETERS
from sensors.times import duration_text

__all__ = [
    "FAULT_VALUES",
    "IssueKind",
    "SensorIssue",
    "clean",
    "distrust",
    "overdue",
    "sensor_issues",
    "sensor_reasons",
    "trusted",
    "untrusted_parameters",
]

IssueKind = Literal["stale", "offline", "flatline", "jump", "fault_value", "disagree"]

# A sensor's fault values (the DS18B20's 85.0 at power-up, -127 disconnected: DOMAIN "Sensors"),
# from the catalogue: neither is a real reading.
FAULT_VALUES: dict[str, tuple[float, ...]] = {
    name: p.fault_values for name, p in PARAMETERS.items() if p.fault_values
}
# Brief for issue 4: stale after more than 3 expected intervals without a reading.
STALE_INTERVALS = 3.0
# Judgement: no aquarium probe reports faster than every few seconds (DOMAIN: Tasmota's default
# TelePeriod is 300 s); gaps shorter than this come from bursts, not from the sensor's cadence.
MIN_INFERRED_INTERVAL_S = 5.0
# Largest believable change per minute. Temperature: a tank's water cannot move 2 degC in a minute
# (DOMAIN "Temperature" asks for under 2 degC in 24 h). pH and oxygen: judgement.
JUMP_PER_MINUTE: dict[str, float] = {"temperature": 2.0, "ph": 1.0, "oxygen": 2.0}
# Judgement: these parameters jitter in real water (heater cycling, probe noise), so 12 h of
# identical values means a stuck sensor or publisher. Water level legitimately sits still.
FLATLINE_HOURS: dict[str, float] = {
    name: 12.0 for name in ("temperature", "ph", "conductivity", "tds", "orp", "oxygen", "flow")
}
FLATLINE_MIN_READINGS = 10
# Judgement: a jump or fault value keeps the sensor suspect for a day.
SUSPECT_FOR = timedelta(hours=24)
# A sensor with no configured status that went quiet over a month ago was probably removed.
INFERRED_STALE_LIMIT = timedelta(days=30)
# Two sensors of one parameter are compared over their last hour of readings (judgement: long
# enough to average out single readings, short enough to name today's problem).
DISAGREE_OVER = timedelta(hours=1)
# Only these make the sensor's readings untrustworthy; fault values are simply dropped.
_TAINTING: frozenset[str] = frozenset({"stale", "offline", "flatline", "jump"})


@dataclass(frozen=True, slots=True)
class SensorIssue:
    """Something wrong with one parameter's sensor."""

    parameter: str
    kind: IssueKind
    message: str
    since: datetime | None = None


def overdue(silent_s: float, interval_s: float) -> bool:
    """Whether a sensor silent for SILENT_S, expected every INTERVAL_S, is stale (the one rule)."""
    return silent_s > STALE_INTERVALS * interval_s


def clean(parameter: str, samples: Sequence[Sample]) -> list[Sample]:
    """The samples without sensor fault values (a keeper's manual entry is never dropped)."""
    bad = FAULT_VALUES.get(parameter, ())
    if not bad:
        return list(samples)
    return [s for s in samples if not (s.source == "sensor" and s.value in bad)]


def sensor_issues(history: TankHistory, at: datetime) -> list[SensorIssue]:
    """Every sensor problem visible at ``at``, in parameter order."""
    at = as_utc(at, "at")
    history = history.until(at)
    statuses = {s.parameter: s for s in history.sensors}
    with_sensor = {p for p, v in history.samples.items() if any(s.source == "sensor" for s in v)}
    issues: list[SensorIssue] = []
    for parameter in sorted(with_sensor | set(statuses)):
        raw = [s for s in history.series(parameter) if s.source == "sensor"]
        good = clean(parameter, raw)
        issues += _availability(parameter, good, statuses.get(parameter), at)
        issues += _flatline(parameter, good)
        issues += _jumps(parameter, good, at)
        issues += _disagreement(parameter, history.by_sensor.get(parameter, {}), at)
        bad = FAULT_VALUES.get(parameter, ())
        faults = [s for s in raw if s.value in bad and s.time > at - SUSPECT_FOR]
        if faults:
            issues.append(
                SensorIssue(
                    parameter,
                    "fault_value",
                    f"The {label(parameter)} sensor sent {len(faults)} known fault value(s) "
                    f"({num(faults[-1].value)}, last at {when(faults[-1].time)}); "
                    "they are ignored.",
                    faults[-1].time,
                )
            )
    return issues


def untrusted_parameters(issues: Sequence[SensorIssue]) -> dict[str, str]:
    """Parameters whose sensor readings must not be acted on, with the reason in a few words."""
    out: dict[str, str] = {}
    for issue in issues:
        if issue.kind in _TAINTING and issue.parameter not in out:
            out[issue.parameter] = _SHORT[issue.kind]
    return out


def trusted(parameter: str, samples: Sequence[Sample], untrusted: dict[str, str]) -> list[Sample]:
    """Fault-free samples, without the sensor's readings when that sensor is untrusted."""
    good = clean(parameter, samples)
    if parameter not in untrusted:
        return good
    return [s for s in good if s.source == "manual"]


def sensor_reasons(issues: Sequence[SensorIssue]) -> list[Reason]:
    """One informational `sensor_fault` reason per issue."""
    return [Reason("sensor_fault", issue.message, "info") for issue in issues]


def distrust(reason: Reason, parameter: str, why: str) -> Reason:
    """Turn a reason that rests on a sick sensor into a `sensor_fault` asking for a hand test.

    A `now` becomes `soon`: worth checking today, not worth acting on unconfirmed.
    """
    severity: Severity = "soon" if reason.severity in ("now", "soon") else "info"
    text = reason.message.rstrip(".")
    return Reason(
        "sensor_fault",
        f"Unconfirmed because the {label(parameter)} sensor is {why}: {text[0].lower()}{text[1:]}; "
        f"test {label(parameter)} by hand before acting.",
        severity,
    )


_SHORT: dict[str, str] = {
    "stale": "not reporting",
    "offline": "offline",
    "flatline": "flat-lined",
    "jump": "jumping implausibly",
}


def _availability(
    parameter: str, good: list[Sample], status: SensorStatus | None, at: datetime
) -> list[SensorIssue]:
    name = label(parameter)
    if status is not None and status.online is False:
        return [SensorIssue(parameter, "offline", f"The {name} sensor reports itself offline.")]
    interval = status.expected_interval_s if status is not None else None
    inferred = interval is None
    if inferred:
        tail = good[-21:]
        gaps = [(b.time - a.time).total_seconds() for a, b in itertools.pairwise(tail)]
        gaps = [g for g in gaps if g > 0]
        interval = statistics.median(gaps) if len(gaps) >= 2 else None
        if interval is not None and interval < MIN_INFERRED_INTERVAL_S:
            interval = None  # a burst (a test, a reconnect flushing a buffer) is not a cadence
    if interval is None:
        return []
    last = good[-1].time if good else (status.last_seen if status is not None else None)
    if last is None:
        every = duration_text(interval)
        msg = f"The {name} sensor has not sent a reading yet (expected every {every})."
        return [SensorIssue(parameter, "stale", msg)]
    age = at - last
    if not overdue(age.total_seconds(), interval):
        return []
    if inferred and age > INFERRED_STALE_LIMIT:
        return []
    msg = (
        f"The {name} sensor has sent nothing usable since {when(last)} "
        f"({duration_text(age.total_seconds())}; expected every {duration_text(interval)})."
    )
    return [SensorIssue(parameter, "stale", msg, last)]


def _disagreement(
    parameter: str, by_sensor: dict[str, list[Sample]], at: datetime
) -> list[SensorIssue]:
    """Two sensors of one parameter further apart than both probes' accuracy allows."""
    known = PARAMETERS.get(parameter)
    if len(by_sensor) < 2 or known is None:
        return []
    means = {}
    for name, samples in by_sensor.items():
        recent = [s.value for s in clean(parameter, samples) if s.time > at - DISAGREE_OVER]
        if recent:
            means[name] = statistics.fmean(recent)
    if len(means) < 2:
        return []

    def accuracy(value: float) -> float:
        return (known.probe_accuracy or 0.0) + known.probe_accuracy_relative * abs(value)

    low_name, high_name = min(means, key=means.__getitem__), max(means, key=means.__getitem__)
    low, high = means[low_name], means[high_name]
    allowed = accuracy(low) + accuracy(high)
    if allowed <= 0 or high - low <= allowed:
        return []
    unit = known.unit_with_basis
    message = (
        f"The {label(parameter)} sensors {low_name!r} ({num(low)} {unit}) and {high_name!r} "
        f"({num(high)} {unit}) differ by {num(high - low)} {unit}, more than their accuracy "
        f"allows (\u00b1{num(accuracy(high))} {unit} each); check both probes."
    )
    return [SensorIssue(parameter, "disagree", message, at)]


def _flatline(parameter: str, good: list[Sample]) -> list[SensorIssue]:
    hours = FLATLINE_HOURS.get(parameter)
    if hours is None or not good:
        return []
    value = good[-1].value
    if parameter == "flow" and value == 0:
        return []  # a stopped pump reads a steady 0; the flow check reports it, not a fault
    run = 0
    for s in reversed(good):
        if s.value != value:
            break
        run += 1
    start = good[-run]
    duration = good[-1].time - start.time
    if run < FLATLINE_MIN_READINGS or duration < timedelta(hours=hours):
        return []
    msg = (
        f"The {label(parameter)} sensor has read exactly {num(value)} for "
        f"{duration_text(duration.total_seconds())} ({run} readings), which real water never does."
    )
    return [SensorIssue(parameter, "flatline", msg, start.time)]


def _jumps(parameter: str, good: list[Sample], at: datetime) -> list[SensorIssue]:
    per_minute = JUMP_PER_MINUTE.get(parameter)
    if per_minute is None:
        return []
    found: tuple[Sample, Sample] | None = None
    # Only pairs ending within SUSPECT_FOR count; GOOD is in time order, so start at the first
    # such end (a year of samples would otherwise be walked to look at the last day).
    first = bisect.bisect_right(good, at - SUSPECT_FOR, key=lambda s: s.time)
    for a, b in itertools.pairwise(good[max(0, first - 1) :]):
        if b.time <= at - SUSPECT_FOR:
            continue
        if abs(b.value - a.value) <= per_minute:
            continue  # within a minute's allowance, the least any gap allows: no jump
        minutes = max((b.time - a.time).total_seconds() / 60.0, 1.0)
        if abs(b.value - a.value) > per_minute * minutes:
            found = (a, b)
    if found is None:
        return []
    a, b = found
    msg = (
        f"The {label(parameter)} sensor jumped from {num(a.value)} to {num(b.value)} at "
        f"{when(b.time)}, faster than water can change."
    )
    return [SensorIssue(parameter, "jump", msg, b.time)]
