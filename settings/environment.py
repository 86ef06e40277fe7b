"""Settings, declared once: environment variables (12-factor) plus the TOML file they point at."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from sensors.errors import ConfigError
from settings.config import AppConfig, load_config

DEFAULT_MQTT_URL = "mqtt://127.0.0.1:1883"


def default_db_path(env: Mapping[str, str]) -> Path:
    """One well-known place the daemon and the dashboard both find: the XDG data folder."""
    base = env.get("XDG_DATA_HOME") or str(Path(env.get("HOME", "~")) / ".local" / "share")
    return Path(base).expanduser() / "aquarium" / "aquarium.db"


@dataclass(frozen=True)
class MqttSettings:
    """Where the broker is and how to log in; repr hides the password."""

    host: str
    port: int
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    tls: bool = False
    ca_file: str | None = None

    @property
    def display(self) -> str:
        """The URL without the password, safe for logs."""
        scheme = "mqtts" if self.tls else "mqtt"
        user = f"{self.username}@" if self.username else ""
        return f"{scheme}://{user}{self.host}:{self.port}"


def parse_mqtt_url(url: str) -> MqttSettings:
    """mqtt://[user:password@]host[:port], mqtts:// for TLS (?ca=/path/ca.pem for a private CA)."""
    parts = urlsplit(url)
    if parts.scheme not in ("mqtt", "mqtts") or not parts.hostname:
        raise ConfigError(
            f"AQUARIUM_MQTT_URL {_hide_password(url)!r} is not a broker URL; use "
            "mqtt://host:1883, mqtt://user:password@host:1883 or mqtts://host:8883"
        )
    tls = parts.scheme == "mqtts"
    try:
        port = parts.port or (8883 if tls else 1883)
    except ValueError as exc:
        raise ConfigError(
            f"AQUARIUM_MQTT_URL has a bad port ({exc}); use mqtt://host:1883"
        ) from exc
    ca = parse_qs(parts.query).get("ca", [None])[0]
    if ca is not None and not Path(ca).expanduser().is_file():
        raise ConfigError(
            f"AQUARIUM_MQTT_URL names the CA file {ca}, which does not exist; give the path of "
            "the PEM file that signed the broker's certificate"
        )
    return MqttSettings(
        host=parts.hostname,
        port=port,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        tls=tls,
        ca_file=ca,
    )


def _hide_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        return url.replace(f":{parts.password}@", ":***@", 1)
    return url


@dataclass(frozen=True)
class Settings:
    """Everything the processes need, read once at start."""

    db_url: str
    mqtt: MqttSettings
    config_path: Path | None
    config: AppConfig
    mqtt_configured: bool  # AQUARIUM_MQTT_URL was set explicitly (aquarium up then never embeds)


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Read the environment (os.environ by default) and the config file it names."""
    env = os.environ if env is None else env
    db_url = env.get("AQUARIUM_DB_URL") or f"sqlite:///{default_db_path(env)}"
    mqtt_url = env.get("AQUARIUM_MQTT_URL") or DEFAULT_MQTT_URL
    config_path = Path(env["AQUARIUM_CONFIG"]).expanduser() if env.get("AQUARIUM_CONFIG") else None
    return Settings(
        db_url=db_url,
        mqtt=parse_mqtt_url(mqtt_url),
        config_path=config_path,
        config=load_config(config_path),
        mqtt_configured=bool(env.get("AQUARIUM_MQTT_URL")),
    )
