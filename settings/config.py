"""The TOML file describing tanks, sensors, limit overrides and notification URLs."""

from __future__ import annotations

import re
import tomllib
from datetime import date
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from health.profiles import DEFAULT_PROFILE, OVERRIDABLE, PROFILES
from sensors.catalogue import PARAMETERS
from sensors.errors import ConfigError
from sensors.keeper_input import TANK_VOLUME_L
from sensors.naming import OWN_TOPICS, tank_name_problem

# DS18B20 ids are family 28 and a 48-bit serial, as the Linux w1 driver names their folders.
PROBE_ID = re.compile(r"28-[0-9a-f]{1,16}")
TOPIC_LEVEL = re.compile(r"[a-z0-9_-]{1,32}")

PayloadFormat = Literal["number", "json", "tasmota", "esphome"]


class _Strict(BaseModel):
    # A misspelt key is an error, not a silently ignored setting.
    model_config = ConfigDict(extra="forbid", frozen=True)


class TankConfig(_Strict):
    """A tank: name, volume in litres, health profile and per-tank limit overrides."""

    name: str
    volume_l: float | None = Field(default=None, ge=TANK_VOLUME_L[0], le=TANK_VOLUME_L[1])
    profile: str = DEFAULT_PROFILE
    limits: dict[str, float] = Field(default_factory=dict)
    set_up: date | None = None  # only for a new tank: the advisor follows its cycle

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        problem = tank_name_problem(value)
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("profile")
    @classmethod
    def _profile(cls, value: str) -> str:
        if value not in PROFILES:
            raise ValueError(f"unknown profile {value!r}; use one of {', '.join(PROFILES)}")
        return value

    @field_validator("limits")
    @classmethod
    def _limits(cls, value: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(value) - set(OVERRIDABLE))
        if unknown:
            raise ValueError(
                f"unknown limit {unknown[0]!r}; the names are the profile's fields, such as "
                "nitrate_limit, nitrate_target, nitrite_limit, kh_floor (see health/profiles.py)"
            )
        return value


class SensorConfig(_Strict):
    """A sensor topic and how to read it."""

    topic: str = Field(min_length=1, max_length=255)
    tank: str
    parameter: str
    format: PayloadFormat | None = None  # None: chosen from the topic's shape
    field: str | None = None  # Tasmota: "DS18B20.Temperature", "DS18B20-1.Temperature"...
    unit: str | None = None
    name: str | None = None
    # Several sensors of one parameter in one tank (two DS18B20s: tank and bed outlet) are told
    # apart by their label on Trends and the overview; the advisor follows the primary one, else
    # the median of those reporting.
    label: str | None = Field(default=None, min_length=1, max_length=64)
    primary: bool = False
    expected_interval_s: float | None = Field(default=None, gt=0)
    # The node's clock zone, for device times without an offset (Tasmota's Time): an IANA name
    # such as "Asia/Shanghai". Default: this machine's zone.
    timezone: str | None = None

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                ZoneInfo(value)
            except (ValueError, ZoneInfoNotFoundError):
                raise ValueError(
                    f"unknown time zone {value[:60]!r}; use an IANA name such as "
                    "'Europe/Berlin' or 'Asia/Shanghai'"
                ) from None
        return value

    @field_validator("parameter")
    @classmethod
    def _parameter(cls, value: str) -> str:
        if value not in PARAMETERS:
            raise ValueError(f"unknown parameter {value!r}; use one of {', '.join(PARAMETERS)}")
        return value

    @field_validator("topic")
    @classmethod
    def _topic(cls, value: str) -> str:
        if "+" in value or "#" in value:
            raise ValueError("a sensor topic is one exact topic; wildcards + and # are not allowed")
        return value


class Ds18b20Config(_Strict):
    """`aquarium sensor ds18b20`: topic names for the probes and the offline buffer's size."""

    # Probe id (the folder name under /sys/bus/w1/devices) -> last topic level, so a probe
    # publishes to aquarium/<tank>/<name>. Unnamed probes use "temperature" when alone, else
    # their id.
    probes: dict[str, str] = Field(default_factory=dict)
    # Readings kept while the broker is unreachable, oldest dropped first: a day of 7 probes
    # read every minute (judgement; about 1 MB of memory).
    buffer_size: int = Field(default=10_000, ge=1, le=1_000_000)

    @field_validator("probes")
    @classmethod
    def _probes(cls, value: dict[str, str]) -> dict[str, str]:
        for probe, name in value.items():
            if not PROBE_ID.fullmatch(probe):
                raise ValueError(
                    f"probe id {probe[:40]!r} is not a DS18B20 id; copy a folder name such as "
                    "28-0123456789ab from /sys/bus/w1/devices"
                )
            if not TOPIC_LEVEL.fullmatch(name) or name in OWN_TOPICS:
                raise ValueError(
                    f"probe name {name[:40]!r} for {probe} cannot be a topic level; use 1-32 "
                    "lowercase letters, digits, '-' or '_' (not advice, alerts or status)"
                )
        names = list(value.values())
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(
                f"several probes are named {', '.join(twice)}; give each probe its own name, "
                "or their readings would mix in one sensor"
            )
        return value


