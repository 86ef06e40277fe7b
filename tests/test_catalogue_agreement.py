"""health/ may not import sensors/, so the facts it repeats must agree with the catalogue."""

from __future__ import annotations

from health.sensor_health import FAULT_VALUES
from health.types import PARAMETER_UNITS
from sensors.catalogue import PARAMETERS


def test_health_knows_exactly_the_catalogue_parameters() -> None:
    """Every catalogue parameter has a unit in health/, and no other parameter does."""
    assert set(PARAMETER_UNITS) == set(PARAMETERS)


def test_units_agree_apart_from_the_basis_health_spells_out() -> None:
    """health/'s units are the catalogue's, with the chemical basis added (mg/L -> mg/L NO3)."""
    for name, info in PARAMETERS.items():
        assert PARAMETER_UNITS[name].startswith(info.unit), name


def test_fault_values_agree() -> None:
    """The DS18B20 fault values health/ ignores are the ones the catalogue refuses."""
    assert set(FAULT_VALUES.get("temperature", ())) == set(PARAMETERS["temperature"].fault_values)
