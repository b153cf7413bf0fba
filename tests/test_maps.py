"""Tests of the map builders through their rendered HTML, the offline writer and `geo maps`."""

from __future__ import annotations

import base64
import json
import re
import subprocess
import sys

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from click.testing import CliRunner

from geo import privacy, sites, store
from geo.cli import main
from geo.cli.maps import maps as maps_command
from geo.errors import DataError
from geo.maps import build_all, lagesbild_map, peak_hours_chart, render_map, save_map, shared_map
from geo.maps._assets import AssetError, inline_assets
from geo.model import CATEGORIES
from tests import _maps_fixtures as fx


@pytest.fixture(scope="module")
def incidents() -> gpd.GeoDataFrame:
    return fx.incidents()


@pytest.fixture(scope="module")
def places() -> gpd.GeoDataFrame:
    return sites.load_places()


@pytest.fixture(scope="module")
def internal_html(incidents, places) -> str:
    m = lagesbild_map(
        incidents,
        places=places,
        boundary=sites.load_boundary(),
        roads=fx.road_segments()[["ref", "name", "geometry"]],
        schematic_roads=True,
        hotspots=fx.hotspots(as_json_strings=True),
        gi_grid=fx.gi_grid(),
        road_segments=fx.road_segments(),
        spots=fx.spots(),
        emerging=fx.emerging(),
        forecast=fx.forecast(),
    )
    return render_map(m)


@pytest.fixture(scope="module")
def shared_html(incidents, places) -> str:
    cells = privacy.aggregate_for_sharing(
        incidents, k=5, at_bathing_site=(incidents["place_id"] == "leken").to_numpy()
    )
    m = shared_map(
        cells,
        k=5,
        period=privacy.shared_period_label(incidents["occurred_at"]),
        places=places,
        boundary=sites.load_boundary(),
    )
    return render_map(m)


def _unescape(html: str) -> str:
    """Decode the JSON \\uXXXX escapes folium writes, so Swedish text can be searched."""
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), html)


def _features(html: str) -> list[dict]:
    return [f for fc in fx.embedded_geojson(html) for f in fc["features"]]


def test_internal_map_has_swedish_theme_layers_and_legend(internal_html):
    internal_html = _unescape(internal_html)
    for name in (
        "Händelser N – Narkotika och alkohol",
        "Händelser T – Trafik",
        "Händelser B – Badplatser",
        "Händelser S – Samverkan och övrigt",
    ):
        assert name in internal_html
    for text in (
        "Teckenförklaring",
        "Dataperiod: 2024-01-",
        "Skapad: ",
        "Kommungräns",
        "schematiskt vägnät",
        "Sök plats",
        "Hotspots per tema (1)",
        "Hotspots per kategori (2)",
        "Hotspot: kluster av händelser, kant i temats färg",
        "Värmekarta",
        "Kommunens markerade trafikplatser, öppna (2)",
        "Kommunens markerade trafikplats: ny (ljusare: bedömd, åtgärd planerad)",
        "Vägsträckor (trafikhändelser per km)",
    ):
        assert text in internal_html


def test_only_open_marked_spots_are_drawn_with_their_status_in_words(internal_html):
    # a kommun officer's review: a spot rejected as a duplicate stayed on the police's map,
    # its status read "avvisad", a stretch under assessment "bedomd", all in the same red
    marked = [
        dict(f["properties"]["_rows"])
        for f in _features(internal_html)
        if f["properties"].get("_title", "").startswith("Markerad trafikplats")
    ]
    assert sorted(r["Status"] for r in marked) == ["Bedömd", "Ny"]
    colours = {
        f["properties"]["_color"]
        for f in _features(internal_html)
        if f["properties"].get("_title", "").startswith("Markerad trafikplats")
    }
    assert len(colours) == 2 and "#d7191c" not in colours  # apart from the hot cells' red


