"""Tests of geo.hotspots: grid, clusters, Gi*, emerging classes, place statistics, small numbers."""

from __future__ import annotations

import json
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo import hotspots as hs
from geo.errors import CRSError, DataError
from geo.hotspots.clusters import _dbscan_labels
from geo.hotspots.gistar import _permutation_p, star_weights
from geo.model import category_from_polisen_type, theme_of

X0, Y0 = 480_000.0, 6_560_000.0  # near Fjugesta, EPSG:3006
SIDE = 10_000.0
SPOTS = [(2_000.0, 2_500.0), (7_500.0, 3_000.0), (4_000.0, 8_000.0), (8_000.0, 8_500.0)]


def incidents_at(x, y, *, seed=0, category="skadegorelse", start="2025-01-01", days=365):
    rng = np.random.default_rng([seed, 99])  # a stream independent of the coordinates' one
    n = len(x)
    t = pd.Timestamp(start, tz="Europe/Stockholm") + pd.to_timedelta(
        rng.uniform(0, days * 24, n), unit="h"
    )
    return gpd.GeoDataFrame(
        {
            "incident_id": [f"i{i}" for i in range(n)],
            "source": "kommun",
            "occurred_at": t,
            "category": category,
            "theme": theme_of(category),
            "place_id": None,
            "location_precision_m": 10.0,
        },
        geometry=gpd.points_from_xy(x, y),
        crs="EPSG:3006",
    )


def planted(seed=1, n_background=1500, n_spot=80, sd_m=60.0):
    rng = np.random.default_rng(seed)
    bx = X0 + rng.uniform(0, SIDE, n_background)
    by = Y0 + rng.uniform(0, SIDE, n_background)
    sx = np.concatenate([X0 + cx + rng.normal(0, sd_m, n_spot) for cx, _ in SPOTS])
    sy = np.concatenate([Y0 + cy + rng.normal(0, sd_m, n_spot) for _, cy in SPOTS])
    return incidents_at(np.concatenate([bx, sx]), np.concatenate([by, sy]), seed=seed)


def noise(seed=2, n=2000):
    rng = np.random.default_rng(seed)
    return incidents_at(X0 + rng.uniform(0, SIDE, n), Y0 + rng.uniform(0, SIDE, n), seed=seed)


AREA = (X0, Y0, X0 + SIDE, Y0 + SIDE)
CENTRES = [shapely.Point(X0 + cx, Y0 + cy) for cx, cy in SPOTS]


def test_make_grid_aligns_cells_to_multiples_of_the_size():
    grid = hs.make_grid((1010.0, 2020.0, 1600.0, 2300.0), cell_size_m=250)
    b = grid.total_bounds
    assert list(b) == [1000.0, 2000.0, 1750.0, 2500.0]
    assert len(grid) == 3 * 2 and grid["cell_id"].is_unique
    assert grid.crs.to_epsg() == 3006
    assert np.allclose(grid.area, 250 * 250)
    circle = shapely.Point(10_000, 10_000).buffer(300)
    clipped = hs.make_grid(circle, cell_size_m=250)
    assert clipped.intersects(circle).all() and len(clipped) == 12  # 4 x 4 minus corners


def test_make_grid_rejects_bad_cell_size():
    with pytest.raises(DataError, match="cell_size_m"):
        hs.make_grid((0, 0, 100, 100), cell_size_m=0)


def test_analysis_refuses_geographic_crs():
    with pytest.raises(CRSError, match="projected"):
        hs.spatial_incidents(noise().to_crs(4326))


def test_grid_counts_and_kde_keep_the_events():
    inc = planted()
    grid = hs.grid_counts(inc, cell_size_m=250, area=AREA)
    assert grid["n_events"].sum() == len(inc)
    assert (grid["n_S"] == grid["n_events"]).all()
    kde = hs.risk_surface(grid, cell_size_m=250, bandwidth_m=250)
    assert kde.sum() == pytest.approx(len(inc), rel=0.05)
    top = grid.loc[kde.nlargest(12).index]
    assert all(top.distance(c).min() < 300 for c in CENTRES)
    assert all(min(g.distance(c) for c in CENTRES) < 500 for g in top.geometry)


def _precision_recall(found: gpd.GeoSeries, tolerance_m: float) -> tuple[float, float]:
    near = [any(g.distance(c) <= tolerance_m for c in CENTRES) for g in found]
    precision = float(np.mean(near)) if near else 0.0
    recall = float(np.mean([bool((found.distance(c) <= tolerance_m).any()) for c in CENTRES]))
    return precision, recall


def test_clusters_recover_planted_hotspots():
    hot = hs.find_clusters(planted())
    theme_rows = hot[hot["category"] == "alla"]
    assert set(theme_rows["theme"]) == {"S"}
    precision, recall = _precision_recall(theme_rows.geometry, 0)
    assert precision >= 0.9 and recall >= 0.9
    assert len(theme_rows) == len(SPOTS)
    row = theme_rows.iloc[0]
    assert len(row["how_profile"]) == 168 and sum(row["how_profile"]) == row["n_events"]
    # reports dated only count in a cluster, not in its hours
    dated = planted().assign(time_precision="day")
    for got in hs.find_clusters(dated).to_dict("records"):
        assert got["n_events"] > 0 and sum(got["how_profile"]) == 0
    assert len(row["month_profile"]) == 12 and sum(row["month_profile"]) == row["n_events"]
    assert row["categories"] == ["skadegorelse"] and row["sources"] == ["kommun"]
    assert pd.Timestamp(row["first_seen"]) <= pd.Timestamp(row["last_seen"])
    assert set(hot["category"]) == {"alla", "skadegorelse"}


