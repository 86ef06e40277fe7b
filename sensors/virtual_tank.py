"""A virtual tank: a seeded, deterministic model of the reference tank's water, bed and heater.

Pure: no I/O and no wall clock. The MQTT publisher and the database backfill drive it with
advance() and read sensor_readings() and test_kit_readings(); tests read `truth`.

Sources: "DOMAIN" is /work/shared/DOMAIN.md (section named; it names the original sources). A number
marked "judgement" has none and is a TankSpec field. Nitrogen is kept as mg N/L, so the chain
ammonia -> nitrite -> nitrate is 1:1:1, and reported in canonical units (TAN as NH3, NO2, NO3).
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sensors.virtual_tank_faults import Fault, FaultRates, Instruments

__all__ = ["Fault", "FaultRates", "TankSpec", "VirtualTank"]

# DOMAIN, Nitrogen cycle: NH3 = 1.216 x NH3-N, NO2 = 3.29 x NO2-N, NO3 = 4.43 x NO3-N.
NH3_PER_N = 1.216
NO2_PER_N = 3.29
NO3_PER_N = 4.43
# DOMAIN, Alkalinity: 1 dKH = 17.86 mg/L CaCO3; nitrifying 1 mg NH4-N uses ~4.6 mg O2.
CACO3_PER_DKH = 17.86
O2_PER_N_NITRIFIED = 4.57
PK1_CARBONIC = 6.35  # first pKa of carbonic acid at 25 degC (Henderson-Hasselbalch pH/KH/CO2 table)
WATER_HEAT_J_PER_L_K = 4186.0
MAX_STEP_S = 3600.0  # every update below is exact or exponential, so an hour is safe
DAY_S = 86400.0


@dataclass(frozen=True)
class TankSpec:
    """The tank, its animals and its keeper's habits. Defaults describe the reference tank."""

    # DOMAIN, The reference tank: 60 x 40 cm, 24 L per 10 cm; depth not stated, 40 cm assumed.
    length_cm: float = 60.0
    width_cm: float = 40.0
    volume_l: float = 96.0
    # The bioload knob. DOMAIN, Water changes: a turtle tank can gain 30-40 mg/L a week (heavy end).
    nitrate_gain_per_week: float = 20.0
    feed_hours: tuple[float, ...] = (9.0,)  # judgement: juvenile turtles fed once a day
    feed_variation: float = 0.1  # judgement: rations vary +-10 %
    waste_half_life_h: float = 12.0  # judgement: digestion, excretion and leftovers last a day
    # Judgement: Elodea and hornwort (DOMAIN livestock) take up ammonium; it only matters when TAN
    # is high, blunting a new tank's peak without touching an established tank's nitrate.
    plant_uptake_per_day: float = 0.15
    # Redfield N:P 16:1 by atoms is ~0.1 mg PO4 per mg NO3; fish food is close (judgement).
    phosphate_per_nitrate: float = 0.1
    # Judgement: algae, plants and calcium phosphate take ~2 %/day; neglect levels off ~15 mg/L.
    phosphate_removal_per_day: float = 0.02
    # Judgement: ~1.25 mg/L TDS of food minerals per mg/L NO3, and TDS ~ 0.5 EC (DOMAIN, Sensors).
    conductivity_per_nitrate: float = 2.5
    # Tap water (judgement: moderately hard city water); DOMAIN gives no numbers.
    tap_nitrate: float = 0.0
    tap_conductivity: float = 300.0
    tap_kh: float = 8.0
    tap_gh: float = 10.0
    # DOMAIN, Temperature: Reeve's turtle 24-27 degC, paradise fish up to 26 degC.
    set_point_c: float = 25.0
    hysteresis_c: float = 0.25  # judgement: a typical heater thermostat's band
    heater_w: float = 100.0  # judgement: the ~1 W/L rule of thumb
    heat_loss_w_per_k: float = 10.0  # judgement: open glass tank, ~11 h time constant
    room_mean_c: float = 21.0  # judgement
    room_swing_c: float = 3.0  # judgement: warmest at 15:00, coolest at 03:00
    lamp_w: float = 20.0  # judgement: the basking lamp's heat reaching the water
    lights_on_h: float = 8.0
    lights_off_h: float = 20.0
    # Judgement: CO2 of an aerated tank with heavy livestock; plants draw it down by day.
    co2_mg_l: float = 3.0
    co2_day_night_fraction: float = 0.15
    # DOMAIN, Alkalinity: nitrifying 1 mg NH4-N destroys 6.3-7.4 mg alkalinity (as CaCO3).
    alkalinity_per_n: float = 7.14
    # Stoichiometry: excreted NH3 or urea takes up one H+ per N on becoming NH4+, returning half
    # of the two H+ per N nitrification releases (applying it is a judgement).
    excretion_alkalinity_return: float = 0.5
    # Judgement: a mature bed's first-order rate, keeping TAN and nitrite under a kit's first step
    # (DOMAIN, Nitrogen cycle: in an established tank any detectable ammonia or nitrite is trouble).
    nitrify_rate_per_day: float = 80.0
    # Judgement, tuned to DOMAIN's new-tank cycle: ammonia ~2 weeks, nitrite ~2 weeks, 4-8 in all.
    aob_growth_per_day: float = 0.25
    nob_growth_per_day: float = 0.25
    seed_biomass: float = 2e-5  # share of a mature bed's bacteria present in a new tank
    half_saturation_n: float = 0.02  # mg N/L: nitrifiers grow near full speed until starved
    # Judgement within DOMAIN's YF-S201 range (2-30 L/min); about 5 tank volumes an hour.
    pump_flow_l_min: float = 8.0
    clog_per_week: float = 0.03  # judgement: "a few % a week" (DOMAIN gives no rate)
    evaporation_cm_per_day: float = 0.15  # judgement: open tank under a basking lamp
    top_off_every_days: float | None = 7.0  # keeper tops off with tap water; None: never
    # Judgement: surface reaeration by the pump's return, per hour, at full and at no flow.
    reaeration_per_h: float = 2.0
    reaeration_still_per_h: float = 0.3
    waste_o2_per_n: float = 15.0  # judgement: O2 for the carbon of waste (C:N ~ 5.5, 2.67 O2/C)
    # DOMAIN, Sensors: ORP above +50 mV aerobic, below -50 mV sulphate reduction.
    orp_aerobic_mv: float = 300.0
    orp_anoxic_mv: float = -150.0
    orp_lag_h: float = 6.0  # judgement: the redox couple settles over hours
    fault_rates: FaultRates = field(default_factory=FaultRates)

    @property
    def area_cm2(self) -> float:
        return self.length_cm * self.width_cm

    @property
    def full_level_cm(self) -> float:
        return self.volume_l * 1000.0 / self.area_cm2


