"""From a topic and a payload to stored values: which tank and parameter, in canonical units."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from functools import partial
from typing import NamedTuple

from sensors.catalogue import PARAMETERS
from sensors.decoders import (
    MAX_PAYLOAD_BYTES,
    DecodedValue,
    decode_default,
    decode_esphome,
    decode_json,
    decode_number,
    decode_tasmota,
)
from sensors.errors import SensorError
from sensors.naming import DEFAULT_TOPIC_PREFIX, OWN_TOPICS, is_valid_tank_name
from sensors.units import to_canonical
from sensors.validation import (
    BACKFILL_HORIZON,
    MAX_CLOCK_AHEAD,
    check_device_time,
    check_plausible,
)


class Rejected(Exception):
    """A message that cannot become a reading; .reason goes to the dead-letter table."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Ignored:
    """A message on a topic we publish ourselves (advice, alerts): neither stored nor refused."""

    topic: str


@dataclass(frozen=True)
class Availability:
    """A device's own online/offline message (Tasmota LWT, ESPHome status): not a reading.

    TOPICS are the configured sensor topics on that device; they all change together.
    """

    device: str
    online: bool
    topics: tuple[str, ...]


@dataclass(frozen=True)
class SensorRoute:
    """A configured sensor: messages on TOPIC (and FIELD, for Tasmota) feed TANK's PARAMETER."""

    topic: str
    tank: str
    parameter: str
    format: str = "number"  # number | json | tasmota | esphome
    field: str | None = None
    unit: str | None = None
    expected_interval_s: float | None = None
    # The zone of the node's clock, for times without an offset (Tasmota's Time); None: this
    # machine's zone.
    timezone: tzinfo | None = None


# A named tuple, not a frozen dataclass: one is built for every reading the daemon receives.
class RoutedValue(NamedTuple):
    """A value ready to store."""

    tank: str
    parameter: str
    value: float
    time: datetime
    device_time: bool  # the time came from the device (honoured as sent), not the receive clock
    field: str = ""


Routed = list[RoutedValue] | Ignored | Availability
# What a topic resolves to: a function of the payload and the receive time.
Target = Callable[[bytes, datetime], Routed]

# Default-scheme topics whose resolution is kept (configured topics are resolved up front and
# always kept). Any publisher can invent topic names, so the cache is bounded: when full it
# starts again from the configured ones, and a flood of made-up topics costs what it did
# before the cache. 4096 is far more topics than a shop's rack of tanks has sensors.
MAX_CACHED_TOPICS = 4096

_SINGLE_DECODERS: dict[str, Callable[[bytes], DecodedValue]] = {
    "number": decode_number,
    "json": decode_json,
    "esphome": decode_esphome,
}


def availability_topic(route: SensorRoute) -> tuple[str, str] | None:
    """(availability topic, device) for a sensor on a Tasmota or ESPHome node, else None.

    Both announce themselves with a retained message that the broker replaces with the last will
    when the node drops off: Tasmota on tele/<topic>/LWT, ESPHome on <topic_prefix>/status.
    """
    levels = route.topic.split("/")
    if route.format == "tasmota" and len(levels) == 3 and levels[0] == "tele":
        return f"tele/{levels[1]}/LWT", levels[1]
    if route.format == "esphome" and len(levels) >= 4 and levels[-3] == "sensor":
        prefix = "/".join(levels[:-3])
        if levels[-1] == "state" and prefix:
            return f"{prefix}/status", prefix
    return None


def _availability_word(payload: bytes, device: str) -> bool:
    # Tasmota says Online/Offline, ESPHome online/offline; both are plain ASCII.
    word = payload.decode("utf-8", errors="replace").strip().lower()
    if word in ("online", "offline"):
        return word == "online"
    raise Rejected(
        f"availability message of {device[:40]!r} is {word[:20]!r}, not online or offline; "
        "keep the node's default last-will and birth messages"
    )


def guess_format(topic: str) -> str:
    """The payload format a topic's shape suggests, for sensors configured without one."""
    if topic.startswith("tele/") and topic.endswith("/SENSOR"):
        return "tasmota"
    if "/sensor/" in topic and topic.endswith("/state"):
        return "esphome"
    return "json"  # decode_json accepts plain numbers too


