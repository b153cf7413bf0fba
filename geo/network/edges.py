"""The road graph's edges as a GeoDataFrame, with readable road labels."""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely


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
