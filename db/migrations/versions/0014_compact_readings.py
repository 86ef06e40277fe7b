"""Readings keyed by (sensor, time); rollups kept from marked hours

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 11:00:00

Each reading carried its own id, tank id and parameter name, and three indexes over them: about
79 bytes on disk for 16 bytes of time and value (issue 11). The tank and parameter are the
sensor's, so the reading keeps only (sensor_id, time, value, received_at), keyed by
(sensor_id, time): WITHOUT ROWID on SQLite, so the key is the table. The rollup watermark (the
highest reading id rolled up) goes with the ids; writers now mark the hours they touch
(rollup_pending) and a refresh recomputes them.

Every reading and every rolled-up hour is kept. Before the rewrite, readings not yet rolled up
are merged into their hours exactly as the old code would have. Hours whose raw rows retention
already pruned (their rollup counts more than the raw rows left) keep their rollup: the raw
horizon is set past the newest such hour, and the raw rows left before it, already in their
rollups, are folded there, so a later recompute never shrinks a folded hour.
"""

# ruff: noqa: S608 (the SQL is assembled from this file's constants, never from input)
import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

_HORIZON = "raw_readings_from_hour"  # db/rollup.py RAW_HORIZON


def _hour(bind: sa.engine.Connection, column: str) -> str:
    # floor on PostgreSQL, where CAST rounds; truncation is floor for positive epochs on SQLite.
    if bind.dialect.name == "postgresql":
        return f"CAST(floor({column} / 3600) AS BIGINT)"
    return f"CAST({column} / 3600 AS INTEGER)"


def _merge_unrolled(bind: sa.engine.Connection) -> None:
    """Roll up the readings above the old watermark, as the old refresh would have."""
    postgres = bind.dialect.name == "postgresql"
    least, greatest = ("least", "greatest") if postgres else ("min", "max")
    hour = _hour(bind, "r.time")
    op.execute(
        "INSERT INTO reading_hours (tank_id, parameter, hour, sensor_id, n, total, low, high) "
        f"SELECT r.tank_id, r.parameter, {hour}, r.sensor_id, count(*), sum(r.value), "
        "min(r.value), max(r.value) FROM readings r "
        "WHERE r.id > (SELECT coalesce(max(last_reading_id), 0) FROM rollup_state) "
        f"GROUP BY r.tank_id, r.parameter, {hour}, r.sensor_id "
        "ON CONFLICT (tank_id, parameter, hour, sensor_id) DO UPDATE SET "
        "n = reading_hours.n + excluded.n, total = reading_hours.total + excluded.total, "
        f"low = {least}(reading_hours.low, excluded.low), "
        f"high = {greatest}(reading_hours.high, excluded.high)"
    )


def _pruned_horizon(bind: sa.engine.Connection) -> int:
    """1 + the newest hour whose rollup counts more readings than are left raw (0: none).

    Only more: a rollup counting fewer than the raw rows missed some (SQLite gave a fold's
    deleted top ids to new readings, under the watermark), and that hour's raw rows are whole.
    """
    hour = _hour(bind, "time")
    newest = bind.execute(
        sa.text(
            "SELECT max(h.hour) FROM reading_hours h LEFT JOIN "
            f"(SELECT sensor_id, {hour} AS hour, count(*) AS n FROM readings "
            f"GROUP BY sensor_id, {hour}) r "
            "ON r.sensor_id = h.sensor_id AND r.hour = h.hour "
            "WHERE r.n IS NULL OR r.n < h.n"
        )
    ).scalar()
    return int(newest) + 1 if newest is not None else 0


def _mark_short_hours(bind: sa.engine.Connection) -> None:
    """Mark the kept hours whose rollup does not count all their raw rows, for a recompute."""
    hour = _hour(bind, "time")
    op.execute(
        "INSERT INTO rollup_pending (sensor_id, hour) SELECT r.sensor_id, r.hour FROM "
        f"(SELECT sensor_id, {hour} AS hour, count(*) AS n FROM readings "
        f"GROUP BY sensor_id, {hour}) r "
        "JOIN sensors s ON s.id = r.sensor_id "
        "LEFT JOIN reading_hours h ON h.sensor_id = r.sensor_id AND h.hour = r.hour "
        "WHERE h.n IS NULL OR h.n <> r.n"
    )