def test_internal_map_points_carry_popups_and_weeks(internal_html, incidents):
    points = [f for f in _features(internal_html) if f["geometry"]["type"] == "Point"]
    with_weeks = [f for f in points if "w" in f["properties"]]
    # every incident is drawn once, in its own theme, also those at a bathing site (B): the
    # clusters' counts add up to the events
    assert len(with_weeks) == len(incidents)
    n_leken = int((incidents["place_id"] == "leken").sum())
    titles = [f["properties"].get("_title", "") for f in _features(internal_html)]
    assert f"Badplats Leken: {n_leken} händelser" in titles
    assert f"Händelser B – Badplatser ({n_leken} vid badplatserna)" in _unescape(internal_html)
    rows = dict(with_weeks[0]["properties"]["_rows"])
    assert set(rows) == {"Tid", "Kategori", "Tema", "Källa", "Plats", "Beskrivning"}
    assert all(re.fullmatch(r"\d{4}-W\d{2}", f["properties"]["w"]) for f in with_weeks)


def test_hostile_text_is_only_json_escaped(internal_html):
    assert "<script>window.__pwned" not in internal_html
    assert "\\u003cscript\\u003ewindow.__pwned=1" in internal_html
    # popups are built with textContent, never innerHTML
    assert "textContent = String(r[1])" in internal_html


def test_hotspot_popups_have_counts_trend_chart_and_places(internal_html):
    hs = [
        f["properties"]
        for f in _features(internal_html)
        if f["properties"].get("kind") == "hotspot"
    ]
    assert len(hs) == fx.N_HOTSPOTS
    rows = dict(hs[0]["_rows"])
    assert rows["Antal händelser"] == "12"
    assert rows["Trend"] == "ökande"
    assert rows["Platser"] == "Fjugesta centrum"
    assert rows["Vanligaste timmar"].startswith("fre 21–22")
    assert hs[0]["_img"].startswith("data:image/svg+xml;base64,")


def test_gi_grid_draws_only_significant_cells(internal_html):
    titles = [f["properties"].get("_title", "") for f in _features(internal_html)]
    assert "Het ruta (99 % säkerhet)" in titles
    assert "Kall ruta (95 % säkerhet)" in titles
    assert "Ej signifikant" not in titles


def test_emerging_hot_spots_draw_the_cells_with_a_pattern_hidden_until_switched_on(internal_html):
    cells = {
        f["properties"]["_title"]: dict(f["properties"]["_rows"])
        for f in _features(internal_html)
        if "Mönster" in dict(f["properties"].get("_rows", []))
    }
    assert set(cells) == {"Ny hot spot", "Intensifierande hot spot", "Ihållande kall ruta"}
    assert cells["Intensifierande hot spot"]["Heta månader"] == "14 av 23"
    html = _unescape(internal_html)
    assert "Framväxande hot spots (3 rutor)" in html
    assert "Framväxande: intensifierande" in html and "Framväxande: kall ruta" in html
    assert "Framväxande: avtagande" not in html  # only the patterns present are explained
    # the layer whose data holds the cells is made but not added: hidden, in the layer list
    before = internal_html[: internal_html.index("Ny hot spot")]
    layer = re.findall(r"var (geo_json_\w+) = L\.geoJson", before)[-1]
    assert f"{layer}.addTo(" not in internal_html
    assert re.findall(r"var (geo_json_\w+) = L\.geoJson", internal_html)[0] + ".addTo(" in (
        internal_html
    )  # the check can fail: a shown layer is added


def test_the_analysis_layers_share_no_colour_with_a_category():
    # the legend showed "Framväxande: avtagande" and "Narkotika" in the same purple
    from geo.maps.analysis_layers import COLD_COLOR, EMERGING_COLORS, FORECAST_RAMP
    from geo.maps.base import CATEGORY_COLORS

    def rgb(c: str) -> tuple[int, ...]:
        return tuple(int(c[i : i + 2], 16) for i in (1, 3, 5))

    ours = [*EMERGING_COLORS.values(), COLD_COLOR, FORECAST_RAMP[-1]]
    for mine in ours:  # none within a just-noticeable distance of a category's colour
        for theirs in CATEGORY_COLORS.values():
            assert sum((a - b) ** 2 for a, b in zip(rgb(mine), rgb(theirs), strict=True)) > 30**2


