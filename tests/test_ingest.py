import datetime
import json
import math

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from _foundation import FJUGESTA, LANNA, VRETSTORP, project, write
from _xls import write_xls
from click.testing import CliRunner

from geo import ingest, store
from geo.cli import main
from geo.errors import ImportFileError
from geo.pointxls import OLE2_MAGIC

NOW = pd.Timestamp("2026-11-26 12:00", tz="Europe/Stockholm")


def _import(path, tmp_path, **kw):
    return ingest.import_file(path, store_path=tmp_path / "s.gpkg", now=NOW, **kw)


def _stored(tmp_path):
    return store.read_incidents(tmp_path / "s.gpkg")


def _dist_m(point, lonlat):
    x, y = project(lonlat, 3006)
    return math.hypot(point.x - x, point.y - y)


def test_csv_with_wgs84_lat_lon_and_swedish_headers(tmp_path):
    lon, lat = LANNA
    f = write(
        tmp_path / "a.csv",
        f"datum,tid,kategori,latitud,longitud,beskrivning\n2026-07-04,18:30,nedskräpning,{lat},{lon},skräp\n",
    )
    r = _import(f, tmp_path)
    assert (r.read, r.stored, r.quarantined) == (1, 1, 0)
    row = _stored(tmp_path).iloc[0]
    assert row["category"] == "nedskrapning" and row["place_id"] == "lanna_badgruva"
    assert row["occurred_at"] == pd.Timestamp("2026-07-04 18:30", tz="Europe/Stockholm")
    assert _dist_m(row.geometry, LANNA) < 1


@pytest.mark.parametrize("epsg", [3006, 3021, 3009])
def test_projected_files_sweref_rt90_and_local_zone_land_within_1m(tmp_path, epsg, caplog):
    x, y = project(LANNA, epsg)
    f = write(
        tmp_path / "b.csv", f"Datum;Kategori;E;N\n2026-06-01 14:00;Hastighet;{x:.3f};{y:.3f}\n"
    )
    r = _import(f, tmp_path)
    assert r.stored == 1
    # the detected CRS is a log warning naming the file, not a Python warning with source code
    (msg,) = [rec.getMessage() for rec in caplog.records if rec.levelname == "WARNING"]
    assert msg.startswith(f"{f}: coordinates read as EPSG:{epsg}") and f"--crs EPSG:{epsg}" in msg
    assert _dist_m(_stored(tmp_path).geometry.iloc[0], LANNA) < 1


def test_explicit_crs_needs_no_detection(tmp_path):
    x, y = project(FJUGESTA, 3006)
    f = write(tmp_path / "c.csv", f"tidpunkt,typ,x,y\n2026-06-01T22:00,Narkotikabrott,{x},{y}\n")
    r = _import(f, tmp_path, crs=3006)
    assert r.stored == 1
    row = _stored(tmp_path).iloc[0]
    assert (
        row["category"] == "narkotika"
        and row["theme"] == "N"
        and _dist_m(row.geometry, FJUGESTA) < 1
    )


def test_swapped_lat_lon_columns_and_single_swapped_rows_are_fixed(tmp_path):
    lon, lat = LANNA
    flon, flat = FJUGESTA
    # Whole file swapped (lat values under "lon") …
    f = write(
        tmp_path / "d.csv",
        "date,category,lon,lat\n"
        f"2026-06-01 10:00,speeding,{lat},{lon}\n2026-06-02 10:00,x,{flat},{flon}\n",
    )
    assert _import(f, tmp_path).stored == 2
    pts = _stored(tmp_path).sort_values("occurred_at").geometry
    assert _dist_m(pts.iloc[0], LANNA) < 1 and _dist_m(pts.iloc[1], FJUGESTA) < 1
    # … and one row swapped among correct ones.
    g = write(
        tmp_path / "e.csv",
        "datum,latitud,longitud,kategori\n"
        f"2026-06-03 10:00,{lat},{lon},a\n2026-06-04 10:00,{flon},{flat},b\n",
    )
    assert _import(g, tmp_path).stored == 2
    df = _stored(tmp_path)
    swapped = df[df["occurred_at"] == pd.Timestamp("2026-06-04 10:00", tz="Europe/Stockholm")].iloc[
        0
    ]
    assert swapped["location_flag"] == "xy_swapped" and _dist_m(swapped.geometry, FJUGESTA) < 1


