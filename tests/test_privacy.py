"""Tests of geo.privacy: aggregation, suppression and the shareability check."""

from __future__ import annotations

import json

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from geo import privacy
from geo.errors import CRSError, DataError
from tests import _maps_fixtures as fx


@pytest.fixture(scope="module")
def incidents() -> gpd.GeoDataFrame:
    return fx.incidents()


def test_isolated_farm_event_is_suppressed(incidents):
    cells = privacy.aggregate_for_sharing(incidents, k=5)
    farm = shapely.Point(*fx.FARM_XY)
    assert not cells.geometry.intersects(farm).any()
    assert (cells["n_events"] >= 5).all()
    # the farm is counted: the suppression is what hides it
    every = privacy.cell_counts(incidents)
    assert every.geometry.intersects(farm).any()


def test_output_has_only_shareable_columns_and_polygons(incidents):
    cells = privacy.aggregate_for_sharing(incidents, k=5)
    assert list(cells.columns) == [*privacy.SHARED_COLUMNS, "geometry"]
    assert set(cells.geom_type) == {"Polygon"}
    assert set(cells["time_band"]) == {"hela perioden"}
    text = cells.to_json()
    assert "Observation" not in text
    assert "script" not in text
    assert "2025-03-04" not in text


def test_counts_add_up_to_published_events(incidents):
    cells = privacy.cell_counts(incidents, cell_size_m=1000)
    per_theme = cells.groupby("theme")["n_events"].sum()
    expected = incidents["theme"].value_counts()
    for theme, n in expected.items():
        assert per_theme[theme] == n


def test_larger_k_suppresses_more(incidents):
    # every (cell, theme) with fewer than k events goes, every other one stays: k=5 drops the
    # farm's lone event, k=41 the 40 events per theme at Fjugesta centrum and Badplats Leken
    every = privacy.cell_counts(incidents)
    kept = {k: privacy.aggregate_for_sharing(incidents, k=k) for k in (5, 40, 41)}
    for k, cells in kept.items():
        assert len(cells) == int((every["n_events"] >= k).sum()), k
        assert (cells["n_events"] >= k).all(), k
    assert len(kept[41]) < len(kept[5]) < len(every)


@pytest.mark.parametrize("k", [0, 1, 2])
def test_a_shared_output_hides_at_least_three(incidents, monkeypatch, k):
    # with k 1 or 2 the shared map would show the farm's lone event
    with pytest.raises(DataError, match=r"k = \d is below 3"):
        privacy.aggregate_for_sharing(incidents, k=k)
    with pytest.raises(DataError, match="below 3"):
        privacy.assert_shareable(privacy.aggregate_for_sharing(incidents, k=5), k=k)
    monkeypatch.setattr("geo.settings.privacy_k", k)
    with pytest.raises(DataError, match=r"privacy_k \(geo.toml\) = \d is below 3"):
        privacy.aggregate_for_sharing(incidents)


def test_default_k_comes_from_settings(incidents, monkeypatch):
    monkeypatch.setattr("geo.settings.privacy_k", 30)
    cells = privacy.aggregate_for_sharing(incidents)
    assert len(cells) > 0
    assert cells["n_events"].min() >= 30


def test_urban_areas_get_finer_cells(incidents):
    fjugesta = gpd.GeoSeries([shapely.Point(*fx.FJUGESTA_XY).buffer(400)], crs="EPSG:3006")
    cells = privacy.cell_counts(incidents, urban_areas=fjugesta)
    near = cells[cells.geometry.distance(shapely.Point(*fx.FJUGESTA_XY)) < 300]
    far = cells[cells.geometry.distance(shapely.Point(*fx.LEKEN_XY)) < 300]
    assert set(near["cell_size_m"]) == {250}
    assert set(far["cell_size_m"]) == {1000}
    # nested grid: no cell overlaps another cell of the same theme
    for _, group in cells.groupby("theme"):
        assert group.geometry.union_all().area == pytest.approx(group.area.sum())


def test_bathing_place_events_count_for_theme_b_only(incidents):
    cells = privacy.cell_counts(
        incidents, at_bathing_site=(incidents["place_id"] == "leken").to_numpy()
    )
    n_b = cells.loc[cells["theme"] == "B", "n_events"].sum()
    assert n_b == (incidents["place_id"] == "leken").sum()
    # each event in one theme's cell: B less another theme's cell gives no hidden count
    assert cells["n_events"].sum() == len(incidents)
    at_leken = incidents[incidents["place_id"] == "leken"]
    assert not cells.geometry.intersects(at_leken.union_all()).pipe(
        lambda hit: (hit & (cells["theme"] != "B")).any()
    )


