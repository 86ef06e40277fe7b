"""The newest value of each parameter, as the overview's cards show it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from db.latest import latest_values
from db.manual import TestResult, log_tests
from db.tanks import add_tank

AT = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize("order", [(35.0, 45.0), (45.0, 35.0)])
def test_two_results_at_one_moment_show_their_mean(
    engine: Engine, order: tuple[float, float]
) -> None:
    """Nitrate 35 and 45 typed for one moment, in either order, show as 40 (the advisor too)."""
    add_tank(engine, "turtles", volume_l=96)
    log_tests(engine, "turtles", [TestResult("nitrate", 20.0)], at=AT - timedelta(days=3))
    for value in order:
        log_tests(engine, "turtles", [TestResult("nitrate", value)], at=AT)
    (nitrate,) = latest_values(engine, "turtles")
    assert nitrate.manual is not None
    assert (nitrate.manual.time, nitrate.manual.value) == (AT, pytest.approx(40.0))