def test_the_forecast_layer_draws_the_riskiest_cells_holding_half_the_week():
    from geo.maps.analysis_layers import forecast_features

    features, held = forecast_features(fx.forecast())
    rows = [dict(r) for r in features["_rows"]]
    # 4 + 3 of 10 expected events reach half: two cells, riskiest first, darkest first
    assert [r["Väntade händelser"] for r in rows] == ["4,00", "3,00"]
    assert held == pytest.approx(0.7)
    assert rows[0]["Andel av veckans"] == "40,0 %"
    assert rows[0]["Troligaste timmar"] == "fre 21–22, fre 22–23"
    assert features["_color"].iloc[0] != features["_color"].iloc[1]
    features, held = forecast_features(fx.forecast(), share=0.75)
    assert len(features) == 3 and held == pytest.approx(0.8)


def test_the_internal_map_names_the_forecast_week(internal_html):
    html = _unescape(internal_html)
    assert "Prognos 2026-W49 (2 rutor, 70 % av väntade)" in html
    # graded, from light to dark, as the cells are drawn
    assert "Prognos 2026-W49: få väntade" in html
    assert "Prognos 2026-W49: flest väntade (popup: antal)" in html


def test_a_forecast_made_from_old_data_says_so_in_its_name():
    from geo.maps.analysis_layers import forecast_week_label

    stale = fx.forecast("2027-W20").assign(history_end="2026-11-23")
    assert forecast_week_label(stale) == "2027-W20, data t.o.m. 22/11 2026"
    # a week after the data end (geo run's plan week), or six weeks on, as geo forecast says
    for week in ("2026-W49", "2027-W02"):
        assert forecast_week_label(fx.forecast(week).assign(history_end="2026-11-23")) == week


def test_marker_cap_keeps_most_recent(incidents, places):
    m = lagesbild_map(incidents, places=places, max_markers=20)
    html = _unescape(m.get_root().render())
    points = [f for f in _features(html) if "w" in f["properties"]]
    newest = incidents.sort_values("occurred_at").tail(20)
    assert len(points) <= 20 + int((newest["place_id"] == "leken").sum())
    assert "Punkterna visar de 20 senaste av 241" in html


def test_saved_map_is_self_contained(tmp_path, incidents, places):
    path = save_map(lagesbild_map(incidents, places=places), tmp_path / "sub" / "karta.html")
    html = path.read_text(encoding="utf-8")
    assert not re.search(r'<(script|link)[^>]+(src|href)="https?://', html)
    assert "L.map(" in html or "L.map (" in html
    assert "leaflet.markercluster" in html
    assert "/* leaflet.featuregroup.subgroup/dist/leaflet.featuregroup.subgroup.js */" in html
    assert "url(../" not in html and "url(images/" not in html
    assert path.stat().st_size < 5_000_000


def test_unknown_cdn_asset_is_an_error():
    html = '<html><head><script src="https://cdn.example.org/x.js"></script></head></html>'
    with pytest.raises(AssetError, match=r"package\.json"):
        inline_assets(html)


def test_missing_node_modules_is_an_error(tmp_path, monkeypatch):
    from geo.maps import _assets

    monkeypatch.setenv("GEO_NODE_MODULES", str(tmp_path))
    _assets._js.cache_clear()
    html = '<script src="https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js"></script>'
    try:
        with pytest.raises(AssetError, match="npm ci"):
            inline_assets(html)
    finally:
        _assets._js.cache_clear()


def test_shared_map_embeds_only_safe_cells(shared_html):
    collections = fx.embedded_geojson(shared_html)
    cells = [f for fc in collections for f in fc["features"] if "n_events" in f["properties"]]
    assert cells
    privacy.assert_shareable({"type": "FeatureCollection", "features": cells}, k=5)
    geoms = {f["geometry"]["type"] for fc in collections for f in fc["features"]}
    assert "Point" not in geoms and "MultiPoint" not in geoms
    # the isolated farm is not in any cell
    farm = gpd.GeoSeries([shapely.Point(*fx.FARM_XY)], crs=3006).to_crs(4326).iloc[0]
    assert not any(shapely.geometry.shape(f["geometry"]).contains(farm) for f in cells)