def upgrade() -> None:
    bind = op.get_bind()
    postgres = bind.dialect.name == "postgresql"
    if postgres:
        op.execute("LOCK TABLE readings IN SHARE ROW EXCLUSIVE MODE")
    _merge_unrolled(bind)
    horizon = _pruned_horizon(bind)
    suffix = "_new" if postgres else ""  # PostgreSQL's key names are index names: unique
    op.create_table(
        "readings_new",
        sa.Column("sensor_id", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("time", sa.Float(), nullable=False),  # UTC epoch seconds
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("received_at", sa.Float(), nullable=False),
        # No foreign key: see db/schema.py (a per-row trigger on PostgreSQL).
        sa.PrimaryKeyConstraint("sensor_id", "time", name=f"pk_readings{suffix}"),
        sqlite_with_rowid=False,
    )
    # In key order: the new table is written front to back, its pages full.
    op.execute(
        "INSERT INTO readings_new (sensor_id, time, value, received_at) "
        "SELECT sensor_id, time, value, received_at FROM readings "
        f"WHERE time >= {horizon * 3600} ORDER BY sensor_id, time"
    )
    op.drop_table("readings")
    op.rename_table("readings_new", "readings")
    if postgres:
        op.execute("ALTER TABLE readings RENAME CONSTRAINT pk_readings_new TO pk_readings")
    op.drop_table("rollup_state")
    op.create_table(
        "rollup_pending",
        sa.Column("sensor_id", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("hour", sa.BigInteger(), nullable=False, autoincrement=False),
        sa.ForeignKeyConstraint(
            ["sensor_id"],
            ["sensors.id"],
            name=op.f("fk_rollup_pending_sensor_id_sensors"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("sensor_id", "hour", name=op.f("pk_rollup_pending")),
        sqlite_with_rowid=False,
    )
    _mark_short_hours(bind)
    if horizon:
        op.execute(f"DELETE FROM shared_settings WHERE name = '{_HORIZON}'")
        op.execute(f"INSERT INTO shared_settings (name, value) VALUES ('{_HORIZON}', '{horizon}')")


def _recompute_pending(bind: sa.engine.Connection) -> None:
    """Bring the marked hours up to date, so the old watermark can cover every reading.

    A marked hour before the raw horizon is folded: its rollup counts readings that have no raw
    rows any more, so the newcomers are added to it (as db/rollup.py does), never recomputed.
    """
    postgres = bind.dialect.name == "postgresql"
    least, greatest = ("least", "greatest") if postgres else ("min", "max")
    horizon = bind.execute(
        sa.text(f"SELECT value FROM shared_settings WHERE name = '{_HORIZON}'")
    ).scalar()
    horizon = int(horizon) if horizon is not None else 0
    hour = _hour(bind, "r.time")
    op.execute(
        "DELETE FROM reading_hours WHERE EXISTS (SELECT 1 FROM rollup_pending p "
        "WHERE p.sensor_id = reading_hours.sensor_id AND p.hour = reading_hours.hour "
        f"AND p.hour >= {horizon})"
    )
    op.execute(
        "INSERT INTO reading_hours (tank_id, parameter, hour, sensor_id, n, total, low, high) "
        f"SELECT s.tank_id, s.parameter, {hour}, r.sensor_id, count(*), sum(r.value), "
        "min(r.value), max(r.value) FROM readings r JOIN sensors s ON s.id = r.sensor_id "
        f"WHERE EXISTS (SELECT 1 FROM rollup_pending p WHERE p.sensor_id = r.sensor_id "
        f"AND p.hour = {hour}) "
        f"GROUP BY s.tank_id, s.parameter, {hour}, r.sensor_id "
        "ON CONFLICT (tank_id, parameter, hour, sensor_id) DO UPDATE SET "
        "n = reading_hours.n + excluded.n, total = reading_hours.total + excluded.total, "
        f"low = {least}(reading_hours.low, excluded.low), "
        f"high = {greatest}(reading_hours.high, excluded.high)"
    )


def downgrade() -> None:
    bind = op.get_bind()
    postgres = bind.dialect.name == "postgresql"
    _recompute_pending(bind)
    id_type = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    op.create_table(
        "readings_old",
        sa.Column("id", id_type, nullable=False),
        sa.Column("sensor_id", sa.Integer(), nullable=False),
        sa.Column("tank_id", sa.Integer(), nullable=False),
        sa.Column("parameter", sa.String(length=32), nullable=False),
        sa.Column("time", sa.Float(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("received_at", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["sensor_id"], ["sensors.id"], name="fk_readings_sensor_id_sensors", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["tank_id"], ["tanks.id"], name="fk_readings_tank_id_tanks", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_readings_old" if postgres else "pk_readings"),
        sa.UniqueConstraint(
            "sensor_id",
            "time",
            name="uq_readings_sensor_time_old" if postgres else "uq_readings_sensor_time",
        ),
    )
    op.execute(
        "INSERT INTO readings_old (id, sensor_id, tank_id, parameter, time, value, received_at) "
        "SELECT row_number() OVER (ORDER BY r.time, r.sensor_id), r.sensor_id, s.tank_id, "
        "s.parameter, r.time, r.value, r.received_at "
        "FROM readings r JOIN sensors s ON s.id = r.sensor_id"
    )
    op.drop_table("rollup_pending")
    op.drop_table("readings")
    op.rename_table("readings_old", "readings")
    if postgres:
        op.execute("ALTER TABLE readings RENAME CONSTRAINT pk_readings_old TO pk_readings")
        op.execute(
            "ALTER TABLE readings RENAME CONSTRAINT uq_readings_sensor_time_old "
            "TO uq_readings_sensor_time"
        )
        op.execute("CREATE SEQUENCE readings_id_seq AS BIGINT OWNED BY readings.id")
        op.execute(
            "SELECT setval('readings_id_seq', "
            "(SELECT coalesce(max(id), 0) + 1 FROM readings), false)"
        )
        op.execute("ALTER TABLE readings ALTER COLUMN id SET DEFAULT nextval('readings_id_seq')")
    op.create_index("ix_readings_tank_parameter_time", "readings", ["tank_id", "parameter", "time"])
    op.create_table(
        "rollup_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("last_reading_id", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_rollup_state"),
    )
    op.execute(
        "INSERT INTO rollup_state (id, last_reading_id) "
        "SELECT 1, coalesce(max(id), 0) FROM readings"
    )
    op.execute(f"DELETE FROM shared_settings WHERE name = '{_HORIZON}'")
