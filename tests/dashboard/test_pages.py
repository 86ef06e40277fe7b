"""Every page renders on an empty and on a seeded database, and its main actions work."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from db.alerts_queries import OPEN_STATES, list_alerts
from db.engine import open_engine
from db.maintenance import list_events
from db.tanks import get_tank, list_tanks
from tests.dashboard.conftest import PAGES, open_page
from tests.dashboard.seed import HOSTILE_NOTE, TANK


def _markdown(app: object) -> str:
    """Everything the page wrote through markdown (st.text is plain text and left out)."""
    parts = []
    for kind in ("markdown", "caption", "error", "warning", "info", "success", "title"):
        parts += [str(element.value) for element in getattr(app, kind)]
    return "\n".join(parts)


@pytest.mark.parametrize("page", PAGES)
def test_each_page_renders_on_an_empty_database(dashboard_url: str, page: str) -> None:
    """With no tanks at all, a page explains what to do instead of failing."""
    app = open_page(page, tank=None)
    assert not app.exception, app.exception
    assert not app.error


@pytest.mark.parametrize("page", PAGES)
def test_each_page_renders_on_a_seeded_database(seeded: Engine, page: str) -> None:
    """With a tank full of data, a page renders without an exception or an error message."""
    app = open_page(page)
    assert not app.exception, app.exception
    # The seeded tank has a firing alert: the overview and the home grid say so in red.
    expected = ("Alert", "need action now", "needs action now")
    unexpected = [e.value for e in app.error if not any(w in str(e.value) for w in expected)]
    assert not unexpected


def test_overview_shows_a_card_per_parameter_and_greys_the_quiet_sensor(seeded: Engine) -> None:
    """Each stored parameter gets a metric; the sensor silent for three hours says so."""
    app = open_page("overview")
    labels = {str(metric.label) for metric in app.metric}
    assert {"Temperature", "pH", "Conductivity", "Flow"} <= labels
    assert "Nitrate (NO3)" in labels  # a test-kit result has a card too
    assert ":gray[Dissolved oxygen]" in labels
    badges = [str(m.value) for m in app.markdown if "-badge[" in str(m.value)]  # st.badge
    assert any("No data for 3 h" in badge for badge in badges)
    assert any(":green-badge[" in badge and "OK" in badge for badge in badges)


def test_overview_lists_the_open_alert_with_keeper_text_escaped(seeded: Engine) -> None:
    """The firing alert is shown, and the markup in its text is escaped, not rendered."""
    app = open_page("overview")
    alerts = [str(e.value) for e in app.error if "Alert" in str(e.value)]
    assert len(alerts) == 1
    assert "\\<b\\>bold\\</b\\>" in alerts[0]
    assert "\\[click\\]\\(http" in alerts[0]


def test_pages_with_markdown_never_carry_raw_keeper_markup(seeded: Engine) -> None:
    """No page writes the hostile note into markdown unescaped."""
    for page in PAGES:
        assert HOSTILE_NOTE not in _markdown(open_page(page)), page


def test_acknowledging_an_alert_moves_it_out_of_active(seeded: Engine) -> None:
    """The Acknowledge button stores the acknowledgement and the alert leaves the active list."""
    app = open_page("alerts")
    assert app.subheader[0].value == "Active (1)"
    app.button(
        key=next(str(b.key) for b in app.button if str(b.key).startswith("ack_"))
    ).click().run()
    assert not app.exception
    assert app.subheader[0].value == "Active (0)"
    assert list_alerts(seeded, states=OPEN_STATES, acknowledged=True)[0].acknowledged_at


def test_sensors_page_lists_topics_and_the_refused_message(seeded: Engine) -> None:
    """Each sensor's topic appears with its state, and the dead letter's reason is shown."""
    app = open_page("sensors")
    sensors = app.dataframe[0].value
    assert f"aquarium/{TANK}/temperature" in set(sensors["topic"])
    assert any(status.startswith("stale") for status in sensors["status"])
    letters = app.dataframe[1].value
    assert "power-on value" in letters["reason"][0]


def test_tanks_page_adds_a_tank_and_refuses_a_bad_name(dashboard_url: str) -> None:
    """A valid name creates the tank; an invalid one gets the naming rule as a message."""
    app = open_page("tanks", tank=None)
    # Form widgets count only when their form is submitted: set, then click, then run.
    app.text_input[0].set_value("Bad Name!")
    app.button[0].click().run()  # the add form's submit button is the only button
    assert "not allowed" in app.error[0].value
    app.text_input[0].set_value("shrimp")
    app.number_input[0].set_value(54.0)
    app.button[0].click().run()
    assert not app.exception
    engine = open_engine(dashboard_url)
    assert get_tank(engine, "shrimp").volume_l == 54.0
    engine.dispose()


def test_tanks_page_edits_the_volume(seeded: Engine) -> None:
    """Saving the edit form changes the chosen tank's volume."""
    app = open_page("tanks")
    app.number_input[0].set_value(120.0)
    app.button[0].click().run()
    assert not app.exception
    assert [t.volume_l for t in list_tanks(seeded) if t.name == TANK] == [120.0]


def test_maintenance_form_logs_litres_as_percent_and_refuses_a_sizeless_change(
    seeded: Engine,
) -> None:
    """Litres become a percentage of the tank; a water change without an amount is refused."""
    app = open_page("maintenance")
    before = len(list_events(seeded, TANK))
    app.button[0].click().run()  # water change, no amount
    assert "needs its size" in app.error[0].value
    assert len(list_events(seeded, TANK)) == before
    app.radio[0].set_value("Litres")
    app.number_input[0].set_value(24.0)
    app.button[0].click().run()
    assert not app.exception
    newest = list_events(seeded, TANK)[-1]
    assert (newest.kind, newest.litres, newest.percent) == ("water-change", 24.0, 25.0)
    assert "25 %" in app.success[0].value


def test_trends_page_offers_every_range_and_draws_the_chosen_parameters(seeded: Engine) -> None:
    """Each preset range renders a chart of the default parameters, nitrate first."""
    app = open_page("trends")
    assert app.multiselect[0].value[0] == "nitrate"
    for preset in ("24 h", "7 d", "30 d", "1 y"):
        app.button_group[0].set_value(preset).run()
        assert not app.exception, preset
        assert app.get("plotly_chart"), preset