class VirtualTank:
    """The reference tank, advanced in time by the caller; deterministic for a given seed."""

    def __init__(
        self,
        spec: TankSpec | None = None,
        *,
        seed: int = 0,
        start: datetime,
        faults: Iterable[Fault] = (),
        established: bool = True,
        auto_feed: bool = True,
    ) -> None:
        self.spec = s = spec or TankSpec()
        self.seed, self.start = seed, start
        self._inst = Instruments(seed, faults, s.fault_rates)
        self._t = 0.0
        # Feeding and lights follow the clock `start` is given in: pass the keeper's local time.
        self._day_s0 = start.hour * 3600.0 + start.minute * 60.0 + start.second
        self._feed_rng = random.Random(f"{seed}:feeding")
        self._next_feed = self._next_clock_time(s.feed_hours) if auto_feed else math.inf
        self._next_top_off = s.top_off_every_days * DAY_S if s.top_off_every_days else math.inf
        self._next_spike = self._inst.next_spike(0.0)
        gain_n = s.nitrate_gain_per_week / NO3_PER_N if established else 0.0
        self._vol = s.volume_l
        self._temp = s.set_point_c
        self._heater_on = False
        self._waste = self._tan = self._no2 = 0.0  # waste: N not yet broken down to ammonia
        self._no3 = s.tap_nitrate / NO3_PER_N + gain_n  # established: a week after a change
        self._po4 = gain_n * NO3_PER_N * s.phosphate_per_nitrate
        self._ec = s.tap_conductivity + gain_n * NO3_PER_N * s.conductivity_per_nitrate
        self._kh, self._gh = s.tap_kh, s.tap_gh
        self._aob = self._nob = 1.0 if established else s.seed_biomass
        self._flow = 1.0  # share of the clean bed's flow
        self._oxygen = _o2_saturation(self._temp)
        self._orp = s.orp_aerobic_mv

    @property
    def now(self) -> datetime:
        return self.start + timedelta(seconds=self._t)

    def _hour(self, t: float) -> float:
        return ((self._day_s0 + t) / 3600.0) % 24.0

    def _next_clock_time(self, hours: tuple[float, ...]) -> float:
        """Seconds after start of the next moment strictly after now at one of `hours` o'clock."""
        if not hours:
            return math.inf
        day_now = (self._day_s0 + self._t) % DAY_S
        waits = [((h * 3600.0 - day_now) % DAY_S) or DAY_S for h in hours]
        return self._t + min(waits)

    def advance(self, seconds: float) -> None:
        """Move the model `seconds` forward, firing feedings, top-offs and faults on the way."""
        if seconds < 0:
            raise ValueError("the virtual tank cannot go back in time; pass seconds >= 0")
        end = self._t + seconds
        while self._t < end:
            due = min(self._next_feed, self._next_top_off, self._next_spike)
            nxt = min(end, self._t + MAX_STEP_S, due)  # land exactly on events: step-independent
            self._step(nxt - self._t)
            self._t = nxt
            if self._t >= self._next_feed:
                self.feed()
                self._next_feed = self._next_clock_time(self.spec.feed_hours)
            if self._t >= self._next_top_off:
                self.top_off()
                self._next_top_off += (self.spec.top_off_every_days or math.inf) * DAY_S
            if self._t >= self._next_spike:
                self._ammonia_spike()
                self._next_spike = self._inst.next_spike(self._t)

    def feed(self) -> None:
        """One meal: a day's nitrogen split over the daily feedings, varied a little."""
        s = self.spec
        day_n_mg = s.nitrate_gain_per_week / 7.0 / NO3_PER_N * s.volume_l
        share = day_n_mg / max(1, len(s.feed_hours))
        share *= 1.0 + s.feed_variation * (2.0 * self._feed_rng.random() - 1.0)
        self._waste += share / self._vol

    def water_change(self, fraction: float) -> None:
        """Swap `fraction` for tap water: C_after = C (1 - f) + C_tap f (DOMAIN, Water changes)."""
        if not 0.0 <= fraction <= 1.0:
            raise ValueError(f"water change fraction must be within 0..1, got {fraction}")
        self._mix(fraction)
        # Fresh tap water arrives saturated with O2 and matched in temperature by the keeper.
        self._oxygen += fraction * (_o2_saturation(self._temp) - self._oxygen)

    def top_off(self) -> None:
        """Refill to the full mark with tap water; evaporation left the solutes behind."""
        added = self.spec.volume_l - self._vol
        if added > 0:
            self._mix(added / self.spec.volume_l)
            self._vol = self.spec.volume_l

    def gravel_clean(self) -> None:
        """Siphon the mulm out of the bed: flow through it is restored."""
        self._flow = 1.0

    def _mix(self, f: float) -> None:
        """A share f of the water becomes tap water (tap has no ammonia, nitrite or phosphate)."""
        s = self.spec
        self._concentrate(1.0 - f)
        self._no3 += s.tap_nitrate / NO3_PER_N * f
        self._ec += s.tap_conductivity * f
        self._kh += s.tap_kh * f
        self._gh += s.tap_gh * f

    def _concentrate(self, factor: float) -> None:
        for name in ("_waste", "_tan", "_no2", "_no3", "_po4", "_ec", "_kh", "_gh"):
            setattr(self, name, getattr(self, name) * factor)

    def _ammonia_spike(self) -> None:
        rates = self.spec.fault_rates
        self._tan += rates.spike_ammonia_mg_l / NH3_PER_N
        self._aob *= 1.0 - rates.spike_biofilter_loss
        self._nob *= 1.0 - rates.spike_biofilter_loss

    def _step(self, dt_s: float) -> None:
        if dt_s <= 0:
            return
        s = self.spec
        dt = dt_s / DAY_S
        hour = self._hour(self._t + dt_s / 2)
        self._heat(dt_s, hour)
        # Evaporation leaves the solutes behind. Never below a tenth of the tank: past that the
        # model is no longer a tank.
        evaporated = s.evaporation_cm_per_day * s.area_cm2 / 1000.0 * dt
        vol = max(0.1 * s.volume_l, self._vol - evaporated)
        self._concentrate(self._vol / vol)
        self._vol = vol
        clog = -math.log(1.0 - s.clog_per_week) / 7.0 * self._inst.clog_factor(self._t)
        self._flow *= math.exp(-clog * dt)
        # Food and excreta break down to ammonia; plants take a share of ammonium when it is high.
        released = self._waste * -math.expm1(-math.log(2) * dt_s / 3600.0 / s.waste_half_life_h)
        self._waste -= released
        # The bed cannot treat more water than passes through it: the bacteria's rate and the
        # turnover (Q/V) act in series, which is how a clogged bed lets ammonia back (DOMAIN).
        turnover = s.pump_flow_l_min * self._flow * 1440.0 / self._vol
        env = _nitrifier_conditions(self.ph, self._oxygen)
        k1 = _in_series(s.nitrify_rate_per_day * self._aob * env, turnover)
        k2 = _in_series(s.nitrify_rate_per_day * self._nob * env, turnover)
        tan0 = self._tan
        self._tan = _decay_with_source(tan0, k1 + s.plant_uptake_per_day, released, dt)
        removed = tan0 + released - self._tan
        nitrified = removed * k1 / (k1 + s.plant_uptake_per_day) if k1 > 0 else 0.0
        no2_0 = self._no2
        self._no2 = _decay_with_source(no2_0, k2, nitrified, dt)
        self._no3 += no2_0 + nitrified - self._no2
        po4_added = released * NO3_PER_N * s.phosphate_per_nitrate
        self._po4 = _decay_with_source(self._po4, s.phosphate_removal_per_day, po4_added, dt)
        self._ec += released * NO3_PER_N * s.conductivity_per_nitrate
        alk = s.alkalinity_per_n * (s.excretion_alkalinity_return * released - nitrified)
        self._kh = max(0.0, self._kh + alk / CACO3_PER_DKH)
        # Bacteria grow on what they eat toward the bed's capacity (logistic, solved exactly).
        fed_aob = env * self._tan / (s.half_saturation_n + self._tan)
        fed_nob = env * self._no2 / (s.half_saturation_n + self._no2)
        self._aob = _logistic(self._aob, s.aob_growth_per_day * fed_aob, dt)
        self._nob = _logistic(self._nob, s.nob_growth_per_day * fed_nob, dt)
        # Oxygen relaxes to saturation minus demand / reaeration; the return flow stirs the surface.
        still, stirred = s.reaeration_still_per_h, s.reaeration_per_h
        kla = 24.0 * (still + (stirred - still) * self._flow)
        demand = (s.waste_o2_per_n * released + O2_PER_N_NITRIFIED * nitrified) / dt
        target = max(0.0, _o2_saturation(self._temp) - demand / kla)
        self._oxygen = target + (self._oxygen - target) * math.exp(-kla * dt)
        # Where the flow through the bed stops it goes anoxic, and the water's ORP follows (DOMAIN).
        orp_target = s.orp_anoxic_mv + (s.orp_aerobic_mv - s.orp_anoxic_mv) * math.sqrt(self._flow)
        self._orp = orp_target + (self._orp - orp_target) * math.exp(-dt_s / 3600.0 / s.orp_lag_h)

    def _heat(self, dt_s: float, hour: float) -> None:
        """Heater thermostat with hysteresis, solved exactly between switchings."""
        s = self.spec
        room = s.room_mean_c + s.room_swing_c * math.cos(2 * math.pi * (hour - 15.0) / 24.0)
        lamp = s.lamp_w if s.lights_on_h <= hour < s.lights_off_h else 0.0
        tau = self._vol * WATER_HEAT_J_PER_L_K / s.heat_loss_w_per_k
        low, high = s.set_point_c - s.hysteresis_c, s.set_point_c + s.hysteresis_c
        left = dt_s
        for _ in range(16):
            if self._heater_on and self._temp >= high:
                self._heater_on = False
            elif not self._heater_on and self._temp <= low:
                self._heater_on = True
            eq = room + (lamp + (s.heater_w if self._heater_on else 0.0)) / s.heat_loss_w_per_k
            edge = high if self._heater_on else low
            crossing = math.inf
            if (eq - edge) * (edge - self._temp) > 0:  # heading for the switching edge
                crossing = tau * math.log((self._temp - eq) / (edge - eq))
            if crossing >= left:
                break
            self._temp = edge
            left -= crossing
        self._temp = eq + (self._temp - eq) * math.exp(-left / tau)

    @property
    def ph(self) -> float:
        """pH from KH and CO2 (Henderson-Hasselbalch); plants lower CO2 by day."""
        s = self.spec
        hour = self._hour(self._t)
        swing = s.co2_day_night_fraction * math.cos(2 * math.pi * (hour - 7.0) / 24.0)
        co2 = s.co2_mg_l * (1.0 + swing)  # highest at dawn, after a night of respiration
        hco3_mol = max(self._kh, 0.02) * CACO3_PER_DKH / 50_000.0
        return PK1_CARBONIC + math.log10(hco3_mol / (co2 / 44_000.0))

    @property
    def truth(self) -> dict[str, float]:
        """The noiseless state in canonical units (see ARCHITECTURE.md)."""
        s = self.spec
        return {
            "temperature": self._temp,
            "ph": self.ph,
            "conductivity": self._ec,
            "orp": self._orp,
            "oxygen": self._oxygen,
            "flow": s.pump_flow_l_min * self._flow,
            "level": self._vol * 1000.0 / s.area_cm2,
            "ammonia": self._tan * NH3_PER_N,
            "nitrite": self._no2 * NO2_PER_N,
            "nitrate": self._no3 * NO3_PER_N,
            "phosphate": self._po4,
            "kh": self._kh,
            "gh": self._gh,
            "volume_l": self._vol,
            "nitrifiers": min(self._aob, self._nob),
            "heater": 1.0 if self._heater_on else 0.0,
        }

    def sensor_readings(self) -> dict[str, float | None]:
        """What the sensors would publish now (None: the reading dropped out)."""
        return self._inst.read(self.truth, self._t)

    def test_kit_readings(self) -> dict[str, float]:
        """What a keeper would log from a manual test kit now."""
        return self._inst.kit(self.truth, self._t)


