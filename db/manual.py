"""Manual test-kit results: the keeper's logbook (ammonia, nitrite, nitrate, pH, KH, GH...)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, delete, insert, select, update

from db.errors import NotFound
from db.schema import manual_tests, tanks
from db.tanks import get_tank
from sensors.errors import KeeperInputError
from sensors.keeper_input import TestResult
from sensors.notes import note_problem

__all__ = ["LoggedTest", "TestResult", "delete_test", "list_tests", "log_tests", "update_test"]


@dataclass(frozen=True)
class LoggedTest:
    """A stored test result."""

    id: int
    tank: str
    parameter: str
    time: datetime
    value: float
    entered_value: float | None
    entered_unit: str | None
    session: str | None
    note: str


def log_tests(
    engine: Engine, tank: str, results: list[TestResult], *, at: datetime, note: str = ""
) -> list[int]:
    """Store one test session (several parameters at the same time); returns the new ids."""
    if problem := note_problem(note):
        raise KeeperInputError(problem)
    tank_id = get_tank(engine, tank).id
    session = str(uuid.uuid4())
    now = datetime.now(UTC)
    ids = []
    with engine.connect().execution_options(sqlite_write=True) as conn, conn.begin():
        for result in results:
            ids.append(
                conn.execute(
                    insert(manual_tests)
                    .values(
                        tank_id=tank_id,
                        parameter=result.parameter,
                        time=at,
                        value=result.value,
                        entered_value=result.entered_value,
                        entered_unit=result.entered_unit,
                        session=session,
                        note=note,
                        created_at=now,
                    )
                    .returning(manual_tests.c.id)
                ).scalar_one()
            )
    return ids


def list_tests(
    engine: Engine,
    tank: str,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    parameter: str | None = None,
) -> list[LoggedTest]:
    """Test results of TANK, oldest first."""
    query = (
        select(manual_tests, tanks.c.name.label("tank"))
        .join(tanks, tanks.c.id == manual_tests.c.tank_id)
        .where(tanks.c.name == tank)
        .order_by(manual_tests.c.time, manual_tests.c.id)
    )
    if since is not None:
        query = query.where(manual_tests.c.time >= since)
    if until is not None:
        query = query.where(manual_tests.c.time <= until)
    if parameter is not None:
        query = query.where(manual_tests.c.parameter == parameter)
    with engine.connect() as conn:
        return [
            LoggedTest(
                id=row.id,
                tank=row.tank,
                parameter=row.parameter,
                time=row.time,
                value=row.value,
                entered_value=row.entered_value,
                entered_unit=row.entered_unit,
                session=row.session,
                note=row.note,
            )
            for row in conn.execute(query)
        ]


def update_test(
    engine: Engine, test_id: int, *, value: float, time: datetime, note: str | None = None
) -> None:
    """Correct a stored result; NotFound if it is gone."""
    values: dict[str, object] = {"value": value, "time": time, "entered_value": None}
    if note is not None:
        if problem := note_problem(note):
            raise KeeperInputError(problem)
        values["note"] = note
    with engine.connect().execution_options(sqlite_write=True) as conn, conn.begin():
        changed = conn.execute(
            update(manual_tests).where(manual_tests.c.id == test_id).values(**values)
        ).rowcount
    if not changed:
        raise NotFound(f"no test result with id {test_id}; list them with 'aquarium export'")


def delete_test(engine: Engine, test_id: int) -> None:
    """Remove a stored result (a mistyped entry); NotFound if it is gone."""
    with engine.connect().execution_options(sqlite_write=True) as conn, conn.begin():
        changed = conn.execute(delete(manual_tests).where(manual_tests.c.id == test_id)).rowcount
    if not changed:
        raise NotFound(f"no test result with id {test_id}; it may have been deleted already")
