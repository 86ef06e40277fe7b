"""Unit conversion at the edge and parsing of keeper input."""

from __future__ import annotations

import math

import pytest

from sensors.catalogue import PARAMETERS
from sensors.errors import DecodeError, UnitError, UnknownParameter
from sensors.units import parse_value_with_unit, to_canonical, units_for

US_GALLON_L = 3.785411784


@pytest.mark.parametrize(
    ("parameter", "value", "unit", "expected"),
    [
        ("temperature", 25.0, "C", 25.0),
        ("temperature", 25.0, "°C", 25.0),
        ("temperature", 25.0, "degC", 25.0),
        ("temperature", 25.0, "Celsius", 25.0),
        ("temperature", 77.0, "F", 25.0),
        ("temperature", 77.0, "°F", 25.0),
        ("temperature", 75.0, "degF", 23.88888888888889),  # DOMAIN.md: 75-80 degF = 24-27 degC
        ("temperature", 298.15, "K", 25.0),
        ("nitrate", 20.0, "NO3-N", 88.6),  # DOMAIN.md: NO3 = 4.43 x NO3-N
        ("nitrate", 20.0, "mg/L NO3-N", 88.6),
        ("nitrate", 40.0, "NO3", 40.0),
        ("nitrate", 40.0, "ppm", 40.0),
        ("nitrite", 1.0, "NO2-N", 3.29),  # DOMAIN.md: NO2 = 3.29 x NO2-N
        ("nitrite", 0.5, "NO2", 0.5),
        ("ammonia", 1.0, "NH3-N", 1.216),  # DOMAIN.md: NH3 = 1.216 x NH3-N
        ("ammonia", 0.25, "NH3", 0.25),
        ("ammonia", 0.25, "NH4", 0.25),
        ("ammonia", 0.25, "TAN", 0.25),
        ("ammonia", 0.25, "mg/L", 0.25),
        ("kh", 4.5, "dKH", 4.5),
        ("kh", 4.5, "°dH", 4.5),
        ("kh", 17.86, "ppm CaCO3", 1.0),  # DOMAIN.md: 1 dKH = 17.86 mg/L CaCO3
        ("kh", 40.0, "mg/L CaCO3", 2.2396416573348263),  # DOMAIN.md: 40 mg/L is about 2.2 dKH
        ("kh", 1.0, "meq/L", 2.8),
        ("gh", 8.0, "dGH", 8.0),
        ("gh", 178.6, "ppm CaCO3", 10.0),
        ("gh", 2.0, "meq/L", 5.6),
        ("conductivity", 450.0, "uS/cm", 450.0),
        ("conductivity", 450.0, "µS/cm", 450.0),
        ("conductivity", 1.5, "mS/cm", 1500.0),
        ("tds", 250.0, "mg/L", 250.0),
        ("tds", 1.2, "ppt", 1200.0),
        ("flow", 12.0, "L/min", 12.0),
        ("flow", 600.0, "L/h", 10.0),
        ("flow", 60.0, "gph", US_GALLON_L),
        ("level", 355.0, "mm", 35.5),
        ("level", 10.0, "in", 25.4),
        ("oxygen", 8.25, "ppm", 8.25),
        ("orp", 250.0, "mV", 250.0),
        ("phosphate", 1.0, "PO4-P", 3.066),
        ("phosphate", 0.5, "ppm", 0.5),
    ],
)
def test_to_canonical_converts(parameter: str, value: float, unit: str, expected: float) -> None:
    """Each accepted unit converts to the canonical unit with the documented factor."""
    assert to_canonical(parameter, value, unit) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    ("parameter", "unit", "expected"),
    [
        ("nitrate", "MG/L no3-n", 44.3),
        ("nitrate", " mg/l  NO3-N ", 44.3),
        ("kh", "DKH", 10.0),
        ("conductivity", "US/CM", 10.0),
        ("conductivity", "μS/cm", 10.0),  # Greek mu, what phone keyboards type
        ("temperature", "f", -12.222222222222221),
        ("temperature", "DEG F", -12.222222222222221),
    ],
)
def test_unit_spellings_are_case_and_space_insensitive(
    parameter: str, unit: str, expected: float
) -> None:
    """Aliases match whatever the case, spacing or micro sign the keeper used."""
    assert to_canonical(parameter, 10.0, unit) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("unit", [None, ""])
