"""The trends figure: one row per parameter on a shared time axis, built from db/trends series.

Bucketed series draw the mean with a min–max band, so spikes stay visible at any zoom; test-kit
results are markers on the same axes; maintenance events are labelled vertical lines
(dashboard/chart_events.py). Every row carries the time axis's labels, so a row read alone on a
phone still says when; rows without data are left out and named by the page instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, tzinfo

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard.chart_events import LANE_PX, event_marks
from dashboard.chart_series import TEST, draw_series, draw_tests, gap_breaks, row_title
from dashboard.formatting import unit
from dashboard.time_axis import local_times, zone_name
from db.maintenance import LoggedEvent
from db.manual import LoggedTest
from db.trends import Series
from health.verdict import Cone
from health.wording import num
from sensors.catalogue import PARAMETERS

__all__ = ["drawable", "gap_breaks", "local_times", "trend_figure", "y_range"]

ROW_PX = 170  # the plotting area of one row
GAP_PX = 88  # between rows: this row's time labels and the next row's title
TOP_PX = 40
BOTTOM_PX = 56  # the last row's time labels and the axis title
CONE = "rgba(194, 65, 12, 0.16)"
# A limit further from the data than this many data spans is not pulled into view (it would
# flatten the data into a line): it is named at the row's edge instead.
LIMIT_REACH = 3.0
SAFE = "rgba(46, 160, 67, 0.10)"
ACT = "#dc2626"


def y_range(
    parameter: str, values: list[float], edges: tuple[float | None, ...] = ()
) -> tuple[float, float] | None:
    """The row's y range: the data with a margin, never below 0 for a quantity that cannot be.

    A safe-band edge near the data is brought into view (nitrate at 40 shows where 25 is); a
    far one is not, or it would flatten the data into a line.
    """
    if not values:
        return None
    low, high = min(values), max(values)
    reach = (high - low) or abs(high) * 0.5
    for edge in edges:
        if edge is not None and low - reach <= edge <= high + reach:
            low, high = min(low, edge), max(high, edge)
    pad = max((high - low) * 0.08, abs(high) * 0.02, 0.02)
    bottom = low - pad
    info = PARAMETERS.get(parameter)
    if info is not None and info.minimum >= 0:
        bottom = max(0.0, bottom)
    return bottom, high + pad


def clipped_band(
    band: tuple[float | None, float | None], shown: tuple[float, float]
) -> tuple[float, float] | None:
    """The safe band cut to the visible range (an open side reaches the edge); None if unseen.

    Drawing it uncut would stretch the axis to the band's far edge and flatten the data.
    """
    low = shown[0] if band[0] is None else max(band[0], shown[0])
    high = shown[1] if band[1] is None else min(band[1], shown[1])
    return (low, high) if high > low else None


def drawable(
    series: dict[str, Series], tests: Sequence[LoggedTest], cone: Cone | None = None
) -> tuple[list[str], list[str]]:
    """SERIES' parameters split into those with something to draw and those with nothing."""
    tested = {t.parameter for t in tests}
    forecast = {cone.parameter} if cone is not None and cone.points else set()
    drawn = [p for p in series if len(series[p]) or p in tested or p in forecast]
    return drawn, [p for p in series if p not in drawn]


