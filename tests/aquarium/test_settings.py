"""Settings from the environment and the TOML file."""

from __future__ import annotations

from pathlib import Path

import pytest

from sensors.errors import ConfigError
from settings.config import parse_config
from settings.environment import load_settings, parse_mqtt_url


def test_defaults_put_the_database_in_the_xdg_data_folder(tmp_path: Path) -> None:
    """With nothing set, the daemon and dashboard share one SQLite file and the local broker."""
    settings = load_settings({"HOME": str(tmp_path)})
    assert settings.db_url == f"sqlite:///{tmp_path}/.local/share/aquarium/aquarium.db"
    assert (settings.mqtt.host, settings.mqtt.port, settings.mqtt.tls) == ("127.0.0.1", 1883, False)
    assert not settings.mqtt_configured


def test_mqtt_url_with_credentials_and_tls(tmp_path: Path) -> None:
    """User, password, TLS and default ports come from the URL; the password never shows."""
    ca = tmp_path / "ca.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\n")
    mqtt = parse_mqtt_url(f"mqtts://keeper:p%40ss@broker.lan?ca={ca}")
    assert (mqtt.host, mqtt.port, mqtt.username, mqtt.password) == (
        "broker.lan",
        8883,
        "keeper",
        "p@ss",
    )
    assert mqtt.tls and mqtt.ca_file == str(ca)
    assert "p@ss" not in repr(mqtt) and "p@ss" not in mqtt.display
    assert parse_mqtt_url("mqtt://h:1884").port == 1884


@pytest.mark.parametrize("url", ["http://h", "mqtt://", "mqtt://h:notaport", "h:1883"])
def test_bad_mqtt_urls_are_refused(url: str) -> None:
    """Anything but mqtt:// or mqtts:// with a host is a ConfigError saying the form to use."""
    with pytest.raises(ConfigError, match="mqtt://"):
        parse_mqtt_url(url)


def test_a_full_config_parses() -> None:
    """Tanks, sensors of each format, and notification URLs are read."""
    config = parse_config(
        """
        [[tanks]]
        name = "turtles"
        volume_l = 96
        profile = "turtle-fish"
        limits = { nitrate_limit = 30 }

        [[sensors]]
        topic = "tele/tank_esp/SENSOR"
        format = "tasmota"
        field = "DS18B20.Temperature"
        tank = "turtles"
        parameter = "temperature"
        expected_interval_s = 300

        [[sensors]]
        topic = "tank-node/sensor/tank_ph/state"
        tank = "turtles"
        parameter = "ph"

        [notify]
        urls = ["ntfy://ntfy.sh/my-turtles"]
        """
    )
    assert config.tanks[0].limits == {"nitrate_limit": 30}
    assert [s.parameter for s in config.sensors] == ["temperature", "ph"]
    assert config.notify.urls == ["ntfy://ntfy.sh/my-turtles"]


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("[[tanks]]\nname = 'Big Tank'\n", "tanks[0].name"),
        ("[[tanks]]\nname = 't'\nvolume_l = -5\n", "tanks[0].volume_l"),
        ("[[sensors]]\ntopic = 'a/#'\ntank = 't'\nparameter = 'ph'\n", "wildcards"),
        ("[[sensors]]\ntopic = 'a'\ntank = 't'\nparameter = 'ph'\nformat = 'xml'\n", "format"),
        ("colour = 'blue'\n", "colour"),
        (
            "[[sensors]]\ntopic = 'a'\ntank = 't'\nparameter = 'ph'\ntimezone = 'Mars/Base'\n",
            "sensors[0].timezone",
        ),
        ("[ingest]\nbackfill_days = 0\n", "ingest.backfill_days"),
    ],
)
def test_config_errors_name_the_key(text: str, needle: str) -> None:
    """Each mistake is reported as one line naming the offending key."""
    with pytest.raises(ConfigError) as caught:
        parse_config(text, "aquarium.toml")
    assert needle in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_missing_ca_file_is_named() -> None:
    """mqtts:// with a CA path that does not exist is a one-line error, not a traceback later."""
    with pytest.raises(ConfigError, match="does not exist"):
        parse_mqtt_url("mqtts://broker.lan?ca=/nonexistent/ca.pem")


PROBES = """
[[sensors]]
topic = "aquarium/t/tank"
tank = "t"
parameter = "temperature"
label = "tank"
primary = true

[[sensors]]
topic = "aquarium/t/outlet"
tank = "t"
parameter = "temperature"
label = "{label}"
primary = {primary}
"""


def test_two_probes_of_one_parameter_carry_labels_and_one_primary() -> None:
    """Labels and the primary mark are read per sensor."""
    config = parse_config(PROBES.format(label="bed outlet", primary="false"))
    assert [(s.label, s.primary) for s in config.sensors] == [("tank", True), ("bed outlet", False)]


@pytest.mark.parametrize(
    ("label", "primary", "needle"),
    [("outlet", "true", "mark one of them primary"), ("tank", "false", "labelled 'tank'")],
)
def test_two_primaries_or_one_label_twice_are_refused(
    label: str, primary: str, needle: str
) -> None:
    """Two primaries, or two probes with one label, are a one-line error with the fix."""
    with pytest.raises(ConfigError) as caught:
        parse_config(PROBES.format(label=label, primary=primary))
    assert needle in str(caught.value)
    assert "\n" not in str(caught.value)
