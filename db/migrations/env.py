"""Alembic environment: runs against the engine handed over by db.migrate (no alembic.ini)."""

from alembic import context

from db.schema import metadata

engine = context.config.attributes["engine"]

with engine.connect().execution_options(sqlite_write=True) as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies the table
    )
    with context.begin_transaction():
        context.run_migrations()
