"""Property tests: no input makes a decoder or parser raise anything but its own errors."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sensors.catalogue import PARAMETERS
from sensors.decoders import (
    DecodedValue,
    decode_default,
    decode_esphome,
    decode_json,
    decode_number,
    decode_tasmota,
)
from sensors.errors import DecodeError, SensorError
from sensors.units import parse_value_with_unit, to_canonical, units_for
from sensors.validation import check_plausible

DECODERS: list[Callable[[bytes], DecodedValue | list[DecodedValue]]] = [
    decode_number,
    decode_json,
    decode_default,
    decode_tasmota,
    decode_esphome,
]
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

KEYS = st.sampled_from(
    ["value", "time", "unit", "Time", "TempUnit", "DS18B20", "Temperature", "A0", "Id"]
) | st.text(max_size=8)
# Far-off zones near year 1 and 9999 overflow when converted to UTC: a classic escape route.
EDGE_ZONES = st.sampled_from([timezone(timedelta(hours=14)), timezone(timedelta(hours=-12))])
TIMES = st.one_of(
    st.datetimes().map(lambda d: d.isoformat()),
    st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat()),
    st.datetimes(max_value=datetime(1, 1, 2), timezones=EDGE_ZONES).map(datetime.isoformat),
    st.datetimes(min_value=datetime(9999, 12, 31), timezones=EDGE_ZONES).map(datetime.isoformat),
    st.floats(),
    st.integers(),
    st.text(max_size=30),
)
LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=10**300, max_value=10**320),  # past float range
    st.floats(),  # nan and infinities included
    st.text(max_size=20),
    TIMES,
)
JSONISH = st.recursive(
    LEAVES,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(KEYS, children, max_size=5),
    max_leaves=20,
)
DEFAULT_SCHEME = st.fixed_dictionaries(
    {},
    optional={"value": LEAVES, "time": TIMES | st.none(), "unit": LEAVES},
)
TASMOTA = st.fixed_dictionaries(
    {"DS18B20": st.dictionaries(KEYS, LEAVES, max_size=3)},
    optional={"Time": TIMES, "TempUnit": st.sampled_from(["C", "F", ""]) | LEAVES},
)


def _check(decoded: DecodedValue | list[DecodedValue]) -> None:
    """Whatever decodes must be a finite float with a UTC time or none."""
    for item in decoded if isinstance(decoded, list) else [decoded]:
        assert isinstance(item.value, float) and math.isfinite(item.value)
        assert item.time is None or item.time.utcoffset() == timedelta(0)
        assert item.unit is None or isinstance(item.unit, str)


# What a payload may provoke inside a decoder, turned into a DecodeError with the reason. Anything
# else under a DecodeError (a TypeError, a KeyError) would be a bug dressed up as bad input.
EXPECTED_CAUSES = (ValueError, OverflowError, OSError, RecursionError, MemoryError)


def _decode_all(payload: bytes) -> None:
    for decode in DECODERS:
        try:
            decoded = decode(payload)
        except DecodeError as exc:
            assert exc.reason and "\n" not in exc.reason
            cause = exc.__cause__
            assert cause is None or isinstance(cause, EXPECTED_CAUSES), repr(cause)
            continue
        _check(decoded)


@FUZZ
@given(st.binary(max_size=256))
def test_decoders_survive_arbitrary_bytes(payload: bytes) -> None:
    """Arbitrary bytes either decode to a finite reading or raise DecodeError."""
    _decode_all(payload)


@FUZZ
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=64))
def test_decoders_survive_arbitrary_text(text: str) -> None:
    """Arbitrary UTF-8 text either decodes to a finite reading or raises DecodeError."""
    _decode_all(text.encode())


@FUZZ
@given(JSONISH | DEFAULT_SCHEME | TASMOTA)
def test_decoders_survive_jsonish_structures(doc: object) -> None:
    """Arbitrary JSON structures, NaN and huge integers included, only raise DecodeError."""
    _decode_all(json.dumps(doc).encode())


@FUZZ
@given(
    st.sampled_from(sorted(PARAMETERS)),
    st.text(max_size=24) | st.from_regex(r"\s*-?\d{0,4}(\.\d{0,3})?([eE]-?\d{1,4})?\s*\S{0,12}"),
)
def test_parse_value_with_unit_survives_arbitrary_text(parameter: str, text: str) -> None:
    """Keeper input either parses to a finite number or raises DecodeError or UnitError."""
    try:
        value = parse_value_with_unit(parameter, text)
    except SensorError as exc:
        assert type(exc).__name__ in {"DecodeError", "UnitError"}
        return
    assert math.isfinite(value)


@FUZZ
@given(st.sampled_from(sorted(PARAMETERS)), st.data())
def test_decoded_values_flow_through_conversion_and_validation(
    parameter: str, data: st.DataObject
) -> None:
    """Any number with any listed or random unit is converted or refused with a SensorError."""
    value = data.draw(st.floats() | st.integers(), label="value")
    unit = data.draw(st.sampled_from(units_for(parameter)) | st.text(max_size=6), label="unit")
    try:
        canonical = to_canonical(parameter, value, unit)
        check_plausible(parameter, canonical)
    except SensorError:
        return
    assert math.isfinite(canonical)
