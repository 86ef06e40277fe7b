"""durable notification outbox, written with the alert state

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 08:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notifications",
        # 64-bit on PostgreSQL, like the other tables whose rows accumulate (0010, 0011).
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("endpoint", sa.String(length=32), nullable=False),
        sa.Column("tank", sa.String(length=32), nullable=False),
        sa.Column("rules", sa.String(length=255), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("notify_type", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),  # UTC epoch seconds
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("next_attempt_at", sa.Float(), nullable=False),
        sa.Column("sent_at", sa.Float(), nullable=True),
        sa.Column("gave_up_at", sa.Float(), nullable=True),
        sa.Column("last_error", sa.Text(), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
    )
    op.create_index(
        "ix_notifications_endpoint_sent_at",
        "notifications",
        ["endpoint", "sent_at", "next_attempt_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_notifications_endpoint_sent_at", table_name="notifications")
    op.drop_table("notifications")
