"""Maintenance events on the trends figure: a line through every row and a label that never
overlaps another (labels stagger into lanes above the chart, and flip left at the right edge)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

from dashboard.time_axis import local_times
from db.maintenance import LoggedEvent

EVENT_STYLE = {
    "water-change": ("#2563eb", "dash"),
    "gravel-clean": ("#7c3aed", "dot"),
    "filter-clean": ("#7c3aed", "dashdot"),
}
EVENT_LABEL = {"water-change": "water change", "gravel-clean": "gravel", "filter-clean": "filter"}
# Labels are laid out for a plot this wide or wider (a laptop's Streamlit column is 700-1100 px);
# on a narrower screen the lanes are still apart, the labels just sit closer.
PLOT_WIDTH_PX = 640
CHAR_PX = 6.2  # a 10 px font's average character width
LABEL_GAP_PX = 8
LANE_PX = 18  # a 10 px label is 15-16 px tall with its padding
MAX_LANES = 4  # more would push the chart down; later labels then show on hover only
FIRST_LANE_PX = 24  # above the first row's title


@dataclass(frozen=True)
class PlacedLabel:
    """Where an event's label goes: its lane (0 nearest the chart) and which side of the line."""

    event: LoggedEvent
    text: str
    lane: int | None  # None: no room, hover only
    right_aligned: bool


def event_text(event: LoggedEvent) -> str:
    """'water change 30 %', 'gravel'."""
    text = EVENT_LABEL.get(event.kind, event.kind)
    return f"{text} {event.percent:g} %" if event.percent else text


def place_labels(
    events: Sequence[LoggedEvent], span: tuple[datetime, datetime]
) -> list[PlacedLabel]:
    """Stagger the labels of EVENTS (within SPAN) into lanes so no two overlap at PLOT_WIDTH_PX."""
    start, end = span[0].timestamp(), span[1].timestamp()
    width_s = max(end - start, 1.0)
    px_per_s = PLOT_WIDTH_PX / width_s
    lanes: list[float] = []  # per lane, the right edge (px) of its last label
    placed = []
    for event in sorted(events, key=lambda e: e.time):
        text = event_text(event)
        at_px = (event.time.timestamp() - start) * px_per_s
        size = len(text) * CHAR_PX
        right_aligned = at_px + size > PLOT_WIDTH_PX  # would clip at the right edge
        left = at_px - size if right_aligned else at_px
        lane = next((i for i, edge in enumerate(lanes) if edge + LABEL_GAP_PX <= left), None)
        if lane is None and len(lanes) < MAX_LANES:
            lanes.append(-1e9)
            lane = len(lanes) - 1
        if lane is not None:
            lanes[lane] = left + size
        placed.append(PlacedLabel(event, text, lane, right_aligned))
    return placed


def lanes_used(placed: Sequence[PlacedLabel]) -> int:
    """How many lanes of labels sit above the chart."""
    return max((p.lane + 1 for p in placed if p.lane is not None), default=0)


@dataclass
class EventMarks:
    """Layout shapes (a line per event and row) and annotations (the labels) for the events."""

    lines: list[dict[str, object]]
    labels: list[dict[str, object]]
    lanes: int  # lanes of labels above the chart: the caller makes room for them


def event_marks(
    events: Sequence[LoggedEvent],
    span: tuple[datetime, datetime],
    zone: tzinfo | None,
    rows: int,
) -> EventMarks:
    """Lines through ROWS rows and labels for EVENTS, as layout dicts.

    Dicts the caller adds in one layout update: plotly's add_vline re-validates every shape
    already in the figure, so a year of water changes over eight rows took half a minute.
    """
    marks = EventMarks([], [], 0)
    shown = [e for e in events if e.kind in EVENT_STYLE and span[0] <= e.time <= span[1]]
    if not shown:
        return marks
    placed = place_labels(shown, span)
    moments = local_times([p.event.time.timestamp() for p in placed], zone)
    for label, moment in zip(placed, moments, strict=True):
        color, dash = EVENT_STYLE[label.event.kind]
        x = moment.isoformat()
        for row in range(1, rows + 1):
            suffix = "" if row == 1 else str(row)
            marks.lines.append(
                {
                    "type": "line",
                    "x0": x,
                    "x1": x,
                    "xref": f"x{suffix}",
                    "y0": 0,
                    "y1": 1,
                    "yref": f"y{suffix} domain",
                    "line": {"color": color, "dash": dash, "width": 1},
                }
            )
        if label.lane is None:
            continue
        marks.labels.append(
            {
                "x": x,
                "y": 1.0,
                "xref": "x",
                "yref": "paper",
                "text": label.text,
                "showarrow": False,
                "xanchor": "right" if label.right_aligned else "left",
                "yanchor": "bottom",
                "yshift": FIRST_LANE_PX + LANE_PX * label.lane,
                "font": {"size": 10, "color": color},
                "name": "event-label",
            }
        )
    marks.lanes = lanes_used(placed)
    return marks
