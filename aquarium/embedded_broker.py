"""The embedded broker for `aquarium up` on a machine without Mosquitto (amqtt, in-process)."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from amqtt.broker import Broker

log = logging.getLogger(__name__)


def run_embedded_broker(host: str, port: int) -> None:
    """Serve MQTT on HOST:PORT until interrupted; anonymous, for one machine only."""

    async def serve() -> None:
        broker = Broker(
            {
                "listeners": {"default": {"type": "tcp", "bind": f"{host}:{port}"}},
                "plugins": {
                    "amqtt.plugins.authentication.AnonymousAuthPlugin": {"allow_anonymous": True},
                },
            }
        )
        await broker.start()
        log.info("embedded MQTT broker (amqtt) on %s:%d", host, port)
        try:
            await asyncio.Event().wait()
        finally:
            await broker.shutdown()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve())
