"""Counts per grid cell and the smoothed (kernel density) risk surface."""

from __future__ import annotations

import logging

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy import ndimage

from geo.errors import DataError
from geo.grid import Raster, cell_ids, make_grid
from geo.hotspots._common import (
    grid_area,
)
from geo.model import THEMES
from geo.projection import require_projected

logger = logging.getLogger(__name__)


def grid_counts(
    incidents: gpd.GeoDataFrame,
    *,
    cell_size_m: float = 250.0,
    area: shapely.Geometry | tuple[float, float, float, float] | None = None,
) -> gpd.GeoDataFrame:
    """Count incidents per grid cell, with zero cells, per theme too.

    Parameters
    ----------
    incidents
        Incidents (Point geometry, projected CRS); filter with :func:`spatial_incidents` first.
    cell_size_m
        Cell side in metres.
    area
        Polygon or bounds the grid covers; default the incidents' bounds padded by two cells.

    Returns
    -------
    geopandas.GeoDataFrame
        ``cell_id``, ``n_events``, ``n_N``, ``n_T``, ``n_B``, ``n_S`` (counts by stored
        theme) and ``geometry`` (cell Polygon, EPSG:3006), one row per cell of the grid.
    """
    require_projected(incidents)
    if incidents.empty and area is None:
        msg = "No incidents and no area: pass area= to make an empty grid."
        raise DataError(msg)
    grid = make_grid(grid_area(incidents, area, 2 * cell_size_m), cell_size_m=cell_size_m)
    ids = cell_ids(incidents.geometry.x, incidents.geometry.y, cell_size_m=cell_size_m)
    index = pd.Index(grid["cell_id"].to_numpy())
    pos = index.get_indexer(ids)
    inside = pos >= 0
    n = len(grid)
    grid["n_events"] = np.bincount(pos[inside], minlength=n).astype(np.int64)
    theme = (
        incidents["theme"].astype("string").fillna("").to_numpy()
        if "theme" in incidents.columns
        else np.full(len(incidents), "")
    )
    for t in THEMES:
        sel = inside & (theme == t)
        grid[f"n_{t}"] = np.bincount(pos[sel], minlength=n).astype(np.int64)
    grid = grid[["cell_id", "n_events", *(f"n_{t}" for t in THEMES), "geometry"]]
    logger.info("%d incidents in %d grid cells of %g m", int(inside.sum()), n, cell_size_m)
    return grid


def risk_surface(
    counts_grid: gpd.GeoDataFrame, *, cell_size_m: float, bandwidth_m: float = 300.0
) -> pd.Series:
    """Smooth cell counts into a risk surface with a binned Gaussian kernel density estimate.

    Parameters
    ----------
    counts_grid
        Output of :func:`grid_counts`.
    cell_size_m
        Cell side of that grid.
    bandwidth_m
        Standard deviation of the Gaussian kernel in metres.

    Returns
    -------
    pandas.Series
        ``risk_kde``: expected events per cell (the counts redistributed by the kernel; sums
        to the total count up to edge losses), aligned with ``counts_grid``.

    Notes
    -----
    The binned KDE is ``scipy.ndimage.gaussian_filter`` on the count raster, exact for a
    Gaussian kernel up to the binning (Wand & Jones 1995, ch. 3).
    """
    ids = counts_grid["cell_id"].to_numpy()
    raster = Raster.covering(
        ids, cell_size_m=cell_size_m, pad=int(4 * bandwidth_m / cell_size_m) + 1
    )
    dense = raster.rasterize(ids, counts_grid["n_events"].to_numpy())
    smooth = ndimage.gaussian_filter(dense, sigma=bandwidth_m / cell_size_m, mode="constant")
    return pd.Series(raster.sample(smooth, ids), index=counts_grid.index, name="risk_kde")
