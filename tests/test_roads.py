"""Tests of geo.roads: traffic events per road segment, network density, control points."""

from __future__ import annotations

import functools
import json
import math
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pytest
import shapely
from click.testing import CliRunner

from geo import network, patrol, roads, settings, store
from geo.cli.network import network_group
from geo.model import INCIDENT_COLUMNS, VEHICLE_CHECK
from geo.sites import load_places

#: The project's priorities file: which check a traffic category calls for, as the plan reads it.
CHECKS = patrol.load_priorities()
_segments = functools.partial(roads.road_segments, checks=CHECKS)
_points = functools.partial(roads.control_points, checks=CHECKS)


@pytest.fixture(scope="module")
def G() -> nx.MultiDiGraph:
    return network.load_graph(path=network.schematic_osm_path())


@pytest.fixture(scope="module")
def places() -> gpd.GeoDataFrame:
    return load_places()


def _road_line(G: nx.MultiDiGraph, a: str, b: str) -> shapely.LineString:
    """The edge between two named nodes of the schematic network."""
    names = {n: d.get("name") for n, d in G.nodes(data=True)}
    u = next(n for n, v in names.items() if v == a)
    v = next(n for n, v in names.items() if v == b)
    data = next(iter(G.get_edge_data(u, v).values()))
    return (
        data["geometry"]
        if "geometry" in data
        else shapely.LineString(
            [(G.nodes[u]["x"], G.nodes[u]["y"]), (G.nodes[v]["x"], G.nodes[v]["y"])]
        )
    )


def _incidents(points: list[shapely.Point], *, categories: list[str], times: list[str], theme="T"):
    n = len(points)
    df = pd.DataFrame({c: [None] * n for c in INCIDENT_COLUMNS if c != "geometry"})
    df["incident_id"] = [f"t{i}" for i in range(n)]
    df["source"] = "kommun"
    df["category"] = categories
    df["theme"] = theme
    df["occurred_at"] = pd.to_datetime(times).tz_localize(settings.timezone)
    df["time_precision"] = "exact"
    df["location_precision_m"] = 10.0
    df["weight"] = 1.0
    df["kommunkod"] = "1814"
    return gpd.GeoDataFrame(df, geometry=points, crs=settings.working_crs)


def _along(line: shapely.LineString, fractions: list[float], *, offset_m: float = 10.0):
    pts = [line.interpolate(f, normalized=True) for f in fractions]
    return [shapely.Point(p.x + offset_m, p.y) for p in pts]


@pytest.fixture(scope="module")
def cluster(G) -> gpd.GeoDataFrame:
    """Eight traffic incidents on väg 204 between Fjugesta and Hidinge, mostly Friday nights."""
    line = _road_line(G, "Fjugesta centrum", "Hidinge")
    pts = _along(line, [0.50, 0.51, 0.52, 0.53, 0.54, 0.55, 0.56, 0.57])
    cats = ["rattfylleri"] * 5 + ["hastighet"] * 3
    times = (
        ["2025-06-06 22:10"] * 4
        + ["2025-06-13 23:30", "2025-06-20 21:05"]
        + [
            "2025-06-02 00:30",  # Monday 00:30 → hour-of-week 0
            "2025-06-08 23:59",  # Sunday 23:59 → 167
        ]
    )
    return _incidents(pts, categories=cats, times=times)


def test_cluster_segment_ranks_first_with_counts(G, cluster, places) -> None:
    seg = _segments(G, cluster, places=places)
    top = seg.iloc[0]
    assert top["rank"] == 1 and top["ref"] == "204"
    assert top["n_events"] == 8 and top["n_incidents"] == 8 and top["n_spots"] == 0
    assert top["n_sobriety"] == 5 and top["n_speed"] == 3
    assert top["events_per_km"] == pytest.approx(8 / (top["length_m"] / 1000))
    assert top["label"].startswith("väg 204 ")
    assert not top["few_events"]
    assert seg["n_events"].sum() == 8
    assert sorted(seg["rank"]) == list(range(1, len(seg) + 1))
    assert seg.crs == settings.working_crs or seg.crs.to_epsg() == 3006
    assert list(seg.columns) == [*roads.SEGMENT_COLUMNS, "geometry"]


