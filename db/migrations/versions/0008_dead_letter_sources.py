"""dead letters remember their source, so one noisy source cannot evict the others

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 00:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("dead_letters", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("source", sa.String(length=255), server_default="", nullable=False)
        )
    op.create_index("ix_dead_letters_source", "dead_letters", ["source", "id"])


def downgrade() -> None:
    op.drop_index("ix_dead_letters_source", table_name="dead_letters")
    with op.batch_alter_table("dead_letters", schema=None) as batch_op:
        batch_op.drop_column("source")