def test_missing_unit_means_canonical(unit: str | None) -> None:
    """None or an empty unit leaves the value as it is."""
    assert to_canonical("nitrate", 12.5, unit) == 12.5


@pytest.mark.parametrize("name", list(PARAMETERS))
def test_units_for_starts_with_the_catalogue_unit(name: str) -> None:
    """The dropdown lists the canonical unit first, and every listed unit converts."""
    units = units_for(name)
    assert units[0] == PARAMETERS[name].unit
    assert len(set(units)) == len(units)
    assert to_canonical(name, 1.0, units[0]) == 1.0
    for unit in units:
        assert math.isfinite(to_canonical(name, 1.0, unit))


def test_unknown_unit_lists_the_accepted_units() -> None:
    """An unknown unit raises UnitError naming the unit and the accepted ones."""
    with pytest.raises(UnitError) as caught:
        to_canonical("nitrate", 10.0, "grains")
    reason = caught.value.reason
    assert '"grains"' in reason
    assert "mg/L NO3-N" in reason


def test_unit_of_another_parameter_is_rejected() -> None:
    """A unit valid elsewhere (dKH) is not accepted for nitrate."""
    with pytest.raises(UnitError):
        to_canonical("nitrate", 10.0, "dKH")


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_non_finite_values_are_decode_errors(value: float) -> None:
    """nan and infinities are not readings."""
    with pytest.raises(DecodeError):
        to_canonical("temperature", value, "C")


def test_booleans_and_huge_numbers_are_decode_errors() -> None:
    """True is not a number, and a value that overflows on conversion is not a reading."""
    with pytest.raises(DecodeError):
        to_canonical("ph", True, None)
    with pytest.raises(DecodeError):
        to_canonical("flow", 1e308, "gpm")
    with pytest.raises(DecodeError):
        to_canonical("flow", 10**400, None)


def test_to_canonical_rejects_unknown_parameter() -> None:
    """An unknown parameter name raises UnknownParameter."""
    with pytest.raises(UnknownParameter):
        to_canonical("salinity", 35.0, "ppt")


@pytest.mark.parametrize(
    ("parameter", "text", "expected"),
    [
        ("ammonia", "0.25", 0.25),
        ("nitrate", "20NO3-N", 88.6),
        ("nitrate", "20 mg/L NO3-N", 88.6),
        ("kh", "4.5dKH", 4.5),
        ("kh", "80 ppm CaCO3", 80 / 17.86),
        ("temperature", "77F", 25.0),
        ("temperature", "77 °F", 25.0),
        ("temperature", "  -3.5 C  ", -3.5),
        ("ph", ".5", 0.5),
        ("conductivity", "1.2e3", 1200.0),
        ("conductivity", "1.2mS/cm", 1200.0),
    ],
)
def test_parse_value_with_unit(parameter: str, text: str, expected: float) -> None:
    """A number followed by an optional unit parses into the canonical unit."""
    assert parse_value_with_unit(parameter, text) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("text", ["", "   ", "abc", "NO3-N", "--1", "1..2", "nan", "inf", "1_000"])
def test_parse_rejects_text_that_is_not_a_number(text: str) -> None:
    """Text without a leading plain number raises DecodeError with an example to follow."""
    with pytest.raises(DecodeError) as caught:
        parse_value_with_unit("nitrate", text)
    assert "such as" in caught.value.reason


def test_parse_rejects_an_unknown_unit_after_a_number() -> None:
    """A number followed by an unknown unit raises UnitError listing accepted units."""
    with pytest.raises(UnitError) as caught:
        parse_value_with_unit("kh", "4.5 furlongs")
    assert "dKH" in caught.value.reason


def test_parse_explains_a_decimal_comma() -> None:
    """ "0,25" is refused with a hint to use a decimal point, rather than misread."""
    with pytest.raises(DecodeError) as caught:
        parse_value_with_unit("ammonia", "0,25")
    assert "point" in caught.value.reason


def test_parse_rejects_overflowing_numbers() -> None:
    """A number too large for a float is a DecodeError, not infinity."""
    with pytest.raises(DecodeError):
        parse_value_with_unit("tds", "1e999")
