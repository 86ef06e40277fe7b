"""The one MQTT client factory: MqttSettings in, a configured paho client out.

The daemon's session, the alert publisher, the simulator and the DS18B20 publisher all get their
client here, so credentials, TLS, the protocol version and the reconnect policy are set up one
way. What differs is a caller's job (a persistent session with manual acks, a publish queue) and
is passed in by name.
"""

from __future__ import annotations

import ssl

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from sensors.mqtt_settings import MqttSettings

__all__ = ["RECONNECT_MAX_S", "RECONNECT_MIN_S", "make_client", "tls_context"]

# paho's own reconnect doubles the wait between these bounds (loop_start/loop_forever). One
# publisher per process: no herd of clients to spread out, so no jitter is needed there; the
# daemon's session, many of which may restart together, drives its own jittered loop instead.
RECONNECT_MIN_S = 1
RECONNECT_MAX_S = 30


def tls_context(ca_file: str | None) -> ssl.SSLContext:
    """The TLS context every client uses: the system's CAs, or CA_FILE for a private CA.

    ssl.create_default_context verifies the certificate and the host name (TLS 1.2 or newer).
    """
    return ssl.create_default_context(cafile=ca_file)


def make_client(
    settings: MqttSettings,
    client_id: str,
    *,
    persistent: bool = False,
    manual_ack: bool = False,
    reconnect_max_s: float | None = RECONNECT_MAX_S,
    max_queued: int = 0,
) -> mqtt.Client:
    """A paho client for SETTINGS (not yet connected).

    PERSISTENT keeps the session (and its queue of QoS 1 messages) on the broker across
    disconnects; MANUAL_ACK leaves the acks to the caller (after a commit). RECONNECT_MAX_S caps
    paho's own reconnect backoff, or None for a caller that reconnects by itself. MAX_QUEUED
    bounds paho's outgoing queue while the broker is away (0: unbounded).
    """
    client = mqtt.Client(
        callback_api_version=CallbackAPIVersion.VERSION2,
        client_id=client_id,
        clean_session=not persistent,
        protocol=mqtt.MQTTv311,
        manual_ack=manual_ack,
    )
    if settings.username:
        client.username_pw_set(settings.username, settings.password)
    if settings.tls:
        client.tls_set_context(tls_context(settings.ca_file))
    if reconnect_max_s is not None:
        client.reconnect_delay_set(RECONNECT_MIN_S, max(RECONNECT_MIN_S, round(reconnect_max_s)))
    if max_queued:
        client.max_queued_messages_set(max_queued)
    return client
