"""What the virtual tank's instruments report: noise, quantisation, injected faults, kit rounding.

Kept apart from the water model in virtual_tank.py so the chemistry stays readable. Every random
draw comes from a generator seeded by (seed, purpose, time), so a reading depends only on the seed,
the state and the moment, never on how often someone asked before (STUCK alone remembers: it
freezes the first reading taken after the fault's onset).

"DOMAIN" below is /work/shared/DOMAIN.md, section "Sensors and their quirks" unless said otherwise.
"""

from __future__ import annotations

import enum
import math
import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

SENSORS: tuple[str, ...] = (
    "temperature",
    "ph",
    "conductivity",
    "orp",
    "oxygen",
    "flow",
    "level",
)

# DOMAIN: DS18B20 reports in 0.0625 degC steps and reads exactly 85.0 at power-up and now and then
# in long use (esphome issue 1409).
DS18B20_STEP_C = 0.0625
DS18B20_GLITCH_C = 85.0

# Test-kit colour cards (API freshwater kit, the brief's steps); kits cannot read above the top.
AMMONIA_CARD: tuple[float, ...] = (0.0, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0)
NITRITE_CARD: tuple[float, ...] = (0.0, 0.25, 0.5, 1.0, 2.0, 5.0)
NITRATE_CARD: tuple[float, ...] = (0.0, 5.0, 10.0, 20.0, 40.0, 80.0, 160.0)
KIT_PH_STEP = 0.2
# API pH kits: low range 6.0-7.6 and high range 7.4-8.8; a keeper reads whichever fits.
KIT_PH_RANGE = (6.0, 8.8)


class Fault(enum.StrEnum):
    """A fault the virtual tank can be told to show."""

    STUCK = "stuck"
    DROPOUT = "dropout"
    GLITCH_85 = "glitch85"
    PH_DRIFT = "ph-drift"
    CLOG = "clog"
    AMMONIA_SPIKE = "ammonia-spike"


@dataclass(frozen=True)
class FaultRates:
    """How hard each fault hits; judgements, so that tests and demos can turn them up or down."""

    onset_h: float = 0.0  # hours after start before any fault shows
    stuck_sensor: str = "ph"  # a frozen pH ADC is a common failure of analog probe boards
    dropout_probability: float = 0.05  # per sensor per reading
    glitch_probability: float = 0.02  # per temperature reading
    # DOMAIN: glass electrodes drift and age (~18 months). A failing one drifts far faster; 0.01/day
    # beats DOMAIN's "0.2 in a month" alarm, so a tool must tell it from a real fall via the kit.
    ph_drift_per_day: float = -0.01
    clog_factor: float = 25.0  # CLOG multiplies the bed's clogging rate (a few %/week -> ~halving)
    spike_every_days: float = 10.0  # mean gap between ammonia spikes (Poisson)
    spike_ammonia_mg_l: float = 2.0  # TAN dumped at once (e.g. a dead fish under the gravel)
    spike_biofilter_loss: float = 0.9  # share of nitrifiers lost (e.g. filter rinsed in tap water)


@dataclass(frozen=True)
class _Calibration:
    """Per-probe errors that stay put for the life of a probe (drawn once from the seed)."""

    temperature: float
    ph: float
    conductivity_gain: float
    orp: float
    oxygen: float
    flow_gain: float
    level: float

    @classmethod
    def draw(cls, seed: int) -> _Calibration:
        rng = random.Random(f"{seed}:calibration")

        def bounded(sd: float, limit: float) -> float:
            return max(-limit, min(limit, rng.gauss(0.0, sd)))

        return cls(
            temperature=bounded(0.15, 0.5),  # DOMAIN: DS18B20 +-0.5 degC
            ph=bounded(0.04, 0.1),  # DOMAIN: SEN0161 +-0.1 pH after two-point calibration
            conductivity_gain=1.0 + bounded(0.02, 0.05),  # judgement: cheap TDS/EC boards
            orp=bounded(10.0, 25.0),  # judgement: ORP electrodes disagree by tens of mV
            oxygen=bounded(0.1, 0.3),  # judgement: galvanic DO probes
            flow_gain=1.0 + bounded(0.025, 0.05),  # DOMAIN: YF-S201 +-5 % from 2 to 30 L/min
            level=bounded(0.2, 0.5),  # judgement: ultrasonic level sensor mounting
        )


def _rounded(value: float, step: float) -> float:
    return round(round(value / step) * step, 6)


