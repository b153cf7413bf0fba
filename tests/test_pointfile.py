"""Tests of geo.pointfile: other cities' open data read for a backtest, every row accounted for."""

from __future__ import annotations

import datetime
import itertools
import json
import re
import unicodedata
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
import xlrd
from _ods import write_ods
from _xls import write_xls
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import CRS

from geo import evaluate as ev
from geo.cli.analysis import evaluate_command
from geo.errors import CRSError, DataError, ImportFileError
from geo.pointarea import check_area
from geo.pointcoords import MIN_FAR_KM, far_from_median, few_places
from geo.pointfile import _filter, read_points
from geo.pointperiod import (
    MAX_GAP_MONTHS,
    MAX_OUTSIDE_SHARE,
    MIN_MONTH_SHARE,
    main_period,
    parse_period,
)
from geo.pointtext import looks_like_a_point, read_numbers, read_pair, read_whole_points
from geo.pointxls import OLE2_MAGIC, read_xls
from geo.studyarea import read_area


def city_rows(n=400, seed=3):
    """A Chicago-like export: lat/lon, US dates with AM/PM, a category column."""
    rng = np.random.default_rng(seed)
    t = pd.Timestamp("2019-01-01") + pd.to_timedelta(rng.uniform(0, 180, n), unit="D")
    return pd.DataFrame(
        {
            "Date": t.strftime("%m/%d/%Y %I:%M:%S %p"),
            "Primary Type": np.where(np.arange(n) % 4 == 0, "THEFT", "NARCOTICS"),
            "Latitude": 41.85 + rng.normal(0, 0.02, n),
            "Longitude": -87.65 + rng.normal(0, 0.02, n),
        }
    )


def city_at(lon, lat, n=400, seed=3):
    """``city_rows`` moved to another city: its points keep their spread around (lon, lat)."""
    df = city_rows(n, seed)
    df["Longitude"] += lon - -87.65
    df["Latitude"] += lat - 41.85
    return df


def lonlat_of(df):
    """The rows' points as a lon/lat GeoSeries."""
    return gpd.GeoSeries(gpd.points_from_xy(df["Longitude"], df["Latitude"]), crs=4326)


def run_evaluate(path, *extra, time_col="Date"):
    """Run ``geo evaluate`` on a lon/lat file with the city exports' column names."""
    return CliRunner().invoke(
        evaluate_command,
        [str(path), "--x-col", "Longitude", "--y-col", "Latitude", "--time-col", time_col,
         "--crs", "EPSG:4326", *extra],
    )  # fmt: skip


def test_every_row_is_used_filtered_or_dropped_with_its_reason(tmp_path):
    df = city_rows()
    narcotics = np.flatnonzero(df["Primary Type"] == "NARCOTICS")
    df.loc[narcotics[0], ["Latitude", "Longitude"]] = np.nan  # not geocoded
    df.loc[narcotics[1], ["Latitude", "Longitude"]] = 0.0  # "null island" code
    df.loc[narcotics[2], "Latitude"] = 95.0  # impossible
    df.loc[narcotics[3], "Date"] = "not recorded"
    df.loc[narcotics[4:6], ["Latitude", "Longitude"]] = [34.05, -118.24]  # geocoded to LA
    path = tmp_path / "chicago.csv"
    df.to_csv(path, index=False)
    got = read_points(
        path, x_col="Longitude", y_col="Latitude", time_col="Date", crs="EPSG:4326",
        where=["Primary Type=NARCOTICS"],
    )  # fmt: skip
    rows = got.attrs["rows"]
    assert rows["read"] == 400 and rows["not matching --where"] == 100
    assert rows["dropped"] == {
        "repeated header": 0, "no location": 1, "impossible location": 2, "no time": 1,
        "far from the others": 2, "outside the period": 0,
    }  # fmt: skip
    assert rows["used"] == len(got) == 400 - 100 - 6
    # each reason names its first row (data rows from 1) and the values that failed
    examples = got.attrs["dropped_examples"]
    assert examples["no time"] == f"data row {narcotics[3] + 1}: Date = 'not recorded'"
    no_place = f"data row {narcotics[0] + 1}: Longitude missing, Latitude missing"
    assert examples["no location"] == no_place
    zero = f"data row {narcotics[1] + 1}: Longitude = '0.0'"
    assert examples["impossible location"].startswith(zero)
    assert got.attrs["crs"] == "EPSG:32616"  # Chicago's UTM zone, not one between it and LA
    assert got.attrs["time_format"] == "%m/%d/%Y %I:%M:%S %p"
    # the study area stays the city's: the two LA points would have stretched it 2,800 km
    span = np.ptp(got["x"]), np.ptp(got["y"])
    assert max(span) < 20_000


def test_a_far_point_is_kept_when_the_limit_says_so_and_the_grid_guard_speaks(tmp_path):
    df = city_rows()
    df.loc[0, ["Latitude", "Longitude"]] = [34.05, -118.24]
    path = tmp_path / "chicago.csv"
    df.to_csv(path, index=False)
    args = {"x_col": "Longitude", "y_col": "Latitude", "time_col": "Date", "crs": "EPSG:4326"}
    got = read_points(path, max_distance_km=5_000, **args)
    assert got.attrs["rows"]["dropped"]["far from the others"] == 0
    with pytest.raises(DataError, match="max-distance-km"):
        ev.backtest(got, methods=["count_3m"], cell_size_m=150)


def test_a_swedish_semicolon_export_with_decimal_commas(tmp_path):
    path = tmp_path / "lekeberg.csv"
    path.write_text(
        "datum;lat;lon;typ\n"
        "13.01.2025;59,1763;14,8575;skadegörelse\n"
        "05.02.2025;59,1770;14,8580;skadegörelse\n",
        encoding="cp1252",
    )
    got = read_points(path, x_col="lon", y_col="lat", time_col="datum", crs="EPSG:4326")
    assert got["t"].tolist() == [pd.Timestamp("2025-01-13"), pd.Timestamp("2025-02-05")]
    assert got.attrs["crs"] == "EPSG:32633"
    assert 50 < np.hypot(*np.diff(got[["x", "y"]].to_numpy(), axis=0)[0]) < 120
    only = read_points(
        path, x_col="lon", y_col="lat", time_col="datum", crs="EPSG:4326",
        where=["typ=skadegörelse"],
    )  # fmt: skip
    assert len(only) == 2


def test_a_filter_that_matches_nothing_names_the_values_there_are(tmp_path):
    path = tmp_path / "chicago.csv"
    city_rows().to_csv(path, index=False)
    with pytest.raises(ImportFileError, match=r"'NARCOTICS' \(300\), 'THEFT' \(100\)"):
        read_points(
            path, x_col="Longitude", y_col="Latitude", time_col="Date", crs="EPSG:4326",
            where=["Primary Type=DRUGS"],
        )  # fmt: skip


def test_a_time_column_nothing_reads_names_the_column_and_a_value(tmp_path):
    path = tmp_path / "chicago.csv"
    df = city_rows()
    df["Date"] = "sometime"
    df.to_csv(path, index=False)
    with pytest.raises(ImportFileError, match=r"400 of the 400 dates in column 'Date'.*'sometime'"):
        read_points(path, x_col="Longitude", y_col="Latitude", time_col="Date", crs="EPSG:4326")
    # a column saying 'unknown' throughout has no times at all: said so, naming row and value
    df["Date"] = "unknown"
    df.to_csv(path, index=False)
    with pytest.raises(ImportFileError, match=r"400 no time \(first data row 1: Date = 'unknown'"):
        read_points(path, x_col="Longitude", y_col="Latitude", time_col="Date", crs="EPSG:4326")


def test_polygons_in_a_geopackage_count_at_a_point_on_their_surface(tmp_path):
    path = tmp_path / "areas.gpkg"
    ring = shapely.box(500_000, 6_500_000, 500_100, 6_500_100)
    gpd.GeoDataFrame(
        {"when": pd.to_datetime(["2024-01-03", "2024-01-04"])},
        geometry=[ring, shapely.Point(500_300, 6_500_300)],
        crs=3006,
    ).to_file(path)
    got = read_points(path, x_col=None, y_col=None, time_col="when", crs=None)
    # read from the text the file holds, as a CSV's column is
    assert got.attrs["crs"] == "EPSG:3006" and got.attrs["time_format"] == "%Y-%m-%dT%H:%M:%S"
    assert list(got["t"]) == list(pd.to_datetime(["2024-01-03", "2024-01-04"]))
    assert ring.contains(shapely.Point(got["x"][0], got["y"][0]))
    assert (got["x"][1], got["y"][1]) == (500_300, 6_500_300)


def test_times_with_an_offset_read_alike_from_geojson_and_csv(tmp_path):
    # GDAL moves a GeoJSON time with an offset to UTC: 18:52-07:00 on New Year's Eve became
    # 1 January, another month than the same text in a CSV
    times = ["2019-12-31T18:52:00-07:00", "2019-06-30T20:00:00-06:00"] * 20
    xs = [-104.95 + i * 1e-3 for i in range(len(times))]
    feats = [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [x, 39.74]},
         "properties": {"T": t}}
        for x, t in zip(xs, times, strict=True)
    ]  # fmt: skip
    geojson = tmp_path / "off.geojson"
    geojson.write_text(json.dumps({"type": "FeatureCollection", "features": feats}))
    csv = tmp_path / "off.csv"
    pd.DataFrame({"T": times, "x": xs, "y": 39.74}).to_csv(csv, index=False)
    g = read_points(geojson, x_col=None, y_col=None, time_col="T", crs=None, period=":")
    c = read_points(csv, x_col="x", y_col="y", time_col="T", crs="EPSG:4326", period=":")
    assert list(g["t"]) == list(c["t"])
    assert pd.Timestamp("2019-12-31 18:52") in set(g["t"])


def test_the_cli_prints_the_row_account_and_writes_it_to_the_json(tmp_path):
    df = city_rows()
    df.loc[[1, 2], ["Latitude", "Longitude"]] = 0.0
    path, out = tmp_path / "chicago.csv", tmp_path / "out.json"
    df.to_csv(path, index=False)
    result = run_evaluate(path, "--methods", "count_1m", "--train-months", "1", "--json", str(out))
    assert result.exit_code == 0, result.output
    assert (
        "400 rows read; 398 used; 2 dropped: impossible location (first data row 2: "
        "Longitude = '0.0', Latitude = '0.0')" in result.stderr
    )
    data = json.loads(out.read_text())
    assert data["rows"]["used"] == data["n_points"] == 398
    assert data["time_format"] == "%m/%d/%Y %I:%M:%S %p"


def test_a_missing_column_is_named_with_the_columns_there_are(tmp_path):
    path = tmp_path / "chicago.csv"
    city_rows().to_csv(path, index=False)
    args = {"x_col": "Longitude", "y_col": "Latitude", "time_col": "Date", "crs": "EPSG:4326"}
    with pytest.raises(ImportFileError, match=r"no column\(s\) \['Lat'\].*'Latitude'"):
        read_points(path, **{**args, "y_col": "Lat"}, where=["Primary Type=NARCOTICS"])
    with pytest.raises(
        ImportFileError,
        match=r"no column\(s\) \['Type'\] \(named in --where 'Type=NARCOTICS'\); "
        r"its columns are .*'Primary Type'",
    ):
        read_points(path, **args, where=["Type=NARCOTICS"])
    with pytest.raises(ImportFileError, match=r"Filter 'NARCOTICS' must be COLUMN=VALUE"):
        read_points(path, **args, where=["NARCOTICS"])
    # a name written in another case, or mistyped, is pointed to the column meant
    with pytest.raises(ImportFileError, match=r"\['date'\]; did you mean 'Date' for 'date'\?"):
        read_points(path, **{**args, "time_col": "date"})
    with pytest.raises(ImportFileError, match=r"did you mean 'Longitude' for 'Longitdue'\?"):
        read_points(path, **{**args, "x_col": "Longitdue"})
    with pytest.raises(ImportFileError, match=r"\['when'\]; its columns are"):  # nothing near
        read_points(path, **{**args, "time_col": "when"})


