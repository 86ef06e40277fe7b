"""Value types the rest of the app fills from the database: samples, maintenance, sensor status."""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Literal

from sensors.catalogue import PARAMETERS
from sensors.keeper_input import MAINTENANCE_KINDS, MaintenanceKind

__all__ = [
    "MAINTENANCE_KINDS",
    "PARAMETER_LABELS",
    "PARAMETER_UNITS",
    "MaintenanceEvent",
    "MaintenanceKind",
    "Sample",
    "SampleSource",
    "SensorStatus",
    "TankHistory",
    "as_utc",
    "label",
]

SampleSource = Literal["sensor", "manual"]

# Canonical units (ARCHITECTURE.md, "Canonical stored units"), from the catalogue; conversions
# happen at the edge in sensors/, so every number that reaches health/ is already in these units.
PARAMETER_UNITS: dict[str, str] = {name: p.unit_with_basis for name, p in PARAMETERS.items()}

# How messages name a parameter.
PARAMETER_LABELS: dict[str, str] = {
    "temperature": "temperature",
    "ph": "pH",
    "conductivity": "conductivity",
    "tds": "TDS",
    "orp": "ORP",
    "oxygen": "dissolved oxygen",
    "flow": "flow",
    "level": "water level",
    "ammonia": "ammonia",
    "nitrite": "nitrite",
    "nitrate": "nitrate",
    "kh": "KH",
    "gh": "GH",
    "phosphate": "phosphate",
}


def label(parameter: str) -> str:
    """The parameter's name in a message."""
    return PARAMETER_LABELS.get(parameter, parameter)


def as_utc(moment: datetime, what: str = "time") -> datetime:
    """Return ``moment`` in UTC; a naive datetime is a bug upstream, so it raises ValueError."""
    if moment.tzinfo is UTC:  # the common case (every time from db/): astimezone would return it
        return moment
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware (UTC), got naive {moment.isoformat()}")
    return moment.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class Sample:
    """One reading in the parameter's canonical unit."""

    time: datetime
    value: float
    source: SampleSource = "sensor"

    def __post_init__(self) -> None:
        # A year's history builds tens of thousands of samples, nearly all with UTC times already.
        if self.time.tzinfo is not UTC:
            object.__setattr__(self, "time", as_utc(self.time, "Sample.time"))
        if not math.isfinite(self.value):
            raise ValueError(f"Sample.value must be a finite number, got {self.value!r}")
        if self.source not in ("sensor", "manual"):
            raise ValueError(f"Sample.source must be 'sensor' or 'manual', got {self.source!r}")


@dataclass(frozen=True, slots=True)
class MaintenanceEvent:
    """A logbook entry: a water change, a gravel or filter clean, a top-off or a note."""

    time: datetime
    kind: MaintenanceKind
    percent: float | None = None
    litres: float | None = None
    note: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "time", as_utc(self.time, "MaintenanceEvent.time"))
        if self.kind not in MAINTENANCE_KINDS:
            kinds = ", ".join(MAINTENANCE_KINDS)
            raise ValueError(f"unknown maintenance kind {self.kind!r}; use one of: {kinds}")
        if self.percent is not None and not 0 < self.percent <= 100:
            raise ValueError(f"percent must be in (0, 100], got {self.percent}")
        if self.litres is not None and not self.litres > 0:
            raise ValueError(f"litres must be positive, got {self.litres}")

    def fraction(self, volume_l: float | None) -> float | None:
        """The fraction of the tank replaced, from percent or from litres and the volume."""
        if self.percent is not None:
            return self.percent / 100.0
        if self.litres is not None and volume_l:
            return min(1.0, self.litres / volume_l)
        return None


@dataclass(frozen=True, slots=True)
class SensorStatus:
    """What the daemon knows about a configured sensor apart from its readings."""

    parameter: str
    last_seen: datetime | None
    expected_interval_s: float | None
    online: bool | None = None  # from an availability topic (Tasmota LWT); None: not reported

    def __post_init__(self) -> None:
        if self.last_seen is not None:
            object.__setattr__(self, "last_seen", as_utc(self.last_seen, "last_seen"))
        if self.expected_interval_s is not None and not self.expected_interval_s > 0:
            raise ValueError(
                f"expected_interval_s must be positive, got {self.expected_interval_s}"
            )


