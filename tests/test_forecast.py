"""Tests of geo.forecast: ISO weeks, no look-ahead, theme split, hour-of-week profiles."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from geo import forecast as fc
from geo.errors import DataError
from geo.weeks import week_label, week_monday

X0, Y0 = 480_000.0, 6_560_000.0


def events(n=400, *, seed=0, hour=22, weekday=4, start="2025-09-01", weeks=12, theme="T"):
    rng = np.random.default_rng(seed)
    monday = pd.Timestamp(start)  # local wall-clock times, localised after (DST-safe)
    t = (
        monday
        + pd.to_timedelta(rng.integers(0, weeks, n) * 7 + weekday, unit="D")
        + pd.Timedelta(hours=hour)
    )
    t = pd.DatetimeIndex(t).tz_localize("Europe/Stockholm")
    x = X0 + 1_000 + rng.normal(0, 60, n)
    y = Y0 + 1_000 + rng.normal(0, 60, n)
    return gpd.GeoDataFrame(
        {"occurred_at": t, "theme": theme, "category": "motorburen", "location_precision_m": 10.0},
        geometry=gpd.points_from_xy(x, y),
        crs="EPSG:3006",
    )


@pytest.mark.parametrize("method", ["count_3m", "kde", "prospective", "default"])
def test_forecast_has_the_contract_columns_and_consistent_sums(method):
    inc = pd.concat(
        [events(seed=1), events(200, seed=2, theme="N", hour=2, weekday=5)], ignore_index=True
    )
    out = fc.forecast_week(inc, week="2025-W49", method=method, seed=0)
    assert list(out.columns) == list(fc.FORECAST_COLUMNS)
    assert out.crs.to_epsg() == 3006 and (out["risk_week"] > 0).all()
    themes = out[["risk_N", "risk_T", "risk_B", "risk_S"]].sum(axis=1)
    assert np.allclose(themes, out["risk_week"])
    profiles = np.array(out["how_profile"].tolist())
    assert profiles.shape == (len(out), 168) and np.allclose(profiles.sum(axis=1), 1)
    top = out.loc[out["risk_week"].idxmax()]
    assert top.geometry.distance(gpd.points_from_xy([X0 + 1000], [Y0 + 1000])[0]) < 250
    # the top cell's profile peaks at the hours its events happen: Friday 22 and Saturday 02
    assert set(np.argsort(top["how_profile"])[-2:]) == {4 * 24 + 22, 5 * 24 + 2}
    # theme split follows the mix of events (2:1 traffic to drugs)
    assert top["risk_T"] / top["risk_N"] == pytest.approx(2.0, rel=0.35)


def test_a_report_dated_only_adds_no_hour_to_the_profile():
    # reports with a date alone are stored at midnight (precision "day"); read as times they
    # made 00–01 a place's busiest hour of each day
    timed = events(100, seed=3)
    dated = events(300, seed=4, hour=0).assign(time_precision="day")
    inc = pd.concat([timed.assign(time_precision="exact"), dated], ignore_index=True)
    out = fc.forecast_week(inc, week="2025-W49", seed=0)
    top = np.asarray(out.loc[out["risk_week"].idxmax(), "how_profile"])
    assert int(np.argmax(top)) == 4 * 24 + 22  # Friday 22, the timed events' hour
    midnights = top[np.arange(7) * 24].sum()
    assert midnights < 0.05, midnights
    # the dated reports still count as events: the total is all 400 reports' rate
    only_timed = fc.forecast_week(timed.assign(time_precision="exact"), week="2025-W49", seed=0)
    assert out["risk_week"].sum() > 2 * only_timed["risk_week"].sum()


def test_count_baseline_is_the_weekly_rate_of_the_last_three_calendar_months():
    inc = events(260, weeks=26, start="2025-06-02")
    out = fc.forecast_week(inc, week="2025-W49", method="count_3m")
    origin = week_monday("2025-W49")  # Monday 1 December
    begin = origin - pd.DateOffset(months=3)  # 1 September, 00:00: the whole of it counts
    recent = ((inc["occurred_at"] >= begin) & (inc["occurred_at"] < origin)).sum()
    assert 100 < recent < 160
    days = (origin.tz_localize(None) - begin.tz_localize(None)) / pd.Timedelta(days=1)
    assert days == 91  # Sep, Oct, Nov in local clock time (the forecast's own clock)
    assert out["risk_week"].sum() == pytest.approx(recent * 7 / days, rel=1e-6)


def test_a_monthly_count_sees_the_first_day_of_its_first_month():
    # SF dates have no time: an event on 1 July must count for October's count_3m
    cells = np.array([1, 2, 3])
    times = pd.to_datetime(["2012-07-01", "2012-08-15", "2012-09-30"]).to_numpy()
    risk = fc.predict_counts(
        cells, times, np.array([1, 2, 3, 4]), origin=pd.Timestamp("2012-10-01"),
        horizon_days=31.0, method="count_3m", cell_size_m=150.0,
        history_start=pd.Timestamp("2012-07-01"),
    )  # fmt: skip
    assert np.all(risk[:3] > 0) and risk[3] == 0
    assert risk.sum() == pytest.approx(3 * 31 / 92)


def test_forecast_never_uses_the_target_week_or_later():
    inc = events(300, seed=3)
    before = fc.forecast_week(inc, week="2025-W49", method="default", seed=0)
    future = events(500, seed=4, start="2025-12-01", weeks=4)
    future = future.set_geometry(future.geometry.translate(3_000, 3_000))
    after = fc.forecast_week(
        pd.concat([inc, future], ignore_index=True),
        week="2025-W49",
        seed=0,
        area=tuple(before.total_bounds),
    )
    merged = before.merge(after, on="cell_id", suffixes=("", "_2"))
    assert len(merged) == len(before) and np.allclose(merged["risk_week"], merged["risk_week_2"])


def test_a_week_ahead_of_the_data_is_forecast_from_where_the_data_end(caplog):
    # twelve weeks of Friday events, the last on 21 November 2025; the week after the data is
    # W48 (24 November). A plan for W02 2026 used to read the six weeks between as no events
    inc = events(400, start="2025-09-01", weeks=12)
    next_week = fc.forecast_week(inc, week="2025-W48", method="count_3m")
    ahead = fc.forecast_week(inc, week="2026-W2", method="count_3m")
    assert ahead["risk_week"].sum() == pytest.approx(next_week["risk_week"].sum(), rel=0.03)
    assert set(ahead["history_end"]) == {"2025-11-22"} and ahead.attrs["gap_days"] == 44
    assert set(next_week["history_end"]) == {"2025-11-24"}  # its own Monday: 2 quiet days
    assert set(ahead["week"]) == {"2026-W02"} and set(ahead["method"]) == {"count_3m"}
    assert "import newer data" not in caplog.text  # six weeks: said, not warned
    far = fc.forecast_week(inc, week="2026-W30", method="default", seed=0)
    assert far["risk_week"].sum() > 0.5 * next_week["risk_week"].sum()
    assert "the data end 2025-11-21, 34 weeks before 2026-W30" in caplog.text
    assert set(far["method"]) == {fc.DEFAULT_METHOD} and set(far["cell_size_m"]) == {250.0}


def test_a_quiet_spell_of_sparse_data_is_no_data_end():
    # 15 events a year (a small kommun's police events): 40 days without one is expected,
    # so the days up to the week count as days without events
    rng = np.random.default_rng(8)
    days = np.sort(rng.uniform(0, 730, 30))
    inc = events(30)
    inc["occurred_at"] = pd.Timestamp("2024-01-01 12:00", tz="Europe/Stockholm") + pd.to_timedelta(
        days, unit="D"
    )
    last = inc["occurred_at"].max()
    week = week_label(last + pd.Timedelta(days=40))
    out = fc.forecast_week(inc, week=week, method="count_3m")
    assert set(out["history_end"]) == {week_monday(week).date().isoformat()}
    assert out.attrs["gap_days"] == 0


def test_events_at_a_bathing_site_are_theme_b_in_the_split():
    """risk_B was always 0: no category is stored as B, which is everything at a bathing site."""
    from geo import sites

    places = sites.load_places()
    beach = places.loc[places["place_id"] == "leken"].geometry.iloc[0].representative_point()
    at_beach = events(200, seed=1, theme="S")  # littering at the beach, stored as S
    at_beach = at_beach.set_geometry(
        gpd.points_from_xy(np.full(200, beach.x), np.full(200, beach.y), crs="EPSG:3006")
    )
    elsewhere = events(200, seed=2, theme="S")  # 2 km away, outside every bathing site
    elsewhere = elsewhere.set_geometry(
        elsewhere.geometry.translate(beach.x - X0, beach.y - Y0 + 2e3)
    )
    inc = pd.concat([at_beach, elsewhere], ignore_index=True)
    split = fc.forecast_week(inc, week="2025-W49", method="count_3m", places=places)
    stored = fc.forecast_week(inc, week="2025-W49", method="count_3m")
    assert np.allclose(split["risk_week"], stored["risk_week"])  # the split only
    total = split["risk_week"].sum()
    assert split["risk_B"].sum() == pytest.approx(total / 2, rel=0.1)
    assert split["risk_S"].sum() == pytest.approx(total / 2, rel=0.1)
    assert stored["risk_B"].sum() < 0.01 * total
    # B is a place theme: no cell away from the bathing site gets any of it (smoothed toward
    # the area-wide mix, cells 2 km off read half B and a village stop became "Badplatser")
    site = places.loc[places["place_id"] == "leken"].geometry.iloc[0]
    away = ~split.geometry.intersects(site).to_numpy()
    assert split.loc[away, "risk_week"].sum() > 0.4 * total
    assert (split.loc[away, "risk_B"] == 0).all()
    assert split.loc[away, "risk_S"].sum() == pytest.approx(
        split.loc[away, "risk_week"].sum(), rel=0.01
    )
    themes = split[[f"risk_{t}" for t in ("N", "T", "B", "S")]].sum(axis=1)
    assert np.allclose(themes, split["risk_week"])


def test_imprecise_events_are_not_used_for_cells():
    inc = events(100)
    inc["location_precision_m"] = 5_000.0
    out = fc.forecast_week(inc, week="2025-W49")
    assert out.empty and list(out.columns) == list(fc.FORECAST_COLUMNS)


def test_recency_ranks_a_new_place_above_an_old_one():
    old = events(60, seed=5, start="2025-06-02", weeks=6)
    new = events(60, seed=6, start="2025-10-20", weeks=6)
    new = new.set_geometry(new.geometry.translate(4_000, 0))
    out = fc.forecast_week(
        pd.concat([old, new], ignore_index=True), week="2025-W49", method="prospective"
    )
    top = out.loc[out["risk_week"].idxmax()]
    assert top.geometry.centroid.x > X0 + 4_000


def test_unknown_method_says_which_exist():
    with pytest.raises(DataError, match="count_3m"):
        fc.forecast_week(events(10), week="2025-W49", method="magic")


def test_forecast_cli_writes_the_layer(tmp_path):
    import json

    from click.testing import CliRunner
    from test_hotspots import store_with

    from geo import store
    from geo.cli.analysis import forecast_command

    inc = events(300, seed=7)
    inc["incident_id"] = [f"f{i}" for i in range(len(inc))]
    inc["source"] = "kommun"
    path = store_with(inc, tmp_path / "s.gpkg")
    result = CliRunner().invoke(
        forecast_command, ["--store", str(path), "--week", "2025-W49", "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["week"] == "2025-W49" and data["n_cells"] > 0
    layer = store.read_layer("forecast", path)
    assert len(layer) == data["n_cells"]
    profiles = [json.loads(p) for p in layer["how_profile"]]  # to 6 decimals, summing to 1
    assert all(len(p) == 168 and abs(sum(p) - 1) < 1e-4 for p in profiles)
    assert max(len(repr(v)) for p in profiles for v in p) <= 8
    assert layer["risk_week"].sum() == pytest.approx(data["expected_events"])
    bad = CliRunner().invoke(forecast_command, ["--store", str(path), "--week", "49"])
    assert bad.exit_code != 0


def test_blend_weights_recover_a_known_poisson_mixture():
    rng = np.random.default_rng(11)
    X = rng.gamma(0.5, 1.0, (20_000, 3))
    truth = np.array([0.6, 0.0, 1.5])
    y = rng.poisson(X @ truth).astype(float)
    fitted = fc._fit_blend_weights(X, y)
    assert fitted.min() >= 0
    assert fitted == pytest.approx(truth, abs=0.05)


def test_blend_learns_recency_from_its_own_history():
    # place A was busy for 20 weeks and went quiet; place B started 6 weeks ago.
    old = events(200, seed=8, start="2025-06-30", weeks=20)
    new = events(48, seed=9, start="2025-11-10", weeks=6, weekday=2)
    new = new.set_geometry(new.geometry.translate(4_000, 0))
    inc = pd.concat([old, new], ignore_index=True)
    blend = fc.forecast_week(inc, week="2025-W52", method="blend", seed=0)
    top = blend.loc[blend["risk_week"].idxmax()]
    assert top.geometry.centroid.x > X0 + 4_000
    # the undecayed count over the same history would still put A first
    count = fc.forecast_week(inc, week="2025-W52", method="count_6m")
    assert count.loc[count["risk_week"].idxmax()].geometry.centroid.x < X0 + 2_000
    # most of the expected events are at B
    at_b = blend.geometry.centroid.x > X0 + 4_000
    assert blend.loc[at_b, "risk_week"].sum() > 0.6 * blend["risk_week"].sum()


def test_default_is_the_blend():
    assert fc.DEFAULT_METHOD == "blend" and "blend" in fc.method_names()


def test_forecast_cli_names_the_place_of_each_top_cell(tmp_path):
    import json

    from click.testing import CliRunner
    from test_hotspots import store_with

    from geo import sites
    from geo.cli.analysis import forecast_command

    places = sites.load_places()
    centre = places.loc[places["name"] == "Fjugesta centrum"].geometry.iloc[0]
    spot = centre.representative_point()
    inc = events(300, seed=7)
    inc = inc.set_geometry(inc.geometry.translate(spot.x - X0 - 1_000, spot.y - Y0 - 1_000))
    inc["incident_id"] = [f"f{i}" for i in range(len(inc))]
    inc["source"] = "kommun"
    path = store_with(inc, tmp_path / "s.gpkg")
    args = ["--store", str(path), "--week", "2025-W49"]
    data = json.loads(CliRunner().invoke(forecast_command, [*args, "--json"]).stdout)
    top = data["top_cells"][0]
    assert top["place"] == "Fjugesta centrum" and top["place_distance_m"] == 0
    text = CliRunner().invoke(forecast_command, args)
    assert text.exit_code == 0, text.output
    lines = text.stdout.splitlines()
    first = lines[
        lines.index("Rutor med högst risk (väntade händelser veckan, närmaste plats):") + 1
    ]
    assert first.strip().endswith("Fjugesta centrum")
    assert f"ruta {top['cell_id']}" in first


def test_forecast_cli_counts_b_at_the_bathing_sites_and_says_where_the_data_end(tmp_path):
    """B was always 0.0 (no event is stored as B; the löfte's B is all at a bathing site)."""
    import json

    from click.testing import CliRunner
    from test_hotspots import store_with

    from geo import sites, store
    from geo.cli.analysis import forecast_command

    places = sites.load_places()
    leken = places.loc[places["place_id"] == "leken"].geometry.iloc[0]
    spot = leken.centroid
    inc = events(300, seed=7, theme="S")  # littering, stored as S, at the bathing site
    inc = inc.set_geometry(inc.geometry.translate(spot.x - X0 - 1_000, spot.y - Y0 - 1_000))
    inc["incident_id"] = [f"f{i}" for i in range(len(inc))]
    inc["source"] = "kommun"
    path = store_with(inc, tmp_path / "s.gpkg")
    args = ["--store", str(path), "--week", "2026-W2"]
    data = json.loads(CliRunner().invoke(forecast_command, [*args, "--json"]).stdout)
    assert data["week"] == "2026-W02"
    # littering at Leken is the löfte's B: most of the week is expected there
    assert data["by_theme"]["B"] > 0.6 * data["expected_events"]
    assert sum(data["by_theme"].values()) == pytest.approx(data["expected_events"])
    # the JSON and the text count the same days: 21 November to Monday 5 January
    assert data["history_end"] == "2025-11-22" and data["gap_days"] == 45
    layer = store.read_layer("forecast", path)
    assert layer["risk_B"].sum() == pytest.approx(data["by_theme"]["B"])
    text = CliRunner().invoke(forecast_command, args).stdout
    assert "Prognos vecka 2026-W02" in text
    assert f"B {data['by_theme']['B']:.1f}" in text and "B är allt vid badplatserna" in text
    assert "Data slutar 2025-11-21, 6 veckor (45 dagar) före veckan" in text  # 21 Nov to 5 Jan


def test_forecast_cli_names_the_last_data_day_and_the_gap_in_weeks_and_warns_far_ahead(tmp_path):
    """A planner reading the JSON saw no data end and no warning: it was only logged."""
    import json

    from click.testing import CliRunner
    from test_hotspots import store_with

    from geo.cli.analysis import forecast_command

    inc = events(300, seed=7)  # Fridays to 21 November 2025
    inc["incident_id"] = [f"f{i}" for i in range(len(inc))]
    inc["source"] = "kommun"
    path = store_with(inc, tmp_path / "s.gpkg")

    def run(week):
        out = CliRunner().invoke(forecast_command, ["--store", str(path), "--week", week, "--json"])
        assert out.exit_code == 0, out.output
        return json.loads(out.stdout)

    near = run("2025-W48")  # the Monday after: two quiet days, no gap
    assert near["data_end"] == "2025-11-21" and near["gap_weeks"] == 0 and near["warnings"] == []
    ahead = run("2026-W2")
    assert ahead["data_end"] == "2025-11-21" and ahead["gap_weeks"] == pytest.approx(45 / 7, 0.01)
    assert ahead["warnings"] == []  # six weeks: said, not warned
    far = run("2026-W20")
    assert far["data_end"] == "2025-11-21" and far["gap_weeks"] == pytest.approx(171 / 7, abs=0.05)
    assert len(far["warnings"]) == 1 and "import newer data" in far["warnings"][0]
    assert far["expected_events"] > 0.5 * near["expected_events"]
    from geo import store

    layer = store.read_layer("forecast", path)  # the stored layer says which forecast it is
    assert set(layer["week"]) == {"2026-W20"} and set(layer["method"]) == {fc.DEFAULT_METHOD}
    assert set(layer["cell_size_m"]) == {250.0} and set(layer["history_end"]) == {"2025-11-22"}
    text = CliRunner().invoke(forecast_command, ["--store", str(path), "--week", "2026-W20"])
    assert "med säsongen efter dataslutet" in text.stdout  # far ahead: said in Swedish too
    # a week before the data begin: refused, and the last forecast stays (it was emptied)
    from geo.cli import main

    before = CliRunner().invoke(main, ["forecast", "--store", str(path), "--week", "2000-W01"])
    assert before.exit_code == 1 and "No incident located to 1 km before 2000-W01" in before.output
    assert len(store.read_layer("forecast", path)) == len(layer)


def test_forecast_cli_refuses_a_grid_too_large_to_run(tmp_path):
    """10 m cells over the kommun (about 10.5 million) ran with no cap (the blend's features)."""
    import re

    from click.testing import CliRunner
    from test_hotspots import store_with

    from geo import store
    from geo.cli import main

    inc = events(50, seed=7)
    inc["incident_id"] = [f"f{i}" for i in range(len(inc))]
    inc["source"] = "kommun"
    path = store_with(inc, tmp_path / "s.gpkg")
    base = ["forecast", "--store", str(path), "--week", "2025-W49"]
    tiny = CliRunner().invoke(main, [*base, "--cell-size-m", "10"])
    assert tiny.exit_code == 1
    least = re.search(r"use --cell-size-m (\d+) or more", tiny.output)
    assert least and 30 <= int(least.group(1)) <= 60, tiny.output
    assert "forecast" not in store.list_layers(path)
    assert CliRunner().invoke(main, [*base, "--cell-size-m", "0"]).exit_code == 2
    # a grid over the events alone is checked too: half of them 50 km east, 1 m cells
    spread = events(50)
    east = spread.index[::2]
    spread.loc[east, "geometry"] = spread.geometry[east].translate(50_000, 0)
    with pytest.raises(DataError, match="--cell-size-m"):
        fc.forecast_week(spread, week="2025-W49", cell_size_m=1)