@pytest.mark.parametrize("suffix", [".csv.gz", ".csv.zip", ".csv.bz2"])
def test_a_compressed_export_reads_like_the_plain_one(tmp_path, suffix):
    df = city_rows()
    plain, packed = tmp_path / "city.csv", tmp_path / f"city{suffix}"
    df.to_csv(plain, sep=";", index=False)
    df.to_csv(packed, sep=";", index=False)  # pandas compresses by the suffix
    args = {"x_col": "Longitude", "y_col": "Latitude", "time_col": "Date", "crs": "EPSG:4326"}
    pd.testing.assert_frame_equal(read_points(packed, **args), read_points(plain, **args))


def test_filters_on_one_column_keep_any_of_their_values_and_columns_combine(tmp_path):
    df = city_rows()
    df["Arrest"] = np.where(np.arange(len(df)) % 2 == 0, "true", "false")
    path = tmp_path / "chicago.csv"
    df.to_csv(path, index=False)
    args = {"x_col": "Longitude", "y_col": "Latitude", "time_col": "Date", "crs": "EPSG:4326"}
    both = read_points(path, **args, where=["Primary Type=NARCOTICS", "Primary Type= THEFT "])
    assert len(both) == 400
    arrests = read_points(
        path, **args, where=["Primary Type=NARCOTICS", "Arrest=true", "Primary Type=THEFT"]
    )
    assert len(arrests) == 200 and arrests.attrs["rows"]["not matching --where"] == 200


def late_reports_export(seed=5):
    """A year's export (2020) as NYPD's complaint data come: ~100 events a month, 20 dated
    2015–2019 (reported late or mistyped) and the first two days of January 2021."""
    rng = np.random.default_rng(seed)
    bulk = pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.uniform(0, 366, 1200), unit="D")
    late = pd.Timestamp("2015-01-01") + pd.to_timedelta(rng.uniform(0, 5 * 365, 20), unit="D")
    tail = pd.to_datetime(["2021-01-01", "2021-01-02", "2021-01-02"])
    t = pd.DatetimeIndex(np.concatenate([late.values, bulk.values, tail.values]))
    n = len(t)
    return pd.DataFrame(
        {
            "CMPLNT_FR_DT": t.strftime("%m/%d/%Y"),
            "Latitude": 40.75 + rng.normal(0, 0.02, n),
            "Longitude": -73.98 + rng.normal(0, 0.02, n),
        }
    )


def test_events_dated_years_before_a_years_export_are_left_out_and_counted(tmp_path):
    path = tmp_path / "nypd.csv"
    late_reports_export().to_csv(path, index=False)
    args = {"x_col": "Longitude", "y_col": "Latitude", "time_col": "CMPLNT_FR_DT"}
    got = read_points(path, crs="EPSG:4326", **args)
    assert got.attrs["period"] == "2020-01:2020-12" and got.attrs["period_source"] == "found"
    assert got.attrs["rows"]["dropped"]["outside the period"] == 23
    assert len(got) == 1200 and got["t"].min() >= pd.Timestamp("2020-01-01")
    assert got.attrs["dropped_examples"]["outside the period"].startswith(
        "data row 1: CMPLNT_FR_DT = "
    )
    # without this, the backtest would run 70 months from 2015, most of them empty
    results, _ = ev.backtest(got, methods=["count_1m"], cell_size_m=500, train_months=3)
    assert results["month"].tolist() == [f"2020-{m:02d}" for m in range(4, 13)]
    # a period given is kept as given, and either side may be left open
    spring = read_points(path, crs="EPSG:4326", period="2020-03:2020-05", **args)
    assert sorted(spring["t"].dt.month.unique()) == [3, 4, 5]
    assert spring.attrs["period_source"] == "given"
    everything = read_points(path, crs="EPSG:4326", period=":", **args)
    assert len(everything) == 1223
    assert everything.attrs["period"].startswith("2015-")
    assert everything.attrs["period"].endswith(":2021-01")