def test_quarantine_reasons_and_nothing_lost(tmp_path):
    lon, lat = LANNA
    vlon, vlat = VRETSTORP
    text = (
        "datum;plats;lat;lon;kategori\n"
        f"2026-06-01 12:00;;{lat};{lon};skadegörelse\n"  # stored
        f"2026-06-01 12:00;;{vlat};{vlon};skadegörelse\n"  # outside the kommun
        f"inte ett datum;;{lat};{lon};skadegörelse\n"  # no time
        "2026-06-01 12:00;Okändby;;;skadegörelse\n"  # no location
        "2026-06-01 12:00;lanna gruva;;;nedskräpning\n"  # geocoded through the gazetteer
        f"2099-01-01 12:00;;{lat};{lon};skadegörelse\n"  # future
    )
    r = _import(write(tmp_path / "q.csv", text), tmp_path)
    assert r.read == r.stored + r.quarantined + r.duplicates == 6
    assert r.stored == 2
    assert r.reasons == {"outside_kommun": 1, "no_time": 1, "no_location": 1, "time_in_future": 1}
    q = store.read_quarantine(tmp_path / "s.gpkg")
    assert sorted(q["line"]) == [3, 4, 5, 7]  # file lines, header = line 1
    assert "Okändby" in q.loc[q["reason"] == "no_location", "raw"].iloc[0]
    geocoded = _stored(tmp_path).query("location_flag == 'geocoded_place'").iloc[0]
    assert geocoded["place_id"] == "lanna_badgruva" and geocoded["location_precision_m"] >= 200


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_encodings(tmp_path, encoding):
    f = write(
        tmp_path / "enc.csv",
        "Datum;Plats;Beskrivning\n2026-06-01 19:00;Tångeråsa kyrka;Stöld av diesel\n",
        encoding,
    )
    r = _import(f, tmp_path)
    assert r.stored == 1
    row = _stored(tmp_path).iloc[0]
    assert (
        row["place_name"] == "Tångeråsa"
        and row["category"] == "stold"
        and row["description"] == "Stöld av diesel"
    )


def test_dst_gap_and_overlap_are_flagged(tmp_path):
    lon, lat = FJUGESTA
    f = write(
        tmp_path / "dst.csv",
        f"datum,lat,lon\n2025-03-30 02:30,{lat},{lon}\n2025-10-26 02:30,{lat},{lon + 0.001}\n",
    )
    assert _import(f, tmp_path).stored == 2
    df = _stored(tmp_path).sort_values("occurred_at")
    assert list(df["time_flag"]) == ["dst_gap", "dst_ambiguous"]
    assert df["occurred_at"].iloc[0] == pd.Timestamp("2025-03-30 03:00", tz="Europe/Stockholm")
    assert df["occurred_at"].iloc[1].utcoffset() == pd.Timedelta(hours=2)


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        # a kommun's case system writes Swedish month names
        ("3 maj 2026 18:30", "12 december 2025", ["2025-12-12 00:00", "2026-05-03 18:30"]),
        # midnight as the end of the day before; 12:24:00 is no 24:00
        ("31.10.2026 24:00", "2026-05-01 12:24:00", ["2026-05-01 12:24", "2026-11-01 00:00"]),
    ],
)
def test_month_names_and_24_00_are_read(tmp_path, first, second, expected):
    lon, lat = FJUGESTA
    f = write(
        tmp_path / "tider.csv",
        f"datum,lat,lon\n{first},{lat},{lon}\n{second},{lat},{lon + 0.001}\n",
    )
    assert _import(f, tmp_path).stored == 2
    got = sorted(_stored(tmp_path)["occurred_at"])
    assert got == [pd.Timestamp(t, tz="Europe/Stockholm") for t in expected]


