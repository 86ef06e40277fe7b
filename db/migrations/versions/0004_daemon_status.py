"""daemon heartbeat and broker connection state, for the dashboard

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 23:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "daemon_status",
        sa.Column("client_id", sa.String(length=128), nullable=False),
        sa.Column("broker", sa.String(length=255), nullable=False),
        sa.Column("connected", sa.Boolean(), nullable=False),
        sa.Column("since", sa.Float(), nullable=False),  # UTC epoch seconds
        sa.Column("heartbeat", sa.Float(), nullable=False),  # UTC epoch seconds
        sa.Column("received", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("stored", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("rejected", sa.BigInteger(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("client_id", name=op.f("pk_daemon_status")),
    )


def downgrade() -> None:
    op.drop_table("daemon_status")
