"""tanks remember when the keeper set them up (for the new-tank cycle)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 00:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tanks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("set_up_at", sa.Float(), nullable=True))  # UTC epoch s


def downgrade() -> None:
    with op.batch_alter_table("tanks", schema=None) as batch_op:
        batch_op.drop_column("set_up_at")
