"""Unit conversion at the edge: whatever a sensor or a test kit says, into the canonical unit.

Conversion factors come from DOMAIN.md ("Nitrogen cycle and limits", "Alkalinity, pH and the
biofilter"); exact definitions (US gallon, inch) are cited inline.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from sensors.catalogue import Parameter, get_parameter
from sensors.errors import DecodeError, UnitError

__all__ = ["parse_value_with_unit", "to_canonical", "units_for"]

_US_GALLON_L = 3.785411784  # exact by definition (US customary units)
_CACO3_PER_DEGREE = 17.86  # 1 dKH = 17.86 mg/L CaCO3 (DOMAIN.md); German degrees of GH alike
_MEQ_DEGREES = 2.8  # 1 meq/L = 50 mg/L CaCO3 = 2.8 German degrees


@dataclass(frozen=True)
class _Unit:
    """One unit: canonical = (value + shift) * factor / divisor; spellings[0] is shown."""

    spellings: tuple[str, ...]
    factor: float = 1.0
    divisor: float = 1.0
    shift: float = 0.0

    def convert(self, value: float) -> float:
        # Shift first and divide last so 77 degF is exactly 25 degC and 1 L/h exactly 1/60.
        return (value + self.shift) * self.factor / self.divisor


_CACO3 = ("mg/L CaCO3", "ppm CaCO3", "mg/L as CaCO3", "ppm as CaCO3", "ppm", "mg/L")

# The first unit of each parameter is canonical and its first spelling is the catalogue's unit.
_UNITS: dict[str, tuple[_Unit, ...]] = {
    "temperature": (
        _Unit(("°C", "C", "degC", "deg C", "celsius")),
        _Unit(("°F", "F", "degF", "deg F", "fahrenheit"), factor=5.0, divisor=9.0, shift=-32.0),
        _Unit(("K", "kelvin"), shift=-273.15),
    ),
    "ph": (_Unit(("pH",)),),
    "conductivity": (
        _Unit(("µS/cm", "uS/cm", "microS/cm")),
        _Unit(("mS/cm",), factor=1000.0),
        _Unit(("S/m",), factor=10_000.0),
    ),
    "tds": (_Unit(("ppm", "mg/L")), _Unit(("ppt", "g/L"), factor=1000.0)),
    "orp": (_Unit(("mV",)), _Unit(("V",), factor=1000.0)),
    "oxygen": (_Unit(("mg/L", "ppm", "mg/L O2")),),
    "flow": (
        _Unit(("L/min", "lpm")),
        _Unit(("L/h", "lph", "L/hr"), divisor=60.0),
        _Unit(("gph", "gal/h", "US gal/h"), factor=_US_GALLON_L, divisor=60.0),
        _Unit(("gpm", "gal/min"), factor=_US_GALLON_L),
    ),
    "level": (
        _Unit(("cm",)),
        _Unit(("mm",), divisor=10.0),
        _Unit(("m",), factor=100.0),
        _Unit(("in", "inch", "inches", '"'), factor=2.54),  # exact by definition
    ),
    # Kits labelled NH3/NH4+ report total ammonia (TAN), which is what we store; the 6 % mass
    # difference between NH3 and NH4+ is below any kit's resolution. Nitrogen-based readings
    # convert by NH3 = 1.216 x NH3-N (DOMAIN.md); the N mass is the same for NH4-N and TAN-N.
    "ammonia": (
        _Unit(("mg/L", "ppm", "TAN", "NH3", "NH4", "NH3/NH4", "mg/L TAN", "mg/L NH3", "mg/L NH4")),
        _Unit(("mg/L NH3-N", "NH3-N", "NH4-N", "TAN-N", "mg/L NH4-N", "mg/L TAN-N"), factor=1.216),
    ),
    # NO2 = 3.29 x NO2-N and NO3 = 4.43 x NO3-N (DOMAIN.md).
    "nitrite": (
        _Unit(("mg/L", "ppm", "NO2", "mg/L NO2", "ppm NO2")),
        _Unit(("mg/L NO2-N", "NO2-N", "ppm NO2-N", "N-NO2"), factor=3.29),
    ),
    "nitrate": (
        _Unit(("mg/L", "ppm", "NO3", "mg/L NO3", "ppm NO3")),
        _Unit(("mg/L NO3-N", "NO3-N", "ppm NO3-N", "N-NO3"), factor=4.43),
    ),
    # Hardness in bare ppm or mg/L always means "as CaCO3" on hobby kits.
    "kh": (
        _Unit(("dKH", "°dH", "°dKH", "dH", "°KH")),
        _Unit(_CACO3, divisor=_CACO3_PER_DEGREE),
        _Unit(("meq/L", "mval/L"), factor=_MEQ_DEGREES),
    ),
    "gh": (
        _Unit(("dGH", "°dH", "°dGH", "dH", "°GH")),
        _Unit(_CACO3, divisor=_CACO3_PER_DEGREE),
        _Unit(("meq/L", "mval/L"), factor=_MEQ_DEGREES),
    ),
    # PO4 = 3.066 x PO4-P (molar masses 94.97 / 30.97).
    "phosphate": (
        _Unit(("mg/L", "ppm", "PO4", "mg/L PO4", "ppm PO4")),
        _Unit(("mg/L PO4-P", "PO4-P", "ppm PO4-P"), factor=3.066),
    ),
}

_DEGREE_SIGNS = str.maketrans("", "", "°º˚ \t\r\n\f\v")


def _normalise(spelling: str) -> str:
    """Fold case, spaces, degree signs and the two micro signs so "µS/cm" == "us/cm"."""
    return spelling.casefold().translate(_DEGREE_SIGNS).replace("μ", "u").replace("µ", "u")


def _build_lookup() -> dict[str, dict[str, _Unit]]:
    lookup: dict[str, dict[str, _Unit]] = {}
    for name, units in _UNITS.items():
        table: dict[str, _Unit] = {}
        for unit in units:
            for spelling in unit.spellings:
                key = _normalise(spelling)
                # Two units sharing a spelling would make a conversion depend on table order.
                if table.get(key, unit) is not unit:
                    raise AssertionError(f"{name}: spelling {spelling!r} is ambiguous")
                table[key] = unit
        lookup[name] = table
    return lookup


_LOOKUP = _build_lookup()


def _excerpt(text: str, limit: int = 30) -> str:
    shown = "".join(c if c.isprintable() else "?" for c in text[: limit + 1])
    return shown if len(shown) <= limit else shown[: limit - 3] + "..."


def units_for(parameter: str) -> tuple[str, ...]:
    """The units a keeper can choose for ``parameter``, canonical first (one spelling each)."""
    param = get_parameter(parameter)
    return tuple(unit.spellings[0] for unit in _UNITS[param.name])


def _find_unit(param: Parameter, unit: str | None) -> _Unit:
    if unit is None:
        return _UNITS[param.name][0]
    if not isinstance(unit, str):
        raise UnitError(f'the unit for {param.label} must be text such as "{param.unit}"')
    key = _normalise(unit)
    if not key:
        return _UNITS[param.name][0]
    found = _LOOKUP[param.name].get(key)
    if found is None:
        accepted = ", ".join(units_for(param.name))
        raise UnitError(
            f'"{_excerpt(unit)}" is not a unit for {param.label}; use one of: {accepted}'
        )
    return found


def to_canonical(parameter: str, value: float, unit: str | None) -> float:
    """Convert ``value`` in ``unit`` (None or "" = canonical) to the parameter's canonical unit."""
    param = get_parameter(parameter)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise DecodeError(f"{param.label} value {value!r:.40} is not a number; give a plain number")
    try:
        number = float(value)
    except OverflowError as exc:  # an int past 1e308
        raise DecodeError(f"{param.label} value is too large to be a reading") from exc
    if not math.isfinite(number):
        raise DecodeError(f"{param.label} value {number} is not a finite number; give a reading")
    result = _find_unit(param, unit).convert(number)
    if not math.isfinite(result):
        raise DecodeError(f"{param.label} value {number:g} is too large to be a reading")
    return result


