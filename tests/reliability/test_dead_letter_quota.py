"""Dead letters: a flood from one source cannot evict another source's genuine letter."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, func, select

from db.dead_letters import (
    MAX_ROWS,
    PER_SOURCE,
    DeadLetter,
    count_dead_letters,
    list_dead_letters,
)
from db.readings import BatchStore, NewReading
from db.schema import dead_letters
from tests.conftest import DaemonFactory
from tests.support import Broker, publish_all, publisher, unique, wait_until


@pytest.fixture
def broker(own_broker: Broker) -> Broker:
    """This module's tests get a broker of their own (see own_broker)."""
    return own_broker


FLOOD = 25_000


def test_a_junk_flood_does_not_evict_a_genuine_dead_letter(
    broker: Broker, engine: Engine, start_daemon: DaemonFactory, report
) -> None:
    """A DS18B20 85.0 refused before 25,000 junk messages from two sources is still listed."""
    genuine_tank, noisy = unique("turtles"), [unique("junk"), unique("junk")]
    daemon = start_daemon()
    junk = [(f"aquarium/{noisy[i % 2]}/xjunk", f"{i}".encode()) for i in range(FLOOD)]
    started = time.monotonic()
    with publisher(broker) as client:
        publish_all(client, [(f"aquarium/{genuine_tank}/temperature", b"85.0")])
        publish_all(client, junk)
    assert wait_until(lambda: daemon.stats.rejected >= FLOOD + 1, timeout=120)
    took = time.monotonic() - started
    letters = list_dead_letters(engine, limit=MAX_ROWS * 2)
    genuine = [d for d in letters if d.topic == f"aquarium/{genuine_tank}/temperature"]
    assert len(genuine) == 1 and "power-on value" in genuine[0].reason
    with engine.connect() as conn:
        biggest = conn.execute(
            select(func.count()).select_from(dead_letters).group_by(dead_letters.c.source)
        ).scalars()
        assert max(biggest) <= PER_SOURCE + MAX_ROWS // 10  # pruned every tenth of the cap
    assert count_dead_letters(engine) <= MAX_ROWS + MAX_ROWS // 10
    report(
        "dead-letter flood",
        "a genuine DS18B20 85.0, then 25,000 junk messages from two other topics",
        f"{FLOOD + 1:,} refused messages ({count_dead_letters(engine):,} letters kept)",
        1 - len(genuine),
        took,
    )


def test_a_flood_from_thousands_of_new_topics_does_not_evict_a_known_sensors_letter(
    engine: Engine,
) -> None:
    """25,000 junk letters, each from a topic never seen before, leave a real sensor's letter."""
    store = BatchStore(engine)
    tank = unique("turtles")
    topic = f"aquarium/{tank}/temperature"
    now = datetime.now(UTC)
    store.write([NewReading(tank, "temperature", 25.0, now, now, topic)], [])  # a known sensor

    def letter(on: str, reason: str) -> DeadLetter:
        return DeadLetter(
            time=datetime.now(UTC), topic=on, payload="", payload_size=0, reason=reason
        )

    store.write([], [letter(topic, "temperature 85.0 is the DS18B20 power-on value")])
    for start in range(0, FLOOD, 500):  # the daemon's batches
        store.write([], [letter(f"junk{n}/x/y", "junk") for n in range(start, start + 500)])
    assert count_dead_letters(engine) <= MAX_ROWS + MAX_ROWS // 10
    kept = [d for d in list_dead_letters(engine, limit=MAX_ROWS * 2) if d.topic == topic]
    assert [d.reason for d in kept] == ["temperature 85.0 is the DS18B20 power-on value"]
