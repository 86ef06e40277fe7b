"""workers: heartbeat rows per worker process with their roles; the shared MQTT session id

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 07:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("daemon_status", schema=None) as batch_op:
        batch_op.alter_column("client_id", new_column_name="worker")
        batch_op.add_column(
            sa.Column("roles", sa.String(length=64), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("session", sa.String(length=128), nullable=True))
        batch_op.add_column(
            sa.Column("pending", sa.BigInteger(), server_default="0", nullable=False)
        )
    op.create_table(
        "shared_settings",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("value", sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_shared_settings")),
    )


def downgrade() -> None:
    op.drop_table("shared_settings")
    with op.batch_alter_table("daemon_status", schema=None) as batch_op:
        batch_op.drop_column("pending")
        batch_op.drop_column("session")
        batch_op.drop_column("roles")
        batch_op.alter_column("worker", new_column_name="client_id")
