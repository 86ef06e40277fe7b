"""Each tank's latest verdict, kept for the home page (one row per tank, replaced every round)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy import Engine, delete, insert, select

from db.schema import tank_verdicts, tanks
from health.verdict import Verdict


@dataclass(frozen=True)
class Worst:
    """The parameter furthest out of the profile's band: its latest value and status."""

    parameter: str
    value: float
    status: str  # "ok", "watch" or "act" (health.profiles.parameter_status)


def _midnight(day: date | None) -> datetime | None:
    return datetime.combine(day, time(), tzinfo=UTC) if day is not None else None


def save_verdict(engine: Engine, verdict: Verdict, worst: Worst | None) -> None:
    """Replace the stored verdict of VERDICT's tank (a removed tank's verdict is dropped)."""
    save_verdicts(engine, [(verdict, worst)])


def save_verdicts(engine: Engine, verdicts: Sequence[tuple[Verdict, Worst | None]]) -> None:
    """Replace the stored verdicts of several tanks in one transaction (one disk flush).

    An alert round records every tank it evaluated: a transaction each made 200 tanks cost 200
    flushes. A removed tank's verdict is dropped.
    """
    if not verdicts:
        return
    with engine.connect().execution_options(sqlite_write=True) as conn, conn.begin():
        names = sorted({v.tank for v, _ in verdicts})
        ids = dict(
            conn.execute(select(tanks.c.name, tanks.c.id).where(tanks.c.name.in_(names))).all()
        )
        for verdict, worst in verdicts:
            tank_id = ids.get(verdict.tank)
            if tank_id is None:
                continue
            conn.execute(delete(tank_verdicts).where(tank_verdicts.c.tank_id == tank_id))
            conn.execute(insert(tank_verdicts).values(tank_id=tank_id, **_row(verdict, worst)))


def _row(verdict: Verdict, worst: Worst | None) -> dict[str, object]:
    headline = next((r.message for r in verdict.reasons if r.severity != "info"), "")
    if not headline and verdict.reasons:
        headline = verdict.reasons[0].message
    return {
        "at": verdict.at,
        "status": verdict.status,
        # Dates stored as their UTC midnight: a date has no zone, and this reads back unchanged.
        "due": _midnight(verdict.due),
        "due_earliest": _midnight(verdict.due_earliest),
        "due_latest": _midnight(verdict.due_latest),
        "change_percent": verdict.change_percent,
        "headline": headline,
        "worst_parameter": worst.parameter if worst else None,
        "worst_value": worst.value if worst else None,
        "worst_status": worst.status if worst else None,
    }
