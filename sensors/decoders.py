"""Payload decoders: MQTT bytes in, numbers (with optional unit and device time) out.

Every decoder lets only DecodeError escape, whatever the bytes: ingest dead-letters a
DecodeError with its reason, and anything else would stop the daemon on one bad message.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from datetime import UTC, datetime, tzinfo
from typing import NamedTuple

from sensors.errors import DecodeError
from sensors.times import LocalTimeError, wall_clock_to_utc

__all__ = [
    "MAX_PAYLOAD_BYTES",
    "DecodedValue",
    "decode_default",
    "decode_esphome",
    "decode_json",
    "decode_number",
    "decode_tasmota",
]

# A reading is a few dozen bytes and a Tasmota SENSOR message a few hundred; anything this big
# is a misconfigured publisher, and refusing it before parsing bounds the work per message.
MAX_PAYLOAD_BYTES = 64 * 1024

_EXCERPT_CHARS = 60
_PLAIN_HINT = 'publish a plain number like 25.1 or JSON {"value": 25.1}'
_TIME_HINT = 'send ISO 8601 such as "2026-11-24T10:00:00Z" or epoch seconds'
# Plain decimal only: Python's float() would also take "1_000", "infinity" and Unicode digits.
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
_NON_FINITE_WORDS = frozenset({"nan", "inf", "infinity"})
# ESPHome publishes "nan" for a failed sensor and Home Assistant style states when none is known.
_ESPHOME_NO_READING = frozenset({"nan", "-nan", "unknown", "unavailable"})
# Epoch seconds past 1e11 are the year 5138: almost surely milliseconds from a JS-style clock.
_EPOCH_SECONDS_LIMIT = 1e11


# A named tuple, not a frozen dataclass: one is built for every message the daemon receives,
# and a frozen dataclass's __init__ cost a microsecond of the few a message may take.
class DecodedValue(NamedTuple):
    """One number read from a payload, before unit conversion and validation."""

    value: float
    unit: str | None = None
    time: datetime | None = None  # tz-aware UTC when the payload carried a time
    field: str | None = None  # Tasmota: "DS18B20.Temperature", "ANALOG.A0", ...


def _unreadable(kind: str, exc: RecursionError | MemoryError) -> DecodeError:
    """What a hostile payload can provoke beyond a parse error, as the DecodeError it is.

    Each decoder catches only these two: a TypeError or KeyError is a bug in the decoder, not
    the payload's fault, and is not dressed up as a DecodeError (the fuzz tests would then pass
    over it); the daemon's router dead-letters the message as an internal error and logs the
    traceback. (A plain try in each decoder rather than a context manager: entering one cost
    more than decoding a plain number.)
    """
    if isinstance(exc, RecursionError):  # json.loads on a few thousand nested brackets
        return DecodeError(f"{kind} payload is nested too deeply; {_PLAIN_HINT}")
    # A payload under the size cap that still expands too far.
    return DecodeError(f"{kind} payload is too large to read; {_PLAIN_HINT}")


def _excerpt(text: str) -> str:
    shown = "".join(c if c.isprintable() else "?" for c in text[: _EXCERPT_CHARS + 1])
    return shown if len(shown) <= _EXCERPT_CHARS else shown[: _EXCERPT_CHARS - 3] + "..."


# Tuples, not `bytes | bytearray`: a union in isinstance() is built anew at every call, and these
# checks run for every message the daemon receives.
_BINARY = (bytes, bytearray, memoryview)
_NUMERIC = (int, float)


def _text(payload: bytes | bytearray) -> str:
    if not isinstance(payload, _BINARY):
        raise DecodeError(f"payload is {type(payload).__name__}, not bytes; pass the MQTT payload")
    size = len(payload)
    if size > MAX_PAYLOAD_BYTES:
        raise DecodeError(
            f"payload is {size} bytes, over the {MAX_PAYLOAD_BYTES}-byte limit; "
            "publish one reading per message"
        )
    try:
        text = (payload if type(payload) is bytes else bytes(payload)).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DecodeError(f"payload is not UTF-8 text (binary data?); {_PLAIN_HINT}") from exc
    return text.removeprefix("\ufeff")  # a BOM from Windows tools is not part of the value


def _finite(value: float, what: str) -> float:
    if not math.isfinite(value):
        raise DecodeError(
            f"{what} is not a finite number ({value}); publish a real reading "
            "and check the sensor if it sent nan or inf"
        )
    return value


def _number_text(text: str, what: str = "payload") -> float:
    stripped = text.strip()
    if not _NUMBER.fullmatch(stripped):  # no spelling of nan or inf matches _NUMBER
        if stripped.lower().lstrip("+-") in _NON_FINITE_WORDS:
            raise DecodeError(
                f'{what} "{stripped}" is not a reading; the sensor reported a failure, check it'
            )
        raise DecodeError(f'{what} "{_excerpt(stripped)}" is not a number; {_PLAIN_HINT}')
    number = float(stripped)
    if math.isfinite(number):  # the message below is built only when it is needed
        return number
    return _finite(number, f'{what} "{_excerpt(stripped)}"')


def _json_number(value: object, what: str) -> float:
    # bool is an int subclass, but true is not a reading.
    if isinstance(value, bool) or not isinstance(value, _NUMERIC):
        raise DecodeError(f"{what} is {_excerpt(json.dumps(value))}, not a number; {_PLAIN_HINT}")
    try:
        number = float(value)
    except OverflowError as exc:  # a JSON integer past 1e308
        raise DecodeError(f"{what} is too large to be a reading; {_PLAIN_HINT}") from exc
    return _finite(number, what)


def _load_json(text: str, kind: str) -> object:
    try:
        return json.loads(text)
    except ValueError as exc:  # JSONDecodeError, or an integer too long for int()
        raise DecodeError(
            f'{kind} payload "{_excerpt(text.strip())}" is not valid JSON; {_PLAIN_HINT}'
        ) from exc


def _iso_time(text: str, default_tz: tzinfo | None) -> datetime:
    try:
        parsed = _from_iso(text.strip())
        if parsed.tzinfo is UTC:  # "Z" or "+00:00", the usual case: already what is stored
            return parsed
        if parsed.tzinfo is None:
            # No offset: wall-clock time in DEFAULT_TZ, or in this machine's zone (with its
            # daylight-saving rules for that date) when None.
            return wall_clock_to_utc(parsed, default_tz)
        return parsed.astimezone(UTC)
    except LocalTimeError as exc:  # the hour clocks skip or repeat: no single instant
        raise DecodeError(
            f'time "{_excerpt(text)}" has no offset and {exc}; have the node send its UTC '
            "offset (Tasmota: SetOption52 1) or UTC"
        ) from exc
    except (ValueError, OverflowError) as exc:  # OverflowError: year 1 or 9999 shifted by zone
        raise DecodeError(f'time "{_excerpt(text)}" is not a usable time; {_TIME_HINT}') from exc


def _from_iso(text: str) -> datetime:
    # datetime.fromisoformat is C and takes "Z", offsets, fractions and a space for "T"; RFC 3339
    # also allows a lower-case "z", which it refuses: retried only after that refusal, so the
    # usual time costs one parse.
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        if text[-1:] != "z":
            raise
    return datetime.fromisoformat(text[:-1] + "Z")


def _epoch_time(seconds: float) -> datetime:
    if abs(seconds) > _EPOCH_SECONDS_LIMIT:
        raise DecodeError(f"time {seconds:g} looks like milliseconds; {_TIME_HINT}")
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (ValueError, OverflowError, OSError) as exc:
        raise DecodeError(f"time {seconds:g} is not a usable epoch time; {_TIME_HINT}") from exc


def _json_time(value: object) -> datetime | None:
    if value is None:
        return None
    if type(value) is str:
        return _iso_time(value, UTC)  # the default scheme says naive means UTC
    if isinstance(value, bool) or not isinstance(value, _NUMERIC):
        raise DecodeError(f"time {_excerpt(json.dumps(value))} is not a time; {_TIME_HINT}")
    return _epoch_time(_json_number(value, "time"))


def decode_number(payload: bytes | bytearray) -> DecodedValue:
    """A plain text number such as b"25.1"; surrounding whitespace is fine."""
    try:
        return DecodedValue(_number_text(_text(payload)))
    except (RecursionError, MemoryError) as exc:
        raise _unreadable("number", exc) from exc


def decode_json(payload: bytes) -> DecodedValue:
    """JSON {"value": 25.1, "time": ..., "unit": "C"} or a bare JSON number."""
    try:
        return _json_value(_text(payload))
    except (RecursionError, MemoryError) as exc:
        raise _unreadable("JSON", exc) from exc


def _json_value(text: str) -> DecodedValue:
    doc = _load_json(text, "JSON")
    if type(doc) is dict:  # the usual case first: {"value": ..., "time": ...}
        return _json_object(doc)
    if isinstance(doc, _NUMERIC) and not isinstance(doc, bool):
        if type(doc) is float and math.isfinite(doc):  # no excerpt to build for a good one
            return DecodedValue(doc)
        return DecodedValue(_json_number(doc, f'JSON payload "{_excerpt(text.strip())}"'))
    raise DecodeError(
        f'JSON payload "{_excerpt(text.strip())}" is neither a number nor an object '
        f'with "value"; {_PLAIN_HINT}'
    )


def _json_object(doc: dict[str, object]) -> DecodedValue:
    if "value" not in doc:
        raise DecodeError(f'JSON payload has no "value" key; {_PLAIN_HINT}')
    raw = doc["value"]
    if type(raw) is float and math.isfinite(raw):  # no excerpt to build for a good one
        value = raw
    elif isinstance(raw, str):
        # Node-RED and shell publishers often quote numbers; a quoted plain number is still one.
        value = _number_text(raw, '"value"')
    else:
        value = _json_number(raw, '"value"')
    unit = doc.get("unit")
    if unit is not None:
        if not isinstance(unit, str):
            raise DecodeError(f'"unit" must be text such as "C", not {_excerpt(json.dumps(unit))}')
        unit = unit.strip() or None
    time = doc.get("time")
    return DecodedValue(value, unit, None if time is None else _json_time(time))


def decode_default(payload: bytes) -> DecodedValue:
    """The default topic scheme: a JSON object if it starts with "{", else a plain number."""
    try:
        text = _text(payload)  # once: the JSON or number reader takes the text
    except (RecursionError, MemoryError) as exc:
        raise _unreadable("default", exc) from exc
    is_json = text[:1] == "{" or text.lstrip()[:1] == "{"
    try:
        return _json_value(text) if is_json else DecodedValue(_number_text(text))
    except (RecursionError, MemoryError) as exc:
        raise _unreadable("JSON" if is_json else "number", exc) from exc


def _leaves(doc: dict[object, object]) -> Iterator[tuple[str, str, object]]:
    """Yield (field path, own key, value) for each leaf under the top-level objects, in order."""
    # An explicit stack rather than recursion: a deep payload must not hit the recursion limit.
    stack: list[tuple[str, str, object]] = [
        (str(key), str(key), value)
        for key, value in reversed(doc.items())
        if isinstance(value, dict)
    ]
    while stack:
        path, key, node = stack.pop()
        if isinstance(node, dict):
            children = [(f"{path}.{k}", str(k), v) for k, v in node.items()]
        elif isinstance(node, list):
            children = [(f"{path}[{i}]", key, v) for i, v in enumerate(node)]
        else:
            yield path, key, node
            continue
        stack.extend(reversed(children))


def _is_temperature_key(key: str) -> bool:
    # Tasmota reports DewPoint in TempUnit as well as every "Temperature", "Temperature1", ...
    return "temperature" in key.lower() or key == "DewPoint"


def decode_tasmota(payload: bytes, *, tz: tzinfo | None = None) -> list[DecodedValue]:
    """Every numeric reading in a Tasmota tele/<dev>/SENSOR message, field "Sensor.Key".

    Tasmota's "Time" has no zone unless SetOption52 is on: it is the device's local time, read in
    ``tz`` (default: this machine's zone). A Time with an offset is taken as given.
    """
    try:
        return _tasmota_values(_text(payload), tz)
    except (RecursionError, MemoryError) as exc:
        raise _unreadable("Tasmota", exc) from exc


def _tasmota_values(text: str, tz: tzinfo | None) -> list[DecodedValue]:
    doc = _load_json(text, "Tasmota")
    if not isinstance(doc, dict):
        raise DecodeError(
            "Tasmota payload is not a JSON object; subscribe to tele/<device>/SENSOR, "
            'which carries {"Time": ..., "<Sensor>": {...}}'
        )
    raw_time = doc.get("Time")
    time = None
    if raw_time is not None:
        if not isinstance(raw_time, str):
            raise DecodeError(f"Tasmota Time {_excerpt(json.dumps(raw_time))} is not text")
        time = _iso_time(raw_time, tz)
    temp_unit = doc.get("TempUnit")
    temp_unit = (temp_unit.strip() or None) if isinstance(temp_unit, str) else None
    readings = []
    for field, key, leaf in _leaves(doc):
        # Ids, switch states and other text are not readings; bool is not a number.
        if isinstance(leaf, bool) or not isinstance(leaf, _NUMERIC):
            continue
        value = (
            leaf
            if type(leaf) is float and math.isfinite(leaf)  # no excerpt to build
            else _json_number(leaf, f"Tasmota {_excerpt(field)}")
        )
        unit = temp_unit if _is_temperature_key(key) else None
        readings.append(DecodedValue(value, unit=unit, time=time, field=field))
    if not readings:
        raise DecodeError(
            f'Tasmota payload "{_excerpt(text.strip())}" has no numeric sensor reading; '
            "check the device's sensors are connected and enabled"
        )
    return readings


def decode_esphome(payload: bytes) -> DecodedValue:
    """An ESPHome state topic: plain text number; "nan" means the sensor failed."""
    try:
        return _esphome_value(_text(payload))
    except (RecursionError, MemoryError) as exc:
        raise _unreadable("ESPHome", exc) from exc


def _esphome_value(text: str) -> DecodedValue:
    state = text.strip()
    if not state:
        raise DecodeError(
            "ESPHome state is empty; check the node is online and the sensor is configured"
        )
    if state.lower() in _ESPHOME_NO_READING:
        raise DecodeError(
            f'ESPHome state is "{state}": the sensor has no valid reading '
            "(ESPHome publishes nan when a sensor fails); check its wiring and the node log"
        )
    return DecodedValue(_number_text(state, "ESPHome state"))
