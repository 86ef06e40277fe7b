"""Payload decoders with realistic payloads from the default scheme, Tasmota and ESPHome."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from sensors import decoders
from sensors.decoders import (
    MAX_PAYLOAD_BYTES,
    DecodedValue,
    decode_default,
    decode_esphome,
    decode_json,
    decode_number,
    decode_tasmota,
)
from sensors.errors import DecodeError

ALL_DECODERS: list[Callable[[bytes], object]] = [
    decode_number,
    decode_json,
    decode_default,
    decode_tasmota,
    decode_esphome,
]
DECODER_IDS = [d.__name__ for d in ALL_DECODERS]
# The Tasmota example in DOMAIN.md, "Sensors and their quirks".
TASMOTA_EXAMPLE = b'{"Time":"2018-03-02T18:25:03","DS18B20":{"Temperature":22.6},"TempUnit":"C"}'


# --- plain numbers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "expected"),
    [(b"25.1", 25.1), (b" 25.1\n", 25.1), (b"-3", -3.0), (b"+7.25", 7.25), (b"1e2", 100.0)],
)
def test_decode_number_reads_plain_text(payload: bytes, expected: float) -> None:
    """A plain decimal number, with surrounding whitespace, decodes with no unit or time."""
    assert decode_number(payload) == DecodedValue(expected)


@pytest.mark.parametrize(
    "payload", [b"", b"abc", b"1_000", b"0x10", b"true", b"25.1 C", b"1,5", "٣".encode()]
)
def test_decode_number_rejects_what_is_not_a_plain_number(payload: bytes) -> None:
    """Text that is not a plain ASCII decimal number is a DecodeError with the fix."""
    with pytest.raises(DecodeError) as caught:
        decode_number(payload)
    assert "publish a plain number like 25.1" in caught.value.reason


@pytest.mark.parametrize("payload", [b"nan", b"NaN", b"inf", b"-Infinity", b"1e999"])
def test_decode_number_rejects_non_finite(payload: bytes) -> None:
    """nan, infinities and overflowing numbers are not readings."""
    with pytest.raises(DecodeError):
        decode_number(payload)


# --- JSON and the default scheme -------------------------------------------------------------


def test_decode_json_reads_the_default_scheme_example() -> None:
    """The ARCHITECTURE.md example carries value, UTC time and unit."""
    payload = b'{"value": 25.1, "time": "2026-11-24T10:00:00Z", "unit": "C"}'
    assert decode_json(payload) == DecodedValue(
        25.1, unit="C", time=datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
    )


def test_decode_json_reads_a_bare_number() -> None:
    """A bare JSON number is a reading without unit or time."""
    assert decode_json(b"7.4") == DecodedValue(7.4)


@pytest.mark.parametrize(
    ("time", "expected"),
    [
        ("2026-11-24T18:00:00+08:00", datetime(2026, 11, 24, 10, 0, tzinfo=UTC)),
        ("2026-11-24T10:00:00", datetime(2026, 11, 24, 10, 0, tzinfo=UTC)),  # naive means UTC
        ("2026-11-24T10:00:00.250Z", datetime(2026, 11, 24, 10, 0, 0, 250000, tzinfo=UTC)),
        ("2026-11-24T10:00:00+00:00", datetime(2026, 11, 24, 10, 0, tzinfo=UTC)),
        ("2026-11-24T10:00:00-00:00", datetime(2026, 11, 24, 10, 0, tzinfo=UTC)),
        ("2026-11-24 10:00:00Z", datetime(2026, 11, 24, 10, 0, tzinfo=UTC)),
        ("2026-11-24T12:30:00.5+02:30", datetime(2026, 11, 24, 10, 0, 0, 500000, tzinfo=UTC)),
        ("2026-11-24T10:00:00.123456789Z", datetime(2026, 11, 24, 10, 0, 0, 123456, tzinfo=UTC)),
        (1764000000, datetime(2025, 11, 24, 16, 0, tzinfo=UTC)),
        (1764000000.5, datetime(2025, 11, 24, 16, 0, 0, 500000, tzinfo=UTC)),
        (None, None),
    ],
)
def test_decode_json_times_become_utc(time: object, expected: datetime | None) -> None:
    """ISO 8601 with Z, an offset or no zone, and epoch seconds all become tz-aware UTC."""
    decoded = decode_json(json.dumps({"value": 1, "time": time}).encode())
    assert decoded.time == expected
    if expected is not None:
        assert decoded.time is not None and decoded.time.utcoffset() == timedelta(0)


@pytest.mark.parametrize("time", ["2026-11-24T10:00:00z", "2026-11-24t10:00:00z"])
def test_decode_json_takes_a_lower_case_z(time: str) -> None:
    """RFC 3339 allows "z" for UTC; Python's fromisoformat refuses it, the decoder does not."""
    decoded = decode_json(json.dumps({"value": 1, "time": time}).encode())
    assert decoded.time == datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize("unit", ['""', '" "', "null"])
