"""Density clusters (DBSCAN in metres) per theme and category, as hotspot polygons with profiles."""

from __future__ import annotations

import logging

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import pymannkendall as mk
import shapely
from scipy import stats
from sklearn.cluster import DBSCAN

from geo.grid import cell_ids, neighbour_matrix
from geo.hotspots._common import (
    TOO_FEW,
    check_events,
    counts_profile,
    hour_of_week,
    local_wall_time,
    step_range,
)
from geo.model import THEMES, has_clock_time, theme_of
from geo.sites import at_bathing_site

logger = logging.getLogger(__name__)

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

_TREND_LABELS = {
    "increasing": "ökande",
    "decreasing": "minskande",
    "no trend": "ingen tydlig trend",
}


def _theme_masks(
    incidents: gpd.GeoDataFrame, places: gpd.GeoDataFrame | None
) -> dict[str, npt.NDArray[np.bool_]]:
    """Which incidents count for each theme; B also takes everything at a bathing place."""
    themes = incidents["theme"].astype("string").fillna("").to_numpy()
    masks = {t: np.asarray(themes == t) for t in THEMES}
    if places is not None:
        masks["B"] = masks["B"] | at_bathing_site(incidents, places)
    return masks


def _trend_label(month_ord: npt.NDArray[np.int64], *, start_ord: int, end_ord: int) -> str:
    """Mann–Kendall class of the cluster's monthly counts over the whole months the data cover.

    The series runs from ``start_ord`` to ``end_ord`` whatever the cluster's first month: a
    hot spot that began in the last months (months of zeros, then events) is rising. From
    its own first month it was "ingen tydlig trend" (Mullhyttan in the sample, issue-8
    review). Months outside ``start_ord``–``end_ord`` are left out.
    """
    month_ord = month_ord[(month_ord >= start_ord) & (month_ord <= end_ord)]
    if month_ord.size < 10 or end_ord - start_ord + 1 < 4:
        return TOO_FEW
    counts = np.bincount(month_ord - start_ord, minlength=end_ord - start_ord + 1).astype(float)
    result = mk.original_test(counts)
    return _TREND_LABELS.get(str(result.trend), _TREND_LABELS["no trend"])


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
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
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
    start, end
        The time the data cover (:func:`covered_period`, ended at now; ``end`` exclusive):
        the trend runs over the whole months in it, so a month under way does not read as a
        fall, nor a few stray early events as a rise. Default: what the incidents cover
        (:func:`step_range`).

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
    check_events(incidents)
    rows: list[dict[str, object]] = []
    if len(incidents) == 0:
        return _empty_clusters(incidents.crs)
    xy_all = incidents.geometry
    x_all, y_all = xy_all.x.to_numpy(), xy_all.y.to_numpy()
    area = area_m2 or float(
        shapely.convex_hull(shapely.MultiPoint(np.column_stack([x_all, y_all]))).buffer(eps_m).area
    )
    times = local_wall_time(incidents["occurred_at"])
    data_start, data_end = times.min(), times.max()
    # per-event arrays, computed once: cluster summaries are slices of them
    how_all = hour_of_week(times)
    clock_all = has_clock_time(incidents)  # a report dated only has no hour to profile
    month_all = times.dt.month.to_numpy().astype(np.int64) - 1
    month_ord = (times.dt.year.to_numpy() * 12 + month_all).astype(np.int64)
    whole = step_range(times, "M", start=start, end=end)
    start_ord, end_ord = (
        (int(m.year * 12 + m.month - 1) for m in (whole[0], whole[-1])) if len(whole) else (0, -1)
    )
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
            groups.append((theme_of(cat, default="S"), cat, np.asarray(cats == cat)))
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
                    "how_profile": counts_profile(how_all[mem[clock_all[mem]]], 168),
                    "month_profile": counts_profile(month_all[mem], 12),
                    "trend": _trend_label(month_ord[mem], start_ord=start_ord, end_ord=end_ord),
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
