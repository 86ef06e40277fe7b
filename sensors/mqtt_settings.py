"""Where the MQTT broker is and how to log in: AQUARIUM_MQTT_URL, parsed once (stdlib only).

Below the settings (which the dashboard loads) and the one client factory (sensors/mqtt_client.py,
which loads paho), so reading a URL never loads an MQTT library.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from sensors.credentials import mask_credentials
from sensors.errors import ConfigError

__all__ = ["MqttSettings", "parse_mqtt_url"]


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
    shown = mask_credentials(url)
    after_host = url[len(parts.scheme) + 3 + len(parts.netloc) :] if parts.netloc else ""
    port_text = parts.netloc.rpartition(":")[2] if ":" in parts.netloc else ""
    cut_password = "@" in after_host and "@" not in parts.netloc
    if cut_password and (not port_text.isdigit() or ":" in after_host.rpartition("@")[0]):
        # urlsplit ends the host part at the first '#', '/' or '?': one of those in the password
        # turns the rest of it into a path or fragment (and a port error that quotes it).
        raise ConfigError(
            f"AQUARIUM_MQTT_URL {shown!r} has '#', '/' or '?' in its user name or password; "
            "percent-encode them (# as %23, / as %2F, ? as %3F, @ as %40)"
        )
    if parts.scheme not in ("mqtt", "mqtts") or not parts.hostname:
        raise ConfigError(
            f"AQUARIUM_MQTT_URL {shown!r} is not a broker URL; use "
            "mqtt://host:1883, mqtt://user:password@host:1883 or mqtts://host:8883"
        )
    tls = parts.scheme == "mqtts"
    try:
        port = parts.port or (8883 if tls else 1883)
    except ValueError as exc:
        # Not exc's text: it quotes what stood after the colon, which may be a password.
        raise ConfigError(
            f"AQUARIUM_MQTT_URL {shown!r} has a port that is not a number from 0 to 65535; "
            "use mqtt://host:1883"
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
