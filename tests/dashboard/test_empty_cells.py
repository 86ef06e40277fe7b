"""Tables a keeper reads: empty cells stay empty, numbers carry their parameter's precision."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from db.manual import list_tests, log_tests
from sensors.keeper_input import TestResult
from tests.dashboard.conftest import PAGES, open_page
from tests.dashboard.seed import TANK


@pytest.mark.parametrize("page", PAGES)
def test_every_table_shows_a_missing_value_as_an_empty_cell(seeded: Engine, page: str) -> None:
    """Each table and editor on each page is told to draw a missing value as nothing."""
    app = open_page(page)
    assert not app.exception, app.exception
    tables = list(app.dataframe)  # st.dataframe and st.data_editor alike
    if page in ("logbook", "maintenance", "tanks", "sensors"):
        assert tables, f"the seeded {page} page shows a table"
    for table in tables:
        assert table.proto.HasField("placeholder") and table.proto.placeholder == "", page


def test_the_logbook_table_shows_ph_to_two_decimals(seeded: Engine) -> None:
    """A pH of 8 typed in the logbook reads "8.00" in its editable table, a nitrate "18"."""
    log_tests(seeded, TANK, [TestResult("ph", 8.0)], at=datetime.now(UTC) - timedelta(hours=1))
    app = open_page("logbook")
    assert not app.exception, app.exception
    frames = [e.value for e in app.dataframe if "stored" in e.value.columns]
    assert frames, "the logbook's editable table is shown"
    shown = frames[0]
    ph = shown[shown["parameter"] == "ph"]["value"].tolist()
    assert ph == ["8.00"]
    assert next(t for t in list_tests(seeded, TANK) if t.parameter == "ph").value == 8.0