def test_clusters_find_nothing_in_pure_noise():
    for seed in range(3):
        assert hs.find_clusters(noise(seed=seed)).empty


def test_cluster_trend_leaves_out_a_month_under_way():
    # a cluster with no clear trend over 2025; two days of January 2026 hold 2 events
    rng = np.random.default_rng(4)
    counts = [24, 22, 25, 21, 24, 20, 23, 22, 21, 23, 22, 20]
    parts = []
    months = pd.period_range("2025-01", "2025-12", freq="M")
    for i, (m, n) in enumerate(zip(months, counts, strict=True)):
        parts.append(
            incidents_at(
                X0 + 3000 + rng.normal(0, 40, n),
                Y0 + 3000 + rng.normal(0, 40, n),
                start=str(m.start_time.date()),
                days=m.days_in_month,
                seed=i,
            )
        )
    parts.append(
        incidents_at(X0 + 3000 + rng.normal(0, 40, 2), Y0 + 3000, start="2026-01-01", days=2)
    )
    inc = pd.concat(parts, ignore_index=True)
    now = pd.Timestamp("2026-01-03 08:00", tz="Europe/Stockholm")
    # read as a whole month, the two days were a fall ("minskande"); the data end there,
    # and it is 3 January: either way January is no whole month
    for end in (now, None):
        cluster = hs.find_clusters(inc, end=end).query("category == 'alla'")
        assert list(cluster["trend"]) == ["ingen tydlig trend"]
    # so is December, at an analysis on 20 December: the trend runs to November
    mid_december = pd.Timestamp("2025-12-20", tz="Europe/Stockholm")
    up_to_november = inc[inc["occurred_at"] < pd.Timestamp("2025-12-01", tz="Europe/Stockholm")]
    assert list(hs.find_clusters(inc, end=mid_december).query("category == 'alla'")["trend"]) == (
        list(hs.find_clusters(up_to_november).query("category == 'alla'")["trend"])
    )


def test_a_hot_spot_that_began_in_the_last_months_is_rising():
    # two years of a steady cluster in one corner; a new one appears in the last four months
    # with a steady 6 a month. Over its own months it had no trend; over the data it rises
    rng = np.random.default_rng(12)
    months = pd.period_range("2024-01", "2025-12", freq="M")
    parts = []
    for i, m in enumerate(months):
        spots = [(X0 + 1500, Y0 + 1500, 6)] + ([(X0 + 6000, Y0 + 6000, 6)] if i >= 20 else [])
        for j, (x, y, n) in enumerate(spots):
            parts.append(
                incidents_at(
                    x + rng.normal(0, 40, n), y + rng.normal(0, 40, n), seed=i * 10 + j,
                    start=str(m.start_time.date()), days=m.days_in_month,
                )
            )  # fmt: skip
    inc = pd.concat(parts, ignore_index=True)
    end = pd.Timestamp("2026-01-01", tz="Europe/Stockholm")
    clusters = hs.find_clusters(inc, end=end).query("category == 'alla'")
    trend = {
        "old" if c.centroid.x < X0 + 3000 else "new": t
        for c, t in zip(clusters.geometry, clusters["trend"], strict=True)
    }
    assert trend == {"old": "ingen tydlig trend", "new": "ökande"}


def test_gi_star_recovers_planted_hotspots():
    grid = hs.grid_counts(planted(), cell_size_m=250, area=AREA)
    gi = hs.gi_star(grid, permutations=999, seed=0)
    assert set(gi["hotspot_class"]) <= set(hs.GI_CLASSES)
    hot = gi[gi["significant"] & (gi["gi_z"] > 0)]
    precision, recall = _precision_recall(hot.geometry, 400)
    assert precision >= 0.9 and recall >= 0.9


def test_gi_star_in_pure_noise_stays_within_the_fdr_rate():
    grid = hs.grid_counts(noise(), cell_size_m=250, area=AREA)
    gi = hs.gi_star(grid, permutations=999, seed=0, alpha=0.05)
    assert gi["significant"].mean() <= 0.05
    assert (gi["p_fdr"] >= gi["p_sim"] - 1e-12).all()


def test_gi_star_on_sparse_noise_rarely_claims_any_hot_spot():
    # 60 random events on 1,600 cells: a handful of cells hold enough to be tested, and the
    # FDR must still count every cell (over the tested ones alone, 97 % of draws had "hot"
    # cells). Under pure noise BH bounds the chance of any discovery by alpha.
    claimed = 0
    for seed in range(40):
        grid = hs.grid_counts(noise(seed=seed, n=60), cell_size_m=250, area=AREA)
        gi = hs.gi_star(grid, permutations=0, alpha=0.05)
        claimed += bool(gi["significant"].any())
    assert claimed <= 6  # 5 % of 40 is 2; 6 or more has probability < 0.5 % at alpha


