"""Run every hotspot analysis and return the GeoPackage layers by name."""

from __future__ import annotations

from collections.abc import Callable

import geopandas as gpd
import pandas as pd
import shapely

from geo.grid import area_bounds, check_grid_size
from geo.hotspots._common import (
    covered_period,
    spatial_incidents,
)
from geo.hotspots.clusters import find_clusters
from geo.hotspots.emerging import emerging_hotspots
from geo.hotspots.gistar import gi_star
from geo.hotspots.places import place_stats
from geo.hotspots.surface import grid_counts, risk_surface
from geo.timespan import local_time


def run_analysis(
    incidents: gpd.GeoDataFrame,
    places: gpd.GeoDataFrame,
    *,
    cell_size_m: float = 250.0,
    seed: int | None = None,
    area: shapely.Geometry | tuple[float, float, float, float] | None = None,
    permutations: int = 999,
    progress: Callable[[str], None] | None = None,
    end: pd.Timestamp | None = None,
    eps_m: float = 250.0,
    min_events: int = 8,
) -> dict[str, gpd.GeoDataFrame]:
    """Run every hotspot analysis and return the layers by name.

    Parameters
    ----------
    incidents
        All incidents (imprecise ones are used only for place statistics).
    places
        Named places.
    cell_size_m
        Grid cell side in metres.
    seed
        Seed of the Gi* permutations.
    area
        Polygon or bounds of the grid (e.g. the buffered kommun boundary); default the
        located incidents' bounds.
    permutations
        Gi* permutations per cell (reported as ``p_sim``; the class does not use them, so 0
        is allowed).
    progress
        Called with the name of each step as it starts (the CLI's progress bar).
    end
        The time of the analysis (pass now, or ``geo run --end``'s day): the trends and
        emerging hot spots run over the whole months the incidents cover before it
        (:func:`covered_period`: not a month under way, nor months after the last import),
        and the place statistics' period ends at it or at the last incident, whichever is
        sooner. Default: the data's end.
    eps_m, min_events
        The clusters' DBSCAN radius in metres and fewest events (:func:`find_clusters`).

    Returns
    -------
    dict of str to geopandas.GeoDataFrame
        ``hotspots`` (:func:`find_clusters`), ``grid`` (:func:`grid_counts` plus
        ``risk_kde``), ``gi_grid`` (:func:`gi_star`), ``emerging``
        (:func:`emerging_hotspots`) and ``place_stats`` (:func:`place_stats`).

    Raises
    ------
    DataError
        If the grid would have more than :data:`geo.grid.MAX_GRID_CELLS` cells (the least cell size
        that fits is named) or the cell size is not positive.
    """
    steps: list[str] = ["grid", "gi_grid", "hotspots", "emerging", "place_stats"]
    note = progress or (lambda _s: None)
    located = spatial_incidents(incidents)
    if located.empty and area is None:
        if places.empty:
            area = (0.0, 0.0, cell_size_m, cell_size_m)
        else:
            left, bottom, right, top = (float(v) for v in places.total_bounds)
            area = (left, bottom, right, top)
    bounds = area_bounds(area if area is not None else tuple(located.total_bounds))
    check_grid_size(bounds, cell_size_m=cell_size_m)
    layers: dict[str, gpd.GeoDataFrame] = {}
    note(steps[0])
    grid = grid_counts(located, cell_size_m=cell_size_m, area=area)
    grid["risk_kde"] = risk_surface(grid, cell_size_m=cell_size_m)
    layers["grid"] = grid
    note(steps[1])
    layers["gi_grid"] = gi_star(grid, permutations=permutations, seed=seed)
    note(steps[2])
    start, stop = covered_period(located, end=end) if len(located) else (None, None)
    layers["hotspots"] = find_clusters(
        located, places=places, start=start, end=stop, eps_m=eps_m, min_events=min_events
    )
    note(steps[3])
    layers["emerging"] = emerging_hotspots(
        located, cell_size_m=cell_size_m, area=area, seed=seed, start=start, end=stop
    )
    note(steps[4])
    # the period ends at ``end``, or with the data when they end sooner (days not yet
    # imported would read as a fall)
    last = local_time(pd.to_datetime(incidents["occurred_at"]).max()) if len(incidents) else None
    sooner = end is not None and last is not None and local_time(end) <= last
    layers["place_stats"] = place_stats(incidents, places, end=end if sooner else None)
    return layers