def test_the_cli_says_which_period_it_used(tmp_path):
    path, out = tmp_path / "nypd.csv", tmp_path / "out.json"
    late_reports_export().to_csv(path, index=False)
    result = run_evaluate(
        path, "--methods", "count_1m", "--cell-size-m", "500", "--json", str(out),
        time_col="CMPLNT_FR_DT",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "23 dropped: outside the period (found period 2020-01–2020-12, first data row 1" in (
        result.stderr
    )
    assert json.loads(out.read_text())["period"] == "2020-01:2020-12"
    bad = run_evaluate(path, "--period", "2020-13:2020-12", time_col="CMPLNT_FR_DT")
    assert isinstance(bad.exception, DataError) and "'2020-13' is not a month" in str(bad.exception)


def test_a_seasonal_rural_file_keeps_its_quiet_winter_months():
    # a bathing site: most events in summer, a few every winter month
    per_month = [3, 2, 4, 6, 20, 45, 60, 40, 8, 4, 2, 3]
    months = pd.PeriodIndex(
        [pd.Period(f"2025-{m:02d}", freq="M") for m, n in enumerate(per_month, 1) for _ in range(n)]
    )
    assert main_period(months) == (pd.Period("2025-01", "M"), pd.Period("2025-12", "M"))


@given(st.lists(st.integers(min_value=0, max_value=60), min_size=1, max_size=40))
def test_the_main_period_starts_and_ends_on_filled_months_without_year_long_gaps(counts):
    if not any(counts):
        counts = [*counts, 1]
    months = pd.PeriodIndex(
        [pd.Period("2019-01", "M") + i for i, n in enumerate(counts) for _ in range(n)]
    )
    first, last = main_period(months)
    have = pd.Series(counts, index=pd.period_range("2019-01", periods=len(counts), freq="M"))
    typical = float(np.median(np.repeat(counts, counts)))  # the month of the median event
    threshold = MIN_MONTH_SHARE * typical
    assert first <= last
    left_out = have.sum() - have[first:last].sum()
    # never more than 5 % of the events, unless thin months run on for over a year
    long_run = max(first.ordinal - months.min().ordinal, months.max().ordinal - last.ordinal)
    assert left_out <= MAX_OUTSIDE_SHARE * have.sum() or long_run > MAX_GAP_MONTHS
    if left_out == 0:  # the whole file: nothing thin at the ends, or too much to leave out
        assert (first, last) == (months.min(), months.max())
        return
    # an end that was cut is a filled month
    assert first == months.min() or have[first] >= threshold
    assert last == months.max() or have[last] >= threshold
    # inside the period no stretch of more than a year lacks a filled month
    filled = [p.ordinal for p in have[first:last].index if have[p] >= threshold]
    assert all(b - a <= MAX_GAP_MONTHS for a, b in itertools.pairwise(filled))


def test_late_reports_dated_years_back_are_left_out_even_when_many():
    # a year's export where 10 % of the complaints began in the eight years before it
    per_month = {f"{y}-{m:02d}": 20 for y in range(2011, 2019) for m in range(1, 13)}
    per_month |= {f"2019-{m:02d}": 1000 for m in range(1, 13)}
    months = pd.PeriodIndex(
        [pd.Period(m, freq="M") for m, n in per_month.items() for _ in range(n)]
    )
    assert main_period(months) == (pd.Period("2019-01", "M"), pd.Period("2019-12", "M"))


def test_a_month_with_most_of_the_events_does_not_make_the_others_thin():
    # a data dump: 10,000 events in March, 100 in each other month of the year
    per_month = [100, 100, 10_000, *[100] * 9]
    months = pd.PeriodIndex(
        [pd.Period(f"2025-{m:02d}", freq="M") for m, n in enumerate(per_month, 1) for _ in range(n)]
    )
    assert main_period(months) == (pd.Period("2025-01", "M"), pd.Period("2025-12", "M"))


@given(st.integers(1990, 2040), st.integers(1, 12), st.integers(0, 30))
def test_a_period_written_as_months_reads_back(year, month, span):
    first = pd.Period(f"{year}-{month:02d}", "M")
    last = first + span
    assert parse_period(f"{first}:{last}") == (first, last)
    assert parse_period(f"{first}:") == (first, None)
    assert parse_period(f" :{last}") == (None, last)
    if span:
        with pytest.raises(DataError, match="FROM not after TO"):
            parse_period(f"{last}:{first}")


@pytest.mark.parametrize("text", ["2020", "2020-1:2020-02", "2020-00:", "jan:feb", "2020-01"])
def test_a_period_that_is_not_two_months_is_refused_with_an_example(text):
    with pytest.raises(DataError, match="2019-01:2019-12"):
        parse_period(text)


def test_state_plane_feet_are_read_into_metres(tmp_path):
    # Chicago's export also gives "X Coordinate"/"Y Coordinate" in Illinois East, US feet
    df = city_rows()
    lonlat = gpd.GeoSeries(gpd.points_from_xy(df["Longitude"], df["Latitude"]), crs=4326)
    feet = lonlat.to_crs(3435)
    df["X Coordinate"], df["Y Coordinate"] = feet.x.round(0), feet.y.round(0)
    path = tmp_path / "chicago.csv"
    df.to_csv(path, index=False)
    got = read_points(
        path, x_col="X Coordinate", y_col="Y Coordinate", time_col="Date", crs="EPSG:3435"
    )
    assert got.attrs["crs"] == "EPSG:32616"
    want = lonlat.to_crs(32616)
    # a foot of rounding is 0.3 m; a foot read as a metre would be off by hundreds of km
    assert np.abs(got["x"].to_numpy() - want.x.to_numpy()).max() < 0.5
    assert np.abs(got["y"].to_numpy() - want.y.to_numpy()).max() < 0.5


def test_a_geopackage_layer_is_chosen_by_name_and_a_wrong_one_is_named(tmp_path):
    # the tool's own store is such a file: incidents beside grids, hotspots and places
    path = tmp_path / "store.gpkg"
    box = shapely.box(500_000, 6_500_000, 500_100, 6_500_100)
    gpd.GeoDataFrame({"name": ["Lanna"]}, geometry=[box], crs=3006).to_file(path, layer="places")
    gpd.GeoDataFrame(
        {"occurred_at": pd.to_datetime(["2024-01-03", "2024-02-04"])},
        geometry=[shapely.Point(500_010, 6_500_010), shapely.Point(500_300, 6_500_300)],
        crs=3006,
    ).to_file(path, layer="incidents")
    args = {"x_col": None, "y_col": None, "time_col": "occurred_at", "crs": None}
    got = read_points(path, layer="incidents", **args)
    assert len(got) == 2 and got.attrs["layer"] == "incidents (of 2 layers)"
    with pytest.raises(
        ImportFileError,
        match=r"layer places \(of 2 layers\).*--layer; the layers are \['places', 'incidents'\]",
    ):
        read_points(path, **args)  # the first layer has no such column
    with pytest.raises(ImportFileError, match=r"no layer 'händelser'.*\['places', 'incidents'\]"):
        read_points(path, layer="händelser", **args)
    csv = tmp_path / "chicago.csv"
    city_rows().to_csv(csv, index=False)
    with pytest.raises(ImportFileError, match="no layers; leave out --layer"):
        read_points(
            csv, x_col="Longitude", y_col="Latitude", time_col="Date", crs="EPSG:4326",
            layer="incidents",
        )  # fmt: skip


def test_degrees_given_as_metres_and_metres_given_as_degrees_are_named(tmp_path):
    df = city_rows()
    path = tmp_path / "chicago.csv"
    df.to_csv(path, index=False)
    args = {"x_col": "Longitude", "y_col": "Latitude", "time_col": "Date"}
    with pytest.raises(CRSError, match=r"look like longitude/latitude.*pass --crs EPSG:4326"):
        read_points(path, crs="EPSG:3435", **args)
    feet = gpd.GeoSeries(gpd.points_from_xy(df["Longitude"], df["Latitude"]), crs=4326)
    df["Longitude"], df["Latitude"] = feet.to_crs(3435).x, feet.to_crs(3435).y
    df.to_csv(path, index=False)
    with pytest.raises(CRSError, match=r"not degrees.*pass the projected CRS"):
        read_points(path, crs="EPSG:4326", **args)


def test_an_unknown_method_is_named_before_the_file_is_read(tmp_path):
    path = tmp_path / "chicago.csv"
    city_rows().to_csv(path, index=False)
    result = CliRunner().invoke(
        evaluate_command,
        [str(path), "--x-col", "Lon", "--y-col", "Lat", "--time-col", "When",
         "--methods", "count_3m,kde_fast"],
    )  # fmt: skip
    # the columns are wrong too, but the method is what is said first: nothing was read
    assert isinstance(result.exception, DataError)
    assert "Unknown forecast method 'kde_fast'" in str(result.exception)


def test_an_incident_with_several_offence_lines_counts_once(tmp_path):
    # SFPD's exports give one row per offence line: five lines of one arrest are one event
    df = city_rows()
    df["IncidntNum"] = [f"12{i:07d}" for i in range(len(df))]
    narcotics = np.flatnonzero(df["Primary Type"] == "NARCOTICS")
    repeat = df.loc[[narcotics[0]] * 4]  # four more lines of the first narcotics incident
    unnumbered = df.loc[[narcotics[1]] * 2].assign(IncidntNum="")  # no id: each row counts
    path = tmp_path / "sfpd.csv"
    pd.concat([df, repeat, unnumbered], ignore_index=True).to_csv(path, index=False)
    args = {"x_col": "Longitude", "y_col": "Latitude", "time_col": "Date", "crs": "EPSG:4326"}
    every_row = read_points(path, **args, where=["Primary Type=NARCOTICS"])
    per_incident = read_points(path, **args, where=["Primary Type=NARCOTICS"], id_col="IncidntNum")
    assert len(every_row) == 300 + 4 + 2
    assert len(per_incident) == 300 + 2
    rows = per_incident.attrs["rows"]
    assert rows["repeated incident"] == 4
    # nothing is lost: every row read is used, filtered, a repeat or dropped with a reason
    assert rows["read"] == (
        rows["not matching --where"] + rows["repeated incident"] + rows["used"]
        + sum(rows["dropped"].values())
    )  # fmt: skip
    result = run_evaluate(
        path, "--id-col", "IncidntNum", "--methods", "count_1m", "--train-months", "1"
    )
    assert result.exit_code == 0, result.output
    assert "4 further rows of an incident already counted" in result.stderr


def test_an_incident_is_placed_by_its_first_line_with_a_location(tmp_path):
    # the first offence line of ten arrests has no coordinates, the second has them
    df = city_rows()
    df = df[df["Primary Type"] == "NARCOTICS"].head(40).reset_index(drop=True)
    df["IncidntNum"] = [f"12{i:07d}" for i in range(len(df))]
    first_lines = df.head(10).assign(Latitude="", Longitude="")
    path = tmp_path / "sfpd.csv"
    pd.concat([first_lines, df], ignore_index=True).to_csv(path, index=False)
    args = {"x_col": "Longitude", "y_col": "Latitude", "time_col": "Date", "crs": "EPSG:4326"}
    points = read_points(path, **args, id_col="IncidntNum", period=":")
    rows = points.attrs["rows"]
    assert rows["used"] == 40 and rows["dropped"]["no location"] == 0
    assert rows["repeated incident"] == 10
    # an incident none of whose lines has a location is still counted once, as dropped
    both = pd.concat([first_lines, first_lines, df.iloc[10:]], ignore_index=True)
    both.to_csv(path, index=False)
    rows = read_points(path, **args, id_col="IncidntNum", period=":").attrs["rows"]
    assert (rows["used"], rows["dropped"]["no location"], rows["repeated incident"]) == (30, 10, 10)


def police_uk_month(month, n, rng):
    """One of data.police.uk's monthly street-crime files (month-only dates, some unlocated)."""
    lon = -0.12 + rng.normal(0, 0.03, n)
    lat = 51.50 + rng.normal(0, 0.02, n)
    df = pd.DataFrame(
        {
            "Crime ID": [f"{month}-{i}" for i in range(n)],
            "Month": month,
            "Reported by": "Metropolitan Police Service",
            "Longitude": lon.round(6).astype(str),
            "Latitude": lat.round(6).astype(str),
            "Location": "On or near Parking Area",
            "Crime type": np.where(np.arange(n) % 3 == 0, "Drugs", "Criminal damage and arson"),
        }
    )
    df.loc[1, ["Longitude", "Latitude"]] = ""  # no location given
    return df


def test_a_zip_of_monthly_police_files_is_read_as_one_table(tmp_path):
    rng = np.random.default_rng(7)
    path = tmp_path / "0a1b2c.zip"  # data.police.uk names its downloads by a hash
    months = ["2019-01", "2019-02", "2019-03", "2019-04", "2019-05"]
    with zipfile.ZipFile(path, "w") as z:
        for m in months:
            text = police_uk_month(m, 60, rng).to_csv(index=False)
            z.writestr(f"{m}/{m}-metropolitan-street.csv", text)
    got = read_points(
        path, x_col="Longitude", y_col="Latitude", time_col="Month", crs="EPSG:4326",
        where=["Crime type=Drugs"],
    )  # fmt: skip
    assert got.attrs["files"] == 5 and got.attrs["rows"]["read"] == 300
    assert got.attrs["rows"]["not matching --where"] == 200
    assert got.attrs["rows"]["dropped"]["no location"] == 0  # row 2 of each file is not drugs
    assert got.attrs["time_format"] == "%Y-%m"
    assert sorted(got["t"].dt.strftime("%Y-%m").unique()) == months
    # every row, drugs or not: the first unlocated one is named in its own file
    every = read_points(
        path, x_col="Longitude", y_col="Latitude", time_col="Month", crs="EPSG:4326"
    )
    assert every.attrs["rows"]["dropped"]["no location"] == 5
    assert every.attrs["dropped_examples"]["no location"] == (
        "data row 2 of 2019-01/2019-01-metropolitan-street.csv: Longitude missing, Latitude missing"
    )
    result = run_evaluate(path, "--methods", "count_1m", "--train-months", "1", time_col="Month")
    assert result.exit_code == 0, result.output
    assert "300 rows read from 5 files" in result.stderr


def test_a_file_in_the_zip_without_the_columns_is_named(tmp_path):
    rng = np.random.default_rng(8)
    path = tmp_path / "download.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("2019-01/a.csv", police_uk_month("2019-01", 20, rng).to_csv(index=False))
        broken = police_uk_month("2019-02", 20, rng).rename(columns={"Latitude": "Lat"})
        z.writestr("2019-02/b.csv", broken.to_csv(index=False))
    with pytest.raises(
        ImportFileError, match=r"'2019-02/b.csv' in .* has no column\(s\) \['Latitude'\]"
    ):
        read_points(path, x_col="Longitude", y_col="Latitude", time_col="Month", crs="EPSG:4326")


@settings(max_examples=40, deadline=None)
@given(
    st.tuples(st.floats(-170, 170), st.floats(-70, 70)).filter(
        lambda c: abs(c[0]) > 2 or abs(c[1]) > 2  # not around (0, 0), the "not geocoded" code
    ),
    st.lists(st.tuples(st.floats(-1, 1), st.floats(-1, 1)), min_size=3, max_size=30),
    st.sampled_from(["EPSG:3006", "EPSG:32633", "EPSG:3435"]),
)
def test_degrees_under_a_metre_crs_are_refused_and_read_under_wgs84(
    tmp_path_factory, centre, offsets, crs
):
    # a city anywhere on earth, its points within a degree of its centre
    path = tmp_path_factory.mktemp("units") / "points.csv"
    pd.DataFrame(
        {
            "lon": [centre[0] + dx for dx, _ in offsets],
            "lat": [centre[1] + dy for _, dy in offsets],
            "t": "2024-01-05",
        }
    ).to_csv(path, index=False)
    args = {"x_col": "lon", "y_col": "lat", "time_col": "t"}
    with pytest.raises(CRSError, match="look like longitude/latitude"):
        read_points(path, crs=crs, **args)
    got = read_points(path, crs="EPSG:4326", **args)
    assert len(got) == len(offsets)  # read as degrees, every point kept


def test_a_sheet_of_an_excel_workbook_is_read_with_its_dates(tmp_path):
    # a kommun's own export: a notes sheet first, the incidents (real Excel dates) second
    df = city_rows()
    path = tmp_path / "händelser.xlsx"
    with pd.ExcelWriter(path, engine="openpyxl") as book:
        notes = pd.DataFrame({"Om filen": ["Export från ärendesystemet"]})
        notes.to_excel(book, sheet_name="Om", index=False)
        df.assign(Date=pd.to_datetime(df["Date"], format="%m/%d/%Y %I:%M:%S %p")).to_excel(
            book, sheet_name="Händelser", index=False
        )
    args = {"x_col": "Longitude", "y_col": "Latitude", "time_col": "Date", "crs": "EPSG:4326"}
    got = read_points(path, layer="Händelser", **args)
    assert len(got) == 400 and got.attrs["layer"] == "Händelser (of 2 sheets)"
    want = pd.to_datetime(df["Date"], format="%m/%d/%Y %I:%M:%S %p")
    assert got["t"].sort_values().tolist() == want.sort_values().tolist()
    with pytest.raises(ImportFileError, match=r"sheet Om \(of 2 sheets\).*--layer"):
        read_points(path, **args)
    with pytest.raises(ImportFileError, match=r"no sheet 'Blad1'.*\['Om', 'Händelser'\]"):
        read_points(path, layer="Blad1", **args)
    result = run_evaluate(path, "--layer", "Händelser", "--methods", "count_1m",
                          "--train-months", "1")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("sheet Händelser (of 2 sheets): 400 rows read")


def test_an_excel_sheet_with_title_rows_above_its_header_is_read(tmp_path):
    # a portal's export: a title and a date line, then the table from row 3
    df = city_rows()
    path = tmp_path / "export.xlsx"
    with pd.ExcelWriter(path, engine="openpyxl") as book:
        pd.DataFrame([["Part I incidents"], ["Exported 2019-12-31"]]).to_excel(
            book, sheet_name="Incidents", index=False, header=False
        )
        df.to_excel(book, sheet_name="Incidents", index=False, startrow=2)
    args = {"x_col": "Longitude", "y_col": "Latitude", "time_col": "Date", "crs": "EPSG:4326"}
    got = read_points(path, **args)
    assert len(got) == 400 and got.attrs["rows"]["read"] == 400
    want = pd.to_datetime(df["Date"], format="%m/%d/%Y %I:%M:%S %p")
    assert got["t"].sort_values().tolist() == want.sort_values().tolist()


def test_utc_times_move_to_the_citys_clock_before_the_months_are_cut(tmp_path):
    # an ArcGIS-style export: Unix milliseconds (UTC); an evening at the end of a month in
    # Chicago is already the next month in UTC
    df = city_rows()
    local = pd.to_datetime(df["Date"], format="%m/%d/%Y %I:%M:%S %p")
    evening = pd.Timestamp("2019-03-31 21:00")
    local.iloc[:5] = evening  # five events on 31 March, 9 pm Chicago time
    utc = local.dt.tz_localize("America/Chicago").dt.tz_convert("UTC").dt.tz_localize(None)
    df["Date"] = (utc - pd.Timestamp("1970-01-01")) // pd.Timedelta(1, "ms")
    path, out = tmp_path / "arcgis.csv", tmp_path / "out.json"
    df.to_csv(path, index=False)
    args = {"x_col": "Longitude", "y_col": "Latitude", "time_col": "Date", "crs": "EPSG:4326"}
    as_written = read_points(path, **args)
    assert (as_written["t"] == evening + pd.Timedelta(hours=5)).sum() == 5  # 1 April, 02:00
    moved = read_points(path, **args, tz="America/Chicago")
    assert (moved["t"] == evening).sum() == 5
    assert (moved["t"].dt.floor("s") == local).all() and moved.attrs["times_converted"] == 400
    result = run_evaluate(
        path, "--tz", "America/Chicago", "--methods", "count_1m", "--json", str(out)
    )
    assert result.exit_code == 0, result.output
    assert "400 given in UTC or with an offset moved to America/Chicago time" in result.stderr
    assert json.loads(out.read_text())["tz"] == "America/Chicago"
    with pytest.raises(DataError, match="IANA name such as Europe/Stockholm"):
        read_points(path, **args, tz="Chicago")


def test_unix_times_in_scientific_notation_are_read_or_refused_naming_the_row(tmp_path):
    # a spreadsheet's save of an ArcGIS export: milliseconds written as 1.5468768E12
    df = city_rows()
    when = pd.to_datetime(df["Date"], format="%m/%d/%Y %I:%M:%S %p").dt.floor("min")
    ms = (when - pd.Timestamp("1970-01-01")) // pd.Timedelta(1, "ms")
    df["Date"] = [f"{v:.12e}".split("e")[0].rstrip("0").rstrip(".") + "E12" for v in ms]
    path = tmp_path / "saved.csv"
    df.to_csv(path, index=False)
    args = {"x_col": "Longitude", "y_col": "Latitude", "time_col": "Date", "crs": "EPSG:4326"}
    got = read_points(path, **args, period=":")
    assert got["t"].tolist() == when.tolist()
    assert got.attrs["time_format"].startswith("unix ms (scientific notation, to ")
    df["Date"] = [f"{v:.5E}" for v in ms]  # saved by Excel: six digits, 1.54688E+12
    df.loc[0, "Date"] = None
    df.to_csv(path, index=False)
    said = (
        r"Column 'Date' of '.*saved.csv', data row 2: Unix times .*known only to 10,000 s"
        r".*Format the column as a number"
    )
    with pytest.raises(ImportFileError, match=said):
        read_points(path, **args)


@pytest.mark.parametrize("size", ["0", "-150"])
def test_a_cell_size_of_zero_or_less_is_refused_by_the_option(tmp_path, size):
    path = tmp_path / "chicago.csv"
    city_rows().to_csv(path, index=False)
    result = run_evaluate(path, "--cell-size-m", size, "--methods", "count_1m")
    assert result.exit_code == 2 and not isinstance(result.exception, ZeroDivisionError)
    assert "--cell-size-m" in result.output and "x>0" in result.output


def test_a_filter_ignores_case_and_spaces_and_compares_numbers_by_value(tmp_path):
    # Chicago's export writes some rows 'Narcotics'; a GeoJSON property with nulls is a float
    df = city_rows()
    df.loc[np.flatnonzero(df["Primary Type"] == "NARCOTICS")[:10], "Primary Type"] = " Narcotics"
    df["District"] = np.where(np.arange(len(df)) % 2 == 0, 3.0, np.nan)
    path = tmp_path / "chicago.csv"
    df.to_csv(path, index=False)
    args = {"x_col": "Longitude", "y_col": "Latitude", "time_col": "Date", "crs": "EPSG:4326"}
    got = read_points(path, **args, where=["Primary Type=NARCOTICS"])
    assert len(got) == 300 and got.attrs["rows"]["not matching --where"] == 100
    assert len(read_points(path, **args, where=["District=3"])) == 200
    assert len(read_points(path, **args, where=["District= 3.00 "])) == 200
    with pytest.raises(ImportFileError, match=r"'NARCOTICS'/'Narcotics' \(300\), 'THEFT'"):
        read_points(path, **args, where=["Primary Type=DRUGS"])


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(
                [
                    "THEFT",
                    "Narcotics",
                    "criminal damage",
                    "Ärende",
                    "Arende",
                    "VÍA",
                    "Via",
                    "0486",
                    "",
                ]
            ),
            st.integers(-5, 5),
            st.floats(-5, 5, allow_nan=False).map(lambda v: round(v, 1)),
        ),
        min_size=1,
        max_size=30,
    ),
    st.integers(0, 29),
    st.sampled_from([str.upper, str.lower, str.title, lambda v: f"  {v} "]),
)
def test_a_filter_keeps_exactly_the_values_equal_but_for_case_accents_spaces_or_number_form(
    values, pick, variant
):
    df = pd.DataFrame({"v": [str(v) for v in values]})
    chosen = values[pick % len(values)]
    if chosen == "":
        return  # an empty value is no filter anyone writes
    wanted = variant(f"{float(chosen):.2f}" if isinstance(chosen, int | float) else chosen)

    def same(v):
        if isinstance(chosen, int | float):
            return isinstance(v, int | float) and float(v) == float(chosen)
        return isinstance(v, str) and plain(v) == plain(chosen)

    def plain(v):  # "VÍA" is "via", "Ärende" is "arende"
        text = unicodedata.normalize("NFKD", v)
        return "".join(c for c in text if not unicodedata.combining(c)).casefold()

    kept = _filter(df, [("v", wanted)], Path("f.csv"))
    assert kept.index.tolist() == [i for i, v in enumerate(values) if same(v)]