def test_gi_star_with_three_events_says_too_few():
    grid = hs.grid_counts(noise(n=3), cell_size_m=250, area=AREA)
    gi = hs.gi_star(grid, seed=0)
    assert (gi["hotspot_class"] == "för_få_händelser").all()
    assert not gi["significant"].any()


def test_gi_star_on_cells_as_large_as_the_area_says_too_few_cells_not_events(caplog):
    # 800 events in one 20 km cell were labelled "för_få_händelser"
    grid = hs.grid_counts(noise(n=800), cell_size_m=20_000, area=(X0, Y0, X0 + 1, Y0 + 1))
    assert len(grid) == 1 and grid["n_events"].sum() > 700
    gi = hs.gi_star(grid, seed=0)
    assert list(gi["hotspot_class"]) == ["för_få_rutor"]
    assert "för få rutor: 1 grid cells hold" in caplog.text and "use smaller cells" in caplog.text
    # four cells of 40 km, each 3 × 3 neighbourhood holding all four: ej_signifikant before
    (xs, ys) = (
        X0 + np.array([10.0, 50_000, 10.0, 50_000]),
        Y0 + np.array([10.0, 10, 50_000, 50_000]),
    )
    four = hs.grid_counts(
        incidents_at(np.repeat(xs, 200), np.repeat(ys, 200)), cell_size_m=40_000,
        area=(X0, Y0, X0 + 79_000, Y0 + 79_000),
    )  # fmt: skip
    assert len(four) == 4
    assert set(hs.gi_star(four, seed=0)["hotspot_class"]) == {"för_få_rutor"}


def test_emerging_with_too_few_months_says_so_not_zero_events(caplog):
    inc = noise(n=400)  # a year of events
    inc["occurred_at"] = pd.Timestamp("2025-03-03", tz="Europe/Stockholm") + pd.to_timedelta(
        np.arange(400) % 40, unit="D"
    )  # within six weeks: one whole month at most
    out = hs.emerging_hotspots(inc, cell_size_m=500, area=AREA, seed=0)
    assert set(out["pattern"]) <= {hs.TOO_FEW}
    assert "för få tidssteg: the data cover" in caplog.text
    assert "0 events" not in caplog.text


@pytest.mark.parametrize(
    ("hot", "cold", "expected"),
    [
        ([0, 0, 0, 0, 0, 0, 0, 0, 0, 1], [0] * 10, "ny"),
        ([0, 0, 0, 0, 0, 0, 0, 1, 1, 1], [0] * 10, "konsekutiv"),
        ([1] * 10, [0] * 10, "ihållande"),
        ([1, 1, 1, 1, 1, 1, 1, 1, 1, 0], [0] * 10, "historisk"),
        ([1, 0, 0, 1, 0, 1, 0, 0, 1, 1], [0] * 10, "sporadisk"),
        ([1, 0, 0, 0, 0, 0, 0, 0, 1, 1], [0, 0, 1, 1, 0, 0, 0, 0, 0, 0], "oscillerande"),
        ([0] * 10, [0, 0, 0, 0, 0, 0, 0, 0, 0, 1], "ny kall"),
        ([0, 0, 0, 0, 0, 0, 0, 0, 0, 1], [0, 0, 1, 0, 0, 0, 0, 0, 0, 0], "oscillerande"),
        ([0, 0, 0, 0, 0, 0, 0, 0, 1, 1], [1, 0, 0, 0, 0, 0, 0, 0, 0, 0], "oscillerande"),
        ([0, 0, 1, 0, 0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0, 0, 0, 1], "oscillerande kall"),
        ([0] * 10, [0] * 10, "inget mönster"),
    ],
)
def test_emerging_classes_of_constructed_series(hot, cold, expected):
    z = np.where(np.array(hot) == 1, 3.0, np.where(np.array(cold) == 1, -3.0, 0.0))
    z = z + np.random.default_rng(0).normal(0, 0.01, 10)
    assert hs.classify_emerging(hot, cold, z) == expected


def test_emerging_trend_classes_follow_mann_kendall():
    rising = np.linspace(2.5, 9.0, 12)
    assert hs.classify_emerging([1] * 12, [0] * 12, rising) == "intensifierande"
    assert hs.classify_emerging([1] * 12, [0] * 12, rising[::-1]) == "avtagande"
    assert hs.classify_emerging([0] * 12, [1] * 12, -rising) == "intensifierande kall"


def test_emerging_hotspots_find_a_new_hotspot_in_the_last_month():
    rng = np.random.default_rng(3)
    base = noise(seed=3, n=2400)  # spread over 2025
    cx, cy = X0 + 5_125, Y0 + 5_125  # a cell centre
    late = incidents_at(
        cx + rng.normal(0, 40, 60), cy + rng.normal(0, 40, 60), start="2025-12-01", days=30
    )
    inc = pd.concat([base, late], ignore_index=True)
    em = hs.emerging_hotspots(inc, cell_size_m=250, area=AREA)
    assert set(em.columns) >= {"cell_id", "pattern", "geometry"}
    centre = em[em.contains(shapely.Point(cx, cy))]
    assert centre["pattern"].iloc[0] == "ny"
    elsewhere = em[em.distance(shapely.Point(cx, cy)) > 1000]
    assert (elsewhere["pattern"] == "inget mönster").mean() > 0.95


