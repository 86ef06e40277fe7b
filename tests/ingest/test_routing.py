"""The router answers with values: readings, a device's availability, or Ignored; it raises only
for a message that must be refused."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ingest.routing import (
    MAX_CACHED_TOPICS,
    Availability,
    Ignored,
    Rejected,
    Router,
    SensorRoute,
)
from sensors.naming import OWN_TOPICS

RECEIVED = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize("own", sorted(OWN_TOPICS))
def test_our_own_topics_are_ignored_not_refused(own: str) -> None:
    """aquarium/<tank>/advice (and the other topics we publish) come back as Ignored."""
    assert Router([]).route(f"aquarium/t1/{own}", b"{}", RECEIVED) == Ignored(f"aquarium/t1/{own}")


def test_a_reading_comes_back_as_values_and_junk_is_refused() -> None:
    """A plain number is one value; an unknown parameter raises Rejected with the reason."""
    values = Router([]).route("aquarium/t1/ph", b"7.2", RECEIVED)
    assert isinstance(values, list)
    [value] = values
    assert (value.tank, value.parameter, value.value) == ("t1", "ph", 7.2)
    with pytest.raises(Rejected, match="unknown parameter"):
        Router([]).route("aquarium/t1/salinity", b"35", RECEIVED)


# --- what a topic means is kept per router ----------------------------------------------------


def _value(router: Router, topic: str, payload: bytes) -> tuple[str, str, float]:
    """(tank, parameter, value) of the one reading a message makes."""
    routed = router.route(topic, payload, RECEIVED)
    assert isinstance(routed, list)
    [value] = routed
    return value.tank, value.parameter, value.value


def test_a_payload_that_fails_to_decode_does_not_spoil_its_topic() -> None:
    """After a message that cannot be read, the topic's next good message is stored as usual."""
    router = Router()
    with pytest.raises(Rejected, match="not a number"):
        router.route("aquarium/t1/ph", b"seven", RECEIVED)
    with pytest.raises(Rejected, match="outside the possible"):
        router.route("aquarium/t1/ph", b"15", RECEIVED)
    assert _value(router, "aquarium/t1/ph", b"7.2") == ("t1", "ph", 7.2)
    assert _value(router, "aquarium/t1/ph", b'{"value": 7.3}') == ("t1", "ph", 7.3)


def test_a_refused_topic_is_refused_every_time_and_never_kept() -> None:
    """A topic that names no parameter is refused on each message and takes no room in the cache."""
    router = Router()
    for _ in range(3):
        with pytest.raises(Rejected, match="unknown parameter"):
            router.route("aquarium/t1/salinity", b"35", RECEIVED)
        with pytest.raises(Rejected, match="not a valid tank name"):
            router.route("aquarium/Tank 1/ph", b"7", RECEIVED)
    assert router.cached_topics == 0


def test_a_new_config_is_routed_by_its_own_router() -> None:
    """A router made from a changed config (a sensor added on a used topic) follows that config."""
    topic = "aquarium/t1/temperature"
    before = Router()
    assert _value(before, topic, b"50") == ("t1", "temperature", 50.0)  # now kept by BEFORE
    after = Router([SensorRoute(topic, "main", "temperature", "number", unit="F")])
    assert _value(after, topic, b"50") == ("main", "temperature", 10.0)
    assert _value(before, topic, b"50") == ("t1", "temperature", 50.0)


def test_invented_topics_cannot_grow_the_cache_past_its_bound() -> None:
    """A flood of made-up topics keeps at most the bound, and every topic still routes right."""
    configured = SensorRoute(
        "tele/node/SENSOR", "t1", "temperature", "tasmota", "DS18B20.Temperature"
    )
    router = Router([configured])
    fixed = router.cached_topics  # the sensor's topic and its node's LWT
    for i in range(MAX_CACHED_TOPICS + 50):
        assert _value(router, f"aquarium/flood-{i}/ph", b"7.0") == (f"flood-{i}", "ph", 7.0)
        assert router.cached_topics <= fixed + MAX_CACHED_TOPICS
    assert _value(router, "aquarium/flood-0/ph", b"6.9") == ("flood-0", "ph", 6.9)
    tasmota = b'{"Time": "2026-11-24T10:00:00+00:00", "DS18B20": {"Temperature": 24.5}}'
    assert _value(router, configured.topic, tasmota) == ("t1", "temperature", 24.5)
    said = router.route("tele/node/LWT", b"Offline", RECEIVED)
    assert said == Availability("node", False, (configured.topic,))
