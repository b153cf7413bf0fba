"""The road graph: load (GraphML cache, local OSM, schematic), speeds, snapping, travel times."""

from __future__ import annotations

import bz2
import hashlib
import importlib.metadata
import itertools
import logging
import os
import pickle
import tempfile
import tomllib
import weakref
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import networkx as nx
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from geo import settings
from geo.errors import CRSError, DataError, NetworkError

if TYPE_CHECKING:
    from shapely import LineString, Point


logger = logging.getLogger(__name__)

#: Swedish default speeds (km/h) per OSM highway class, used where an edge has no usable
#: ``maxspeed``. Trafikförordningen (1998:1276) 3 kap. 17 §: 50 km/h inside built-up areas and
#: 70 km/h outside unless signed otherwise; motorways are usually signed 110, 2+1 trunk roads
#: 90–100; many Swedish towns sign residential streets 40 km/h; a living street (gångfartsområde)
#: means walking pace, taken as 10 km/h.
SWEDISH_DEFAULT_SPEEDS_KPH: dict[str, float] = {
    "motorway": 110.0,
    "motorway_link": 70.0,
    "trunk": 90.0,
    "trunk_link": 60.0,
    "primary": 80.0,
    "primary_link": 60.0,
    "secondary": 70.0,
    "secondary_link": 50.0,
    "tertiary": 70.0,
    "tertiary_link": 50.0,
    "unclassified": 70.0,
    "road": 50.0,
    "residential": 40.0,
    "living_street": 10.0,
    "service": 20.0,
    "busway": 50.0,
}
_FALLBACK_SPEED_KPH = 50.0

#: Highway classes a patrol car does not drive on (dropped from local OSM files).
NON_DRIVABLE_HIGHWAYS: frozenset[str] = frozenset(
    {
        "abandoned",
        "bridleway",
        "bus_guideway",
        "bus_stop",
        "construction",
        "corridor",
        "crossing",
        "cycleway",
        "elevator",
        "escalator",
        "footway",
        "no",
        "path",
        "pedestrian",
        "planned",
        "platform",
        "proposed",
        "raceway",
        "razed",
        "rest_area",
        "services",
        "steps",
        "track",
    }
)

#: Name of the node where the patrol car enters the kommun (schematic network).
ENTRY_NODE_NAME = "Infart från Örebro"

SCHEMATIC_LABEL = "schematiskt vägnät"
_SCHEMATIC_GENERATOR = "geo network build-schematic"
#: Swedish note printed with every map and plan drawn on the schematic network.
SCHEMATIC_NOTE = (
    "Schematiskt vägnät: vägarna är raka linjer mellan orter och är ungefärliga. "
    "Byt till riktiga OpenStreetMap-vägar med kommandot ”geo network fetch” på en dator med "
    "internet."
)
_NODE_TAGS = ("name",)
_EDGE_KEEP: frozenset[str] = frozenset(
    {"osmid", "highway", "ref", "name", "maxspeed", "oneway", "reversed", "length", "geometry"}
    | {"lanes", "junction", "bridge", "tunnel", "access", "service"}
)


def osm_dir() -> Path:
    """Return the folder of road data, ``<data_dir>/osm``."""
    return settings.data_dir / "osm"


def schematic_source_path() -> Path:
    """Return the schematic road data file, ``<data_dir>/osm/lekeberg_roads.toml``."""
    return osm_dir() / "lekeberg_roads.toml"


def schematic_osm_path() -> Path:
    """Return the generated schematic OSM XML, ``<data_dir>/osm/lekeberg_schematic.osm``."""
    return osm_dir() / "lekeberg_schematic.osm"


def graphml_cache_path() -> Path:
    """Return the GraphML cache written by ``geo network fetch``."""
    return osm_dir() / f"kommun_{settings.kommunkod}.graphml"


# --------------------------------------------------------------------------- loading


def find_graph_source(directory: Path | None = None) -> Path:
    """Return the road data :func:`load_graph` would read, in the order of design §5.

    Parameters
    ----------
    directory
        Folder to look in; default :func:`osm_dir`.

    Returns
    -------
    pathlib.Path
        A cached ``.graphml``; else a local ``.osm``/``.osm.bz2``/``.osm.pbf`` (not the
        schematic); else the schematic ``.osm``.
    """
    folder = directory or osm_dir()
    schematic = folder / schematic_osm_path().name
    if folder.is_dir():
        for pattern in ("*.graphml", "*.osm.pbf", "*.osm.bz2", "*.osm"):
            found = sorted(p for p in folder.glob(pattern) if p.name != schematic.name)
            if found:
                return found[0]
    return schematic


