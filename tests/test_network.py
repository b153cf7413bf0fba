"""Tests of geo.network, geo._osm and `geo network` (offline: a fake Overpass on 127.0.0.1)."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import osmnx as ox
import pyrosm
import pytest
import shapely
from click.testing import CliRunner

from geo import network, settings
from geo.cli.network import network_group
from geo.errors import CRSError, DataError, NetworkError
from geo.network import travel
from geo.sites import load_boundary, load_places

DATA = Path(__file__).parent / "data"
TINY_OSM = DATA / "tiny.osm"


@pytest.fixture(scope="module")
def schematic() -> nx.MultiDiGraph:
    return network.load_graph(path=network.schematic_osm_path())


@pytest.fixture(scope="module")
def tiny() -> nx.MultiDiGraph:
    return network.load_graph(path=TINY_OSM)


def _points(xy: list[tuple[float, float]]) -> gpd.GeoSeries:
    return gpd.GeoSeries(shapely.points(xy), crs=settings.working_crs)


def _place_point(name: str) -> shapely.Point:
    places = load_places()
    return places.loc[places["name"] == name].geometry.centroid.iloc[0]


# --------------------------------------------------------------------------- local OSM XML


def test_local_osm_keeps_only_drivable_highways(tiny: nx.MultiDiGraph) -> None:
    # node 7 is only on a footway, 8-11 a building, 12-13 a stream: none may become road
    assert set(tiny.nodes) == {1, 2, 3, 4, 5}
    assert {d["name"] for _, _, d in tiny.edges(data=True)} == {
        "Storgatan",
        "Kyrkvägen",
        "Skolgatan",
        "Enkelriktad gatan",
    }
    assert tiny.graph["schematic"] is False
    assert tiny.graph["crs"] == settings.working_crs or "3006" in str(tiny.graph["crs"])


def test_speeds_from_maxspeed_else_swedish_default(tiny: nx.MultiDiGraph) -> None:
    for _, _, d in tiny.edges(data=True):
        if d["name"] == "Storgatan":  # maxspeed=50 in the file
            assert d["speed_kph"] == 50
        else:  # residential without maxspeed
            assert d["speed_kph"] == network.SWEDISH_DEFAULT_SPEEDS_KPH["residential"]
        assert d["travel_time"] == pytest.approx(d["length"] / (d["speed_kph"] / 3.6))


def test_oneway_street_is_respected(tiny: nx.MultiDiGraph) -> None:
    assert tiny.has_edge(1, 4)
    assert not tiny.has_edge(4, 1)
    pts = _points([(tiny.nodes[n]["x"], tiny.nodes[n]["y"]) for n in (1, 4)])
    tt = network.travel_time_matrix(tiny, pts)
    direct = min(d["travel_time"] for d in tiny.get_edge_data(1, 4).values())
    assert tt[0, 1] == pytest.approx(direct)
    assert tt[1, 0] > tt[0, 1]  # back to 1 only by the detour over node 2


def test_bz2_osm_reads_like_plain(tmp_path: Path, tiny: nx.MultiDiGraph) -> None:
    import bz2

    packed = tmp_path / "tiny.osm.bz2"
    packed.write_bytes(bz2.compress(TINY_OSM.read_bytes()))
    G = network.load_graph(path=packed)
    assert G.number_of_edges() == tiny.number_of_edges()


def test_osm_without_roads_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "buildings.osm"
    bad.write_text(
        '<osm version="0.6"><node id="1" lat="59" lon="15"/><node id="2" lat="59.1" lon="15"/>'
        '<way id="1"><nd ref="1"/><nd ref="2"/><tag k="building" v="yes"/></way></osm>',
        encoding="utf-8",
    )
    with pytest.raises(NetworkError, match="no drivable highway"):
        network.load_graph(path=bad)


# ------------------------------------------------------------ real OSM (pyrosm's Helsinki)


@pytest.fixture(scope="module")
def helsinki_pbf() -> Path:
    path = Path(pyrosm.get_data("helsinki_pbf"))
    # the extract ships inside the pyrosm wheel: no download happened
    assert Path(pyrosm.__file__).parent in path.resolve().parents
    return path


def test_real_osm_route_follows_real_streets(helsinki_pbf: Path) -> None:
    G = network.load_graph(path=helsinki_pbf)
    assert G.graph["schematic"] is False
    assert G.number_of_edges() > 100
    for _, _, d in G.edges(data=True):
        assert d["length"] > 0 and d["speed_kph"] > 0 and d["travel_time"] > 0 and d["highway"]

    buildings = pyrosm.OSM(str(helsinki_pbf)).get_buildings()
    addr = buildings.dropna(subset=["addr:street", "addr:housenumber"])

    def address(street: str, number: str) -> shapely.Point:
        row = addr[(addr["addr:street"] == street) & (addr["addr:housenumber"] == number)]
        assert len(row) == 1, f"{street} {number} not in the extract"
        return row.to_crs(settings.working_crs).geometry.iloc[0].representative_point()

    a = address("Fabianinkatu", "17")
    b = address("Siltavuorenpenger", "7")
    line = network.route(G, a, b)
    seconds = network.route_travel_time_s(G, a, b)
    straight = a.distance(b)
    assert straight > 1000
    assert straight <= line.length < 3 * straight
    assert line.coords[0] != line.coords[-1]
    assert shapely.Point(line.coords[0]).distance(a) < 100
    assert shapely.Point(line.coords[-1]).distance(b) < 100
    # every vertex of the route lies on a street of the extract
    streets = shapely.union_all(network.graph_edges(G).geometry.to_numpy())
    assert max(streets.distance(shapely.Point(c)) for c in line.coords) < 0.5
    # city speeds: between 10 and 60 km/h on average
    assert 10 < line.length / seconds * 3.6 < 60
    tt = network.travel_time_matrix(G, _points([(a.x, a.y), (b.x, b.y)]))
    assert tt[0, 1] == pytest.approx(seconds)


# --------------------------------------------------------------------------- schematic default


def test_schematic_file_is_reproducible(tmp_path: Path) -> None:
    out = network.build_schematic_osm(target=tmp_path / "s.osm")
    assert out.read_bytes() == network.schematic_osm_path().read_bytes()


def test_schematic_is_the_default_and_labelled(schematic: nx.MultiDiGraph) -> None:
    if network.find_graph_source() == network.schematic_osm_path():
        assert network.load_graph().graph["schematic"] is True
    assert schematic.graph["schematic"] is True
    assert "schematiskt vägnät" in network.SCHEMATIC_NOTE.lower()
    assert "geo network fetch" in network.SCHEMATIC_NOTE
    refs = {d.get("ref") for _, _, d in schematic.edges(data=True)}
    assert {"E18", "204", "691"} <= refs
    for _, _, d in schematic.edges(data=True):
        assert d["highway"] and d["length"] > 0 and d["travel_time"] > 0


def test_every_place_is_reachable_from_the_entry(schematic: nx.MultiDiGraph) -> None:
    places = load_places()
    centres = places.geometry.centroid
    nodes = network.nearest_nodes(schematic, centres)
    xy = np.array([(schematic.nodes[n]["x"], schematic.nodes[n]["y"]) for n in nodes])
    gap = np.hypot(xy[:, 0] - centres.x.to_numpy(), xy[:, 1] - centres.y.to_numpy())
    assert gap.max() < 100, places["name"][gap >= 100].tolist()
    entry = network.entry_node(schematic)
    times = nx.single_source_dijkstra_path_length(schematic, entry, weight="travel_time")
    back = nx.single_source_dijkstra_path_length(
        schematic.reverse(copy=False), entry, weight="travel_time"
    )
    for node, name in zip(nodes, places["name"], strict=True):
        assert node in times and node in back, name
        assert times[node] < 45 * 60, name  # the whole kommun lies within 45 min of Örebro's entry


def test_entry_from_orebro_is_on_the_eastern_boundary(schematic: nx.MultiDiGraph) -> None:
    node = schematic.nodes[network.entry_node(schematic)]
    boundary = load_boundary()
    pt = shapely.Point(node["x"], node["y"])
    assert boundary.exterior.distance(pt) < 50
    assert node["x"] > boundary.centroid.x  # east of the middle, toward Örebro


def test_schematic_roads_stay_inside_the_kommun(schematic: nx.MultiDiGraph) -> None:
    area = load_boundary().buffer(settings.boundary_buffer_m)
    edges = network.graph_edges(schematic)
    outside = edges[~edges.geometry.within(area)]
    assert outside.empty, outside[["ref", "highway"]]


def test_fjugesta_to_lanna_badgruva_is_plausible(schematic: nx.MultiDiGraph) -> None:
    # ~8.2 km straight line. A road route must be longer than that and shorter than ~13 km
    # (1.6 × the straight line, generous for rural roads). Time: no faster than the whole way at
    # 100 km/h (~300 s for 8.2 km) and no slower than 13 km at 50 km/h (~940 s).
    a, b = _place_point("Fjugesta centrum"), _place_point("Lanna badgruva")
    assert 8000 < a.distance(b) < 8500
    line = network.route(schematic, a, b)
    seconds = network.route_travel_time_s(schematic, a, b)
    assert a.distance(b) < line.length < 13_000
    assert 300 < seconds < 940


# --------------------------------------------------------------------------- snapping


def test_snap_30_m_off_a_road_snaps_2_km_does_not(tiny: nx.MultiDiGraph) -> None:
    n1, n2 = tiny.nodes[1], tiny.nodes[2]  # Storgatan runs east-west
    mid_x, mid_y = (n1["x"] + n2["x"]) / 2, (n1["y"] + n2["y"]) / 2
    pts = _points([(mid_x, mid_y - 30), (mid_x, mid_y - 2000)])
    snapped = network.snap_to_edges(tiny, pts, tolerance_m=50)
    near, far = snapped.iloc[0], snapped.iloc[1]
    assert {int(near["u"]), int(near["v"])} == {1, 2}
    assert near["distance_m"] == pytest.approx(30, abs=1)
    assert near["snapped"].distance(shapely.Point(mid_x, mid_y)) < 5
    assert pd_isna(far["u"]) and np.isnan(far["distance_m"]) and far["snapped"] is None
    assert snapped.index.equals(pts.index)


def pd_isna(value: object) -> bool:
    import pandas as pd

    return bool(pd.isna(value))


def test_snap_rejects_geographic_points(tiny: nx.MultiDiGraph) -> None:
    with pytest.raises(CRSError):
        network.snap_to_edges(
            tiny, gpd.GeoSeries([shapely.Point(14.8, 59.1)], crs=4326), tolerance_m=50
        )


def test_nearest_nodes(tiny: nx.MultiDiGraph) -> None:
    pts = _points([(tiny.nodes[n]["x"] + 5, tiny.nodes[n]["y"] - 5) for n in (3, 5, 1)])
    assert network.nearest_nodes(tiny, pts).tolist() == [3, 5, 1]


# --------------------------------------------------------------------------- travel times


def test_matrix_matches_networkx_and_is_cached(
    schematic: nx.MultiDiGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    places = load_places()
    pts = places.geometry.centroid
    tt = network.travel_time_matrix(schematic, pts)
    nodes = network.nearest_nodes(schematic, pts)
    assert tt.shape == (len(pts), len(pts))
    assert np.allclose(np.diag(tt), 0)
    for i in (0, 5, 9):
        ref = nx.single_source_dijkstra_path_length(schematic, int(nodes[i]), weight="travel_time")
        assert np.allclose(tt[i], [ref[int(n)] for n in nodes])
    calls = []
    real = travel.dijkstra
    monkeypatch.setattr(travel, "dijkstra", lambda *a, **k: calls.append(1) or real(*a, **k))
    again = network.travel_time_matrix(schematic, pts.iloc[::-1])
    assert calls == []  # same node set: answered from the cache
    assert np.allclose(again, tt[::-1, ::-1])


def test_unreachable_is_inf_and_route_error(tmp_path: Path) -> None:
    osm = tmp_path / "two.osm"
    osm.write_text(
        '<osm version="0.6">'
        '<node id="1" lat="59.10" lon="14.80"/><node id="2" lat="59.11" lon="14.80"/>'
        '<node id="3" lat="59.10" lon="14.90"/><node id="4" lat="59.11" lon="14.90"/>'
        '<way id="1"><nd ref="1"/><nd ref="2"/><tag k="highway" v="unclassified"/></way>'
        '<way id="2"><nd ref="3"/><nd ref="4"/><tag k="highway" v="unclassified"/></way>'
        "</osm>",
        encoding="utf-8",
    )
    # load_graph keeps only the largest component; the parts are equal, so one is dropped
    G = network.load_graph(path=osm)
    assert G.number_of_nodes() == 2
    H = nx.union(G, nx.relabel_nodes(G, {n: n + 100 for n in G.nodes}))
    ids = list(H.nodes)
    for n in ids[2:]:
        H.nodes[n]["x"] += 5000
    a = shapely.Point(H.nodes[ids[0]]["x"], H.nodes[ids[0]]["y"])
    b = shapely.Point(H.nodes[ids[2]]["x"], H.nodes[ids[2]]["y"])
    tt = network.travel_time_matrix(H, _points([(a.x, a.y), (b.x, b.y)]))
    assert np.isinf(tt[0, 1])
    with pytest.raises(DataError, match="No road route"):
        network.route(H, a, b)


def test_graphml_cache_round_trip(tmp_path: Path, schematic: nx.MultiDiGraph) -> None:
    path = tmp_path / "cache.graphml"
    network.save_graph(schematic, path)
    G = network.load_graph(path=path)
    assert G.graph["schematic"] is True
    assert G.number_of_edges() == schematic.number_of_edges()
    total = sum(d["travel_time"] for _, _, d in G.edges(data=True))
    assert total == pytest.approx(sum(d["travel_time"] for _, _, d in schematic.edges(data=True)))
    assert network.find_graph_source(tmp_path) == path  # the cache wins over other files
    (tmp_path / "x.osm").write_text("<osm/>", encoding="utf-8")
    assert network.find_graph_source(tmp_path) == path


def test_source_order_without_cache(tmp_path: Path) -> None:
    assert network.find_graph_source(tmp_path).name == "lekeberg_schematic.osm"
    (tmp_path / "lekeberg_schematic.osm").write_text("<osm/>", encoding="utf-8")
    assert network.find_graph_source(tmp_path).name == "lekeberg_schematic.osm"
    (tmp_path / "extract.osm.pbf").write_bytes(b"")
    assert network.find_graph_source(tmp_path).name == "extract.osm.pbf"


def test_default_graph_is_cached_and_the_cache_follows_its_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    osm = tmp_path / "osm"
    osm.mkdir()
    for name in ("lekeberg_roads.toml", "lekeberg_schematic.osm"):
        (osm / name).write_bytes((network.osm_dir() / name).read_bytes())
    monkeypatch.setattr(settings, "data_dir", tmp_path)
    first = network.load_graph()
    (cached,) = (osm / "cache").glob("lekeberg_schematic.osm.*.pickle")
    # a fresh process reads the pickle: the same graph, and osmnx is never imported
    code = (
        "import sys; from pathlib import Path; from geo import settings, network; "
        f"settings.data_dir = Path({str(tmp_path)!r}); G = network.load_graph(); "
        "t = sum(d['travel_time'] for *_, d in G.edges(data=True)); "
        "print(G.number_of_edges(), round(t, 3), 'osmnx' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    total = round(sum(d["travel_time"] for *_, d in first.edges(data=True)), 3)
    assert out == [str(first.number_of_edges()), str(total), "False"]
    # an edited source gets a new cache entry; the old one is removed
    text = (osm / "lekeberg_schematic.osm").read_text(encoding="utf-8")
    (osm / "lekeberg_schematic.osm").write_text(text + "<!-- edited -->\n", encoding="utf-8")
    again = network.load_graph()
    (renewed,) = (osm / "cache").glob("lekeberg_schematic.osm.*.pickle")
    assert renewed != cached and again.number_of_edges() == first.number_of_edges()
    # files outside the road data folder are never cached
    network.load_graph(path=TINY_OSM)
    assert not list((osm / "cache").glob("tiny.osm.*"))
    assert not (TINY_OSM.parent / "cache").exists()


# ------------------------------------------------------------------ download (fake Overpass)


class _FakeOverpass(BaseHTTPRequestHandler):
    body = (DATA / "overpass_tiny.json").read_bytes()
    requests: list[str] = []

    def _reply(self, payload: bytes, ctype: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_GET(self) -> None:
        type(self).requests.append(self.path.split("?")[0])
        if self.path.startswith("/api/status"):
            text = "Connected as: 1\nCurrent time: 2026-01-01T00:00:00Z\nAnnounced endpoint: none\n"
            text += "Rate limit: 2\n"
            self._reply(
                (text + "2 slots available now.\nCurrently running queries:\n").encode(),
                "text/plain",
            )
        else:
            self._reply(self.body, "application/json")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        self.rfile.read(length)
        type(self).requests.append(self.path)
        self._reply(self.body, "application/json")

    def log_message(self, format: str, *args: object) -> None:
        return


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def fake_overpass(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeOverpass)
    _FakeOverpass.requests = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setattr(ox.settings, "overpass_url", f"http://127.0.0.1:{server.server_port}/api")
    monkeypatch.setattr(ox.settings, "cache_folder", tmp_path / "osmnx-cache")
    monkeypatch.setattr(ox.settings, "doh_url_template", None)
    yield server
    server.shutdown()
    server.server_close()


def _fjugesta_area() -> shapely.Polygon:
    box = shapely.box(14.85, 59.165, 14.89, 59.185)
    return gpd.GeoSeries([box], crs=4326).to_crs(settings.working_crs).iloc[0]


def test_fetch_writes_cache_and_reuses_it(
    fake_overpass: ThreadingHTTPServer, tmp_path: Path
) -> None:
    cache = tmp_path / "osm" / "kommun.graphml"
    http_cache = tmp_path / "cache"
    G = network.fetch_graph(
        polygon=_fjugesta_area(), buffer_m=0, cache_path=cache, http_cache_dir=http_cache
    )
    assert cache.is_file()
    assert G.graph["schematic"] is False
    assert {d["name"] for _, _, d in G.edges(data=True)} >= {"Storgatan", "Kyrkvägen"}
    assert any(p.endswith("/interpreter") for p in _FakeOverpass.requests)
    # the GraphML cache is what load_graph reads first, with no server needed
    fake_overpass.shutdown()
    fake_overpass.server_close()
    again = network.load_graph(path=network.find_graph_source(cache.parent))
    assert again.number_of_edges() == G.number_of_edges()
    # fetching again offline answers from the Overpass response cache
    _FakeOverpass.requests = []
    refetched = network.fetch_graph(
        polygon=_fjugesta_area(),
        buffer_m=0,
        cache_path=tmp_path / "b.graphml",
        http_cache_dir=http_cache,
    )
    assert refetched.number_of_edges() == G.number_of_edges()
    assert _FakeOverpass.requests == []


def test_fetch_offline_without_cache_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(ox.settings, "overpass_url", f"http://127.0.0.1:{_free_port()}/api")
    monkeypatch.setattr(ox.settings, "doh_url_template", None)
    with pytest.raises(NetworkError, match="Cannot reach the Overpass server") as info:
        network.fetch_graph(
            polygon=_fjugesta_area(),
            cache_path=tmp_path / "g.graphml",
            http_cache_dir=tmp_path / "c",
        )
    assert "geo network fetch" in str(info.value)
    assert not (tmp_path / "g.graphml").exists()


# --------------------------------------------------------------------------- CLI


def test_cli_build_schematic_and_info(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "s.osm"
    result = runner.invoke(network_group, ["build-schematic", "-o", str(out), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["output"] == str(out) and data["edges"] > 20
    result = runner.invoke(network_group, ["info", "--graph", str(out), "--json"])
    assert result.exit_code == 0, result.output
    info = json.loads(result.stdout)
    assert info["schematic"] is True and info["edges"] == data["edges"]
    text = runner.invoke(network_group, ["info", "--graph", str(out)])
    assert "Schematiskt vägnät" in text.stdout


def test_cli_fetch_offline_exits_1(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(ox.settings, "overpass_url", f"http://127.0.0.1:{_free_port()}/api")
    result = CliRunner().invoke(
        network_group,
        ["fetch", "-o", str(tmp_path / "g.graphml"), "--http-cache", str(tmp_path / "c")],
    )
    assert result.exit_code == 1
    assert "Cannot reach the Overpass server" in result.output


@pytest.mark.parametrize("name", ["build-schematic", "fetch", "info", "roads"])
def test_cli_commands_have_help_with_example(name: str) -> None:
    result = CliRunner().invoke(network_group, [name, "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output


def test_schematic_data_file_documents_every_waypoint_and_road() -> None:
    import tomllib

    data = tomllib.loads(network.schematic_source_path().read_text(encoding="utf-8"))
    assert "APPROXIMATE" in network.schematic_source_path().read_text(encoding="utf-8")
    assert data["waypoint"] and data["road"]
    for item in data["waypoint"] + data["road"]:
        assert len(item.get("note", "")) > 20, item
    names = {w["name"] for w in data["waypoint"]}
    assert network.ENTRY_NODE_NAME in names


def test_road_labels_join_numbers_and_names_of_merged_ways():
    import pandas as pd

    from geo.network import road_labels

    edges = pd.DataFrame(
        {
            "ref": ["204", ["204", "691"], None, float("nan")],
            "name": ["Storgatan", ["Storgatan", "Storgatan"], "Lannavägen", None],
        }
    )
    assert road_labels(edges) == ["204 Storgatan", "204 691 Storgatan", "Lannavägen", "väg"]
    assert road_labels(pd.DataFrame(index=range(2))) == ["väg", "väg"]
