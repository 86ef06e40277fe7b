"""The trends figure: one row per parameter on a shared time axis, built from db/trends series.

Bucketed series draw the mean with a min–max band, so spikes stay visible at any zoom; test-kit
results are markers on the same axes; maintenance events are labelled vertical lines.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import datetime, tzinfo
from itertools import pairwise

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard.formatting import label, label_with_unit, server_zone, unit
from db.maintenance import LoggedEvent
from db.manual import LoggedTest
from db.trends import Series
from sensors.catalogue import PARAMETERS

ROW_HEIGHT = 210
LINE = "#0e7c86"
BAND = "rgba(14, 124, 134, 0.22)"
EDGE = "rgba(14, 124, 134, 0.45)"
SAFE = "rgba(46, 160, 67, 0.10)"
TEST = "#c2410c"
ACT = "#dc2626"
EVENT_STYLE = {
    "water-change": ("#2563eb", "dash"),
    "gravel-clean": ("#7c3aed", "dot"),
    "filter-clean": ("#7c3aed", "dashdot"),
}
EVENT_LABEL = {"water-change": "water change", "gravel-clean": "gravel", "filter-clean": "filter"}


def local_times(epochs: Sequence[float], zone: tzinfo | None) -> pd.DatetimeIndex:
    """Epoch seconds as wall-clock times in ZONE (naive, so plotly shows them as they are)."""
    stamps = pd.to_datetime(pd.Series(epochs, dtype="float64"), unit="s", utc=True)
    return pd.DatetimeIndex(stamps.dt.tz_convert(zone or server_zone()).dt.tz_localize(None))


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


def trend_figure(
    series: dict[str, Series],
    tests: Sequence[LoggedTest],
    events: Sequence[LoggedEvent],
    bands: dict[str, tuple[float | None, float | None]],
    zone: tzinfo | None = None,
    act: dict[str, tuple[float | None, float | None]] | None = None,
    span: tuple[datetime, datetime] | None = None,
) -> go.Figure:
    """The figure for SERIES' parameters in order, with tests, events, safe bands and act lines.

    BANDS are the profile's "ok" ranges (shaded); ACT its limits past which the keeper must act
    (dotted red lines). SPAN fixes the time axis to the chosen range even where data is missing.
    """
    names = list(series)
    figure = make_subplots(
        rows=max(1, len(names)),
        cols=1,
        shared_xaxes=True,
        vertical_spacing=min(0.08, 0.3 / max(1, len(names))),
        subplot_titles=[label_with_unit(name) for name in names] or [""],
    )
    for row, name in enumerate(names, start=1):
        values = _draw_series(figure, series[name], row, zone)
        values += _draw_tests(figure, [t for t in tests if t.parameter == name], row, zone)
        band = bands.get(name)
        limits_to_act = (act or {}).get(name, (None, None))
        shown = y_range(name, values, (*(band or ()), *limits_to_act))
        if shown is None:  # say so, rather than leave an empty frame the keeper must puzzle over
            # Paper coordinates: Streamlit's plotly.js drops annotations on "y domain" refs.
            bottom, top = figure.layout[f"yaxis{'' if row == 1 else row}"].domain
            figure.add_annotation(
                text="No readings or test results in this range: widen it, or log a test",
                xref="paper",
                yref="paper",
                x=0.5,
                y=(bottom + top) / 2,
                showarrow=False,
                font={"color": "#666"},
            )
            figure.update_yaxes(showticklabels=False, showgrid=False, row=row, col=1)
            continue
        figure.update_yaxes(range=list(shown), row=row, col=1)
        for edge in limits_to_act:
            if edge is not None and shown[0] < edge < shown[1]:
                figure.add_hline(
                    y=edge, row=row, col=1, line_color=ACT, line_dash="dot", line_width=1
                )
        limits = clipped_band(band, shown) if band is not None else None
        if limits is not None:
            low, high = limits
            figure.add_hrect(
                y0=low, y1=high, row=row, col=1, fillcolor=SAFE, line_width=0, layer="below"
            )
    _draw_events(figure, events, zone)
    figure.update_layout(
        height=ROW_HEIGHT * max(1, len(names)) + 60,
        margin={"l": 10, "r": 10, "t": 64 if events else 40, "b": 10},
        showlegend=False,
        hovermode="x unified",
        plot_bgcolor="white",
    )
    figure.update_xaxes(showgrid=True, gridcolor="#eee", hoverformat="%Y-%m-%d %H:%M")
    if span is not None:
        edges = local_times([span[0].timestamp(), span[1].timestamp()], zone)
        figure.update_xaxes(range=[edges[0].isoformat(), edges[1].isoformat()])
    figure.update_yaxes(showgrid=True, gridcolor="#eee", zeroline=False)
    return figure


SPARSE_POINTS = 50


def _draw_series(figure: go.Figure, series: Series, row: int, zone: tzinfo | None) -> list[float]:
    if not len(series):
        return []
    frame = _series_frame(series, zone)
    decimals = PARAMETERS[series.parameter].decimals if series.parameter in PARAMETERS else 2
    shown = unit(series.parameter)
    if series.bucket_s:
        for column, fill in (("low", None), ("high", "tonexty")):
            figure.add_trace(
                go.Scatter(
                    x=frame["time"],
                    y=frame[column],
                    mode="lines",
                    # A hairline, not 0: a one-bucket spike narrower than a pixel still draws.
                    line={"width": 0.6, "color": EDGE},
                    fill=fill,
                    fillcolor=BAND,
                    hoverinfo="skip",
                    connectgaps=False,
                ),
                row=row,
                col=1,
            )
        template = (
            f"mean %{{y:.{decimals}f}} {shown} (min %{{customdata[0]:.{decimals}f}}, "
            f"max %{{customdata[1]:.{decimals}f}}, %{{customdata[2]}} readings)<extra></extra>"
        )
        custom = frame[["low", "high", "n"]].to_numpy()
    else:
        template = f"%{{y:.{decimals}f}} {shown}<extra></extra>"
        custom = None
    # A line needs two neighbours: sparse readings (a probe reporting hourly, a few manual
    # publishes) would otherwise be invisible, so they get markers too.
    sparse = len(series) < SPARSE_POINTS
    figure.add_trace(
        go.Scatter(
            x=frame["time"],
            y=frame["mean"],
            mode="lines+markers" if sparse else "lines",
            marker={"size": 5, "color": LINE},
            line={"color": LINE, "width": 1.5},
            name=label(series.parameter),
            customdata=custom,
            hovertemplate=template,
            connectgaps=False,
        ),
        row=row,
        col=1,
    )
    return [*series.low, *series.high]


def _draw_tests(
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


def _draw_events(figure: go.Figure, events: Sequence[LoggedEvent], zone: tzinfo | None) -> None:
    shown = [e for e in events if e.kind in EVENT_STYLE]
    if not shown:
        return
    moments = local_times([e.time.timestamp() for e in shown], zone)
    for event, moment in zip(shown, moments, strict=True):
        color, dash = EVENT_STYLE[event.kind]
        text = EVENT_LABEL[event.kind]
        if event.percent:
            text += f" {event.percent:g} %"
        figure.add_vline(
            x=moment.isoformat(), line_color=color, line_dash=dash, line_width=1, row="all", col=1
        )
        figure.add_annotation(
            x=moment.isoformat(),
            y=1.0,
            xref="x",
            yref="paper",
            text=text,
            showarrow=False,
            yanchor="bottom",
            yshift=22,  # above the first row's title
            font={"size": 10, "color": color},
            textangle=0,
        )
