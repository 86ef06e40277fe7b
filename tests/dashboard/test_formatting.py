"""Presentation helpers: keeper text stays text, times and amounts read at a glance."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dashboard.formatting import age_text, plain, span_text, value_text


def test_plain_escapes_markdown_and_defeats_autolinks() -> None:
    """Links, emphasis, HTML and bare addresses in keeper text cannot become markup or links."""
    shown = plain("**x** [a](http://e.com) <b>y</b> www.e.com me@e.com")
    for raw in ("**x**", "[a](", "<b>", "://", "www.", "@e"):
        assert raw not in shown
    assert shown.replace("\\", "").replace("\u2060", "") == (
        "**x** [a](http://e.com) <b>y</b> www.e.com me@e.com"
    )


def test_ages_and_spans_pick_a_readable_unit() -> None:
    """Seconds, minutes, hours and days each where a keeper expects them."""
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert age_text(now - timedelta(seconds=30), now) == "30 s ago"
    assert span_text(20 * 60) == "20 min"
    assert span_text(5 * 3600) == "5 h"
    assert span_text(3 * 86400) == "3 d"


def test_values_carry_the_catalogue_unit_and_precision() -> None:
    """pH has no unit suffix; nitrate has one decimal and mg/L."""
    assert value_text("ph", 7.456) == "7.46"
    assert value_text("nitrate", 20) == "20.0 mg/L"