@pytest.mark.parametrize(
    "rows",
    [
        # a kommun's Excel export: "2026/05/03" and "20260504" were read as 5 March and 5 April
        # (day first), a date with dots alone was stored as "exact" at midnight, and "kl. 18.30"
        # or "18.30" after a date with dots was no time at all
        [
            ("2026/05/03;kl 18.30", "2026-05-03 18:30", "exact"),
            ("20260504;", "2026-05-04", "day"),
            ("05.05.2026;", "2026-05-05", "day"),
            ("06.05.2026 21.15;", "2026-05-06 21:15", "exact"),
        ],
        # a time column holding "kl 7" was no time at all (the row quarantined), "23" and
        # "1830" were read as times but stored as a date alone, so they left the hour-of-week
        # profiles
        [
            ("2026-05-03;kl 7", "2026-05-03 07:00", "hour"),
            ("2026-05-04;23", "2026-05-04 23:00", "hour"),
            ("2026-05-05;1830", "2026-05-05 18:30", "exact"),
        ],
    ],
    ids=["year-first-and-dotted", "hour-alone"],
)
def test_swedish_dates_and_clocks_in_a_file(tmp_path, rows):
    lon, lat = FJUGESTA
    lines = [f"{when};{lat};{lon + 0.001 * i}" for i, (when, _, _) in enumerate(rows)]
    f = write(tmp_path / "tider.csv", "Datum;Tid;Latitud;Longitud\n" + "\n".join(lines) + "\n")
    assert _import(f, tmp_path).stored == len(rows)
    df = _stored(tmp_path).sort_values("occurred_at")
    assert list(df["occurred_at"]) == [pd.Timestamp(t, tz="Europe/Stockholm") for _, t, _ in rows]
    assert list(df["time_precision"]) == [precision for _, _, precision in rows]


def test_xlsx_geojson_and_geopackage(tmp_path):
    lon, lat = LANNA
    pd.DataFrame(
        {
            "Datum": [pd.Timestamp("2026-07-05 15:00")],
            "Kategori": ["Nedskräpning"],
            "Latitud": [lat],
            "Longitud": [lon],
        }
    ).to_excel(tmp_path / "x.xlsx", index=False)
    assert _import(tmp_path / "x.xlsx", tmp_path).stored == 1
    x, y = project(FJUGESTA, 3006)
    gdf = gpd.GeoDataFrame(
        {"tidpunkt": ["2026-07-05 21:00"], "kategori": ["alkohol"]},
        geometry=[shapely.Point(x, y)],
        crs=3006,
    )
    gdf.to_crs(4326).to_file(tmp_path / "g.geojson", driver="GeoJSON")
    gdf.to_file(tmp_path / "g.gpkg", driver="GPKG")
    assert _import(tmp_path / "g.geojson", tmp_path).stored == 1
    r = _import(tmp_path / "g.gpkg", tmp_path)
    assert r.duplicates == 1  # same content as the GeoJSON row: same incident
    df = _stored(tmp_path)
    assert len(df) == 2 and set(df["category"]) == {"nedskrapning", "alkohol"}


def test_geopackage_of_several_layers_reads_the_one_with_features_or_the_one_named(tmp_path):
    # a QGIS GeoPackage with an empty template layer first was refused as "the file has a
    # header but no rows"; of two filled layers only the first could be read, and with the
    # file's hash naming the import, the second could never be imported at all
    x, y = project(FJUGESTA, 3006)

    def layer(times):
        return gpd.GeoDataFrame(
            {"tidpunkt": times, "kategori": ["klotter"] * len(times)},
            geometry=[shapely.Point(x + 10 * k, y) for k in range(len(times))],
            crs=3006,
        )

    f = tmp_path / "qgis.gpkg"
    layer([]).to_file(f, layer="mall", driver="GPKG")
    layer(["2026-05-03 18:30", "2026-05-04 18:30"]).to_file(f, layer="rapporter_2026")
    assert _import(f, tmp_path).stored == 2
    layer(["2025-05-03 18:30"]).to_file(f, layer="rapporter_2025")
    with pytest.raises(ImportFileError, match=r"3 layers: 'mall' \(0 features\), 'rapporter_2026"):
        _import(f, tmp_path)
    r = _import(f, tmp_path, layer="rapporter_2025")
    assert (r.read, r.stored, r.already_imported) == (1, 1, False)
    again = _import(f, tmp_path, layer="rapporter_2026")
    assert (again.stored, again.duplicates) == (0, 2)
    with pytest.raises(ImportFileError, match="no layer 'x'; its layers are 'mall'"):
        _import(f, tmp_path, layer="x")
    res = CliRunner().invoke(
        main,
        ["import", str(f), "--layer", "rapporter_2025", "--store", str(tmp_path / "s.gpkg")],
    )
    assert res.exit_code == 0 and "imported before" in res.output, res.output