def test_shared_map_has_no_text_or_exact_times(shared_html):
    shared_html = _unescape(shared_html)
    assert "Observation" not in shared_html
    assert "pwned" not in shared_html
    assert "Ensam gård" not in shared_html
    payload = json.dumps(fx.embedded_geojson(shared_html), ensure_ascii=False)
    assert not re.search(r"\d{4}-\d{2}-\d{2}", payload)
    assert not re.search(r"\d{2}:\d{2}", payload)
    assert "Dataperiod: 2024-01 – 2025-12" in shared_html
    assert "Delad version" in shared_html
    assert "B – Badplatser" in shared_html


def test_shared_map_refuses_unsafe_cells(incidents):
    cells = privacy.aggregate_for_sharing(incidents, k=5)
    with pytest.raises(DataError):
        shared_map(cells.assign(place_name="Gården"), k=5, period="2024-01 – 2025-12")


def test_peak_hours_chart_shades_the_busy_hours():
    profile = [0.0] * 168
    profile[4 * 24 + 21] = 6.0  # fredag 21
    profile[0] = 1.0  # måndag 00
    uri = peak_hours_chart(profile)
    assert uri.startswith("data:image/svg+xml;base64,")
    svg = base64.b64decode(uri.split(",", 1)[1]).decode()
    rects = re.findall(r'<rect x="(\d+)" y="(\d+)"[^>]*fill="(#[0-9a-f]{6})"', svg)
    assert len(rects) == 168
    fill = {(int(x), int(y)): c for x, y, c in rects}
    x0 = min(x for x, _ in fill)
    cell = sorted({x for x, _ in fill})[1] - x0
    friday_21, monday_00, empty = (
        fill[(x0 + 21 * cell, 4 * cell)],
        fill[(x0, 0)],
        fill[(x0 + cell, 0)],
    )
    darkness = [
        sum(int(c[i : i + 2], 16) for i in (1, 3, 5)) for c in (friday_21, monday_00, empty)
    ]
    assert darkness[0] < darkness[1] < darkness[2]  # busiest darkest, empty lightest
    assert ">fre<" in svg and ">mån<" in svg
    with pytest.raises(DataError, match="168"):
        peak_hours_chart([1, 2, 3])


def _store_with_incidents(path, incidents) -> None:
    batch = store.ImportBatch(
        file="test.csv",
        file_sha256="abc",
        format="csv",
        incidents=incidents.assign(content_hash=incidents["incident_id"]),
        quarantine=pd.DataFrame(columns=["line", "reason", "detail", "raw"]),
        n_read=len(incidents),
    )
    store.write_import(batch, path)


def test_the_shared_map_counts_whole_months_so_a_remake_tells_no_new_event(tmp_path, incidents):
    # ten events this month at the farm: in the internal map at once, in the shared map
    # only once the month is over (two shared maps a day apart would tell them apart)
    now = pd.Timestamp.now(tz="Europe/Stockholm").floor("min")
    fresh = incidents.iloc[:10].copy()
    fresh["incident_id"] = [f"ny-{i}" for i in range(10)]
    fresh["occurred_at"] = [now.replace(day=1, hour=0, minute=i) for i in range(10)]
    fresh["geometry"] = [shapely.Point(*fx.FARM_XY)] * 10
    fresh["theme"] = "N"
    path = tmp_path / "s.gpkg"
    _store_with_incidents(path, pd.concat([incidents, fresh], ignore_index=True))
    _, shared = build_all(store_path=path, out_dir=tmp_path / "m", k=5)
    farm_cell = f"1000m_E{int(fx.FARM_XY[0] // 1000 * 1000)}_N{int(fx.FARM_XY[1] // 1000 * 1000)}"
    html = shared.read_text(encoding="utf-8")
    assert farm_cell not in html
    period = privacy.shared_period_label(incidents["occurred_at"])
    assert f"Dataperiod: {period}".replace("–", "\\u2013") in html
    alone = privacy.aggregate_for_sharing(fresh, k=5)  # counted, the cell would be shown
    assert farm_cell in set(alone["cell_id"])


