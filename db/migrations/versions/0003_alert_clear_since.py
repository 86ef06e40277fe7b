"""alerts remember since when a firing alert's condition has been clear

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 12:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # health.rules.RuleState.clear_since: without it a restart would restart a rule's resolve
    # hold, and an alert that was about to resolve would stay firing for another hold period.
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("clear_since", sa.Float(), nullable=True))  # UTC epoch s


def downgrade() -> None:
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.drop_column("clear_since")
