"""A database failure on a page is the error tree's one line with its fix, not a traceback."""

from __future__ import annotations

from sqlalchemy import Engine, text

from tests.dashboard.conftest import open_page


def test_a_missing_table_on_a_page_is_one_line_with_the_fix(seeded: Engine) -> None:
    """The logbook page over a database without its table says which table and what to check."""
    with seeded.begin() as conn:
        conn.execute(text("DROP TABLE manual_tests"))
    app = open_page("logbook")
    assert not app.exception
    [error] = [e.value for e in app.error]
    assert "lacks the table manual_tests" in error and "AQUARIUM_DB_URL" in error
    assert "\n" not in error
