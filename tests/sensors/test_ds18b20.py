"""The DS18B20 publisher: a fake 1-wire tree, a real Mosquitto, the daemon and a SQLite file."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result
from sqlalchemy import Engine, select

from aquarium.cli import cli
from db.dead_letters import list_dead_letters
from db.readings import BatchStore, count_readings, reading_series
from db.schema import readings
from ingest.daemon import IngestDaemon
from ingest.mqtt_session import MqttSession
from ingest.routing import Router, SensorRoute
from sensors import ds18b20
from sensors.ds18b20 import BufferedPublisher, ProbeSkipped, parse_w1_slave, run_ds18b20
from sensors.errors import ConfigError
from sensors.mqtt_settings import MqttSettings
from sensors.simulator import reading_payload
from settings.config import parse_config
from tests.conftest import DaemonFactory
from tests.support import Broker, free_port, start_broker, unique, wait_until

LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC)


def w1_slave(millidegrees: int, crc_ok: bool = True) -> str:
    """The two lines the kernel's w1_therm driver writes for one conversion."""
    raw = "72 01 4b 46 7f ff 0e 10 57"
    return f"{raw} : crc=57 {'YES' if crc_ok else 'NO'}\n{raw} t={millidegrees}\n"


def fake_w1_tree(root: Path, probes: dict[str, str]) -> Path:
    """A /sys/bus/w1/devices look-alike: one folder per probe, plus the bus master's."""
    (root / "w1_bus_master1").mkdir(parents=True)
    for probe, text in probes.items():
        (root / probe).mkdir()
        (root / probe / "w1_slave").write_text(text, encoding="ascii")
    return root


def run_once(broker_url: str, tank: str, w1_dir: Path, config: Path | None, db_url: str) -> Result:
    """`aquarium sensor ds18b20 --once` in-process, against the given broker."""
    env = {"AQUARIUM_MQTT_URL": broker_url, "AQUARIUM_DB_URL": db_url, "AQUARIUM_CONFIG": None}
    if config is not None:
        env["AQUARIUM_CONFIG"] = str(config)
    args = ["sensor", "ds18b20", "--tank", tank, "--w1-dir", str(w1_dir), "--once"]
    return CliRunner().invoke(cli, args, env=env)


def stored_by_id(engine: Engine) -> list[tuple[datetime, float]]:
    """Every stored reading in arrival order."""
    with engine.connect() as conn:
        arrival = (readings.c.received_at, readings.c.time)
        rows = conn.execute(select(readings.c.time, readings.c.value).order_by(*arrival))
        return [(row.time, row.value) for row in rows]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (w1_slave(23125), 23.125),
        (w1_slave(-1250), -1.25),
        (w1_slave(85000, crc_ok=False), "crc"),
        (w1_slave(23125, crc_ok=False), "crc"),
        (w1_slave(85000), "power_on"),
        ("", "unreadable"),
        ("72 01 : crc=57 YES\n72 01 t=\n", "unreadable"),
    ],
)
def test_w1_slave_parsing(text: str, expected: float | str) -> None:
    """Millidegrees become degrees; a failed CRC, 85.0 and garbage are refused with a kind."""
    if isinstance(expected, float):
        assert parse_w1_slave(text) == expected
    else:
        with pytest.raises(ProbeSkipped) as caught:
            parse_w1_slave(text)
        assert caught.value.kind == expected


def test_every_option_of_the_command_has_help() -> None:
    """`aquarium sensor ds18b20 --help` works and explains every option."""
    result = CliRunner().invoke(cli, ["sensor", "ds18b20", "--help"])
    assert result.exit_code == 0, result.output
    group = cli.get_command(click.Context(cli), "sensor")
    command = group.commands["ds18b20"]  # type: ignore[union-attr]  # sensor is a Group
    assert all(option.help for option in command.params if isinstance(option, click.Option))
    assert {"--tank", "--w1-dir", "--interval", "--once"} <= set(result.output.split())


