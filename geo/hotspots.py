"""Hotspot analysis: clusters, grid counts and KDE, Gi* with FDR, emerging hot spots, places."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable, Sequence

import esda
import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import pymannkendall as mk
import scipy.sparse as sp
import shapely
from libpysal.graph import Graph
from scipy import ndimage, stats
from sklearn.cluster import DBSCAN

from geo import settings
from geo.errors import DataError
from geo.grid import Raster, cell_ids, cell_polygons, make_grid, neighbour_matrix
from geo.model import CATEGORIES, THEMES
from geo.projection import require_projected
from geo.sites import assign_places

__all__ = [
    "GI_CLASSES",
    "HOTSPOT_COLUMNS",
    "MAX_PRECISION_M",
    "classify_emerging",
    "emerging_hotspots",
    "find_clusters",
    "gi_star",
    "grid_counts",
    "hour_of_week",
    "make_grid",
    "place_stats",
    "risk_surface",
    "run_analysis",
    "spatial_incidents",
]

logger = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float64]

#: Incidents located less precisely than this (metres) are left out of every spatial analysis.
MAX_PRECISION_M = 1000.0
#: Fewest located events for any significance claim (ArcGIS Optimized Hot Spot Analysis needs 30).
MIN_EVENTS = 30
#: Swedish text used wherever the data are too few for a claim.
TOO_FEW = "för få händelser"

HOTSPOT_COLUMNS: tuple[str, ...] = (
    "hotspot_id",
    "theme",
    "category",
    "n_events",
    "categories",
    "sources",
    "first_seen",
    "last_seen",
    "places",
    "how_profile",
    "month_profile",
    "trend",
    "p_value",
    "geometry",
)

GI_CLASSES: tuple[str, ...] = (
    "hot_99",
    "hot_95",
    "hot_90",
    "cold_99",
    "cold_95",
    "cold_90",
    "ej_signifikant",
    "för_få_händelser",
)

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

_TREND_LABELS = {
    "increasing": "ökande",
    "decreasing": "minskande",
    "no trend": "ingen tydlig trend",
}


# ---------------------------------------------------------------------------- helpers


def spatial_incidents(
    incidents: gpd.GeoDataFrame, *, max_precision_m: float = MAX_PRECISION_M
) -> gpd.GeoDataFrame:
    """Keep the incidents located precisely enough for spatial analysis.

    Parameters
    ----------
    incidents
        Incidents in a projected CRS; ``location_precision_m`` may be missing (kept).
    max_precision_m
        Drop incidents whose ``location_precision_m`` exceeds this (e.g. police events placed
        at the kommun centroid).

    Returns
    -------
    geopandas.GeoDataFrame
        The kept rows (a copy), index reset; empty geometries are dropped too.
    """
    require_projected(incidents)
    keep = ~(incidents.geometry.is_empty | incidents.geometry.isna())
    if "location_precision_m" in incidents.columns:
        prec = pd.to_numeric(incidents["location_precision_m"], errors="coerce")
        keep &= ~(prec > max_precision_m)
    dropped = int((~keep).sum())
    if dropped:
        logger.info(
            "%d of %d incidents left out of spatial analysis (location less precise than %g m)",
            dropped,
            len(incidents),
            max_precision_m,
        )
    return incidents.loc[keep].reset_index(drop=True)


def hour_of_week(times: pd.Series) -> npt.NDArray[np.int64]:
    """Return the hour of the week of each time, Monday 00:00–00:59 = 0 … Sunday 23:xx = 167.

    Parameters
    ----------
    times
        Datetimes (tz-aware times are read in their own zone, i.e. local time).

    Returns
    -------
    numpy.ndarray
        int64 values in 0–167.
    """
    t = pd.to_datetime(times)
    return (t.dt.day_of_week.to_numpy() * 24 + t.dt.hour.to_numpy()).astype(np.int64)


def _profile(values: npt.NDArray[np.int64], size: int) -> list[int]:
    return [int(v) for v in np.bincount(values, minlength=size)[:size]]


def _check_events(incidents: gpd.GeoDataFrame) -> None:
    require_projected(incidents)
    if "occurred_at" not in incidents.columns:
        msg = "Incidents need an 'occurred_at' column; read them with geo.store.read_incidents."
        raise DataError(msg)


def _area_of(
    incidents: gpd.GeoDataFrame,
    area: shapely.Geometry | tuple[float, float, float, float] | None,
    pad_m: float,
) -> shapely.Geometry | tuple[float, float, float, float]:
    if area is not None:
        return area
    left, bottom, right, top = incidents.total_bounds
    return (left - pad_m, bottom - pad_m, right + pad_m, top + pad_m)


def _theme_masks(
    incidents: gpd.GeoDataFrame, places: gpd.GeoDataFrame | None
) -> dict[str, npt.NDArray[np.bool_]]:
    """Which incidents count for each theme; B also takes everything at a bathing place."""
    themes = incidents["theme"].astype("string").fillna("").to_numpy()
    masks = {t: np.asarray(themes == t) for t in THEMES}
    if places is not None and not places.empty and len(incidents):
        bath = places[
            (places["kind"] == "badplats") | places["themes"].map(lambda v: "B" in list(v or []))
        ]
        ids = set(bath["place_id"].astype(str))
        at_bath = (
            incidents.get("place_id", pd.Series(None, index=incidents.index)).astype(str).isin(ids)
        )
        inside = assign_places(incidents.geometry, bath)["place_id"].notna()
        masks["B"] = masks["B"] | at_bath.to_numpy() | inside.to_numpy()
    return masks


# ---------------------------------------------------------------------------- grid


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
    grid = make_grid(_area_of(incidents, area, 2 * cell_size_m), cell_size_m=cell_size_m)
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


def _gi_levels(z: npt.NDArray[np.float64], q: npt.NDArray[np.float64]) -> npt.NDArray[np.object_]:
    out = np.full(z.shape, "ej_signifikant", dtype=object)
    for level, conf in ((0.10, "90"), (0.05, "95"), (0.01, "99")):
        sig = q <= level
        out[sig & (z > 0)] = f"hot_{conf}"
        out[sig & (z < 0)] = f"cold_{conf}"
    return out


def _star_weights(ids: npt.NDArray[np.int64], rings: int) -> tuple[sp.csr_matrix, Graph]:
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


def _gi_test(
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
    q = np.ones(n)
    if tested.any():
        q[tested] = stats.false_discovery_control(p[tested], method="bh")
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
        Fewer events in total than this: every cell is ``för_få_händelser``.
    min_local_events
        Cells whose neighbourhood holds fewer events than this (and would expect fewer) are
        not tested, so sparse rural cells never become hot spots from one or two events.

    Returns
    -------
    geopandas.GeoDataFrame
        ``cell_id``, ``n_events``, ``local_events`` (events in the neighbourhood),
        ``gi_z`` (Gi* z-score), ``p_sim`` (esda's conditional permutation p, one-sided
        folded), ``p_fdr`` (Benjamini–Hochberg adjusted p over the tested cells, see Notes),
        ``hotspot_class`` (one of :data:`GI_CLASSES`, levels 90/95/99 % on ``p_fdr``),
        ``significant`` (``p_fdr <= alpha``), ``geometry``.

    Notes
    -----
    Binary weights with the cell itself included (Gi*), as ArcGIS Hot Spot Analysis. The
    p-value of a cell is the larger of the analytic two-sided p of its z-score (as ArcGIS) and
    the exact two-sided Poisson tail of its neighbourhood count under spatial randomness (a
    guard where counts are too sparse for the normal approximation); Benjamini–Hochberg then
    runs over the tested cells (untested cells get ``p_fdr = 1``). esda's permutation p is
    reported but not used for the class: its conditional randomisation holds the cell's own
    count fixed, so a hot spot confined to one cell (a bathing place) can never reach
    significance with it, and 999 permutations give p >= 0.001, too coarse for FDR over
    thousands of cells.
    """
    out = counts_grid[["cell_id", "n_events", "geometry"]].copy()
    y = out["n_events"].to_numpy(dtype=float)
    n = len(out)
    total = float(y.sum())
    weights = _star_weights(out["cell_id"].to_numpy(dtype=np.int64), rings)
    local = np.asarray(weights[0] @ y).ravel() + y
    out["local_events"] = local.astype(np.int64)
    out["gi_z"] = 0.0
    out["p_sim"] = 1.0
    out["p_fdr"] = 1.0
    out["significant"] = False
    if total < min_events or n < 3:
        logger.warning(
            "för få händelser: %d located events (< %d); no Gi* hot spots claimed",
            total,
            min_events,
        )
        out["hotspot_class"] = "för_få_händelser"
        return out[_GI_COLUMNS]
    z, p_sim, q, tested = _gi_test(
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


# ---------------------------------------------------------------------------- clusters


def _trend_label(month_ord: npt.NDArray[np.int64], *, end_ord: int) -> str:
    """Mann–Kendall class of the monthly counts from the first event's month to ``end_ord``."""
    if month_ord.size < 10:
        return TOO_FEW
    first = int(month_ord.min())
    if end_ord - first + 1 < 4:
        return TOO_FEW
    counts = np.bincount(month_ord - first, minlength=end_ord - first + 1).astype(float)
    result = mk.original_test(counts)
    return _TREND_LABELS.get(str(result.trend), _TREND_LABELS["no trend"])


def _naive_local(times: pd.Series) -> pd.Series:
    t = pd.to_datetime(times)
    if t.dt.tz is not None:
        t = t.dt.tz_convert(settings.timezone).dt.tz_localize(None)
    return t


def _dbscan_labels(
    x: npt.NDArray[np.float64], y: npt.NDArray[np.float64], *, eps_m: float, min_samples: float
) -> npt.NDArray[np.int64]:
    """Run DBSCAN on points snapped to eps/10 bins weighted by their counts (bounded memory).

    Only bins that can take part in a cluster are passed to DBSCAN: a bin can be a core point
    only if the eps × eps cells around it (a 3 × 3 block, which holds its whole eps disk) hold
    at least ``min_samples`` events, and a border point lies within eps of a core point, so in
    such a block or next to one. Every other bin is noise whatever DBSCAN would do, so the
    labels are those of DBSCAN on all bins; the pruning removes the sparse background, which is
    most of a large data set and most of DBSCAN's neighbour lists.
    """
    snap = eps_m / 10.0
    key = np.stack([np.round(x / snap), np.round(y / snap)], axis=1)
    uniq, inverse, counts = np.unique(key, axis=0, return_inverse=True, return_counts=True)
    pts = uniq * snap
    block_ids = cell_ids(
        pts[:, 0] - pts[:, 0].min(), pts[:, 1] - pts[:, 1].min(), cell_size_m=eps_m
    )
    cells, cell_of = np.unique(block_ids, return_inverse=True)
    adj = neighbour_matrix(cells, rings=1)
    per_cell = np.bincount(cell_of.ravel(), weights=counts, minlength=cells.size)
    can_be_core = (np.asarray(adj @ per_cell).ravel() + per_cell) >= min_samples
    near_core = can_be_core | (np.asarray(adj @ can_be_core.astype(float)).ravel() > 0)
    keep = near_core[cell_of.ravel()]
    labels = np.full(uniq.shape[0], -1, dtype=np.int64)
    if keep.any():
        labels[keep] = (
            DBSCAN(eps=eps_m, min_samples=int(min_samples))
            .fit(pts[keep], sample_weight=counts[keep])
            .labels_
        )
    return np.asarray(labels[inverse.ravel()], dtype=np.int64)


def find_clusters(
    incidents: gpd.GeoDataFrame,
    *,
    places: gpd.GeoDataFrame | None = None,
    eps_m: float = 250.0,
    min_events: int = 8,
    buffer_m: float = 50.0,
    alpha: float = 0.05,
    area_m2: float | None = None,
    per_category: bool = True,
) -> gpd.GeoDataFrame:
    """Find dense clusters of incidents per theme and per category (DBSCAN in metres).

    Parameters
    ----------
    incidents
        Located incidents (projected CRS, metres) with ``occurred_at``, ``theme``,
        ``category`` and ``source``; filter with :func:`spatial_incidents` first.
    places
        Named places (:func:`geo.sites.load_places`); gives the ``places`` each hotspot
        touches and adds bathing-place incidents to theme B.
    eps_m
        DBSCAN neighbourhood radius in metres.
    min_events
        Fewest events in a cluster, and fewest within ``eps_m`` of a core event.
    buffer_m
        Buffer around the cluster's convex hull.
    alpha
        A cluster is kept only when its count is significantly above the group's background
        density (one-sided Poisson test, Bonferroni over the group's clusters).
    area_m2
        Study area for that background density; default the convex hull of all incidents
        buffered by ``eps_m``.
    per_category
        Also cluster each category on its own (``category`` is ``"alla"`` for theme rows).

    Returns
    -------
    geopandas.GeoDataFrame
        Columns :data:`HOTSPOT_COLUMNS`: ``hotspot_id`` (``"<theme>-<category>-<k>"``),
        ``theme``, ``category``, ``n_events``, ``categories``/``sources``/``places``
        (lists), ``first_seen``/``last_seen`` (ISO strings), ``how_profile`` (168 counts,
        Monday 00:00 = 0), ``month_profile`` (12 counts, January first), ``trend`` (Mann–
        Kendall on monthly counts: ``ökande``, ``minskande``, ``ingen tydlig trend`` or
        ``för få händelser``), ``p_value`` and ``geometry`` (Polygon, EPSG:3006). Empty
        (with these columns) when nothing is found.

    Notes
    -----
    The core threshold is the larger of ``min_events`` and the ``1 - alpha / n`` quantile of
    the Poisson count expected within ``eps_m`` under the group's uniform background
    (Bonferroni over the group's ``n`` events), so a uniform scatter of any density has no
    core event, hence no cluster, with probability at least ``1 - alpha``.
    """
    _check_events(incidents)
    rows: list[dict[str, object]] = []
    if len(incidents) == 0:
        return _empty_clusters(incidents.crs)
    xy_all = incidents.geometry
    x_all, y_all = xy_all.x.to_numpy(), xy_all.y.to_numpy()
    area = area_m2 or float(
        shapely.convex_hull(shapely.MultiPoint(np.column_stack([x_all, y_all]))).buffer(eps_m).area
    )
    times = _naive_local(incidents["occurred_at"])
    data_start, data_end = times.min(), times.max()
    # per-event arrays, computed once: cluster summaries are slices of them
    how_all = hour_of_week(times)
    month_all = times.dt.month.to_numpy().astype(np.int64) - 1
    month_ord = (times.dt.year.to_numpy() * 12 + month_all).astype(np.int64)
    end_ord = int(data_end.year * 12 + data_end.month - 1)
    t_ns = times.to_numpy().astype("datetime64[ns]").view("i8")  # local wall time orders them
    occurred = incidents["occurred_at"]
    cat_codes, cat_names = pd.factorize(incidents["category"].astype("string"), sort=True)
    if "source" in incidents.columns:
        src_codes, src_names = pd.factorize(incidents["source"].astype("string"), sort=True)
    else:
        src_codes, src_names = np.full(len(incidents), -1), pd.Index([])
    groups: list[tuple[str, str, npt.NDArray[np.bool_]]] = []
    for theme, mask in _theme_masks(incidents, places).items():
        groups.append((theme, "alla", mask))
    if per_category:
        cats = incidents["category"].astype("string").fillna("").to_numpy()
        for cat in sorted(set(cats) - {""}):
            theme = CATEGORIES[cat].theme if cat in CATEGORIES else "S"
            groups.append((theme, cat, np.asarray(cats == cat)))
    place_index = places.sindex if places is not None and not places.empty else None
    for theme, category, mask in groups:
        idx = np.flatnonzero(mask)
        n = idx.size
        if n < min_events:
            if n:
                logger.info(
                    "%s/%s: för få händelser (%d < %d) for clusters", theme, category, n, min_events
                )
            continue
        x, y = x_all[idx], y_all[idx]
        density = n / area
        mu = density * np.pi * eps_m**2
        min_samples = max(float(min_events), float(stats.poisson.isf(alpha / n, mu)) + 1)
        labels = _dbscan_labels(x, y, eps_m=eps_m, min_samples=min_samples)
        clustered = np.flatnonzero(labels >= 0)
        if clustered.size == 0:
            continue
        order = clustered[np.argsort(labels[clustered], kind="stable")]
        found, starts = np.unique(labels[order], return_index=True)
        bounds = [*starts.tolist(), order.size]
        members_of = [idx[order[bounds[i] : bounds[i + 1]]] for i in range(found.size)]
        members = np.concatenate(members_of)
        multi = shapely.multipoints(
            np.column_stack([x_all[members], y_all[members]]),
            indices=np.repeat(np.arange(found.size), np.diff(bounds)),
        )
        polys = np.asarray(shapely.buffer(shapely.convex_hull(multi), buffer_m), dtype=object)
        n_c = np.diff(bounds)
        p_vals = stats.poisson.sf(n_c - 1, density * shapely.area(polys))
        kept = np.flatnonzero((n_c >= min_events) & (p_vals <= alpha / found.size))
        touched: dict[int, list[str]] = {}
        if place_index is not None and places is not None and kept.size:
            pairs = place_index.query(polys[kept], predicate="intersects")
            names = places["name"].astype(str).to_numpy()
            for j in kept:
                touched[int(j)] = []
            for i_poly, i_place in zip(pairs[0], pairs[1], strict=True):
                touched[int(kept[i_poly])].append(str(names[i_place]))
        for k_out, j in enumerate(kept, start=1):
            mem = members_of[j]
            first, last = mem[np.argmin(t_ns[mem])], mem[np.argmax(t_ns[mem])]
            cat_m = np.unique(cat_codes[mem])
            src_m = np.unique(src_codes[mem])
            rows.append(
                {
                    "hotspot_id": f"{theme}-{category}-{k_out}",
                    "theme": theme,
                    "category": category,
                    "n_events": int(n_c[j]),
                    "categories": [str(cat_names[c]) for c in cat_m if c >= 0],
                    "sources": [str(src_names[c]) for c in src_m if c >= 0],
                    "first_seen": occurred.iloc[first].isoformat(),
                    "last_seen": occurred.iloc[last].isoformat(),
                    "places": sorted(touched.get(int(j), [])),
                    "how_profile": _profile(how_all[mem], 168),
                    "month_profile": _profile(month_all[mem], 12),
                    "trend": _trend_label(month_ord[mem], end_ord=end_ord),
                    "p_value": float(p_vals[j]),
                    "geometry": polys[j],
                }
            )
        logger.debug("%s/%s: %d events, %d clusters kept", theme, category, n, kept.size)
    logger.info("%d hotspot clusters (data %s – %s)", len(rows), data_start, data_end)
    if not rows:
        return _empty_clusters(incidents.crs)
    return gpd.GeoDataFrame(
        rows, columns=list(HOTSPOT_COLUMNS), geometry="geometry", crs=incidents.crs
    )


def _empty_clusters(crs: object) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {c: pd.Series(dtype=object) for c in HOTSPOT_COLUMNS if c != "geometry"},
        geometry=gpd.GeoSeries([], crs=crs),
    )


