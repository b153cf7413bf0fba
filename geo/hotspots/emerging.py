"""Emerging hot spots: Gi* per month or week, then the ArcGIS classes by Mann–Kendall."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import pymannkendall as mk
import shapely

from geo.errors import DataError
from geo.grid import cell_ids, make_grid
from geo.hotspots._common import (
    MIN_EVENTS,
    TOO_FEW,
    check_events,
    grid_area,
    local_wall_time,
    step_range,
)
from geo.hotspots.gistar import gi_test, star_weights

logger = logging.getLogger(__name__)

#: Emerging-hot-spot classes (ArcGIS names) → Swedish labels; cold ones add " kall".
EMERGING_LABELS: dict[str, str] = {
    "new": "ny",
    "consecutive": "konsekutiv",
    "intensifying": "intensifierande",
    "persistent": "ihållande",
    "diminishing": "avtagande",
    "sporadic": "sporadisk",
    "oscillating": "oscillerande",
    "historical": "historisk",
}
NO_PATTERN = "inget mönster"


def classify_emerging(
    hot: Sequence[bool] | npt.NDArray[np.bool_],
    cold: Sequence[bool] | npt.NDArray[np.bool_],
    z: Sequence[float] | npt.NDArray[np.float64],
    *,
    alpha: float = 0.05,
) -> str:
    """Classify one cell's series of significant hot/cold time steps (ArcGIS emerging classes).

    Parameters
    ----------
    hot, cold
        Per time step, oldest first: was the cell a significant hot (cold) spot?
    z
        Per time step, the Gi* z-score (its Mann–Kendall trend separates intensifying,
        persistent and diminishing).
    alpha
        Significance of the Mann–Kendall trend.

    Returns
    -------
    str
        Swedish label: ``ny``, ``konsekutiv``, ``intensifierande``, ``ihållande``,
        ``avtagande``, ``sporadisk``, ``oscillerande``, ``historisk``, the same followed by
        ``" kall"`` for cold spots, or ``inget mönster``.

    Notes
    -----
    Definitions follow ArcGIS Pro's *Emerging Hot Spot Analysis*: "≥ 90 %" of steps
    means persistent-like; the run at the end decides new/consecutive. A cell hot at the
    end after being cold fits both "new" (never hot before) and "oscillating" (hot at the
    end with a cold history); it is called oscillating, the more specific of the two, as
    sfdep (R) does.
    """
    h = np.asarray(hot, dtype=bool)
    c = np.asarray(cold, dtype=bool)
    zz = np.asarray(z, dtype=float)
    for sig, other, sign, suffix in ((h, c, 1.0, ""), (c, h, -1.0, " kall")):
        label = _classify_one(sig, other, sign * zz, alpha)
        if label:
            return EMERGING_LABELS[label] + suffix
    return NO_PATTERN


def _classify_one(
    sig: npt.NDArray[np.bool_],
    other: npt.NDArray[np.bool_],
    z: npt.NDArray[np.float64],
    alpha: float,
) -> str | None:
    n = sig.size
    if n == 0 or not sig.any():
        return None
    share = sig.sum() / n
    if not sig[-1]:
        return "historical" if share >= 0.9 else None
    if share >= 0.9:
        trend = "no trend"
        if n >= 4 and np.ptp(z) > 0:
            trend = str(mk.original_test(z, alpha=alpha).trend)
        return {"increasing": "intensifying", "decreasing": "diminishing"}.get(trend, "persistent")
    if other.any():  # a cold history: oscillating, also when hot only at the end
        return "oscillating"
    run = n - int(np.flatnonzero(~sig)[-1]) - 1  # length of the hot run at the end
    if run == int(sig.sum()):
        return "new" if run == 1 else "consecutive"
    return "sporadic"


def emerging_hotspots(
    incidents: gpd.GeoDataFrame,
    *,
    cell_size_m: float = 250.0,
    step: str = "month",
    area: shapely.Geometry | tuple[float, float, float, float] | None = None,
    alpha: float = 0.05,
    rings: int = 1,
    min_events: int = MIN_EVENTS,
    min_steps: int = 6,
    permutations: int = 0,
    seed: int | None = None,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
) -> gpd.GeoDataFrame:
    """Classify each cell's hot-spot history: Gi* per time step, then Mann–Kendall.

    Parameters
    ----------
    incidents
        Located incidents with ``occurred_at``.
    cell_size_m
        Grid cell side in metres.
    step
        ``"month"`` or ``"week"``.
    area
        Polygon or bounds of the grid; default the incidents' bounds.
    alpha
        FDR level of each step's Gi* (analytic z, Benjamini–Hochberg over tested cells, as
        in :func:`gi_star`) and the Mann–Kendall significance.
    rings
        Gi* neighbourhood radius in cells.
    min_events
        Fewer located events in total: every cell is ``för få händelser``.
    min_steps
        Fewer time steps than this: every cell is ``för få händelser``.
    permutations
        esda permutations per step (only reported by :func:`gi_star`; 0 is fastest).
    seed
        Seed of the permutations.
    start, end
        The time the data cover (:func:`step_range`; ``end`` exclusive): the steps lying
        wholly in it, empty ones included; events outside are left out. By default what the
        incidents cover; give both when they are one theme of the data (its quiet months at
        the ends are still months), from :func:`covered_period` of all the data, ended at
        now, or a report's window within it.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per cell with at least one event in the steps: ``cell_id``, ``pattern``
        (Swedish label, see :func:`classify_emerging`, or ``för få händelser``), ``n_events``,
        ``hot_steps``, ``cold_steps``, ``n_steps``, ``geometry`` (EPSG:3006).
    """
    check_events(incidents)
    if step not in ("month", "week"):
        msg = f"step must be 'month' or 'week', got {step!r}."
        raise DataError(msg)
    cols = ["cell_id", "pattern", "n_events", "hot_steps", "cold_steps", "n_steps", "geometry"]
    if incidents.empty:
        return gpd.GeoDataFrame(
            {c: [] for c in cols[:-1]}, geometry=gpd.GeoSeries([], crs=incidents.crs)
        )
    grid = make_grid(grid_area(incidents, area, 2 * cell_size_m), cell_size_m=cell_size_m)
    ids = grid["cell_id"].to_numpy()
    pos = pd.Index(ids).get_indexer(
        cell_ids(incidents.geometry.x, incidents.geometry.y, cell_size_m=cell_size_m)
    )
    wall = local_wall_time(incidents["occurred_at"])
    periods = wall.dt.to_period("M" if step == "month" else "W")
    steps = step_range(wall, "M" if step == "month" else "W", start=start, end=end)
    if len(steps):
        in_steps = ((periods >= steps[0]) & (periods <= steps[-1])).to_numpy()
        step_pos = np.where(in_steps, (periods - steps[0]).map(lambda d: d.n), -1).astype(int)
    else:
        in_steps = np.zeros(len(periods), dtype=bool)
        step_pos = np.full(len(periods), -1)
    inside = (pos >= 0) & in_steps
    counts = np.zeros((len(steps), len(ids)))
    np.add.at(counts, (step_pos[inside], pos[inside]), 1.0)
    total_per_cell = counts.sum(axis=0)
    active = total_per_cell > 0
    result = grid.loc[active, ["cell_id", "geometry"]].copy()
    result["n_events"] = total_per_cell[active].astype(np.int64)
    result["n_steps"] = len(steps)
    if counts.sum() < min_events or len(steps) < min_steps:
        if len(steps) < min_steps:
            logger.warning(
                "för få tidssteg: the data cover %d whole %s steps (< %d); no emerging hot "
                "spots claimed", len(steps), step, min_steps,
            )  # fmt: skip
        else:
            logger.warning(
                "för få händelser: %d events over %d %s steps (< %d); no emerging hot spots "
                "claimed", int(counts.sum()), len(steps), step, min_events,
            )  # fmt: skip
        result["pattern"] = TOO_FEW
        result["hot_steps"] = 0
        result["cold_steps"] = 0
        return result[cols].reset_index(drop=True)
    weights = star_weights(ids, rings)
    z_all = np.zeros_like(counts)
    hot = np.zeros_like(counts, dtype=bool)
    cold = np.zeros_like(counts, dtype=bool)
    for s in range(len(steps)):
        y = counts[s]
        if y.sum() < 3:
            continue
        z, _p_sim, q, tested = gi_test(
            y, weights, permutations=permutations, seed=seed, min_local_events=3
        )
        sig = (q <= alpha) & tested
        z_all[s] = z
        hot[s] = sig & (z > 0)
        cold[s] = sig & (z < 0)
    act = np.flatnonzero(active)
    result["hot_steps"] = hot[:, act].sum(axis=0).astype(np.int64)
    result["cold_steps"] = cold[:, act].sum(axis=0).astype(np.int64)
    result["pattern"] = [
        classify_emerging(hot[:, j], cold[:, j], z_all[:, j], alpha=alpha) for j in act
    ]
    logger.info(
        "emerging hot spots over %d %s steps: %s",
        len(steps),
        step,
        result["pattern"].value_counts().to_dict(),
    )
    return result[cols].reset_index(drop=True)
