"""The parameter catalogue: names, canonical units and physically possible ranges."""

from __future__ import annotations

import dataclasses

import pytest

from sensors.catalogue import PARAMETERS, Parameter, get_parameter
from sensors.errors import SensorError, UnknownParameter

# ARCHITECTURE.md, "Canonical stored units".
CANONICAL_UNITS = {
    "temperature": "°C",
    "ph": "pH",
    "conductivity": "µS/cm",
    "tds": "ppm",
    "orp": "mV",
    "oxygen": "mg/L",
    "flow": "L/min",
    "level": "cm",
    "ammonia": "mg/L",
    "nitrite": "mg/L",
    "nitrate": "mg/L",
    "kh": "dKH",
    "gh": "dGH",
    "phosphate": "mg/L",
}
SENSOR_PARAMETERS = {"temperature", "ph", "conductivity", "tds", "orp", "oxygen", "flow", "level"}


def test_catalogue_has_exactly_the_agreed_parameters() -> None:
    """The catalogue holds the fourteen agreed names, each keyed by its own name."""
    assert set(PARAMETERS) == set(CANONICAL_UNITS)
    assert all(name == p.name for name, p in PARAMETERS.items())


@pytest.mark.parametrize(("name", "unit"), sorted(CANONICAL_UNITS.items()))
def test_canonical_units_match_the_architecture(name: str, unit: str) -> None:
    """Each parameter's canonical unit is the one ARCHITECTURE.md says is stored."""
    assert get_parameter(name).unit == unit


def test_sensor_flag_separates_probes_from_test_kits() -> None:
    """Only probe-measured parameters are marked as sensor parameters."""
    assert {n for n, p in PARAMETERS.items() if p.sensor} == SENSOR_PARAMETERS


@pytest.mark.parametrize("parameter", list(PARAMETERS.values()), ids=list(PARAMETERS))
def test_ranges_are_ordered_and_labels_present(parameter: Parameter) -> None:
    """Every range has its minimum below its maximum and every entry a label and precision."""
    assert parameter.minimum < parameter.maximum
    assert parameter.label
    assert parameter.decimals >= 0


@pytest.mark.parametrize("fault", [85.0, -127.0])
def test_temperature_range_alone_rejects_ds18b20_fault_values(fault: float) -> None:
    """85.0 and -127 lie outside the temperature range even without the fault list (DOMAIN.md)."""
    temperature = get_parameter("temperature")
    assert not temperature.minimum <= fault <= temperature.maximum
    assert fault in temperature.fault_values


def test_temperature_range_admits_real_tank_water() -> None:
    """The reference tank's 24-27 degC and a cold-snap 2 degC lie inside the range."""
    temperature = get_parameter("temperature")
    for reading in (2.0, 24.0, 27.0):
        assert temperature.minimum <= reading <= temperature.maximum


def test_ph_and_orp_ranges() -> None:
    """pH spans 0-14 and ORP +-1000 mV, as physically possible readings."""
    ph, orp = get_parameter("ph"), get_parameter("orp")
    assert (ph.minimum, ph.maximum) == (0.0, 14.0)
    assert (orp.minimum, orp.maximum) == (-1000.0, 1000.0)


def test_parameter_is_frozen() -> None:
    """Catalogue entries cannot be changed at run time by one caller for everyone."""
    with pytest.raises(dataclasses.FrozenInstanceError):
        get_parameter("ph").maximum = 15.0  # type: ignore[misc]  # frozen: what the test shows


def test_get_parameter_accepts_the_keepers_spelling() -> None:
    """Keeper spellings such as "pH" and " KH " find the catalogue entry."""
    assert get_parameter("pH") is PARAMETERS["ph"]
    assert get_parameter(" KH ") is PARAMETERS["kh"]


def test_unknown_parameter_lists_the_known_names() -> None:
    """An unknown name raises UnknownParameter whose reason lists every known name."""
    with pytest.raises(UnknownParameter) as caught:
        get_parameter("salinity")
    reason = caught.value.reason
    assert str(caught.value) == reason
    assert "salinity" in reason
    assert all(name in reason for name in PARAMETERS)


def test_unknown_parameter_is_a_sensor_error_and_a_value_error() -> None:
    """Callers can catch the whole family as SensorError or as ValueError."""
    with pytest.raises(SensorError):
        get_parameter("")
    with pytest.raises(ValueError):
        get_parameter(None)  # type: ignore[arg-type]  # the wrong type on purpose
