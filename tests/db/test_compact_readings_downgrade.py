"""Downgrading 0014 with a late reading for a folded hour still waiting for its refresh."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alembic import command
from sqlalchemy import Engine, text

from db.migrate import alembic_config
from db.readings import BatchStore, NewReading
from db.retention import fold_old_readings

NOW = datetime.now(UTC)
HOUR = (NOW - timedelta(days=60)).replace(minute=0, second=0, microsecond=0)
TOPIC = "aquarium/d/ph"


def _hours(engine: Engine) -> list[tuple[int, float]]:
    with engine.connect() as conn:
        return [
            (int(n), float(total))
            for n, total in conn.execute(text("SELECT n, total FROM reading_hours"))
        ]


def test_downgrade_adds_a_late_reading_to_its_folded_hour(any_engine: Engine) -> None:
    """A marked folded hour keeps its 60 folded readings through a downgrade and an upgrade."""
    store = BatchStore(any_engine)
    minutes = [HOUR + timedelta(minutes=m) for m in range(60)]
    store.write([NewReading("d", "ph", 8.0, t, t, TOPIC) for t in minutes], [])
    fold_old_readings(any_engine, timedelta(days=30), NOW)
    late = HOUR + timedelta(seconds=30)
    store.write([NewReading("d", "ph", 7.0, late, NOW, TOPIC)], [])  # marked, not refreshed yet
    command.downgrade(alembic_config(any_engine), "0013")
    assert _hours(any_engine) == [(61, 487.0)]
    command.upgrade(alembic_config(any_engine), "head")
    assert _hours(any_engine) == [(61, 487.0)]