def load_graph(*, path: Path | None = None) -> nx.MultiDiGraph:
    """Load the road graph, projected to the working CRS, with speeds and travel times.

    Parameters
    ----------
    path
        A ``.graphml``, ``.osm``, ``.osm.bz2`` or ``.osm.pbf`` file; default
        :func:`find_graph_source` (GraphML cache, else local OSM, else the schematic network,
        built from :func:`schematic_source_path` when its ``.osm`` is missing). The prepared
        graph of a file in :func:`osm_dir` is kept as a pickle (:func:`_graph_cache_file`) and
        read from it while the file and the loader are unchanged.

    Returns
    -------
    networkx.MultiDiGraph
        In EPSG:3006; every edge has ``length`` (m), ``speed_kph``, ``travel_time`` (s) and
        ``highway`` (plus ``ref``/``name``/``maxspeed`` where known); nodes have ``x``, ``y``
        and ``name`` where known. ``G.graph["schematic"]`` tells whether it is the schematic
        network and ``G.graph["source"]`` names the file read.

    Raises
    ------
    NetworkError
        If the file cannot be read or holds no roads.
    """
    source = path or find_graph_source()
    if source.name == schematic_osm_path().name and not source.exists() and path is None:
        logger.info("no %s; building the schematic network from its data file", source.name)
        with tempfile.TemporaryDirectory() as tmp:
            tmp_osm = Path(tmp) / source.name
            build_schematic_osm(schematic_source_path(), tmp_osm)
            return _prepare(_read_osm_xml(tmp_osm), source=source, schematic=True)
    if not source.exists():
        msg = (
            f"Road data file {str(source)!r} does not exist; check the path or run "
            "`geo network build-schematic`."
        )
        raise NetworkError(msg)
    if source.resolve().parent != osm_dir().resolve():  # only the product's road data
        return _read_graph(source)
    cache = _graph_cache_file(source)
    if cache.is_file():
        try:
            with cache.open("rb") as f:
                cached: nx.MultiDiGraph = pickle.load(f)  # our own file, see _graph_cache_file
            return cached
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError) as e:
            logger.info("ignoring the unreadable graph cache %s (%s)", cache, e)
    G = _read_graph(source)
    _write_graph_cache(G, cache, source)
    return G


def _graph_cache_file(source: Path) -> Path:
    """Return the pickle of a road data file's prepared graph, named by all it depends on.

    Only files in :func:`osm_dir` are cached, in its ``cache`` folder (git-ignored). The key
    hashes the file, this module's code, the osmnx version and the working CRS, so a changed
    input or loader never reads a stale graph. Loading the pickle takes milliseconds and
    needs no osmnx (whose import alone takes 2 s of every command).
    """
    digest = hashlib.sha256()
    digest.update(Path(__file__).read_bytes())
    digest.update(importlib.metadata.version("osmnx").encode())
    digest.update(str(settings.working_crs).encode())
    with source.open("rb") as f:
        digest.update(hashlib.file_digest(f, "sha256").digest())
    return osm_dir() / "cache" / f"{source.name}.{digest.hexdigest()[:16]}.pickle"


def _write_graph_cache(G: nx.MultiDiGraph, cache: Path, source: Path) -> None:
    """Write the graph pickle (atomically) and drop older pickles of the same source."""
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=cache.parent, suffix=".tmp")  # one per writer
        with os.fdopen(fd, "wb") as f:
            pickle.dump(G, f, protocol=pickle.HIGHEST_PROTOCOL)
        Path(name).replace(cache)
        for old in cache.parent.glob(f"{source.name}.*.pickle"):
            if old != cache:
                old.unlink(missing_ok=True)
    except OSError as e:  # a read-only data folder only costs speed
        logger.info("cannot cache the road graph in %s (%s)", cache.parent, e)


def _read_graph(source: Path) -> nx.MultiDiGraph:
    """Read and prepare the graph of an existing road data file (no cache)."""
    name = source.name.lower()
    if name.endswith(".graphml"):
        return _load_graphml(source)
    if name.endswith(".osm.pbf"):
        G = read_osm_pbf(source)
    elif name.endswith((".osm", ".osm.bz2", ".xml")):
        G = _read_osm_xml(source)
    else:
        msg = f"Unknown road data format {str(source)!r}; use .graphml, .osm, .osm.bz2 or .osm.pbf."
        raise NetworkError(msg)
    return _prepare(G, source=source, schematic=_is_schematic_file(source))


def _is_schematic_file(path: Path) -> bool:
    opener: Any = bz2.open if path.name.lower().endswith(".bz2") else open
    try:
        with opener(path, "rb") as f:
            head: bytes = f.read(1000)
    except OSError:
        return False
    return _SCHEMATIC_GENERATOR.encode() in head


def _load_graphml(path: Path) -> nx.MultiDiGraph:
    import osmnx as ox

    try:
        G = ox.load_graphml(path)
    except (OSError, ValueError, ET.ParseError) as e:
        msg = (
            f"Cannot read the cached road graph {str(path)!r}: {e}. "
            "Delete it and run `geo network fetch` again."
        )
        raise NetworkError(msg) from e
    schematic = str(G.graph.get("schematic", "False")) == "True"
    return _prepare(G, source=path, schematic=schematic)