def _monthly(months, per_month, *, seed, hot_per_month=0):
    """Uniform noise month by month, plus ``hot_per_month`` events in one cell (5125, 5125)."""
    rng = np.random.default_rng(seed)
    parts = []
    for i, m in enumerate(pd.period_range(months[0], months[1], freq="M")):
        parts.append(
            incidents_at(
                X0 + rng.uniform(0, SIDE, per_month),
                Y0 + rng.uniform(0, SIDE, per_month),
                seed=seed * 100 + i,
                start=str(m.start_time.date()),
                days=m.days_in_month,
            )
        )
        if hot_per_month:
            parts.append(
                incidents_at(
                    X0 + 5125 + rng.normal(0, 30, hot_per_month),
                    Y0 + 5125 + rng.normal(0, 30, hot_per_month),
                    seed=seed * 100 + 50 + i,
                    start=str(m.start_time.date()),
                    days=m.days_in_month,
                )
            )
    return pd.concat(parts, ignore_index=True)


def test_emerging_hotspots_find_no_pattern_in_sparse_noise():
    # 40 events a month over 100 km², as the store holds: no cell may show a pattern
    for seed in range(4):
        em = hs.emerging_hotspots(
            _monthly(("2025-01", "2025-12"), 40, seed=seed), cell_size_m=250, area=AREA
        )
        assert set(em["pattern"]) == {"inget mönster"}


def test_emerging_hotspots_leave_out_a_month_under_way():
    inc = _monthly(("2025-01", "2025-12"), 100, seed=7, hot_per_month=12)
    centre = shapely.Point(X0 + 5125, Y0 + 5125)
    whole = hs.emerging_hotspots(inc, cell_size_m=250, area=AREA)
    assert whole[whole.contains(centre)]["pattern"].iloc[0] == "ihållande"
    # a week of January 2026 is in the store (none at the hot spot yet); it is 8 January
    rng = np.random.default_rng(9)
    week = incidents_at(
        X0 + rng.uniform(0, SIDE, 25), Y0 + rng.uniform(0, SIDE, 25), start="2026-01-01", days=7
    )
    more = pd.concat([inc, week], ignore_index=True)
    now = pd.Timestamp("2026-01-08 09:00", tz="Europe/Stockholm")
    # read as a thirteenth month, in which the hot spot was not hot, it was "historisk"
    for end in (now, None):  # the week is no whole month, by the clock or by the data
        em = hs.emerging_hotspots(more, cell_size_m=250, area=AREA, end=end)
        row = em[em.contains(centre)].iloc[0]
        assert (row["pattern"], row["n_steps"]) == ("ihållande", 12)


def test_emerging_hotspots_do_not_count_months_not_yet_imported():
    # the store holds 2025; the analysis runs on 3 February 2026 (January not imported)
    inc = _monthly(("2025-01", "2025-12"), 100, seed=7, hot_per_month=12)
    start, end = hs.covered_period(inc, end=pd.Timestamp("2026-02-03", tz="Europe/Stockholm"))
    em = hs.emerging_hotspots(inc, cell_size_m=250, area=AREA, start=start, end=end)
    row = em[em.contains(shapely.Point(X0 + 5125, Y0 + 5125))].iloc[0]
    assert (row["pattern"], row["n_steps"]) == ("ihållande", 12)


def test_emerging_hotspots_keep_empty_months_at_the_end_of_a_window():
    # a hot cell from May; nothing at all happens in December, the window's last month
    inc = _monthly(("2025-01", "2025-11"), 100, seed=8)
    rng = np.random.default_rng(8)
    late = incidents_at(
        X0 + 5125 + rng.normal(0, 30, 60), Y0 + 5125 + rng.normal(0, 30, 60),
        start="2025-11-01", days=30,
    )  # fmt: skip
    inc = pd.concat([inc, late], ignore_index=True)
    start = pd.Timestamp("2025-01-01", tz="Europe/Stockholm")
    end = pd.Timestamp("2026-01-01", tz="Europe/Stockholm")
    em = hs.emerging_hotspots(inc, cell_size_m=250, area=AREA, start=start, end=end)
    row = em[em.contains(shapely.Point(X0 + 5125, Y0 + 5125))].iloc[0]
    assert row["n_steps"] == 12
    assert row["pattern"] != "ny"  # it was hot in November, not in December


def _places():
    return gpd.GeoDataFrame(
        {
            "place_id": ["lanna", "torg"],
            "name": ["Lanna badgruva", "Fjugesta centrum"],
            "kind": ["badplats", "centrum"],
            "themes": [["B"], ["S"]],
            "season_months": [[6, 7, 8], []],
            "aliases": [[], []],
        },
        geometry=[
            shapely.Point(X0 + 1000, Y0 + 1000).buffer(150),
            shapely.Point(X0 + 5000, Y0 + 5000).buffer(200),
        ],
        crs="EPSG:3006",
    )


