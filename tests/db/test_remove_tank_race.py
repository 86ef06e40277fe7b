"""`aquarium tank remove` while the daemon's batch for that tank is in flight (PostgreSQL)."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from db.engine import open_engine
from db.readings import BatchStore, NewReading
from db.tanks import remove_tank


@pytest.mark.postgres
def test_a_tank_removed_during_a_batch_leaves_no_reading_without_its_sensor(
    postgres_url: str,
) -> None:
    """Readings committed by a batch the removal waited for go with the tank, as before 0014."""
    engine = open_engine(postgres_url)
    now = datetime.now(UTC)
    BatchStore(engine).write([NewReading("gone", "ph", 8.0, now, now, "aquarium/gone/ph")], [])
    with engine.connect() as conn:
        sensor_id = conn.execute(text("SELECT id FROM sensors")).scalar_one()
    batch = engine.connect()
    batch.begin()  # the daemon's transaction, as BatchStore writes it: rows, mark, last_seen
    batch.execute(
        text("INSERT INTO readings (sensor_id, time, value, received_at) VALUES (:s, :t, 8.1, :t)"),
        {"s": sensor_id, "t": now.timestamp() + 1},
    )
    batch.execute(
        text("INSERT INTO rollup_pending (sensor_id, hour) VALUES (:s, :h) ON CONFLICT DO NOTHING"),
        {"s": sensor_id, "h": int(now.timestamp() // 3600)},
    )
    batch.execute(text("UPDATE sensors SET online = true WHERE id = :s"), {"s": sensor_id})
    removal = threading.Thread(target=remove_tank, args=(engine, "gone"))
    removal.start()
    time.sleep(1.0)  # let the removal reach the rows the batch holds (not a timing assertion)
    batch.commit()
    batch.close()
    removal.join(timeout=30)
    assert not removal.is_alive()
    with engine.connect() as conn:
        orphans = conn.execute(
            text(
                "SELECT count(*) FROM readings r "
                "WHERE NOT EXISTS (SELECT 1 FROM sensors s WHERE s.id = r.sensor_id)"
            )
        ).scalar_one()
    assert orphans == 0
    engine.dispose()