def test_latitude_given_as_x_is_refused_with_the_columns_to_swap(tmp_path):
    df = city_rows()
    path = tmp_path / "chicago.csv"
    df.to_csv(path, index=False)
    args = {"time_col": "Date", "crs": "EPSG:4326"}
    # by the names: (41.8, -87.6) would be read as a point near the South Pole
    with pytest.raises(CRSError, match=r"chicago\.csv.*swap them: --x-col 'Longitude' --y-col "
                       r"'Latitude'"):  # fmt: skip
        read_points(path, x_col="Latitude", y_col="Longitude", **args)
    # unnamed columns: no UTM zone there, said as such instead of a RuntimeError
    df.rename(columns={"Latitude": "a", "Longitude": "b"}).to_csv(path, index=False)
    with pytest.raises(CRSError, match=r"latitude -87.*no UTM zone.*swap them"):
        read_points(path, x_col="a", y_col="b", **args)


@settings(max_examples=40, deadline=None)
@given(
    st.floats(-179, 179),
    st.floats(-79, 83),
    st.sampled_from(
        [
            ("Longitude", "Latitude"),
            ("GEO_LON", "GEO_LAT"),
            ("lng", "lat"),
            ("Länge", "Breite"),
            ("lengtegraad", "breedtegraad"),
        ]
    ),
)
def test_swapped_longitude_and_latitude_are_refused_wherever_the_city_is(
    tmp_path_factory, lon, lat, names
):
    path = tmp_path_factory.mktemp("axes") / "points.csv"
    rng = np.random.default_rng(0)
    x_name, y_name = names
    pd.DataFrame(
        {
            x_name: np.clip(lon + rng.normal(0, 0.02, 20), -180, 180),
            y_name: lat + rng.normal(0, 0.02, 20),
            "a": np.clip(lon + rng.normal(0, 0.02, 20), -180, 180),
            "b": lat + rng.normal(0, 0.02, 20),
            "t": "2024-01-05",
        }
    ).to_csv(path, index=False)
    args = {"time_col": "t", "crs": "EPSG:4326"}
    assert len(read_points(path, x_col=x_name, y_col=y_name, **args)) == 20
    with pytest.raises(CRSError, match=f"--x-col '{x_name}' --y-col '{y_name}'"):
        read_points(path, x_col=y_name, y_col=x_name, **args)
    if abs(lon) > 91:  # unnamed columns: a "latitude" beyond ±90° gives it away
        with pytest.raises(CRSError, match="swap them: --x-col 'a' --y-col 'b'"):
            read_points(path, x_col="b", y_col="a", **args)


@pytest.mark.parametrize(
    ("epsg", "lon", "lat", "utm"),
    [(3857, -87.65, 41.85, "EPSG:32616"), (5070, -104.95, 39.70, "EPSG:32613")],
)
def test_web_mercator_and_metres_below_zero_are_projected_to_utm(tmp_path, epsg, lon, lat, utm):
    # ArcGIS Hub exports X/Y in Web Mercator (1.35 × ground metres at 42°N); US Albers
    # (EPSG:5070) is negative west of its centre, as in Denver
    df = city_rows()
    df["Longitude"] += lon - -87.65
    df["Latitude"] += lat - 41.85
    projected = gpd.GeoSeries(gpd.points_from_xy(df["Longitude"], df["Latitude"]), crs=4326)
    df["X"], df["Y"] = projected.to_crs(epsg).x, projected.to_crs(epsg).y
    path = tmp_path / "arcgis.csv"
    df.to_csv(path, index=False)
    got = read_points(path, x_col="X", y_col="Y", time_col="Date", crs=f"EPSG:{epsg}")
    assert got.attrs["crs"] == utm
    want = projected.to_crs(utm)
    assert np.abs(got["x"].to_numpy() - want.x.to_numpy()).max() < 0.01
    assert np.abs(got["y"].to_numpy() - want.y.to_numpy()).max() < 0.01
    results, _ = ev.backtest(got, methods=["count_1m"], cell_size_m=500, train_months=1)
    assert not results.empty


def test_placeholder_coordinates_are_far_and_counted_at_their_one_place(tmp_path):
    # Boston writes -1,-1 for an unknown location: 3 % of the rows here
    df = city_rows(n=1000)
    df.loc[df.index[::33], ["Latitude", "Longitude"]] = -1
    path = tmp_path / "boston.csv"
    df.to_csv(path, index=False)
    result = run_evaluate(path, "--methods", "count_1m", "--train-months", "1")
    assert result.exit_code == 0, result.output
    assert "31 dropped: far from the others" in result.stderr
    assert "Longitude = '-1.0', Latitude = '-1.0'; 31 rows at (-1, -1))" in result.stderr


