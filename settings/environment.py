"""Settings, declared once: environment variables (12-factor) plus the TOML file they point at."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sensors.mqtt_settings import MqttSettings, parse_mqtt_url

if TYPE_CHECKING:
    # settings.config imports pydantic (about 0.15 s): a command that needs only the database
    # (`aquarium advise` without a config file) reads database_url() and never pays for it.
    from settings.config import AppConfig

DEFAULT_MQTT_URL = "mqtt://127.0.0.1:1883"

__all__ = [
    "DEFAULT_MQTT_URL",
    "MqttSettings",
    "Settings",
    "config_path",
    "database_url",
    "default_db_path",
    "load_settings",
    "parse_mqtt_url",
]


def default_db_path(env: Mapping[str, str]) -> Path:
    """One well-known place the daemon and the dashboard both find: the XDG data folder."""
    base = env.get("XDG_DATA_HOME") or str(Path(env.get("HOME", "~")) / ".local" / "share")
    return Path(base).expanduser() / "aquarium" / "aquarium.db"


@dataclass(frozen=True)
class Settings:
    """Everything the processes need, read once at start."""

    db_url: str
    mqtt: MqttSettings
    config_path: Path | None
    config: AppConfig
    mqtt_configured: bool  # AQUARIUM_MQTT_URL was set explicitly (aquarium up then never embeds)


def database_url(env: Mapping[str, str]) -> str:
    """AQUARIUM_DB_URL, else the SQLite file in the well-known place."""
    return env.get("AQUARIUM_DB_URL") or f"sqlite:///{default_db_path(env)}"


def config_path(env: Mapping[str, str]) -> Path | None:
    """The config file AQUARIUM_CONFIG names, or None."""
    return Path(env["AQUARIUM_CONFIG"]).expanduser() if env.get("AQUARIUM_CONFIG") else None


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Read the environment (os.environ by default) and the config file it names."""
    from settings.config import load_config

    env = os.environ if env is None else env
    mqtt_url = env.get("AQUARIUM_MQTT_URL") or DEFAULT_MQTT_URL
    path = config_path(env)
    return Settings(
        db_url=database_url(env),
        mqtt=parse_mqtt_url(mqtt_url),
        config_path=path,
        config=load_config(path),
        mqtt_configured=bool(env.get("AQUARIUM_MQTT_URL")),
    )