def trend_figure(
    series: dict[str, Series],
    tests: Sequence[LoggedTest],
    events: Sequence[LoggedEvent],
    bands: dict[str, tuple[float | None, float | None]],
    zone: tzinfo | None = None,
    act: dict[str, tuple[float | None, float | None]] | None = None,
    span: tuple[datetime, datetime] | None = None,
    cone: Cone | None = None,
) -> go.Figure:
    """The figure for SERIES' parameters that have data, in order, with tests, events, safe
    bands, act limits and the advisor's forecast CONE.

    BANDS are the profile's "ok" ranges (shaded); ACT its limits past which the keeper must act
    (dotted red lines, always shown: pulled into view, or named at the row's edge when far).
    SPAN fixes the time axis to the chosen range; a forecast extends it by up to half of it.
    """
    names, _empty = drawable(series, tests, cone)
    rows = max(1, len(names))
    area = rows * ROW_PX + (rows - 1) * GAP_PX
    figure = make_subplots(
        rows=rows,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=GAP_PX / area if rows > 1 else 0.0,
        subplot_titles=[row_title(series[name]) for name in names] or [""],
    )
    if span is None:
        span = _data_span(series, tests)
    shown_span = span
    # Limit lines, safe bands and far-limit notes go into the layout in one update at the end:
    # plotly's add_hline and add_annotation re-validate everything added before them.
    shapes: list[dict[str, object]] = []
    notes: list[dict[str, object]] = []
    for row, name in enumerate(names, start=1):
        values = draw_series(figure, series[name], row, zone)
        values += draw_tests(figure, [t for t in tests if t.parameter == name], row, zone)
        if cone is not None and cone.parameter == name and cone.points and span is not None:
            values += _draw_cone(figure, cone, row, zone, span)
            shown_span = (span[0], _cone_end(cone, span))
        band = bands.get(name)
        limits_to_act = (act or {}).get(name, (None, None))
        shown = y_range(name, values, (*(band or ()), *limits_to_act))
        if shown is None:
            continue
        shown = _with_limits(name, values, shown, limits_to_act)
        figure.update_yaxes(range=list(shown), row=row, col=1)
        suffix = "" if row == 1 else str(row)
        for edge in limits_to_act:
            if edge is None:
                continue
            if shown[0] < edge < shown[1]:
                shapes.append(
                    {
                        "type": "line",
                        "x0": 0,
                        "x1": 1,
                        "xref": f"x{suffix} domain",
                        "y0": edge,
                        "y1": edge,
                        "yref": f"y{suffix}",
                        "line": {"color": ACT, "dash": "dot", "width": 1},
                    }
                )
            else:
                notes.append(_far_limit_note(row, edge, shown, name))
        limits = clipped_band(band, shown) if band is not None else None
        if limits is not None:
            low, high = limits
            shapes.append(
                {
                    "type": "rect",
                    "x0": 0,
                    "x1": 1,
                    "xref": f"x{suffix} domain",
                    "y0": low,
                    "y1": high,
                    "yref": f"y{suffix}",
                    "fillcolor": SAFE,
                    "line": {"width": 0},
                    "layer": "below",
                }
            )
    marks = event_marks(events, span, zone, len(names)) if span is not None else None
    lanes = marks.lanes if marks is not None else 0
    figure.update_layout(
        shapes=[*shapes, *(marks.lines if marks is not None else [])],
        annotations=[
            *figure.layout.annotations,  # the row titles
            *notes,
            *(marks.labels if marks is not None else []),
        ],
        height=TOP_PX + lanes * LANE_PX + area + BOTTOM_PX,
        margin={"l": 10, "r": 10, "t": TOP_PX + lanes * LANE_PX, "b": BOTTOM_PX},
        showlegend=False,
        hovermode="x unified",
        plot_bgcolor="white",
    )
    # Time labels on every row (shared_xaxes shows them on the last one only).
    figure.update_xaxes(
        showgrid=True, gridcolor="#eee", hoverformat="%Y-%m-%d %H:%M", showticklabels=True
    )
    figure.update_xaxes(title_text=f"time in {zone_name(zone)}", row=rows, col=1)
    if shown_span is not None:
        edges = local_times([shown_span[0].timestamp(), shown_span[1].timestamp()], zone)
        figure.update_xaxes(range=[edges[0].isoformat(), edges[1].isoformat()])
    figure.update_yaxes(showgrid=True, gridcolor="#eee", zeroline=False)
    return figure


