"""64-bit ids for the tables whose rows accumulate (not readings: its layout is issue 11's)

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 07:50:00

On SQLite an INTEGER PRIMARY KEY is already the 64-bit rowid: nothing to do. On PostgreSQL a
SERIAL column is a 32-bit integer fed by a sequence that is itself typed integer; both widen.
"""

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

TABLES = ("manual_tests", "maintenance", "alerts", "dead_letters")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.execute(f"ALTER TABLE {table} ALTER COLUMN id TYPE BIGINT")
        op.execute(f"ALTER SEQUENCE IF EXISTS {table}_id_seq AS BIGINT")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.execute(f"ALTER SEQUENCE IF EXISTS {table}_id_seq AS INTEGER")
        op.execute(f"ALTER TABLE {table} ALTER COLUMN id TYPE INTEGER")