@pytest.mark.parametrize(
    ("table", "needle"),
    [
        ('probes = {"28-XYZ" = "temperature"}', "not a DS18B20 id"),
        ('probes = {"28-0123456789ab" = "Water Temp"}', "cannot be a topic level"),
        ('probes = {"28-0123456789ab" = "status"}', "cannot be a topic level"),
        ('probes = {"28-000000000001" = "a", "28-000000000002" = "a"}', "several probes"),
        ("buffer_size = 0", "buffer_size"),
    ],
)
def test_bad_ds18b20_table_is_refused_naming_the_key(table: str, needle: str) -> None:
    """A wrong probe id, an unusable or repeated name, or an empty buffer is a config error."""
    with pytest.raises(ConfigError) as refused:
        parse_config(f"[ds18b20]\n{table}\n")
    assert "ds18b20" in str(refused.value) and needle in str(refused.value)


def test_lone_probe_publishes_to_the_tanks_temperature_topic(
    broker: Broker, engine: Engine, db_url: str, start_daemon: DaemonFactory, tmp_path: Path
) -> None:
    """One probe and no config: --once lands one reading, at the time it was read."""
    tank = unique("t")
    tree = fake_w1_tree(tmp_path / "w1", {"28-00000a1b2c3d": w1_slave(24_562)})
    start_daemon()
    before = datetime.now(UTC)
    result = run_once(broker.url, tank, tree, None, db_url)
    assert result.exit_code == 0, result.output
    assert "1 reading published, 0 skipped" in result.output
    assert wait_until(lambda: count_readings(engine, tank) == 1)
    ((time_read, value),) = reading_series(engine, tank, "temperature", LONG_AGO)
    assert value == 24.562
    assert before <= time_read <= datetime.now(UTC)


def test_several_probes_skip_faults_and_are_named_by_config_or_id(
    broker: Broker, engine: Engine, db_url: str, start_daemon: DaemonFactory, tmp_path: Path
) -> None:
    """A named probe and an id-named probe are stored; the CRC failure and 85.0 are not sent."""
    tank, other = unique("t"), unique("t")
    tree = fake_w1_tree(
        tmp_path / "w1",
        {
            "28-000000000001": w1_slave(25_125),
            "28-000000000002": w1_slave(26_000, crc_ok=False),
            "28-000000000003": w1_slave(85_000),
            "28-000000000004": w1_slave(19_875),
        },
    )
    config = tmp_path / "aquarium.toml"
    config.write_text('[ds18b20]\nprobes = {"28-000000000001" = "temperature"}\n')
    # The unnamed probe's topic ends in its id, so the keeper maps it, here to another tank.
    start_daemon([SensorRoute(f"aquarium/{tank}/28-000000000004", other, "temperature", "json")])
    result = run_once(broker.url, tank, tree, config, db_url)
    assert result.exit_code == 0, result.output
    assert "2 readings published, 2 skipped (1 CRC failures, 1 power-on 85.0" in result.output
    assert wait_until(lambda: count_readings(engine) == 2)
    assert [v for _, v in reading_series(engine, tank, "temperature", LONG_AGO)] == [25.125]
    assert [v for _, v in reading_series(engine, other, "temperature", LONG_AGO)] == [19.875]
    assert list_dead_letters(engine) == []


def test_missing_tree_and_no_probes_are_one_line_errors(db_url: str, tmp_path: Path) -> None:
    """No 1-wire folder, or one without probes, is explained in one line with exit status 1."""
    missing = run_once("mqtt://127.0.0.1:1", "t", tmp_path / "nope", None, db_url)
    empty = run_once("mqtt://127.0.0.1:1", "t", fake_w1_tree(tmp_path / "w1", {}), None, db_url)
    for result, needle in [(missing, "dtoverlay=w1-gpio"), (empty, "no DS18B20 probe")]:
        assert result.exit_code == 1, result.output
        assert result.output.startswith("Error: ") and needle in result.output
        assert len(result.output.strip().splitlines()) == 1


