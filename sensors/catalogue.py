"""The parameter catalogue: names, canonical units and physically possible ranges.

The ranges are not health limits (those live in ``health/`` and the tank profile): a value
outside them cannot come from water a fish lives in, so it is a sensor or typing fault.
"""

from __future__ import annotations

from dataclasses import dataclass

from sensors.errors import UnknownParameter

__all__ = ["PARAMETERS", "Parameter", "get_parameter"]


@dataclass(frozen=True)
class Parameter:
    """One measured quantity and how it is stored and shown."""

    name: str
    label: str
    unit: str  # canonical unit shown to users; every stored value is in it
    minimum: float  # physically possible range in the canonical unit, not a health limit
    maximum: float
    fault_values: tuple[float, ...] = ()
    decimals: int = 2
    sensor: bool = True  # False: measured only with test kits and entered in the logbook
    # What one result can tell apart (DOMAIN.md "Test kits: what a result can tell"): a colour
    # card's step at the low end, widening with the value where the card's steps do; and a
    # probe's own accuracy. None: no kit (or no probe) for this parameter.
    kit_step: float | None = None
    kit_step_relative: float = 0.0
    probe_accuracy: float | None = None
    probe_accuracy_relative: float = 0.0
    basis: str = ""  # the chemical basis of a mg/L value (ARCHITECTURE.md: nitrate as NO3...)

    @property
    def unit_with_basis(self) -> str:
        """The unit with its chemical basis spelled out, as advice and alerts write it."""
        return f"{self.unit} {self.basis}" if self.basis else self.unit


_ALL = (
    # -5..60 degC covers supercooled to scalding water and rejects the DS18B20 values 85.0
    # (power-on) and -127 (disconnected) on range alone (DOMAIN.md, "Sensors and their quirks").
    Parameter(
        "temperature",
        "Water temperature",
        "°C",
        -5.0,
        60.0,
        fault_values=(85.0, -127.0),
        decimals=2,  # DS18B20 steps are 0.0625 degC (DOMAIN.md)
        probe_accuracy=0.5,  # DS18B20 +-0.5 degC (DOMAIN.md "Sensors")
    ),
    # Kit cards step 0.2-0.4 (DOMAIN.md "Test kits"): the finer step, so a real fall is not missed;
    # analog probes such as the SEN0161 read +-0.1 (DOMAIN.md "Sensors").
    Parameter("ph", "pH", "pH", 0.0, 14.0, decimals=2, kit_step=0.2, probe_accuracy=0.1),
    # Saturated brine is about 250 mS/cm; 200 mS/cm is far past any tank (seawater ~55 mS/cm).
    Parameter("conductivity", "Conductivity", "µS/cm", 0.0, 200_000.0, decimals=0),
    # TDS is about 0.5 x EC (DOMAIN.md), so half the conductivity ceiling.
    Parameter("tds", "Total dissolved solids", "ppm", 0.0, 100_000.0, decimals=0),
    # ORP probe front ends read about +-1000 mV; beyond that the probe is shorted or open.
    Parameter("orp", "Redox potential (ORP)", "mV", -1000.0, 1000.0, decimals=0),
    # Air saturation is about 8.25 mg/L at 25 degC (DOMAIN.md); pure-oxygen supersaturation
    # stays under about 5x that, so 50 mg/L is impossible.
    Parameter("oxygen", "Dissolved oxygen", "mg/L", 0.0, 50.0, decimals=2),
    # YF-S201 reads 2-30 L/min (DOMAIN.md); the ceiling leaves room for public-aquarium pumps.
    Parameter(
        "flow", "Flow", "L/min", 0.0, 5000.0, decimals=2, probe_accuracy_relative=0.05
    ),  # YF-S201 +-5 % (DOMAIN.md "Sensors")
    Parameter("level", "Water level", "cm", 0.0, 1000.0, decimals=1),
    # Test-kit parameters: ceilings are far above any kit's scale, so only typos are rejected.
    # Kit steps from DOMAIN.md "Test kits": ammonia and nitrite cards 0, 0.25, 0.5, 1, 2...
    # (doubling, so a quarter of the value above 1); nitrate 0, 5, 10, 20, 40, 80: 5 at the low end
    # and, judgement, a quarter of the value above 20 where keepers read between doubling colours.
    Parameter(
        "ammonia",
        "Ammonia (total, TAN)",
        "mg/L",
        0.0,
        200.0,
        decimals=2,
        sensor=False,
        kit_step=0.25,
        kit_step_relative=0.25,
        basis="TAN",
    ),
    Parameter(
        "nitrite",
        "Nitrite (NO2)",
        "mg/L",
        0.0,
        500.0,
        decimals=2,
        sensor=False,
        kit_step=0.25,
        kit_step_relative=0.25,
        basis="NO2",
    ),
    Parameter(
        "nitrate",
        "Nitrate (NO3)",
        "mg/L",
        0.0,
        2000.0,
        decimals=1,
        sensor=False,
        kit_step=5.0,
        kit_step_relative=0.25,
        basis="NO3",
    ),
    # Judgement: drop-count KH and GH kits read one degree per drop.
    Parameter(
        "kh", "Carbonate hardness (KH)", "dKH", 0.0, 100.0, decimals=1, sensor=False, kit_step=1.0
    ),
    Parameter(
        "gh", "General hardness (GH)", "dGH", 0.0, 200.0, decimals=1, sensor=False, kit_step=1.0
    ),
    # Judgement: phosphate cards start 0, 0.25, 0.5, 1, like ammonia's.
    Parameter(
        "phosphate",
        "Phosphate (PO4)",
        "mg/L",
        0.0,
        100.0,
        decimals=2,
        sensor=False,
        kit_step=0.25,
        kit_step_relative=0.25,
        basis="PO4",
    ),
)

PARAMETERS: dict[str, Parameter] = {p.name: p for p in _ALL}


def get_parameter(name: str) -> Parameter:
    """Return the catalogue entry for ``name``; UnknownParameter lists the known names."""
    if isinstance(name, str):
        # Keepers type "pH" or "KH"; the catalogue keys are lower case.
        found = PARAMETERS.get(name) or PARAMETERS.get(name.strip().lower())
        if found is not None:
            return found
    known = ", ".join(PARAMETERS)
    raise UnknownParameter(f"unknown parameter {str(name)[:40]!r}; use one of: {known}")
