"""Benchmark geo.network: travel-time matrix and snapping on a ~50,000-edge grid graph.

Run: .venv/bin/python bench/bench_network.py
Targets (issue 3): matrix for 300 points < 5 s; snapping 100,000 incidents < 10 s.
"""

from __future__ import annotations

import time

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely

from geo import network, roads, settings
from geo.model import INCIDENT_COLUMNS
from geo.patrol import load_priorities


def grid_graph(side: int = 112, spacing_m: float = 100.0, seed: int = 0) -> nx.MultiDiGraph:
    """A side × side street grid around Fjugesta, both directions, mixed speeds."""
    rng = np.random.default_rng(seed)
    G = nx.MultiDiGraph(crs=settings.working_crs)
    x0, y0 = 490_000.0, 6_555_000.0
    for i in range(side):
        for j in range(side):
            G.add_node(i * side + j, x=x0 + i * spacing_m, y=y0 + j * spacing_m)
    for i in range(side):
        for j in range(side):
            u = i * side + j
            for v in ([u + side] if i + 1 < side else []) + ([u + 1] if j + 1 < side else []):
                speed = float(rng.choice([30.0, 40.0, 50.0, 70.0]))
                data = {"length": spacing_m, "speed_kph": speed, "highway": "residential"}
                data["travel_time"] = spacing_m / (speed / 3.6)
                G.add_edge(u, v, **data)
                G.add_edge(v, u, **data)
    return G


def timed(fn, *args, **kwargs):
    t = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - t


def main() -> None:
    rng = np.random.default_rng(42)
    G, t_build = timed(grid_graph)
    left, bottom = 490_000.0, 6_555_000.0
    size = 111 * 100.0
    rows = [("build grid graph", f"{G.number_of_edges():,} edges", t_build, None)]

    pts = gpd.GeoSeries(
        shapely.points(
            rng.uniform(left, left + size, 300), rng.uniform(bottom, bottom + size, 300)
        ),
        crs=settings.working_crs,
    )
    tt, t_matrix = timed(network.travel_time_matrix, G, pts)
    finite = np.isfinite(tt).mean()
    rows.append(
        (
            "travel-time matrix, 300 points (first)",
            f"{tt.shape}, {finite:.0%} finite",
            t_matrix,
            5.0,
        )
    )
    _, t_cached = timed(network.travel_time_matrix, G, pts)
    rows.append(("travel-time matrix, 300 points (cached)", "", t_cached, None))
    nodes = network.nearest_nodes(G, pts)
    t = time.perf_counter()
    for n in nodes[:20]:
        nx.single_source_dijkstra_path_length(G, int(n), weight="travel_time")
    t_nx = (time.perf_counter() - t) / 20 * 300
    rows.append(("networkx Dijkstra × 300 (extrapolated from 20)", "reference", t_nx, None))

    many = gpd.GeoSeries(
        shapely.points(
            rng.uniform(left - 200, left + size + 200, 100_000),
            rng.uniform(bottom - 200, bottom + size + 200, 100_000),
        ),
        crs=settings.working_crs,
    )
    snapped, t_snap = timed(network.snap_to_edges, G, many, tolerance_m=50)
    n_ok = int(snapped["u"].notna().sum())
    rows.append(("snap 100,000 points (50 m)", f"{n_ok:,} snapped", t_snap, 10.0))

    S, t_load = timed(network.load_graph, path=network.schematic_osm_path())
    rows.append(("load schematic network", f"{S.number_of_edges()} edges", t_load, None))
    edges = network.graph_edges(S)
    lines = edges.geometry.to_numpy()
    pick = rng.integers(0, len(lines), 1500)
    inc_pts = shapely.line_interpolate_point(lines[pick], rng.uniform(0, 1, 1500), normalized=True)
    df = pd.DataFrame({c: [None] * 1500 for c in INCIDENT_COLUMNS if c != "geometry"})
    df["theme"] = "T"
    df["category"] = rng.choice(["hastighet", "rattfylleri", "motorburen"], 1500)
    df["occurred_at"] = pd.Timestamp("2025-01-01", tz=settings.timezone) + pd.to_timedelta(
        rng.integers(0, 365 * 24, 1500), unit="h"
    )
    df["time_precision"] = "exact"
    incidents = gpd.GeoDataFrame(df, geometry=inc_pts, crs=settings.working_crs)
    checks = load_priorities()
    seg, t_seg = timed(roads.road_segments, S, incidents, checks=checks)
    rows.append(("road_segments, 1,500 incidents, schematic", f"{len(seg)} segments", t_seg, None))
    _, t_cp = timed(roads.control_points, seg, S, checks=checks, top=10)
    rows.append(("control_points, top 10", "", t_cp, None))

    print(f"{'step':48} {'size':>22} {'seconds':>8} {'target':>7}  ok")
    for name, size_txt, secs, target in rows:
        ok = "" if target is None else ("yes" if secs < target else "NO")
        tgt = "" if target is None else f"< {target:g}"
        print(f"{name:48} {size_txt:>22} {secs:8.2f} {tgt:>7}  {ok}")


if __name__ == "__main__":
    main()
