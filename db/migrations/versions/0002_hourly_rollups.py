"""hourly rollups of the readings

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 09:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reading_hours",
        sa.Column("tank_id", sa.Integer(), nullable=False),
        sa.Column("parameter", sa.String(length=32), nullable=False),
        sa.Column("hour", sa.BigInteger(), nullable=False),  # epoch seconds // 3600
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("total", sa.Float(), nullable=False),
        sa.Column("low", sa.Float(), nullable=False),
        sa.Column("high", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tank_id"],
            ["tanks.id"],
            name=op.f("fk_reading_hours_tank_id_tanks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tank_id", "parameter", "hour", name=op.f("pk_reading_hours")),
    )
    op.create_table(
        "rollup_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("last_reading_id", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rollup_state")),
    )
    # Existing readings are rolled up on first use (db/rollup.py works through them in chunks),
    # not here: a migration that runs for minutes on a big history would look like a hang.


def downgrade() -> None:
    op.drop_table("rollup_state")
    op.drop_table("reading_hours")