def _data_span(
    series: dict[str, Series], tests: Sequence[LoggedTest]
) -> tuple[datetime, datetime] | None:
    """The time the data cover, when the caller fixed no range."""
    epochs = [t for s in series.values() for _, line in s.lines() for t in line.times]
    epochs += [t.time.timestamp() for t in tests]
    if not epochs:
        return None
    return datetime.fromtimestamp(min(epochs), UTC), datetime.fromtimestamp(max(epochs), UTC)


def _with_limits(
    parameter: str, values: list[float], shown: tuple[float, float], edges: tuple[float | None, ...]
) -> tuple[float, float]:
    """SHOWN widened to take in the act limits within LIMIT_REACH data spans of the data."""
    if not values:
        return shown
    low, high = min(values), max(values)
    reach = LIMIT_REACH * max(high - low, abs(high) * 0.02)
    info = PARAMETERS.get(parameter)
    from_zero = info is not None and info.minimum >= 0
    bottom, top = shown
    for edge in edges:
        if edge is None or bottom < edge < top:
            continue
        # A row that starts at 0 (nitrite, nitrate) always reaches up to its limit: how far
        # below it the water is, is what the keeper reads there.
        if low - reach <= edge <= high + reach or (from_zero and edge > high):
            pad = (max(top, edge) - min(bottom, edge)) * 0.06
            bottom, top = min(bottom, edge - pad), max(top, edge + pad)
    if from_zero:
        bottom = max(0.0, bottom)
    return bottom, top


def _far_limit_note(
    row: int, edge: float, shown: tuple[float, float], parameter: str
) -> dict[str, object]:
    """A limit too far to draw to scale: its value at the row's top or bottom edge."""
    above = edge >= shown[1]
    axis = "y" if row == 1 else f"y{row}"
    return {
        "text": f"act {'above' if above else 'below'} {num(edge)} {unit(parameter)} "
        f"{'↑' if above else '↓'}".replace("  ", " "),
        "xref": "paper",
        "x": 1.0,
        "xanchor": "right",
        "yref": axis,
        "y": shown[1] if above else shown[0],
        "yanchor": "top" if above else "bottom",
        "showarrow": False,
        "font": {"size": 10, "color": ACT},
        "name": "far-limit",
    }


def _cone_end(cone: Cone, span: tuple[datetime, datetime]) -> datetime:
    """Where the time axis ends with a forecast: its last point, at most half the range on."""
    last = max(p.time for p in cone.points)
    limit = span[1] + (span[1] - span[0]) / 2
    return max(span[1], min(last + timedelta(hours=12), limit))


def _draw_cone(
    figure: go.Figure,
    cone: Cone,
    row: int,
    zone: tzinfo | None,
    span: tuple[datetime, datetime],
) -> list[float]:
    """The forecast: the band the kit and scatter allow, filled, and the expected level dashed."""
    points = sorted(cone.points, key=lambda p: p.time)
    times = local_times([p.time.timestamp() for p in points], zone)
    decimals = PARAMETERS[cone.parameter].decimals if cone.parameter in PARAMETERS else 1
    shown = unit(cone.parameter)
    for values, fill in (([p.low for p in points], None), ([p.high for p in points], "tonexty")):
        figure.add_trace(
            go.Scatter(
                x=times,
                y=values,
                mode="lines",
                line={"width": 0.5, "color": TEST},
                fill=fill,
                fillcolor=CONE,
                hoverinfo="skip",
                name="forecast band",
            ),
            row=row,
            col=1,
        )
    figure.add_trace(
        go.Scatter(
            x=times,
            y=[p.expected for p in points],
            mode="lines",
            line={"color": TEST, "dash": "dash", "width": 1.5},
            name="forecast",
            hovertemplate=f"forecast %{{y:.{decimals}f}} {shown}<extra></extra>",
        ),
        row=row,
        col=1,
    )
    # Where the cone leaves the chart matters less than where it meets the limit: keep the
    # levels up to the limit in view, not the far end of a months-long forecast.
    end = _cone_end(cone, span)
    within = [p for p in points if p.time <= end]
    return [v for p in within for v in (p.low, p.high)] + [cone.limit]