@contextmanager
def _node_tags(tags: tuple[str, ...]) -> Iterator[None]:
    import osmnx as ox

    saved = list(ox.settings.useful_tags_node)
    ox.settings.useful_tags_node = list(dict.fromkeys([*saved, *tags]))
    try:
        yield
    finally:
        ox.settings.useful_tags_node = saved


def _is_drivable(tags: dict[str, str]) -> bool:
    hwy = tags.get("highway")
    if hwy is None or hwy in NON_DRIVABLE_HIGHWAYS or tags.get("area") == "yes":
        return False
    if tags.get("access") in {"no", "private"} or tags.get("motor_vehicle") == "no":
        return False
    return tags.get("service") not in {"parking_aisle", "driveway", "emergency_access"}


def filter_highways(source: Path, target: Path, *, drivable_only: bool = True) -> tuple[int, int]:
    """Write a copy of an OSM XML file that keeps only ``highway=*`` ways and their nodes.

    osmnx's ``graph_from_xml`` turns every way into edges, so buildings, rivers and
    boundaries must be removed first.

    Parameters
    ----------
    source
        An ``.osm`` or ``.osm.bz2`` file.
    target
        The filtered ``.osm`` to write.
    drivable_only
        Also drop ways a car cannot use (footways, cycleways, tracks, private roads).

    Returns
    -------
    tuple of int
        Number of ways and nodes written.

    Raises
    ------
    NetworkError
        If the file is not OSM XML.
    """
    opener: Any = bz2.open if source.name.lower().endswith(".bz2") else open
    nodes: dict[str, ET.Element] = {}
    ways: list[ET.Element] = []
    try:
        with opener(source, "rb") as f:
            for _event, elem in ET.iterparse(f, events=("end",)):
                if elem.tag == "node":
                    nodes[elem.get("id", "")] = elem
                elif elem.tag == "way":
                    tags = {t.get("k", ""): t.get("v", "") for t in elem.iter("tag")}
                    keep = _is_drivable(tags) if drivable_only else "highway" in tags
                    if keep:
                        ways.append(elem)
                    else:
                        elem.clear()
                elif elem.tag == "relation":
                    elem.clear()
    except (OSError, ET.ParseError, EOFError) as e:
        msg = (
            f"Cannot read OSM XML {str(source)!r}: {e}. Check that it is an .osm or .osm.bz2 file."
        )
        raise NetworkError(msg) from e
    root = ET.Element("osm", {"version": "0.6", "generator": "geo.network.filter_highways"})
    used: dict[str, None] = {}
    kept_ways: list[ET.Element] = []
    for way in ways:
        for nd in list(way.iter("nd")):
            if nd.get("ref", "") not in nodes:
                way.remove(nd)
        refs = [nd.get("ref", "") for nd in way.iter("nd")]
        if len(refs) >= 2:
            used.update(dict.fromkeys(refs))
            kept_ways.append(way)
    for ref in used:
        node = nodes[ref]
        node.tail = "\n"
        root.append(node)
    for way in kept_ways:
        way.tail = "\n"
        root.append(way)
    ET.ElementTree(root).write(target, encoding="utf-8", xml_declaration=True)
    logger.info("%d highway ways, %d nodes kept from %s", len(kept_ways), len(used), source.name)
    return len(kept_ways), len(used)


def _read_osm_xml(path: Path) -> nx.MultiDiGraph:
    import osmnx as ox

    with tempfile.TemporaryDirectory() as tmp:
        filtered = Path(tmp) / "highways.osm"
        n_ways, _ = filter_highways(path, filtered)
        if n_ways == 0:
            msg = f"{str(path)!r} holds no drivable highway ways; use an OSM extract with roads."
            raise NetworkError(msg)
        with _node_tags(_NODE_TAGS):
            G = ox.graph_from_xml(filtered, simplify=False, retain_all=True)
    return _simplify(G)


def read_osm_pbf(path: Path) -> nx.MultiDiGraph:
    """Read the drivable roads of an ``.osm.pbf`` file with pyrosm (unprojected, simplified).

    Parameters
    ----------
    path
        An OpenStreetMap PBF extract.

    Returns
    -------
    networkx.MultiDiGraph
        In EPSG:4326, as osmnx builds it (``length`` in metres on every edge).

    Raises
    ------
    NetworkError
        If the file cannot be read or holds no drivable roads.
    """
    import pyrosm

    try:
        osm = pyrosm.OSM(str(path))
        nodes, edges = osm.get_network(network_type="driving", nodes=True)
    except (OSError, ValueError, RuntimeError) as e:
        msg = f"Cannot read OSM PBF {str(path)!r}: {e}. Check that it is an .osm.pbf extract."
        raise NetworkError(msg) from e
    if edges is None or len(edges) == 0:
        msg = f"{str(path)!r} holds no drivable roads; use an extract that covers roads."
        raise NetworkError(msg)
    G = osm.to_graph(nodes, edges, graph_type="networkx", retain_all=True, simplify=False)
    for _, data in G.nodes(data=True):
        for key in [k for k in data if k not in {"x", "y", "name", "highway", "ref"}]:
            del data[key]
    for _, _, data in G.edges(data=True):
        for key in [k for k in data if k not in _EDGE_KEEP]:
            del data[key]
    G.graph["crs"] = "EPSG:4326"
    return _simplify(G)


