"""`aquarium advise`: the verdict the keeper sees, fed by `aquarium log` and `aquarium maintain`."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from aquarium.cli import cli

KEYS = {
    "tank",
    "at",
    "status",
    "due",
    "due_earliest",
    "due_latest",
    "change_percent",
    "change_litres",
    "plan",
    "free_ammonia_mg_l",
    "zone",
    "reasons",
    "forecast",
}


@pytest.fixture
def run(db_url: str, monkeypatch: pytest.MonkeyPatch):
    """Invoke `aquarium ...` in-process against this test's database."""
    monkeypatch.setenv("AQUARIUM_DB_URL", db_url)
    monkeypatch.delenv("AQUARIUM_CONFIG", raising=False)

    def invoke(*args: str):
        result = CliRunner().invoke(cli, list(args))
        assert result.exit_code == 0, result.output
        return result.output

    return invoke


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%MZ")


def test_rising_nitrate_gives_a_dated_forecast_and_a_change_size(run) -> None:
    """Nitrate climbing since the last change gets a forecast crossing date and a change size."""
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    run("tank", "add", "turtles", "--volume", "96")
    run(
        "maintain",
        "turtles",
        "water-change",
        "--percent",
        "30",
        "--at",
        iso(now - timedelta(days=15)),
    )
    for days_ago, nitrate in ((14, 10), (10, 16), (6, 22), (2, 28)):
        run("log", "turtles", f"nitrate={nitrate}", "--at", iso(now - timedelta(days=days_ago)))
    verdict = json.loads(run("advise", "turtles", "--json"))
    assert set(verdict) == KEYS
    assert verdict["status"] == "soon"
    assert verdict["due"] is not None
    due = datetime.fromisoformat(verdict["due"]).date()
    assert now.date() < due <= (now + timedelta(days=7)).date()
    assert 10 <= verdict["change_percent"] <= 50
    assert verdict["change_litres"] == pytest.approx(96 * verdict["change_percent"] / 100, abs=0.1)
    assert "nitrate_forecast" in {r["code"] for r in verdict["reasons"]}


def test_nitrite_over_the_limit_means_now(run) -> None:
    """A nitrite test over 0.5 mg/L makes the verdict `now` with the nitrite reason."""
    now = datetime.now(UTC)
    run("tank", "add", "turtles", "--volume", "96")
    run(
        "maintain",
        "turtles",
        "water-change",
        "--percent",
        "20",
        "--at",
        iso(now - timedelta(days=20)),
    )
    run("log", "turtles", "no2=2", "nitrate=20", "ph=7.4", "--at", iso(now - timedelta(hours=1)))
    verdict = json.loads(run("advise", "turtles", "--json"))
    assert verdict["status"] == "now"
    assert "nitrite" in {r["code"] for r in verdict["reasons"]}


def test_the_verdict_as_of_an_earlier_time_ignores_later_data(run) -> None:
    """--at judges with the data known then: a later bad nitrite test does not count."""
    now = datetime.now(UTC)
    run("tank", "add", "turtles")
    run("log", "turtles", "no2=2", "--at", iso(now - timedelta(hours=1)))
    earlier = json.loads(run("advise", "turtles", "--json", "--at", iso(now - timedelta(days=1))))
    assert earlier["status"] != "now"


def test_plain_output_names_status_and_reasons(run) -> None:
    """Without --json the verdict is a short text with the reason codes."""
    run("tank", "add", "turtles")
    text = run("advise")
    assert text.startswith("turtles: ")
    assert "[no_data]" in text


def test_unknown_limit_override_in_config_is_a_one_line_error(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A misspelt limit in the config's tank entry is named when advising."""
    config = tmp_path / "aquarium.toml"
    config.write_text('[[tanks]]\nname = "turtles"\nlimits = { nitrate_limt = 30 }\n')
    monkeypatch.setenv("AQUARIUM_DB_URL", db_url)
    monkeypatch.setenv("AQUARIUM_CONFIG", str(config))
    CliRunner().invoke(cli, ["tank", "add", "turtles"])
    result = CliRunner().invoke(cli, ["advise", "turtles"])
    assert result.exit_code == 1
    assert "nitrate_limt" in result.output and "Traceback" not in result.output


def test_only_a_tank_declared_new_is_judged_as_cycling(run) -> None:
    """Ammonia in a tank of unknown age is a filter problem; in a 10-day-old tank, its cycle."""
    now = datetime.now(UTC)
    run("tank", "add", "old")
    run("tank", "add", "new", "--set-up", (now - timedelta(days=10)).strftime("%Y-%m-%d"))
    for tank in ("old", "new"):
        run(
            "log",
            tank,
            "nh3=0.5",
            "no2=0",
            "ph=7.2",
            "temp=25",
            "--at",
            iso(now - timedelta(hours=2)),
        )
    old = {r["code"] for r in json.loads(run("advise", "old", "--json"))["reasons"]}
    new = {r["code"] for r in json.loads(run("advise", "new", "--json"))["reasons"]}
    assert "cycling" in new and "cycling" not in old
    assert "biofilter_stall" in old