class Router:
    """Routes messages of configured sensors and of the default aquarium/<tank>/<parameter>.

    What a topic means (which decoder, tank, parameter and unit; or a device's availability, or
    one of our own topics) is worked out once per topic and kept, so a message costs its decode,
    validation and conversion only. Only the topic's meaning is kept, never a payload's outcome:
    a message that fails to decode leaves the topic's next message to be read afresh. The routes
    are fixed when the router is made; a changed config makes a new router (the daemon restarts).
    """

    def __init__(
        self,
        routes: Iterable[SensorRoute] = (),
        *,
        backfill: timedelta = BACKFILL_HORIZON,
        raw_kept: timedelta | None = None,
    ) -> None:
        self.backfill = backfill
        self.max_ahead = MAX_CLOCK_AHEAD
        self.raw_kept = raw_kept  # [retention] raw_days; None: raw readings kept for ever
        self._routes: dict[str, list[SensorRoute]] = {}
        # availability topic -> (device, its configured sensor topics)
        self._availability: dict[str, tuple[str, tuple[str, ...]]] = {}
        for route in routes:
            self._routes.setdefault(route.topic, []).append(route)
            found = availability_topic(route)
            if found is not None:
                device, topics = self._availability.get(found[0], (found[1], ()))
                if route.topic not in topics:
                    self._availability[found[0]] = (device, (*topics, route.topic))
        self._configured_targets: dict[str, Target] = {
            topic: self._resolve(topic) for topic in {*self._routes, *self._availability}
        }
        self._targets = dict(self._configured_targets)

    def subscriptions(self) -> list[str]:
        """Topic filters: the default scheme, every configured topic and device availability."""
        # aquarium/+/+ matches exactly three levels; a configured aquarium/... topic of another
        # depth (an ESPHome node named "aquarium") needs its own subscription.
        extra = sorted(
            t
            for t in {*self._routes, *self._availability}
            if not (t.startswith(f"{DEFAULT_TOPIC_PREFIX}/") and t.count("/") == 2)
        )
        return [f"{DEFAULT_TOPIC_PREFIX}/+/+", *extra]

    @property
    def cached_topics(self) -> int:
        """How many topics' meanings are kept (configured ones included)."""
        return len(self._targets)

    def route(self, topic: str, payload: bytes, received: datetime) -> Routed:
        """What one message says: values, a device's availability, or nothing for us (Ignored).

        A message that cannot become a reading raises Rejected with the reason.
        """
        if len(payload) > MAX_PAYLOAD_BYTES:
            raise Rejected(
                f"payload of {len(payload)} bytes is over the {MAX_PAYLOAD_BYTES // 1024} KiB "
                "limit and was not read; publish one reading per message"
            )
        target = self._targets.get(topic)
        if target is None:
            target = self._resolve(topic)  # a refused topic raises here and is not kept
            if len(self._targets) >= len(self._configured_targets) + MAX_CACHED_TOPICS:
                self._targets = dict(self._configured_targets)
            self._targets[topic] = target
        try:
            return target(payload, received)
        except SensorError as exc:
            raise Rejected(exc.reason) from exc

    def _resolve(self, topic: str) -> Target:
        """What messages on TOPIC mean, or Rejected if they can mean nothing."""
        if topic in self._availability and topic not in self._routes:
            device, topics = self._availability[topic]
            return partial(_availability, device, topics)
        if topic in self._routes:
            return partial(self._configured, self._routes[topic])
        levels = topic.split("/")
        if len(levels) != 3 or levels[0] != DEFAULT_TOPIC_PREFIX:
            raise Rejected(
                f"topic {topic[:80]!r} is not aquarium/<tank>/<parameter> and no sensor in the "
                "config uses it; add a [[sensors]] entry for it"
            )
        _, tank, parameter = levels
        if parameter in OWN_TOPICS:
            return partial(_ignored, Ignored(topic))
        if not is_valid_tank_name(tank):
            raise Rejected(
                f"tank {tank[:40]!r} in topic {topic[:80]!r} is not a valid tank name; use 1-32 "
                "lowercase letters, digits, '-' or '_'"
            )
        if parameter not in PARAMETERS:
            raise Rejected(
                f"unknown parameter {parameter[:40]!r} in topic {topic[:80]!r}; use one of "
                f"{', '.join(PARAMETERS)}"
            )
        return partial(self._default_scheme, tank, parameter)

    def _default_scheme(
        self, tank: str, parameter: str, payload: bytes, received: datetime
    ) -> list[RoutedValue]:
        decoded = decode_default(payload)
        return [self._finish(tank, parameter, decoded, decoded.unit, received)]

    def _configured(
        self, routes: list[SensorRoute], payload: bytes, received: datetime
    ) -> list[RoutedValue]:
        fmt = routes[0].format
        if fmt == "tasmota":
            by_field = {
                value.field: value for value in decode_tasmota(payload, tz=routes[0].timezone)
            }
            values = []
            for route in routes:
                decoded = by_field.get(route.field)
                if decoded is None:
                    continue  # this probe is absent from this message; others may be present
                unit = route.unit or decoded.unit
                values.append(self._finish(route.tank, route.parameter, decoded, unit, received))
            if not values:
                wanted = ", ".join(sorted(str(r.field) for r in routes))
                found = ", ".join(sorted(str(f) for f in by_field)) or "none"
                raise Rejected(
                    f"Tasmota message has none of the configured fields ({wanted}); it has "
                    f"{found}: set 'field' in the config to one of those"
                )
            return values
        decoded = _SINGLE_DECODERS[fmt](payload)
        return [
            self._finish(r.tank, r.parameter, decoded, r.unit or decoded.unit, received)
            for r in routes
        ]

    def _finish(
        self,
        tank: str,
        parameter: str,
        decoded: DecodedValue,
        unit: str | None,
        received: datetime,
    ) -> RoutedValue:
        value = to_canonical(parameter, decoded.value, unit)
        check_plausible(parameter, value)
        # A device time is honoured back to the backfill horizon, or the message is refused
        # with the reason: never moved to the receive time (devices buffer while offline).
        time = decoded.time
        if time is None:
            return RoutedValue(tank, parameter, value, received, False, decoded.field or "")
        check_device_time(time, received, self.backfill, self.max_ahead, self.raw_kept)
        return RoutedValue(tank, parameter, value, time, True, decoded.field or "")


def _availability(device: str, topics: tuple[str, ...], payload: bytes, _: datetime) -> Routed:
    return Availability(device, _availability_word(payload, device), topics)


def _ignored(ignored: Ignored, _payload: bytes, _received: datetime) -> Routed:
    return ignored  # immutable: one instance serves every message on the topic
