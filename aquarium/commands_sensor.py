"""`aquarium sensor ...`: publishers that run on the machine a probe is wired to."""

from __future__ import annotations

import logging
import signal
import socket
import threading
from pathlib import Path

import click

from sensors.errors import AquariumError, SensorError
from sensors.naming import tank_name_problem
from settings.environment import load_settings

log = logging.getLogger(__name__)


@click.group()
def sensor() -> None:
    """Publish readings from probes wired to this machine."""


@sensor.command("ds18b20")
@click.option("--tank", required=True, help="Tank the probes are in (publishes to aquarium/TANK/).")
@click.option(
    "--w1-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default="/sys/bus/w1/devices",
    show_default=True,
    help="Folder where the Linux 1-wire driver lists the probes (28-* folders).",
)
@click.option(
    "--interval",
    type=click.FloatRange(min=1),
    default=60.0,
    show_default=True,
    help="Seconds between readings.",
)
@click.option("--once", is_flag=True, help="Read and publish one round, then exit (for cron).")
def ds18b20(tank: str, w1_dir: Path, interval: float, once: bool) -> None:
    """Read DS18B20 probes on a Raspberry Pi and publish them over MQTT (QoS 1).

    Wire the probe's data line to GPIO4 with a 4.7 kOhm pull-up to 3.3 V and add
    dtoverlay=w1-gpio to the boot config. One probe publishes to aquarium/TANK/temperature;
    name several in aquarium.toml under [ds18b20] probes = {"28-..." = "temperature", ...}.
    While the broker is unreachable readings are kept (up to [ds18b20] buffer_size) and sent in
    order, with the time they were taken, once it is back.
    """
    from sensors.ds18b20 import run_ds18b20

    problem = tank_name_problem(tank)
    if problem:
        raise AquariumError(problem)
    settings = load_settings()
    mqtt, config = settings.mqtt, settings.config.ds18b20
    stop = threading.Event() if once else _stop_on_signals()
    log.info("publishing DS18B20 probes of %s as tank %r to %s", w1_dir, tank, mqtt.display)
    try:
        stats = run_ds18b20(
            mqtt,
            tank,
            # Per host and tank: two Pis must not share an id, or the broker drops one.
            client_id=f"aquarium-ds18b20-{socket.gethostname()}-{tank}"[:64],
            w1_dir=w1_dir,
            interval_s=interval,
            once=once,
            names=config.probes,
            routed_topics={s.topic for s in settings.config.sensors},
            buffer_size=config.buffer_size,
            stop=stop,
        )
    except SensorError as exc:
        raise AquariumError(exc.reason) from exc
    summary = (
        f"{_count(stats.published, 'reading')} published, {stats.skipped()} skipped "
        f"({stats.crc_failures} CRC failures, {stats.power_on} power-on 85.0, "
        f"{stats.unreadable} unreadable), {stats.dropped} dropped from a full buffer"
    )
    if stats.unsent:
        raise AquariumError(
            f"{_count(stats.unsent, 'reading')} not sent: the MQTT broker at {mqtt.display} "
            "did not acknowledge them in time; check AQUARIUM_MQTT_URL and that the broker is "
            f"running ({summary})"
        )
    if once and stats.readings == 0:
        raise AquariumError(
            f"no probe gave a reading ({summary}); check the wiring, the 4.7 kOhm pull-up and "
            "the power to the probes"
        )
    click.echo(summary, err=True)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _stop_on_signals() -> threading.Event:
    stop = threading.Event()

    def handler(signum: int, _frame: object) -> None:
        name = signal.Signals(signum).name
        log.info("received %s; sending what is buffered, then stopping", name)
        stop.set()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)
    return stop
