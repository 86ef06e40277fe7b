"""initial schema

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-24 22:20:09.246597
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "dead_letters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("time", sa.Float(), nullable=False),  # UTC epoch seconds
        sa.Column("topic", sa.String(length=255), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("payload_size", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dead_letters")),
    )
    with op.batch_alter_table("dead_letters", schema=None) as batch_op:
        batch_op.create_index("ix_dead_letters_time", ["time"], unique=False)

    op.create_table(
        "tanks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("volume_l", sa.Float(), nullable=True),
        sa.Column("profile", sa.String(length=64), server_default="turtle-fish", nullable=False),
        sa.Column("simulated", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),  # UTC epoch seconds
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tanks")),
        sa.UniqueConstraint("name", name=op.f("uq_tanks_name")),
    )
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tank_id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("since", sa.Float(), nullable=False),  # UTC epoch seconds
        sa.Column("fired_at", sa.Float(), nullable=True),  # UTC epoch seconds
        sa.Column("resolved_at", sa.Float(), nullable=True),  # UTC epoch seconds
        sa.Column("acknowledged_at", sa.Float(), nullable=True),  # UTC epoch seconds
        sa.Column("last_notified_at", sa.Float(), nullable=True),  # UTC epoch seconds
        sa.Column("last_value", sa.Float(), nullable=True),
        sa.Column("message", sa.Text(), server_default="", nullable=False),
        sa.ForeignKeyConstraint(
            ["tank_id"], ["tanks.id"], name=op.f("fk_alerts_tank_id_tanks"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alerts")),
    )
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.create_index("ix_alerts_tank_rule", ["tank_id", "rule"], unique=False)

    op.create_table(
        "maintenance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tank_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("time", sa.Float(), nullable=False),  # UTC epoch seconds
        sa.Column("percent", sa.Float(), nullable=True),
        sa.Column("litres", sa.Float(), nullable=True),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),  # UTC epoch seconds
        sa.ForeignKeyConstraint(
            ["tank_id"], ["tanks.id"], name=op.f("fk_maintenance_tank_id_tanks"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_maintenance")),
    )
    with op.batch_alter_table("maintenance", schema=None) as batch_op:
        batch_op.create_index("ix_maintenance_tank_time", ["tank_id", "time"], unique=False)

    op.create_table(
        "manual_tests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tank_id", sa.Integer(), nullable=False),
        sa.Column("parameter", sa.String(length=32), nullable=False),
        sa.Column("time", sa.Float(), nullable=False),  # UTC epoch seconds
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("entered_value", sa.Float(), nullable=True),
        sa.Column("entered_unit", sa.String(length=32), nullable=True),
        sa.Column("session", sa.String(length=36), nullable=True),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),  # UTC epoch seconds
        sa.ForeignKeyConstraint(
            ["tank_id"],
            ["tanks.id"],
            name=op.f("fk_manual_tests_tank_id_tanks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_manual_tests")),
    )
    with op.batch_alter_table("manual_tests", schema=None) as batch_op:
        batch_op.create_index(
            "ix_manual_tests_tank_parameter_time", ["tank_id", "parameter", "time"], unique=False
        )

    op.create_table(
        "sensors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tank_id", sa.Integer(), nullable=False),
        sa.Column("parameter", sa.String(length=32), nullable=False),
        sa.Column("topic", sa.String(length=255), nullable=False),
        sa.Column("field", sa.String(length=128), server_default="", nullable=False),
        sa.Column("expected_interval_s", sa.Float(), nullable=True),
        sa.Column("first_seen", sa.Float(), nullable=False),  # UTC epoch seconds
        sa.Column("last_seen", sa.Float(), nullable=True),  # UTC epoch seconds
        sa.Column("online", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(
            ["tank_id"], ["tanks.id"], name=op.f("fk_sensors_tank_id_tanks"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sensors")),
        sa.UniqueConstraint("tank_id", "parameter", "topic", "field", name="uq_sensors_identity"),
    )
    op.create_table(
        "readings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sensor_id", sa.Integer(), nullable=False),
        sa.Column("tank_id", sa.Integer(), nullable=False),
        sa.Column("parameter", sa.String(length=32), nullable=False),
        sa.Column("time", sa.Float(), nullable=False),  # UTC epoch seconds
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("received_at", sa.Float(), nullable=False),  # UTC epoch seconds
        sa.Column("delivery_key", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["sensor_id"],
            ["sensors.id"],
            name=op.f("fk_readings_sensor_id_sensors"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tank_id"], ["tanks.id"], name=op.f("fk_readings_tank_id_tanks"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_readings")),
        sa.UniqueConstraint("sensor_id", "time", name="uq_readings_sensor_time"),
    )
    with op.batch_alter_table("readings", schema=None) as batch_op:
        batch_op.create_index("ix_readings_delivery_key", ["delivery_key"], unique=False)
        batch_op.create_index(
            "ix_readings_tank_parameter_time", ["tank_id", "parameter", "time"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("readings", schema=None) as batch_op:
        batch_op.drop_index("ix_readings_tank_parameter_time")
        batch_op.drop_index("ix_readings_delivery_key")

    op.drop_table("readings")
    op.drop_table("sensors")
    with op.batch_alter_table("manual_tests", schema=None) as batch_op:
        batch_op.drop_index("ix_manual_tests_tank_parameter_time")

    op.drop_table("manual_tests")
    with op.batch_alter_table("maintenance", schema=None) as batch_op:
        batch_op.drop_index("ix_maintenance_tank_time")

    op.drop_table("maintenance")
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.drop_index("ix_alerts_tank_rule")

    op.drop_table("alerts")
    op.drop_table("tanks")
    with op.batch_alter_table("dead_letters", schema=None) as batch_op:
        batch_op.drop_index("ix_dead_letters_time")

    op.drop_table("dead_letters")