def test_decode_json_blank_unit_is_no_unit(unit: str) -> None:
    """A blank or null unit means the stored unit, as a missing one does."""
    assert decode_json(b'{"value": 25, "unit": ' + unit.encode() + b"}") == DecodedValue(25.0)


def test_decode_json_rejects_epoch_milliseconds_with_a_hint() -> None:
    """Epoch milliseconds (a JavaScript habit) are refused, naming the likely mistake."""
    with pytest.raises(DecodeError) as caught:
        decode_json(b'{"value": 1, "time": 1764000000000}')
    assert "milliseconds" in caught.value.reason


@pytest.mark.parametrize("time", ['"yesterday"', "true", "[]", '"0001-01-01T00:00:00+05:00"'])
def test_decode_json_rejects_unusable_times(time: str) -> None:
    """A time that is not ISO 8601 or epoch seconds is a DecodeError, not a silent drop."""
    with pytest.raises(DecodeError) as caught:
        decode_json(b'{"value": 1, "time": ' + time.encode() + b"}")
    assert "ISO 8601" in caught.value.reason


def test_decode_json_accepts_a_quoted_number() -> None:
    """A value quoted as text (Node-RED, shell scripts) is still read."""
    assert decode_json(b'{"value": "25.1", "unit": "F"}') == DecodedValue(25.1, unit="F")


@pytest.mark.parametrize(
    ("payload", "hint"),
    [
        (b'{"temperature": 25.1}', '"value"'),
        (b'{"value": true}', "not a number"),
        (b'{"value": null}', "not a number"),
        (b'{"value": NaN}', "nan"),
        (b'{"value": "warm"}', "not a number"),
        (b'{"value": 1, "unit": 5}', '"unit"'),
        (b"[25.1]", "neither a number nor an object"),
        (b'"25.1"', "neither a number nor an object"),
        (b"{value: 25.1}", "not valid JSON"),
    ],
)
def test_decode_json_rejects_malformed_objects(payload: bytes, hint: str) -> None:
    """Malformed or valueless JSON raises DecodeError whose reason points at the problem."""
    with pytest.raises(DecodeError) as caught:
        decode_json(payload)
    assert hint in caught.value.reason


def test_decode_default_chooses_json_or_plain_number() -> None:
    """The default scheme reads a JSON object when the payload starts with "{"."""
    assert decode_default(b'  {"value": 6.8, "unit": "pH"}') == DecodedValue(6.8, unit="pH")
    assert decode_default(b"6.8\r\n") == DecodedValue(6.8)
    with pytest.raises(DecodeError):
        decode_default(b"{6.8")


def test_deeply_nested_json_is_a_decode_error() -> None:
    """Thousands of nested brackets (RecursionError inside json) surface as DecodeError."""
    for decode in (decode_json, decode_default, decode_tasmota):
        with pytest.raises(DecodeError) as caught:
            decode(b'{"a":' * 5_000 + b"1" + b"}" * 5_000)  # 30 kB, under the size limit
        assert "nested too deeply" in caught.value.reason


# --- Tasmota ---------------------------------------------------------------------------------


def test_decode_tasmota_reads_the_domain_example() -> None:
    """The DOMAIN.md SENSOR message yields one temperature with unit and time."""
    assert decode_tasmota(TASMOTA_EXAMPLE) == [
        DecodedValue(
            22.6,
            unit="C",
            time=datetime(2018, 3, 2, 18, 25, 3, tzinfo=UTC),
            field="DS18B20.Temperature",
        )
    ]


