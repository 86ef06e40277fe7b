"""Hostile input: random payloads on random topics, and random config files."""

from __future__ import annotations

import random
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from db.dead_letters import count_dead_letters
from db.readings import BatchStore, count_readings
from sensors.errors import ConfigError
from settings.config import parse_config
from tests.conftest import DaemonFactory
from tests.support import Broker, publish_all, publisher, unique, wait_until

FLOOD = 3000
CAP = 500


def hostile_message(rng: random.Random, tank: str) -> tuple[str, bytes]:
    """A message that must be refused: bad bytes, bad JSON, bad names, huge or impossible values."""
    kind = rng.randrange(6)
    level = "".join(rng.choice("abcXYZ #+\u00e9/") for _ in range(rng.randrange(1, 12)))
    if kind == 0:
        noise = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 300)))
        return f"aquarium/{tank}/ph", b"\xff" + noise  # never valid UTF-8
    if kind == 1:
        safe = "".join("_" if ch in "/#+" else ch for ch in level)
        return f"aquarium/{tank}/x{safe}", b"7"  # no parameter starts with x
    if kind == 2:
        return f"aquarium/{tank}/temperature", rng.choice([b"85.0", b"-127", b"nan", b"1e999"])
    if kind == 3:
        value = rng.choice([b"[1]", b'"x"', b"{}", b"true"])
        return f"aquarium/{tank}/orp", b'{"value": ' + value + b"}"
    if kind == 4:
        return f"aquarium/{tank}/ph", b"{" * rng.randrange(1, 5000)
    return f"aquarium/BAD{rng.randrange(1000)}/ph", b"7.0"


def test_a_flood_of_hostile_messages_is_dead_lettered_within_bounds(
    broker: Broker, engine: Engine, start_daemon: DaemonFactory, report
) -> None:
    """3,000 hostile messages: the daemon stays up, good readings among them are kept, and the
    dead-letter table stays within its cap."""
    rng = random.Random(20261124)
    tank = unique("hostile")
    daemon = start_daemon(store=BatchStore(engine, dead_letter_max_rows=CAP))
    messages = []
    for i in range(FLOOD):
        messages.append(hostile_message(rng, tank))
        if i % 100 == 0:
            messages.append((f"aquarium/{tank}/ph", f"{6.5 + i / 10000:.4f}".encode()))
    good = FLOOD // 100
    started = time.monotonic()
    with publisher(broker) as client:
        publish_all(client, messages)
    # By outcome, not by messages received: retained messages of other tests arrive too.
    assert wait_until(lambda: daemon.stats.rejected >= FLOOD, timeout=60), daemon.stats
    assert wait_until(lambda: count_readings(engine, tank) == good, timeout=10)
    assert daemon.stats.rejected == FLOOD
    assert count_readings(engine, tank) == good
    assert count_dead_letters(engine) <= CAP + CAP // 10
    assert daemon.session.connected
    report(
        "hostile input",
        "random bytes, bad JSON, bad topic levels, fault values, 5 kB of braces, via Mosquitto",
        f"{FLOOD} hostile + {good} valid messages",
        good - count_readings(engine, tank),
        time.monotonic() - started,
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400))
def test_random_config_text_only_ever_raises_config_error(text: str) -> None:
    """Whatever the file says, parsing gives a config or a one-line ConfigError."""
    try:
        parse_config(text, "aquarium.toml")
    except ConfigError as exc:
        assert "\n" not in str(exc)