@dataclass(frozen=True)
class TankHistory:
    """Everything the health checks read about one tank; samples keyed by parameter name.

    Samples and maintenance are sorted by time on construction, so callers may pass them in any
    order and every check can rely on the order.
    """

    tank: str
    volume_l: float | None
    profile: str
    samples: dict[str, list[Sample]]
    maintenance: list[MaintenanceEvent]
    sensors: list[SensorStatus] = field(default_factory=list)
    created_at: datetime | None = None  # the keeper's set-up date; None: not given
    added_at: datetime | None = None  # when the tank was added to the app: its first history
    # Parameters with several sensors: each sensor's own samples by label (SAMPLES holds the
    # series the advisor follows, health/sensor_choice.py), for the disagreement check.
    by_sensor: dict[str, dict[str, list[Sample]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.volume_l is not None and not self.volume_l > 0:
            raise ValueError(f"volume_l must be positive, got {self.volume_l}")
        # Ties are broken on the content, so the order results were typed in never matters.
        ordered = {name: _in_order(values) for name, values in self.samples.items()}
        object.__setattr__(self, "samples", ordered)
        object.__setattr__(self, "maintenance", sorted(self.maintenance, key=_event_key))
        object.__setattr__(
            self,
            "by_sensor",
            {
                name: {who: _in_order(values) for who, values in sensors.items()}
                for name, sensors in self.by_sensor.items()
            },
        )
        object.__setattr__(self, "sensors", list(self.sensors))
        if self.created_at is not None:
            object.__setattr__(self, "created_at", as_utc(self.created_at, "created_at"))
        if self.added_at is not None:
            object.__setattr__(self, "added_at", as_utc(self.added_at, "added_at"))

    def series(self, parameter: str) -> list[Sample]:
        """The samples of ``parameter`` in time order (empty when there are none)."""
        return self.samples.get(parameter, [])

    def until(self, at: datetime) -> TankHistory:
        """The history as it was known at ``at``: nothing later leaks into a verdict."""
        at = as_utc(at, "at")
        if self._nothing_after(at):
            # Already cut (the alert engine, the advisor and its sensor checks each cut the same
            # history again): the copy would be equal to it, so it is the history itself.
            return self
        samples = {name: _up_to(values, at) for name, values in self.samples.items()}
        sensors = []
        for status in self.sensors:
            if status.last_seen is not None and status.last_seen > at:
                # Seen later than `at`: fall back to the last reading we had by then.
                seen = [s.time for s in samples.get(status.parameter, []) if s.source == "sensor"]
                status = replace(status, last_seen=seen[-1] if seen else None, online=None)
            sensors.append(status)
        created = self.created_at if self.created_at is None or self.created_at <= at else None
        return replace(
            self,
            samples=samples,
            maintenance=[m for m in self.maintenance if m.time <= at],
            sensors=sensors,
            created_at=created,
            by_sensor={
                name: {who: _up_to(values, at) for who, values in per.items()}
                for name, per in self.by_sensor.items()
            },
        )

    def _nothing_after(self, at: datetime) -> bool:
        """True when nothing in the history is later than AT (the lists are in time order)."""
        return (
            all(not values or values[-1].time <= at for values in self.samples.values())
            and (not self.maintenance or self.maintenance[-1].time <= at)
            and all(s.last_seen is None or s.last_seen <= at for s in self.sensors)
            and (self.created_at is None or self.created_at <= at)
            and all(
                not values or values[-1].time <= at
                for per in self.by_sensor.values()
                for values in per.values()
            )
        )


def _sample_key(s: Sample) -> tuple[datetime, str, float]:
    return (s.time, s.source, s.value)


def _in_order(values: Iterable[Sample]) -> list[Sample]:
    """VALUES sorted by _sample_key, as a new list.

    Strictly rising times are already in that order whatever the sources and values: checking
    that costs a fraction of building a key for each of a year's hourly and minute samples,
    and every until() and replace() of a history passes here again.
    """
    values = list(values)
    times = [s.time for s in values]
    if all(map(datetime.__lt__, times, times[1:])):
        return values
    values.sort(key=_sample_key)
    return values


def _up_to(values: list[Sample], at: datetime) -> list[Sample]:
    """The samples of a time-ordered list at or before AT."""
    return values[: bisect_right(values, at, key=_sample_time)]


def _sample_time(s: Sample) -> datetime:
    return s.time


def _event_key(m: MaintenanceEvent) -> tuple[datetime, str, float, float, str]:
    return (m.time, m.kind, m.percent or 0.0, m.litres or 0.0, m.note)