def test_decode_tasmota_reads_two_probes_in_fahrenheit() -> None:
    """Two DS18B20 probes with TempUnit F give two readings in F; their Ids are skipped."""
    payload = (
        b'{"Time":"2026-11-24T09:00:00","DS18B20-1":{"Id":"0316A2794C0E","Temperature":77.4},'
        b'"DS18B20-2":{"Id":"031697793D8F","Temperature":76.1},"TempUnit":"F"}'
    )
    readings = decode_tasmota(payload)
    assert [(r.field, r.value, r.unit) for r in readings] == [
        ("DS18B20-1.Temperature", 77.4, "F"),
        ("DS18B20-2.Temperature", 76.1, "F"),
    ]


def test_decode_tasmota_applies_the_device_zone_to_its_local_time() -> None:
    """Tasmota's zoneless local Time is read in the given zone and stored as UTC."""
    (reading,) = decode_tasmota(TASMOTA_EXAMPLE, tz=ZoneInfo("Asia/Shanghai"))
    assert reading.time == datetime(2018, 3, 2, 10, 25, 3, tzinfo=UTC)
    (reading,) = decode_tasmota(TASMOTA_EXAMPLE, tz=timezone(timedelta(hours=-5)))
    assert reading.time == datetime(2018, 3, 2, 23, 25, 3, tzinfo=UTC)


def test_decode_tasmota_only_temperatures_get_the_temp_unit() -> None:
    """Analog, humidity and pressure leaves have no unit; Temperature and DewPoint get TempUnit."""
    payload = json.dumps(
        {
            "Time": "2026-11-24T09:00:00",
            "ANALOG": {"A0": 512},
            "BME280": {"Temperature": 24.1, "Humidity": 55.2, "DewPoint": 14.5, "Pressure": 1013},
            "Switch1": "ON",
            "TempUnit": "C",
            "PressureUnit": "hPa",
            "SpeedUnit": "km/h",
        }
    ).encode()
    units = {r.field: r.unit for r in decode_tasmota(payload)}
    assert units == {
        "ANALOG.A0": None,
        "BME280.Temperature": "C",
        "BME280.Humidity": None,
        "BME280.DewPoint": "C",
        "BME280.Pressure": None,
    }


def test_decode_tasmota_walks_nested_objects_and_arrays() -> None:
    """Nested objects and arrays name their leaves by path; text and booleans are skipped."""
    payload = b'{"ENERGY":{"Power":[12,0],"Today":0.3,"On":true,"Meta":{"V":230}}}'
    readings = decode_tasmota(payload)
    assert [(r.field, r.value) for r in readings] == [
        ("ENERGY.Power[0]", 12.0),
        ("ENERGY.Power[1]", 0.0),
        ("ENERGY.Today", 0.3),
        ("ENERGY.Meta.V", 230.0),
    ]
    assert all(r.time is None for r in readings)


@pytest.mark.parametrize(
    "payload",
    [
        b'{"Time":"2026-11-24T09:00:00","TempUnit":"C"}',
        b'{"Time":"2026-11-24T09:00:00","DS18B20":{"Id":"0316A2794C0E"}}',
        b"22.6",
        b"[]",
    ],
)
def test_decode_tasmota_without_readings_is_a_decode_error(payload: bytes) -> None:
    """A SENSOR message with no numeric leaf under a sensor object raises DecodeError."""
    with pytest.raises(DecodeError):
        decode_tasmota(payload)


def test_decode_tasmota_rejects_a_non_finite_leaf_by_name() -> None:
    """A NaN reading is named in the DecodeError instead of being stored."""
    with pytest.raises(DecodeError) as caught:
        decode_tasmota(b'{"DS18B20":{"Temperature":NaN}}')
    assert "DS18B20.Temperature" in caught.value.reason


def test_decode_tasmota_rejects_a_bad_time() -> None:
    """An unreadable Time raises DecodeError rather than a reading at the wrong time."""
    with pytest.raises(DecodeError):
        decode_tasmota(b'{"Time":"02/03/2018 18:25","DS18B20":{"Temperature":22.6}}')


# --- ESPHome ---------------------------------------------------------------------------------


def test_decode_esphome_reads_a_state() -> None:
    """An ESPHome state topic carries a plain number."""
    assert decode_esphome(b"24.56250") == DecodedValue(24.5625)


