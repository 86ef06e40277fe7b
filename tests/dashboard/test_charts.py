"""The trends figure reads on its own: time on every row, limits always shown, labels apart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dashboard.chart_events import CHAR_PX, LABEL_GAP_PX, PLOT_WIDTH_PX, place_labels
from dashboard.charts import trend_figure
from db.maintenance import LoggedEvent
from db.trends import Series
from health.verdict import Cone, ForecastPoint

END = datetime(2026, 11, 30, 12, tzinfo=UTC)


def _event(kind: str, at: datetime, percent: float | None = None) -> LoggedEvent:
    return LoggedEvent(1, "t", kind, at, percent, None, "")


def _series(parameter: str, values: list[float], step_s: int = 3600) -> Series:
    start = (END - timedelta(seconds=step_s * len(values))).timestamp()
    times = [start + i * step_s for i in range(len(values))]
    return Series(parameter, 0, times, values, values, values, [1] * len(values))


def _boxes(placed: list, span: tuple[datetime, datetime]) -> list[tuple[int, float, float]]:
    """Each placed label's lane and left/right edge in pixels, as place_labels reasons."""
    start, width = span[0].timestamp(), (span[1] - span[0]).total_seconds()
    boxes = []
    for label in placed:
        if label.lane is None:
            continue
        at = (label.event.time.timestamp() - start) / width * PLOT_WIDTH_PX
        size = len(label.text) * CHAR_PX
        left = at - size if label.right_aligned else at
        boxes.append((label.lane, left, left + size))
    return boxes


def test_event_labels_a_day_apart_on_a_year_go_to_different_lanes() -> None:
    """A water change and a gravel clean 20 h apart on a 1-year axis never share a lane's space."""
    span = (END - timedelta(days=365), END)
    events = [
        _event("water-change", END - timedelta(days=40), 30),
        _event("gravel-clean", END - timedelta(days=39, hours=4)),
        _event("water-change", END - timedelta(hours=30), 25),
        _event("gravel-clean", END - timedelta(hours=10)),
        _event("filter-clean", END - timedelta(hours=2)),
    ]
    placed = place_labels(events, span)
    boxes = _boxes(placed, span)
    assert len(boxes) == len(events), "all fit in the lanes"
    for i, (lane_a, left_a, right_a) in enumerate(boxes):
        for lane_b, left_b, right_b in boxes[i + 1 :]:
            if lane_a == lane_b:
                assert right_a + LABEL_GAP_PX <= left_b or right_b + LABEL_GAP_PX <= left_a
    assert all(left >= 0 and right <= PLOT_WIDTH_PX for _lane, left, right in boxes)
    assert placed[-1].right_aligned, "a label at the right edge turns left instead of clipping"


def test_every_row_carries_the_time_axis_labels() -> None:
    """Three rows, three x axes showing their tick labels; the last one names the zone."""
    figure = trend_figure(
        {p: _series(p, [7.0, 7.1, 7.2]) for p in ("ph", "temperature", "conductivity")},
        [],
        [],
        {},
        span=(END - timedelta(days=1), END),
    )
    layout = figure.layout.to_plotly_json()
    axes = [key for key in layout if key.startswith("xaxis")]
    assert len(axes) == 3
    assert all(layout[axis].get("showticklabels") is True for axis in axes)
    assert "time in" in layout["xaxis3"]["title"]["text"]


def test_a_limit_far_above_low_nitrite_is_still_drawn() -> None:
    """Nitrite at 0 with the act limit at 0.5: the row reaches up to 0.5 and draws the line."""
    figure = trend_figure(
        {"nitrite": _series("nitrite", [0.0, 0.0, 0.0])},
        [],
        [],
        {},
        act={"nitrite": (None, 0.5)},
        span=(END - timedelta(days=1), END),
    )
    assert figure.layout.yaxis.range[1] > 0.5
    assert any(shape.type == "line" and shape.y0 == 0.5 for shape in figure.layout.shapes)


def test_a_limit_too_far_to_scale_is_named_at_the_edge() -> None:
    """pH 8.0 with an act limit at 6.0 keeps its scale and says 'act below 6' at the bottom."""
    figure = trend_figure(
        {"ph": _series("ph", [7.95, 8.0, 8.05])},
        [],
        [],
        {},
        act={"ph": (6.0, None)},
        span=(END - timedelta(days=1), END),
    )
    assert figure.layout.yaxis.range[0] > 7.0
    notes = [a.text for a in figure.layout.annotations if a.text.startswith("act below")]
    assert notes == ["act below 6 ↓"]


def test_the_nitrate_forecast_is_a_cone_to_the_limit() -> None:
    """A forecast draws a filled band and a dashed expected line, and the axis runs on to it."""
    start = END - timedelta(days=3)
    cone = Cone(
        "nitrate",
        40.0,
        END + timedelta(days=10),
        END + timedelta(days=7),
        END + timedelta(days=15),
        tuple(
            ForecastPoint(END + timedelta(days=d), 30 + d, 30 + d - 0.5 * d, 30 + d + 0.5 * d)
            for d in range(0, 16)
        ),
    )
    figure = trend_figure(
        {"nitrate": Series("nitrate", 0)},
        [],
        [],
        {},
        span=(start, END),
        cone=cone,
    )
    names = [trace.name for trace in figure.data]
    assert "forecast" in names and names.count("forecast band") == 2
    assert "tonexty" in [trace.fill for trace in figure.data]
    assert figure.layout.yaxis.range[1] >= 40.0
    shown_until = datetime.fromisoformat(figure.layout.xaxis.range[1])
    assert shown_until > END.replace(tzinfo=None), "the axis runs past now into the forecast"


def test_a_year_of_water_changes_draws_each_through_every_row_with_its_limits() -> None:
    """26 water changes over three rows: one line per event and row, on that row's axes, beside
    the limit line and the safe band of the row they belong to."""
    span = (END - timedelta(days=365), END)
    events = [_event("water-change", END - timedelta(days=14 * i + 1), 30) for i in range(26)]
    figure = trend_figure(
        {p: _series(p, [7.0, 7.1, 7.2]) for p in ("ph", "temperature", "conductivity")},
        [],
        events,
        {"temperature": (7.05, 7.3)},
        act={"temperature": (None, 7.15)},
        span=span,
    )
    lines = [s for s in figure.layout.shapes if s.type == "line" and s.x0 == s.x1]
    assert len(lines) == 26 * 3
    by_row = {(s.xref, s.yref) for s in lines}
    assert by_row == {("x", "y domain"), ("x2", "y2 domain"), ("x3", "y3 domain")}
    limit = [s for s in figure.layout.shapes if s.type == "line" and s.y0 == s.y1]
    assert [(s.xref, s.yref, s.y0) for s in limit] == [("x2 domain", "y2", 7.15)]
    assert [s.yref for s in figure.layout.shapes if s.type == "rect"] == ["y2"]
    labels = [a for a in figure.layout.annotations if a.name == "event-label"]
    assert labels and all(a.text == "water change 30 %" for a in labels)
