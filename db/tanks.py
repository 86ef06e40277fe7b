"""Tanks: the keeper's aquariums, registered by hand or on a sensor's first message."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, Row, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from db.errors import Conflict, NotFound
from db.schema import metadata, sensors, tanks
from db.upsert import insert_ignore
from health.profiles import DEFAULT_PROFILE
from sensors.naming import is_valid_tank_name


@dataclass(frozen=True)
class Tank:
    """A tank as stored."""

    id: int
    name: str
    volume_l: float | None
    profile: str
    simulated: bool
    created_at: datetime
    set_up_at: datetime | None = None
    archived_at: datetime | None = None


def _tank(row: Row[Any]) -> Tank:
    return Tank(**row._mapping)


def add_tank(
    engine: Engine,
    name: str,
    *,
    volume_l: float | None = None,
    profile: str = DEFAULT_PROFILE,
    simulated: bool = False,
    at: datetime | None = None,
    set_up_at: datetime | None = None,
) -> Tank:
    """Register a new tank; Conflict if the name is taken."""
    now = at or datetime.now(UTC)
    try:
        with engine.connect().execution_options(sqlite_write=True) as conn, conn.begin():
            conn.execute(
                insert(tanks).values(
                    name=name,
                    volume_l=volume_l,
                    profile=profile,
                    simulated=simulated,
                    created_at=now,
                    set_up_at=set_up_at,
                )
            )
    except IntegrityError as exc:
        raise Conflict(
            f"a tank called {name!r} already exists; pick another name or edit it with "
            f"'aquarium tank edit {name}'"
        ) from exc
    return get_tank(engine, name)


def update_tank(
    engine: Engine,
    name: str,
    *,
    volume_l: float | None = None,
    profile: str | None = None,
    simulated: bool | None = None,
    set_up_at: datetime | None = None,
) -> Tank:
    """Change a tank's volume, profile, simulated flag or set-up date; None leaves it as it is."""
    changes: dict[str, object] = {}
    if volume_l is not None:
        changes["volume_l"] = volume_l
    if profile is not None:
        changes["profile"] = profile
    if simulated is not None:
        changes["simulated"] = simulated
    if set_up_at is not None:
        changes["set_up_at"] = set_up_at
    get_tank(engine, name)
    if changes:
        with engine.connect().execution_options(sqlite_write=True) as conn, conn.begin():
            conn.execute(update(tanks).where(tanks.c.name == name).values(**changes))
    return get_tank(engine, name)


def get_tank(engine: Engine, name: str) -> Tank:
    """The tank called NAME; NotFound names a near miss, or says how to create it."""
    with engine.connect() as conn:
        row = conn.execute(select(tanks).where(tanks.c.name == name)).first()
        if row is None:
            known = list(conn.execute(select(tanks.c.name)).scalars())
    if row is None:
        raise NotFound(unknown_tank_message(name, known))
    return _tank(row)


def unknown_tank_message(name: str, known: list[str]) -> str:
    """'no tank called 'Turtles'; did you mean 'turtles'?', or how to create it when it may be."""
    lowered = {k.lower(): k for k in known}
    close = [lowered[name.lower()]] if name.lower() in lowered else []
    close = close or difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    if close:
        return f"no tank called {name!r}; did you mean {close[0]!r}?"
    if is_valid_tank_name(name):
        return f"no tank called {name!r}; create it with 'aquarium tank add {name}'"
    listed = ", ".join(sorted(known)[:10]) or "none yet"
    return f"no tank called {name!r}; the tanks are: {listed}"


def list_tanks(engine: Engine, *, include_archived: bool = False) -> list[Tank]:
    """Every tank by name; archived ones only when asked."""
    query = select(tanks).order_by(tanks.c.name)
    if not include_archived:
        query = query.where(tanks.c.archived_at.is_(None))
    with engine.connect() as conn:
        return [_tank(row) for row in conn.execute(query)]


def archive_tank(engine: Engine, name: str, at: datetime | None = None) -> Tank:
    """Hide tank NAME from the pages and alert rounds, keeping its history; None to restore."""
    get_tank(engine, name)
    with engine.connect().execution_options(sqlite_write=True) as conn, conn.begin():
        conn.execute(
            update(tanks).where(tanks.c.name == name).values(archived_at=at or datetime.now(UTC))
        )
    return get_tank(engine, name)


def unarchive_tank(engine: Engine, name: str) -> Tank:
    """Bring an archived tank back."""
    get_tank(engine, name)
    with engine.connect().execution_options(sqlite_write=True) as conn, conn.begin():
        conn.execute(update(tanks).where(tanks.c.name == name).values(archived_at=None))
    return get_tank(engine, name)


def remove_tank(engine: Engine, name: str) -> dict[str, int]:
    """Delete tank NAME and everything stored about it in one transaction; rows per table.

    Every table with a tank_id or sensor_id column is cleared explicitly (not left to ON DELETE
    CASCADE), so a table added later without the cascade cannot keep orphans or block the delete.
    """
    tank_id = get_tank(engine, name).id
    removed: dict[str, int] = {}
    with engine.connect().execution_options(sqlite_write=True) as conn, conn.begin():
        # Listed before anything is deleted: readings have no foreign key (db/schema.py), so the
        # table order alone does not put them before their sensors.
        sensor_ids = list(
            conn.execute(select(sensors.c.id).where(sensors.c.tank_id == tank_id)).scalars()
        )
        for table in reversed(metadata.sorted_tables):
            if table is tanks:
                continue
            if "sensor_id" in table.c and table is not sensors:
                count = conn.execute(
                    delete(table).where(table.c.sensor_id.in_(sensor_ids))
                ).rowcount
                removed[table.name] = removed.get(table.name, 0) + count
            if "tank_id" in table.c:
                count = conn.execute(delete(table).where(table.c.tank_id == tank_id)).rowcount
                removed[table.name] = removed.get(table.name, 0) + count
        conn.execute(delete(tanks).where(tanks.c.id == tank_id))
    return {table: count for table, count in removed.items() if count}


def ensure_tank(conn: Connection, name: str, now: datetime) -> int:
    """The id of tank NAME, registering it on first sight (inside the caller's transaction)."""
    conn.execute(
        insert_ignore(conn, tanks, ["name"]).values(name=name, created_at=now, simulated=False)
    )
    return conn.execute(select(tanks.c.id).where(tanks.c.name == name)).scalar_one()


def tank_names(engine: Engine) -> set[str]:
    """The names of every tank, archived ones included (ingest/admission.py's known tanks)."""
    with engine.connect() as conn:
        return set(conn.execute(select(tanks.c.name)).scalars())
