"""Loading the road graph (GraphML cache, OSM XML/PBF, osmnx download) with Swedish speeds."""

from __future__ import annotations

import hashlib
import importlib.metadata
import logging
import os
import pickle
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import geopandas as gpd
import networkx as nx
import shapely

from geo import settings
from geo.errors import NetworkError
from geo.network.schematic import build_schematic_osm
from geo.network.sources import (
    filter_highways,
    find_graph_source,
    graphml_cache_path,
    is_schematic_file,
    osm_dir,
    schematic_osm_path,
    schematic_source_path,
)

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


_NODE_TAGS = ("name",)


_EDGE_KEEP: frozenset[str] = frozenset(
    {"osmid", "highway", "ref", "name", "maxspeed", "oneway", "reversed", "length", "geometry"}
    | {"lanes", "junction", "bridge", "tunnel", "access", "service"}
)


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
    hashes the file, the code of this package, the osmnx version and the working CRS, so a changed
    input or loader never reads a stale graph. Loading the pickle takes milliseconds and
    needs no osmnx (whose import alone takes 2 s of every command).
    """
    digest = hashlib.sha256()
    for module in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(module.read_bytes())
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
    return _prepare(G, source=source, schematic=is_schematic_file(source))


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