@settings(max_examples=40, deadline=None)
@given(
    st.floats(2_000, 30_000),  # the city's spread (m)
    st.integers(0, 80),  # placeholder rows among 1,000
    st.floats(25, 500),  # how far they lie, in spreads
    st.floats(0, 2 * np.pi),
)
def test_a_few_per_cent_of_placeholders_never_set_the_far_limit(spread, n_pile, away, angle):
    # a city of 1,000 points in a normal spread: 99 % of them within 3 spreads of its centre
    rng = np.random.default_rng(1)
    away *= spread
    x = 5e5 + rng.normal(0, spread, 1000)
    y = 5e6 + rng.normal(0, spread, 1000)
    x[:n_pile], y[:n_pile] = 5e5 + away * np.cos(angle), 5e6 + away * np.sin(angle)
    far, limit_km = far_from_median(x, y, None)
    assert far[:n_pile].all()  # every placeholder is left out ...
    assert not far[n_pile:].any()  # ... and no point of the city
    assert limit_km < 18 * spread / 1000 + MIN_FAR_KM  # 6 × the 90 % distance, moved by them


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.sampled_from(["Vol", "Dégradation", "Cambriolage", "Agression"]), min_size=8, max_size=40
    ),
    st.sets(st.integers(0, 39), max_size=3),
)
def test_a_utf8_file_with_a_few_stray_bytes_stays_utf8(tmp_path_factory, kinds, strays):
    # a Paris export in UTF-8 with a comment pasted from a Windows-1252 tool; "a few": the
    # stray lines (at most 3) are fewer than the UTF-8 lines with accents (at least 9 - 3),
    # else the file is more Windows-1252 than UTF-8 and read as such
    kinds = [*kinds, *["Dégradation"] * 8]
    lines = [f"01/0{1 + i % 9}/2019 10:00;{k};;2,34;48,85" for i, k in enumerate(kinds)]
    data = [line.encode("utf-8") for line in lines]
    hit = sorted(i for i in strays if i < len(data))
    for i in hit:
        data[i] = data[i].replace(b";;", b";caf\xe9;")  # é in Windows-1252
    path = tmp_path_factory.mktemp("enc") / "paris.csv"
    path.write_bytes("date_faits;catégorie;commentaire;x;y\n".encode() + b"\n".join(data) + b"\n")
    got = read_points(path, x_col="x", y_col="y", time_col="date_faits", crs="EPSG:4326",
                      where=["catégorie=Dégradation"])  # fmt: skip
    assert len(got) == kinds.count("Dégradation")
    assert got.attrs["bad_lines"] == len(hit)


def test_utf16_and_windows_1252_exports_are_read(tmp_path):
    df = city_rows().assign(Notes="Gatan ö")
    args = {"x_col": "Longitude", "y_col": "Latitude", "time_col": "Date", "crs": "EPSG:4326"}
    for encoding in ("utf-16", "utf-16-be", "cp1252"):
        path = tmp_path / f"chicago-{encoding}.txt"
        text = df.to_csv(sep="\t", index=False)
        path.write_bytes(("\ufeff" if encoding == "utf-16-be" else "") .encode(encoding)
                         + text.encode(encoding))  # fmt: skip
        got = read_points(path, **args, where=["Notes=gatan Ö"])
        assert len(got) == 400 and got.attrs["bad_lines"] == 0
    result = run_evaluate(path, "--methods", "count_1m")
    assert result.exit_code == 0 and "not UTF-8" not in result.stderr


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(-99_999_999, 99_999_999), min_size=1, max_size=20), st.booleans())
def test_thousands_separators_are_read_and_decimal_commas_stay_decimal(numbers, fraction):
    written = [f"{n:,}" + (".5" if fraction else "") for n in numbers]
    got = read_numbers(pd.Series(written, dtype="string"))
    sure = fraction or any(abs(n) >= 1_000_000 for n in numbers)
    if sure:  # 1,176,423 or 1,176.5 cannot be a decimal comma
        want = [n + (0.5 if n >= 0 else -0.5) * fraction for n in numbers]
        assert got.tolist() == want
    decimal = [f"{n / 1000:.3f}".replace(".", ",") for n in numbers]  # 14,875 is 14.875
    assert np.allclose(
        read_numbers(pd.Series(decimal)), [float(f"{n / 1000:.3f}") for n in numbers]
    )


def test_feet_with_thousands_separators_are_read_alike_in_both_columns(tmp_path):
    # Portland's Tableau download (UTF-16, tabs): OpenDataX = 7,656,195 has two commas, a
    # thousands separator for sure; OpenDataY = 670,146 alone could be 670.146, which put
    # every point within 1,000 feet north of the origin: 229 cells instead of 27,404
    df = city_at(-122.65, 45.52)
    feet = lonlat_of(df).to_crs(2913)
    df["OpenDataX"] = [f"{v:,.0f}" for v in feet.x]
    df["OpenDataY"] = [f"{v:,.0f}" for v in feet.y]
    assert feet.y.max() < 1_000_000 < feet.x.min()  # one comma in every y, two in every x
    path = tmp_path / "portland.csv"
    path.write_text(df.to_csv(sep="\t", index=False), encoding="utf-16")
    got = read_points(path, x_col="OpenDataX", y_col="OpenDataY", time_col="Date", crs="EPSG:2913")
    want = lonlat_of(df).to_crs(got.attrs["crs"])
    # half a foot of rounding is 0.15 m; y read as 670.146 would be off by 200 km
    assert np.abs(got["x"].to_numpy() - want.x.to_numpy()).max() < 0.2
    assert np.abs(got["y"].to_numpy() - want.y.to_numpy()).max() < 0.2
    assert got.attrs["warnings"] == []


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(-9_999_999, 9_999_999), st.integers(1_000, 999_999)),
        min_size=1,
        max_size=20,
    ),
    st.booleans(),
    st.booleans(),
)
def test_two_columns_written_alike_are_read_alike(pairs, projected, swap):
    # a coordinate column with thousands separators for sure (7,656,195; or none of its
    # values has seven digits) beside one whose every comma is followed by three digits
    wide, narrow = [a for a, _ in pairs], [b for _, b in pairs]
    columns = [pd.Series([f"{n:,}" for n in wide]), pd.Series([f"{n:,}" for n in narrow])]
    if swap:
        columns.reverse()
    x, y, inferred = read_pair(*columns, projected=projected)
    got_wide, got_narrow = (y, x) if swap else (x, y)
    sure = any(abs(n) >= 1_000_000 for n in wide)
    if sure or projected:  # written alike; or under feet or metres, where 670.146 cannot be
        assert got_wide.tolist() == wide and got_narrow.tolist() == narrow
        assert bool(inferred) == (not sure)  # said when only the CRS settled it
    else:  # degrees: 59,176 is 59.176
        assert got_narrow.tolist() == [float(f"{n / 1000:.3f}") for n in narrow]
        assert inferred == ""


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(0, 10**9), min_size=1, max_size=20),
    st.integers(1, 3),
    st.booleans(),
)
def test_decimal_commas_stay_decimal_beside_any_other_column(numbers, decimals, projected):
    # SWEREF 99 TM with a decimal comma and spaces (6 571 234,56) and degrees with more or
    # fewer than three decimals (59,2751) are never read as thousands separators
    scale = 10**decimals
    northing = [6_100_000 + n % (1_600_000 * scale) / scale for n in numbers]
    sweref = [f"{v:,.{decimals}f}".replace(",", " ").replace(".", ",") for v in northing]
    degrees = [59 + n % 10**6 / 10**6 for n in numbers]
    lat = [f"{v:.{2 * decimals}f}".replace(".", ",") for v in degrees]  # 2, 4 or 6 decimals
    beside = pd.Series([f"{n:,}" for n in numbers])  # 1,176,423: thousands for sure
    for written in (sweref, lat):
        _, y, _ = read_pair(beside, pd.Series(written), projected=projected)
        assert y.tolist() == [float(v.replace(" ", "").replace(",", ".")) for v in written]


