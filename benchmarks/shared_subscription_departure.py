"""What happens to a shared subscription's share when one member leaves for good.

The measurement behind docs/scaling.md's choice of mechanism. Two QoS 1 consumers with
persistent sessions join `$share/workers/aquarium/#`; one disconnects and never returns; N
readings are published; the remaining member drains what it can. A broker that redispatches a
departed member's share delivers all N to the survivor; one that queues it for the absent
session strands part of it.

Brokers tried: a private Mosquitto (deploy/mosquitto.conf) and, when `nats-server` is
installed, a private NATS server with JetStream and its MQTT gateway.

Usage: .venv/bin/python benchmarks/shared_subscription_departure.py [--messages 2000]
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from aquarium.supervisor import mosquitto_config, wait_for_port

HOST = "127.0.0.1"
FILTER = "$share/workers/aquarium/#"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class Member:
    """A persistent-session QoS 1 consumer that counts what it receives."""

    def __init__(self, port: int, client_id: str) -> None:
        self.received = 0
        self.subscribed = threading.Event()
        self.client = mqtt.Client(
            callback_api_version=CallbackAPIVersion.VERSION2,
            client_id=client_id,
            clean_session=False,
            protocol=mqtt.MQTTv311,
        )
        self.client.on_message = self._on_message
        self.client.on_subscribe = lambda *_a: self.subscribed.set()
        self.client.connect(HOST, port)
        self.client.loop_start()
        self.client.subscribe(FILTER, qos=1)
        if not self.subscribed.wait(10):
            raise RuntimeError(f"{client_id}: no SUBACK for {FILTER}")

    def _on_message(self, *_args: object) -> None:
        self.received += 1

    def leave(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def publish(port: int, count: int) -> None:
    client = mqtt.Client(callback_api_version=CallbackAPIVersion.VERSION2)
    client.max_inflight_messages_set(100)
    client.max_queued_messages_set(0)
    client.connect(HOST, port)
    client.loop_start()
    infos = [
        client.publish(f"aquarium/t{i % 10}/temperature", b"25.0", qos=1) for i in range(count)
    ]
    for info in infos:
        info.wait_for_publish(timeout=60)
    client.disconnect()
    client.loop_stop()


def measure(name: str, port: int, count: int) -> None:
    survivor = Member(port, f"{name}-survivor")
    departed = Member(port, f"{name}-departed")
    departed.leave()  # gone for good: its persistent session stays behind
    time.sleep(0.5)
    publish(port, count)
    deadline = time.monotonic() + 15
    last, still = -1, 0.0
    while time.monotonic() < deadline and still < 3:  # stop once nothing arrives for 3 s
        time.sleep(0.5)
        still = still + 0.5 if survivor.received == last else 0.0
        last = survivor.received
    survivor.leave()
    stranded = count - survivor.received
    print(
        f"{name:10s} published {count}, survivor received {survivor.received}, "
        f"stranded with the departed member {stranded} ({100 * stranded / count:.0f} %)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        port = free_port()
        conf = mosquitto_config(Path(folder) / "mosquitto", port)
        broker = subprocess.Popen(
            ["mosquitto", "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            wait_for_port(HOST, port, timeout=10)
            measure("mosquitto", port, args.messages)
        finally:
            broker.terminate()
            broker.wait()
        try:
            nats = _start_nats(Path(folder) / "nats")
        except (OSError, RuntimeError) as exc:
            print(f"nats       not measured: {exc}")
            return
        process, mqtt_port = nats
        try:
            measure("nats-mqtt", mqtt_port, args.messages)
        except RuntimeError as exc:
            print(f"nats-mqtt  refused: {exc}")
        finally:
            process.terminate()
            process.wait()


def _start_nats(folder: Path) -> tuple[subprocess.Popen[bytes], int]:
    folder.mkdir(parents=True)
    client_port, mqtt_port = free_port(), free_port()
    conf = folder / "nats.conf"
    conf.write_text(
        f"listen: {HOST}:{client_port}\nserver_name: bench\n"
        f'jetstream {{ store_dir: "{folder}/js" }}\n'
        f"mqtt {{ listen: {HOST}:{mqtt_port} }}\n",
        encoding="utf-8",
    )
    process = subprocess.Popen(
        ["nats-server", "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    if not wait_for_port(HOST, mqtt_port, timeout=15):
        process.terminate()
        raise RuntimeError("nats-server did not open its MQTT port")
    return process, mqtt_port


if __name__ == "__main__":
    main()
