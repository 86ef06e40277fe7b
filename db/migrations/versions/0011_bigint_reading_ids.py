"""64-bit reading ids on PostgreSQL

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 09:00:00

200 tanks x 8 sensors every 10 s exhaust a 32-bit id in about 155 days (issue 12). On SQLite an
INTEGER PRIMARY KEY is already the 64-bit rowid: nothing to do. On PostgreSQL the SERIAL column and
its sequence are both 32-bit; both widen (a table rewrite, done once).
"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE readings ALTER COLUMN id TYPE BIGINT")
    op.execute("ALTER SEQUENCE IF EXISTS readings_id_seq AS BIGINT")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER SEQUENCE IF EXISTS readings_id_seq AS INTEGER")
    op.execute("ALTER TABLE readings ALTER COLUMN id TYPE INTEGER")
