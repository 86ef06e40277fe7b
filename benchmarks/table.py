"""What every row of the benchmark table shares: its shape, the run's sizes, the ratio column."""

from __future__ import annotations

import sys
from dataclasses import dataclass

Row = tuple[str, str, str, str, str, str, bool | None]


@dataclass
class Sizes:
    """How much data and how many rounds; --quick shrinks them for a run in about two minutes."""

    quick: bool
    days: float
    tanks: int
    tank_hours: float
    messages: int
    rounds: int
    bulk_rows: int


def ratio(figure: float, reference: float) -> str:
    return f"{figure / reference:.2f} x" if reference and figure else "-"


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
