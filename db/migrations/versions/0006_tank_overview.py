"""tanks can be archived; each tank's latest verdict is kept for the home page

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 00:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tanks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("archived_at", sa.Float(), nullable=True))  # UTC epoch s
    op.create_table(
        "tank_verdicts",
        sa.Column("tank_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.Float(), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("due", sa.Float(), nullable=True),
        sa.Column("due_earliest", sa.Float(), nullable=True),
        sa.Column("due_latest", sa.Float(), nullable=True),
        sa.Column("change_percent", sa.Integer(), nullable=True),
        sa.Column("headline", sa.Text(), server_default="", nullable=False),
        sa.Column("worst_parameter", sa.String(length=32), nullable=True),
        sa.Column("worst_value", sa.Float(), nullable=True),
        sa.Column("worst_status", sa.String(length=8), nullable=True),
        sa.ForeignKeyConstraint(
            ["tank_id"],
            ["tanks.id"],
            name=op.f("fk_tank_verdicts_tank_id_tanks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tank_id", name=op.f("pk_tank_verdicts")),
    )


def downgrade() -> None:
    op.drop_table("tank_verdicts")
    with op.batch_alter_table("tanks", schema=None) as batch_op:
        batch_op.drop_column("archived_at")
