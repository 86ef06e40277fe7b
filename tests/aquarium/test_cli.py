"""The command line: each command works, and a keeper's mistake is one line, never a traceback."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from aquarium.cli import cli

COMMANDS = [
    [],
    ["up"],
    ["ingest"],
    ["dashboard"],
    ["simulate"],
    ["broker"],
    ["bench"],
    ["tank"],
    ["tank", "add"],
    ["tank", "edit"],
    ["tank", "list"],
    ["tank", "remove"],
    ["tank", "archive"],
    ["tank", "unarchive"],
    ["log"],
    ["maintain"],
    ["dead-letters"],
    ["export"],
    ["advise"],
    ["alerts"],
    ["alerts", "ack"],
    ["notify-test"],
    ["backup"],
    ["restore"],
    ["status"],
    ["copy-db"],
    ["sensor"],
    ["sensor", "ds18b20"],
]


@pytest.fixture
def run(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Invoke `aquarium ...` in-process against this test's database."""
    monkeypatch.setenv("AQUARIUM_DB_URL", db_url)
    monkeypatch.delenv("AQUARIUM_CONFIG", raising=False)
    monkeypatch.delenv("AQUARIUM_MQTT_URL", raising=False)
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(cli, list(args), catch_exceptions=True)

    return invoke


def assert_keeper_error(result: Result, *needles: str) -> None:
    """Exit status 1 with a one-line 'Error: ...' naming the problem, no traceback."""
    assert result.exit_code == 1, result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    for needle in needles:
        assert needle in lines[0], lines[0]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "aquarium")