def test_metres_with_one_thousands_separator_are_read_as_such_and_said(tmp_path):
    # Maryland State Plane metres (DC's XBLOCK/YBLOCK) as a spreadsheet writes them:
    # 399,099 and 137,026, every value with one comma and three digits after it. In metres
    # a decimal comma would put the city within 1 km of the CRS's origin: read as thousands,
    # and said, since only the CRS settled it
    df = city_at(-77.03, 38.90)
    metres = lonlat_of(df).to_crs(26985)
    df["XBLOCK"] = [f"{v:,.0f}" for v in metres.x]
    df["YBLOCK"] = [f"{v:,.0f}" for v in metres.y]
    path, out = tmp_path / "dc.csv", tmp_path / "out.json"
    df.to_csv(path, index=False)
    result = CliRunner().invoke(
        evaluate_command,
        [str(path), "--x-col", "XBLOCK", "--y-col", "YBLOCK", "--time-col", "Date",
         "--crs", "EPSG:26985", "--methods", "count_1m", "--train-months", "1",
         "--json", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    first = df["XBLOCK"].iloc[0]
    said = f"'{first}' were read with thousands separators, as {first.replace(',', '')}"
    assert f"\nWarning: coordinates such as {said}" in result.stderr
    assert said in json.loads(out.read_text())["warnings"][0]
    got = read_points(path, x_col="XBLOCK", y_col="YBLOCK", time_col="Date", crs="EPSG:26985")
    assert np.abs(got["x"].to_numpy() - metres.x.to_numpy()).max() < 0.6


def test_a_file_without_any_location_shows_the_values_it_could_not_read(tmp_path):
    df = city_rows()
    path = tmp_path / "chicago.csv"
    df.assign(Longitude="1,134,869", Latitude="see note").to_csv(path, index=False)
    with pytest.raises(ImportFileError, match=r"400 no location \(first data row 1: Longitude = "
                       r"'1,134,869', Latitude = 'see note'\)"):  # fmt: skip
        read_points(path, x_col="Longitude", y_col="Latitude", time_col="Date", crs="EPSG:3435")


SOCRATA = "({lat}, {lon})"
SOCRATA_ADDRESS = "1200 MAIN ST\nKANSAS CITY, MO 64105\n({lat}, {lon})"
WKT = "POINT ({lon} {lat})"


@pytest.mark.parametrize("written", [SOCRATA, SOCRATA_ADDRESS, WKT])
def test_a_column_of_whole_points_named_for_both_axes_is_read(tmp_path, written):
    # Kansas City's and Baltimore's exports have only such a column: Location, Location 1
    df = city_rows()
    df["Location"] = [
        written.format(lat=a, lon=o) for a, o in zip(df.Latitude, df.Longitude, strict=True)
    ]
    df.loc[3, "Location"] = None  # not geocoded
    df.loc[4, "Location"] = "UNKNOWN\nKANSAS CITY, MO"  # an address without its point
    df.loc[5, "Location"] = written.format(lat=0.0, lon=0.0)
    path = tmp_path / "kcpd.csv"
    df.to_csv(path, index=False)
    args = {"time_col": "Date", "crs": "EPSG:4326"}
    got = read_points(path, x_col="Location", y_col="Location", **args)
    rows = got.attrs["rows"]
    assert rows["dropped"]["no location"] == 2 and rows["dropped"]["impossible location"] == 1
    assert rows["read"] == rows["used"] + sum(rows["dropped"].values()) == 400
    assert got.attrs["dropped_examples"]["no location"] == "data row 4: Location missing"
    # the same points as the file's own longitude and latitude columns give
    want = read_points(path, x_col="Longitude", y_col="Latitude", **args).drop(index=[3, 4, 5])
    assert np.abs(got[["x", "y"]].to_numpy() - want[["x", "y"]].to_numpy()).max() < 1e-6


#: How else portals write a point: WKT without a space, with an SRID or a z, lower case.
WRITTEN_ELSE = [
    "POINT({lon} {lat})",
    "SRID=4326;POINT ({lon} {lat})",
    "POINT Z ({lon} {lat} 0)",
    "point ( {lon}  {lat} )",
    "({lat},{lon})",
]
_coordinate = st.floats(-179.9, 179.9, allow_nan=False).map(lambda v: round(v, 6))


@settings(max_examples=200, deadline=None)
@given(
    _coordinate,
    _coordinate.map(lambda v: v / 2),
    st.sampled_from([SOCRATA, SOCRATA_ADDRESS, WKT, *WRITTEN_ELSE]),
)
def test_whole_points_give_x_the_longitude_and_y_the_latitude(lon, lat, written):
    x, y = read_whole_points(pd.Series([written.format(lat=lat, lon=lon), "n/a", None]))
    assert (x[0], y[0]) == (lon, lat)
    assert np.isnan(x[1:]).all() and np.isnan(y[1:]).all()


def test_one_column_named_for_both_axes_must_hold_points(tmp_path):
    df = city_rows().assign(Point="POINT (-87.6 41.8)")
    path = tmp_path / "chicago.csv"
    df.to_csv(path, index=False)
    args = {"time_col": "Date", "crs": "EPSG:4326"}
    with pytest.raises(ImportFileError, match=r"'Latitude' of .*chicago\.csv' is named for "
                       r"both --x-col and --y-col but holds one number per row \(e\.g\. "
                       r"'41\.8.*name two columns"):  # fmt: skip
        read_points(path, x_col="Latitude", y_col="Latitude", **args)
    with pytest.raises(ImportFileError, match=r"'Primary Type' .* holds no point \(e\.g\. "
                       r"'THEFT'\)"):  # fmt: skip
        read_points(path, x_col="Primary Type", y_col="Primary Type", **args)
    # a column of whole points named for one axis: said how to name it
    with pytest.raises(ImportFileError, match=r"'Point' .* holds whole points \(e\.g\. "
                       r"'POINT \(-87\.6 41\.8\)'\).*--x-col 'Point' --y-col 'Point'"):  # fmt: skip
        read_points(path, x_col="Point", y_col="Latitude", **args)


def test_state_plane_feet_given_as_metres_are_refused_with_the_crs_in_feet(tmp_path):
    # Denver's GEO_X/GEO_Y are Colorado Central US feet; as EPSG:26954 (the same CRS in
    # metres) the points lay in Quebec and the grid had 695,878 cells
    df = city_at(-104.95, 39.74)
    feet = lonlat_of(df).to_crs(2232)
    df["GEO_X"], df["GEO_Y"] = feet.x.round(), feet.y.round()
    path = tmp_path / "denver.csv"
    df.to_csv(path, index=False)
    args = {"x_col": "GEO_X", "y_col": "GEO_Y", "time_col": "Date"}
    with pytest.raises(
        CRSError,
        match=r"denver\.csv' lie around 75\.\d\d°W, 47\.\d\d°N .* under EPSG:26954 \(NAD83 / "
        r"Colorado Central\), 2,2\d\d km outside its area of use \(United States \(USA\) - "
        r"Colorado: 109\.06°W, 38\.14°N to 102\.04°W, 40\.09°N\).*read as US survey feet "
        r"under EPSG:2232 .* around 104\.9\d°W, 39\.7\d°N.*pass --crs EPSG:2232\.$",
    ):
        read_points(path, crs="EPSG:26954", **args)
    got = read_points(path, crs="EPSG:2232", **args)
    assert got.attrs["warnings"] == [] and len(got) == 400


def test_state_plane_metres_given_as_feet_are_warned_of_in_the_account_and_json(tmp_path):
    # DC's XBLOCK/YBLOCK are Maryland metres; as EPSG:2248 (the feet one) the city shrank
    # 3.28 × towards the CRS's origin, 60 km west of Maryland, and ran on 1,540 cells
    df = city_at(-77.03, 38.90)
    metres = lonlat_of(df).to_crs(26985)
    df["XBLOCK"], df["YBLOCK"] = metres.x.round(2), metres.y.round(2)
    path, out = tmp_path / "dc.csv", tmp_path / "out.json"
    df.to_csv(path, index=False)

    def run(crs):
        return CliRunner().invoke(
            evaluate_command,
            [str(path), "--x-col", "XBLOCK", "--y-col", "YBLOCK", "--time-col", "Date",
             "--crs", crs, "--methods", "count_1m", "--train-months", "1", "--json", str(out)],
        )  # fmt: skip

    result = run("EPSG:2248")
    assert result.exit_code == 0, result.output
    said = re.search(r"\nWarning: (the points of .*)\.\n", result.stderr)
    assert said, result.stderr
    assert re.search(
        r"around 80\.\d\d°W, 38\.\d\d°N .* under EPSG:2248 \(NAD83 / Maryland \(ftUS\)\), \d\d "
        r"km outside its area of use \(United States \(USA\) - Maryland: .* read as metres "
        r"under EPSG:26985 \(NAD83 / Maryland\) they lie around 77\.0\d°W, 38\.9\d°N, inside "
        r"its area: pass --crs EPSG:26985",
        said[1],
    )
    assert json.loads(out.read_text())["warnings"] == [said[1]]
    result = run("EPSG:26985")
    assert result.exit_code == 0 and "Warning" not in result.stderr
    assert json.loads(out.read_text())["warnings"] == []


def _utm(zone, lat):
    return CRS.from_epsg((32600 if lat >= 0 else 32700) + zone)


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 60), st.floats(-75, 80), st.floats(-5, 5), st.booleans())
def test_a_utm_zone_a_few_degrees_beyond_its_edge_is_warned_of_never_refused(
    zone, lat, beyond, east
):
    # Denmark writes Bornholm (15°E) in UTM zone 32 (6–12°E): such files run, and a warning
    # names the zone's area when the points lie more than 25 km outside it
    west = -180 + 6 * (zone - 1)
    lon = (west + 6 + beyond if east else west - beyond) if beyond > 0 else west + 3 + beyond / 2
    lon = (lon + 180) % 360 - 180
    rng = np.random.default_rng(0)
    lonlat = gpd.GeoSeries(
        gpd.points_from_xy(lon + rng.normal(0, 0.02, 50), lat + rng.normal(0, 0.02, 50)), crs=4326
    )
    crs = _utm(zone, lat)
    pts = lonlat.to_crs(crs)
    warning = check_area(pts.x.to_numpy(), pts.y.to_numpy(), crs, Path("utm.csv"))
    km_beyond = max(beyond, 0) * 111.3 * np.cos(np.radians(lat))
    if km_beyond < 20:
        assert warning == ""
    elif km_beyond > 30:
        assert f"under {crs.to_string()} ({crs.name}), " in warning
        assert "outside its area of use" in warning


def test_norway_in_one_utm_zone_is_warned_of_even_at_kirkenes(tmp_path):
    # Norway writes the whole country in UTM zone 33 (12–18°E): Kirkenes, at 30°E, lies
    # 465 km east of the zone's area of use, not the 1,000 km beyond which a file is refused
    df = city_at(30.05, 69.73)
    utm = lonlat_of(df).to_crs(25833)
    df["x"], df["y"] = utm.x, utm.y
    path = tmp_path / "kirkenes.csv"
    df.to_csv(path, index=False)
    got = read_points(path, x_col="x", y_col="y", time_col="Date", crs="EPSG:25833")
    assert len(got) == 400
    (warning,) = got.attrs["warnings"]
    assert re.search(r"30\.0\d°E, 69\.7\d°N .* 46\d km outside its area of use \(Europe "
                     r"between 12°E and 18°E: .*; if it is this one, the points are used as "
                     r"read$", warning)  # fmt: skip


#: State Plane zones in feet and in metres: Denver, DC, the Bay Area, Chicago, Portland,
#: New York, Los Angeles, Houston, Arlington, Seattle.
_STATE_PLANES = [
    (2232, 26954), (2248, 26985), (2227, 26943), (3435, 26971), (2913, 2838),
    (2263, 32118), (2229, 26945), (2278, 32140), (2283, 32146), (2285, 32148),
]  # fmt: skip


@settings(max_examples=120, deadline=None)
@given(st.sampled_from(_STATE_PLANES), st.floats(0.2, 0.8), st.floats(0.2, 0.8), st.booleans())
def test_a_crs_named_as_the_fix_puts_the_points_back_where_they_are(pair, fx, fy, feet_given):
    # a city anywhere in a State Plane zone, its numbers in feet given as metres or the
    # reverse: when the check names a CRS to pass, it is the one the numbers are in
    feet, metres = (CRS.from_epsg(code) for code in pair)
    true, given = (metres, feet) if feet_given else (feet, metres)
    west, south, east, north = true.area_of_use.bounds
    here = gpd.GeoSeries([shapely.Point(west + fx * (east - west), south + fy * (north - south))],
                         crs=4326).to_crs(true)  # fmt: skip
    x, y = here.x.to_numpy(), here.y.to_numpy()
    assert check_area(x, y, true, Path("f.csv")) == ""  # in their own CRS: nothing said
    try:
        said = check_area(x, y, given, Path("f.csv"))
    except CRSError as e:
        said = str(e)
    if not feet_given:  # feet read as metres land 3.28 × farther from the origin: always seen
        assert said
    if "pass --crs" in said:
        assert said.split("pass --crs ")[1].startswith(true.to_string())


def test_a_null_geojson_property_is_shown_as_empty(tmp_path):
    # a feature with "properties": null reads as NaT in a date column; the message says empty
    features = [
        {
            "type": "Feature",
            "properties": {"date": f"2024-0{1 + i % 6}-{1 + i % 27:02d}"},
            "geometry": {"type": "Point", "coordinates": [-87.6 + i * 1e-4, 41.8]},
        }
        for i in range(60)
    ]
    features.append(
        {
            "type": "Feature",
            "properties": None,
            "geometry": {"type": "Point", "coordinates": [-87.6, 41.8]},
        }
    )
    path = tmp_path / "p.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    got = read_points(path, x_col=None, y_col=None, time_col="date", crs=None)
    assert got.attrs["dropped_examples"]["no time"] == "data row 61: date missing"


def barcelona_rows(times):
    """A Barcelona sheet's rows: a title, an empty row, the header, then date, time and place.

    The place is set by the time, so that equal times make equal rows.
    """
    rows = [
        ["Fets 2019 - Guàrdia Urbana", None, None],
        [],
        ["Data", "Hora", "Fet", "Longitud", "Latitud"],
    ]
    for t in times:
        day = datetime.datetime(t.year, t.month, t.day)
        lon, lat = 2.17 + t.minute % 7 / 1000, 41.39 + t.hour % 5 / 1000
        rows.append([day, t.time(), "Furt", lon, lat])
    return rows