def test_an_integer_id_with_a_null_in_its_column_is_the_same_id_in_every_format(tmp_path):
    # a GeoPackage's integer id column with a NULL is read as floats: the reports of a CSV
    # ("1001") were stored again from the GeoPackage ("1001.0"), each counted twice
    x, y = project(FJUGESTA, 3006)
    times = ["2026-05-03 18:30", "2026-05-04 18:30", "2026-05-05 18:30"]
    gdf = gpd.GeoDataFrame(
        {"id": pd.array([1001, None, 1003], dtype="Int64"), "tidpunkt": times},
        geometry=[shapely.Point(x + 10 * k, y) for k in range(3)],
        crs=3006,
    )
    gdf.to_file(tmp_path / "r.gpkg", driver="GPKG")
    lines = [
        f"{i},{t},{p.x},{p.y}"
        for i, t, p in zip(["1001", "", "1003"], times, gdf.geometry, strict=True)
    ]
    f = write(tmp_path / "r.csv", "id,tidpunkt,E,N\n" + "\n".join(lines) + "\n")
    assert _import(f, tmp_path, crs=3006).stored == 3
    r = _import(tmp_path / "r.gpkg", tmp_path)
    assert (r.stored, r.duplicates) == (0, 3)
    assert sorted(_stored(tmp_path)["incident_id"])[1:] == ["kommun:1001", "kommun:1003"]


def test_reimport_stores_nothing(tmp_path):
    lon, lat = LANNA
    f = write(
        tmp_path / "a.csv",
        f"datum,lat,lon\n2026-07-04 18:30,{lat},{lon}\n2026-07-05 18:30,{lat},{lon}\n",
    )
    assert _import(f, tmp_path).stored == 2
    again = _import(f, tmp_path)
    assert (again.stored, again.duplicates) == (0, 2)


def test_a_row_imported_again_after_a_place_was_drawn_is_no_second_event(tmp_path, monkeypatch):
    # a kommun export without ids, imported before Lanna badgruva was drawn and again (a month
    # more appended) after: its rows' hashes held the place the gazetteer gave them, so the
    # same rows were stored a second time, now at the bathing site, and counted twice
    from geo.sites import load_places

    places = load_places()
    monkeypatch.setattr(
        ingest, "load_places", lambda: places[places["place_id"] != "lanna_badgruva"]
    )
    lon, lat = LANNA
    rows = f"2026-07-04 18:30;nedskräpning;skräp;{lat};{lon}\n"
    header = "datum;kategori;beskrivning;lat;lon\n"
    assert _import(write(tmp_path / "juli.csv", header + rows), tmp_path).stored == 1
    monkeypatch.setattr(ingest, "load_places", lambda: places)
    rows += f"2026-07-04 18:30;klotter;skräp;{lat};{lon}\n"  # another event, same time and spot
    rows += f"2026-08-01 12:00;nedskräpning;skräp;{lat};{lon}\n"
    r = _import(write(tmp_path / "juli-aug.csv", header + rows), tmp_path)
    assert (r.read, r.stored, r.duplicates) == (3, 2, 1)
    df = _stored(tmp_path)
    assert len(df) == 3
    assert (df["place_id"] == "lanna_badgruva").sum() == 2  # the new rows; the first keeps its


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "the file is empty"),
        ("datum,lat,lon\n", "no rows"),
        ("foo,bar\n1,2\n", "no usable columns"),
        ("a,b\n1,2,3,4\n", "no row matches the header"),
        # a case system's export named two columns "Datum": a ValueError and a traceback
        (
            "Datum;Plats;Datum\n2026-05-03;Fjugesta;2026-05-10\n",
            r"two columns named 'Datum' \(columns 1 and 3\)\. Rename the one",
        ),
    ],
)
def test_whole_file_problems_are_one_clear_error(tmp_path, content, message):
    f = write(tmp_path / "bad.csv", content)
    with pytest.raises(ImportFileError, match=message) as info:
        _import(f, tmp_path)
    assert "bad.csv" in str(info.value)
    result = CliRunner().invoke(main, ["import", str(f), "--store", str(tmp_path / "s.gpkg")])
    assert result.exit_code == 1 and "bad.csv" in result.output and "Traceback" not in result.output


