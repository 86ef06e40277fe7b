"""The schema: one table per concept, Core tables (no ORM: the hot paths are bulk inserts and
range scans, and plain rows keep them fast). Alembic migrations under migrations/ build it."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from db.types import UTCDateTime
from health.profiles import DEFAULT_PROFILE

# Ids of tables whose rows accumulate: 64-bit on PostgreSQL (a 32-bit SERIAL runs out), and
# plain INTEGER on SQLite, where only INTEGER PRIMARY KEY is the (already 64-bit) rowid.
ID64 = BigInteger().with_variant(Integer(), "sqlite")

# Named constraints, so Alembic can alter them later on SQLite (batch mode) and PostgreSQL alike.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

tanks = Table(
    "tanks",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(32), nullable=False, unique=True),
    Column("volume_l", Float, nullable=True),
    Column("profile", String(64), nullable=False, server_default=DEFAULT_PROFILE),
    Column("simulated", Boolean, nullable=False, server_default="0"),
    Column("created_at", UTCDateTime, nullable=False),
    # When the keeper set the tank up, if they said so: a tank younger than a cycle (DOMAIN.md:
    # 4-8 weeks) is judged as cycling. Unknown (NULL) means established: most tanks that meet
    # this program have run for years, and "cycling" would hide real filter faults.
    Column("set_up_at", UTCDateTime, nullable=True),
    # Archived tanks keep their history but leave the home page, the tank choice and the alerts.
    Column("archived_at", UTCDateTime, nullable=True),
)

sensors = Table(
    "sensors",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("tank_id", Integer, ForeignKey("tanks.id", ondelete="CASCADE"), nullable=False),
    Column("parameter", String(32), nullable=False),
    Column("topic", String(255), nullable=False),
    Column("field", String(128), nullable=False, server_default=""),
    Column("expected_interval_s", Float, nullable=True),
    Column("first_seen", UTCDateTime, nullable=False),
    Column("last_seen", UTCDateTime, nullable=True),
    Column("online", Boolean, nullable=True),
    # The keeper's name for the sensor (config `label`, e.g. "bed outlet"): several sensors of one
    # parameter in one tank are drawn and judged apart by it. NULL: named after its topic.
    Column("label", String(64), nullable=True),
    # The config's `primary = true`: the advisor follows this sensor of its parameter; without
    # one it takes the median of the sensors reporting (health/sensor_choice.py).
    Column("is_primary", Boolean, nullable=False, server_default="0"),
    UniqueConstraint("tank_id", "parameter", "topic", "field", name="uq_sensors_identity"),
)

# One row per reading, keyed by its sensor and time: the tank and parameter live once in the
# sensor row instead of in every reading, and the key is the table (WITHOUT ROWID on SQLite), so
# a reading costs about 30 bytes on disk instead of 79 (benchmarks/RESULTS.md). The key is also
# the dedup rule: one reading per sensor per instant, so a redelivered device-timed message lands
# once. A range of one sensor's history is one contiguous stretch of the key.
# No foreign key to sensors: PostgreSQL checks one with a trigger per inserted row, which cut a
# COPY of history from about 250,000 to 60,000 rows/s. Writers take sensor ids from the sensors
# table in the same transaction, and db/tanks.py remove_tank deletes a tank's readings itself.
readings = Table(
    "readings",
    metadata,
    Column("sensor_id", Integer, primary_key=True, autoincrement=False),
    Column("time", UTCDateTime, primary_key=True),
    Column("value", Float, nullable=False),
    Column("received_at", UTCDateTime, nullable=False),
    sqlite_with_rowid=False,
)

# The redelivery window (db/deliveries.py has the rule): for each MQTT session and packet id, the
# last stored message that carried it. At most 65,535 rows per session, whatever the history.
deliveries = Table(
    "deliveries",
    metadata,
    Column("session", String(128), primary_key=True),  # the daemon's MQTT client id
    Column("packet_id", Integer, primary_key=True),
    Column("content_key", BigInteger, nullable=False),  # hash of topic and payload
    Column("seq", BigInteger, nullable=False),  # the session's count of recorded messages
)

manual_tests = Table(
    "manual_tests",
    metadata,
    Column("id", ID64, primary_key=True),
    Column("tank_id", Integer, ForeignKey("tanks.id", ondelete="CASCADE"), nullable=False),
    Column("parameter", String(32), nullable=False),
    Column("time", UTCDateTime, nullable=False),
    Column("value", Float, nullable=False),
    # What the keeper typed, so a kit's NO3-N reading can be shown as it was entered.
    Column("entered_value", Float, nullable=True),
    Column("entered_unit", String(32), nullable=True),
    Column("session", String(36), nullable=True),
    Column("note", Text, nullable=False, server_default=""),
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_manual_tests_tank_parameter_time", "tank_id", "parameter", "time"),
)

maintenance = Table(
    "maintenance",
    metadata,
    Column("id", ID64, primary_key=True),
    Column("tank_id", Integer, ForeignKey("tanks.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("time", UTCDateTime, nullable=False),
    Column("percent", Float, nullable=True),
    Column("litres", Float, nullable=True),
    Column("note", Text, nullable=False, server_default=""),
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_maintenance_tank_time", "tank_id", "time"),
)

alerts = Table(
    "alerts",
    metadata,
    Column("id", ID64, primary_key=True),
    Column("tank_id", Integer, ForeignKey("tanks.id", ondelete="CASCADE"), nullable=False),
    Column("rule", String(64), nullable=False),
    Column("state", String(16), nullable=False),
    Column("since", UTCDateTime, nullable=False),
    Column("fired_at", UTCDateTime, nullable=True),
    Column("resolved_at", UTCDateTime, nullable=True),
    Column("acknowledged_at", UTCDateTime, nullable=True),
    Column("last_notified_at", UTCDateTime, nullable=True),
    Column("last_value", Float, nullable=True),
    Column("message", Text, nullable=False, server_default=""),
    # Firing, but the condition has been clear since then (the rule's resolve hold is running).
    Column("clear_since", UTCDateTime, nullable=True),
    Index("ix_alerts_tank_rule", "tank_id", "rule"),
)

# Each tank's latest verdict, written by the daemon's alert round (alerts/verdict_recorder.py), so
# the home page reads every tank's status in one query instead of running the advisor per tank.
tank_verdicts = Table(
    "tank_verdicts",
    metadata,
    Column("tank_id", Integer, ForeignKey("tanks.id", ondelete="CASCADE"), primary_key=True),
    Column("at", UTCDateTime, nullable=False),
    Column("status", String(8), nullable=False),
    Column("due", UTCDateTime, nullable=True),
    Column("due_earliest", UTCDateTime, nullable=True),
    Column("due_latest", UTCDateTime, nullable=True),
    Column("change_percent", Integer, nullable=True),
    Column("headline", Text, nullable=False, server_default=""),
    # The parameter furthest out of the profile's band at that moment, for the tank's card.
    Column("worst_parameter", String(32), nullable=True),
    Column("worst_value", Float, nullable=True),
    Column("worst_status", String(8), nullable=True),
)

# The durable notification outbox: one row per message per notification URL, written in the same
# transaction as the alert state that produced it, so neither exists without the other.
notifications = Table(
    "notifications",
    metadata,
    Column("id", ID64, primary_key=True),
    Column("endpoint", String(32), nullable=False),  # a hash of the URL: no secret in the table
    Column("tank", String(32), nullable=False),
    Column("rules", String(255), nullable=False),  # the rules it is about, comma-separated
    Column("title", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("notify_type", String(16), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", UTCDateTime, nullable=False),
    Column("sent_at", UTCDateTime, nullable=True),
    Column("gave_up_at", UTCDateTime, nullable=True),
    Column("last_error", Text, nullable=False, server_default=""),
    Index("ix_notifications_endpoint_sent_at", "endpoint", "sent_at", "next_attempt_at"),
)

dead_letters = Table(
    "dead_letters",
    metadata,
    Column("id", ID64, primary_key=True),
    Column("time", UTCDateTime, nullable=False),
    Column("topic", String(255), nullable=False),
    Column("payload", Text, nullable=False),  # a bounded, printable excerpt
    Column("payload_size", Integer, nullable=False),
    Column("reason", Text, nullable=False),
    # Who sent it, for the per-source quota (db/dead_letters.py): the topic's first two levels.
    Column("source", String(255), nullable=False, server_default=""),
    Index("ix_dead_letters_time", "time"),
    Index("ix_dead_letters_source", "source", "id"),
)

# Hourly min/mean/max of each sensor's readings, so a year of 1-minute data charts from 8 760 rows
# per sensor instead of 525 600. Kept current by db/rollup.py, which recomputes the hours that
# writers marked in rollup_pending; n and total give the mean (total / n).
reading_hours = Table(
    "reading_hours",
    metadata,
    Column("tank_id", Integer, ForeignKey("tanks.id", ondelete="CASCADE"), primary_key=True),
    Column("parameter", String(32), primary_key=True),
    Column("hour", BigInteger, primary_key=True),  # epoch seconds // 3600
    # Per sensor: two probes of one parameter keep their own hours (migration 0013).
    Column(
        "sensor_id",
        Integer,
        ForeignKey("sensors.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("n", Integer, nullable=False),
    Column("total", Float, nullable=False),
    Column("low", Float, nullable=False),
    Column("high", Float, nullable=False),
)

# The hours whose readings changed since their rollup was computed: every writer of readings
# marks the (sensor, hour) pairs it touched in the same transaction (db/rollup.py mark_hours), and
# a refresh recomputes exactly those hours from the raw readings and clears the marks.
rollup_pending = Table(
    "rollup_pending",
    metadata,
    Column(
        "sensor_id",
        Integer,
        ForeignKey("sensors.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    ),
    Column("hour", BigInteger, primary_key=True, autoincrement=False),
    sqlite_with_rowid=False,
)

# One row per running worker process (`aquarium ingest`, named host:pid): its roles (the leases it
# holds: ingest, alerts, housekeeping; none means standby), whether its MQTT session is connected,
# and a heartbeat, so `aquarium status` and the dashboard can list workers and notice a silent one.
daemon_status = Table(
    "daemon_status",
    metadata,
    Column("worker", String(128), primary_key=True),
    Column("broker", String(255), nullable=False),
    Column("connected", Boolean, nullable=False),
    Column("since", UTCDateTime, nullable=False),  # when `connected` last changed
    Column("heartbeat", UTCDateTime, nullable=False),
    Column("received", BigInteger, nullable=False, server_default="0"),
    Column("stored", BigInteger, nullable=False, server_default="0"),
    Column("rejected", BigInteger, nullable=False, server_default="0"),
    Column("roles", String(64), nullable=False, server_default=""),
    Column("session", String(128), nullable=True),  # the MQTT client id, while ingesting
    Column("pending", BigInteger, nullable=False, server_default="0"),  # received, not committed
)

# Facts every worker must agree on, kept where they all look: the database. The MQTT client id
# of the one persistent ingest session lives here, so workers started on different hosts (with
# differently spelled database URLs) still resume the same session and its queue.
shared_settings = Table(
    "shared_settings",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", String(255), nullable=False),
)
