import json
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from _foundation import FJUGESTA, LANNA, VRETSTORP, project

from geo import sites
from geo.errors import SiteError

REQUIRED = {
    "lanna_badgruva",
    "leken",
    "lillsjon",
    "multen_sixtorp",
    "multen_brogalandet",
    "fjugesta_centrum",
    "vintrosa",
    "mullhyttan",
    "gropen",
    "hidinge",
    "knista",
    "kvistbro",
    "edsberg",
    "tangerasa",
}


def test_embedded_places_are_the_real_lekeberg_places_and_valid():
    places = sites.load_places()
    assert set(places["place_id"]) == REQUIRED
    assert places.crs.to_epsg() == 3006
    assert (places.geometry.geom_type == "Polygon").all()
    assert sites.validate_places(places) == []
    lanna = places.set_index("place_id").loc["lanna_badgruva"]
    assert lanna["kind"] == "badplats" and lanna["season_months"] == [5, 6, 7, 8, 9]
    assert lanna.geometry.contains(shapely.Point(project(LANNA, 3006)))
    assert "HaV" in lanna["source"] and lanna["drawing"]


def _with_extra_place(tmp_path: Path, name: str, lonlat: tuple[float, float]) -> Path:
    data = json.loads(sites.places_path().read_text(encoding="utf-8"))
    feature = json.loads(json.dumps(data["features"][0]))
    lon, lat = lonlat
    d = 0.003
    feature["properties"].update({"place_id": name.lower(), "name": name})
    feature["geometry"]["coordinates"] = [
        [
            [lon - d, lat - d],
            [lon + d, lat - d],
            [lon + d, lat + d],
            [lon - d, lat + d],
            [lon - d, lat - d],
        ]
    ]
    data["features"].append(feature)
    path = tmp_path / "platser.geojson"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("name", "lonlat"), [("Vretstorp", VRETSTORP), ("Östansjö", (14.977284, 59.041292))]
)
def test_places_outside_the_kommun_are_rejected_with_their_name(tmp_path, name, lonlat):
    path = _with_extra_place(tmp_path, name, lonlat)
    with pytest.raises(SiteError, match=f"{name}.*outside kommun 1814"):
        sites.load_places(path)


def test_duplicate_ids_and_bad_themes_are_reported(tmp_path):
    path = _with_extra_place(tmp_path, "Fjugesta2", FJUGESTA)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["features"][-1]["properties"].update({"place_id": "leken", "themes": ["X"]})
    path.write_text(json.dumps(data), encoding="utf-8")
    problems = sites.validate_places(sites.load_places(path, validate=False))
    assert any("repeats place_id 'leken'" in p for p in problems)
    assert any("unknown themes ['X']" in p for p in problems)


@pytest.mark.parametrize(
    ("update", "needle"),
    [
        ({"kind": "badstrand"}, "kind 'badstrand'; use one of badplats, centrum, ort"),
        ({"precision_m": -5}, "precision_m -5; give how far the point may be off"),
        ({"kind": "ort", "themes": ["B", "S"]}, "theme B but kind 'ort'; theme B is the bathing"),
        ({"population": "ca 2400"}, "population 'ca 2400'; give the tätort's inhabitants"),
        ({"population": 2422.5}, "population 2422.5; give the tätort's inhabitants"),
        ({"lofte": "ja"}, "lofte 'ja'; write true or false"),
    ],
)
def test_an_unknown_kind_or_a_precision_not_in_metres_is_reported(tmp_path, update, needle):
    path = _with_extra_place(tmp_path, "Fjugesta2", FJUGESTA)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["features"][-1]["properties"].update({"place_id": "fjugesta2", **update})
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(SiteError, match="Fjugesta2"):
        sites.load_places(path)
    problems = sites.validate_places(sites.load_places(path, validate=False))
    assert [p for p in problems if needle in p], problems


def test_a_precision_written_as_text_among_numbers_names_the_place_and_the_fix(tmp_path):
    path = _with_extra_place(tmp_path, "Fjugesta2", FJUGESTA)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["features"][-1]["properties"].update({"place_id": "fjugesta2", "precision_m": "ca 50"})
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(SiteError, match=r"platser\.geojson.*'Fjugesta2'.*precision_m 'ca 50'"):
        sites.load_places(path)


def test_gazetteer_finds_names_and_aliases_case_and_diacritics_insensitively():
    g = sites.Gazetteer(sites.load_places())
    assert g.lookup("LEKHYTTANS BADPLATS").place_id == "leken"
    assert g.lookup("Lekhyttan") is None  # the village by the E18, not the bathing site
    assert g.lookup("lanna gruva").place_id == "lanna_badgruva"
    assert g.lookup("Tangerasa").place_id == "tangerasa"
    assert g.find_in_text("skräp vid badgruvan i helgen").place_id == "lanna_badgruva"
    assert g.lookup("Vretstorp") is None


