"""A one-line warning when the pipeline behind the page is not running or not connected."""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st

from dashboard.formatting import plain, when_text
from dashboard.state import engine, keeper_zone
from db.daemon_status import SILENT_AFTER, list_status


def show_pipeline_status() -> None:
    """Warn when no daemon beats, or when the daemon has lost the broker; say nothing when fine."""
    now = datetime.now(UTC)
    statuses = [s for s in list_status(engine()) if now - s.heartbeat <= SILENT_AFTER]
    if not statuses:
        st.warning(
            "The ingestion daemon is not running: new sensor readings are not being stored. "
            "Start it with `aquarium ingest` (or `aquarium up`).",
            icon=":material/power_off:",
        )
        return
    for status in statuses:
        if not status.connected:
            st.error(
                f"The daemon lost the MQTT broker at {plain(status.broker)} "
                f"{when_text(status.since, keeper_zone())}; readings wait in the sensors' and "
                "broker's queues until it reconnects.",
                icon=":material/cloud_off:",
            )