def test_once_with_no_broker_fails_and_counts_what_was_not_sent(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When no broker answers, --once exits 1 saying how many readings were not sent."""
    monkeypatch.setattr(ds18b20, "DRAIN_TIMEOUT_S", 0.5)
    tree = fake_w1_tree(tmp_path / "w1", {"28-000000000001": w1_slave(25_000)})
    result = run_once(f"mqtt://127.0.0.1:{free_port()}", "t", tree, None, db_url)
    assert result.exit_code == 1
    assert result.output.startswith("Error: 1 reading not sent"), result.output


def test_readings_taken_while_the_broker_is_down_arrive_in_order(
    engine: Engine, tmp_path: Path
) -> None:
    """Broker stopped under a running publisher and restarted: every reading is stored, in order."""
    private = start_broker(tmp_path / "broker")
    tank = unique("t")
    daemon = IngestDaemon(
        store=BatchStore(engine),
        router=Router(),
        session=MqttSession(MqttSettings(private.host, private.port), unique("ingest")),
    )
    daemon.start()
    stop = threading.Event()
    outcome: list[ds18b20.ProbeStats] = []
    tree = fake_w1_tree(tmp_path / "w1", {"28-000000000001": w1_slave(24_000)})
    address = MqttSettings(private.host, private.port)
    publisher = threading.Thread(
        target=lambda: outcome.append(
            run_ds18b20(
                address,
                tank,
                client_id=unique("ds"),
                w1_dir=tree,
                interval_s=0.1,
                stop=stop,
                reconnect_max_s=1,
            )
        )
    )
    try:
        assert daemon.session.wait_connected(10)
        publisher.start()
        assert wait_until(lambda: count_readings(engine, tank) >= 3)
        private.stop()
        down_at = datetime.now(UTC)
        time.sleep(1.2)
        up_at = datetime.now(UTC)
        private.start()
        assert wait_until(lambda: count_readings(engine, tank) >= 15, timeout=30)
        stop.set()
        publisher.join(timeout=30)
        (stats,) = outcome
        assert stats.unsent == 0 and stats.dropped == 0
        assert wait_until(lambda: count_readings(engine, tank) == stats.readings, timeout=30)
    finally:
        stop.set()
        daemon.stop()
        private.stop()
    times = [t for t, _ in stored_by_id(engine)]
    assert times == sorted(times) and len(set(times)) == len(times)
    # The outage's readings were taken while it lasted and stored after it ended.
    assert sum(down_at < t < up_at for t in times) >= 4


def test_full_buffer_drops_the_oldest_and_sends_the_rest_in_order(
    engine: Engine, tmp_path: Path
) -> None:
    """With room for three, five readings taken offline become the newest three, in order."""
    private = start_broker(tmp_path / "broker")
    tank = unique("t")
    # The daemon's persistent session is on the broker before it goes down, so the broker
    # queues for it whatever the publisher sends after the restart.
    daemon = IngestDaemon(
        store=BatchStore(engine),
        router=Router(),
        session=MqttSession(MqttSettings(private.host, private.port), unique("ingest")),
    )
    daemon.start()
    try:
        assert daemon.session.wait_connected(10)
        private.stop()
        address = MqttSettings(private.host, private.port)
        buffered = BufferedPublisher(address, unique("ds"), buffer_size=3, reconnect_max_s=1)
        start = datetime.now(UTC)
        for i in range(5):
            payload = reading_payload(20.0 + i, "temperature", start + timedelta(seconds=i))
            buffered.add(f"aquarium/{tank}/temperature", payload)
        private.start()
        assert buffered.drain(10)
        stats = buffered.close()
        assert (stats.dropped, stats.published, stats.unsent) == (2, 3, 0)
        assert wait_until(lambda: count_readings(engine, tank) == 3)
    finally:
        daemon.stop()
        private.stop()
    assert [v for _, v in stored_by_id(engine)] == [22.0, 23.0, 24.0]