def test_case_sensitive_search_ignores_common_words_that_are_also_place_names():
    g = sites.Gazetteer(sites.load_places())
    assert g.find_in_text("bilen körde ner i gropen", case_sensitive=True) is None
    assert g.find_in_text("Olycka i Gropen", case_sensitive=True).place_id == "gropen"


def test_assign_places_and_boundary():
    places = sites.load_places()
    pts = gpd.GeoSeries(
        [shapely.Point(project(LANNA, 3006)), shapely.Point(project(VRETSTORP, 3006))], crs=3006
    )
    assigned = sites.assign_places(pts, places)
    assert list(assigned["place_id"]) == ["lanna_badgruva", None]
    assert list(sites.inside_kommun(pts)) == [True, False]
    boundary = sites.load_boundary()
    assert 450e6 < boundary.area < 520e6  # Lekeberg is about 480 km² (SCB)


def _incidents_at(points: list[tuple[float, float] | None], place_ids: list[str | None]):
    geoms = [shapely.Point(project(p, 3006)) if p else None for p in points]
    themes = ["N"] * len(points)
    return gpd.GeoDataFrame({"place_id": place_ids, "theme": themes}, geometry=geoms, crs=3006)


def test_an_incident_is_at_a_bathing_site_by_its_place_id_or_by_lying_inside_one():
    places = sites.load_places()
    incidents = _incidents_at(
        # stored before Lanna was drawn; drawn elsewhere but named Leken; in Fjugesta;
        # no point and no place; inside Lanna but filed under the locality it lies in
        [LANNA, FJUGESTA, FJUGESTA, None, LANNA],
        [None, "leken", "fjugesta_centrum", None, "vintrosa"],
    )
    assert list(sites.bathing_site_of(incidents, places)) == [
        "lanna_badgruva",
        "leken",
        None,
        None,
        "lanna_badgruva",
    ]
    # without geometry only the place_id can tell
    plain = incidents.drop(columns="geometry")
    assert list(sites.at_bathing_site(plain, places)) == [False, True, False, False, False]
    unset = gpd.GeoDataFrame(plain)  # a GeoDataFrame with no geometry column
    assert list(sites.at_bathing_site(unset, places)) == [False, True, False, False, False]
    # theme B counts them all; shared, their category's theme gives them up
    assert list(sites.theme_mask(incidents, "B", places)) == [True, True, False, False, True]
    assert list(sites.theme_mask(incidents, "N", places, shared=True)) == [
        False,
        False,
        True,
        True,
        False,
    ]


def test_the_bathing_sites_are_the_places_of_kind_badplats():
    places = sites.load_places()
    baths = sites.bathing_sites(places)
    assert list(baths["place_id"]) == [
        "lanna_badgruva",
        "leken",
        "lillsjon",
        "multen_sixtorp",
        "multen_brogalandet",
    ]
    assert sites.bathing_site_ids(places) == set(baths["place_id"])
    assert sites.bathing_site_ids(None) == set()
    assert sites.bathing_site_of(_incidents_at([LANNA], [None]), None).isna().all()


def test_the_places_the_lofte_names_and_the_larger_localities_are_named_first():
    # on a phone's whole-kommun view names compete for room: Fjugesta centrum, the kommun's
    # main locality and one of the löfte's places, was hidden while småorter were named
    places = sites.load_places()
    named = places.set_index("place_id")
    assert list(named.index[named["lofte"]]) == ["lanna_badgruva", "leken", "fjugesta_centrum"]
    assert named.loc["vintrosa", "population"] == 2994
    ranks = dict(zip(places["name"], sites.naming_order(places), strict=True))
    assert sorted(ranks, key=ranks.__getitem__) == [
        "Fjugesta centrum",
        "Lanna badgruva",
        "Badplats Leken",
        "Vintrosa",
        "Mullhyttan",
        "Gropen",
        "Hidinge",
        "Knista",
        "Kvistbro",
        "Edsberg",
        "Tångeråsa",
        "Lillsjöns badplats",
        "Multen, Sixtorp",
        "Multen, Brogalandet",
    ]


def test_a_places_file_without_population_or_lofte_loads_and_ranks_by_kind(tmp_path):
    # places files written before the two properties: nothing named by the löfte, localities
    # before bathing sites in the file's order
    data = json.loads(sites.places_path().read_text(encoding="utf-8"))
    for feature in data["features"]:
        del feature["properties"]["population"], feature["properties"]["lofte"]
    path = tmp_path / "platser.geojson"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    places = sites.load_places(path)
    assert not places["lofte"].any() and places["population"].isna().all()
    ranks = sites.naming_order(places)
    assert [places["name"][i] for i in sorted(range(len(ranks)), key=ranks.__getitem__)][:2] == [
        "Fjugesta centrum",
        "Vintrosa",
    ]