@pytest.mark.parametrize("payload", [b"nan", b"NaN", b"-nan", b"unknown", b"unavailable"])
def test_decode_esphome_failed_sensor_is_a_decode_error(payload: bytes) -> None:
    """ESPHome's failed-sensor states raise DecodeError that says the sensor failed."""
    with pytest.raises(DecodeError) as caught:
        decode_esphome(payload)
    assert "sensor fails" in caught.value.reason


@pytest.mark.parametrize("payload", [b"", b"  \n"])
def test_decode_esphome_empty_state_is_a_decode_error(payload: bytes) -> None:
    """An empty state raises DecodeError naming the emptiness."""
    with pytest.raises(DecodeError) as caught:
        decode_esphome(payload)
    assert "empty" in caught.value.reason


def test_decode_esphome_rejects_binary_sensor_states() -> None:
    """An ON/OFF binary sensor state is not a number."""
    with pytest.raises(DecodeError):
        decode_esphome(b"ON")


# --- every decoder ---------------------------------------------------------------------------


@pytest.mark.parametrize("decode", ALL_DECODERS, ids=DECODER_IDS)
def test_oversize_payload_is_refused_before_decoding(decode: Callable[[bytes], object]) -> None:
    """One byte over the limit is refused even when the content would otherwise decode."""
    body = TASMOTA_EXAMPLE if decode is decode_tasmota else b"25.1"
    decode(body + b" " * (MAX_PAYLOAD_BYTES - len(body)))  # exactly at the limit: fine
    with pytest.raises(DecodeError) as caught:
        decode(body + b" " * (MAX_PAYLOAD_BYTES + 1 - len(body)))
    assert str(MAX_PAYLOAD_BYTES) in caught.value.reason


@pytest.mark.parametrize("decode", ALL_DECODERS, ids=DECODER_IDS)
@pytest.mark.parametrize("payload", [b"\xff\xfe\x00\x01", b"\x89PNG\r\n\x1a\n", b"25.1\xc3"])
def test_binary_payload_is_a_utf8_decode_error(
    decode: Callable[[bytes], object], payload: bytes
) -> None:
    """Bytes that are not UTF-8 raise DecodeError chained to the Unicode error."""
    with pytest.raises(DecodeError) as caught:
        decode(payload)
    assert "UTF-8" in caught.value.reason
    assert isinstance(caught.value.__cause__, UnicodeDecodeError)


@pytest.mark.parametrize("decode", ALL_DECODERS, ids=DECODER_IDS)
def test_reasons_keep_payload_excerpts_short(decode: Callable[[bytes], object]) -> None:
    """A long garbage payload appears in the reason as at most 60 characters."""
    with pytest.raises(DecodeError) as caught:
        decode(b"x" * 5000)
    assert "x" * 58 not in caught.value.reason
    assert len(caught.value.reason) < 250


@pytest.mark.parametrize("decode", ALL_DECODERS, ids=DECODER_IDS)
def test_text_instead_of_bytes_is_a_decode_error(decode: Callable[[bytes], object]) -> None:
    """A str passed where bytes belong is a DecodeError, not a TypeError."""
    with pytest.raises(DecodeError):
        decode("25.1")  # type: ignore[arg-type]  # the wrong type on purpose: the test


def test_bytearray_and_byte_order_mark_are_accepted() -> None:
    """A bytearray payload and a leading UTF-8 BOM from Windows tools still decode."""
    assert decode_number(bytearray(b"25.1")) == DecodedValue(25.1)
    assert decode_json(b'\xef\xbb\xbf{"value": 25.1}') == DecodedValue(25.1)


def test_a_payload_too_large_to_read_becomes_a_decode_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Running out of memory on a payload is that payload's fault: a DecodeError, chained."""

    def broken_loads(text: str) -> object:
        raise MemoryError

    monkeypatch.setattr(decoders.json, "loads", broken_loads)
    with pytest.raises(DecodeError) as caught:
        decode_json(b'{"value": 1}')
    assert isinstance(caught.value.__cause__, MemoryError)


def test_a_bug_inside_a_decoder_is_not_dressed_up_as_bad_input(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A TypeError in decoding code propagates as itself, so tests and logs see the bug."""

    def buggy_loads(text: str) -> object:
        raise TypeError("unsupported operand")

    monkeypatch.setattr(decoders.json, "loads", buggy_loads)
    with pytest.raises(TypeError):
        decode_json(b'{"value": 1}')