# ---------------------------------------------------------------------------- emerging


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
    means persistent-like; the run at the end decides new/consecutive.
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
    run = n - int(np.flatnonzero(~sig)[-1]) - 1  # length of the hot run at the end
    if run == int(sig.sum()):
        return "new" if run == 1 else "consecutive"
    return "oscillating" if other.any() else "sporadic"


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

    Returns
    -------
    geopandas.GeoDataFrame
        One row per cell with at least one event: ``cell_id``, ``pattern`` (Swedish label,
        see :func:`classify_emerging`, or ``för få händelser``), ``n_events``,
        ``hot_steps``, ``cold_steps``, ``n_steps``, ``geometry`` (EPSG:3006).
    """
    _check_events(incidents)
    if step not in ("month", "week"):
        msg = f"step must be 'month' or 'week', got {step!r}."
        raise DataError(msg)
    cols = ["cell_id", "pattern", "n_events", "hot_steps", "cold_steps", "n_steps", "geometry"]
    if incidents.empty:
        return gpd.GeoDataFrame(
            {c: [] for c in cols[:-1]}, geometry=gpd.GeoSeries([], crs=incidents.crs)
        )
    grid = make_grid(_area_of(incidents, area, 2 * cell_size_m), cell_size_m=cell_size_m)
    ids = grid["cell_id"].to_numpy()
    pos = pd.Index(ids).get_indexer(
        cell_ids(incidents.geometry.x, incidents.geometry.y, cell_size_m=cell_size_m)
    )
    periods = _naive_local(incidents["occurred_at"]).dt.to_period("M" if step == "month" else "W")
    steps = pd.period_range(periods.min(), periods.max(), freq=periods.dt.freq)
    step_pos = (periods - steps[0]).map(lambda d: d.n).to_numpy()
    inside = pos >= 0
    counts = np.zeros((len(steps), len(ids)))
    np.add.at(counts, (step_pos[inside], pos[inside]), 1.0)
    total_per_cell = counts.sum(axis=0)
    active = total_per_cell > 0
    result = grid.loc[active, ["cell_id", "geometry"]].copy()
    result["n_events"] = total_per_cell[active].astype(np.int64)
    result["n_steps"] = len(steps)
    if counts.sum() < min_events or len(steps) < min_steps:
        logger.warning(
            "för få händelser: %d events over %d %s steps; no emerging hot spots claimed",
            int(counts.sum()),
            len(steps),
            step,
        )
        result["pattern"] = TOO_FEW
        result["hot_steps"] = 0
        result["cold_steps"] = 0
        return result[cols].reset_index(drop=True)
    weights = _star_weights(ids, rings)
    z_all = np.zeros_like(counts)
    hot = np.zeros_like(counts, dtype=bool)
    cold = np.zeros_like(counts, dtype=bool)
    for s in range(len(steps)):
        y = counts[s]
        if y.sum() < 3:
            continue
        z, _p_sim, q, tested = _gi_test(
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


# ---------------------------------------------------------------------------- places


def place_stats(
    incidents: gpd.GeoDataFrame,
    places: gpd.GeoDataFrame,
    *,
    end: pd.Timestamp | None = None,
    period_days: int = 90,
) -> gpd.GeoDataFrame:
    """Summarise incidents per place and theme/category, with the change vs last year.

    Parameters
    ----------
    incidents
        Incidents with ``occurred_at``, ``theme``, ``category``, optional ``place_id``
        (used first; otherwise the place the point lies in). Imprecise locations count
        when their ``place_id`` is set.
    places
        Places as returned by :func:`geo.sites.load_places`.
    end
        End of the reporting period (exclusive); default just after the last incident.
    period_days
        Length of the reporting period compared with the same days one year earlier.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per place × (theme, category) with events, plus a ``("alla", "alla")`` row
        per place: ``place_id``, ``place_name``, ``kind``, ``theme``, ``category``
        (``"alla"`` on theme rows), ``n_events``, ``month_counts`` (12 counts by calendar
        month), ``monthly`` (dict ``"YYYY-MM"`` → count), ``how_profile`` (168 counts),
        ``period_start``/``period_end`` (ISO dates), ``n_period``, ``n_period_last_year``,
        ``change`` (difference), ``change_pct`` (NaN when last year had none), ``geometry``
        (the place, EPSG:3006).
    """
    cols = [
        "place_id", "place_name", "kind", "theme", "category", "n_events", "month_counts",
        "monthly", "how_profile", "period_start", "period_end", "n_period",
        "n_period_last_year", "change", "change_pct", "geometry",
    ]  # fmt: skip
    if incidents.empty or places.empty:
        return gpd.GeoDataFrame(
            {c: [] for c in cols[:-1]}, geometry=gpd.GeoSeries([], crs=places.crs)
        )
    known = set(places["place_id"].astype(str))
    pid = incidents.get("place_id", pd.Series(None, index=incidents.index, dtype=object))
    pid = pid.where(pid.astype(str).isin(known), None)
    located = incidents.geometry.notna() & ~incidents.geometry.is_empty
    if "location_precision_m" in incidents.columns:
        located &= ~(
            pd.to_numeric(incidents["location_precision_m"], errors="coerce") > MAX_PRECISION_M
        )
    missing = pid.isna() & located
    if missing.any():
        pid = pid.copy()
        pid.loc[missing] = assign_places(incidents.geometry[missing], places)["place_id"]
    times = _naive_local(incidents["occurred_at"])
    end_ts = pd.Timestamp(end) if end is not None else times.max() + pd.Timedelta(seconds=1)
    if end_ts.tzinfo is not None:
        end_ts = end_ts.tz_convert(settings.timezone).tz_localize(None)
    start_ts = end_ts - pd.Timedelta(days=period_days)
    ly_start, ly_end = start_ts - pd.DateOffset(years=1), end_ts - pd.DateOffset(years=1)
    df = pd.DataFrame(
        {
            "place_id": pid.astype(object),
            "theme": incidents["theme"].astype(str),
            "category": incidents["category"].astype(str),
            "t": times,
        }
    ).dropna(subset=["place_id"])
    info = places.set_index(places["place_id"].astype(str))
    rows = []
    groupings: list[tuple[list[str], Callable[[pd.DataFrame], tuple[str, str]]]] = [
        (["place_id"], lambda g: ("alla", "alla")),
        (["place_id", "theme"], lambda g: (str(g["theme"].iloc[0]), "alla")),
        (["place_id", "category"], lambda g: (str(g["theme"].iloc[0]), str(g["category"].iloc[0]))),
    ]
    for keys, label in groupings:
        for key, g in df.groupby(keys, sort=True):
            place = str(key[0] if isinstance(key, tuple) else key)
            theme, category = label(g)
            t = g["t"]
            n_period = int(((t >= start_ts) & (t < end_ts)).sum())
            n_ly = int(((t >= ly_start) & (t < ly_end)).sum())
            rows.append(
                {
                    "place_id": place,
                    "place_name": info.at[place, "name"],
                    "kind": info.at[place, "kind"],
                    "theme": theme,
                    "category": category,
                    "n_events": len(g),
                    "month_counts": _profile(t.dt.month.to_numpy() - 1, 12),
                    "monthly": {
                        str(k): int(v)
                        for k, v in t.dt.to_period("M").value_counts().sort_index().items()
                    },
                    "how_profile": _profile(hour_of_week(t), 168),
                    "period_start": start_ts.date().isoformat(),
                    "period_end": end_ts.date().isoformat(),
                    "n_period": n_period,
                    "n_period_last_year": n_ly,
                    "change": n_period - n_ly,
                    "change_pct": 100.0 * (n_period - n_ly) / n_ly if n_ly else float("nan"),
                    "geometry": info.at[place, "geometry"],
                }
            )
    logger.info("place statistics: %d rows for %d places", len(rows), df["place_id"].nunique())
    if not rows:
        return gpd.GeoDataFrame(
            {c: [] for c in cols[:-1]}, geometry=gpd.GeoSeries([], crs=places.crs)
        )
    return gpd.GeoDataFrame(rows, columns=cols, geometry="geometry", crs=places.crs)


# ---------------------------------------------------------------------------- all layers


def run_analysis(
    incidents: gpd.GeoDataFrame,
    places: gpd.GeoDataFrame,
    *,
    cell_size_m: float = 250.0,
    seed: int | None = None,
    area: shapely.Geometry | tuple[float, float, float, float] | None = None,
    permutations: int = 999,
    progress: Callable[[str], None] | None = None,
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
        Gi* permutations per cell.
    progress
        Called with the name of each step as it starts (the CLI's progress bar).

    Returns
    -------
    dict of str to geopandas.GeoDataFrame
        ``hotspots`` (:func:`find_clusters`), ``grid`` (:func:`grid_counts` plus
        ``risk_kde``), ``gi_grid`` (:func:`gi_star`), ``emerging``
        (:func:`emerging_hotspots`) and ``place_stats`` (:func:`place_stats`).
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
    layers: dict[str, gpd.GeoDataFrame] = {}
    note(steps[0])
    grid = grid_counts(located, cell_size_m=cell_size_m, area=area)
    grid["risk_kde"] = risk_surface(grid, cell_size_m=cell_size_m)
    layers["grid"] = grid
    note(steps[1])
    layers["gi_grid"] = gi_star(grid, permutations=permutations, seed=seed)
    note(steps[2])
    layers["hotspots"] = find_clusters(located, places=places)
    note(steps[3])
    layers["emerging"] = emerging_hotspots(located, cell_size_m=cell_size_m, area=area, seed=seed)
    note(steps[4])
    layers["place_stats"] = place_stats(incidents, places)
    return layers


def cell_geometries(ids: npt.ArrayLike, *, cell_size_m: float) -> gpd.GeoSeries:
    """Return the cell squares of ``ids`` as a GeoSeries in the working CRS."""
    return gpd.GeoSeries(cell_polygons(ids, cell_size_m=cell_size_m), crs=settings.working_crs)