class Instruments:
    """The tank's sensors and the keeper's test kit, with the injected faults."""

    def __init__(self, seed: int, faults: Iterable[Fault], rates: FaultRates) -> None:
        self._seed = seed
        self._faults = frozenset(Fault(f) for f in faults)
        self._rates = rates
        self._cal = _Calibration.draw(seed)
        self._stuck_value: float | None = None
        self._spike_rng = random.Random(f"{seed}:spikes")
        if rates.stuck_sensor not in SENSORS:
            raise ValueError(
                f"stuck_sensor {rates.stuck_sensor!r} is not a sensor; use one of {SENSORS}"
            )

    def active(self, fault: Fault, elapsed_s: float) -> bool:
        return fault in self._faults and elapsed_s >= self._rates.onset_h * 3600.0

    def clog_factor(self, elapsed_s: float) -> float:
        """How many times faster than normal the bed clogs now."""
        return self._rates.clog_factor if self.active(Fault.CLOG, elapsed_s) else 1.0

    def next_spike(self, elapsed_s: float) -> float:
        """Seconds after start of the next ammonia spike after `elapsed_s` (Poisson; inf: none)."""
        if Fault.AMMONIA_SPIKE not in self._faults:
            return math.inf
        gap = self._spike_rng.expovariate(1.0) * self._rates.spike_every_days * 86400.0
        return max(elapsed_s, self._rates.onset_h * 3600.0) + gap

    def read(self, truth: Mapping[str, float], elapsed_s: float) -> dict[str, float | None]:
        """Sensor readings for the true state at `elapsed_s` seconds after the start."""
        rng = random.Random(f"{self._seed}:sensors:{elapsed_s!r}")
        # Draw the same numbers in the same order whatever the faults, so switching one fault on
        # leaves every other reading of the run unchanged.
        noise = {name: rng.gauss(0.0, 1.0) for name in SENSORS}
        drop = {name: rng.random() for name in SENSORS}
        glitch = rng.random()
        cal = self._cal
        values: dict[str, float] = {
            "temperature": _rounded(
                truth["temperature"] + cal.temperature + 0.02 * noise["temperature"],
                DS18B20_STEP_C,
            ),
            "ph": _rounded(truth["ph"] + cal.ph + 0.015 * noise["ph"], 0.01),
            "conductivity": _rounded(
                truth["conductivity"] * cal.conductivity_gain * (1 + 0.005 * noise["conductivity"]),
                1.0,
            ),
            "orp": _rounded(truth["orp"] + cal.orp + 3.0 * noise["orp"], 1.0),
            "oxygen": _rounded(
                max(0.0, truth["oxygen"] + cal.oxygen + 0.05 * noise["oxygen"]), 0.01
            ),
            "flow": _rounded(truth["flow"] * cal.flow_gain * (1 + 0.01 * noise["flow"]), 0.01),
            "level": _rounded(truth["level"] + cal.level + 0.1 * noise["level"], 0.1),
        }
        if self.active(Fault.PH_DRIFT, elapsed_s):
            days = elapsed_s / 86400.0 - self._rates.onset_h / 24.0
            values["ph"] = _rounded(values["ph"] + self._rates.ph_drift_per_day * days, 0.01)
        if self.active(Fault.STUCK, elapsed_s):
            if self._stuck_value is None:
                self._stuck_value = values[self._rates.stuck_sensor]
            values[self._rates.stuck_sensor] = self._stuck_value
        readings: dict[str, float | None] = dict(values)
        if self.active(Fault.GLITCH_85, elapsed_s) and glitch < self._rates.glitch_probability:
            readings["temperature"] = DS18B20_GLITCH_C
        if self.active(Fault.DROPOUT, elapsed_s):
            for name in SENSORS:
                if drop[name] < self._rates.dropout_probability:
                    readings[name] = None
        return readings

    def kit(self, truth: Mapping[str, float], elapsed_s: float) -> dict[str, float]:
        """Test-kit results as a keeper would write them down: colour-card steps, whole drops."""
        rng = random.Random(f"{self._seed}:kit:{elapsed_s!r}")
        # Judgement: matching a colour is good to about 15 %, enough to land a step off sometimes.
        ammonia = truth["ammonia"] * math.exp(rng.gauss(0.0, 0.15))
        nitrite = truth["nitrite"] * math.exp(rng.gauss(0.0, 0.15))
        nitrate = truth["nitrate"] * math.exp(rng.gauss(0.0, 0.15))
        ph = truth["ph"] + rng.gauss(0.0, 0.05)
        # Titration kits count drops until the colour turns: one drop per degree.
        kh = truth["kh"] + rng.gauss(0.0, 0.3)
        gh = truth["gh"] + rng.gauss(0.0, 0.3)
        low, high = KIT_PH_RANGE
        return {
            "ammonia": card_step(ammonia, AMMONIA_CARD),
            "nitrite": card_step(nitrite, NITRITE_CARD),
            "nitrate": card_step(nitrate, NITRATE_CARD),
            "ph": _rounded(min(high, max(low, ph)), KIT_PH_STEP),
            "kh": float(max(0, round(kh))),
            "gh": float(max(0, round(gh))),
        }


def card_step(value: float, card: tuple[float, ...]) -> float:
    """The colour on `card` nearest to `value`; cards step about geometrically: compare logs."""
    first = card[1]
    if value < first / 2:
        return 0.0
    return min(card[1:], key=lambda step: abs(math.log(value / step)))