def test_maps_of_the_synthetic_sample_say_so_and_real_ones_do_not(tmp_path, incidents):
    # a map reviewer: the shared map never said its cells counted made-up events (the plan
    # and the report did), and a council member would take them for real ones
    from geo.model import synthetic_note

    note = json.dumps(synthetic_note("Kartan"))[1:-1]  # as folium writes it, \\u-escaped
    mixed = incidents.copy()
    mixed.loc[mixed.index[::2], "source"] = "syntetisk"
    for data, said in ((incidents, False), (mixed, True)):
        path = tmp_path / f"{said}.gpkg"
        _store_with_incidents(path, data)
        for html in build_all(store_path=path, out_dir=tmp_path / f"m{said}", k=5):
            assert (note in html.read_text(encoding="utf-8")) is said, html.name


def test_build_all_reads_store_and_skips_missing_layers(tmp_path, incidents, caplog):
    path = tmp_path / "s.gpkg"
    _store_with_incidents(path, incidents)
    hotspots = fx.hotspots()
    # GeoPackage datetimes are UTC; a local offset makes GDAL warn on reading
    for col in ("first_seen", "last_seen"):
        hotspots[col] = hotspots[col].dt.tz_convert("UTC")
    store.write_layer(hotspots, "hotspots", path)
    with caplog.at_level("INFO"):
        out = build_all(store_path=path, out_dir=tmp_path / "maps")
    assert [p.name for p in out] == ["lagesbild.html", "lagesbild-delad.html"]
    assert "no layer 'gi_grid'" in caplog.text
    internal = out[0].read_text(encoding="utf-8")
    hs = [f for f in _features(internal) if f["properties"].get("kind") == "hotspot"]
    assert len(hs) == fx.N_HOTSPOTS


def test_cli_maps_prints_paths_and_json(tmp_path, incidents):
    path = tmp_path / "s.gpkg"
    _store_with_incidents(path, incidents)
    runner = CliRunner()
    res = runner.invoke(
        maps_command, ["--store", str(path), "--out", str(tmp_path / "m"), "-k", "7"]
    )
    assert res.exit_code == 0, res.output
    assert res.output.splitlines() == [
        str(tmp_path / "m" / "lagesbild.html"),
        str(tmp_path / "m" / "lagesbild-delad.html"),
    ]
    res = runner.invoke(
        maps_command, ["--store", str(path), "--out", str(tmp_path / "m"), "--json"]
    )
    assert res.exit_code == 0
    assert json.loads(res.output)["maps"][1].endswith("lagesbild-delad.html")
    assert "--store" in runner.invoke(maps_command, ["--help"]).output
    # a shared map hiding fewer than three is refused, and nothing is written
    res = runner.invoke(
        main, ["maps", "--store", str(path), "--out", str(tmp_path / "k2"), "-k", "2"]
    )
    assert res.exit_code != 0
    assert "k = 2 is below 3" in res.output and "use 3 or more" in res.output
    assert not (tmp_path / "k2" / "lagesbild-delad.html").exists()
    # the help and a zero say the real least value, not click's generic range
    assert "x>=1" not in runner.invoke(main, ["maps", "--help"]).output
    res = runner.invoke(
        main, ["maps", "--store", str(path), "--out", str(tmp_path / "k0"), "-k", "0"]
    )
    assert res.exit_code != 0 and "k = 0 is below 3" in res.output