def test_title_rows_above_the_header_and_excels_sep_line(tmp_path):
    # Excel reports with a title and a blank row above the table were refused ("no usable
    # columns — missing a date/time column", naming the title as a column); a CSV with
    # Excel's "sep=;" line too ("no row matches the header's 2 fields")
    lon, lat = FJUGESTA
    sheet = [
        ["Trygghetsvandring Lekebergs kommun 2026", None, None, None],
        [None, None, None, None],
        ["Datum", "Kategori", "Latitud", "Longitud"],
        [pd.Timestamp("2026-05-03 18:30"), "Klotter", lat, lon],
        ["i morgon", "Klotter", lat, lon],
    ]
    pd.DataFrame(sheet).to_excel(tmp_path / "rapport.xlsx", index=False, header=False)
    r = _import(tmp_path / "rapport.xlsx", tmp_path)
    assert (r.read, r.stored, r.quarantined) == (2, 1, 1)
    assert [(e.line, e.reason) for e in r.examples] == [(5, "no_time")]  # the sheet's row
    f = write(
        tmp_path / "rapport.csv",
        "sep=;\nTrygghetsvandring 2026;;\n\nDatum;Kategori;Plats\n"
        "2026-05-04;Klotter;Fjugesta\n2026-05-05;Klotter;Okändby\n",
    )
    r = _import(f, tmp_path)
    assert (r.read, r.stored, r.quarantined) == (2, 1, 1)
    assert [(e.line, e.reason) for e in r.examples] == [(6, "no_location")]


def test_corrupt_xlsx_and_unknown_extension(tmp_path):
    f = write(tmp_path / "bad.xlsx", "this is not a zip file")
    with pytest.raises(ImportFileError, match="not a readable XLSX"):
        _import(f, tmp_path)
    with pytest.raises(ImportFileError, match=r"unknown file type '\.doc'"):
        _import(write(tmp_path / "x.doc", "x"), tmp_path)


def test_cli_json_is_one_object_and_counts_add_up(tmp_path):
    lon, lat = LANNA
    f = write(tmp_path / "a.csv", f"datum,lat,lon\n2026-07-04 18:30,{lat},{lon}\nfel,{lat},{lon}\n")
    res = CliRunner().invoke(
        main, ["import", str(f), "--store", str(tmp_path / "s.gpkg"), "--json"]
    )
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data == {
        "read": 2,
        "stored": 1,
        "quarantined": 1,
        "duplicates": 0,
        "repeats": 0,
        "resolved": 0,
        "reasons": {"no_time": 1},
        "examples": [
            {
                "file": str(f),
                "line": 3,
                "reason": "no_time",
                "detail": "column 'datum' holds 'fel', which is not a date/time that can be"
                " read; write it as 2026-05-31 18:30 (or 31.05.2026 18.30)",
            }
        ],
    }


def test_one_coordinate_of_two_is_bad_coordinates_naming_the_empty_column(tmp_path):
    # a row with E and an empty N was quarantined as outside_kommun ("check the coordinates or
    # --crs"), and one with a place name beside it was not looked up in the gazetteer
    x, y = project(FJUGESTA, 3006)
    f = write(
        tmp_path / "en.csv",
        f"datum;E;N;plats\n2026-05-03;{x:.0f};{y:.0f};\n2026-05-04;{x:.0f};;\n"
        f"2026-05-05;;{y:.0f};Mullhyttan\n",
    )
    r = _import(f, tmp_path)
    assert (r.read, r.stored, r.reasons) == (3, 2, {"bad_coordinates": 1})
    (row,) = r.examples
    assert row.line == 3 and row.detail.startswith(
        f"column 'N' is empty while 'E' holds '{x:.0f}'; give both coordinates"
    )
    geocoded = _stored(tmp_path).set_index("place_id").loc["mullhyttan"]
    assert geocoded["location_flag"] == "geocoded_place"


