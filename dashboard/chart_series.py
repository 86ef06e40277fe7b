"""How one parameter's data is drawn on its row: sensor lines with their min-max bands, broken
at gaps, and test-kit results as markers (dashboard/charts.py assembles the rows)."""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import tzinfo
from itertools import pairwise

import pandas as pd
import plotly.graph_objects as go

from dashboard.formatting import label, label_with_unit, unit
from dashboard.time_axis import local_times
from db.manual import LoggedTest
from db.trends import Series
from sensors.catalogue import PARAMETERS

__all__ = ["TEST", "draw_series", "draw_tests", "gap_breaks", "row_title"]

LINE = "#0e7c86"
BAND = "rgba(14, 124, 134, 0.22)"
EDGE = "rgba(14, 124, 134, 0.45)"
TEST = "#c2410c"
# Several sensors of one parameter: one line each, the first (the primary) in the usual colour.
SENSOR_COLOURS = ("#0e7c86", "#7c3aed", "#2563eb", "#be185d", "#4d7c0f")


def gap_breaks(epochs: Sequence[float], bucket_s: int) -> list[int]:
    """Indexes before which a gap is long enough that the line should break, not bridge it."""
    if len(epochs) < 2:
        return []
    steps = [b - a for a, b in pairwise(epochs)]
    if bucket_s:
        limit = 1.5 * bucket_s
    else:
        ordered = sorted(steps)
        limit = max(5 * ordered[len(ordered) // 2], 600.0)
    return [i + 1 for i, step in enumerate(steps) if step > limit]


def _broken(frame: pd.DataFrame, breaks: list[int]) -> pd.DataFrame:
    """FRAME with an empty row at each break (plotly leaves a gap at a missing value)."""
    if not breaks:
        return frame
    pieces, start = [], 0
    for index in breaks:
        pieces.append(frame.iloc[start:index])
        pieces.append(pd.DataFrame({"time": [frame["time"].iloc[index - 1]]}))
        start = index
    pieces.append(frame.iloc[start:])
    return pd.concat(pieces, ignore_index=True)


def _series_frame(series: Series, zone: tzinfo | None) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "time": local_times(series.times, zone),
            "mean": series.mean,
            "low": series.low,
            "high": series.high,
            "n": series.counts,
        }
    )
    return _broken(frame, gap_breaks(series.times, series.bucket_s))


SPARSE_POINTS = 50


def _faded(colour: str, alpha: float) -> str:
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red}, {green}, {blue}, {alpha})"


def row_title(series: Series) -> str:
    """The row's title; with several sensors, each one's label in its line's colour."""
    title = label_with_unit(series.parameter)
    names = [name for name, _ in series.lines() if name is not None]
    if not names:
        return title
    keys = [
        f'<span style="color:{SENSOR_COLOURS[i % len(SENSOR_COLOURS)]}">'
        f"\u2501 {html.escape(name)}</span>"
        for i, name in enumerate(names)
    ]
    return f"{title}   {'  '.join(keys)}"


def draw_series(figure: go.Figure, series: Series, row: int, zone: tzinfo | None) -> list[float]:
    values: list[float] = []
    for i, (name, line) in enumerate(series.lines()):
        colour = SENSOR_COLOURS[i % len(SENSOR_COLOURS)]
        values += _draw_line(figure, line, row, zone, name, colour)
    return values


def _draw_line(
    figure: go.Figure,
    series: Series,
    row: int,
    zone: tzinfo | None,
    name: str | None,
    colour: str,
) -> list[float]:
    if not len(series):
        return []
    band, edge = (BAND, EDGE) if colour == LINE else (_faded(colour, 0.18), _faded(colour, 0.4))
    frame = _series_frame(series, zone)
    decimals = PARAMETERS[series.parameter].decimals if series.parameter in PARAMETERS else 2
    shown = unit(series.parameter)
    who = f"{html.escape(name)}: " if name else ""
    if series.bucket_s:
        for column, fill in (("low", None), ("high", "tonexty")):
            figure.add_trace(
                go.Scatter(
                    x=frame["time"],
                    y=frame[column],
                    mode="lines",
                    # A hairline, not 0: a one-bucket spike narrower than a pixel still draws.
                    line={"width": 0.6, "color": edge},
                    fill=fill,
                    fillcolor=band,
                    hoverinfo="skip",
                    connectgaps=False,
                ),
                row=row,
                col=1,
            )
        template = (
            f"{who}mean %{{y:.{decimals}f}} {shown} (min %{{customdata[0]:.{decimals}f}}, "
            f"max %{{customdata[1]:.{decimals}f}}, %{{customdata[2]}} readings)<extra></extra>"
        )
        custom = frame[["low", "high", "n"]].to_numpy()
    else:
        template = f"{who}%{{y:.{decimals}f}} {shown}<extra></extra>"
        custom = None
    # A line needs two neighbours: sparse readings (a probe reporting hourly, a few manual
    # publishes) would otherwise be invisible, so they get markers too.
    sparse = len(series) < SPARSE_POINTS
    figure.add_trace(
        go.Scatter(
            x=frame["time"],
            y=frame["mean"],
            mode="lines+markers" if sparse else "lines",
            marker={"size": 5, "color": colour},
            line={"color": colour, "width": 1.5},
            name=name or label(series.parameter),
            customdata=custom,
            hovertemplate=template,
            connectgaps=False,
        ),
        row=row,
        col=1,
    )
    return [*series.low, *series.high]


def draw_tests(
    figure: go.Figure, tests: Sequence[LoggedTest], row: int, zone: tzinfo | None
) -> list[float]:
    if not tests:
        return []
    shown = unit(tests[0].parameter)
    texts = []
    for test in tests:
        typed = (
            f" (entered {test.entered_value:g} {html.escape(test.entered_unit or '')})"
            if test.entered_value is not None and test.entered_unit
            else ""
        )
        note = f"<br>{html.escape(test.note[:80])}" if test.note else ""
        texts.append(f"test kit: {test.value:g} {shown}{typed}{note}")
    figure.add_trace(
        go.Scatter(
            x=local_times([t.time.timestamp() for t in tests], zone),
            y=[t.value for t in tests],
            mode="markers",
            marker={"symbol": "diamond", "size": 10, "color": TEST, "line": {"width": 1}},
            cliponaxis=False,  # a result of 0 sits on the axis: draw all of it
            text=texts,
            hovertemplate="%{text}<extra></extra>",
            name="test kit",
        ),
        row=row,
        col=1,
    )
    return [t.value for t in tests]
