"""The pipeline behind the page: a warning when no worker ingests, the ingesting one has lost the
broker, or a worker went silent; and the list of workers."""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st

from dashboard.formatting import plain, when_text
from dashboard.state import engine, keeper_zone
from db.daemon_status import workers


def show_pipeline_status() -> None:
    """Warn about what is wrong with the workers; list them when there are several."""
    now = datetime.now(UTC)
    found = workers(engine(), now)
    zone = keeper_zone()
    if not found.live:
        st.warning(
            "The ingestion daemon is not running: new sensor readings are not being stored. "
            "Start it with `aquarium ingest` (or `aquarium up`).",
            icon=":material/power_off:",
        )
    elif not found.ingesting:
        st.warning(
            f"{len(found.live)} worker(s) running, but none holds the ingest session yet: a "
            "standby takes it over within seconds of the holder's death. If this stays, see "
            "`aquarium status`.",
            icon=":material/sync_problem:",
        )
    for status in found.ingesting:
        if not status.connected:
            st.error(
                f"The daemon lost the MQTT broker at {plain(status.broker)} "
                f"{when_text(status.since, zone)}; readings wait in the sensors' and "
                "broker's queues until it reconnects.",
                icon=":material/cloud_off:",
            )
    for status in found.silent:
        st.warning(
            f"Worker {plain(status.worker)} ({status.roles or 'standby'}) has been silent since "
            f"{when_text(status.heartbeat, zone)}: it was killed, crashed or lost the database. "
            "Its duties pass to the other workers; restart it, or clear the entry with "
            "`aquarium status --forget-silent`.",
            icon=":material/heart_broken:",
        )
    if len(found.live) + len(found.silent) > 1:
        with st.expander(f"Workers ({len(found.live)} running)", expanded=bool(found.silent)):
            st.dataframe(
                [
                    {
                        "worker": s.worker,
                        "roles": s.roles or "standby",
                        # A silent worker's last word is stale: say nothing about its broker.
                        "broker": "connected" if s.connected and s in found.live else "-",
                        "heartbeat": when_text(s.heartbeat, zone),
                        "stored": s.stored,
                        "waiting to commit": s.pending,
                        "state": "silent" if s in found.silent else "running",
                    }
                    for s in found.live + found.silent
                ],
                hide_index=True,
                placeholder="",  # a missing value is an empty cell, not "None"
            )