def _simplify(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    import osmnx as ox

    # Keep named nodes (entry points, places) and break chains where the road number changes.
    G = ox.simplify_graph(G, node_attrs_include=["name"], edge_attrs_differ=["ref", "highway"])
    if G.number_of_nodes() > 0:
        largest = max(nx.weakly_connected_components(G), key=len)
        G = G.subgraph(largest).copy()
    return G


def _prepare(G: nx.MultiDiGraph, *, source: Path, schematic: bool) -> nx.MultiDiGraph:
    if G.number_of_edges() == 0:
        msg = (
            f"The road data {str(source)!r} gave an empty graph; use a file that covers the kommun."
        )
        raise NetworkError(msg)
    crs = G.graph.get("crs")
    if crs is None:
        msg = (
            f"The road graph from {str(source)!r} has no CRS; "
            "it must be OSM (EPSG:4326) or GraphML written by osmnx."
        )
        raise NetworkError(msg)
    if gpd.GeoSeries([], crs=crs).crs != gpd.GeoSeries([], crs=settings.working_crs).crs:
        import osmnx as ox

        G = ox.project_graph(G, to_crs=settings.working_crs)
    add_travel_times(G)
    G.graph["schematic"] = schematic
    G.graph["source"] = str(source)
    logger.info(
        "road graph from %s: %d nodes, %d edges%s",
        source.name,
        G.number_of_nodes(),
        G.number_of_edges(),
        " (schematic)" if schematic else "",
    )
    return G


def add_travel_times(G: nx.MultiDiGraph) -> None:
    """Set ``speed_kph`` and ``travel_time`` (s) on every edge, in place.

    Speeds come from ``maxspeed`` where it is a number (or a list of numbers, averaged), else
    from :data:`SWEDISH_DEFAULT_SPEEDS_KPH` for the edge's ``highway`` class.

    Parameters
    ----------
    G
        A graph whose edges have ``length`` (m) and ``highway``.
    """
    import osmnx as ox

    speeds = dict(SWEDISH_DEFAULT_SPEEDS_KPH)
    for _, _, data in G.edges(data=True):
        hwy = data.get("highway")
        first = hwy[0] if isinstance(hwy, list) else hwy
        if first is None:
            data["highway"] = "road"
        elif first not in speeds:
            speeds[str(first)] = _FALLBACK_SPEED_KPH
    ox.add_edge_speeds(G, hwy_speeds=speeds, fallback=_FALLBACK_SPEED_KPH)
    ox.add_edge_travel_times(G)


def save_graph(G: nx.MultiDiGraph, path: Path) -> None:
    """Save a road graph as GraphML (the cache :func:`load_graph` reads first).

    Parameters
    ----------
    G
        The graph, as returned by :func:`load_graph` or :func:`fetch_graph`.
    path
        The ``.graphml`` file to write.
    """
    import osmnx as ox

    path.parent.mkdir(parents=True, exist_ok=True)
    ox.save_graphml(G, path)
    logger.info("road graph cached to %s", path)


def fetch_graph(
    *,
    polygon: shapely.Polygon | shapely.MultiPolygon | None = None,
    buffer_m: float = 1000.0,
    cache_path: Path | None = None,
    http_cache_dir: Path | None = None,
) -> nx.MultiDiGraph:
    """Download the drivable roads of the kommun from OpenStreetMap and cache them as GraphML.

    This is the only function that reaches the internet (through :mod:`geo._osm`).

    Parameters
    ----------
    polygon
        Area in the working CRS; default the kommun boundary.
    buffer_m
        Margin around the area, so border roads stay connected.
    cache_path
        GraphML to write; default :func:`graphml_cache_path`.
    http_cache_dir
        Where osmnx caches the raw Overpass responses; default ``<osm_dir>/cache``.

    Returns
    -------
    networkx.MultiDiGraph
        The graph as :func:`load_graph` returns it (``schematic`` False).

    Raises
    ------
    NetworkError
        If the download fails (offline, server error) or returns no roads.
    """
    from geo import _osm
    from geo.sites import load_boundary

    area = polygon if polygon is not None else load_boundary()
    area_4326 = (
        gpd.GeoSeries([area.buffer(buffer_m)], crs=settings.working_crs).to_crs(4326).iloc[0]
    )
    raw = _osm.download_graph(area_4326, cache_dir=http_cache_dir or osm_dir() / "cache")
    target = cache_path or graphml_cache_path()
    G = _prepare(_simplify(raw), source=target, schematic=False)
    save_graph(G, target)
    return G


# --------------------------------------------------------------------------- schematic


@dataclass(frozen=True)
class _Waypoint:
    name: str
    lon: float
    lat: float


def _read_schematic_source(source: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    try:
        data = tomllib.loads(source.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as e:
        msg = f"Cannot read the schematic road file {str(source)!r}: {e}. Fix its TOML syntax."
        raise NetworkError(msg) from e
    roads = data.get("road", [])
    if not roads:
        msg = f"The schematic road file {str(source)!r} lists no [[road]]; add at least one."
        raise NetworkError(msg)
    return data, roads


def _resolve_waypoints(
    data: dict[str, Any], roads: list[dict[str, Any]], source: Path
) -> dict[str, _Waypoint]:
    from geo.sites import Gazetteer, load_places

    extra = {
        str(w["name"]): _Waypoint(str(w["name"]), float(w["lon"]), float(w["lat"]))
        for w in data.get("waypoint", [])
    }
    gazetteer = Gazetteer(load_places())
    resolved: dict[str, _Waypoint] = {}
    for road in roads:
        for name in road.get("via", []):
            if name in resolved:
                continue
            if name in extra:
                resolved[name] = extra[name]
                continue
            match = gazetteer.lookup(name)
            if match is None:
                msg = (
                    f"Waypoint {name!r} in {str(source)!r} is neither a [[waypoint]] in the file "
                    "nor a place in data/platser; add it as a [[waypoint]] with lon/lat and a note."
                )
                raise NetworkError(msg)
            pt = gpd.GeoSeries([match.point], crs=settings.working_crs).to_crs(4326).iloc[0]
            resolved[name] = _Waypoint(name, round(pt.x, 7), round(pt.y, 7))
    return resolved


def build_schematic_osm(source: Path | None = None, target: Path | None = None) -> Path:
    """Turn the schematic road data file into OSM XML (deterministic, no timestamps).

    Parameters
    ----------
    source
        The road data file; default :func:`schematic_source_path`.
    target
        The ``.osm`` to write; default :func:`schematic_osm_path`.

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    NetworkError
        If the data file is invalid or names an unknown waypoint.
    """
    source = source or schematic_source_path()
    target = target or schematic_osm_path()
    data, roads = _read_schematic_source(source)
    points = _resolve_waypoints(data, roads, source)
    node_id = {name: i for i, name in enumerate(points, start=1)}
    root = ET.Element("osm", {"version": "0.6", "generator": _SCHEMATIC_GENERATOR})
    root.text = "\n"
    note = ET.Comment(
        " Schematic road network of Lekebergs kommun, generated from "
        f"{source.name}. APPROXIMATE: straight lines between places; not OpenStreetMap data. "
    )
    note.tail = "\n"
    root.append(note)
    for name, wp in points.items():
        node = ET.SubElement(
            root,
            "node",
            {
                "id": str(node_id[name]),
                "version": "1",
                "lat": f"{wp.lat:.7f}",
                "lon": f"{wp.lon:.7f}",
            },
        )
        ET.SubElement(node, "tag", {"k": "name", "v": name})
        node.tail = "\n"
    for i, road in enumerate(roads, start=1):
        via = list(road.get("via", []))
        if len(via) < 2 or "highway" not in road:
            msg = f"Road {i} in {str(source)!r} needs 'highway' and at least two 'via' waypoints."
            raise NetworkError(msg)
        way = ET.SubElement(root, "way", {"id": str(i), "version": "1"})
        for name in via:
            ET.SubElement(way, "nd", {"ref": str(node_id[name])})
        tags = {"highway": str(road["highway"]), "source": "schematic", "note": SCHEMATIC_LABEL}
        for key in ("ref", "name", "maxspeed"):
            if key in road:
                tags[key] = str(road[key])
        for key in sorted(tags):
            ET.SubElement(way, "tag", {"k": key, "v": tags[key]})
        way.tail = "\n"
    target.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(root).write(target, encoding="utf-8", xml_declaration=True)
    logger.info("schematic network: %d waypoints, %d roads -> %s", len(points), len(roads), target)
    return target


def entry_node(G: nx.MultiDiGraph, *, name: str = ENTRY_NODE_NAME) -> int:
    """Return the node where the patrol car enters the kommun (the node named ``name``).

    Parameters
    ----------
    G
        The road graph.
    name
        The node's ``name`` tag.

    Returns
    -------
    int
        The node id.

    Raises
    ------
    DataError
        If no node has that name (real OSM has none: pass a point to :func:`nearest_nodes`).
    """
    for node, value in G.nodes(data="name"):
        if value == name:
            return int(node)
    msg = f"No node named {name!r} in the road graph; give the entry point as coordinates instead."
    raise DataError(msg)


# --------------------------------------------------------------------------- snapping


def _require_projected_graph(G: nx.MultiDiGraph) -> None:
    crs = G.graph.get("crs")
    if crs is None or not gpd.GeoSeries([], crs=crs).crs.is_projected:
        msg = f"The road graph is in {crs!r}; load it with geo.network.load_graph() (metres)."
        raise CRSError(msg)


def _xy(points: gpd.GeoSeries) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    if points.crs is not None and not points.crs.is_projected:
        msg = f"Points are in {points.crs!r}; call .to_crs({settings.working_crs!r}) first."
        raise CRSError(msg)
    geoms = points.to_numpy()
    if len(geoms) and not bool(np.all(shapely.get_type_id(geoms) == 0)):
        msg = "Snapping needs Point geometries; use .representative_point() for lines or polygons."
        raise DataError(msg)
    return shapely.get_x(geoms).astype(float), shapely.get_y(geoms).astype(float)


def nearest_nodes(G: nx.MultiDiGraph, points: gpd.GeoSeries) -> npt.NDArray[np.int64]:
    """Return the nearest graph node of each point (Euclidean, in metres).

    Parameters
    ----------
    G
        Projected road graph (:func:`load_graph`).
    points
        Points in the working CRS.

    Returns
    -------
    numpy.ndarray
        Node ids aligned with ``points``.
    """
    _require_projected_graph(G)
    x, y = _xy(points)
    if len(x) == 0:
        return np.empty(0, dtype=np.int64)
    ids, tree = _node_index(G)
    _, pos = tree.query(np.column_stack([x, y]))
    return ids[np.asarray(pos, dtype=np.int64)]


_NODE_CACHE: weakref.WeakKeyDictionary[
    nx.MultiDiGraph, tuple[int, npt.NDArray[np.int64], cKDTree]
] = weakref.WeakKeyDictionary()


def _node_index(G: nx.MultiDiGraph) -> tuple[npt.NDArray[np.int64], cKDTree]:
    cached = _NODE_CACHE.get(G)
    if cached is not None and cached[0] == G.number_of_nodes():
        return cached[1], cached[2]
    ids = np.fromiter((int(n) for n in G.nodes), dtype=np.int64, count=G.number_of_nodes())
    xy = np.array([(d["x"], d["y"]) for _, d in G.nodes(data=True)], dtype=float).reshape(-1, 2)
    tree = cKDTree(xy)
    _NODE_CACHE[G] = (G.number_of_nodes(), ids, tree)
    return ids, tree


@dataclass(frozen=True)
class _EdgeIndex:
    stamp: int
    uvk: npt.NDArray[np.int64]
    lines: npt.NDArray[Any]
    tree: shapely.STRtree


_EDGE_CACHE: weakref.WeakKeyDictionary[nx.MultiDiGraph, _EdgeIndex] = weakref.WeakKeyDictionary()


def _edge_index(G: nx.MultiDiGraph) -> _EdgeIndex:
    """Return an STRtree of the edges, one per two-way road (the reverse twin is skipped)."""
    stamp = G.number_of_edges()
    cached = _EDGE_CACHE.get(G)
    if cached is not None and cached.stamp == stamp:
        return cached
    seen: set[tuple[Any, Any, float]] = set()
    uvk: list[tuple[int, int, int]] = []
    geoms: list[Any] = []
    straight: list[int] = []
    for u, v, k, data in G.edges(keys=True, data=True):
        twin = (v, u, round(float(data.get("length", 0.0)), 2))
        if twin in seen:
            continue
        seen.add((u, v, twin[2]))
        uvk.append((int(u), int(v), int(k)))
        geom = data.get("geometry")
        if geom is None:
            straight.append(len(geoms))
        geoms.append(geom)
    lines = np.empty(len(geoms), dtype=object)
    lines[:] = geoms
    if straight:
        ends = np.array([uvk[i][:2] for i in straight])
        xs = dict(G.nodes(data="x"))
        ys = dict(G.nodes(data="y"))
        coords = np.array([[[xs[a], ys[a]], [xs[b], ys[b]]] for a, b in ends.tolist()], dtype=float)
        lines[straight] = shapely.linestrings(coords)
    index = _EdgeIndex(
        stamp, np.array(uvk, dtype=np.int64).reshape(-1, 3), lines, shapely.STRtree(lines)
    )
    _EDGE_CACHE[G] = index
    return index


def snap_to_edges(G: nx.MultiDiGraph, points: gpd.GeoSeries, *, tolerance_m: float) -> pd.DataFrame:
    """Snap points to the nearest road edge when it is within ``tolerance_m``.

    Parameters
    ----------
    G
        Projected road graph (:func:`load_graph`).
    points
        Points in the working CRS.
    tolerance_m
        Largest distance from a road at which a point still snaps.

    Returns
    -------
    pandas.DataFrame
        Aligned with ``points``: ``u``, ``v``, ``key`` (nullable integers), ``distance_m``,
        ``offset_m`` (distance along the edge from ``u``) and ``snapped`` (shapely Point on the
        edge); missing (``<NA>``/NaN/None) where no edge lies within ``tolerance_m``.

    Raises
    ------
    CRSError
        If the graph or the points are not in a projected CRS.
    """
    _require_projected_graph(G)
    x, y = _xy(points)
    n = len(x)
    u = np.zeros(n, dtype=np.int64)
    v = np.zeros(n, dtype=np.int64)
    k = np.zeros(n, dtype=np.int64)
    found = np.zeros(n, dtype=bool)
    distance = np.full(n, np.nan)
    offset = np.full(n, np.nan)
    snapped = np.full(n, None, dtype=object)
    if n:
        index = _edge_index(G)
        pts = np.asarray(shapely.points(x, y), dtype=object)
        (pi, ei), dist = index.tree.query_nearest(
            pts, max_distance=tolerance_m, return_distance=True, all_matches=False
        )
        lines = index.lines[ei]
        uvk = index.uvk[ei]
        found[pi] = True
        u[pi], v[pi], k[pi] = uvk[:, 0], uvk[:, 1], uvk[:, 2]
        distance[pi] = dist
        offset[pi] = shapely.line_locate_point(lines, pts[pi])
        snapped[pi] = shapely.line_interpolate_point(lines, offset[pi])
    out = pd.DataFrame(
        {
            "u": pd.arrays.IntegerArray(u, ~found),
            "v": pd.arrays.IntegerArray(v, ~found),
            "key": pd.arrays.IntegerArray(k, ~found),
            "distance_m": distance,
            "offset_m": offset,
            "snapped": snapped,
        },
        index=points.index,
    )
    logger.debug("%d of %d points snapped within %.0f m", int(found.sum()), n, tolerance_m)
    return out


# --------------------------------------------------------------------------- travel times

_CSR_CACHE: weakref.WeakKeyDictionary[
    nx.MultiDiGraph, tuple[tuple[int, str], dict[Any, int], csr_matrix]
]
_CSR_CACHE = weakref.WeakKeyDictionary()
_MATRIX_CACHE: weakref.WeakKeyDictionary[
    nx.MultiDiGraph, dict[tuple[int, str, tuple[int, ...]], npt.NDArray[np.float64]]
]
_MATRIX_CACHE = weakref.WeakKeyDictionary()


def graph_matrix(
    G: nx.MultiDiGraph, *, weight: str = "travel_time"
) -> tuple[dict[Any, int], csr_matrix]:
    """Return the graph as a sparse matrix (the smallest weight of parallel edges), cached.

    Parameters
    ----------
    G
        The road graph.
    weight
        Edge attribute to use (``travel_time`` in s, or ``length`` in m).

    Returns
    -------
    tuple
        ``(index, matrix)``: node id → row, and the CSR matrix of weights.
    """
    stamp = (G.number_of_edges(), weight)
    cached = _CSR_CACHE.get(G)
    if cached is not None and cached[0] == stamp:
        return cached[1], cached[2]
    index = {node: i for i, node in enumerate(G.nodes)}
    rows, cols, vals = [], [], []
    for u, v, w in G.edges(data=weight):
        rows.append(index[u])
        cols.append(index[v])
        vals.append(float(w))
    frame = (
        pd.DataFrame({"r": rows, "c": cols, "w": vals})
        .groupby(["r", "c"], as_index=False)["w"]
        .min()
    )
    # A zero weight would be read as "no edge" by scipy; keep it as a tiny positive number.
    w = np.maximum(frame["w"].to_numpy(), 1e-9)
    n = len(index)
    matrix = csr_matrix((w, (frame["r"].to_numpy(), frame["c"].to_numpy())), shape=(n, n))
    _CSR_CACHE[G] = (stamp, index, matrix)
    return index, matrix


def travel_time_matrix(G: nx.MultiDiGraph, points: gpd.GeoSeries) -> npt.NDArray[np.float64]:
    """Return driving times in seconds between every pair of points (via their nearest nodes).

    Parameters
    ----------
    G
        Projected road graph with ``travel_time`` on its edges (:func:`load_graph`).
    points
        Points in the working CRS.

    Returns
    -------
    numpy.ndarray
        ``n × n`` seconds, row = origin, column = destination; ``inf`` where no route exists.

    Notes
    -----
    One Dijkstra search per distinct origin node, run by :func:`scipy.sparse.csgraph.dijkstra`
    on the graph's sparse matrix (C speed; networkx's pure-Python Dijkstra gives the same
    numbers about 30 times slower). Results are cached per graph and node set.
    """
    nodes = nearest_nodes(G, points)
    unique = tuple(int(n) for n in np.unique(nodes))
    key = (G.number_of_edges(), "travel_time", unique)
    per_graph = _MATRIX_CACHE.setdefault(G, {})
    if key not in per_graph:
        index, matrix = graph_matrix(G)
        rows = np.array([index[n] for n in unique], dtype=np.int64)
        full = dijkstra(matrix, directed=True, indices=rows) if len(rows) else np.empty((0, 0))
        per_graph[key] = np.asarray(full[:, rows] if len(rows) else full, dtype=float)
        logger.info("travel-time matrix for %d nodes", len(unique))
    small = per_graph[key]
    pos = np.searchsorted(np.array(unique, dtype=np.int64), nodes)
    return np.asarray(small[np.ix_(pos, pos)], dtype=float)


def _route_nodes(G: nx.MultiDiGraph, a: Point, b: Point) -> list[Any]:
    ends = nearest_nodes(G, gpd.GeoSeries([a, b], crs=G.graph["crs"]))
    try:
        return list(nx.shortest_path(G, int(ends[0]), int(ends[1]), weight="travel_time"))
    except nx.NetworkXNoPath as e:
        msg = (
            f"No road route from {a.wkt!r} to {b.wkt!r}; the points lie on unconnected parts "
            "of the road network. Check the road data or pick points on connected roads."
        )
        raise DataError(msg) from e


def route(G: nx.MultiDiGraph, a: Point, b: Point) -> LineString:
    """Return the fastest road route between the nodes nearest two points.

    Parameters
    ----------
    G
        Projected road graph (:func:`load_graph`).
    a, b
        Start and end, in the working CRS.

    Returns
    -------
    shapely.LineString
        The route along the roads (EPSG:3006); a zero-length line when both points share a node.

    Raises
    ------
    DataError
        If no route exists.
    """
    path = _route_nodes(G, a, b)
    if len(path) < 2:
        node = G.nodes[path[0]]
        return shapely.LineString([(node["x"], node["y"]), (node["x"], node["y"])])
    coords: list[tuple[float, float]] = []
    for u, v in itertools.pairwise(path):
        data = min(G.get_edge_data(u, v).values(), key=lambda d: d["travel_time"])
        geom = data.get("geometry")
        if geom is None:
            geom = shapely.LineString(
                [(G.nodes[u]["x"], G.nodes[u]["y"]), (G.nodes[v]["x"], G.nodes[v]["y"])]
            )
        part = list(geom.coords)
        coords.extend(part if not coords else part[1:])
    return shapely.LineString(coords)


def route_travel_time_s(G: nx.MultiDiGraph, a: Point, b: Point) -> float:
    """Return the driving time in seconds of :func:`route` between two points.

    Parameters
    ----------
    G, a, b
        As for :func:`route`.

    Returns
    -------
    float
        Seconds from the node nearest ``a`` to the node nearest ``b``.

    Raises
    ------
    DataError
        If no route exists.
    """
    path = _route_nodes(G, a, b)
    return float(nx.path_weight(G, path, weight="travel_time")) if len(path) > 1 else 0.0


def road_labels(edges: pd.DataFrame) -> list[str]:
    """Return each edge's label for maps: its road number(s) and name(s), else ``"väg"``.

    Parameters
    ----------
    edges
        Edges as from :func:`graph_edges`; optional columns ``ref`` and ``name`` hold a
        value or, where osmnx merged ways, a list of values.

    Returns
    -------
    list of str
        One label per edge, e.g. ``"204 Storgatan"``.
    """

    def values(v: object) -> list[str]:
        if isinstance(v, list | tuple | np.ndarray):
            return [str(x) for x in v if isinstance(x, str) and x]
        return [v] if isinstance(v, str) and v else []

    refs = edges["ref"] if "ref" in edges.columns else pd.Series(None, index=edges.index)
    names = edges["name"] if "name" in edges.columns else pd.Series(None, index=edges.index)
    labels = []
    for r, n in zip(refs, names, strict=True):
        parts = list(dict.fromkeys(values(r) + values(n)))
        labels.append(" ".join(parts) or "väg")
    return labels


def graph_edges(G: nx.MultiDiGraph) -> gpd.GeoDataFrame:
    """Return the edges as a GeoDataFrame (for maps: ``highway``, ``ref``, ``name``, ``speed_kph``).

    Parameters
    ----------
    G
        The road graph.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per edge, indexed by ``u, v, key``, LineString geometry in the graph's CRS.
    """
    rows, geoms, index = [], [], []
    for u, v, key, data in G.edges(keys=True, data=True):
        line = data.get("geometry")
        if line is None:  # a straight edge: osmnx stores no geometry for it
            line = shapely.LineString(
                [(G.nodes[u]["x"], G.nodes[u]["y"]), (G.nodes[v]["x"], G.nodes[v]["y"])]
            )
        rows.append({k: val for k, val in data.items() if k != "geometry"})
        geoms.append(line)
        index.append((u, v, key))
    edges = gpd.GeoDataFrame(
        rows,
        geometry=geoms,
        crs=G.graph.get("crs"),
        index=pd.MultiIndex.from_tuples(index, names=["u", "v", "key"]),
    )
    return edges


__all__ = [
    "ENTRY_NODE_NAME",
    "SCHEMATIC_LABEL",
    "SCHEMATIC_NOTE",
    "SWEDISH_DEFAULT_SPEEDS_KPH",
    "add_travel_times",
    "build_schematic_osm",
    "entry_node",
    "fetch_graph",
    "filter_highways",
    "find_graph_source",
    "graph_edges",
    "graph_matrix",
    "load_graph",
    "nearest_nodes",
    "read_osm_pbf",
    "route",
    "route_travel_time_s",
    "save_graph",
    "snap_to_edges",
    "travel_time_matrix",
]