def test_place_stats_count_per_place_and_compare_with_last_year():
    t = pd.to_datetime(
        [
            "2024-06-10 22:00",
            "2024-07-01 21:00",
            "2025-06-05 23:00",
            "2025-06-20 22:30",
            "2025-07-15 20:00",
            "2025-07-20 22:00",
        ]
    ).tz_localize("Europe/Stockholm")
    inc = incidents_at(np.full(6, X0 + 1000), np.full(6, Y0 + 1000), category="alkohol")
    inc["occurred_at"] = t
    # the data begin in January 2024 (an event at no place), before last year's period
    first = incidents_at([X0 + 9000.0], [Y0 + 9000.0], start="2024-01-15", days=1)
    inc = pd.concat([first, inc], ignore_index=True)
    stats = hs.place_stats(inc, _places(), end=pd.Timestamp("2025-08-01"), period_days=90)
    total = stats[
        (stats["place_id"] == "lanna") & (stats["category"] == "alla") & (stats["theme"] == "alla")
    ].iloc[0]
    assert total["place_name"] == "Lanna badgruva"
    assert total["n_events"] == 6
    assert total["n_period"] == 4 and total["n_period_last_year"] == 2
    assert total["change"] == 2 and total["change_pct"] == pytest.approx(100.0)
    assert total["month_counts"][5] == 3 and total["month_counts"][6] == 3
    assert sum(total["how_profile"]) == 6
    assert total["how_profile"][pd.Timestamp("2025-06-05 23:00").day_of_week * 24 + 23] >= 1
    # a report dated only (stored at midnight) counts, but adds no hour to the profile
    dated = inc.iloc[[-1]].assign(occurred_at=pd.Timestamp("2025-07-22", tz="Europe/Stockholm"))
    more = pd.concat([inc.assign(time_precision="exact"), dated.assign(time_precision="day")])
    again = hs.place_stats(more, _places(), end=pd.Timestamp("2025-08-01"), period_days=90)
    row = again[(again["place_id"] == "lanna") & (again["category"] == "alla")].iloc[0]
    assert row["n_events"] == 7 and sum(row["how_profile"]) == 6
    cat = stats[stats["category"] == "alkohol"]
    assert len(cat) == 1 and cat["theme"].iloc[0] == "N"
    # a place without events is listed with zeros, not left out (a planner reads it as quiet)
    (torg,) = stats[stats["place_id"] == "torg"].to_dict("records")
    assert (torg["category"], torg["n_events"], torg["n_period"]) == ("alla", 0, 0)
    assert torg["n_period_last_year"] == 0 and torg["change"] == 0
    # the period is the 90 whole days before 1 August, named by its first and last day
    assert (total["period_start"], total["period_end"]) == ("2025-05-03", "2025-07-31")
    # before any incident (hotspots --end before the data) every place still has its row
    none = hs.place_stats(inc.iloc[:0], _places(), end=pd.Timestamp("2020-01-01"))
    assert sorted(none["place_id"]) == ["lanna", "torg"] and (none["n_events"] == 0).all()
    assert none["n_period_last_year"].isna().all()  # no data to compare with


def _at_lanna(times):
    """Incidents at Lanna badgruva (of :func:`_places`) at the given times."""
    inc = incidents_at(np.full(len(times), X0 + 1000), np.full(len(times), Y0 + 1000))
    inc["occurred_at"] = times
    return inc


def test_place_stats_make_no_comparison_before_the_data_begin():
    # one event a week at Lanna from March 2025: a flat rate, with no data a year before May
    t = pd.date_range("2025-03-03 20:00", "2025-08-01", freq="7D", tz="Europe/Stockholm")
    inc = _at_lanna(t)
    stats = hs.place_stats(inc, _places(), end=pd.Timestamp("2025-08-01"), period_days=90)
    row = stats[stats["category"] == "alla"].iloc[0]
    assert row["n_period"] == 13
    assert pd.isna(row["n_period_last_year"]) and pd.isna(row["change"])
    assert pd.isna(row["change_pct"])


def test_place_stats_compare_as_many_days_across_a_leap_day():
    # one event a day: the period and last year's hold as many events, 29 February or not
    t = pd.date_range("2023-06-01 12:00", "2025-02-28 12:00", freq="D", tz="Europe/Stockholm")
    inc = _at_lanna(t)
    stats = hs.place_stats(inc, _places(), end=pd.Timestamp("2025-03-01"), period_days=90)
    row = stats[stats["category"] == "alla"].iloc[0]
    assert row["n_period"] == row["n_period_last_year"] == 90
    assert row["change"] == 0


def test_bathing_place_incidents_also_count_for_theme_b():
    rng = np.random.default_rng(5)
    inc = incidents_at(
        X0 + 1000 + rng.normal(0, 30, 40), Y0 + 1000 + rng.normal(0, 30, 40), category="alkohol"
    )
    inc = pd.concat([inc, noise(n=300)], ignore_index=True)
    hot = hs.find_clusters(inc, places=_places())
    b = hot[(hot["theme"] == "B") & (hot["category"] == "alla")]
    assert len(b) == 1 and b["places"].iloc[0] == ["Lanna badgruva"]