def test_every_command_has_help(command: list[str]) -> None:
    """`--help` works for every command and subcommand."""
    result = CliRunner().invoke(cli, [*command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output


def test_tank_add_and_list(run) -> None:
    """A tank added with a volume shows up in the list and in JSON."""
    assert run("tank", "add", "turtles", "--volume", "96").exit_code == 0
    listed = run("tank", "list")
    assert "turtles" in listed.output and "96 L" in listed.output
    (tank,) = json.loads(run("tank", "list", "--json").output)
    assert tank["name"] == "turtles" and tank["volume_l"] == 96 and tank["profile"] == "turtle-fish"


def test_bad_tank_name_and_duplicate_tank_are_one_line_errors(run) -> None:
    """Invalid or taken names are refused with how to fix them."""
    assert_keeper_error(run("tank", "add", "My Tank"), "lowercase")
    run("tank", "add", "turtles")
    assert_keeper_error(run("tank", "add", "turtles"), "already exists")


def test_log_converts_units_and_exports_as_csv(run) -> None:
    """Test-kit results in kit units are stored canonically and exported with units."""
    run("tank", "add", "turtles", "--volume", "96")
    result = run(
        "log",
        "turtles",
        "nitrate=4.5NO3-N",
        "no2=0",
        "ph=7.4",
        "kh=71.4ppm CaCO3",
        "--at",
        "2026-11-20T18:00Z",
        "--note",
        "=cmd|' /C calc'!A0",
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(run("export", "--tank", "turtles").output)))
    values = {r["parameter"]: (float(r["value"]), r["unit"], r["source"]) for r in rows}
    assert values["nitrate"][0] == pytest.approx(4.5 * 4.43)
    assert values["kh"][0] == pytest.approx(4.0, abs=0.01)
    assert values["ph"] == (7.4, "pH", "manual")
    assert {r["time"] for r in rows} == {"2026-11-20T18:00:00Z"}
    assert list(rows[0]) == ["time", "tank", "parameter", "value", "unit", "source", "note"]


def test_log_refuses_bad_values_and_stores_nothing(run) -> None:
    """One bad result refuses the whole session with a reason; the good ones are not half-stored."""
    run("tank", "add", "turtles")
    assert_keeper_error(run("log", "turtles", "ph=7.2", "nitrate=lots"), "nitrate")
    assert_keeper_error(run("log", "turtles", "ph=15.5"), "ph")
    assert_keeper_error(run("log", "turtles", "salinity=35"), "unknown parameter")
    assert_keeper_error(run("log", "turtles", "ph=7", "--at", "yesterday"), "ISO 8601")
    assert_keeper_error(run("log", "nosuch", "ph=7"), "aquarium tank add nosuch")
    export = run("export", "--tank", "turtles").output.strip().splitlines()
    assert export == ["time,tank,parameter,value,unit,source,note"]


def test_maintain_litres_become_percent_of_the_tank(run) -> None:
    """A water change in litres is logged with its percentage of the tank's volume."""
    run("tank", "add", "turtles", "--volume", "96")
    result = run("maintain", "turtles", "water-change", "--litres", "24", "--note", "monthly")
    assert result.exit_code == 0, result.output
    assert "25 %" in result.output
    assert_keeper_error(run("maintain", "turtles", "water-change"), "--percent")
    assert_keeper_error(run("maintain", "turtles", "water-change", "--litres", "200"), "96 L")
    assert_keeper_error(run("maintain", "turtles", "water-change", "--percent", "150"), "1 to 100")


def test_export_neutralises_spreadsheet_formulas() -> None:
    """Cells that start like a formula are exported as text."""
    from db.csv_io import neutralise

    assert neutralise("=1+1") == "'=1+1"
    assert neutralise("@SUM(A1)") == "'@SUM(A1)"
    assert neutralise("turtles") == "turtles"


def test_dead_letters_empty_and_json(run) -> None:
    """With no refused messages the command says so; --json gives a list."""
    assert "no refused messages" in run("dead-letters").output
    assert json.loads(run("dead-letters", "--json").output) == []


def test_broken_config_is_one_line_naming_the_key(run, tmp_path: Path, monkeypatch) -> None:
    """A config with a wrong key or value names the key and the fix."""
    config = tmp_path / "aquarium.toml"
    config.write_text('[[sensors]]\ntopic = "x/y"\ntank = "t"\nparameter = "salinity"\n')
    monkeypatch.setenv("AQUARIUM_CONFIG", str(config))
    assert_keeper_error(run("tank", "list"), "sensors[0].parameter", "salinity")
    config.write_text("[[tanks]]\nname = 'turtles'\nvolum_l = 96\n")
    assert_keeper_error(run("tank", "list"), "tanks[0].volum_l", "unknown key")
    config.write_text("[[tanks]\nname = 'x'\n")
    assert_keeper_error(run("tank", "list"), "not valid TOML")
    monkeypatch.setenv("AQUARIUM_CONFIG", str(tmp_path / "missing.toml"))
    assert_keeper_error(run("tank", "list"), "does not exist")


def test_bad_mqtt_url_is_one_line_without_the_password(run, monkeypatch) -> None:
    """A malformed broker URL is explained without echoing the password."""
    monkeypatch.setenv("AQUARIUM_MQTT_URL", "http://keeper:s3cret@host")
    result = run("tank", "list")
    assert_keeper_error(result, "AQUARIUM_MQTT_URL")
    assert "s3cret" not in result.output


def test_a_real_process_prints_no_traceback(db_url: str, tmp_path: Path) -> None:
    """The installed entry point turns a keeper's mistake into one line on stderr, status 1."""
    env = {"AQUARIUM_DB_URL": db_url, "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "aquarium", "log", "nosuch", "ph=7"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().startswith("Error: no tank called 'nosuch'")


def test_unknown_profiles_are_refused_where_they_are_typed(
    run, tmp_path: Path, monkeypatch
) -> None:
    """`tank add/edit --profile` and the config list the valid profiles instead of storing junk."""
    result = run("tank", "add", "turtles", "--profile", "marine")
    assert result.exit_code == 2 and "turtle-fish" in result.output
    run("tank", "add", "turtles")
    assert run("tank", "edit", "turtles", "--profile", "bogus").exit_code == 2
    config = tmp_path / "aquarium.toml"
    config.write_text('[[tanks]]\nname = "turtles"\nprofile = "marine"\n')
    monkeypatch.setenv("AQUARIUM_CONFIG", str(config))
    assert_keeper_error(run("tank", "list"), "tanks[0].profile", "turtle-fish")


def test_two_databases_get_different_daemon_client_ids() -> None:
    """Two installations on one broker never share (and steal) a persistent MQTT session."""
    from aquarium.wiring import default_client_id

    first = default_client_id("sqlite:////home/a/aquarium.db")
    assert first == default_client_id("sqlite:////home/a/aquarium.db")
    assert first != default_client_id("sqlite:////home/b/aquarium.db")
    assert first.startswith("aquarium-ingest-")


def test_dead_letters_print_local_time_and_name_the_zone(
    run, engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In Europe/Berlin a refusal at 12:00 UTC prints as 13:00 under 'times in Europe/Berlin'."""
    from datetime import UTC, datetime

    from dashboard.formatting import server_zone
    from db.dead_letters import DeadLetter, add_dead_letters

    monkeypatch.setenv("TZ", "Europe/Berlin")
    server_zone.cache_clear()
    try:
        with engine.connect().execution_options(sqlite_write=True) as conn, conn.begin():
            moment = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
            add_dead_letters(conn, [DeadLetter(moment, "aquarium/t/ph", "x", 1, "not a number")])
        lines = run("dead-letters").output.splitlines()
        assert lines[0] == "times in Europe/Berlin"
        assert lines[1].startswith("2026-11-24 13:00  aquarium/t/ph")
        assert json.loads(run("dead-letters", "--json").output)[0]["time"] == (
            "2026-11-24T12:00:00Z"
        )
    finally:
        server_zone.cache_clear()


def test_export_local_gives_offsets_and_json_refuses_it(
    run, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In Berlin --local writes 18:00Z as 19:00+01:00; for JSON it is one line with the fix."""
    from dashboard.formatting import server_zone

    monkeypatch.setenv("TZ", "Europe/Berlin")
    server_zone.cache_clear()
    try:
        run("tank", "add", "turtles")
        run("log", "turtles", "ph=7,4", "--at", "2026-11-20T18:00Z", "--note", "weekly")
        lines = run("export", "--tank", "turtles", "--local").output.strip().splitlines()
        assert lines[1] == "2026-11-20T19:00:00+01:00,turtles,ph,7.4,pH,manual,weekly"
        utc = run("export", "--tank", "turtles").output.strip().splitlines()
        assert utc[1] == "2026-11-20T18:00:00Z,turtles,ph,7.4,pH,manual,weekly"
        assert_keeper_error(run("export", "--format", "json", "--local"), "--local is for CSV")
    finally:
        server_zone.cache_clear()