def test_marked_spots_flow_into_the_internal_map(tmp_path):
    from _web_fixtures import make_store, spot_payload

    from geo import spots, users
    from geo.maps import build_all

    store_path = make_store(tmp_path)
    anna = users.get_user("anna", path=store_path)
    payload = spot_payload(description="Buskörning vid idrottsplatsen", category="motorburen")
    spots.put_spot("5f0c1c8e-8d8e-4d0e-9a57-1a2b3c4d5e6f", payload, user=anna, path=store_path)
    assert len(spots.read_spots(store_path)) == 1
    internal, shared = build_all(store_path=store_path, out_dir=tmp_path / "maps")
    text = _unescape(internal.read_text(encoding="utf-8"))
    (spot,) = [
        f for f in _features(text) if f["properties"].get("_title", "").startswith("Markerad")
    ]
    rows = dict(spot["properties"]["_rows"])
    # the popup says when the problem happens (fre, lör; kvällar), not the spot's raw id
    assert rows["När"] == "fre, lör kväll 18–22, sen kväll 22–24" and rows["Markerad"][:2] == "20"
    # the planner reads what the kommun wrote, in the words the app and the incidents share
    assert rows["Beskrivning"] == "Buskörning vid idrottsplatsen"
    assert rows["Kategori"] == spots.SPOT_CATEGORIES["motorburen"] == CATEGORIES["motorburen"].label
    assert "5f0c1c8e" not in text
    shared_text = _unescape(shared.read_text(encoding="utf-8"))
    assert "Markerad trafikplats" not in shared_text and "idrottsplatsen" not in shared_text


def test_every_category_has_its_own_colour_and_a_map_needs_no_matplotlib():
    from geo.maps import CATEGORY_COLORS
    from geo.model import CATEGORIES

    assert set(CATEGORY_COLORS) == set(CATEGORIES)
    assert len(set(CATEGORY_COLORS.values())) == len(CATEGORY_COLORS)
    assert all(re.fullmatch(r"#[0-9a-f]{6}", c) for c in CATEGORY_COLORS.values())
    code = "import sys, geo.maps.plan; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_popups_write_numbers_the_swedish_way_and_name_what_they_show(internal_html):
    feats = _features(_unescape(internal_html))
    segments = [f for f in feats if "Händelser per km" in dict(f["properties"].get("_rows", []))]
    assert segments
    for f in segments:
        rows = dict(f["properties"]["_rows"])
        assert "." not in rows["Händelser per km"] and "," in rows["Händelser per km"]
        assert rows["Väg"] != "Väg" and "." not in rows["Längd"]
    gi = [f for f in feats if "Gi*-z" in dict(f["properties"].get("_rows", []))]
    assert gi and all("." not in dict(f["properties"]["_rows"])["Gi*-z"] for f in gi)
    # a p-value below a thousandth is not "0,000"; a hot cell says what its neighbourhood holds
    hot = dict(
        next(f for f in gi if f["properties"]["_title"].startswith("Het"))["properties"]["_rows"]
    )
    assert hot["p (FDR-justerat)"] == "< 0,001" and hot["Med grannrutorna"] == "40"


def test_the_fixture_incidents_lie_at_the_places_they_name(places):
    # fx.incidents() names Fjugesta centrum and Badplats Leken as their places; its points lay
    # 6.7 km and 13 km from them, so a map test "at Fjugesta" looked at open country
    areas = places.set_index("place_id").geometry
    for place_id, xy in (("fjugesta_centrum", fx.FJUGESTA_XY), ("leken", fx.LEKEN_XY)):
        assert areas[place_id].centroid.distance(shapely.Point(xy)) < 5, place_id
    named = fx.incidents().dropna(subset=["place_id"])
    pairs = zip(named.geometry, named["place_id"], strict=True)
    inside = [point.within(areas[place_id]) for point, place_id in pairs]
    assert sum(inside) > 0.95 * len(inside)  # about 60 m from the centre, in a 200–400 m circle