def test_an_opendocument_sheet_is_read_like_an_excel_one(tmp_path):
    # a Spanish/Italian portal's .ods: a notes sheet first, the incidents with a title above
    # the header, dates and times of day as the cells' own types
    times = list(pd.Timestamp("2019-01-01 00:30") + pd.to_timedelta(np.arange(400) * 11, unit="h"))
    path = tmp_path / "fets.ods"
    write_ods(path, {"Notes": [["Font: Ajuntament"]], "Fets": barcelona_rows(times)})
    args = {"x_col": "Longitud", "y_col": "Latitud", "time_col": "Data,Hora", "crs": "EPSG:4326"}
    got = read_points(path, layer="Fets", **args, period=":")
    assert got.attrs["rows"]["read"] == 400 and len(got) == 400
    assert got["t"].tolist() == times
    assert got.attrs["layer"] == "Fets (of 2 sheets)" and got.attrs["layer_kind"] == "sheet"
    with pytest.raises(ImportFileError, match=r"sheet Notes \(of 2 sheets\).*--layer"):
        read_points(path, **args)
    with pytest.raises(ImportFileError, match=r"no sheet 'Full1'.*\['Notes', 'Fets'\]"):
        read_points(path, layer="Full1", **args)
    result = CliRunner().invoke(
        evaluate_command,
        [str(path), "--layer", "Fets", "--x-col", "Longitud", "--y-col", "Latitud",
         "--time-col", "Data,Hora", "--crs", "EPSG:4326", "--methods", "count_1m",
         "--train-months", "1"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("sheet Fets (of 2 sheets): 400 rows read")


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.datetimes(datetime.datetime(2019, 1, 1), datetime.datetime(2019, 12, 31, 23, 59, 59)),
        min_size=5,
        max_size=30,
    ),
    st.sampled_from(["", "\n", "\n    "]),
)
def test_the_date_and_time_cells_of_an_opendocument_sheet_read_back(
    tmp_path_factory, times, indent
):
    times = [t.replace(microsecond=0) for t in times]
    path = tmp_path_factory.mktemp("ods") / "fets.ods"
    write_ods(path, {"Fets": barcelona_rows(times)}, indent)
    got = read_points(path, x_col="Longitud", y_col="Latitud", time_col="Data,Hora",
                      crs="EPSG:4326", period=":", max_distance_km=1_000)  # fmt: skip
    # to the second: geo.timeparts reads a clock's seconds as float minutes (00:00:01 gives
    # 00:00:01.000000002), which is not this reader's to fix
    assert got["t"].dt.round("s").tolist() == times


@pytest.mark.parametrize("dates_1904", [False, True])
def test_a_legacy_xls_workbook_is_read_like_an_xlsx_one(tmp_path, dates_1904):
    # an Excel 97-2003 export: a notes sheet first, then the incidents under a title, with
    # date cells, a date and a time of day in cells of their own, and a date typed as text
    df = city_rows()
    when = pd.to_datetime(df["Date"], format="%m/%d/%Y %I:%M:%S %p").dt.to_pydatetime()
    header = ["Date", "Day", "Clock", "Primary Type", "Latitude", "Longitude", "Typed"]
    rows = [["Part I incidents"], [], header] + [
        [t, datetime.datetime.combine(t.date(), datetime.time()), t.time(), kind, lat, lon,
         t.strftime("%d/%m/%Y")]
        for t, kind, lat, lon in zip(when, df["Primary Type"], df["Latitude"], df["Longitude"],
                                     strict=True)
    ]  # fmt: skip
    path = tmp_path / "incidents.xls"
    write_xls(path, {"Notes": [["Source: records system"]], "Incidents": rows},
              dates_1904=dates_1904)  # fmt: skip
    assert xlrd.open_workbook(path).datemode == int(dates_1904)
    args = {"x_col": "Longitude", "y_col": "Latitude", "crs": "EPSG:4326", "period": ":"}
    got = read_points(path, time_col="Date", layer="Incidents", **args)
    assert got["t"].tolist() == list(when)  # every time as written, to the second
    assert got.attrs["layer"] == "Incidents (of 2 sheets)" and got.attrs["header_line"] == 3
    assert got.attrs["rows"]["read"] == 400
    split = read_points(path, time_col="Day,Clock", layer="Incidents", **args)
    assert split["t"].dt.round("s").tolist() == list(when)
    typed = read_points(path, time_col="Typed", layer="Incidents", **args)
    assert typed["t"].tolist() == [t.replace(hour=0, minute=0, second=0) for t in when]
    assert typed.attrs["time_format"] == "%d/%m/%Y"
    with pytest.raises(ImportFileError, match=r"sheet Notes \(of 2 sheets\).*--layer"):
        read_points(path, time_col="Date", **args)
    with pytest.raises(ImportFileError, match=r"no sheet 'Sheet1'.*\['Notes', 'Incidents'\]"):
        read_points(path, time_col="Date", layer="Sheet1", **args)
    result = run_evaluate(path, "--layer", "Incidents", "--methods", "count_1m",
                          "--train-months", "1")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith(
        "sheet Incidents (of 2 sheets): 400 rows read below the header on row 3"
    )


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.datetimes(datetime.datetime(1950, 1, 1), datetime.datetime(2100, 12, 31)).map(
            lambda t: t.replace(microsecond=0)
        ),
        min_size=1,
        max_size=20,
    ),
    st.lists(st.floats(-1e9, 1e9, allow_nan=False), min_size=1, max_size=20),
    st.booleans(),
)
def test_the_cells_of_an_xls_sheet_read_back_as_written(tmp_path_factory, times, numbers, d1904):
    path = tmp_path_factory.mktemp("xls") / "cells.xls"
    rows = [[t, t.time(), x, f"text {x}"] for t, x in zip(times, numbers, strict=False)]
    write_xls(path, {"S": rows}, dates_1904=d1904)
    raw, names = read_xls(path, None)
    assert names == ["S"]
    assert raw[0].tolist() == [str(r[0]) for r in rows]  # the date cells, in either date system
    assert raw[1].tolist() == [str(r[1]) for r in rows]  # times of day alone
    assert [float(v) for v in raw[2]] == [r[2] for r in rows]
    assert [v for v in raw[2] if "." not in v and "e" not in v] == [
        str(int(r[2])) for r in rows if float(r[2]).is_integer()
    ]  # whole numbers as integers, as an .xlsx sheet is read
    assert raw[3].tolist() == [r[3] for r in rows]


def test_a_file_named_xls_is_read_by_what_it_holds(tmp_path):
    # an .xlsx renamed .xls is read as one; a portal's HTML "Excel" download is named
    df = city_rows()
    renamed = tmp_path / "renamed.xls"
    with pd.ExcelWriter(tmp_path / "book.xlsx", engine="openpyxl") as book:
        df.to_excel(book, index=False)
    (tmp_path / "book.xlsx").rename(renamed)
    args = {"x_col": "Longitude", "y_col": "Latitude", "time_col": "Date", "crs": "EPSG:4326"}
    assert len(read_points(renamed, **args)) == 400
    html = tmp_path / "export.xls"
    html.write_text("<html><body><table><tr><td>Date</td></tr></table></body></html>")
    with pytest.raises(ImportFileError, match=r"named .xls but is not an Excel workbook: it is "
                       r"an HTML page.*save it as .xlsx"):  # fmt: skip
        read_points(html, **args)
    damaged = tmp_path / "damaged.xls"
    damaged.write_bytes(OLE2_MAGIC + b"\0" * 100)
    with pytest.raises(ImportFileError, match=r"not a readable Excel 97-2003 workbook"):
        read_points(damaged, **args)


@pytest.mark.parametrize(("driver", "suffix"), [("ESRI Shapefile", ".dbf"), ("GPKG", ".gpkg")])
def test_a_file_without_geometry_is_read_by_its_columns_or_names_them(tmp_path, driver, suffix):
    # a lone .dbf or a GeoPackage attribute table: the points are in columns, as in a CSV
    path = tmp_path / f"incidents{suffix}"
    pyogrio.write_dataframe(
        city_rows().rename(columns={"Primary Type": "Type"}), path, driver=driver
    )
    said = r"has no geometry: name the columns .*--x-col.*its columns are \['Date', .*'Latitude'"
    with pytest.raises(ImportFileError, match=said):
        read_points(path, x_col=None, y_col=None, time_col="Date", crs=None)
    got = read_points(path, x_col="Longitude", y_col="Latitude", time_col="Date", crs="EPSG:4326")
    assert len(got) == 400


@settings(max_examples=30, deadline=None)
@given(
    st.sampled_from([",", ";", "\t", "|"]),
    st.sampled_from(["sep={d}", '"sep={d}"', "SEP={d}", "sep={d}{d}{d}"]),
    st.booleans(),
    st.sampled_from(["\n", "\r\n"]),
)
def test_excels_sep_hint_names_the_delimiter_and_is_skipped(tmp_path_factory, d, hint, bom, end):
    # Excel's "sep=;" first line (an Italian export saved for Excel) is no header
    df = city_rows(n=60)
    text = hint.format(d=d) + end + df.to_csv(sep=d, index=False, lineterminator=end)
    path = tmp_path_factory.mktemp("sep") / "milano.csv"
    path.write_bytes(("\ufeff" if bom else "").encode() + text.encode())
    got = read_points(path, x_col="Longitude", y_col="Latitude", time_col="Date",
                      crs="EPSG:4326", period=":")  # fmt: skip
    assert got.attrs["rows"]["read"] == 60 and len(got) == 60
    want = pd.to_datetime(df["Date"], format="%m/%d/%Y %I:%M:%S %p")
    assert got["t"].tolist() == want.tolist()


#: Title lines portals put above a CSV's header, ``{d}`` the file's delimiter.
TITLES = [
    "Datos de criminalidad - Policía Municipal de Madrid - año 2019",
    "Datos de criminalidad 2019{d}{d}{d}{d}",
    "",
    '"Exported 2019-12-31{d} 14:00\nby the open data portal"',
    "Source: police{d} city{d} 2019",
]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.sampled_from(TITLES), min_size=1, max_size=6),
    st.sampled_from([",", ";", "\t"]),
    st.integers(0, 59),
)
def test_title_lines_above_a_csvs_header_are_skipped_and_rows_counted_below_it(
    tmp_path_factory, titles, d, bad
):
    df = city_rows(n=60)
    df.loc[bad, "Date"] = "not recorded"
    lines = [t.format(d=d) for t in titles]
    path = tmp_path_factory.mktemp("title") / "madrid.csv"
    path.write_text("\n".join(lines) + "\n" + df.to_csv(sep=d, index=False), encoding="utf-8")
    got = read_points(path, x_col="Longitude", y_col="Latitude", time_col="Date",
                      crs="EPSG:4326", period=":")  # fmt: skip
    assert got.attrs["rows"]["read"] == 60 and len(got) == 59
    # data rows are counted from the one below the header; the header is after the titles
    assert got.attrs["dropped_examples"]["no time"] == f"data row {bad + 1}: Date = 'not recorded'"
    assert got.attrs["header_line"] == len(titles) + 1


def test_a_csv_with_a_title_line_says_where_its_header_is_and_names_its_columns(tmp_path):
    path = tmp_path / "madrid.csv"
    text = "Datos de criminalidad - año 2019;;;\n" + city_rows().to_csv(sep=";", index=False)
    path.write_text(text, encoding="utf-8")
    result = run_evaluate(path, "--methods", "count_1m", "--train-months", "1")
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("400 rows read below the header on line 2; 400 used")
    # a misspelt column is named beside the header's columns, not the title's text
    result = run_evaluate(path, time_col="date")
    assert isinstance(result.exception, ImportFileError)
    said = "did you mean 'Date' for 'date'? its columns are ['Date', 'Primary Type'"
    assert said in str(result.exception)


