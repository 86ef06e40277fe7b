"""The newest value of each parameter, as the overview's cards show it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, event

from db.latest import Point, latest_values, latest_values_of
from db.manual import TestResult, log_tests
from db.readings import BatchStore, NewReading
from db.sensor_labels import SensorLabel, apply_sensor_labels
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


def test_many_tanks_newest_values_come_in_four_statements(any_engine: Engine) -> None:
    """latest_values_of gives each tank's latest_values (two probes, tests, a silent sensor)."""
    add_tank(any_engine, "turtles", volume_l=96)
    add_tank(any_engine, "guppies", volume_l=40)
    apply_sensor_labels(
        any_engine,
        [SensorLabel("turtles", "temperature", "aquarium/turtles/outlet", "", "outlet", True)],
        AT,
    )
    batch = []
    for minutes, base in ((0, 25.0), (5, 25.2), (10, 25.4)):
        at = AT - timedelta(minutes=minutes)
        for tank, topic, value in (
            ("turtles", "aquarium/turtles/temperature", base),
            ("turtles", "aquarium/turtles/outlet", base + 0.5),
            ("guppies", "aquarium/guppies/ph", 7.0 + minutes / 100),
        ):
            parameter = topic.rsplit("/", 1)[1].replace("outlet", "temperature")
            batch.append(NewReading(tank, parameter, value, at, at, topic))
    BatchStore(any_engine).write(batch, [])
    apply_sensor_labels(  # registered, never heard from
        any_engine, [SensorLabel("guppies", "orp", "aquarium/guppies/orp", "", None, False)], AT
    )
    log_tests(any_engine, "guppies", [TestResult("nitrate", 10.0)], at=AT - timedelta(days=1))
    log_tests(any_engine, "guppies", [TestResult("ph", 7.2)], at=AT - timedelta(hours=3))
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    event.listen(any_engine, "before_cursor_execute", count)
    try:
        many = latest_values_of(any_engine, ["turtles", "guppies", "no-such-tank"])
    finally:
        event.remove(any_engine, "before_cursor_execute", count)
    assert len(statements) == 4
    assert many == {t: latest_values(any_engine, t) for t in ("turtles", "guppies")}
    (temperature,) = many["turtles"]
    assert temperature.sensor == Point(AT, 25.5)  # the primary probe's newest
    assert temperature.chosen_by == "primary sensor"
    assert [v.parameter for v in many["guppies"]] == ["ph", "nitrate"]
    ph = many["guppies"][0]
    assert ph.sensor == Point(AT, 7.0) and ph.manual == Point(AT - timedelta(hours=3), 7.2)
