"""Tests of geo.evaluate: hit rate/PAI/PEI by hand, no look-ahead, the CLI on a synthetic CSV."""

from __future__ import annotations

import itertools
import json
import re

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from geo import evaluate as ev
from geo.cli.analysis import evaluate_command
from geo.errors import ImportFileError
from geo.grid import check_grid_size
from geo.patrol import PlanSettings
from geo.pointfile import read_points
from geo.pointperiod import missing_months

RISK = [3.0, 2.0, 2.0, 1.0, 0.0]
ACTUAL = [1.0, 0.0, 2.0, 1.0, 1.0]  # 5 events


def test_hit_rate_pai_pei_against_hand_computed_values():
    # 20 % of 5 cells = 1 cell: the top cell holds 1 of 5 events
    assert ev.hit_rate(RISK, ACTUAL, 0.2) == pytest.approx(0.2)
    assert ev.pai(RISK, ACTUAL, 0.2) == pytest.approx(1.0)
    # 40 % = 2 cells: the top cell + half of the two tied cells (0 + 2 events) -> 2 of 5
    assert ev.hit_rate(RISK, ACTUAL, 0.4) == pytest.approx(0.4)
    # best 2 cells hold 2 + 1 = 3 events -> PEI = 0.4 / 0.6
    assert ev.pei(RISK, ACTUAL, 0.4) == pytest.approx(2 / 3)
    assert ev.hit_rate(RISK, ACTUAL, 1.0) == pytest.approx(1.0)
    assert np.isnan(ev.hit_rate(RISK, [0, 0, 0, 0, 0], 0.4))


def test_the_plan_coverage_counts_the_events_in_the_few_top_cells():
    # three places at cell centres, ranked A > B > C by their training counts; the test month
    # (April) has A 5, B 3, C 12: a plan visiting the top two cells meets 8 of its 20 events
    def at(x, y, n, month):
        return pd.DataFrame(
            {"x": [500_125.0 + x] * n, "y": [6_500_125.0 + y] * n,
             "t": pd.to_datetime([f"2024-{month:02d}-10"] * n)}
        )  # fmt: skip

    frames = [at(0, 0, 30, m) for m in (1, 2, 3)] + [at(500, 0, 20, m) for m in (1, 2, 3)]
    frames += [at(0, 500, 10, m) for m in (1, 2, 3)]
    frames += [at(x, y, 1, 1) for x in (-1_000, 1_500) for y in (-1_000, 1_500)]  # the hull
    frames += [at(0, 0, 5, 4), at(500, 0, 3, 4), at(0, 500, 12, 4)]
    res, _ = ev.backtest(
        pd.concat(frames, ignore_index=True), methods=["count_3m"], cell_size_m=250,
        train_months=3, plan_cells=2,
    )  # fmt: skip
    row = res.iloc[0]
    assert row["month"] == "2024-04" and row["plan_cells"] == 2
    assert row["hit_plan"] == pytest.approx(8 / 20)
    assert row["pai_plan"] == pytest.approx(0.4 / (2 / row["n_cells"]))
    summary = ev.summarize(res, cell_size_m=250, train_months=3)
    assert summary["plan_cells"] == 2
    assert "count_3m 40.0 %" in ev.plan_sentence(summary)
    # five stops fit in a two-hour week even before any driving
    week = PlanSettings()
    assert ev.PLAN_CELLS * week.dwell_min <= week.budget_min


