"""Tanks: the keeper's aquariums, registered by hand or on a sensor's first message."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from db.errors import Conflict, NotFound
from db.schema import tanks
from db.upsert import insert_ignore

DEFAULT_PROFILE = "turtle-fish"


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


def _tank(row: object) -> Tank:
    return Tank(**row._mapping)  # type: ignore[attr-defined]


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
    """The tank called NAME; NotFound says how to create it."""
    with engine.connect() as conn:
        row = conn.execute(select(tanks).where(tanks.c.name == name)).first()
    if row is None:
        raise NotFound(f"no tank called {name!r}; create it with 'aquarium tank add {name}'")
    return _tank(row)


def list_tanks(engine: Engine) -> list[Tank]:
    """Every tank, by name."""
    with engine.connect() as conn:
        return [_tank(row) for row in conn.execute(select(tanks).order_by(tanks.c.name))]


def ensure_tank(conn: Connection, name: str, now: datetime) -> int:
    """The id of tank NAME, registering it on first sight (inside the caller's transaction)."""
    conn.execute(
        insert_ignore(conn, tanks, ["name"]).values(name=name, created_at=now, simulated=False)
    )
    return conn.execute(select(tanks.c.id).where(tanks.c.name == name)).scalar_one()