def police_events() -> gpd.GeoDataFrame:
    """The real Lekeberg police events, located as the police API does (mostly kommun centroid)."""
    path = (
        Path(__file__).resolve().parent.parent
        / "data"
        / "polisen"
        / "polisen_events_lekeberg_2023-2026.json"
    )
    events = json.loads(path.read_text(encoding="utf-8"))
    lat, lon = zip(*(map(float, e["location"]["gps"].split(",")) for e in events), strict=True)
    cats = [category_from_polisen_type(e["type"]) for e in events]
    pts = gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs=4326).to_crs(3006)
    return gpd.GeoDataFrame(
        {
            "incident_id": [str(e["id"]) for e in events],
            "source": "polisen_api",
            "occurred_at": pd.to_datetime([e["datetime"] for e in events], utc=True).tz_convert(
                "Europe/Stockholm"
            ),
            "category": cats,
            "theme": [theme_of(c) for c in cats],
            "place_id": None,
            # the API places an event at the kommun's (or län's) centroid: precision is kilometres
            "location_precision_m": [
                10_000.0 if e["location"]["name"] in ("Lekeberg", "Örebro län") else 1_000.0
                for e in events
            ],
        },
        geometry=pts.to_numpy(),
        crs="EPSG:3006",
    )


def test_real_police_events_alone_are_too_few_for_any_hotspot(caplog):
    inc = police_events()
    assert 40 <= len(inc) <= 60
    layers = hs.run_analysis(inc, _places().iloc[:0], seed=0, permutations=99)
    assert layers["hotspots"].empty
    assert list(layers["hotspots"].columns) == list(hs.HOTSPOT_COLUMNS)
    assert (layers["gi_grid"]["hotspot_class"] == "för_få_händelser").all()
    assert (layers["emerging"]["pattern"] == "för få händelser").all()
    assert "för få händelser" in caplog.text
    # even if every event were taken as precisely located, 51 points on three spots are no hot spot
    precise = inc.assign(location_precision_m=10.0)
    gi = hs.gi_star(hs.grid_counts(precise, cell_size_m=250), seed=0)
    assert not gi["hotspot_class"].str.startswith("hot").any() or gi["local_events"].max() >= 30


def test_run_analysis_layers_have_documented_columns():
    layers = hs.run_analysis(planted(), _places(), seed=0, permutations=99, area=AREA)
    assert set(layers) == {"grid", "gi_grid", "hotspots", "emerging", "place_stats"}
    assert {"cell_id", "n_events", "risk_kde", "geometry"} <= set(layers["grid"].columns)
    assert list(layers["hotspots"].columns) == list(hs.HOTSPOT_COLUMNS)
    assert all(layer.crs.to_epsg() == 3006 for layer in layers.values())


def store_with(incidents, path):
    from geo import store
    from geo.model import INCIDENT_COLUMNS

    inc = incidents.copy()
    for col in INCIDENT_COLUMNS:
        if col not in inc.columns:
            inc[col] = None
    inc["time_precision"] = "exact"
    inc["weight"] = 1.0
    inc["kommunkod"] = "1814"
    inc["reported_to_police"] = inc["reported_to_police"].fillna(False)
    inc = inc[list(INCIDENT_COLUMNS)]
    batch = store.ImportBatch(
        file="test.csv", file_sha256=str(len(inc)), format="csv", incidents=inc,
        quarantine=pd.DataFrame(columns=["line", "reason", "detail", "raw"]), n_read=len(inc),
    )  # fmt: skip
    store.write_import(batch, path)
    return path


