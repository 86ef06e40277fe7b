"""deduplicate redeliveries within the session's window, not against all readings

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 00:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "deliveries",
        sa.Column("session", sa.String(length=128), nullable=False),
        sa.Column("packet_id", sa.Integer(), nullable=False),
        sa.Column("content_key", sa.BigInteger(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("session", "packet_id", name=op.f("pk_deliveries")),
    )
    # The old key matched a redelivery against every reading ever stored, so a packet id that
    # wrapped past 65,535 with a repeated value ("25.0") was taken for a duplicate and dropped.
    op.drop_index("ix_readings_delivery_key", table_name="readings")
    with op.batch_alter_table("readings", schema=None) as batch_op:
        batch_op.drop_column("delivery_key")


def downgrade() -> None:
    with op.batch_alter_table("readings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("delivery_key", sa.BigInteger(), nullable=True))
    op.create_index("ix_readings_delivery_key", "readings", ["delivery_key"])
    op.drop_table("deliveries")
