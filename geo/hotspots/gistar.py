"""Getis-Ord Gi* per grid cell: esda z-scores, permutation p, FDR classes at 90/95/99 %."""

from __future__ import annotations

import logging
import warnings

import esda
import geopandas as gpd
import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from libpysal.graph import Graph
from scipy import stats

from geo.grid import neighbour_matrix
from geo.hotspots._common import (
    MIN_EVENTS,
    FloatArray,
)

logger = logging.getLogger(__name__)

GI_CLASSES: tuple[str, ...] = (
    "hot_99",
    "hot_95",
    "hot_90",
    "cold_99",
    "cold_95",
    "cold_90",
    "ej_signifikant",
    "för_få_händelser",
    "för_få_rutor",
)
#: Fewest grid cells Gi* compares: a cell is hot or cold only against the others.
MIN_CELLS = 3


def _gi_levels(z: npt.NDArray[np.float64], q: npt.NDArray[np.float64]) -> npt.NDArray[np.object_]:
    out = np.full(z.shape, "ej_signifikant", dtype=object)
    for level, conf in ((0.10, "90"), (0.05, "95"), (0.01, "99")):
        sig = q <= level
        out[sig & (z > 0)] = f"hot_{conf}"
        out[sig & (z < 0)] = f"cold_{conf}"
    return out


def star_weights(ids: npt.NDArray[np.int64], rings: int) -> tuple[sp.csr_matrix, Graph]:
    """Binary contiguity with the cell itself included (Gi*), as a matrix and a libpysal Graph."""
    adj = neighbour_matrix(ids, rings=rings)
    star = (adj + sp.identity(ids.size, format="csr")).tocsr()
    return adj, Graph.from_sparse(star)


def _permutation_p(
    y: FloatArray,
    star: sp.csr_matrix,
    rows: npt.NDArray[np.int64],
    observed: FloatArray,
    *,
    permutations: int,
    seed: int | None,
) -> FloatArray:
    """Return esda's conditional-permutation p of Gi* for the cells ``rows`` only.

    Runs esda's own randomisation engine (``esda.crand``, the one ``G_Local`` uses, with the
    same ``directed`` alternative) on the cells listed first, so the cost grows with the tested
    cells, not with the whole grid. With every cell listed in grid order the result equals
    ``G_Local(...).p_sim`` for the same seed (checked in the tests).
    """
    from esda.crand import compute_chunk, vec_permutations
    from esda.getisord import _g_local_star_crand

    n = y.size
    rest = np.setdiff1d(np.arange(n), rows, assume_unique=True)
    order = np.concatenate([rows, rest])
    a = star[order][:, order].tocsr()
    self_w = np.asarray(a.diagonal(), dtype=float)
    a = (a - sp.diags(self_w)).tocsr()
    a.eliminate_zeros()
    card = np.diff(a.indptr).astype(np.int64)
    m = rows.size
    z = y[order].astype(float)
    seed_i = int(np.random.default_rng(seed).integers(12_345, 12_345_000)) if seed is None else seed
    permuted = vec_permutations(int(card.max()), n, permutations, seed_i)
    p, _ = compute_chunk(
        0, z[:m], z, observed[order][:m], card[:m], self_w, a.data[: a.indptr[m]].astype(float),
        permuted, float(y.sum()), False, _g_local_star_crand, 0.0, "directed",
    )  # fmt: skip
    return np.asarray(p, dtype=float)


def gi_test(
    y: npt.NDArray[np.float64],
    weights: tuple[sp.csr_matrix, Graph],
    *,
    permutations: int,
    seed: int | None,
    min_local_events: int,
) -> tuple[FloatArray, FloatArray, FloatArray, npt.NDArray[np.bool_]]:
    """Gi* z (esda), esda's permutation p, FDR-adjusted combined p and the tested cells.

    The permutation p is computed for the tested cells only (NaN elsewhere): untested cells
    are never classed as hot or cold, so their permutation test would be wasted work.
    """
    adj, graph = weights
    n = y.size
    local = np.asarray(adj @ y).ravel() + y
    size = np.asarray(adj.sum(axis=1)).ravel() + 1
    expected = y.sum() / n * size
    tested = (local >= min_local_events) | (expected >= min_local_events)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        g = esda.G_Local(y, graph, transform="B", star=True, permutations=0)
    z = np.nan_to_num(np.asarray(g.Zs, dtype=float))
    p_sim = np.full(n, np.nan)
    if permutations > 0 and tested.any():
        p_sim[tested] = _permutation_p(
            y,
            graph.sparse.tocsr(),
            np.flatnonzero(tested),
            np.asarray(g.Gs, dtype=float),
            permutations=permutations,
            seed=seed,
        )
    p_norm = 2 * stats.norm.sf(np.abs(z))
    # exact Poisson tail of the neighbourhood count under spatial randomness (two-sided)
    p_exact = 2 * np.where(
        z >= 0, stats.poisson.sf(local - 1, expected), stats.poisson.cdf(local, expected)
    )
    p = np.minimum(np.maximum(p_norm, p_exact), 1.0)
    # Benjamini–Hochberg over every cell: the tested cells are chosen by their neighbourhood
    # count, the statistic under test, so correcting over them alone lets noise through (60
    # random events on 1,600 cells: 7 tested, some "hot" in 97 % of draws). An untested cell
    # counts as a test that is never rejected.
    q = stats.false_discovery_control(np.where(tested, p, 1.0), method="bh")
    return z, p_sim, q, tested


