"""Trend queries and the trends figure: rollups that add up, buckets that keep spikes."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select

from dashboard.charts import gap_breaks, trend_figure
from db.bulk import bulk_insert_readings
from db.engine import open_engine
from db.maintenance import LoggedEvent
from db.manual import LoggedTest
from db.rollup import HOUR_S, pending_hours, refresh_rollups
from db.schema import reading_hours
from db.tanks import get_tank
from db.trends import MAX_POINTS, choose_bucket, trend_series

START = 1_767_225_600  # 2026-01-01 00:00 UTC, on an hour boundary


def _hours(engine: Engine) -> dict[tuple[int, str, int], tuple[int, float, float, float]]:
    with engine.connect() as conn:
        return {
            (r.tank_id, r.parameter, r.hour): (r.n, round(r.total, 6), r.low, r.high)
            for r in conn.execute(select(reading_hours))
        }


def _expected(rows: dict[tuple[str, str], list[tuple[float, float]]], engine: Engine) -> dict:
    found: dict = defaultdict(list)
    for (tank, parameter), points in rows.items():
        tank_id = get_tank(engine, tank).id
        for moment, value in points:
            found[(tank_id, parameter, int(moment // HOUR_S))].append(value)
    return {k: (len(v), round(sum(v), 6), min(v), max(v)) for k, v in found.items()}


def _random_rows(seed: int) -> dict[tuple[str, str], list[tuple[float, float]]]:
    rng = random.Random(seed)
    rows = {}
    for tank in ("a", "b"):
        for parameter in ("temperature", "ph"):
            times = sorted({START + rng.uniform(0, 30 * HOUR_S) for _ in range(400)})
            # Readings exactly on and just before hour boundaries land in the right hour.
            times += [START + 5 * HOUR_S - 0.001, START + 7 * HOUR_S]
            rows[(tank, parameter)] = [(t, rng.uniform(0, 10)) for t in sorted(set(times))]
    return rows


def test_the_rollup_equals_a_direct_aggregation_whatever_the_chunks(engine: Engine) -> None:
    """Hourly n, sum, min and max match the raw readings, refreshed in one go or in chunks."""
    rows = _random_rows(1)
    for (tank, parameter), points in rows.items():
        bulk_insert_readings(engine, tank, parameter, points)
    expected = _expected(rows, engine)
    assert refresh_rollups(engine, chunk_hours=7) == len(expected)  # each marked hour once
    assert _hours(engine) == expected
    assert pending_hours(engine) == 0


def test_a_refresh_merges_late_readings_without_counting_any_twice(engine: Engine) -> None:
    """Readings added to an hour already rolled up are merged; a second refresh changes nothing."""
    first = {("a", "ph"): [(START + 60.0 * i, 7.0) for i in range(30)]}
    late = {("a", "ph"): [(START + 60.0 * i + 30, 6.0 + i / 100) for i in range(30)]}
    bulk_insert_readings(engine, "a", "ph", first[("a", "ph")])
    refresh_rollups(engine)
    bulk_insert_readings(engine, "a", "ph", late[("a", "ph")])
    refresh_rollups(engine)
    refresh_rollups(engine)
    both = {("a", "ph"): first[("a", "ph")] + late[("a", "ph")]}
    assert _hours(engine) == _expected(both, engine)


def test_the_same_readings_loaded_again_are_not_counted_twice(engine: Engine) -> None:
    """A history loaded twice (a re-run import) marks its hours again, counting each once."""
    points = [(START + 60.0 * i, float(i)) for i in range(120)]
    bulk_insert_readings(engine, "a", "ph", points)
    refresh_rollups(engine)
    bulk_insert_readings(engine, "a", "ph", points)
    assert pending_hours(engine) == 2  # both hours are marked again...
    refresh_rollups(engine)
    assert _hours(engine) == _expected({("a", "ph"): points}, engine)  # ...and recomputed


def test_a_long_range_is_bucketed_and_keeps_a_one_minute_spike(engine: Engine) -> None:
    """Sixty days drawn in hourly buckets still show a single spike as a bucket maximum."""
    spike_at = START + 20 * 86_400 + 7 * 60
    points = [(float(t), 25.0) for t in range(START, START + 60 * 86_400, 300)]
    points.append((float(spike_at), 31.0))
    bulk_insert_readings(engine, "a", "temperature", points)
    since = datetime.fromtimestamp(START, UTC)
    series = trend_series(engine, "a", ["temperature"], since, since + timedelta(days=60))[
        "temperature"
    ]
    assert series.bucket_s == 3600
    assert len(series) <= MAX_POINTS
    assert max(series.high) == 31.0
    assert max(series.mean) < 26.0  # the mean alone would have hidden it
    assert sum(series.counts) == len(points)


def test_a_short_range_returns_the_readings_themselves(engine: Engine) -> None:
    """A day of 5-minute data comes back raw, every value exact."""
    points = [(float(t), t % 7 / 10) for t in range(START, START + 86_400, 300)]
    bulk_insert_readings(engine, "a", "ph", points)
    since = datetime.fromtimestamp(START, UTC)
    series = trend_series(engine, "a", ["ph"], since, since + timedelta(days=1))["ph"]
    assert series.bucket_s == 0
    assert list(zip(series.times, series.mean, strict=True)) == points


def test_bucket_sizes_keep_each_range_under_the_point_budget() -> None:
    """Every preset range fits MAX_POINTS, and a year uses the rollup (6-hour buckets)."""
    for days in (1, 7, 30, 365, 3650):
        size = choose_bucket(days * 86_400)
        assert days * 86_400 / size <= MAX_POINTS or size == 168 * HOUR_S
    assert choose_bucket(365 * 86_400) == 6 * HOUR_S
    assert choose_bucket(7 * 86_400) == 600


def test_the_figure_draws_bands_markers_and_events() -> None:
    """A bucketed series gets a filled band, tests are markers with escaped notes, events lines."""
    from db.trends import Series

    series = Series(
        "nitrate", 3600, [0.0, 3600.0], [20.0, 22.0], [19.0, 21.0], [21.0, 40.0], [60, 60]
    )
    when = datetime.fromtimestamp(1800, UTC)
    test = LoggedTest(1, "t", "nitrate", when, 21.0, 5.0, "NO3-N", None, "<script>x</script>")
    event = LoggedEvent(1, "t", "water-change", when, 30.0, 28.8, "")
    figure = trend_figure({"nitrate": series}, [test], [event], {"nitrate": (None, 25.0)})
    fills = [trace.fill for trace in figure.data]
    assert "tonexty" in fills
    markers = [trace for trace in figure.data if trace.mode == "markers"]
    assert "&lt;script&gt;" in markers[0].text[0]
    assert "<script>" not in markers[0].text[0]
    assert any(shape.type == "line" for shape in figure.layout.shapes)  # the water change
    assert any(shape.type == "rect" for shape in figure.layout.shapes)  # the safe band


def test_gaps_in_the_data_break_the_line() -> None:
    """A silent hour between readings is a break, not a straight line across it."""
    assert gap_breaks([0, 60, 120, 4000, 4060], 0) == [3]
    assert gap_breaks([0, 3600, 7200, 18000], 3600) == [3]


@pytest.fixture
def postgres_engine(postgres_url: str) -> Iterator[Engine]:
    """A migrated engine on a throw-away PostgreSQL database, dropped afterwards."""
    engine = open_engine(postgres_url)
    yield engine
    engine.dispose()


@pytest.mark.postgres
def test_postgres_buckets_by_floor_not_rounding(postgres_engine: Engine) -> None:
    """On PostgreSQL a reading at :59 stays in its hour (CAST would round it into the next)."""
    rows = _random_rows(2)
    for (tank, parameter), points in rows.items():
        bulk_insert_readings(postgres_engine, tank, parameter, points)
    refresh_rollups(postgres_engine, chunk_hours=5)
    assert _hours(postgres_engine) == _expected(rows, postgres_engine)
    since = datetime.fromtimestamp(START, UTC)
    series = trend_series(postgres_engine, "a", ["ph"], since, since + timedelta(days=10))["ph"]
    assert sum(series.counts) == len(rows[("a", "ph")])


def test_an_empty_row_is_left_out_and_named() -> None:
    """A parameter with nothing in the range gets no blank row; drawable() names it instead."""
    from dashboard.charts import drawable, trend_figure
    from db.trends import Series

    ph = Series("ph", 0, [1.0, 2.0], [7.0, 7.1], [7.0, 7.1], [7.0, 7.1], [1, 1])
    series = {"nitrate": Series("nitrate", 0), "ph": ph}
    assert drawable(series, []) == (["ph"], ["nitrate"])
    figure = trend_figure(series, [], [], {})
    titles = [a.text for a in figure.layout.annotations]
    assert "pH" in titles and not any(t.startswith("Nitrate") for t in titles)
    assert "yaxis2" not in figure.layout.to_plotly_json()


def test_a_single_reading_is_drawn_as_a_marker() -> None:
    """One or a few readings get markers, since a line of one point draws nothing."""
    from dashboard.charts import trend_figure
    from db.trends import Series

    one = Series("ph", 0, [1.0], [7.2], [7.2], [7.2], [1])
    figure = trend_figure({"ph": one}, [], [], {})
    assert any("markers" in (trace.mode or "") for trace in figure.data)
