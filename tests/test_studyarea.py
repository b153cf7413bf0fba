"""Tests of geo.studyarea: a boundary file read as the study area of a backtest."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely

from geo.studyarea import read_area


def test_a_broken_boundary_is_repaired_into_its_polygons_alone(tmp_path):
    # a bowtie (a ring crossing itself, as hand-drawn boundaries can be), and a square with a
    # spike going out and back along one line, which repairs into the square and a line
    bowtie = shapely.Polygon([(0, 0), (100, 100), (100, 0), (0, 100)])
    spiked = shapely.Polygon(
        [(200, 0), (300, 0), (300, 100), (200, 100), (200, 0), (150, -50), (200, 0)]
    )
    path = tmp_path / "area.gpkg"
    gpd.GeoDataFrame(geometry=[bowtie, spiked], crs="EPSG:3006").to_file(path)
    area = read_area(path, crs="EPSG:3006")
    assert area.is_valid and area.geom_type == "MultiPolygon"  # no line left beside them
    assert area.area == pytest.approx(2 * 2_500 + 10_000)  # both triangles and the square


def test_an_area_in_lon_lat_is_projected_to_the_points_crs(tmp_path):
    path = tmp_path / "area.geojson"
    square = shapely.box(14.9, 59.2, 15.0, 59.3)  # near Fjugesta, in degrees
    gpd.GeoDataFrame(geometry=[square], crs="EPSG:4326").to_file(path)
    area = read_area(path, crs="EPSG:3006")
    left, bottom, right, top = area.bounds
    assert 490_000 < left < right < 510_000 and 6_560_000 < bottom < top < 6_580_000
    assert area.area == pytest.approx(5.7e3 * 11.1e3, rel=0.05)  # about 5.7 × 11.1 km
