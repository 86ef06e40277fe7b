"""Security: MQTT passwords and TLS against a real Mosquitto; secrets stay out of logs and help."""

from __future__ import annotations

import getpass
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine

from aquarium.cli import cli
from db.readings import BatchStore, count_readings
from ingest.daemon import IngestDaemon
from ingest.mqtt_session import MqttSession
from ingest.routing import Router
from sensors.mqtt_settings import parse_mqtt_url
from sensors.simulator import connect_publisher
from tests.support import Broker, free_port, unique, wait_until

SECRET = "s3cr3t-Turtle!"


def make_certificates(folder: Path) -> tuple[Path, Path, Path]:
    """A throw-away CA and a server certificate for 127.0.0.1, made with openssl."""
    ca_key, ca, key, csr, cert = (
        folder / n for n in ("ca.key", "ca.pem", "srv.key", "srv.csr", "srv.pem")
    )
    run = lambda *args: subprocess.run(args, check=True, capture_output=True)  # noqa: E731
    run(
        "openssl",
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        str(ca_key),
        "-out",
        str(ca),
        "-days",
        "2",
        "-subj",
        "/CN=aquarium test CA",
    )
    run(
        "openssl",
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        str(key),
        "-out",
        str(csr),
        "-subj",
        "/CN=127.0.0.1",
    )
    ext = folder / "san.ext"
    ext.write_text("subjectAltName=IP:127.0.0.1\n")
    run(
        "openssl",
        "x509",
        "-req",
        "-in",
        str(csr),
        "-CA",
        str(ca),
        "-CAkey",
        str(ca_key),
        "-CAcreateserial",
        "-out",
        str(cert),
        "-days",
        "2",
        "-extfile",
        str(ext),
    )
    return ca, cert, key


@pytest.fixture
def secure_broker(tmp_path: Path):
    """Mosquitto with a password file and a TLS listener (self-signed CA made in the test)."""
    passwords = tmp_path / "passwd"
    passwords.write_text("")
    subprocess.run(["mosquitto_passwd", "-b", str(passwords), "keeper", SECRET], check=True)
    ca, cert, key = make_certificates(tmp_path)
    plain, tls = free_port(), free_port()
    config = tmp_path / "mosquitto.conf"
    config.write_text(
        f"user {getpass.getuser()}\n"
        f"per_listener_settings false\nallow_anonymous false\npassword_file {passwords}\n"
        f"persistence false\nlistener {plain} 127.0.0.1\n"
        f"listener {tls} 127.0.0.1\ncafile {ca}\ncertfile {cert}\nkeyfile {key}\n"
    )
    os.chmod(passwords, 0o600)
    broker = Broker(port=plain, config=config)
    broker.start()
    yield broker, tls, ca
    broker.stop()


def daemon_for(url: str, engine: Engine) -> IngestDaemon:
    return IngestDaemon(
        store=BatchStore(engine),
        router=Router(),
        session=MqttSession(parse_mqtt_url(url), unique("secure")),
    )


def test_password_and_tls_connections_store_readings(secure_broker, engine: Engine, report) -> None:
    """With the right password, over plain TCP and over TLS with the test CA, readings flow."""
    broker, tls_port, ca = secure_broker
    for url in (
        f"mqtt://keeper:{SECRET}@127.0.0.1:{broker.port}",
        f"mqtts://keeper:{SECRET}@127.0.0.1:{tls_port}?ca={ca}",
    ):
        tank = unique("secure")
        daemon = daemon_for(url, engine)
        daemon.start()
        try:
            assert daemon.session.wait_connected(15), url.replace(SECRET, "***")
            client = connect_publisher(parse_mqtt_url(url), unique("pub"))
            assert wait_until(client.is_connected, timeout=15)
            client.publish(f"aquarium/{tank}/ph", b"7.1", qos=1).wait_for_publish(10)
            client.disconnect()
            client.loop_stop()

            def stored(t: str = tank) -> bool:
                return count_readings(engine, t) == 1

            assert wait_until(stored)
        finally:
            daemon.stop()
    report(
        "credentials and TLS",
        "Mosquitto with a password file and a TLS listener (test CA)",
        "one reading over each",
        0,
        None,
    )


def test_a_wrong_password_is_refused_clearly_and_never_logged(
    secure_broker, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    """A bad password gives a log line saying to check AQUARIUM_MQTT_URL, without the password."""
    broker, _tls, _ca = secure_broker
    wrong = "not-the-" + SECRET
    daemon = daemon_for(f"mqtt://keeper:{wrong}@127.0.0.1:{broker.port}", engine)
    with caplog.at_level(logging.INFO):
        daemon.start()
        assert wait_until(lambda: "refused" in caplog.text, timeout=15)
        daemon.stop()
    assert not daemon.session.connected
    assert "AQUARIUM_MQTT_URL" in caplog.text
    assert wrong not in caplog.text and SECRET not in caplog.text


def test_secrets_stay_out_of_help_and_process_logs(secure_broker, db_url: str, tmp_path: Path):
    """`--help` never shows the broker password, and neither does the daemon's log output."""
    broker, _tls, _ca = secure_broker
    url = f"mqtt://keeper:{SECRET}@127.0.0.1:{broker.port}"
    env = dict(os.environ, AQUARIUM_MQTT_URL=url, AQUARIUM_DB_URL=db_url)
    for command in ([], ["ingest"], ["up"], ["simulate"]):
        result = CliRunner(env=env).invoke(cli, [*command, "--help"])
        assert SECRET not in result.output
    log = tmp_path / "daemon.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "aquarium", "-v", "ingest", "--client-id", unique("log")],
            env=env,
            stderr=sink,
        )
        try:
            # On a busy machine the start takes a while: wait for the line, not a fixed time.
            wait_until(lambda: "connected to" in log.read_text(errors="replace"), timeout=30)
        finally:
            process.terminate()
            process.wait(timeout=30)
    err = log.read_text(errors="replace")
    assert "connected to" in err
    assert SECRET not in err


def test_the_dashboard_listens_on_localhost_by_default() -> None:
    """`aquarium dashboard` and `aquarium up` default to 127.0.0.1."""
    for command in (["dashboard"], ["up"]):
        result = CliRunner().invoke(cli, [*command, "--help"])
        assert "127.0.0.1" in result.output
