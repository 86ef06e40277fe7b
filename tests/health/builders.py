"""Builders for hand-made tank histories used across the health tests."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta

from health import MaintenanceEvent, Sample, SensorStatus, TankHistory
from health.types import MaintenanceKind
from health.verdict import Verdict

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
VOLUME_L = 96.0  # the reference tank at 40 cm of water: 24 L per 10 cm (DOMAIN.md)


def day(n: float) -> datetime:
    """T0 plus ``n`` days."""
    return T0 + timedelta(days=n)


def manual(points: Iterable[tuple[float, float]]) -> list[Sample]:
    """Manual test results from (day, value) pairs."""
    return [Sample(day(d), v, "manual") for d, v in points]


def sensor(
    start: datetime, end: datetime, every: timedelta, value: Callable[[datetime], float]
) -> list[Sample]:
    """Sensor readings every ``every`` from ``start`` to ``end`` inclusive."""
    out, t = [], start
    while t <= end:
        out.append(Sample(t, value(t), "sensor"))
        t += every
    return out


def change(
    d: float, percent: float | None = 30.0, kind: MaintenanceKind = "water-change"
) -> MaintenanceEvent:
    """A logbook entry ``d`` days after T0."""
    return MaintenanceEvent(day(d), kind, percent, None)


def history(
    samples: dict[str, list[Sample]] | None = None,
    maintenance: list[MaintenanceEvent] | None = None,
    sensors: list[SensorStatus] | None = None,
    created_at: datetime | None = None,
    profile: str = "turtle-fish",
    volume_l: float | None = VOLUME_L,
) -> TankHistory:
    """A tank history for the reference tank with the given data."""
    return TankHistory(
        tank="reference",
        volume_l=volume_l,
        profile=profile,
        samples=samples or {},
        maintenance=maintenance or [],
        sensors=sensors or [],
        created_at=created_at,
    )


def reason(v: Verdict, code: str) -> str:
    """The message of the verdict's reason ``code`` (fails when absent)."""
    found = [r.message for r in v.reasons if r.code == code]
    assert found, f"{code} not in {v.codes()}"
    return found[0]