@pytest.mark.parametrize(
    ("band", "pattern"),
    [
        ("month", r"^\d{4}-\d{2}$"),
        ("week", r"^\d{4}-W\d{2}$"),
        ("weekday_band", r"^(vardag|helg)$"),
        ("hour_band", r"^(natt|morgon|dag|kväll) "),
    ],
)
def test_time_bands(incidents, band, pattern):
    cells = privacy.aggregate_for_sharing(incidents, k=privacy.MIN_K, time_band=band)
    assert len(cells) and cells["time_band"].str.match(pattern).all()
    privacy.assert_shareable(cells, k=privacy.MIN_K, time_band=band)


def test_time_band_labels_in_local_time():
    raw = ["2025-03-30 01:30+01:00", "2025-03-30 23:30+02:00", "2024-12-30 12:00+01:00"]
    t = pd.Series(pd.to_datetime(raw, utc=True)).dt.tz_convert("Europe/Stockholm")
    assert list(privacy.time_band_labels(t, "hour_band")) == [
        "natt 00–06",
        "kväll 18–24",
        "dag 12–18",
    ]
    assert list(privacy.time_band_labels(t, "weekday_band")) == ["helg", "helg", "vardag"]
    # ISO week: 2024-12-30 belongs to 2025-W01
    assert list(privacy.time_band_labels(t, "week"))[2] == "2025-W01"


def test_shared_period_is_rounded_to_months(incidents):
    label = privacy.shared_period_label(incidents["occurred_at"])
    assert label == "2024-01 – 2025-12"


def test_assert_shareable_accepts_geojson_in_wgs84(incidents):
    cells = privacy.aggregate_for_sharing(incidents, k=5)
    privacy.assert_shareable(json.loads(cells.to_crs(4326).to_json(drop_id=True)), k=5)


def _good_cells(incidents: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return privacy.aggregate_for_sharing(incidents, k=5)


def test_rejects_points(incidents):
    cells = _good_cells(incidents)
    bad = cells.copy()
    bad.loc[0, "geometry"] = shapely.Point(*fx.FARM_XY)
    with pytest.raises(DataError, match="Point"):
        privacy.assert_shareable(bad, k=5)


def test_rejects_free_text_fields(incidents):
    bad = _good_cells(incidents).assign(description="Tre kända ungdomar langar")
    with pytest.raises(DataError, match="description"):
        privacy.assert_shareable(bad, k=5)


def test_rejects_small_counts(incidents):
    bad = _good_cells(incidents)
    bad.loc[0, "n_events"] = 2
    with pytest.raises(DataError, match="n_events=2"):
        privacy.assert_shareable(bad, k=5)


def test_rejects_times_finer_than_band(incidents):
    bad = _good_cells(incidents)
    bad.loc[0, "time_band"] = "2025-03-04"
    with pytest.raises(DataError, match="time_band"):
        privacy.assert_shareable(bad, k=5, time_band="month")
    weekly = privacy.aggregate_for_sharing(incidents, k=privacy.MIN_K, time_band="week")
    with pytest.raises(DataError, match="finer"):
        privacy.assert_shareable(weekly, k=privacy.MIN_K, time_band="month")


def test_rejects_point_sized_polygons(incidents):
    bad = _good_cells(incidents)
    bad.loc[0, "geometry"] = shapely.Point(*fx.FARM_XY).buffer(20)
    with pytest.raises(DataError, match="smaller"):
        privacy.assert_shareable(bad, k=5)


def test_rejects_bad_parameters(incidents):
    with pytest.raises(DataError, match="at least 250"):
        privacy.aggregate_for_sharing(incidents, cell_size_m=100)
    with pytest.raises(DataError, match="Unknown time band"):
        privacy.aggregate_for_sharing(incidents, time_band="minute")
    with pytest.raises(CRSError):
        privacy.aggregate_for_sharing(incidents.to_crs(4326))


def test_nothing_publishable_gives_empty_frame(incidents):
    cells = privacy.aggregate_for_sharing(incidents.iloc[:3], k=5)
    assert cells.empty
    assert list(cells.columns) == [*privacy.SHARED_COLUMNS, "geometry"]


@settings(max_examples=25, deadline=None)
@given(
    xs=st.lists(st.floats(470_000, 490_000), min_size=1, max_size=60),
    k=st.integers(3, 8),
    seed=st.integers(0, 1000),
)
def test_property_published_cells_never_below_k(xs, k, seed):
    n = len(xs)
    themes = ["N", "T", "S"]
    gdf = gpd.GeoDataFrame(
        {
            "theme": [themes[(i + seed) % 3] for i in range(n)],
            "occurred_at": pd.date_range(
                "2025-01-01", periods=n, freq="37h", tz="Europe/Stockholm"
            ),
        },
        geometry=[shapely.Point(x, 6_565_000 + (i * seed) % 3000) for i, x in enumerate(xs)],
        crs="EPSG:3006",
    )
    cells = privacy.aggregate_for_sharing(gdf, k=k, time_band="month")
    assert (cells["n_events"] >= k).all()
    assert cells["n_events"].sum() <= n
    privacy.assert_shareable(cells, k=k, time_band="month")
