"""A node's buffered reading older than the raw history kept: refused, never counted twice."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, text

from aquarium.wiring import router_for
from db.readings import BatchStore, NewReading
from db.retention import fold_old_readings
from ingest.routing import Rejected, RoutedValue
from settings.config import parse_config

CONFIG = "[retention]\nraw_days = 7\n[ingest]\nbackfill_days = 365\n"
TOPIC = "aquarium/t/temperature"


def test_a_reading_resent_after_its_hour_was_folded_is_not_counted_twice(engine: Engine) -> None:
    """With raw_days under backfill_days, the same buffered reading sent twice counts once."""
    router = router_for(parse_config(CONFIG, "aquarium.toml"))
    store = BatchStore(engine)
    now = datetime.now(UTC).replace(microsecond=0)
    taken = now - timedelta(days=30)
    payload = json.dumps({"value": 31.0, "time": taken.isoformat()}).encode()

    def deliver() -> None:
        """Route the node's message as the daemon does and store what it yields."""
        values = router.route(TOPIC, payload, now)
        assert isinstance(values, list)
        store.write([_reading(v, now) for v in values], [])

    # The hour around it has readings that retention folded: no raw row is left to clash with.
    history = [taken + timedelta(minutes=m - 30) for m in range(60)]
    store.write([NewReading("t", "temperature", 25.0, t, t, TOPIC) for t in history], [])
    fold_old_readings(engine, timedelta(days=7), now)
    for _ in range(2):  # the node did not see its ack and sends the buffered reading again
        try:
            deliver()
        except Rejected as refused:
            assert "raw_days" in refused.reason
        fold_old_readings(engine, timedelta(days=7), now)
    with engine.connect() as conn:
        counted = conn.execute(
            text("SELECT count(*) FROM reading_hours WHERE high = 31.0")
        ).scalar_one()
        readings = conn.execute(text("SELECT sum(n) FROM reading_hours")).scalar_one()
    assert readings - len(history) <= 1 and counted <= 1


@pytest.mark.parametrize("days", [6, 8])
def test_device_times_are_honoured_back_to_the_raw_history_kept(days: int) -> None:
    """A device time within raw_days is stored as sent; an older one is refused with the reason."""
    router = router_for(parse_config(CONFIG, "aquarium.toml"))
    now = datetime.now(UTC)
    payload = json.dumps({"value": 25.0, "time": (now - timedelta(days=days)).isoformat()})
    if days < 7:
        (value,) = router.route(TOPIC, payload.encode(), now)  # type: ignore[misc]
        assert isinstance(value, RoutedValue) and value.device_time
        return
    with pytest.raises(Rejected, match=r"\[retention\] raw_days"):
        router.route(TOPIC, payload.encode(), now)


def _reading(value: RoutedValue, received: datetime) -> NewReading:
    return NewReading(value.tank, value.parameter, value.value, value.time, received, TOPIC)
