"""The composition root: settings in, connected objects out."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from db.engine import open_engine
from db.errors import NotFound
from db.readings import BatchStore
from db.sensor_labels import SensorLabel, apply_sensor_labels
from db.tanks import add_tank, get_tank, tank_names, update_tank
from ingest.admission import TankAdmission
from ingest.daemon import IngestDaemon
from ingest.mqtt_session import MqttSession
from ingest.routing import Router, SensorRoute, guess_format
from settings.config import AppConfig
from settings.environment import Settings


def default_client_id(db_url: str) -> str:
    """The daemon's MQTT client id: one per database, stable across restarts.

    The broker keeps a persistent session's queue under the client id, and a second client
    with the same id takes the session over. Deriving it from the database keeps restarts on
    one queue while two installations on one broker stay apart.
    """
    return f"aquarium-ingest-{hashlib.sha256(db_url.encode()).hexdigest()[:10]}"


def engine_for(settings: Settings) -> Engine:
    """The database engine, migrated to the current schema."""
    return open_engine(settings.db_url)


def sync_tanks(engine: Engine, config: AppConfig) -> None:
    """Make the database's tanks agree with the config's (the file is the keeper's word)."""
    for tank in config.tanks:
        set_up = (
            datetime.combine(tank.set_up, time(), tzinfo=UTC) if tank.set_up is not None else None
        )
        try:
            get_tank(engine, tank.name)
        except NotFound:
            add_tank(
                engine, tank.name, volume_l=tank.volume_l, profile=tank.profile, set_up_at=set_up
            )
        else:
            update_tank(
                engine, tank.name, volume_l=tank.volume_l, profile=tank.profile, set_up_at=set_up
            )


def sync_sensors(engine: Engine, config: AppConfig) -> None:
    """Store the config's sensor labels and primary marks (after sync_tanks)."""
    apply_sensor_labels(
        engine,
        (
            SensorLabel(s.tank, s.parameter, s.topic, s.field or "", s.label, s.primary)
            for s in config.sensors
        ),
        datetime.now(UTC),
    )


def router_for(config: AppConfig) -> Router:
    """Routes for every configured sensor, plus the default topic scheme."""
    return Router(
        (
            SensorRoute(
                topic=s.topic,
                tank=s.tank,
                parameter=s.parameter,
                format=s.format or guess_format(s.topic),
                field=s.field,
                unit=s.unit,
                expected_interval_s=s.expected_interval_s,
                timezone=ZoneInfo(s.timezone) if s.timezone else None,
            )
            for s in config.sensors
        ),
        backfill=timedelta(days=config.ingest.backfill_days),
        raw_kept=timedelta(days=config.retention.raw_days) if config.retention.raw_days else None,
    )


def daemon_for(
    settings: Settings,
    engine: Engine,
    *,
    client_id: str,
    share_group: str | None = None,
) -> IngestDaemon:
    """The ingestion daemon for these settings."""
    admission = TankAdmission(
        lambda: tank_names(engine),
        new_tanks=settings.config.ingest.new_tanks,
        per_hour=settings.config.ingest.max_new_tanks_per_hour,
    )
    return IngestDaemon(
        admission=admission,
        store=BatchStore(engine),
        router=router_for(settings.config),
        session=MqttSession(settings.mqtt, client_id),
        share_group=share_group,
    )
