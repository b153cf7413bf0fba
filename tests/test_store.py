import json
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pyogrio
import pytest
import shapely

from geo import store
from geo.errors import StoreError
from geo.ingest.normalize import empty_incidents, empty_quarantine


def _batch(n: int, sha: str, *, prefix: str = "i") -> store.ImportBatch:
    inc = empty_incidents()
    rows = pd.DataFrame(
        {
            "incident_id": [f"{prefix}{k}" for k in range(n)],
            "source": "kommun",
            "occurred_at": pd.date_range(
                "2025-06-01 12:00", periods=n, freq="h", tz="Europe/Stockholm"
            ),
            "time_precision": "exact",
            "category": "nedskrapning",
            "theme": "S",
            "location_precision_m": 10.0,
            "weight": 1.0,
            "kommunkod": "1814",
            "content_hash": [f"c{k}" for k in range(n)],
        }
    )
    geoms = shapely.points([495000.0 + k for k in range(n)], [6567000.0] * n)
    import geopandas as gpd

    gdf = gpd.GeoDataFrame(rows, geometry=geoms, crs=3006)
    for col in inc.columns:
        if col not in gdf:
            gdf[col] = None
    return store.ImportBatch("test.csv", sha, "csv", gdf[inc.columns], empty_quarantine(), n)


def test_an_id_stored_as_a_floats_text_is_the_same_report(tmp_path):
    # stores written before ids were read as whole numbers hold a GeoPackage's integer id
    # with a NULL in its column as "kommun:1001.0"; the same report as "kommun:1001" is no
    # second event (nor is "kommun:10010" the same as "kommun:1001.0")
    path = tmp_path / "s.gpkg"
    old = _batch(1, "h1")
    old.incidents["incident_id"] = ["kommun:1001.0"]
    store.write_import(old, path)
    new = _batch(2, "h2")
    new.incidents["incident_id"] = ["kommun:1001", "kommun:10010"]
    result = store.write_import(new, path)
    assert (result.stored, result.duplicates) == (1, 1)
    assert sorted(store.read_incidents(path)["incident_id"]) == ["kommun:1001.0", "kommun:10010"]


def test_roundtrip_and_the_file_is_a_real_geopackage(tmp_path):
    path = tmp_path / "s.gpkg"
    result = store.write_import(_batch(3, "h1"), path)
    assert (result.stored, result.duplicates) == (3, 0)
    df = store.read_incidents(path)
    assert list(df["incident_id"]) == ["i0", "i1", "i2"]
    assert str(df["occurred_at"].dt.tz) == "Europe/Stockholm"
    assert df["occurred_at"].iloc[0] == pd.Timestamp("2025-06-01 12:00", tz="Europe/Stockholm")
    assert df.crs.to_epsg() == 3006 and df.geometry.iloc[1].x == 495001.0
    # GDAL (what QGIS uses) reads the same layer.
    layers = dict(pyogrio.list_layers(path))
    assert layers["incidents"] == "Point"
    gdal = pyogrio.read_dataframe(path, layer="incidents")
    assert gdal.crs.to_epsg() == 3006 and len(gdal) == 3
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA application_id").fetchone()[0] == 0x47504B47


def test_same_file_twice_stores_nothing_and_ids_dedupe(tmp_path):
    path = tmp_path / "s.gpkg"
    store.write_import(_batch(3, "h1"), path)
    again = store.write_import(_batch(3, "h1"), path)
    assert again.already_imported and again.stored == 0 and again.duplicates == 3
    other_file_same_rows = store.write_import(_batch(4, "h2"), path)
    assert (other_file_same_rows.stored, other_file_same_rows.duplicates) == (1, 3)
    assert store.count_incidents(path) == 4


def test_query_filters(tmp_path):
    path = tmp_path / "s.gpkg"
    store.write_import(_batch(5, "h1"), path)
    sel = store.read_incidents(
        path, start=pd.Timestamp("2025-06-01 13:00"), end=pd.Timestamp("2025-06-01 15:00")
    )
    assert list(sel["incident_id"]) == ["i1", "i2"]
    assert store.read_incidents(path, themes=["T"]).empty
    assert len(store.read_incidents(path, bbox=(495000, 6566000, 495002.5, 6568000))) == 3
    empty = store.read_incidents(path, categories=["narkotika"])
    assert empty.empty and "geometry" in empty and "occurred_at" in empty


def test_layers_and_reserved_names(tmp_path):
    path = tmp_path / "s.gpkg"
    df = store.read_incidents(path)
    store.write_layer(store.read_incidents(path), "hotspots_test", path)
    assert "hotspots_test" in store.list_layers(path)
    assert store.read_layer("hotspots_test", path).empty
    with pytest.raises(StoreError, match="reserved or not a plain identifier"):
        store.write_layer(df, "incidents", path)
    with pytest.raises(StoreError, match="no layer 'nope'"):
        store.read_layer("nope", path)


