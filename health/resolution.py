"""What a result can tell: the kit's or probe's resolution, and one value per moment.

DOMAIN "Test kits: what a result can tell": kits read in colour steps, so a difference within one
step is noise, and two results of one parameter at one moment are one observation. The steps
themselves are facts about kits and probes, so they live in the sensor catalogue.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby

from health.profiles import Profile
from health.types import Sample
from sensors.catalogue import PARAMETERS

__all__ = ["Disagreement", "beyond", "combine_moments", "resolution"]

# Floating point slack: 7.6 - 7.4 is 0.1999..., which is one step, not more.
_EPSILON = 1e-9


def resolution(parameter: str, value: float, source: str, profile: Profile | None = None) -> float:
    """The smallest difference a result of ``parameter`` near ``value`` can tell (0: unknown).

    A manual result uses the keeper's kit when the profile names its step (``<param>_kit_step``),
    else the catalogue's card; a sensor reading uses the probe's accuracy.
    """
    info = PARAMETERS.get(parameter)
    if info is None:
        return 0.0
    if source == "manual":
        own = getattr(profile, f"{parameter}_kit_step", 0.0) if profile else 0.0
        if own:
            return float(own)
        step, relative = info.kit_step, info.kit_step_relative
    else:
        step, relative = info.probe_accuracy, info.probe_accuracy_relative
    return max(step or 0.0, relative * abs(value))


def beyond(difference: float, step: float) -> bool:
    """True when ``difference`` is more than one ``step``: something a kit can actually see."""
    return difference > step + _EPSILON


@dataclass(frozen=True, slots=True)
class Disagreement:
    """Results of one parameter at one moment that differ by more than the kit can tell."""

    parameter: str
    time: datetime
    values: tuple[float, ...]
    step: float
    mean: float


def combine_moments(
    parameter: str, samples: Sequence[Sample], profile: Profile | None = None
) -> tuple[list[Sample], list[Disagreement]]:
    """One sample per (moment, source): the mean of simultaneous results, whatever their order.

    ``samples`` are in time order. Where the results of one moment differ by more than the
    resolution, the moment is reported so the keeper can retest; the mean still stands for it.
    """
    times = [s.time for s in samples]
    if all(map(datetime.__lt__, times, times[1:])):
        return list(samples), []  # one sample per moment already (every sensor series)
    combined: list[Sample] = []
    disagreements: list[Disagreement] = []
    for (moment, source), group in groupby(samples, key=lambda s: (s.time, s.source)):
        alike = list(group)
        if len(alike) == 1:
            combined.append(alike[0])  # already one value for its moment: keep the sample itself
            continue
        values = tuple(sorted(s.value for s in alike))
        # fsum rounds once, so the mean does not depend on the order the results came in.
        mean = math.fsum(values) / len(values)
        combined.append(Sample(moment, mean, source))
        step = resolution(parameter, mean, source, profile)
        if step and beyond(values[-1] - values[0], step):
            disagreements.append(Disagreement(parameter, moment, values, step, mean))
    return combined, disagreements