@pytest.fixture(scope="module")
def four_roads(G, places) -> tuple[gpd.GeoDataFrame, list[shapely.LineString]]:
    """Speed events on four segments whose order differs by count, density and events per km."""
    empty = _segments(G, _incidents([], categories=[], times=[]), places=places)
    by_label = empty.set_index("label").geometry
    v204 = empty[empty["ref"] == "204"].reset_index(drop=True)
    lines = [
        by_label["lokalväg vid Badplats Leken"],  # 0.45 km
        v204.geometry.iloc[0],  # 0.97 km
        v204.geometry.iloc[len(v204) // 2],  # 0.97 km
        by_label["lokalväg 0,8 km sydväst om Lanna badgruva"],  # 0.51 km
    ]
    fractions = [
        [0.2, 0.5, 0.8],  # 3 events: 6.6 per km
        [0.45, 0.47, 0.49, 0.51, 0.53, 0.55],  # 6 packed: 6.2 per km, the densest
        [0.2, 0.5, 0.8],  # 3: 3.1 per km
        [0.3, 0.7],  # 2: 4.0 per km, too few for a claim
    ]
    pts = [p for line, f in zip(lines, fractions, strict=True) for p in _along(line, f, offset_m=0)]
    n = len(pts)
    return _incidents(pts, categories=["hastighet"] * n, times=["2025-06-06 22:00"] * n), lines


def test_segments_rank_by_events_per_km_with_few_events_last(G, places, four_roads) -> None:
    """Rank follows events per km (as README promises), not counts or the smoothed density."""
    incidents, lines = four_roads
    seg = _segments(G, incidents, places=places)
    top = seg.head(4)
    assert list(top["rank"]) == [1, 2, 3, 4]
    assert list(top["n_events"]) == [3, 6, 3, 2]
    assert [next(i for i, g in enumerate(lines) if g.equals(s)) for s in top.geometry] == [
        0,
        1,
        2,
        3,
    ]
    # the packed six have the highest network density, yet rank second
    assert top["density_per_km"].idxmax() == top.index[1]
    enough = seg[~seg["few_events"]]
    assert enough["events_per_km"].is_monotonic_decreasing
    assert seg["few_events"].is_monotonic_increasing  # claims first, then the rest


def _store_with(incidents: gpd.GeoDataFrame, path: Path) -> Path:
    """Write ``incidents`` into a new store at ``path`` as one import and return the path."""
    batch = store.ImportBatch(
        file="test",
        file_sha256="0" * 64,
        format="csv",
        incidents=incidents.assign(content_hash=incidents["incident_id"]),
        quarantine=pd.DataFrame(columns=["line", "reason", "detail", "raw"]),
        n_read=len(incidents),
    )
    store.write_import(batch, path)
    return path


def test_cli_prints_the_segments_in_rank_order_with_events_per_km(
    tmp_path: Path, four_roads
) -> None:
    gpkg = _store_with(four_roads[0], tmp_path / "store.gpkg")
    args = ["roads", "--store", str(gpkg), "--graph", str(network.schematic_osm_path())]
    result = CliRunner().invoke(network_group, args)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "ranked by events per km (segments with fewer than 3 events last)" in lines[0]
    printed = [line for line in lines if " per km  " in line]
    assert [line[:3] for line in printed] == [" 1.", " 2.", " 3.", " 4."]
    assert [line.split("per km")[0].split(".", 1)[1].strip() for line in printed] == [
        "6.6",
        "6.2",
        "3.1",
        "4.0",
    ]
    data = json.loads(CliRunner().invoke(network_group, [*args, "--json"]).stdout)
    assert data["ranked_by"] == "events_per_km"
    assert [(r["rank"], r["events_per_km"]) for r in data["control_points"]] == [
        (1, 6.63),
        (2, 6.15),
        (3, 3.08),
        (4, 3.96),
    ]


def test_how_profile_is_hour_of_week_from_monday(G, cluster, places) -> None:
    top = _segments(G, cluster, places=places).iloc[0]
    profile = top["how_profile"]
    assert len(profile) == 168 and sum(profile) == 8
    assert profile[0] == 1  # Monday 00:30
    assert profile[167] == 1  # Sunday 23:59
    assert profile[4 * 24 + 22] == 4  # Friday 22:10
    assert top["peak"].startswith("fre ")


def test_segments_cover_the_roads_and_respect_lengths(G, places) -> None:
    empty = _incidents([], categories=[], times=[])
    seg = _segments(G, empty, places=places, min_segment_m=200, max_segment_m=1000)
    edges = network.graph_edges(G)
    undirected_km = edges.drop_duplicates(subset=["osmid", "length"])["length"].sum() / 1000
    assert seg["length_m"].sum() / 1000 == pytest.approx(undirected_km, rel=0.02)
    assert (seg["length_m"] >= 200 - 1e-6).all()  # every schematic road is longer than 200 m
    assert (seg["length_m"] <= 1000 + 1e-6).all()
    assert (seg["n_events"] == 0).all() and seg["few_events"].all()
    assert seg["peak"].isna().all()
    assert seg["label"].is_unique


def test_short_edges_are_merged_into_200_m_segments(tmp_path: Path, places) -> None:
    # a 900 m street with a side street every 50 m: the graph has 50 m edges on it
    lon = [14.860 + i * 0.000875 for i in range(19)]
    nodes = "".join(f'<node id="{i + 1}" lat="59.17" lon="{x:.6f}"/>' for i, x in enumerate(lon))
    nodes += "".join(
        f'<node id="{i + 101}" lat="59.1706" lon="{x:.6f}"/>' for i, x in enumerate(lon)
    )
    main = "".join(f'<nd ref="{i + 1}"/>' for i in range(19))
    ways = (
        f'<way id="1">{main}<tag k="highway" v="residential"/><tag k="name" v="Långgatan"/></way>'
    )
    ways += "".join(
        f'<way id="{i + 100}"><nd ref="{i + 1}"/><nd ref="{i + 101}"/>'
        f'<tag k="highway" v="service"/><tag k="name" v="Tvärgata {i}"/></way>'
        for i in range(19)
    )
    path = tmp_path / "street.osm"
    path.write_text(f'<osm version="0.6">{nodes}{ways}</osm>', encoding="utf-8")
    G = network.load_graph(path=path)
    lang = [d["length"] for _, _, d in G.edges(data=True) if d.get("name") == "Långgatan"]
    assert len(lang) == 2 * 18 and max(lang) < 60  # both directions, 50 m pieces
    empty = _incidents([], categories=[], times=[])
    seg = _segments(G, empty, places=places, min_segment_m=200, max_segment_m=300)
    main_seg = seg[seg["name"] == "Långgatan"]
    # ~900 m (a little more on the ellipsoid) → 4 equal segments between 200 and 300 m
    assert len(main_seg) == math.ceil(main_seg["length_m"].sum() / 300)
    assert main_seg["length_m"].between(200, 300).all()
    assert main_seg["length_m"].sum() == pytest.approx(sum(lang) / 2, rel=0.01)
    assert all(label.startswith("Långgatan ") for label in main_seg["label"])


def test_far_and_non_traffic_incidents_do_not_count(G, places) -> None:
    line = _road_line(G, "Fjugesta centrum", "Hidinge")
    mid = line.interpolate(0.5, normalized=True)
    pts = [shapely.Point(mid.x + 2000, mid.y), shapely.Point(mid.x + 5, mid.y)]
    far = _incidents(pts[:1], categories=["hastighet"], times=["2025-06-06 22:00"])
    other = _incidents(pts[1:], categories=["inbrott"], times=["2025-06-06 22:00"], theme="S")
    seg = _segments(G, pd.concat([far, other], ignore_index=True), places=places)
    assert seg["n_events"].sum() == 0


def test_spots_count_and_closed_spots_do_not(G, places) -> None:
    line = _road_line(G, "Fjugesta centrum", "Knista")
    stretch = shapely.ops.substring(line, 0.4 * line.length, 0.6 * line.length)
    mid = line.interpolate(0.5, normalized=True)
    spots = gpd.GeoDataFrame(
        {
            "spot_id": ["a", "b", "c", "d", "e"],
            "category": ["hastighet", "motorburen", "hastighet", "rattfylleri", "buller"],
            "status": ["ny", "bedomd", "avvisad", "atgardad", "atgard_planerad"],
        },
        geometry=[mid, stretch, mid, mid, mid],
        crs=settings.working_crs,
    )
    empty = _incidents([], categories=[], times=[])
    seg = _segments(G, empty, spots=spots, places=places)
    # open: new, assessed and action planned (as the plan and the maps count them)
    assert seg["n_spots"].sum() == 3 and seg["n_incidents"].sum() == 0
    top = seg.iloc[0]
    assert top["n_events"] == 3 and (top["n_speed"], top["n_vehicle"]) == (1, 2)
    assert top["n_sobriety"] == 0  # the solved drunk-driving spot
    assert sum(top["how_profile"]) == 0  # spots carry no time


def test_a_control_point_names_the_kommuns_marked_spots_apart_from_events(
    G, cluster, places
) -> None:
    # an app review: a control point's "10 trafikhändelser 2025-… på …" counted two places the
    # kommun had marked as dated events, and the plan's stop there never said they were the
    # kommun's
    first_road = _segments(G, cluster, places=places).iloc[0]
    mid = first_road.geometry.interpolate(0.5, normalized=True)
    spots = gpd.GeoDataFrame(
        {"spot_id": ["a", "b"], "category": ["hastighet", "buller"], "status": ["ny", "bedomd"]},
        geometry=[mid, mid],
        crs=settings.working_crs,
    )
    seg = _segments(G, cluster, spots=spots, places=places)
    top = seg.iloc[0]
    assert (top["n_incidents"], top["n_spots"]) == (8, 2)
    period = "2025-01-01 – 2025-12-31"
    reason = _points(seg, G, top=1, period=period).iloc[0]["reason"]
    assert reason.startswith(f"8 trafikhändelser {period} och 2 platser som kommunen markerat på ")
    only_spots = _segments(G, cluster.iloc[:0], spots=spots.iloc[:1], places=places)
    reason = _points(only_spots, G, top=1, period=period).iloc[0]["reason"]
    assert reason.startswith("1 plats som kommunen markerat på ")  # no period: none counted


def test_network_density_spreads_along_roads_not_across(G, cluster, places) -> None:
    seg = _segments(G, cluster, places=places, bandwidth_m=500)
    top = seg.iloc[0]
    assert top["density_per_km"] > 0
    # a neighbouring piece of the same road gets some density, a far road none
    mids = shapely.line_interpolate_point(seg.geometry.to_numpy(), 0.5, normalized=True)
    d = shapely.distance(mids, mids[0])
    neighbour = seg[(d > 0) & (d < 1200) & (seg["ref"] == "204")]
    far = seg[d > 10_000]
    assert (neighbour["density_per_km"] > 0).any()
    assert (far["density_per_km"] == 0).all()
    assert (seg["density_per_km"].iloc[1:] <= top["density_per_km"]).all()


def test_labels_name_road_and_place(G, places) -> None:
    line = _road_line(G, "Hidinge", "Lanna")
    pts = _along(line, [0.1, 0.12, 0.14])
    inc = _incidents(pts, categories=["hastighet"] * 3, times=["2025-06-06 22:00"] * 3)
    top = _segments(G, inc, places=places).iloc[0]
    # the road and the place; told from the road's other segments by Hidinge by where it is
    assert top["label"] == "väg 204 0,3 km nordost om Hidinge"


def test_control_points(G, cluster, places) -> None:
    seg = _segments(G, cluster, places=places)
    cps = _points(seg, G, top=5)
    assert list(cps.columns) == [*roads.CONTROL_COLUMNS, "geometry"]
    assert len(cps) == (seg["n_events"] > 0).sum()  # only segments with events
    first = cps.iloc[0]
    assert first["segment_id"] == seg.iloc[0]["segment_id"]
    assert first["activity"] == "nykterhetskontroll"  # 5 rattfylleri vs 3 speed
    assert "8 trafikhändelser" in first["reason"] and "schematiskt vägnät" in first["reason"]
    assert "; flest händelser på sträckan fre" in first["reason"]  # the segment's, said so
    # the length as precise as the rate: "på 1,0 km (14,4 per km)" did not add up
    km = first["reason"].split(" km (")[0].rsplit(" på ", 1)[1]
    rate = float(first["reason"].split(" km (")[1].split(" per km")[0].replace(",", "."))
    assert len(km.split(",")[1]) == 2 and 8 / float(km.replace(",", ".")) == pytest.approx(
        rate, abs=0.06
    )
    assert first.geometry.distance(seg.iloc[0].geometry) < 1
    assert first["straight"]  # schematic roads are straight between waypoints


def test_a_road_of_loud_cars_gets_a_vehicle_check_and_says_its_kinds_apart(G, places) -> None:
    # "varav 17 hastighet/körsätt" on a road whose events were mopeds and loud cars
    line = _road_line(G, "Lekhyttan", "Trafikplats Vintrosa")
    pts = _along(line, [0.3, 0.31, 0.32, 0.33, 0.34, 0.35])
    cats = ["motorburen", "buller", "motorburen", "hastighet", "vardslos_korning", "rattfylleri"]
    inc = _incidents(pts, categories=cats, times=["2025-06-06 21:00"] * 6)
    seg = _segments(G, inc, places=places)
    top = seg.iloc[0]
    assert (top["n_speed"], top["n_vehicle"], top["n_sobriety"]) == (2, 3, 1)
    cp = _points(seg, G, top=1).iloc[0]
    assert cp["activity"] == "fordonskontroll (A-traktor/EPA/moped)"
    assert (
        "varav 2 hastighet/vårdslös körning, 3 motorburen problematik/buller och 1 rattfylleri;"
        in cp["reason"]
    )


def _priorities(tmp_path: Path, aktiviteter: str) -> patrol.PlanSettings:
    """The plan's settings from a priorities file whose ``[aktiviteter]`` a planner edited."""
    path = tmp_path / "prioriteringar.toml"
    path.write_text(f"[aktiviteter]\n{aktiviteter}\n", encoding="utf-8")
    return patrol.load_priorities(path)


def test_the_priorities_file_chooses_the_road_checks_as_it_does_the_plans(
    G, places, tmp_path
) -> None:
    # the roads kept lists of their own beside [aktiviteter]: a planner who put buller under
    # nykterhet changed the plan's stops but not the road control points
    line = _road_line(G, "Lekhyttan", "Trafikplats Vintrosa")
    pts = _along(line, [0.3, 0.31, 0.32, 0.33, 0.34])
    cats = ["buller", "buller", "buller", "motorburen", "rattfylleri"]
    inc = _incidents(pts, categories=cats, times=["2025-06-06 21:00"] * 5)
    seg = _segments(G, inc, places=places)
    assert (seg.iloc[0]["n_vehicle"], seg.iloc[0]["n_sobriety"]) == (4, 1)
    cp = _points(seg, G, top=1).iloc[0]
    assert cp["activity"] == CHECKS.traffic_activity("buller") == VEHICLE_CHECK
    edited = _priorities(tmp_path, 'nykterhet = ["rattfylleri", "buller"]')
    seg = roads.road_segments(G, inc, checks=edited, places=places)
    assert (seg.iloc[0]["n_vehicle"], seg.iloc[0]["n_sobriety"]) == (1, 4)
    cp = roads.control_points(seg, G, checks=edited, top=1).iloc[0]
    assert cp["activity"] == edited.traffic_activity("buller") == "nykterhetskontroll"
    # and the reason names the categories as the file lists them
    assert "varav 1 motorburen problematik och 4 rattfylleri/buller;" in cp["reason"]


def _stretch_popups(segments: gpd.GeoDataFrame, incidents: gpd.GeoDataFrame) -> dict[str, dict]:
    """The lägesbild map's road stretch popups, by title: what a planner reads on a click."""
    from geo.maps import lagesbild_map, render_map
    from tests._maps_fixtures import embedded_geojson

    html = render_map(lagesbild_map(incidents, road_segments=segments))
    return {
        f["properties"]["_title"]: dict(f["properties"]["_rows"])
        for fc in embedded_geojson(html)
        for f in fc["features"]
        if any(r[0] == "Händelser per km" for r in f["properties"].get("_rows", []))
    }


def test_the_map_names_a_stretchs_counts_as_they_were_counted(
    G, places, tmp_path, monkeypatch, caplog
) -> None:
    # the map named the stored counts by the priorities file as it read when drawn: after a
    # planner moved buller to the sobriety check, `geo maps` alone put the 4 counted for a
    # vehicle check under "motorburen problematik" and 1 rattfylleri under "rattfylleri/buller"
    line = _road_line(G, "Lekhyttan", "Trafikplats Vintrosa")
    pts = _along(line, [0.3, 0.31, 0.32, 0.33, 0.34])
    cats = ["buller", "buller", "buller", "motorburen", "rattfylleri"]
    inc = _incidents(pts, categories=cats, times=["2025-06-06 21:00"] * 5)
    gpkg = tmp_path / "store.gpkg"
    store.write_layer(_segments(G, inc, places=places), "road_segments", gpkg)
    stored = store.read_layer("road_segments", gpkg)
    file = patrol.priorities.priorities_path().read_text(encoding="utf-8")
    edited = tmp_path / "prioriteringar.toml"
    moved = file.replace('nykterhet = ["rattfylleri"]', 'nykterhet = ["rattfylleri", "buller"]')
    moved = moved.replace(
        'fordonskontroll = ["motorburen", "buller"]', 'fordonskontroll = ["motorburen"]'
    )
    edited.write_text(moved, encoding="utf-8")
    monkeypatch.setattr(patrol.priorities, "priorities_path", lambda: edited)
    assert patrol.load_priorities().traffic_activity("buller") == "nykterhetskontroll"
    popups = _stretch_popups(stored, inc)
    top = popups[stored.iloc[0]["label"]]
    assert top["Trafikhändelser"] == "5"
    assert top["Varav"] == "4 motorburen problematik/buller, 1 rattfylleri"
    # a layer stored before the names were: no names rather than today's, and how to get them
    with caplog.at_level("WARNING"):
        popups = _stretch_popups(stored.drop(columns="check_counts"), inc)
    assert "Varav" not in popups[stored.iloc[0]["label"]]
    assert "geo network roads" in caplog.text


@pytest.mark.parametrize(
    "categories",
    [["trafikolycka"] * 4, ["trafikfarlig_plats"] * 4, ["trafikolycka", "trafikfarlig_plats"] * 2],
)
def test_a_road_of_accidents_or_dangerous_places_alone_gets_no_check(G, places, categories) -> None:
    # such a road got a sobriety or speed check by its speed limit (a speed check on the
    # E18): an accident alone is no evidence of speeding, and a trafikfarlig plats calls for
    # presence at the place, as the plan's stops and the marked spots of it have it
    line = _road_line(G, "Lekhyttan", "Trafikplats Vintrosa")
    pts = _along(line, [0.3, 0.31, 0.32, 0.33])
    inc = _incidents(pts, categories=categories, times=["2025-06-06 15:00"] * 4)
    seg = _segments(G, inc, places=places)
    assert seg.iloc[0]["n_events"] == 4  # the road layer and its map still count them
    assert _points(seg, G, top=5).empty
    # a segment of speeding further down the ranks takes the control point instead
    other = _along(_road_line(G, "Fjugesta centrum", "Hidinge"), [0.5, 0.51])
    speeding = _incidents(other, categories=["hastighet"] * 2, times=["2025-06-06 15:00"] * 2)
    seg = _segments(G, pd.concat([inc, speeding], ignore_index=True), places=places)
    assert seg.iloc[0]["n_events"] == 4 and seg.iloc[0]["n_speed"] == 0  # ranked first
    (cp,) = _points(seg, G, top=1).itertuples()
    assert cp.segment_id != seg.iloc[0]["segment_id"] and cp.activity == "hastighetskontroll"


def test_a_checks_reason_names_the_events_no_check_answers(G, places, tmp_path) -> None:
    line = _road_line(G, "Lekhyttan", "Trafikplats Vintrosa")
    pts = _along(line, [0.3, 0.31, 0.32, 0.33, 0.34])
    cats = ["hastighet", "vardslos_korning", "trafikolycka", "trafikolycka", "trafikfarlig_plats"]
    inc = _incidents(pts, categories=cats, times=["2025-06-06 15:00"] * 5)
    cp = _points(_segments(G, inc, places=places), G, top=1).iloc[0]
    assert cp["activity"] == "hastighetskontroll"
    assert (
        "varav 2 hastighet/vårdslös körning och 3 trafikfarlig plats/trafikolycka (de kallar på "
        "närvaro/synlighet, ingen kontroll);"
    ) in cp["reason"]
    # a planner who holds accidents for speeding takes them out of narvaro: they count then
    edited = _priorities(tmp_path, 'narvaro = ["trafikfarlig_plats"]')
    seg = roads.road_segments(G, inc, checks=edited, places=places)
    cp = roads.control_points(seg, G, checks=edited, top=1).iloc[0]
    assert (
        "varav 4 hastighet/vårdslös körning/trafikolycka och 1 trafikfarlig plats (de kallar "
        "på närvaro/synlighet, ingen kontroll);"
    ) in cp["reason"]
    accidents = _incidents(pts[:2], categories=["trafikolycka"] * 2, times=["2025-06-06"] * 2)
    seg = roads.road_segments(G, accidents, checks=edited, places=places)
    assert roads.control_points(seg, G, checks=edited, top=1).iloc[0]["activity"] == (
        "hastighetskontroll"
    )


def test_control_points_speed_and_empty(G, places) -> None:
    line = _road_line(G, "Lekhyttan", "Trafikplats Vintrosa")
    pts = _along(line, [0.3, 0.31, 0.32, 0.33])
    inc = _incidents(pts, categories=["hastighet"] * 4, times=["2025-06-06 15:00"] * 4)
    cps = _points(_segments(G, inc, places=places), G, top=1)
    assert len(cps) == 1 and cps.iloc[0]["activity"] == "hastighetskontroll"
    assert "varav 4 hastighet/vårdslös körning;" in cps.iloc[0]["reason"]
    assert "rattfylleri" not in cps.iloc[0]["reason"]  # no "och 0 rattfylleri"
    assert cps.iloc[0]["label"].startswith("E18 ")
    none = _points(_segments(G, _incidents([], categories=[], times=[]), places=places), G)
    assert none.empty and list(none.columns) == [*roads.CONTROL_COLUMNS, "geometry"]


def test_geographic_incidents_are_refused(G, cluster, places) -> None:
    from geo.errors import CRSError

    with pytest.raises(CRSError):
        _segments(G, cluster.to_crs(4326), places=places)


def test_layers_round_trip_and_cli(tmp_path: Path, G, cluster) -> None:
    gpkg = _store_with(cluster, tmp_path / "store.gpkg")
    result = CliRunner().invoke(
        network_group,
        ["roads", "--store", str(gpkg), "--graph", str(network.schematic_osm_path()), "--json"],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["schematic"] is True and data["events_on_roads"] == 8
    assert data["control_points"][0]["activity"] == "nykterhetskontroll"
    layer = store.read_layer("road_segments", gpkg)
    assert json.loads(layer.sort_values("rank").iloc[0]["how_profile"])[4 * 24 + 22] == 4
    cps = store.read_layer("control_points", gpkg)
    assert len(cps) == len(data["control_points"])
    # --priorities: the file the plan reads chooses the checks (5 rattfylleri, 3 hastighet)
    mine = tmp_path / "mine.toml"
    mine.write_text("[aktiviteter]\nnykterhet = []\n", encoding="utf-8")
    edited = CliRunner().invoke(
        network_group,
        [
            "roads", "--store", str(gpkg), "--graph", str(network.schematic_osm_path()),
            "--priorities", str(mine), "--json",
        ],
    )  # fmt: skip
    assert edited.exit_code == 0, edited.output
    assert json.loads(edited.stdout)["control_points"][0]["activity"] == "hastighetskontroll"
    assert np.isfinite(shapely.get_x(cps.geometry.to_numpy())).all()


def test_vaguely_located_incidents_are_not_put_on_roads(G, cluster, places) -> None:
    vague = cluster.assign(location_precision_m=[5000.0] * 3 + [10.0] * 5)
    seg = _segments(G, vague, places=places)
    assert seg["n_events"].sum() == 5
    everything = _segments(G, vague, places=places, max_precision_m=None)
    assert everything["n_events"].sum() == 8


def test_cli_says_event_for_one_event(tmp_path: Path, four_roads) -> None:
    gpkg = _store_with(four_roads[0].iloc[:1], tmp_path / "store.gpkg")
    args = ["roads", "--store", str(gpkg), "--graph", str(network.schematic_osm_path())]
    result = CliRunner().invoke(network_group, args)
    assert result.exit_code == 0, result.output
    assert ", 1 traffic event on roads; ranked by events per km" in result.output


def test_segments_of_one_road_by_one_place_are_named_by_where_they_are(G, places) -> None:
    # a planner read "väg 204 vid Fjugesta centrum (del 2)", with no "del 1" in the plan
    seg = _segments(G, _incidents([], categories=[], times=[]), places=places)
    centre = places.set_index("name").geometry["Fjugesta centrum"].centroid
    by_town = seg[seg["label"].str.contains(r"^väg 204 .* om Fjugesta centrum", regex=True)]
    assert len(by_town) >= 2 and by_town["label"].is_unique
    for label, line in zip(by_town["label"], by_town.geometry, strict=True):
        km, side = label.removeprefix("väg 204 ").split(" om ")[0].split(" km ")
        mid = line.interpolate(0.5, normalized=True)
        assert float(km.replace(",", ".")) == pytest.approx(mid.distance(centre) / 1000, abs=0.06)
        north = mid.y > centre.y
        assert ("norr" in side or "nord" in side) == (north and abs(mid.y - centre.y) > 1)
    # a label shared by no other segment keeps its plain form
    assert "E18 vid Lanna badgruva" in set(seg["label"])


def test_a_marked_stretch_counts_on_the_segment_at_its_middle() -> None:
    segments = gpd.GeoDataFrame(
        {"segment_id": ["seg00000", "seg00001"]},
        geometry=[
            shapely.LineString([(0, 0), (1000, 0)]),
            shapely.LineString([(0, 500), (0, 900)]),
        ],
        crs=settings.working_crs,
    )
    stretch = shapely.LineString([(0, 480), (0, 40), (600, 40)])  # begins by the other
    assert roads.segment_of_spot(segments, stretch) == "seg00000"
    assert roads.segment_of_spot(segments, shapely.Point(10, 530)) == "seg00001"
    assert roads.segment_of_spot(segments, shapely.Point(500, 60)) is None  # 60 m off: none
    assert roads.segment_of_spot(segments.iloc[:0], shapely.Point(0, 0)) is None


def _marked(category: str, point: shapely.Point) -> gpd.GeoDataFrame:
    """Two open spots of ``category`` the kommun marked at ``point``."""
    return gpd.GeoDataFrame(
        {"spot_id": ["a", "b"], "category": [category] * 2, "status": ["ny", "bedomd"]},
        geometry=[point, point],
        crs=settings.working_crs,
    )


def test_a_parking_spot_makes_no_speed_check_and_a_careless_driving_spot_does(G, places) -> None:
    # a review: the form said "Olämplig körning/parkering" for vardslos_korning, so a spot of
    # cars parked where they must not made the police plan a speed check on the E18
    line = _road_line(G, "Lekhyttan", "Trafikplats Vintrosa")
    (mid,) = _along(line, [0.3])
    drunk = _incidents([mid], categories=["rattfylleri"], times=["2025-06-06 22:10"])
    parked = _segments(G, drunk, spots=_marked("parkering", mid), places=places)
    top = parked.iloc[0]
    assert (top["n_spots"], top["n_speed"], top["n_events"]) == (0, 0, 1)
    assert _points(parked, G, top=1).iloc[0]["activity"] == "nykterhetskontroll"
    alone = _segments(G, drunk.iloc[:0], spots=_marked("parkering", mid), places=places)
    assert _points(alone, G, top=5).empty  # no check of its own either
    careless = _segments(G, drunk, spots=_marked("vardslos_korning", mid), places=places)
    top = careless.iloc[0]
    assert (top["n_spots"], top["n_speed"]) == (2, 2)
    assert _points(careless, G, top=1).iloc[0]["activity"] == "hastighetskontroll"


@pytest.mark.parametrize("category", ["trafikfarlig_plats", "ovrigt"])
def test_a_spot_no_check_answers_counts_on_no_road(G, places, category) -> None:
    # a blind exit or an "övrigt" spot alone on a road made its control point a sobriety or
    # speed check (by the speed limit); a trafikfarlig plats is the plan's presence stop itself
    line = _road_line(G, "Lekhyttan", "Trafikplats Vintrosa")
    (mid,) = _along(line, [0.3])
    empty = _incidents([], categories=[], times=[])
    alone = _segments(G, empty, spots=_marked(category, mid), places=places)
    assert alone["n_spots"].sum() == 0
    assert _points(alone, G, top=5).empty
    drunk = _incidents([mid], categories=["rattfylleri"], times=["2025-06-06 22:10"])
    beside = _segments(G, drunk, spots=_marked(category, mid), places=places)
    assert (beside.iloc[0]["n_events"], beside.iloc[0]["n_spots"]) == (1, 0)


def test_a_marked_spot_counts_on_its_road_as_the_priorities_file_says(G, places, tmp_path) -> None:
    # a planner who takes trafikfarlig_plats out of narvaro has the plan answer it with a
    # speed check (PlanSettings.traffic_activity); the roads then count its spots as speeding
    line = _road_line(G, "Lekhyttan", "Trafikplats Vintrosa")
    (mid,) = _along(line, [0.3])
    empty = _incidents([], categories=[], times=[])
    spots = _marked("trafikfarlig_plats", mid)
    edited = _priorities(tmp_path, 'narvaro = ["trafikolycka"]')
    seg = roads.road_segments(G, empty, checks=edited, spots=spots, places=places)
    assert (seg.iloc[0]["n_spots"], seg.iloc[0]["n_speed"]) == (2, 2)
    cp = roads.control_points(seg, G, checks=edited, top=1).iloc[0]
    assert cp["activity"] == edited.traffic_activity("trafikfarlig_plats") == "hastighetskontroll"
    assert roads.checked_categories(edited) - roads.checked_categories(CHECKS) == {
        "trafikfarlig_plats"
    }