def test_hotspots_cli_writes_every_layer(tmp_path):
    from click.testing import CliRunner

    from geo import store
    from geo.cli.analysis import hotspots_command

    path = store_with(planted(), tmp_path / "s.gpkg")
    result = CliRunner().invoke(
        hotspots_command, ["--store", str(path), "--json", "--permutations", "99", "--seed", "1"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["n_clusters"] >= len(SPOTS) and not data["too_few_events"]
    layers = set(store.list_layers(path))
    assert {"grid", "gi_grid", "hotspots", "emerging", "place_stats"} <= layers
    back = store.read_layer("hotspots", path)
    assert len(back) == data["n_clusters"]
    assert len(json.loads(back["how_profile"].iloc[0])) == 168
    # the largest clusters come first, as the planner reads them, with their places
    sizes = [c["n_events"] for c in data["top_clusters"]]
    assert sizes == sorted(back["n_events"], reverse=True)[: len(sizes)]
    text = CliRunner().invoke(
        hotspots_command, ["--store", str(path), "--permutations", "99", "--seed", "1"]
    )
    assert "Största kluster" in text.stdout
    first = data["top_clusters"][0]
    assert any(
        line.split()[:2] == [str(first["n_events"]), first["theme"]]
        for line in text.stdout.splitlines()
    )


def test_hotspots_cli_options_refuse_what_cannot_run_and_pass_the_rest(tmp_path):
    from click.testing import CliRunner

    from geo import store
    from geo.cli import main

    path = store_with(planted(), tmp_path / "s.gpkg")
    base = ["hotspots", "--store", str(path), "--permutations", "0", "--json"]
    # 10 m cells over the kommun: some 10.5 million cells (over 10 GB) were tried; refused now
    tiny = CliRunner().invoke(main, [*base, "--cell-size-m", "10"])
    assert tiny.exit_code == 1
    least = re.search(r"use --cell-size-m (\d+) or more", tiny.output)
    assert least and 30 <= int(least.group(1)) <= 60, tiny.output
    assert "grid" not in store.list_layers(path)
    for bad in (
        ["--permutations", "-5"], ["--cell-size-m", "0"], ["--cell-size-m", "nan"],
        ["--cell-size-m", "inf"], ["--eps-m", "nan"], ["--min-events", "1"],
    ):  # fmt: skip
        assert CliRunner().invoke(main, [*base, *bad]).exit_code == 2
    # 9 permutations cannot tell a p_sim below 0.1: 0 (none) or at least 99
    few = CliRunner().invoke(main, [*base, "--permutations", "9"])
    assert few.exit_code == 2 and "give 0 (no p_sim) or at least 99" in few.output
    # clusters of at least 1,000 events: none in the planted data
    none = json.loads(CliRunner().invoke(main, [*base, "--min-events", "1000"]).stdout)
    assert none["n_clusters"] == 0
    # as the store stood when 1 July 2025 began: the second half year is left out
    everything = json.loads(CliRunner().invoke(main, base).stdout)["n_incidents"]
    current = store.read_layer("place_stats", path)
    half = json.loads(CliRunner().invoke(main, [*base, "--end", "2025-07-01"]).stdout)
    assert 0.4 * everything < half["n_incidents"] < 0.6 * everything
    assert set(store.read_layer("place_stats_20250701", path)["period_end"]) == {"2025-06-30"}
    assert "hotspots_20250701" in half["layers"]
    # beside the current layers, which the maps draw: those are as they were (review)
    assert store.read_layer("place_stats", path).equals(current)


def test_hotspots_cli_says_when_the_cells_are_too_few_to_compare(tmp_path):
    """Cells as large as the kommun: the printout said nothing of gi_grid's för_få_rutor."""
    from click.testing import CliRunner

    from geo.cli import main

    path = store_with(planted(), tmp_path / "s.gpkg")
    args = ["hotspots", "--store", str(path), "--permutations", "0", "--cell-size-m", "1000000"]
    data = json.loads(CliRunner().invoke(main, [*args, "--json"]).stdout)
    assert data["too_few_cells"] and not data["too_few_events"] and data["n_hot_cells"] == 0
    text = CliRunner().invoke(main, args)
    assert text.exit_code == 0, text.output
    assert "För få rutor:" in text.stdout and "mindre --cell-size-m" in text.stdout
    usual = json.loads(CliRunner().invoke(main, [*args[:-2], "--json"]).stdout)
    assert not usual["too_few_cells"]


def test_the_grid_size_check_names_the_least_cell_size_that_fits():
    from geo.errors import DataError
    from geo.grid import check_grid_size

    bounds = (0.0, 0.0, 30_000.0, 40_000.0)
    with pytest.raises(DataError, match=r"about 12,007,001 cells.*use --cell-size-m 40 or more"):
        check_grid_size(bounds, cell_size_m=10, max_cells=1_000_000)
    check_grid_size(bounds, cell_size_m=40, max_cells=1_000_000)  # 751 × 1,001 cells fit
    with pytest.raises(DataError):
        check_grid_size(bounds, cell_size_m=30, max_cells=1_000_000)


def test_gi_permutation_p_is_esdas_for_the_tested_cells():
    import warnings

    import esda

    grid = hs.grid_counts(planted(n_background=400, n_spot=30), cell_size_m=500, area=AREA)
    y = grid["n_events"].to_numpy(dtype=float)
    _adj, graph = star_weights(grid["cell_id"].to_numpy(), 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        full = esda.G_Local(
            y, graph, transform="B", star=True, permutations=199, seed=5, keep_simulations=False,
            n_jobs=1,
        )  # fmt: skip
    every = np.arange(y.size)
    mine = _permutation_p(
        y, graph.sparse.tocsr(), every, np.asarray(full.Gs), permutations=199, seed=5
    )
    assert np.array_equal(mine, full.p_sim)
    # a subset gets p-values of the same test: the hottest cells beat every permutation
    hot = np.argsort(-full.Zs)[:5]
    sub = _permutation_p(
        y, graph.sparse.tocsr(), hot, np.asarray(full.Gs), permutations=199, seed=5
    )
    assert np.allclose(sub, 1 / 200)


def test_gi_star_reports_no_permutation_p_for_untested_cells():
    grid = hs.grid_counts(planted(), cell_size_m=250, area=(X0, Y0, X0 + 5 * SIDE, Y0 + SIDE))
    # 1,820 events over 8,000 cells: a 3 x 3 block expects about 2, fewer than 3
    gi = hs.gi_star(grid, permutations=99, seed=0)
    untested = gi["local_events"] < 3
    far = gi.geometry.centroid.x > X0 + SIDE + 1000  # no event there, nothing expected
    assert (untested & far).any()
    assert gi.loc[untested & far, "p_sim"].isna().all()
    assert gi.loc[gi["significant"], "p_sim"].notna().all()


def test_pruned_dbscan_labels_equal_plain_dbscan():
    from sklearn.cluster import DBSCAN
    from sklearn.metrics import adjusted_rand_score

    inc = planted(n_background=3000)
    x, y = inc.geometry.x.to_numpy(), inc.geometry.y.to_numpy()
    labels = _dbscan_labels(x, y, eps_m=250.0, min_samples=12)
    snap = 25.0
    key = np.stack([np.round(x / snap), np.round(y / snap)], axis=1)
    uniq, inverse, counts = np.unique(key, axis=0, return_inverse=True, return_counts=True)
    plain = DBSCAN(eps=250.0, min_samples=12).fit(uniq * snap, sample_weight=counts).labels_
    plain = plain[inverse.ravel()]
    assert (labels >= 0).sum() > 200  # the planted spots are found
    assert np.array_equal(labels < 0, plain < 0)
    assert adjusted_rand_score(labels, plain) == pytest.approx(1.0)


def test_report_counts_no_months_before_the_store_begins():
    # the store begins in March 2025; a hot cell every month to November, none in December
    from geo.report.monthly.incidents import emerging_changes

    noise_ = _monthly(("2025-03", "2025-12"), 100, seed=7)
    hot = _monthly(("2025-03", "2025-11"), 0, seed=7, hot_per_month=12)
    table, _notes = emerging_changes(
        pd.concat([noise_, hot], ignore_index=True), _places(), month="2025-12", cell_size_m=250
    )
    frame = table.frame.set_index("Tema")
    # over the 24-month window, 14 months of no data made the cell "konsekutiv" in November
    assert frame.loc["Samverkan och övrigt", "Förra månaden"] == "ihållande"
    assert frame.loc["Samverkan och övrigt", "Denna månad"] == "historisk"


def test_report_waits_for_a_month_the_store_does_not_hold_yet():
    # 24 months to November 2025, a hot spot every month; December not imported yet
    from geo.report.monthly.incidents import emerging_changes

    inc = _monthly(("2023-12", "2025-11"), 100, seed=7, hot_per_month=12)
    table, notes = emerging_changes(inc, _places(), month="2025-12", cell_size_m=250)
    assert table.frame.empty  # not "ihållande → historisk" for every hot spot
    # said where the table stands, not "…: inget att redovisa" then why (read as "no change")
    assert table.empty_text == (
        "jämförs när månaden är hel (lagret täcker inte hela december 2025)"
    )
    assert notes == []


def test_place_stats_end_with_the_data_when_the_store_lags():
    # one event a day at Lanna to Sunday 22 November; the analysis runs on Saturday the 28th
    t = pd.date_range("2024-06-01 12:00", "2025-11-22 12:00", freq="D", tz="Europe/Stockholm")
    inc = _at_lanna(t)
    now = pd.Timestamp("2025-11-28 10:00", tz="Europe/Stockholm")
    layers = hs.run_analysis(inc, _places(), area=AREA, permutations=0, end=now)
    row = layers["place_stats"].query("category == 'alla'").iloc[0]
    assert row["n_period"] == row["n_period_last_year"] == 90  # not 85 against 90
    assert (row["period_start"], row["period_end"]) == ("2025-08-25", "2025-11-22")
    # an analysis dated before the data end (geo run --end) ends its period there
    then = pd.Timestamp("2025-10-01", tz="Europe/Stockholm")
    layers = hs.run_analysis(inc, _places(), area=AREA, permutations=0, end=then)
    assert set(layers["place_stats"]["period_end"]) == {"2025-09-30"}  # the last day counted
    # an end during a day counts that whole day: the dates shown are the days counted
    noon = pd.Timestamp("2025-10-01 14:30", tz="Europe/Stockholm")
    row = hs.place_stats(inc, _places(), end=noon).query("category == 'alla'").iloc[0]
    assert (row["period_start"], row["period_end"], row["n_period"]) == (
        "2025-07-04", "2025-10-01", 90
    )  # fmt: skip


def test_a_few_early_events_do_not_stretch_the_analysed_months():
    # a hot spot every month of 2025 (the kommun's reports began then); before, 8 stray
    # police events over 2023-2024 (0.5 % of the data), none near the hot spot
    inc = _monthly(("2025-01", "2025-12"), 100, seed=7, hot_per_month=12)
    rng = np.random.default_rng(2)
    early = pd.concat(
        [
            incidents_at([X0 + rng.uniform(0, 2e3)], [Y0 + rng.uniform(0, 2e3)], start=d, days=1)
            for d in ("2023-04-03", "2023-07-10", "2023-10-02", "2024-01-15", "2024-03-04",
                        "2024-06-10", "2024-09-09", "2024-11-11")
        ],
        ignore_index=True,
    )  # fmt: skip
    more = pd.concat([early, inc], ignore_index=True)
    start, end = hs.covered_period(more)
    assert pd.Timestamp("2024-12-01") < start <= pd.Timestamp("2025-01-01")  # naive local
    em = hs.emerging_hotspots(more, cell_size_m=250, area=AREA, start=start, end=end)
    row = em[em.contains(shapely.Point(X0 + 5125, Y0 + 5125))].iloc[0]
    # over 33 months from April 2023 the 12 hot ones at the end read "konsekutiv"
    assert (row["pattern"], row["n_steps"]) == ("ihållande", 12)
    # called without the span, it reads the incidents' own span by the same rule
    em = hs.emerging_hotspots(more, cell_size_m=250, area=AREA)
    row = em[em.contains(shapely.Point(X0 + 5125, Y0 + 5125))].iloc[0]
    assert (row["pattern"], row["n_steps"]) == ("ihållande", 12)
