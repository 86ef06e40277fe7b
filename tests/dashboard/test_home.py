"""The home grid: every tank at a glance, most urgent first, in one query; ?tank= in the URL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, event
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import PageLink

from alerts.engine import AlertEngine
from alerts.evaluator import Evaluator
from alerts.verdict_recorder import VerdictRecorder
from db.bulk import bulk_insert_readings
from db.home import tank_summaries
from db.manual import TestResult as KitResult
from db.manual import log_tests
from db.readings import reading_series
from db.tanks import add_tank, list_tanks
from tests.dashboard.conftest import open_page


def _links(app: AppTest) -> list[PageLink]:
    """The page links on the page, in order (the tank cards' names)."""
    return [link for link in app.get("page_link") if isinstance(link, PageLink)]


CALM = {"nitrate": 10.0, "nitrite": 0.0, "ammonia": 0.0, "ph": 7.4, "kh": 5.0}


def _three_tanks(engine: Engine, now: datetime) -> None:
    """'alpha' and 'gamma' are calm; 'beta' has 2 mg/L nitrite, which fires at once."""
    for name in ("alpha", "beta", "gamma"):
        add_tank(engine, name, volume_l=100.0)
        results = dict(CALM, nitrite=2.0) if name == "beta" else CALM
        log_tests(
            engine,
            name,
            [KitResult(p, v) for p, v in results.items()],
            at=now - timedelta(hours=2),
        )
        rows = [(float(t), 25.0) for t in range(int(now.timestamp()) - 3600, int(now.timestamp()))]
        bulk_insert_readings(engine, name, "temperature", rows[::60])
    engine_ = AlertEngine(engine, Evaluator(engine), [VerdictRecorder(engine)])
    engine_.run_once(now)


def test_the_firing_tank_is_first_and_red(dashboard_engine: Engine) -> None:
    """Of three tanks, the one with a firing alert leads the grid, marked red, naming the alert."""
    now = datetime.now(UTC)
    _three_tanks(dashboard_engine, now)
    summaries = {s.name: s for s in tank_summaries(dashboard_engine, now)}
    assert summaries["beta"].firing >= 1
    assert summaries["alpha"].firing == 0 and summaries["alpha"].status is not None
    app = open_page("home", tank=None)
    assert not app.exception, app.exception
    links = [str(link.label) for link in _links(app)]
    assert links[0] == "**beta**", links
    assert set(links) == {"**alpha**", "**beta**", "**gamma**"}
    badges = [str(m.value) for m in app.markdown if "-badge[" in str(m.value)]
    assert badges[0].startswith(":red-badge["), badges
    assert any("Nitrite high" in str(m.value) for m in app.markdown)
    assert "1 of 3 tanks need action now" in str(app.error[0].value)


def test_one_tank_is_spoken_of_as_the_tank(dashboard_engine: Engine) -> None:
    """A single calm tank reads 'The tank is fine.', not 'All 1 tanks are fine.'."""
    now = datetime.now(UTC)
    add_tank(dashboard_engine, "solo", volume_l=100.0)
    log_tests(
        dashboard_engine,
        "solo",
        [KitResult(p, v) for p, v in CALM.items()],
        at=now - timedelta(hours=2),
    )
    AlertEngine(
        dashboard_engine, Evaluator(dashboard_engine), [VerdictRecorder(dashboard_engine)]
    ).run_once(now)
    app = open_page("home", tank=None)
    assert not app.exception, app.exception
    said = [str(s.value) for s in app.success] + [str(w.value) for w in app.warning]
    assert said and said[0].startswith("The tank "), said
    assert not any("1 tanks" in text for text in said), said


def test_the_grid_costs_one_query_for_two_hundred_tanks(dashboard_engine: Engine) -> None:
    """tank_summaries answers for 200 tanks in one SQL statement, not one per tank."""
    now = datetime.now(UTC)
    for index in range(200):
        add_tank(dashboard_engine, f"tank-{index:03d}")
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    event.listen(dashboard_engine, "before_cursor_execute", count)
    try:
        found = tank_summaries(dashboard_engine, now)
    finally:
        event.remove(dashboard_engine, "before_cursor_execute", count)
    assert len(found) == 200
    assert len(statements) == 1, statements


def test_a_card_opens_its_tank_through_the_url(dashboard_engine: Engine) -> None:
    """Each card links to the overview with ?tank=NAME, and that URL opens that tank."""
    now = datetime.now(UTC)
    _three_tanks(dashboard_engine, now)
    home = open_page("home", tank=None)
    link = next(link for link in _links(home) if str(link.label) == "**gamma**")
    assert link.proto.query_string == "tank=gamma"
    app = open_page("overview", tank=None, url_tank="gamma")
    assert not app.exception, app.exception
    assert app.title[0].value.endswith("gamma")
    assert app.query_params["tank"] == "gamma"


def test_a_near_miss_in_the_url_says_did_you_mean(dashboard_engine: Engine) -> None:
    """?tank=Gama names the tank it probably meant instead of silently showing another."""
    now = datetime.now(UTC)
    _three_tanks(dashboard_engine, now)
    app = open_page("overview", tank=None, url_tank="gama")
    assert any("did you mean 'gamma'?" in str(w.value) for w in app.warning)


def test_the_demo_never_hides_a_real_tank(dashboard_engine: Engine) -> None:
    """With a simulated tank named first, a fresh session opens the real tank, not the demo."""
    add_tank(dashboard_engine, "aaa-demo", simulated=True)
    add_tank(dashboard_engine, "turtles")
    app = open_page("overview", tank=None)
    assert app.title[0].value.endswith("turtles")


def test_alerts_page_lists_every_tanks_alerts_by_default(dashboard_engine: Engine) -> None:
    """With 'alpha' chosen, beta's firing alert is still listed, naming beta, titled in words."""
    now = datetime.now(UTC)
    _three_tanks(dashboard_engine, now)
    app = open_page("alerts", tank="alpha")
    assert not app.exception, app.exception
    described = [str(m.value) for m in app.markdown if "Nitrite high" in str(m.value)]
    assert len(described) == 1, [str(m.value) for m in app.markdown]
    assert described[0].startswith("**beta** · **Nitrite high**")
    assert "`nitrite_high`" in described[0]  # the code, small, for `aquarium alerts ack`
    app.toggle[0].set_value(True).run()
    assert not [m for m in app.markdown if "Nitrite high" in str(m.value)]


def test_the_page_offers_to_remove_the_demo_once_a_real_tank_exists(
    dashboard_engine: Engine,
) -> None:
    """With the demo and a real tank, one click removes the demo's history and nothing else."""
    now = datetime.now(UTC)
    add_tank(dashboard_engine, "demo", simulated=True)
    bulk_insert_readings(dashboard_engine, "demo", "ph", [(now.timestamp() - 60, 7.2)])
    app = open_page("home", tank=None)
    assert not [b for b in app.button if b.key == "demo-remove"], "no offer with only the demo"
    _three_tanks(dashboard_engine, now)
    app = open_page("home", tank=None)
    next(b for b in app.button if b.key == "demo-remove").click().run()
    assert not app.exception, app.exception
    assert [t.name for t in list_tanks(dashboard_engine, include_archived=True)] == [
        "alpha",
        "beta",
        "gamma",
    ]
    assert "removed with its history" in str(app.success[0].value)
    assert "**demo**" not in [str(link.label) for link in _links(app)]


def test_archiving_the_demo_keeps_its_history(dashboard_engine: Engine) -> None:
    """'Archive it' hides the demo from the grid but keeps its readings."""
    now = datetime.now(UTC)
    add_tank(dashboard_engine, "demo", simulated=True)
    bulk_insert_readings(dashboard_engine, "demo", "ph", [(now.timestamp() - 60, 7.2)])
    add_tank(dashboard_engine, "turtles")
    app = open_page("home", tank=None)
    next(b for b in app.button if b.key == "demo-archive").click().run()
    assert [str(link.label) for link in _links(app)] == ["**turtles**"]
    assert [t.name for t in list_tanks(dashboard_engine, include_archived=True)] == [
        "demo",
        "turtles",
    ]
    assert reading_series(dashboard_engine, "demo", "ph", now - timedelta(hours=1))


def test_a_card_words_the_due_window_as_the_banner_does() -> None:
    """A 'soon' card says 'due between 12 and 16 Dec, most likely 14 Dec', the banner's words,
    and an 'ok' card the headline's 'next change due ...' (the home page and advise agree)."""
    from datetime import date

    from dashboard.tank_cards import status_detail
    from db.home import TankSummary
    from health.summary import headline
    from health.verdict import Status, Verdict

    def day(d: int) -> datetime:
        return datetime(2026, 12, d, tzinfo=UTC)

    today = date(2026, 12, 1)
    cases: tuple[tuple[Status, str], ...] = (("soon", ""), ("ok", "next change "))
    for status, prefix in cases:
        card = TankSummary(
            "t",
            False,
            status,
            day(1),
            day(14),
            day(12),
            day(16),
            40 if status == "soon" else None,
            "",
            None,
            None,
            None,
            0,
            0,
            (),
            1,
            0,
            None,
        )
        verdict = Verdict(
            "t", day(1), status, date(2026, 12, 14), card.change_percent, None, None,
            due_earliest=date(2026, 12, 12), due_latest=date(2026, 12, 16), today=today,
        )  # fmt: skip
        words = f"{prefix}due between 12 and 16 Dec, most likely 14 Dec"
        assert status_detail(card, today).startswith(words)
        assert words in headline(verdict)
    assert status_detail(card, date(2026, 12, 14)) == "next change due today"