def test_quarantine_details_name_the_columns_values_and_how_far_out(tmp_path):
    # an Excel row typed at Örebro's coordinates said only "the point lies outside kommun
    # 1814 … check the coordinates or --crs", and an unreadable time named no column
    lon, lat = FJUGESTA
    rows = [
        f"2026-05-03;18:30;{lat};{lon}",  # line 2, stored
        "2026-05-03;18:30;59,2753;15,2134",  # line 3, Örebro, 13 km east of the border
        f"igår;;{lat};{lon}",  # line 4
        f";;{lat};{lon}",  # line 5
    ]
    f = write(tmp_path / "rapport.csv", "Datum;Tid;Latitud;Longitud\n" + "\n".join(rows) + "\n")
    r = _import(f, tmp_path)
    assert (r.read, r.stored, r.quarantined) == (4, 1, 3)
    details = {e.line: e.detail for e in r.examples}
    assert details[3].startswith(
        "the point in 'Latitud' 59,2753 / 'Longitud' 15,2134 (read as EPSG:4326) lies 13."
    )
    assert " km outside kommun 1814 (Lekeberg)" in details[3]
    assert details[4].startswith("columns 'Datum' + 'Tid' hold 'igår', which is not a date")
    assert details[5].startswith("columns 'Datum' + 'Tid' are empty; give the date")
    q = store.read_quarantine(tmp_path / "s.gpkg").set_index("line")
    assert q.loc[3, "detail"] == details[3] and q.loc[3, "reason"] == "outside_kommun"


def test_ragged_rows_are_quarantined_not_lost(tmp_path):
    lon, lat = LANNA
    f = write(
        tmp_path / "r.csv",
        f"datum;lat;lon\n2026-07-04 18:30;{lat};{lon}\n2026-07-04 19:30;{lat};{lon};extra\n",
    )
    r = _import(f, tmp_path)
    assert (r.read, r.stored, r.quarantined) == (2, 1, 1)
    assert r.reasons == {"malformed_row": 1}
    q = store.read_quarantine(tmp_path / "s.gpkg")
    assert q["line"].tolist() == [3] and "extra" in q["raw"].iloc[0]


def test_cli_names_the_first_quarantined_rows_per_reason_with_line_and_fix(tmp_path):
    lon, lat = LANNA
    rows = [f"2026-07-04 18:30;{lat};{lon};"]  # line 2, stored
    rows += ["2026-07-04 18:30;;;Okändby"] * 5  # lines 3-7, no_location
    rows += [f"inte ett datum;{lat};{lon};"]  # line 8, no_time
    f = write(tmp_path / "rapporter.csv", "datum;lat;lon;plats\n" + "\n".join(rows) + "\n")
    res = CliRunner().invoke(main, ["import", str(f), "--store", str(tmp_path / "s.gpkg")])
    assert res.exit_code == 0, res.output
    out = res.output
    for line in (3, 4, 5):
        assert f"{f} line {line}: no_location — no coordinates, and place 'Okändby'" in out
    assert f"{f} line 6:" not in out and "… and 2 more" in out
    assert "add the place there, or give lat/lon or x/y" in out  # the fix
    assert f"{f} line 8: no_time — column 'datum' holds 'inte ett datum'" in out
    # the same file again stores nothing and names no rows
    again = CliRunner().invoke(main, ["import", str(f), "--store", str(tmp_path / "s.gpkg")])
    assert "imported before" in again.output and " line " not in again.output


def test_text_in_a_coordinate_column_is_bad_coordinates_naming_column_and_value(tmp_path):
    lon, lat = LANNA
    f = write(
        tmp_path / "t.csv",
        f"datum,lat,lon\n2026-07-04 18:30,{lat},{lon}\n2026-07-04 18:30,abc,def\n"
        f"2026-07-04 18:30,{lat},saknas\n",
    )
    r = _import(f, tmp_path)
    assert (r.stored, r.reasons) == (1, {"bad_coordinates": 2})
    details = [e.detail for e in r.examples]
    assert details[0].startswith("column 'lat' holds 'abc', which is not a number;")
    assert details[1].startswith("column 'lon' holds 'saknas', which is not a number;")
    assert all("write it as a number" in d for d in details)
    assert [e.line for e in r.examples] == [3, 4]