def _published(incidents: gpd.GeoDataFrame) -> dict[tuple[str, str], int]:
    """The shared map's cells as embedded in its page: (cell, theme) → n_events."""
    cells = privacy.aggregate_for_sharing(incidents, k=5)
    html = render_map(
        shared_map(cells, k=5, period=privacy.shared_period_label(incidents["occurred_at"]))
    )
    return {
        (f["properties"]["cell_id"], f["properties"]["theme"]): f["properties"]["n_events"]
        for fc in fx.embedded_geojson(html)
        for f in fc["features"]
        if "n_events" in f["properties"]
    }


def test_two_versions_of_the_shared_map_differ_by_no_count_below_k(incidents):
    # made again a month later, the map counts one more month: a cell reading 7 and then 8
    # told one event there that month, which every other shared count hides
    exact = privacy.aggregate_for_sharing(incidents, k=5)
    top = exact.sort_values("n_events").iloc[-1]
    inside = incidents.within(top.geometry) & (incidents["theme"] == top["theme"])
    for added in (1, 2, 4, 5, 7):  # that many events in the top cell the month after
        later = pd.concat([incidents[inside].iloc[:1]] * added, ignore_index=True)
        later["occurred_at"] = incidents["occurred_at"].max() + pd.Timedelta(days=40)
        before = _published(incidents)
        after = _published(pd.concat([incidents, later], ignore_index=True))
        key = (top["cell_id"], top["theme"])
        assert after[key] > before[key] or added < 5
        assert all((after[c] - before[c]) % 5 == 0 for c in before), added
    for (cell, theme), n in before.items():  # each count is the low end of the popup's range
        got = exact.set_index(["cell_id", "theme"]).loc[(cell, theme), "n_events"]
        assert n % 5 == 0 and n <= got < n + 5


def test_a_road_stretch_says_what_and_when_its_traffic_events_are(internal_html) -> None:
    # a map reviewer: the popup gave only the count and the rate; the store has what the
    # events are and their busiest hours, which the plan's control point names
    stretches = {
        f["properties"]["_title"]: dict(f["properties"]["_rows"])
        for f in _features(internal_html)
        if any(r[0] == "Händelser per km" for r in f["properties"].get("_rows", []))
    }
    rows = stretches["Väg 204 genom Fjugesta"]
    assert rows["Trafikhändelser"] == "9"
    assert rows["Varav"] == "6 hastighet/vårdslös körning, 3 motorburen problematik/buller"
    assert rows["Flest händelser"] == "tis 15–18" and rows["Hastighetsgräns"] == "50 km/h"
    assert "Flest händelser" not in stretches["E18 vid Lekhyttan"]  # none known, none said
    # two of the nine are places the kommun marked, not dated events; said where there are any
    assert rows["Varav kommunens markeringar"] == "2"
    assert "Varav kommunens markeringar" not in stretches["E18 vid Lekhyttan"]


def test_each_area_and_stretch_the_keyboard_opens_is_named_by_what_its_popup_says(
    internal_html,
) -> None:
    # a keyboard user reached no hotspot, cell or road stretch; each is now a button named
    # from its popup's own figures (mapkeys.js adds "(2 av 9)" and, with _near, the place)
    feats = [f["properties"] for f in _features(internal_html)]
    hotspot = next(p for p in feats if p.get("kind") == "hotspot")
    rows = dict(hotspot["_rows"])
    assert hotspot["_name"].startswith(
        f"Hotspot vid {rows['Platser']}: {rows['Antal händelser']} händelser, "
    )
    assert not hotspot["_near"]  # its own place is said, not the nearest
    gi = [p for p in feats if p.get("_title", "").startswith(("Het ruta", "Kall ruta"))]
    assert gi
    for cell in gi:
        n = dict(cell["_rows"])["Händelser i rutan"].split(" ")[0]
        assert cell["_name"].startswith(f"{cell['_title']}: {n} händelser i rutan"), cell
        assert cell["_near"]
    stretch = next(p for p in feats if p.get("_title") == "Väg 204 genom Fjugesta")
    rows = dict(stretch["_rows"])
    assert stretch["_name"] == (
        f"Vägsträcka Väg 204 genom Fjugesta: {rows['Trafikhändelser']} trafikhändelser, "
        f"{rows['Händelser per km']} per km"
    )
    # no free text in a name: a marked spot is named by its category and status alone
    for p in feats:
        text = dict(p.get("_rows", [])).get("Beskrivning")
        if "_name" in p and text not in (None, "–"):
            assert text not in p["_name"], p["_name"]
    # the layers are given to the keyboard script, once
    assert internal_html.count("geoLayerKeys(map_") == 1


