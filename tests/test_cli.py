import json
import re

import pandas as pd
import pytest
from click.testing import CliRunner

from geo import activity_plan
from geo import store as store_lib
from geo.cli import COMMANDS, main
from geo.maps.analysis_layers import forecast_features
from geo.patrol import read_plan_stops, week_forecast


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_has_help_with_an_example(name):
    result = CliRunner().invoke(main, [name, "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output or "Commands:" in result.output


def test_the_command_reference_page_says_every_option_the_commands_have(tmp_path):
    """docs/cli.md is the commands' own help: an option added without it fails here.

    Made in a fresh process, as `make docs` makes it: click keeps a command's help option
    once built, and a test invoking a sub-command alone builds it without the group's -h.
    """
    import subprocess
    import sys
    from pathlib import Path

    subprocess.run(
        [sys.executable, "-m", "geo.cli.reference", str(tmp_path / "cli.md")], check=True
    )
    made = (tmp_path / "cli.md").read_text(encoding="utf-8")
    page = (Path(__file__).parents[1] / "docs" / "cli.md").read_text(encoding="utf-8")
    assert page == made, "run: make docs"
    # every command is on it, down to the sub-commands, with options the README leaves out
    for line in ("## `geo plan`", "## `geo network fetch`", "## `geo users add`"):
        assert line in page
    assert "--dwell" in page and "--permutations" in page and "-h, --help" in page


def test_the_readme_layout_names_every_module_of_the_package():
    """A maintainer finds a module through the README's Layout table (three were missing)."""
    from pathlib import Path

    root = Path(__file__).parents[1]
    readme = (root / "README.md").read_text(encoding="utf-8")
    layout = readme.split("## Layout", 1)[1].split("Imports flow one way", 1)[0]
    named = {name.rstrip("/") for name in re.findall(r"`([A-Za-z_]+/?)`", layout)}
    modules = {p.stem for p in (root / "geo").glob("*.py")} - {"__init__", "__main__"}
    packages = {p.parent.name for p in (root / "geo").glob("*/__init__.py")}
    assert sorted((modules | packages) - named) == []


def test_every_dependency_is_pinned_to_the_version_the_constraints_install():
    """A clean machine installed the newest of everything (">=" only): a release could break CI."""
    import tomllib
    from importlib.metadata import version
    from pathlib import Path

    root = Path(__file__).parents[1]
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    lines = (root / "constraints.txt").read_text(encoding="utf-8").splitlines()
    locked = {}
    for line in lines:
        if line and not line.startswith("#"):
            name, pinned = line.split("==")
            locked[re.sub(r"[-_.]+", "-", name).lower()] = pinned
    for spec in wanted:
        name, _, pinned = spec.partition("==")
        assert pinned, f"{spec!r}: pin it (name==version)"
        key = re.sub(r"[-_.]+", "-", name).lower()
        assert locked.get(key) == pinned, f"{spec!r} and constraints.txt differ"
        assert version(name) == pinned, f"{spec!r} is not what this venv holds: make setup"


def test_version_and_group_help():
    runner = CliRunner()
    assert runner.invoke(main, ["--version"]).output.startswith("geo, version")
    listing = runner.invoke(main, ["-h"]).output
    assert all(name in listing for name in COMMANDS)


def test_places_lists_and_validates():
    result = CliRunner().invoke(main, ["places", "--json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert {p["name"] for p in data["places"]} >= {
        "Lanna badgruva",
        "Badplats Leken",
        "Fjugesta centrum",
    }


def test_a_broken_activity_plan_costs_the_follow_up_not_the_plan(tmp_path, monkeypatch):
    """A typo in aktivitetsplan.toml (kommun staff edit it) made geo run fail unsaved."""
    broken = tmp_path / "aktivitetsplan.toml"
    broken.write_text("garbage = [\n", encoding="utf-8")
    monkeypatch.setattr(activity_plan, "plan_path", lambda: broken)
    store, out = tmp_path / "l.gpkg", tmp_path / "maps"
    args = ["run", "--store", str(store), "--out", str(out), "--end", "2026-11-23"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "Obs: uppföljningen för 2026-10 skrevs inte" in result.output
    assert "aktivitetsplan.toml" in result.output
    assert not list(out.glob("uppfoljning-*"))
    assert (out / "lagesbild.html").exists()
    (plan_csv,) = out.glob("plan-*.csv")
    assert len(read_plan_stops(plan_csv.stem.removeprefix("plan-"), store)) > 0


def test_run_builds_the_store_and_prints_the_summary(tmp_path):
    store = tmp_path / "l.gpkg"
    args = ["run", "--store", str(store), "--out", str(tmp_path / "maps"), "--end", "2026-11-23"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "Lanna badgruva" in result.output and "Narkotika och alkohol" in result.output
    assert store.exists()
    # the place table has a header over its columns; a row's themes N, T, S never exceed its
    # total (B overlaps them: the note under the table says so)
    lines = result.output.splitlines()
    assert lines[lines.index("Per plats:") + 1].split() == ["N", "T", "B", "S", "totalt"]
    lanna = next(line for line in lines if line.strip().startswith("Lanna badgruva"))
    n, t, b, s, total = (int(v) for v in lanna.split()[-5:])
    assert n + t + s == total and b <= total
    assert "summera till mer än totalt" in result.output
    for name in ("lagesbild.html", "lagesbild-delad.html"):
        assert str(tmp_path / "maps" / name) in result.output
        assert (tmp_path / "maps" / name).stat().st_size > 100_000
    # the plan, made in a child process, is written and its stops are in the store
    (plan_csv,) = (tmp_path / "maps").glob("plan-*.csv")
    week = plan_csv.stem.removeprefix("plan-")
    assert str(plan_csv) in result.output and plan_csv.with_suffix(".pdf").exists()
    stored = read_plan_stops(week, store)
    assert len(stored) == len(pd.read_csv(plan_csv, sep=";")) > 0
    # the forecast the plan is made from is on the planner's map, its riskiest cells holding
    # half the week's expected events
    expected, held = forecast_features(week_forecast(store_lib.read_incidents(store), week))
    page = (tmp_path / "maps" / "lagesbild.html").read_text(encoding="utf-8")
    name = f"Prognos {week} ({len(expected)} rutor, {round(100 * held)} %"
    assert name in page.replace("\\u00e4", "ä")
    assert "forecast" not in store_lib.list_layers(store)  # 17 MB of profiles: geo forecast's
    # the follow-up of the last whole month before --end, written beside them
    report = tmp_path / "maps" / "uppfoljning-2026-10.html"
    assert f"report_html: {report}" in result.output
    html = report.read_text(encoding="utf-8")
    assert "Uppföljning av medborgarlöftet – oktober 2026" in html
    assert "skapad 22 november 2026" in html  # as it stood when --end began, not the clock
    assert report.with_suffix(".xlsx").exists()
    assert not report.with_suffix(".pdf").exists()  # geo report prints it
    assert "report (child)" in result.output
    again = CliRunner().invoke(main, args)
    assert re.search(r"import syntetisk: read \d+, stored 0, quarantined 0", again.output)