def _o2_saturation(temp_c: float) -> float:
    """Fresh water at sea level: the usual cubic fit, scaled to DOMAIN's 8.25 mg/L at 25 degC."""
    t = temp_c
    fit = 14.652 - 0.41022 * t + 0.007991 * t**2 - 0.000077774 * t**3
    return fit * 8.25 / 8.1755


def _nitrifier_conditions(ph: float, oxygen: float) -> float:
    """DOMAIN, Alkalinity: nitrification is inhibited below pH 5.5 and wants DO above 2 mg/L."""
    return min(1.0, max(0.0, (ph - 5.5) / 1.5)) * min(1.0, max(0.0, oxygen / 2.0))


def _in_series(k_bio: float, k_flow: float) -> float:
    return 1.0 / (1.0 / k_bio + 1.0 / k_flow) if k_bio > 0 and k_flow > 0 else 0.0


def _decay_with_source(c0: float, k: float, added: float, dt: float) -> float:
    """Exact first-order decay over dt with `added` spread evenly across it (stable for any dt)."""
    if k * dt < 1e-12:
        return c0 + added
    e = math.exp(-k * dt)
    return c0 * e + added / (k * dt) * (1.0 - e)


def _logistic(b: float, rate: float, dt: float) -> float:
    return 1.0 / (1.0 + (1.0 / b - 1.0) * math.exp(-rate * dt)) if b > 0 else 0.0