def test_not_a_store_gives_a_clear_error(tmp_path):
    bad = tmp_path / "bad.gpkg"
    bad.write_text("not sqlite at all" * 100)
    with pytest.raises(StoreError, match="not a usable GeoPackage"):
        store.count_incidents(bad)


def test_killed_mid_import_leaves_none_or_all_of_it(tmp_path):
    path = tmp_path / "s.gpkg"
    store.write_import(_batch(10, "before", prefix="old"), path)
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from test_store import _batch
        from geo import store
        store.write_import(_batch(150_000, "big"), __import__("pathlib").Path({str(path)!r}))
    """)
    proc = subprocess.Popen([sys.executable, "-c", script])
    wal = Path(str(path) + "-wal")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if wal.exists() and wal.stat().st_size > 256 * 1024:  # the big transaction is being written
            break
        time.sleep(0.005)
    ended = proc.poll()
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert ended in (None, 0), f"the import failed on its own (exit {ended}; its stderr above)"
    assert ended is None, "the import finished before it could be killed; make the batch larger"
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    n = store.count_incidents(path)
    assert n in (10, 10 + 150_000)
    assert set(store.read_incidents(path)["incident_id"].str[:3]) >= {"old"}


def test_analysis_layers_roundtrip_and_gdal_reads_them(tmp_path):
    import geopandas as gpd

    path = tmp_path / "s.gpkg"
    layer = gpd.GeoDataFrame(
        {
            "cell_id": [1, 2],
            "risk": [0.5, 1.5],
            "hot": [True, False],
            "label": ["väg 204", None],
            "how_profile": [[1, 2, 3], [0, 0, 1]],
            "first_seen": pd.to_datetime(["2025-06-01 12:00", "2025-07-01 08:00"]).tz_localize(
                "Europe/Stockholm"
            ),
        },
        geometry=[shapely.box(0, 0, 250, 250), shapely.box(250, 0, 500, 250)],
        crs=3006,
    )
    store.write_layer(layer, "forecast_test", path)
    store.write_layer(layer.iloc[:1], "forecast_test", path)  # replaces, does not append
    back = store.read_layer("forecast_test", path)
    assert len(back) == 1 and back.crs.to_epsg() == 3006
    assert back["cell_id"].iloc[0] == 1 and bool(back["hot"].iloc[0]) is True
    assert json.loads(back["how_profile"].iloc[0]) == [1, 2, 3]
    assert back["first_seen"].iloc[0] == layer["first_seen"].iloc[0]
    assert back.geometry.iloc[0].equals(layer.geometry.iloc[0])
    gdal = pyogrio.read_dataframe(path, layer="forecast_test")
    assert gdal.crs.to_epsg() == 3006 and gdal["label"].iloc[0] == "väg 204"
    table = pd.DataFrame({"place": ["Leken"], "n": [3]})
    store.write_layer(table, "place_stats_test", path)
    assert store.read_layer("place_stats_test", path)["n"].tolist() == [3]


def test_a_copy_of_the_gpkg_file_alone_holds_what_was_written(tmp_path):
    """geo run left its layers in the -wal file while the spots' reader stayed open."""
    import shutil

    import geopandas as gpd

    path = tmp_path / "s.gpkg"
    store.write_import(_batch(3, "h1"), path)
    # the kept read-only connection a command opens when it reads the spots or accounts
    reader = store.open_read_only(path)
    assert reader.execute("SELECT count(*) FROM incidents").fetchone()[0] == 3
    layer = gpd.GeoDataFrame({"a": [1, 2]}, geometry=[shapely.Point(1, 1)] * 2, crs=3006)
    store.write_layer(layer, "hotspots_test", path)
    store.write_import(_batch(2, "h2", prefix="n"), path)
    # taken to QGIS on another machine, or to a backup: the .gpkg without its -wal
    copy = tmp_path / "copy" / "s.gpkg"
    copy.parent.mkdir()
    shutil.copyfile(path, copy)
    alone = sqlite3.connect(copy.as_uri() + "?immutable=1", uri=True)
    assert alone.execute("SELECT count(*) FROM hotspots_test").fetchone()[0] == 2
    assert alone.execute("SELECT count(*) FROM incidents").fetchone()[0] == 5
    alone.close()
    reader.close()


def test_open_connections_survive_layer_writes(tmp_path):
    """A reader holding the store open (the marking app) keeps working while layers are written."""
    import geopandas as gpd

    path = tmp_path / "s.gpkg"
    store.write_import(_batch(3, "h1"), path)
    held = sqlite3.connect(path)
    assert held.execute("SELECT count(*) FROM incidents").fetchone()[0] == 3
    for _ in range(2):
        store.write_layer(
            gpd.GeoDataFrame({"a": [1]}, geometry=[shapely.Point(1, 1)], crs=3006), "x", path
        )
        store.write_import(_batch(2, f"h{_ + 2}", prefix=f"n{_}"), path)
        assert held.execute("SELECT count(*) FROM incidents").fetchone()[0] == 3 + 2 * (_ + 1)
    held.close()