def test_an_hour_of_the_week_reads_as_the_plan_writes_it() -> None:
    # a map reviewer: the maps wrote "fre 23–00" where the plan's reasons write "lör 21–24"
    from geo.maps.base import busiest_hours, hour_of_week_label

    assert hour_of_week_label(0) == "mån 00–01"
    assert hour_of_week_label(4 * 24 + 23) == "fre 23–24"
    profile = [0.0] * 168
    profile[6 * 24 + 23], profile[9] = 3.0, 1.0
    assert busiest_hours(profile) == "sön 23–24, mån 09–10"


def _luminance(colour: str) -> float:
    """WCAG 2.1's relative luminance of ``#rrggbb``."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _over(colour: str, background: str, opacity: float) -> str:
    """``colour`` drawn at ``opacity`` over ``background``, as the eye gets it."""
    mixed = (
        round(opacity * int(colour[i : i + 2], 16) + (1 - opacity) * int(background[i : i + 2], 16))
        for i in (1, 3, 5)
    )
    return "#" + "".join(f"{c:02x}" for c in mixed)


def _contrast(a: str, b: str) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _map_background() -> str:
    """The colour the maps draw on without tiles: Leaflet's ``.leaflet-container`` (#ddd)."""
    from geo.maps._assets import node_modules_dir

    css = (node_modules_dir() / "leaflet" / "dist" / "leaflet.css").read_text(encoding="utf-8")
    short = re.search(r"\.leaflet-container\s*\{[^}]*?background:\s*#([0-9a-fA-F]{3})\b", css)
    assert short, "Leaflet's map background not found"
    return "#" + "".join(c * 2 for c in short.group(1).lower())


def test_drawn_lines_edges_and_markers_stand_out_3_to_1_from_the_map_background(
    internal_html, shared_html
):
    # WCAG 1.4.11 (non-text contrast): what tells a drawn feature from the background it lies
    # on (without the OSM tiles, off by default) is 3:1 against it: an incident's ring (a light
    # category's circle was 1.2:1), a marked spot, a road stretch (the fewest events per km
    # were #bdbdbd, 1.3:1) and a hotspot's or a shared cell's edge (theme T's orange, 2.6:1).
    # Left out: the analysis cells (Gi*, emerging, forecast), shaded areas whose light end
    # means "few", see README
    from geo.maps.base import THEME_COLORS
    from geo.maps.lagesbild import SEGMENT_OPACITY

    background = _map_background()
    drawn: list[tuple[str, str, float]] = []  # (what, whose, contrast)
    for f in _features(internal_html):
        p, kind = f["properties"], f["geometry"]["type"]
        if "_color" not in p:
            continue
        if kind in ("Point", "MultiPoint"):
            what, opacity = "ring", 1.0
        elif kind in ("LineString", "MultiLineString"):  # at the stretches' opacity, the least
            what, opacity = "line", SEGMENT_OPACITY
        elif p.get("kind") == "hotspot":
            what, opacity = "edge", 1.0
        else:
            continue
        seen = _over(p["_color"], background, opacity)
        drawn.append((what, str(p.get("_title")), _contrast(seen, background)))
    assert {what for what, _, _ in drawn} == {"ring", "line", "edge"}  # each kind met
    edges = set(re.findall(r'color: "(#[0-9a-f]{6})"', shared_html))  # the cells' theme edges
    assert edges and edges <= set(THEME_COLORS.values())
    drawn += [("shared cell edge", c, _contrast(c, background)) for c in edges]
    low = sorted({(what, whose, round(ratio, 2)) for what, whose, ratio in drawn if ratio < 3.0})
    assert not low, low