def test_the_police_open_api_json_is_read_and_its_town_centre_points_are_warned_of():
    # the real dump in data/polisen: a JSON list of events, "gps": "lat,lon" of the kommun
    path = (
        Path(__file__).parent.parent
        / "data"
        / "polisen"
        / "polisen_events_orebro_lan_2022-2026.json"
    )
    records = json.loads(path.read_text(encoding="utf-8"))
    got = read_points(path, x_col="location.gps", y_col="location.gps", time_col="datetime",
                      crs="EPSG:4326", period=":")  # fmt: skip
    assert got.attrs["rows"]["read"] == len(records) == got.attrs["rows"]["used"]
    first = records[0]  # "2022-10-05 9:41:24 +02:00" in Örebro, wall clock kept
    assert got["t"].iloc[0] == pd.Timestamp(first["datetime"][:-7])
    lat, lon = (float(v) for v in first["location"]["gps"].split(","))
    utm = gpd.GeoSeries(gpd.points_from_xy([lon], [lat]), crs=4326).to_crs(got.attrs["crs"])
    assert (got["x"].iloc[0], got["y"].iloc[0]) == pytest.approx((utm.x[0], utm.y[0]), abs=0.01)
    assert any("distinct places" in w for w in got.attrs["warnings"])


@given(st.floats(-89, 89), st.floats(-179, 179), st.integers(1, 6))
def test_a_lat_lon_pair_is_read_as_a_point_and_a_decimal_comma_never_is(lat, lon, digits):
    pair = pd.Series([f"{lat:.{digits}f},{lon:.{digits}f}"])
    x, y = read_whole_points(pair)
    assert (x[0], y[0]) == pytest.approx((round(lon, digits), round(lat, digits)))
    assert not looks_like_a_point(f"{lat:.{digits}f}".replace(".", ","))  # one number


def test_points_on_many_places_give_no_warning_and_on_a_few_do():
    rng = np.random.default_rng(4)
    spread = rng.normal(0, 500, (2000, 2)).round()  # geocoded to the metre
    assert few_places(spread[:, 0], spread[:, 1]) == ""
    centres = rng.integers(0, 6, 2000) * 10_000.0  # six town centres
    assert "on 6 distinct places" in few_places(centres, centres)
    small = rng.integers(0, 3, 40) * 10_000.0  # a kommun's 40 events at its 3 villages
    assert "on 3 distinct places" in few_places(small, small)
    assert few_places(spread[:12, 0], spread[:12, 1]) == ""  # 12 events on 12 places


def test_a_json_list_of_non_records_is_refused(tmp_path):
    path = tmp_path / "numbers.json"
    path.write_text("[1, 2, 3]")
    with pytest.raises(ImportFileError, match=r"JSON list of \['int'\], not of records"):
        read_points(path, x_col="a", y_col="b", time_col="t", crs="EPSG:4326")


def test_points_on_a_plane_of_their_own_are_read_with_crs_local(tmp_path):
    # synthetic points, or a city's shifted to hide its places: metres around (0, 0) are
    # 6,000 km outside SWEREF 99 TM's Sweden and were refused with no way round
    df = city_rows(400, 3)
    utm = lonlat_of(df).to_crs(32616)
    df["x"], df["y"] = utm.x - utm.x.median(), utm.y - utm.y.median()  # half of them below 0
    path = tmp_path / "shifted.csv"
    df.drop(columns=["Longitude", "Latitude"]).to_csv(path, index=False)
    args = {"x_col": "x", "y_col": "y", "time_col": "Date"}
    with pytest.raises(CRSError, match=r"more than 1,000 km out.*pass --crs local\.$"):
        read_points(path, crs="EPSG:3006", **args)
    got = read_points(path, crs=" Local ", **args)
    assert got.attrs["crs"] == "local" and got.attrs["warnings"] == []
    # the distances between the points are kept; the plane's corner is moved to (0, 0)
    assert got["x"].min() == 0 and got["y"].min() == 0
    np.testing.assert_allclose(np.diff(got["x"]), np.diff(df["x"].to_numpy()), atol=1e-6)
    np.testing.assert_allclose(np.diff(got["y"]), np.diff(df["y"].to_numpy()), atol=1e-6)
    # the backtest scores them as it scores the same points in their real CRS (moved by
    # whole cells, so that the grid's cells hold the same points)
    cells = 150 * np.floor(np.array([utm.x.min(), utm.y.min()]) / 150)
    df.assign(x=utm.x - cells[0], y=utm.y - cells[1]).to_csv(path, index=False)
    df.assign(x=utm.x, y=utm.y).to_csv(tmp_path / "real.csv", index=False)
    scores = {}
    for name, crs in (("shifted.csv", "local"), ("real.csv", "EPSG:32616")):
        out = tmp_path / f"{name}.json"
        res = CliRunner().invoke(
            evaluate_command,
            [str(tmp_path / name), "--x-col", "x", "--y-col", "y", "--time-col", "Date",
             "--crs", crs, "--cell-size-m", "150", "--methods", "count_3m,kde", "--json",
             str(out)],
        )  # fmt: skip
        assert res.exit_code == 0, res.output
        scores[crs] = json.loads(out.read_text())["methods"]
    assert scores["local"] == scores["EPSG:32616"]
    # degrees are not metres, and a boundary cannot be laid over a plane placed nowhere
    with pytest.raises(CRSError, match=r"look like longitude/latitude .* but local counts"):
        read_points(path, crs="local", x_col="Longitude", y_col="Latitude", time_col="Date")
    with pytest.raises(ImportFileError, match=r"cannot be laid over points read with --crs local"):
        read_area(tmp_path / "boundary.geojson", crs="local")


@pytest.mark.parametrize(
    "placeholder", ["Unknown", "N/A", "0000-00-00", "00/00/0000 00:00", "okänd"]
)
def test_a_placeholder_for_an_unknown_time_is_no_time_however_many(tmp_path, placeholder):
    # a third of the rows say they have no time: dropped and counted, not a format misread
    df = city_rows()
    df.loc[df.index[::3], "Date"] = placeholder
    path = tmp_path / "chicago.csv"
    df.to_csv(path, index=False)
    got = read_points(path, x_col="Longitude", y_col="Latitude", time_col="Date", crs="EPSG:4326")
    n = len(df.index[::3])
    assert got.attrs["rows"]["dropped"]["no time"] == n
    assert len(got) == len(df) - n
    example = got.attrs["dropped_examples"]["no time"]
    assert example.startswith("data row 1: Date ")  # 'N/A' the CSV reader reads as missing
    assert repr(placeholder) in example or example.endswith("missing")


def test_a_word_that_is_no_placeholder_still_refuses_a_mostly_unread_column(tmp_path):
    df = city_rows()
    df.loc[df.index[::3], "Date"] = "sometime in spring"
    path = tmp_path / "chicago.csv"
    df.to_csv(path, index=False)
    with pytest.raises(ImportFileError, match="cannot be read"):
        read_points(path, x_col="Longitude", y_col="Latitude", time_col="Date", crs="EPSG:4326")


def test_a_header_with_spaces_around_it_is_found_by_its_name(tmp_path):
    df = city_rows().rename(columns={"Date": " Date ", "Latitude": "Latitude "})
    path = tmp_path / "chicago.csv"
    df.to_csv(path, index=False)
    got = read_points(path, x_col="Longitude", y_col="Latitude", time_col="Date", crs="EPSG:4326")
    assert len(got) == len(df)


def test_a_unit_mismatch_names_the_crs_real_unit_and_sweden_only_for_swedish_points(tmp_path):
    # EPSG:3435 (Illinois East) counts US survey feet, not metres
    df = city_rows()
    path = tmp_path / "chicago.csv"
    df.to_csv(path, index=False)
    args = {"x_col": "Longitude", "y_col": "Latitude", "time_col": "Date"}
    with pytest.raises(CRSError, match=r"EPSG:3435 \(NAD83 / Illinois East \(ftUS\)\) counts US "):
        read_points(path, crs="EPSG:3435", **args)
    # Chicago's feet given as degrees: SWEREF 99 TM, which puts them in the sea, is no fix
    feet = lonlat_of(df).to_crs(3435)
    df["Longitude"], df["Latitude"] = feet.x, feet.y
    df.to_csv(path, index=False)
    with pytest.raises(CRSError, match="State Plane or UTM zone") as chicago:
        read_points(path, crs="EPSG:4326", **args)
    assert "SWEREF" not in str(chicago.value)
    # Örebro's metres given as degrees: SWEREF 99 TM is
    sweref = lonlat_of(city_at(15.21, 59.27)).to_crs(3006)
    df["Longitude"], df["Latitude"] = sweref.x, sweref.y
    df.to_csv(path, index=False)
    with pytest.raises(CRSError, match=r"e.g. --crs EPSG:3006 \(SWEREF 99 TM\)"):
        read_points(path, crs="EPSG:4326", **args)


@pytest.mark.parametrize("given", ["EPSG:4326", "EPSG:26985"])
def test_a_geopackage_given_another_crs_than_its_own_is_told_to_leave_out_crs(tmp_path, given):
    # the file states EPSG:3006; --crs EPSG:4326 calls its metres degrees (refused), and
    # Maryland's metres (EPSG:26985) put them 6,000 km north of Maryland: both name the
    # file's own CRS
    df = city_at(15.21, 59.27)
    sweref = lonlat_of(df).to_crs(3006)
    path = tmp_path / "events.gpkg"
    gpd.GeoDataFrame({"Date": df["Date"]}, geometry=sweref.to_numpy(), crs=3006).to_file(path)
    leave_out = r"states its own CRS, EPSG:3006 \(SWEREF99 TM\).*leave out --crs"
    with pytest.raises(CRSError, match=leave_out):
        read_points(path, x_col=None, y_col=None, time_col="Date", crs=given)
    assert len(read_points(path, x_col=None, y_col=None, time_col="Date", crs=None)) == len(df)


@pytest.mark.parametrize("where", [(), ("--where", "Primary Type=NARCOTICS")])
def test_a_header_repeated_inside_a_csv_is_dropped_as_such(tmp_path, where):
    # two exports concatenated: the second's header line is no row without a location, nor
    # one that does not match --where
    lines = city_rows().to_csv(index=False).splitlines()
    lines.insert(201, lines[0])  # data row 201
    lines.insert(302, " " + lines[0].replace("Latitude", "LATITUDE"))  # its case, a space
    path = tmp_path / "concatenated.csv"
    path.write_text("\n".join(lines) + "\n")
    result = run_evaluate(path, "--methods", "count_1m", "--train-months", "1", *where)
    assert result.exit_code == 0, result.output
    assert "2 dropped: repeated header (first data row 201: the header line again)" in result.stderr
    assert "no location" not in result.stderr
    not_matching = "100 not matching --where" if where else "not matching"
    assert (not_matching in result.stderr) == bool(where)


def test_null_and_n_a_coordinates_are_missing_not_empty(tmp_path):
    lines = city_rows().to_csv(index=False).splitlines()  # Date,Primary Type,Latitude,Longitude
    lines[1] = lines[1].rsplit(",", 2)[0] + ",NULL,N/A"
    lines[2] = lines[2].rsplit(",", 2)[0] + ",NA,NA"
    path = tmp_path / "nulls.csv"
    path.write_text("\n".join(lines) + "\n")
    got = read_points(path, x_col="Longitude", y_col="Latitude", time_col="Date", crs="EPSG:4326")
    assert got.attrs["rows"]["dropped"]["no location"] == 2
    assert got.attrs["dropped_examples"]["no location"] == (
        "data row 1: Longitude missing, Latitude missing"
    )
