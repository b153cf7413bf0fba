"""Travel times and routes on the road graph (scipy shortest paths on a cached sparse matrix)."""

from __future__ import annotations

import itertools
import logging
import weakref
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import networkx as nx
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from geo.errors import DataError

if TYPE_CHECKING:
    from shapely import LineString, Point


from geo.network.snapping import nearest_nodes

logger = logging.getLogger(__name__)


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
