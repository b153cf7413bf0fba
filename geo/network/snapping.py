"""Snapping points to the road graph: nearest nodes and nearest edges, with cached indexes."""

from __future__ import annotations

import logging
import weakref
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from scipy.spatial import cKDTree

from geo import settings
from geo.errors import CRSError, DataError

logger = logging.getLogger(__name__)


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
