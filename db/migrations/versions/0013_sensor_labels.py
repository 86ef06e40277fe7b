"""Sensors carry the keeper's label and primary mark; hourly rollups are kept per sensor

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 09:00:00

Two probes of one parameter in one tank used to be rolled up into one zig-zag series. The rollup
is re-keyed by sensor, keeping every stored hour (raw readings older than the retention are gone,
so their hours cannot be recomputed):
- a tank's parameter with one sensor: its hours are that sensor's, as they are;
- with several sensors: each hour is recomputed per sensor from the raw readings already rolled
  up; an hour the raw rows no longer fully cover (pruned by retention) stays whole and goes to
  the parameter's first sensor, so no history is lost, only its split.
"""

# ruff: noqa: S608 (the SQL is assembled from this file's constants, never from input)
import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

# A tank's parameter with several sensors (the only hours that are recomputed from raw rows).
_SHARED = "(SELECT tank_id, parameter FROM sensors GROUP BY tank_id, parameter HAVING count(*) > 1)"
_SAME_KEY = "x.tank_id = o.tank_id AND x.parameter = o.parameter AND x.hour = o.hour"
_FIRST_SENSOR = (
    "(SELECT min(s.id) FROM sensors s WHERE s.tank_id = o.tank_id AND s.parameter = o.parameter)"
)


def _create_hours(name: str, *, with_sensor: bool) -> None:
    columns: list[sa.schema.SchemaItem] = [
        sa.Column("tank_id", sa.Integer(), nullable=False),
        sa.Column("parameter", sa.String(length=32), nullable=False),
        sa.Column("hour", sa.BigInteger(), nullable=False),  # epoch seconds // 3600
    ]
    key = ["tank_id", "parameter", "hour"]
    constraints: list[sa.schema.SchemaItem] = [
        sa.ForeignKeyConstraint(
            ["tank_id"],
            ["tanks.id"],
            name=op.f("fk_reading_hours_tank_id_tanks"),
            ondelete="CASCADE",
        )
    ]
    if with_sensor:
        columns.append(sa.Column("sensor_id", sa.Integer(), nullable=False))
        key.append("sensor_id")
        constraints.append(
            sa.ForeignKeyConstraint(
                ["sensor_id"],
                ["sensors.id"],
                name=op.f("fk_reading_hours_sensor_id_sensors"),
                ondelete="CASCADE",
            )
        )
    op.create_table(
        name,
        *columns,
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("total", sa.Float(), nullable=False),
        sa.Column("low", sa.Float(), nullable=False),
        sa.Column("high", sa.Float(), nullable=False),
        *constraints,
        sa.PrimaryKeyConstraint(*key, name=op.f("pk_reading_hours")),
    )


def _set_aside() -> None:
    op.rename_table("reading_hours", "reading_hours_old")
    if op.get_bind().dialect.name == "postgresql":
        # The primary key's index name is schema-wide on PostgreSQL; the new table needs it.
        op.execute("ALTER TABLE reading_hours_old RENAME CONSTRAINT pk_reading_hours TO pk_rho")
        op.execute(
            "ALTER TABLE reading_hours_old RENAME CONSTRAINT "
            "fk_reading_hours_tank_id_tanks TO fk_rho_tank"
        )


def upgrade() -> None:
    with op.batch_alter_table("sensors") as batch_op:
        batch_op.add_column(sa.Column("label", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("is_primary", sa.Boolean(), nullable=False, server_default="0")
        )
    postgres = op.get_bind().dialect.name == "postgresql"
    hour = "CAST(floor(r.time / 3600) AS BIGINT)" if postgres else "CAST(r.time / 3600 AS INTEGER)"
    _set_aside()
    _create_hours("reading_hours", with_sensor=True)
    columns = "tank_id, parameter, hour, sensor_id, n, total, low, high"
    # One sensor: its hours as they are.
    op.execute(
        f"INSERT INTO reading_hours ({columns}) "
        f"SELECT o.tank_id, o.parameter, o.hour, {_FIRST_SENSOR}, o.n, o.total, o.low, o.high "
        "FROM reading_hours_old o WHERE (SELECT count(*) FROM sensors s "
        "WHERE s.tank_id = o.tank_id AND s.parameter = o.parameter) = 1"
    )
    # Several sensors: each sensor's hours from the raw readings already rolled up...
    op.execute(
        f"INSERT INTO reading_hours ({columns}) "
        f"SELECT r.tank_id, r.parameter, {hour}, r.sensor_id, count(*), sum(r.value), "
        "min(r.value), max(r.value) FROM readings r "
        f"JOIN {_SHARED} m ON m.tank_id = r.tank_id AND m.parameter = r.parameter "
        "WHERE r.id <= (SELECT coalesce(max(last_reading_id), 0) FROM rollup_state) "
        f"GROUP BY r.tank_id, r.parameter, {hour}, r.sensor_id"
    )
    # ...except hours the raw rows no longer cover in full: those stay whole.
    partial = (
        "SELECT 1 FROM reading_hours_old o WHERE o.tank_id = reading_hours.tank_id "
        "AND o.parameter = reading_hours.parameter AND o.hour = reading_hours.hour "
        f"AND o.n <> (SELECT sum(x.n) FROM reading_hours x WHERE {_SAME_KEY})"
    )
    op.execute(f"DELETE FROM reading_hours WHERE EXISTS ({partial})")
    op.execute(
        f"INSERT INTO reading_hours ({columns}) "
        f"SELECT o.tank_id, o.parameter, o.hour, {_FIRST_SENSOR}, o.n, o.total, o.low, o.high "
        f"FROM reading_hours_old o JOIN {_SHARED} m "
        "ON m.tank_id = o.tank_id AND m.parameter = o.parameter "
        f"WHERE NOT EXISTS (SELECT 1 FROM reading_hours x WHERE {_SAME_KEY})"
    )
    op.drop_table("reading_hours_old")


def downgrade() -> None:
    op.rename_table("reading_hours", "reading_hours_new")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE reading_hours_new RENAME CONSTRAINT pk_reading_hours TO pk_rhn")
    _create_hours("reading_hours", with_sensor=False)
    op.execute(
        "INSERT INTO reading_hours (tank_id, parameter, hour, n, total, low, high) "
        "SELECT tank_id, parameter, hour, sum(n), sum(total), min(low), max(high) "
        "FROM reading_hours_new GROUP BY tank_id, parameter, hour"
    )
    op.drop_table("reading_hours_new")
    with op.batch_alter_table("sensors") as batch_op:
        batch_op.drop_column("is_primary")
        batch_op.drop_column("label")
