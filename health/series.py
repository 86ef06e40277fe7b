"""Small time-series tools shared by the checks: windows, medians, a least-squares line."""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from health.types import Sample

__all__ = [
    "LinearFit",
    "between",
    "daily_medians",
    "days",
    "fit_line",
    "latest",
    "median_value",
]

DAY_S = 86_400.0
_DECADE_DAYS = 3653.0


def days(delta: timedelta) -> float:
    """A timedelta in days, as a float."""
    return delta.total_seconds() / DAY_S


def between(samples: Iterable[Sample], start: datetime | None, end: datetime) -> list[Sample]:
    """Samples with start < time <= end (no lower bound when ``start`` is None)."""
    return [s for s in samples if (start is None or s.time > start) and s.time <= end]


def latest(samples: Sequence[Sample]) -> Sample | None:
    """The last sample of a time-ordered sequence, or None."""
    return samples[-1] if samples else None


def median_value(samples: Sequence[Sample]) -> float | None:
    """The median value, or None for no samples."""
    return statistics.median(s.value for s in samples) if samples else None


def daily_medians(samples: Iterable[Sample]) -> list[tuple[datetime, float]]:
    """One (noon UTC, median) point per UTC day, so a dense sensor and a weekly test weigh alike."""
    by_day: dict[date, list[float]] = {}
    for s in samples:
        by_day.setdefault(s.time.date(), []).append(s.value)
    points = []
    for day in sorted(by_day):
        noon = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
        points.append((noon, statistics.median(by_day[day])))
    return points


@dataclass(frozen=True, slots=True)
class LinearFit:
    """value = intercept + slope * days since origin; slope in units per day."""

    origin: datetime
    intercept: float
    slope: float
    n: int
    span_days: float
    # For the spread of the line (ordinary least squares): the residuals' standard deviation
    # (0 with two points, which fit any line), the mean of x and the sum of squares about it.
    residual_sd: float = 0.0
    mean_x: float = 0.0
    sxx: float = 1.0

    def spread_at(self, moment: datetime) -> float:
        """The standard error of the fitted value at ``moment`` from the residuals alone."""
        x = days(moment - self.origin)
        return self.residual_sd * math.sqrt(1.0 / self.n + (x - self.mean_x) ** 2 / self.sxx)

    def at(self, moment: datetime) -> float:
        """The fitted value at ``moment``."""
        return self.intercept + self.slope * days(moment - self.origin)

    def when(self, value: float) -> datetime | None:
        """When the line reaches ``value``; None if flat or not within a decade either way."""
        if self.slope == 0:
            return None
        offset = (value - self.intercept) / self.slope
        # A near-flat fit crosses centuries away (past datetime's range): that is "never".
        if abs(offset) > _DECADE_DAYS:
            return None
        return self.origin + timedelta(days=offset)


def fit_line(points: Sequence[tuple[datetime, float]]) -> LinearFit | None:
    """Ordinary least squares through (time, value) points; None with fewer than two times."""
    if len(points) < 2:
        return None
    origin = points[0][0]
    xs = [days(t - origin) for t, _ in points]
    ys = [v for _, v in points]
    mean_x = sum(xs) / len(xs)
    mean_y = sum(ys) / len(ys)
    sxx = sum((x - mean_x) ** 2 for x in xs)
    if sxx == 0:
        return None
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    slope = sxy / sxx
    intercept = mean_y - slope * mean_x
    n = len(points)
    residual_sd = 0.0
    if n > 2:
        squares = sum((y - intercept - slope * x) ** 2 for x, y in zip(xs, ys, strict=True))
        residual_sd = math.sqrt(squares / (n - 2))
    return LinearFit(origin, intercept, slope, n, max(xs) - min(xs), residual_sd, mean_x, sxx)