def gi_star(
    counts_grid: gpd.GeoDataFrame,
    *,
    permutations: int = 999,
    alpha: float = 0.05,
    seed: int | None = None,
    rings: int = 1,
    min_events: int = MIN_EVENTS,
    min_local_events: int = 3,
) -> gpd.GeoDataFrame:
    """Run Getis-Ord Gi* per cell with permutation inference and FDR correction.

    Parameters
    ----------
    counts_grid
        Output of :func:`grid_counts` (``cell_id``, ``n_events``, ``geometry``), zero cells
        included.
    permutations
        Conditional permutations per cell (esda ``G_Local``).
    alpha
        False-discovery rate at which a cell counts as ``significant``; the classes report
        the 90/95/99 % levels like ArcGIS.
    seed
        Seed of the permutations.
    rings
        Neighbourhood radius in cells (1 = the 3 × 3 block around the cell, itself included).
    min_events
        Fewer events in total than this: every cell is ``för_få_händelser``. Fewer than
        :data:`MIN_CELLS` cells, or every cell's neighbourhood holding every event (cells
        as large as the area): every cell is ``för_få_rutor``.
    min_local_events
        Cells whose neighbourhood holds fewer events than this (and would expect fewer) are
        not tested, so sparse rural cells never become hot spots from one or two events.

    Returns
    -------
    geopandas.GeoDataFrame
        ``cell_id``, ``n_events``, ``local_events`` (events in the neighbourhood),
        ``gi_z`` (Gi* z-score), ``p_sim`` (esda's conditional permutation p, one-sided
        folded), ``p_fdr`` (Benjamini–Hochberg adjusted p over all cells, see Notes),
        ``hotspot_class`` (one of :data:`GI_CLASSES`, levels 90/95/99 % on ``p_fdr``),
        ``significant`` (``p_fdr <= alpha``), ``geometry``.

    Notes
    -----
    Binary weights with the cell itself included (Gi*), as ArcGIS Hot Spot Analysis. The
    p-value of a cell is the larger of the analytic two-sided p of its z-score (as ArcGIS) and
    the exact two-sided Poisson tail of its neighbourhood count under spatial randomness (a
    guard where counts are too sparse for the normal approximation); Benjamini–Hochberg then
    runs over every cell, an untested cell entering with p = 1 (correcting over the tested
    cells alone would let noise through, as they are picked by the count under test). esda's
    permutation p is reported but not used for the class: its conditional randomisation holds
    the cell's own count fixed, so a hot spot confined to one cell (a bathing place) can never reach
    significance with it, and 999 permutations give p >= 0.001, too coarse for FDR over
    thousands of cells.
    """
    out = counts_grid[["cell_id", "n_events", "geometry"]].copy()
    y = out["n_events"].to_numpy(dtype=float)
    n = len(out)
    total = float(y.sum())
    weights = star_weights(out["cell_id"].to_numpy(dtype=np.int64), rings)
    local = np.asarray(weights[0] @ y).ravel() + y
    out["local_events"] = local.astype(np.int64)
    out["gi_z"] = 0.0
    out["p_sim"] = 1.0
    out["p_fdr"] = 1.0
    out["significant"] = False
    if total < min_events:
        logger.warning(
            "för få händelser: %d located events (< %d); no Gi* hot spots claimed",
            total,
            min_events,
        )
        out["hotspot_class"] = "för_få_händelser"
        return out[_GI_COLUMNS]
    # Gi* compares a cell's neighbourhood with the rest: with under MIN_CELLS cells, or when
    # every neighbourhood holds every event (4 cells of 40 km), there is no rest to compare with
    if n < MIN_CELLS or bool((local >= total).all()):
        logger.warning(
            "för få rutor: %d grid cells hold the %d events and each cell's neighbourhood holds "
            "them all (or fewer than %d cells); Gi* compares a cell with the others, so no hot "
            "spots are claimed: use smaller cells",
            n, total, MIN_CELLS,
        )  # fmt: skip
        out["hotspot_class"] = "för_få_rutor"
        return out[_GI_COLUMNS]
    z, p_sim, q, tested = gi_test(
        y, weights, permutations=permutations, seed=seed, min_local_events=min_local_events
    )
    out["gi_z"] = z
    out["p_sim"] = p_sim
    out["p_fdr"] = q
    out["hotspot_class"] = _gi_levels(z, q)
    out["significant"] = (q <= alpha) & tested
    n_hot = int(((z > 0) & out["significant"]).sum())
    logger.info("Gi*: %d cells tested, %d hot at FDR %.2f", int(tested.sum()), n_hot, alpha)
    return out[_GI_COLUMNS]


_GI_COLUMNS = [
    "cell_id",
    "n_events",
    "local_events",
    "gi_z",
    "p_sim",
    "p_fdr",
    "hotspot_class",
    "significant",
    "geometry",
]