def synthetic_points(seed=0):
    rng = np.random.default_rng(seed)
    rows = []
    for month in range(1, 7):
        n = 200
        # a stable hotspot, a background, and a drifting spot
        x = np.concatenate([rng.normal(2_000, 80, n // 2), rng.uniform(0, 5_000, n // 2)])
        y = np.concatenate([rng.normal(2_000, 80, n // 2), rng.uniform(0, 5_000, n // 2)])
        day = rng.integers(1, 28, n)
        rows.append(
            pd.DataFrame(
                {
                    "x": 500_000 + x,
                    "y": 6_500_000 + y,
                    "t": pd.to_datetime([f"2024-{month:02d}-{d:02d}" for d in day]),
                    "kind": np.where(np.arange(n) % 2 == 0, "a", "b"),
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


def test_backtest_never_gives_a_method_test_period_data(monkeypatch):
    seen = []
    real = ev.predict_counts

    def spy(cells_of_events, times, cells, *, origin, **kw):
        seen.append((pd.Timestamp(np.max(times)), origin, pd.Timestamp(np.min(times))))
        return real(cells_of_events, times, cells, origin=origin, **kw)

    monkeypatch.setattr(ev, "predict_counts", spy)
    res, curves = ev.backtest(
        synthetic_points(), methods=["count_3m", "default"], cell_size_m=250, train_months=3
    )
    assert sorted(res["month"].unique()) == ["2024-04", "2024-05", "2024-06"]
    assert len(seen) == 6
    for latest, origin, earliest in seen:
        assert latest < origin
        assert earliest >= origin - pd.DateOffset(months=3)
    assert res["pai_5"].gt(1).all() and res["pei_5"].le(1 + 1e-9).all()
    assert set(curves["method"]) == {"count_3m", "default"}


def test_hindsight_rankings_see_later_months_but_never_the_test_month(monkeypatch):
    rng = np.random.default_rng(1)
    days = [f"2024-{m:02d}-{d:02d}" for m in (4, 5, 6) for d in rng.integers(1, 28, 100)]
    late_spot = pd.DataFrame(  # a place that starts in April: only later months show it
        {
            "x": 504_000 + rng.normal(0, 30, 300),
            "y": 6_504_000 + rng.normal(0, 30, 300),
            "t": pd.to_datetime(days),
            "kind": "a",
        }
    )
    points = pd.concat([synthetic_points(), late_spot], ignore_index=True)
    months_given: list[set[str]] = []
    real = ev.predict_counts

    def spy(cells_of_events, times, cells, *, origin, **kw):
        if kw["method"] != "count_3m":
            months_given.append(set(pd.DatetimeIndex(times).to_period("M").astype(str)))
        return real(cells_of_events, times, cells, origin=origin, **kw)

    monkeypatch.setattr(ev, "predict_counts", spy)
    res, _ = ev.backtest(
        points, methods=["count_3m", *ev.HINDSIGHT], cell_size_m=250, train_months=3
    )
    every = {f"2024-{m:02d}" for m in range(1, 7)}
    tests = ["2024-04", "2024-05", "2024-06"]
    assert len(months_given) == 2 * len(tests)
    assert [every - given for given in months_given] == [{m} for m in tests for _ in range(2)]
    april = res[res["month"] == "2024-04"].set_index("method")
    assert april.loc["hindsight_count", "hit_5"] > april.loc["count_3m", "hit_5"] + 0.2
    assert april.loc["hindsight_kde", "hit_5"] > april.loc["count_3m", "hit_5"] + 0.2


def test_read_points_filters_and_keeps_metres(tmp_path):
    pts = synthetic_points()
    path = tmp_path / "p.csv"
    pts.to_csv(path, index=False)
    got = read_points(path, x_col="x", y_col="y", time_col="t", crs="EPSG:3006", where=["kind=a"])
    assert len(got) == (pts["kind"] == "a").sum()
    assert np.allclose(np.sort(got["x"]), np.sort(pts.loc[pts["kind"] == "a", "x"]))
    with pytest.raises(ImportFileError, match="no column"):
        read_points(path, x_col="lon", y_col="y", time_col="t", crs="EPSG:3006")


def test_geographic_points_are_projected_to_utm(tmp_path):
    path = tmp_path / "p.csv"
    pd.DataFrame(
        {"lon": [-122.42, -122.41], "lat": [37.77, 37.78], "date": ["2012-07-01", "2012-07-02"]}
    ).to_csv(path, index=False)
    got = read_points(path, x_col="lon", y_col="lat", time_col="date", crs="EPSG:4326")
    assert got.attrs["crs"] == "EPSG:32610"
    assert 800 < np.hypot(*np.diff(got[["x", "y"]].to_numpy(), axis=0)[0]) < 1600


def _run_cli(path, methods, *extra):
    """Run ``geo evaluate`` on the synthetic CSV's x/y/t columns (EPSG:3006, 250 m cells)."""
    args = ["--x-col", "x", "--y-col", "y", "--time-col", "t", "--crs", "EPSG:3006"]
    args += ["--cell-size-m", "250", "--methods", methods, *extra]
    return CliRunner().invoke(evaluate_command, [str(path), *args])


def test_evaluate_cli_writes_json_and_plot(tmp_path):
    path = tmp_path / "p.csv"
    synthetic_points().to_csv(path, index=False)
    out, png = tmp_path / "out.json", tmp_path / "hits.png"
    result = _run_cli(path, "count_3m,kde,prospective", "--json", str(out), "--plot", str(png))
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    for name in ("count_3m", "kde", "prospective"):
        m = data["methods"][name]
        assert {"pai_1", "pai_5", "pai_10", "hit_5", "pei_5", "months", "hit_plan"} <= set(m)
        assert m["months"] == 3
    assert "| count_3m |" in result.output
    assert data["plan_cells"] == ev.PLAN_CELLS
    assert (
        f"The top {ev.PLAN_CELLS} cells (as many as a week's patrol plan can visit;"
        in result.output
    )
    pts = read_points(path, x_col="x", y_col="y", time_col="t", crs="EPSG:3006")
    assert data["n_cells"] == ev.study_cell_index(pts, 250.0)[0].size  # the grid it scored on
    # per month too: the means above are the means of these, and each month is printed
    for name in ("count_3m", "kde", "prospective"):
        months = data["per_month"][name]
        assert [r["month"] for r in months] == data["test_months"]
        assert np.mean([r["pai_5"] for r in months]) == pytest.approx(
            data["methods"][name]["pai_5"]
        )
        assert all(r["n_test"] > 0 and r["n_train"] > r["n_test"] for r in months)
    assert "| PAI@5% per month | 2024-04 | 2024-05 | 2024-06 |" in result.output
    assert png.read_bytes()[:4] == b"\x89PNG"
    stdout = _run_cli(path, "count_3m", "--json")
    assert stdout.exit_code == 0 and json.loads(stdout.stdout)["methods"]["count_3m"]["months"] == 3


def test_a_month_without_events_is_not_scored_and_the_json_stays_valid(tmp_path):
    # five events a month: an empty May is what chance does, not missing data
    pts = synthetic_points().groupby(synthetic_points()["t"].dt.month).head(5)
    pts = pts[pts["t"].dt.month != 5]  # May has no events: nothing to score there
    path, out = tmp_path / "p.csv", tmp_path / "out.json"
    pts.to_csv(path, index=False)
    result = _run_cli(path, "count_3m,kde", "--json", str(out))
    assert result.exit_code == 0, result.output

    def no_nan(constant):
        msg = f"{constant} in the JSON"
        raise AssertionError(msg)

    data = json.loads(out.read_text(), parse_constant=no_nan)
    assert data["methods"]["kde"]["months"] == 2
    may = next(r for r in data["per_month"]["kde"] if r["month"] == "2024-05")
    assert may["n_test"] == 0 and may["pai_5"] is None
    scored = [r["pai_5"] for r in data["per_month"]["kde"] if r["pai_5"] is not None]
    assert data["methods"]["kde"]["pai_5"] == pytest.approx(np.mean(scored))
    assert "– (no events)" in result.output


@given(
    st.dates(
        min_value=pd.Timestamp("2015-01-01").date(), max_value=pd.Timestamp("2030-01-01").date()
    ),
    st.integers(min_value=1, max_value=900),
    st.integers(min_value=1, max_value=6),
)
def test_weekly_steps_are_iso_weeks_with_whole_training_months_behind_them(start, days, train):
    times = pd.Series(pd.to_datetime([start, start + pd.Timedelta(days=days)]))
    weeks = ev.backtest_periods(times, train_months=train, step="week")
    first_month = pd.Timestamp(start).to_period("M").start_time
    for w in weeks:
        assert w.origin.weekday() == 0 and w.end - w.origin == pd.Timedelta(days=7)
        iso = w.origin.isocalendar()
        assert w.label == f"{iso.year}-W{iso.week:02d}"
        assert w.train_start == w.origin - pd.DateOffset(months=train)
        assert w.train_start >= first_month  # the history is inside the data
        assert w.origin <= times.max()
    assert all(a.end == b.origin for a, b in itertools.pairwise(weeks))  # none skipped
    # the last week is one the data cover for at least half; the next would not be
    covered = times.max().normalize() + pd.Timedelta(days=1)
    if weeks:
        assert covered - weeks[-1].origin >= pd.Timedelta(days=3.5)
        assert covered - weeks[-1].end < pd.Timedelta(days=3.5)
        # the first week is the first that can have whole months behind it
        assert weeks[0].origin - pd.Timedelta(days=7) < first_month + pd.DateOffset(months=train)
    months = ev.backtest_periods(times, train_months=train, step="month")
    assert all(m.origin.day == 1 and m.end == m.origin + pd.DateOffset(months=1) for m in months)


def test_a_weekly_backtest_never_gives_a_method_its_test_week(monkeypatch, tmp_path):
    seen = []
    real = ev.predict_counts

    def spy(cells_of_events, times, cells, *, origin, **kw):
        seen.append((pd.Timestamp(np.min(times)), pd.Timestamp(np.max(times)), origin, kw))
        return real(cells_of_events, times, cells, origin=origin, **kw)

    monkeypatch.setattr(ev, "predict_counts", spy)
    res, _ = ev.backtest(
        synthetic_points(), methods=["count_3m"], cell_size_m=250, train_months=3, step="week"
    )
    # April 2024 starts on a Monday: weeks 14 to 26 (the last events are on 27 June)
    assert res["week"].tolist() == [f"2024-W{w}" for w in range(14, 27)]
    for earliest, latest, origin, kw in seen:  # three months before the Monday, nothing after
        assert origin - pd.DateOffset(months=3) <= earliest and latest < origin
        assert kw["horizon_days"] == 7.0
    path, out = tmp_path / "p.csv", tmp_path / "out.json"
    synthetic_points().to_csv(path, index=False)
    result = _run_cli(path, "count_3m,kde", "--step", "week", "--json", str(out))
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    assert data["step"] == "week" and data["methods"]["kde"]["weeks"] == 13
    assert [r["week"] for r in data["per_week"]["kde"]] == data["test_weeks"]
    assert (
        "of each test week's events" in result.output
        and "13 test weeks, 13 with events" in result.output
    )


def reference_hit_rate(risk, actual, coverage):
    """Hit rate by walking the ranking group by group (ties share the boundary)."""
    order = sorted(set(risk), reverse=True)
    k, taken, hits = coverage * len(risk), 0.0, 0.0
    for value in order:
        members = [a for r, a in zip(risk, actual, strict=True) if r == value]
        if taken + len(members) <= k:
            taken += len(members)
            hits += sum(members)
        else:
            hits += sum(members) * (k - taken) / len(members)
            break
    return hits / sum(actual)


@given(
    st.lists(st.tuples(st.integers(0, 4), st.integers(0, 3)), min_size=1, max_size=40).filter(
        lambda cells: sum(a for _, a in cells) > 0
    ),
    st.lists(st.floats(0.0, 1.0), min_size=1, max_size=6),
)
def test_hit_rates_from_one_sort_equal_the_group_by_group_walk(cells, coverages):
    # few distinct risks: many ties, the case where the cut-off falls inside a group
    risk = [float(r) for r, _ in cells]
    actual = [float(a) for _, a in cells]
    got = ev.hit_rates(risk, actual, coverages)
    want = [reference_hit_rate(risk, actual, c) for c in coverages]
    assert got == pytest.approx(want, abs=1e-12)


def test_the_hit_rate_plot_shows_the_plans_share_on_a_log_axis():
    _, curves = ev.backtest(synthetic_points(), methods=["count_3m", "kde"], cell_size_m=250)
    fig = ev.plot_hit_rates(curves, title="test", plan_share=5 / 400)
    ax = fig.axes[0]
    assert ax.get_xscale() == "log"
    assert {line.get_label() for line in ax.get_lines()} >= {"count_3m", "kde"}
    dashed = [line for line in ax.get_lines() if line.get_linestyle() == "--"]
    assert [line.get_xdata()[0] for line in dashed] == [pytest.approx(5 / 400 * 100)]
    # in English like the rest of `geo evaluate`; the plan's label at the top, off the axis
    assert (ax.get_xlabel(), ax.get_ylabel()) == (
        "Share of the area (%, logarithmic scale)",
        "Hit rate (%)",
    )
    (label,) = ax.texts
    assert label.get_text() == "a week's plan" and label.xy[1] > 50


def test_progress_without_a_terminal_prints_a_few_lines_not_one_per_step(tmp_path):
    """CI logs and pipes get a start line and one line per 10 %, not 88 'evaluate: …' lines."""
    path = tmp_path / "p.csv"
    synthetic_points().to_csv(path, index=False)
    result = _run_cli(path, "count_3m,kde", "--step", "week")  # CliRunner: stderr is no TTY
    assert result.exit_code == 0, result.output
    progress = [line for line in result.stderr.splitlines() if line.startswith("evaluate:")]
    steps = int(progress[0].split()[1])
    assert progress[0] == f"evaluate: {steps} steps"
    assert steps > 20  # more steps than lines, so one line per step would show
    assert 2 <= len(progress) <= 11
    assert progress[-1].startswith(f"evaluate: 100 % ({steps}/{steps}, kde ")
    percents = [int(line.split()[1]) for line in progress[1:]]
    assert percents == sorted(set(percents))  # rising, never the same share twice


def test_progress_helper_prints_eleven_lines_for_many_steps_and_two_for_one(capsys):
    from geo.cli.analysis import _progress

    with _progress(88, "evaluate") as advance:
        for i in range(88):
            advance(f"step {i}")
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 11 and lines[0] == "evaluate: 88 steps"
    assert lines[-1] == "evaluate: 100 % (88/88, step 87)"
    with _progress(1, "forecast") as advance:
        advance("write")
    assert capsys.readouterr().err.splitlines() == [
        "forecast: 1 step",
        "forecast: 100 % (1/1, write)",
    ]


def test_weekly_steps_over_months_only_are_refused_naming_the_fix(tmp_path):
    # police.uk gives the month alone: weekly steps would put a month's events in one week
    pts = synthetic_points()
    pts["t"] = pts["t"].dt.strftime("%Y-%m")
    path = tmp_path / "p.csv"
    pts.to_csv(path, index=False)
    weekly = _run_cli(path, "count_3m", "--step", "week")
    assert weekly.exit_code != 0 and "Use --step month" in str(weekly.exception)
    assert _run_cli(path, "count_3m").exit_code == 0  # monthly steps are what such a file allows


def test_times_with_an_offset_and_no_zone_get_a_hint(tmp_path):
    pts = synthetic_points()
    pts["t"] = (pts["t"] + pd.Timedelta(hours=21)).dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    path = tmp_path / "p.csv"
    pts.to_csv(path, index=False)
    result = _run_cli(path, "count_3m")
    assert f"{len(pts)} written with a UTC offset kept as written (--tz ZONE" in result.output
    zoned = _run_cli(path, "count_3m", "--tz", "Europe/Stockholm")
    assert "--tz ZONE" not in zoned.output and "moved to Europe/Stockholm time" in zoned.output


def test_the_tables_compare_with_the_count_of_the_training_window(tmp_path):
    path = tmp_path / "p.csv"
    synthetic_points().to_csv(path, index=False)
    result = _run_cli(path, "count_2m,kde", "--train-months", "2")
    assert result.exit_code == 0, result.output
    assert "| PAI@5% / count_2m |" in result.output
    kde_row = next(line for line in result.output.splitlines() if line.startswith("| kde |"))
    assert kde_row.split("|")[-2].strip() != "–"


def test_too_wide_a_span_names_a_placeholder_shared_by_many_rows(tmp_path):
    # 15 % of the rows at Boston's "unknown" code: too many for the far rule to drop them
    rng = np.random.default_rng(3)
    n = 2_000
    lon, lat = rng.normal(-71.06, 0.03, n), rng.normal(42.33, 0.03, n)
    unknown = rng.random(n) < 0.15
    lon[unknown], lat[unknown] = -1.0, -1.0
    days = pd.Timestamp("2019-01-01") + pd.to_timedelta(rng.integers(0, 180, n), unit="D")
    path = tmp_path / "boston.csv"
    pd.DataFrame({"Long": lon, "Lat": lat, "OCCURRED_ON_DATE": days}).to_csv(path, index=False)
    args = ["--x-col", "Long", "--y-col", "Lat", "--time-col", "OCCURRED_ON_DATE"]
    result = CliRunner().invoke(
        evaluate_command, [str(path), *args, "--crs", "EPSG:4326", "--methods", "count_3m"]
    )
    assert result.exit_code != 0
    assert f"{int(unknown.sum()):,} rows at (-1, -1)" in str(result.exception)
    assert "--max-distance-km leaves them out" in str(result.exception)


def test_a_time_column_mostly_unread_is_refused_not_scored_with_holes(tmp_path):
    # a merged export: half the rows dated in Finnish, which no format reads
    pts = synthetic_points()
    finnish = {1: "tammikuuta", 2: "helmikuuta", 3: "maaliskuuta", 4: "huhtikuuta"}
    finnish |= {5: "toukokuuta", 6: "kesäkuuta"}
    pts["t"] = [
        f"{t.day}. {finnish[t.month]} {t.year}" if i % 2 else t.strftime("%Y-%m-%d")
        for i, t in enumerate(pts["t"])
    ]
    path = tmp_path / "p.csv"
    pts.to_csv(path, index=False)
    result = _run_cli(path, "count_3m")
    assert result.exit_code != 0
    message = str(result.exception)
    assert "600 of the 1,200 dates in column 't'" in message and "cannot be read" in message
    assert "tammikuuta 2024" in message and "ISO 8601" in message


@pytest.mark.parametrize("methods", ["count_0m", "count_0w"])
def test_a_count_of_nothing_is_refused(tmp_path, methods):
    path = tmp_path / "p.csv"
    synthetic_points().to_csv(path, index=False)
    result = _run_cli(path, methods)
    assert result.exit_code != 0 and "counts no time at all" in str(result.exception)


def test_a_count_longer_than_the_training_window_is_refused(tmp_path):
    # with one training month, count_3m would be count_1m under another name
    path = tmp_path / "p.csv"
    synthetic_points().to_csv(path, index=False)
    result = _run_cli(path, "count_3m,default", "--train-months", "1")
    assert result.exit_code != 0
    assert "name count_1m" in str(result.exception)
    assert _run_cli(path, "count_1m,count_4w,default", "--train-months", "1").exit_code == 0


def test_weekly_steps_over_dates_that_stand_for_months_are_refused(tmp_path):
    # every event dated the 15th of its month: most weeks would have none, one week a month
    pts = synthetic_points()
    pts["t"] = pts["t"].dt.to_period("M").dt.start_time + pd.Timedelta(days=14)
    path = tmp_path / "p.csv"
    pts.to_csv(path, index=False)
    result = _run_cli(path, "count_3m", "--step", "week")
    assert result.exit_code != 0 and "day 15 of its month" in str(result.exception)


def test_one_scored_month_has_no_spread_to_show(tmp_path):
    pts = synthetic_points()
    path, out = tmp_path / "p.csv", tmp_path / "out.json"
    pts[pts["t"] < "2024-05-01"].to_csv(path, index=False)  # four months: one test month
    result = _run_cli(path, "count_3m,kde", "--json", str(out))
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())["methods"]["kde"]["pai_5_sd"] is None
    kde_row = next(line for line in result.output.splitlines() if line.startswith("| kde |"))
    assert "(–)" in kde_row


def test_rows_without_an_incident_id_are_counted_and_said(tmp_path):
    pts = synthetic_points()
    pts["case"] = [f"c{i // 2}" if i % 5 else "" for i in range(len(pts))]
    path = tmp_path / "p.csv"
    pts.to_csv(path, index=False)
    result = _run_cli(path, "count_3m", "--id-col", "case")
    blank = int((pts["case"] == "").sum())
    assert f"{blank} rows without an id, each counted as an incident" in result.output


def test_a_category_with_few_events_gets_a_caution_under_the_table(tmp_path):
    pts = synthetic_points()
    path = tmp_path / "p.csv"
    pts.to_csv(path, index=False)
    assert "Few events" not in _run_cli(path, "count_3m").output  # 200 a month
    few = pts.sample(n=120, random_state=1)  # about 20 a month
    few.to_csv(path, index=False)
    result = _run_cli(path, "count_3m")
    assert result.exit_code == 0, result.output
    per_test_month = few["t"].dt.month.value_counts()[[4, 5, 6]].mean()
    expected = f"Few events: {per_test_month:.0f} a month on average in the test months (under 30)"
    assert expected in result.output


def test_the_study_area_is_the_cells_the_hull_covers_and_every_cell_with_an_event():
    # a 300 m square of 100 m cells, corners on cell corners: the hull covers nine cells; the
    # ring around it only touches it and can hold no event (it added to every method's area)
    square = pd.DataFrame(
        {
            "x": [1000.0, 1300.0, 1000.0, 1300.0, 1150.0],
            "y": [1000.0, 1000.0, 1300.0, 1300.0, 1150.0],
        }
    )
    cells, pos = ev.study_cell_index(square, 100.0)
    covered = {r * 10_000_000 + c for r in (10, 11, 12) for c in (10, 11, 12)}
    # a corner at 1300 m lies in column or row 13, a cell the hull only touches: kept for it
    corners = {10 * 10_000_000 + 13, 13 * 10_000_000 + 10, 13 * 10_000_000 + 13}
    assert set(cells) == covered | corners
    assert (pos >= 0).all()
    # a line of points (a hull without area) keeps the cells its points lie in
    line = pd.DataFrame({"x": [50.0, 150.0, 250.0], "y": [50.0, 50.0, 50.0]})
    cells, pos = ev.study_cell_index(line, 100.0)
    assert set(cells) == {0, 1, 2} and (pos >= 0).all()


@given(st.lists(st.tuples(st.floats(0, 2000), st.floats(0, 2000)), min_size=1, max_size=40))
def test_every_point_lies_in_a_study_cell(xy):
    pts = pd.DataFrame(xy, columns=["x", "y"])
    cells, pos = ev.study_cell_index(pts, 150.0)
    assert (pos >= 0).all()
    assert np.all(np.diff(cells) > 0)  # sorted, no cell twice


def test_one_nearly_empty_test_month_is_named_under_the_table(tmp_path):
    pts = synthetic_points().groupby(synthetic_points()["t"].dt.month).head(60)
    # May keeps eight of its 60 events: it weighs as much as April and June in the means
    may = pts.index[pts["t"].dt.month == 5]
    pts = pts.drop(may[8:])
    path = tmp_path / "p.csv"
    pts.to_csv(path, index=False)
    result = _run_cli(path, "count_3m")
    assert result.exit_code == 0, result.output
    assert "Few events in 1 test month: 2024-05 (8)." in result.output
    assert "Few events:" not in result.output  # the mean (43 a month) is not few
    assert "Warning: months with almost no events" not in result.output  # 8 of 60 is chance


def test_months_of_missing_data_inside_a_file_are_left_out_and_said(tmp_path):
    # 200 events a month and none in March: an outage, not chance. With one training month,
    # April trains on it alone (no events: PAI 1 for every method) and is not scored
    pts = synthetic_points()
    pts = pts[pts["t"].dt.month != 3]
    path, out = tmp_path / "p.csv", tmp_path / "out.json"
    pts.to_csv(path, index=False)
    result = _run_cli(path, "count_1m", "--train-months", "1", "--json", str(out))
    assert result.exit_code == 0, result.output
    assert (
        "Warning: months with almost no events where a typical month has 200: 2024-03 (0 "
        "events); missing data? The test months that train on or fall in them are left out "
        "of the means: 2024-03, 2024-04" in result.stderr
    )
    data = json.loads(out.read_text())
    assert data["missing_months"] == ["2024-03"] and data["left_out"] == ["2024-03", "2024-04"]
    assert data["test_months"] == ["2024-02", "2024-05", "2024-06"]
    assert all(r["n_train"] > 100 for r in data["per_month"]["count_1m"])
    # the library's backtest leaves them out too
    res, _ = ev.backtest(pts, methods=["count_1m"], cell_size_m=250, train_months=1)
    assert sorted(res["month"]) == ["2024-02", "2024-05", "2024-06"]
    # with three training months every test month touches March: refused, naming the fix
    refused = _run_cli(path, "count_3m")
    assert refused.exit_code != 0 and "--period FROM:TO" in str(refused.exception)


def test_missing_months_are_rare_by_chance_and_none_in_sparse_data():
    rng = np.random.default_rng(3)
    months = pd.period_range("2020-01", "2022-12", freq="M")
    for rate in (2, 8, 50, 400):  # Poisson months: chance alone never reads as an outage
        counts = rng.poisson(rate, len(months))
        t = pd.Series(np.repeat([m.start_time for m in months], counts))
        assert missing_months(t) == [], rate
    t = pd.Series([pd.Timestamp("2020-01-05")] * 300 + [pd.Timestamp("2020-03-05")] * 300)
    assert missing_months(t) == [pd.Period("2020-02", "M")]


def test_one_time_for_every_row_names_the_wrong_column(tmp_path):
    pts = synthetic_points().assign(t=pd.Timestamp("2024-06-30 08:00"))
    path = tmp_path / "p.csv"
    pts.to_csv(path, index=False)
    result = _run_cli(path, "count_3m")
    assert result.exit_code != 0
    assert "Every event has the same time" in str(result.exception)
    assert "lower --train-months" not in str(result.exception)


@pytest.mark.parametrize(("train", "expected"), [(1, "in 5 of 5 it forecast as kde"), (3, None)])
def test_the_default_says_when_its_training_window_is_too_short_to_fit_on(
    tmp_path, train, expected
):
    path = tmp_path / "p.csv"
    synthetic_points().to_csv(path, index=False)
    out = tmp_path / "o.json"
    result = _run_cli(path, "kde,default", "--train-months", str(train), "--json", str(out))
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    if expected is None:
        assert "little history" not in result.output and "default_note" not in data
        return
    assert expected in result.output and expected in data["default_note"]
    # and so it is: the default's months are kde's
    rows = zip(data["per_month"]["kde"], data["per_month"]["default"], strict=True)
    for row_kde, row_default in rows:
        assert row_default["pai_5"] == row_kde["pai_5"]


def _write_area(path, polygon, crs="EPSG:3006"):
    import geopandas as gpd

    gpd.GeoDataFrame({"name": ["town"]}, geometry=[polygon], crs=crs).to_file(path)
    return path


def test_a_given_study_area_fixes_the_cells_and_drops_the_points_outside_it(tmp_path):
    import shapely

    pts = synthetic_points()  # 5 × 5 km from (500 000, 6 500 000), 250 m cells
    # an L-shaped town: the square without its upper-right 2.5 × 2.5 km quarter
    x0, y0 = 500_000.0, 6_500_000.0
    town = shapely.Polygon(
        [(x0, y0), (x0 + 5000, y0), (x0 + 5000, y0 + 2500), (x0 + 2500, y0 + 2500),
         (x0 + 2500, y0 + 5000), (x0, y0 + 5000)]
    )  # fmt: skip
    inside = shapely.intersects_xy(town, pts["x"], pts["y"])
    path = tmp_path / "p.csv"
    pts.to_csv(path, index=False)
    area = _write_area(tmp_path / "town.geojson", town)
    out = tmp_path / "o.json"
    result = _run_cli(path, "count_3m", "--area", str(area), "--json", str(out))
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    assert data["n_cells"] == 300  # 400 cells of 250 m less the quarter's 100
    assert f"{(~inside).sum()} dropped: outside --area (first at x " in result.output
    assert f"{inside.sum()} used" in result.output
    assert data["area"] == str(area)


def test_with_a_given_area_a_later_burst_leaves_earlier_months_alone(tmp_path):
    import shapely

    pts = synthetic_points()
    burst = pts[pts["t"].dt.month == 6].head(50).assign(x=509_000.0, y=6_509_000.0)
    both = pd.concat([pts, burst], ignore_index=True)
    x0, y0 = 500_000.0, 6_500_000.0
    area = _write_area(
        tmp_path / "a.gpkg", shapely.box(x0 - 500, y0 - 500, x0 + 10_000, y0 + 10_000)
    )

    def april(frame, *extra):
        path, out = tmp_path / "p.csv", tmp_path / "o.json"
        frame.to_csv(path, index=False)
        result = _run_cli(path, "count_3m,kde", "--json", str(out), *extra)
        assert result.exit_code == 0, result.output
        return json.loads(out.read_text())["per_month"]["kde"][0]["pai_5"]

    # from the points' hull the June burst 9 km away widens the area, and April's score moves
    assert april(pts) != april(both)
    assert april(pts, "--area", str(area)) == april(both, "--area", str(area))


def test_a_study_area_without_polygons_or_crs_or_place_is_refused_with_the_fix(tmp_path):
    import shapely

    path = tmp_path / "p.csv"
    synthetic_points().to_csv(path, index=False)
    points = _write_area(tmp_path / "pts.geojson", shapely.Point(500_000, 6_500_000))
    result = _run_cli(path, "count_3m", "--area", str(points))
    assert result.exit_code != 0 and "holds no polygon (Point)" in str(result.exception)
    far = _write_area(tmp_path / "far.geojson", shapely.box(0, 0, 1000, 1000))
    result = _run_cli(path, "count_3m", "--area", str(far))
    assert result.exit_code != 0 and "No point lies in the study area" in str(result.exception)
    bare = tmp_path / "bare.geojson"
    bare.write_text(
        '{"type": "FeatureCollection", "crs": null, "features": [{"type": "Feature", '
        '"properties": {}, "geometry": {"type": "Polygon", "coordinates": '
        "[[[500000, 6500000], [505000, 6500000], [505000, 6505000], [500000, 6500000]]]}}]}"
    )
    result = _run_cli(path, "count_3m", "--area", str(bare))
    assert result.exit_code != 0 and "coordinates reach x 505000" in str(result.exception)
    no_prj = tmp_path / "town.shp"  # a shapefile without its .prj
    _write_area(no_prj, shapely.box(500_000, 6_500_000, 505_000, 6_505_000))
    no_prj.with_suffix(".prj").unlink()
    result = _run_cli(path, "count_3m", "--area", str(no_prj))
    assert result.exit_code != 0 and "has no CRS" in str(result.exception)


@pytest.mark.parametrize(
    "xy",
    [
        np.random.default_rng(3).normal(500_000.0, 2_000.0, (20_000, 2)),
        # many points on the hull's bottom edge, a grid, and the degenerate: a line, one point
        np.vstack(
            [
                np.random.default_rng(4).uniform(0, 1e3, (500, 2)),
                np.c_[np.arange(300.0), np.zeros(300)],
            ]
        ),
        np.array(np.meshgrid(np.arange(40.0), np.arange(30.0))).reshape(2, -1).T * 150 + 1e6,
        np.c_[np.arange(50.0), 2 * np.arange(50.0)],
        np.array([[5.0, 5.0]] * 3),
    ],
)
def test_the_study_area_hull_is_geos_own_hull_of_all_points(xy):
    import shapely

    assert shapely.equals_exact(
        ev._convex_hull(xy), shapely.convex_hull(shapely.MultiPoint(xy)), tolerance=0.0
    )


@pytest.mark.parametrize("option", ["--json", "--plot"])
def test_an_output_that_cannot_be_written_is_refused_before_the_run(tmp_path, option):
    path = tmp_path / "p.csv"
    synthetic_points().to_csv(path, index=False)
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    target = blocker / "out.json"  # a folder that is a file
    result = _run_cli(path, "count_3m", option, str(target))
    assert result.exit_code != 0
    message = str(result.exception)
    assert f"Cannot write {str(target)!r}" in message and f"Give {option} a path" in message
    assert "evaluate:" not in result.output  # no forecast was run first


def test_a_missing_output_folder_is_made(tmp_path):
    path, out = tmp_path / "p.csv", tmp_path / "new" / "out.json"
    synthetic_points().to_csv(path, index=False)
    result = _run_cli(path, "count_3m", "--json", str(out), "--plot", str(tmp_path / "p.png"))
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())["methods"]["count_3m"]["months"] == 3  # folder made


def test_events_in_one_month_of_each_year_are_warned_of(tmp_path):
    # 60 events in each January of three years: 22 of the 25 months empty, as a monthly file
    # read in the wrong day/month order lands
    pts = synthetic_points().groupby(synthetic_points()["t"].dt.month).head(60)
    pts = pts[pts["t"].dt.month <= 3].copy()
    pts["t"] = [f"{2018 + t.month}-01-{t.day:02d}" for t in pts["t"]]
    path = tmp_path / "p.csv"
    pts.to_csv(path, index=False)
    got = read_points(path, x_col="x", y_col="y", time_col="t", crs="EPSG:3006")
    assert any(
        w.startswith("22 of the 25 months 2019-01–2021-01 hold no event") and "January" in w
        for w in got.attrs["warnings"]
    ), got.attrs["warnings"]
    # a file with events in every month is not
    path.write_text(synthetic_points().to_csv(index=False))
    assert not any(
        "hold no event" in w
        for w in read_points(path, x_col="x", y_col="y", time_col="t", crs="EPSG:3006").attrs[
            "warnings"
        ]
    )


@pytest.mark.parametrize(
    ("option", "value"),
    [("--train-months", "0"), ("--train-months", "-1"), ("--max-distance-km", "0"),
     ("--max-distance-km", "nan"), ("--max-distance-km", "inf"), ("--cell-size-m", "nan"),
     ("--cell-size-m", "0"), ("--plan-cells", "0")],
)  # fmt: skip
def test_counts_and_sizes_below_their_least_are_refused_naming_the_option(tmp_path, option, value):
    # --train-months -1 ran on to a hint to name 'count_-1m'
    path = tmp_path / "p.csv"
    synthetic_points().to_csv(path, index=False)
    result = _run_cli(path, "count_1m", option, value)
    assert result.exit_code == 2
    assert f"Invalid value for '{option}'" in result.output and "count_" not in result.output


def test_a_study_area_mostly_without_events_is_warned_of(tmp_path):
    import shapely

    # the synthetic town fills 5 × 5 km; an --area of 15 × 15 km around it is 89 % empty,
    # and flagging 5 % of it takes the town's busiest cells: PAI grows with the empty area
    path, out = tmp_path / "p.csv", tmp_path / "o.json"
    synthetic_points().to_csv(path, index=False)
    x0, y0 = 500_000.0, 6_500_000.0
    area = _write_area(tmp_path / "a.gpkg", shapely.box(x0, y0, x0 + 15_000, y0 + 15_000))
    result = _run_cli(path, "count_3m", "--area", str(area), "--json", str(out))
    assert result.exit_code == 0, result.output
    said = re.search(
        r"\nWarning: (\d+)% of the study area lies in blocks of \d+ m with no event", result.stderr
    )
    assert said and int(said.group(1)) > 80, result.stderr
    assert "PAI grows with empty area" in result.stderr and "check that --area" in result.stderr
    assert any("PAI grows with empty area" in w for w in json.loads(out.read_text())["warnings"])
    # the town's own hull is not
    plain = _run_cli(path, "count_3m")
    assert plain.exit_code == 0 and "empty area" not in plain.stderr


def test_cells_too_large_for_the_shares_are_warned_of(tmp_path):
    path = tmp_path / "p.csv"
    synthetic_points().to_csv(path, index=False)  # 5 × 5 km
    few = _run_cli(path, "count_3m", "--cell-size-m", "1000")  # 25 cells: 1 % is a quarter of one
    assert few.exit_code == 0, few.output
    assert (
        "Warning: the study area holds 25 cells of 1000 m: 1 % of it is less than one cell, so "
        "PAI@1 % rests on part of a cell" in few.stderr
    )
    assert "--cell-size-m 500 gives about 100 cells" in few.stderr
    one = _run_cli(path, "count_3m", "--cell-size-m", "5000")  # one cell: every PAI is 1
    assert one.exit_code == 0, one.output
    assert "Warning: the study area holds 1 cell of 5000 m: 5 % of it is less than" in one.stderr
    plain = _run_cli(path, "count_3m")  # 250 m: 441 cells
    assert "less than one cell" not in plain.stderr


def test_a_failed_run_leaves_no_old_output_that_looks_like_its_result(tmp_path):
    path, out, png = tmp_path / "p.csv", tmp_path / "o.json", tmp_path / "o.png"
    synthetic_points().to_csv(path, index=False)
    ok = _run_cli(path, "count_3m", "--json", str(out), "--plot", str(png))
    assert ok.exit_code == 0 and out.exists() and png.exists()
    # the next run fails (a period without data): last run's numbers must not stand for it
    failed = _run_cli(
        path, "count_3m", "--json", str(out), "--plot", str(png), "--period", "2030-01:"
    )
    assert failed.exit_code != 0
    assert not out.exists() and not png.exists()


def test_thin_months_kept_at_an_end_are_warned_of_as_the_other_warnings(tmp_path):
    # 20 events a month from September 2023, 200 from January: the thin months hold 6 % of
    # the events, too many to leave out unasked; the --period that would is named
    pts = synthetic_points()
    early = pts.head(80).assign(t=[pd.Timestamp(f"2023-{9 + i // 20}-15") for i in range(80)])
    path, out = tmp_path / "p.csv", tmp_path / "o.json"
    pd.concat([early, pts], ignore_index=True).to_csv(path, index=False)
    result = _run_cli(path, "count_3m", "--json", str(out))
    assert result.exit_code == 0, result.output
    said = (
        "period 2023-09–2024-06 used: its months outside 2024-01–2024-06 hold under 15 % of a "
        "typical month each but 6 % of the events together; --period 2024-01:2024-06 leaves "
        "them out"
    )
    assert f"\nWarning: {said}." in result.stderr
    assert "WARNING" not in result.stderr
    assert said in json.loads(out.read_text())["warnings"]


def test_too_fine_a_grid_for_a_backtest_names_the_cell_size_that_fits(tmp_path):
    rng = np.random.default_rng(5)
    n = 500
    x, y = rng.uniform(0, 60_000, n), rng.uniform(0, 60_000, n)
    days = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 200, n), unit="D")
    path = tmp_path / "wide.csv"
    pd.DataFrame({"x": x + 500_000, "y": y + 6_500_000, "t": days}).to_csv(path, index=False)
    args = ["--x-col", "x", "--y-col", "y", "--time-col", "t", "--crs", "EPSG:3006"]
    result = CliRunner().invoke(
        evaluate_command, [str(path), *args, "--cell-size-m", "20", "--methods", "count_3m"]
    )
    assert result.exit_code != 0
    said = str(result.exception)
    assert "more than 4,000,000" in said
    least = float(said.split("use --cell-size-m ")[1].split()[0])
    assert 20 < least <= 40  # 60 km at 30 m is 2001² = 4.0 million cells
    bounds = (x.min(), y.min(), x.max(), y.max())
    check_grid_size(bounds, cell_size_m=least, max_cells=ev.MAX_CELLS)  # the size named fits