# A number, then an optional unit: "0.25", "20NO3-N", "4.5dKH", "77 °F". ASCII digits only, so
# no stray Unicode digit or Python's "1_000" slips through as a number.
_VALUE_WITH_UNIT = re.compile(
    r"\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)\s*(.*?)\s*", re.ASCII | re.DOTALL
)
_DECIMAL_COMMA = re.compile(r"\s*[+-]?\d+,\d+", re.ASCII)
_NOT_A_UNIT_START = frozenset("0123456789.,_+-")


def parse_value_with_unit(parameter: str, text: str) -> float:
    """Parse keeper input such as "20NO3-N" or "77 °F" into the canonical unit."""
    param = get_parameter(parameter)
    units = units_for(param.name)
    example = f"10 {units[1]}" if len(units) > 1 else f"10 {units[0]}"
    if not isinstance(text, str):
        raise DecodeError(f'the {param.label} value must be text such as "{example}"')
    if _DECIMAL_COMMA.match(text):
        raise DecodeError(
            f'{param.label} value "{_excerpt(text)}" uses a decimal comma; '
            f"write the decimal with a point, such as 0.25"
        )
    match = _VALUE_WITH_UNIT.fullmatch(text)
    # A "unit" starting like a number ("1..2", "1_000") is a mangled number, not a unit.
    if match is None or match[2][:1] in _NOT_A_UNIT_START:
        raise DecodeError(
            f'{param.label} value "{_excerpt(text.strip())}" is not a number; '
            f'type a number, optionally followed by a unit, such as "{example}"'
        )
    number, unit = match.groups()
    value = float(number)
    if not math.isfinite(value):  # "1e999" matches the pattern but overflows
        raise DecodeError(f'{param.label} value "{_excerpt(number)}" is too large to be a reading')
    return to_canonical(param.name, value, unit or None)