class NotifyConfig(_Strict):
    """Where alerts go: apprise URLs (ntfy://, tgram://, mailto://, pover://...)."""

    urls: list[str] = Field(default_factory=list)


class RetentionConfig(_Strict):
    """How long raw readings are kept before only their hourly min/mean/max remain."""

    # Two years of raw 1-minute readings from 8 sensors is about 8.4 million rows (~0.5 GB in
    # SQLite); older history stays as hourly rollups. 0 keeps raw readings for ever.
    raw_days: int = Field(default=730, ge=0)


class IngestConfig(_Strict):
    """How the daemon takes readings in, and which tanks they may create (ingest/admission.py)."""

    # Device times are honoured this far back (sensors/validation.py BACKFILL_HORIZON: a year);
    # older messages are refused with the reason, and older history is imported instead.
    backfill_days: int = Field(default=365, ge=1, le=3650)
    # "auto": a new aquarium/<tank>/<parameter> topic creates its tank; "config-only": readings
    # only for tanks in this file or added with `aquarium tank add`.
    new_tanks: Literal["auto", "config-only"] = "auto"
    # ingest/admission.py NEW_TANKS_PER_HOUR; more in an hour are dead-lettered with the fix.
    max_new_tanks_per_hour: int = Field(default=10, ge=0)


class HomeAssistantConfig(_Strict):
    """MQTT discovery for Home Assistant: each tank a device with its readings and verdict."""

    # None: on when the broker is on this machine (where a keeper's Home Assistant usually
    # shares it), off for a remote broker someone else may run.
    discovery: bool | None = None
    prefix: str = Field(default="homeassistant", min_length=1)


class AppConfig(_Strict):
    """The whole file."""

    tanks: list[TankConfig] = Field(default_factory=list)
    sensors: list[SensorConfig] = Field(default_factory=list)
    notify: NotifyConfig = Field(default_factory=NotifyConfig)
    ds18b20: Ds18b20Config = Field(default_factory=Ds18b20Config)
    retention: RetentionConfig = Field(default_factory=RetentionConfig)
    ingest: IngestConfig = Field(default_factory=IngestConfig)
    homeassistant: HomeAssistantConfig = Field(default_factory=HomeAssistantConfig)

    @model_validator(mode="after")
    def _one_primary_and_distinct_labels(self) -> AppConfig:
        seen: dict[tuple[str, str], list[SensorConfig]] = {}
        for sensor in self.sensors:
            seen.setdefault((sensor.tank, sensor.parameter), []).append(sensor)
        for (tank, parameter), group in seen.items():
            if sum(s.primary for s in group) > 1:
                raise ValueError(
                    f"several {parameter} sensors of tank {tank!r} say primary = true; "
                    "mark one of them primary (the advisor follows it)"
                )
            labels = [s.label for s in group if s.label is not None]
            twice = sorted({x for x in labels if labels.count(x) > 1})
            if twice:
                raise ValueError(
                    f"several {parameter} sensors of tank {tank!r} are labelled {twice[0]!r}; "
                    "give each its own label, or their lines could not be told apart"
                )
        return self


def _location(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def parse_config(text: str, source: str = "config") -> AppConfig:
    """Parse TOML TEXT; a ConfigError names the key and the fix in one line."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML ({exc}); fix the syntax at that line") from exc
    try:
        return AppConfig.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = _location(tuple(error["loc"]))
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = "unknown key; check its spelling against the README's configuration section"
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise ConfigError(f"{source}: {where}: {message}{more}") from exc


def load_config(path: Path | None) -> AppConfig:
    """The config at PATH, or an empty one when no path is set."""
    if path is None:
        return AppConfig()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigError(
            f"AQUARIUM_CONFIG points at {path}, which does not exist; create it or unset it"
        ) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}; check the file and its permissions") from exc
    return parse_config(text, str(path))
