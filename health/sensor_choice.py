"""Several sensors of one parameter (two DS18B20s: tank and bed outlet) as the advisor reads them.

The advisor follows the sensor the config marks primary while it reports, else the median of
those reporting; their readings are never mixed into one zig-zag series (DOMAIN "Sensors":
a DS18B20 reads to +-0.5 degC, so two probes may honestly differ by up to 1 degC).
"""

from __future__ import annotations

import statistics
from datetime import timedelta

from health.types import Sample

__all__ = ["REPORTING_WINDOW", "chosen_series"]

# A sensor counts as reporting for this long after its last reading: three of Tasmota's default
# 300 s TelePeriod (DOMAIN "Sensors"), the same three intervals sensor_health calls stale.
REPORTING_WINDOW = timedelta(minutes=15)


def chosen_series(
    by_sensor: dict[str, list[Sample]],
    primary: str | None,
    window: timedelta = REPORTING_WINDOW,
) -> list[Sample]:
    """One series from several sensors' time-ordered SAMPLES (keyed by label).

    At each reading: the primary's own readings while it reports; otherwise the median of the
    latest reading of every sensor heard within WINDOW.
    """
    if len(by_sensor) == 1:
        return list(next(iter(by_sensor.values())))
    merged = sorted(
        ((s, name) for name, samples in by_sensor.items() for s in samples),
        key=lambda pair: (pair[0].time, pair[1]),
    )
    latest: dict[str, Sample] = {}
    out: list[Sample] = []
    for sample, name in merged:
        latest[name] = sample
        fresh = {n: s for n, s in latest.items() if s.time >= sample.time - window}
        if primary in fresh:
            if name == primary:
                out.append(sample)
            continue
        value = statistics.median(s.value for s in fresh.values())
        out.append(Sample(sample.time, value, sample.source))
    return out