def test_swapped_rows_are_warned_once_with_file_and_lines(tmp_path, caplog):
    lon, lat = LANNA
    flon, flat = FJUGESTA
    right = [f"2026-06-0{d} 10:00,{lat},{lon}" for d in (1, 2, 3)]
    body = "\n".join([*right, f"2026-06-04 10:00,{flon},{flat}", f"2026-06-05 10:00,{lon},{lat}"])
    f = write(tmp_path / "s1.csv", "datum,latitud,longitud\n" + body + "\n")
    assert _import(f, tmp_path).stored == 5
    (msg,) = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert msg.startswith(f"{f} lines 5, 6: x and y were swapped (2 rows); fixed")
    # the same rows in another file are duplicates: no second warning
    caplog.clear()
    g = write(tmp_path / "s2.csv", "datum,latitud,longitud\n" + body + "\n")
    assert _import(g, tmp_path).duplicates == 5
    assert not [r for r in caplog.records if r.levelname == "WARNING"]
    # one new swapped row: "1 row", its own line
    h = write(
        tmp_path / "s3.csv",
        f"datum,latitud,longitud\n2026-06-06 10:00,{lat},{lon}\n2026-06-07 10:00,{lat},{lon}\n"
        f"2026-06-08 10:00,{flon},{flat}\n",
    )
    assert _import(h, tmp_path).stored == 3
    (msg,) = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert msg.startswith(f"{h} line 4: x and y were swapped (1 row); fixed")


@pytest.mark.parametrize("word", ["trafik", "Trafikproblem", "trafiksäkerhet", "traffic"])
def test_a_generic_traffic_category_counts_for_the_traffic_theme(tmp_path, word):
    lon, lat = LANNA
    f = write(tmp_path / "k.csv", f"datum,kategori,lat,lon\n2026-07-04 18:30,{word},{lat},{lon}\n")
    assert _import(f, tmp_path).categories == {"trafikfarlig_plats": 1}
    row = _stored(tmp_path).iloc[0]
    assert (row["category"], row["theme"]) == ("trafikfarlig_plats", "T")


def test_a_date_pandas_reads_as_year_1_is_quarantined_not_a_crash(tmp_path):
    lon, lat = LANNA
    f = write(tmp_path / "y.csv", f"datum,tid,lat,lon\n1,18:30,{lat},{lon}\n")
    r = _import(f, tmp_path)
    assert r.reasons == {"no_time": 1} and r.examples[0].line == 2


def test_legacy_xls_workbook_is_imported_like_xlsx(tmp_path):
    # an Excel 97-2003 export from an older kommun system: date cells, coordinates as numbers
    lon, lat = LANNA
    rows = [
        ["Datum", "Kategori", "Latitud", "Longitud"],
        [datetime.datetime(2026, 7, 5, 15, 0), "Nedskräpning", lat, lon],
        [datetime.datetime(2026, 7, 6, 22, 30), "Skadegörelse", lat, lon],
        [],
        ["inte ett datum", "Nedskräpning", lat, lon],
    ]
    write_xls(tmp_path / "x.xls", {"Rapporter": rows})
    r = _import(tmp_path / "x.xls", tmp_path)
    assert (r.read, r.stored, r.quarantined) == (3, 2, 1)
    assert [e.line for e in r.examples] == [5]  # the sheet's own row number
    got = sorted(_stored(tmp_path)["occurred_at"])
    assert got == [
        pd.Timestamp("2026-07-05 15:00", tz="Europe/Stockholm"),
        pd.Timestamp("2026-07-06 22:30", tz="Europe/Stockholm"),
    ]


def test_xls_that_is_not_a_workbook_names_the_fix(tmp_path):
    f = write(tmp_path / "export.xls", "<html><table><tr><td>Datum</td></tr></table></html>")
    with pytest.raises(ImportFileError, match="not an Excel workbook: it is an HTML page") as info:
        _import(f, tmp_path)
    assert "export.xls" in str(info.value) and "save it as .xlsx" in str(info.value)
    # a damaged workbook (the right first bytes, then nothing) is refused as unreadable
    damaged = tmp_path / "damaged.xls"
    damaged.write_bytes(OLE2_MAGIC + b"\0" * 100)
    with pytest.raises(ImportFileError, match=r"damaged\.xls: not a readable XLS workbook"):
        _import(damaged, tmp_path)
    # a workbook saved as .xlsx and renamed .xls is read as what it is
    lon, lat = LANNA
    pd.DataFrame({"Datum": ["2026-07-05 15:00"], "Latitud": [lat], "Longitud": [lon]}).to_excel(
        tmp_path / "renamed.xlsx", index=False
    )
    (tmp_path / "renamed.xlsx").rename(tmp_path / "renamed.xls")
    assert _import(tmp_path / "renamed.xls", tmp_path).stored == 1
