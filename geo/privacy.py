"""Aggregation and suppression that make shared outputs safe (the one place this is enforced).

Shared outputs (the kommun's map, the report to the crime-prevention council, anything that
leaves the police planner) carry only grid cells with counts per löfte theme and a coarse
time band: no points, no free text, no names, no exact times, and no cell with fewer than
``k`` events. :func:`aggregate_for_sharing` builds such a layer from incidents and
:func:`assert_shareable` checks any payload (GeoDataFrame or GeoJSON) before it is written;
:func:`rounded_to_k` rounds the counts of an output made again each month (the shared map), so
that two versions differ by no count below ``k``. The rules follow design §8 and
domain-research §2.7.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Iterator, Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import shape

from geo import settings
from geo.errors import DataError
from geo.model import THEMES
from geo.projection import require_projected
from geo.weeks import week_labels

logger = logging.getLogger(__name__)

#: Time bands a shared output may use, coarsest first, with a regex for their labels.
TIME_BANDS: dict[str, str] = {
    "period": r"hela perioden",
    "year": r"\d{4}",
    "quarter": r"\d{4}-K[1-4]",
    "month": r"\d{4}-(0[1-9]|1[0-2])",
    "week": r"\d{4}-W(0[1-9]|[1-4]\d|5[0-3])",
    "weekday_band": r"vardag|helg",
    "hour_band": r"natt 00–06|morgon 06–12|dag 12–18|kväll 18–24",
}

#: The only properties a shared feature may carry.
SHARED_COLUMNS: tuple[str, ...] = (
    "cell_id",
    "cell_size_m",
    "theme",
    "theme_label",
    "time_band",
    "n_events",
)

#: Smallest grid cell allowed in a shared output (design §8: 250 m in tätorter).
MIN_CELL_SIZE_M: float = 250.0

#: Smallest suppression threshold a shared output may use (domain-research §2.7: k = 3 at
#: least, 5 for narcotics): with ``k`` 1 or 2 a shared map shows the lone event of a village.
MIN_K = 3

_CELL_ID = re.compile(r"\d+m_E-?\d+_N-?\d+")
_HOUR_BANDS = ((0, "natt 00–06"), (6, "morgon 06–12"), (12, "dag 12–18"), (18, "kväll 18–24"))


def time_band_labels(occurred_at: pd.Series, time_band: str) -> pd.Series:
    """Return the coarse time label of each time for a time band.

    Parameters
    ----------
    occurred_at
        Tz-aware times (converted to ``settings.timezone``).
    time_band
        A key of :data:`TIME_BANDS`.

    Returns
    -------
    pandas.Series
        Labels aligned with ``occurred_at``, e.g. ``"2025-W23"``, ``"helg"``, ``"kväll 18–24"``.

    Raises
    ------
    DataError
        If ``time_band`` is unknown.
    """
    _check_band(time_band)
    t = pd.to_datetime(occurred_at).dt.tz_convert(settings.timezone)
    if time_band == "period":
        return pd.Series("hela perioden", index=t.index, dtype=object)
    if time_band == "year":
        return t.dt.year.astype(str)
    if time_band == "quarter":
        return t.dt.year.astype(str) + "-K" + t.dt.quarter.astype(str)
    if time_band == "month":
        return t.dt.strftime("%Y-%m")
    if time_band == "week":
        return week_labels(t)
    if time_band == "weekday_band":
        return pd.Series(np.where(t.dt.day_of_week >= 5, "helg", "vardag"), index=t.index)
    bands = np.searchsorted([h for h, _ in _HOUR_BANDS], t.dt.hour.to_numpy(), side="right") - 1
    return pd.Series([_HOUR_BANDS[b][1] for b in bands], index=t.index, dtype=object)


def shared_period_label(occurred_at: pd.Series) -> str:
    """Return the data period of a shared output, rounded to whole months.

    Parameters
    ----------
    occurred_at
        Tz-aware event times.

    Returns
    -------
    str
        ``"2024-01 – 2025-12"``, or ``"inga händelser"`` when empty. Exact first and last
        event dates are never shown in a shared output.
    """
    return span_label(occurred_at, "%Y-%m")


def span_label(occurred_at: pd.Series, fmt: str) -> str:
    """Return the first and last event time, in local time, as ``first – last``.

    Parameters
    ----------
    occurred_at
        Tz-aware event times (missing ones are ignored).
    fmt
        :meth:`datetime.datetime.strftime` format of each end, e.g. ``"%Y-%m"``.

    Returns
    -------
    str
        E.g. ``"2024-01 – 2025-12"``, or ``"inga händelser"`` when there are no times.
    """
    t = pd.to_datetime(occurred_at).dropna()
    if t.empty:
        return "inga händelser"
    t = t.dt.tz_convert(settings.timezone)
    return f"{t.min():{fmt}} – {t.max():{fmt}}"


def shared_k(k: int | None = None) -> int:
    """Return the suppression threshold of a shared output, refusing one below :data:`MIN_K`.

    Parameters
    ----------
    k
        The threshold asked for (``-k``, a caller's argument); default ``settings.privacy_k``
        (``privacy_k`` in ``geo.toml``).

    Returns
    -------
    int
        ``k``, at least :data:`MIN_K`.

    Raises
    ------
    DataError
        If it is below :data:`MIN_K`, naming where it came from and the fix.
    """
    value = settings.privacy_k if k is None else int(k)
    if value < MIN_K:
        where = "privacy_k (geo.toml)" if k is None else "k"
        msg = (
            f"{where} = {value} is below {MIN_K}, the least a shared output may hide (a cell of "
            f"1 or 2 events points at the people involved); use {MIN_K} or more (default 5)."
        )
        raise DataError(msg)
    return value


def _check_band(time_band: str) -> None:
    if time_band not in TIME_BANDS:
        msg = f"Unknown time band {time_band!r}; use one of {', '.join(TIME_BANDS)}."
        raise DataError(msg)


def _cell_polygons(x0: np.ndarray, y0: np.ndarray, size_m: np.ndarray) -> np.ndarray:
    return shapely.box(x0, y0, x0 + size_m, y0 + size_m)


def aggregate_for_sharing(
    incidents: gpd.GeoDataFrame,
    *,
    cell_size_m: float = 1000.0,
    k: int | None = None,
    time_band: str = "period",
    urban_areas: gpd.GeoSeries | None = None,
    urban_cell_size_m: float = 250.0,
    at_bathing_site: np.ndarray | None = None,
) -> gpd.GeoDataFrame:
    """Aggregate incidents to grid cells per theme and time band, suppressing small cells.

    The counts of :func:`cell_counts`; each (cell, theme, time band) with fewer than ``k``
    events is dropped, and what is left passes :func:`assert_shareable`.

    Parameters
    ----------
    incidents
        Incidents (columns of :data:`geo.model.INCIDENT_COLUMNS`; at least ``theme``,
        ``occurred_at`` and Point geometry) in a projected CRS.
    cell_size_m
        Rural cell size; at least :data:`MIN_CELL_SIZE_M`.
    k
        Minimum events a published cell must hold, at least :data:`MIN_K`; default
        ``settings.privacy_k``.
    time_band
        One of :data:`TIME_BANDS`; the finest time a shared output shows.
    urban_areas
        Polygons of tätorter (same CRS as ``incidents``), or ``None`` for one cell size.
    urban_cell_size_m
        Cell size inside tätorter; must divide ``cell_size_m`` and be at least
        :data:`MIN_CELL_SIZE_M`.
    at_bathing_site
        Booleans aligned with ``incidents``: which count for theme ``B`` instead of their
        category's (:func:`geo.sites.at_bathing_site`); default none.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns :data:`SHARED_COLUMNS` and Polygon ``geometry`` in the incidents' CRS;
        one row per published (cell, theme, time band), sorted; ``n_events >= k``.
        Empty (with the columns) when nothing may be published.

    Raises
    ------
    DataError
        If ``k`` < :data:`MIN_K`, a cell size is too small or does not nest, or the band is
        unknown.
    CRSError
        If the incidents are in a geographic CRS.
    """
    k = shared_k(k)
    counts = cell_counts(
        incidents,
        cell_size_m=cell_size_m,
        time_band=time_band,
        urban_areas=urban_areas,
        urban_cell_size_m=urban_cell_size_m,
        at_bathing_site=at_bathing_site,
    )
    out = counts[counts["n_events"] >= k].reset_index(drop=True)
    logger.info("%d (cell, theme, band) groups, %d published with k=%d", len(counts), len(out), k)
    assert_shareable(out, k=k, time_band=time_band)
    return out


def rounded_to_k(cells: gpd.GeoDataFrame, *, k: int | None = None) -> gpd.GeoDataFrame:
    """Return published cells with ``n_events`` rounded down to a multiple of ``k``.

    A shared map is made again every month and counts every whole month before it: the
    cell that read 7 in November's version and 8 in December's would tell one event in
    that cell in November, a count suppression hides everywhere else. Rounded down to a
    multiple of ``k`` (7 and 8 both read 5, 9 and 10 read 5 and 10), two versions differ by
    a multiple of ``k`` or not at all, so no difference is a count below ``k``; a cell
    reading ``n`` holds ``n`` to ``n + k - 1`` events.

    Parameters
    ----------
    cells
        Output of :func:`aggregate_for_sharing` (every ``n_events`` at least ``k``).
    k
        The suppression threshold used; default ``settings.privacy_k``.

    Returns
    -------
    geopandas.GeoDataFrame
        A copy, ``n_events`` a multiple of ``k``.
    """
    k = shared_k(k)
    out = cells.copy()
    out["n_events"] = (out["n_events"].astype(int) // k * k).astype(int)
    return out


def cell_counts(
    incidents: gpd.GeoDataFrame,
    *,
    cell_size_m: float = 1000.0,
    time_band: str = "period",
    urban_areas: gpd.GeoSeries | None = None,
    urban_cell_size_m: float = 250.0,
    at_bathing_site: np.ndarray | None = None,
) -> gpd.GeoDataFrame:
    """Count incidents per grid cell, theme and time band, small counts too (never shared).

    Every incident counts for one theme: its category's, or ``B`` when it is at a bathing
    site (:func:`geo.sites.theme_mask` with ``shared=True``; counted for
    both, ``B`` less another theme's cell would give a count suppression hid). Cells are
    squares anchored at multiples of ``cell_size_m`` in the working CRS; a cell that
    touches ``urban_areas`` is split into ``urban_cell_size_m`` squares (design §8: 250 m
    in tätorter, 500–1000 m rural). A shared output takes them through
    :func:`aggregate_for_sharing`, which drops the small ones.

    Parameters
    ----------
    incidents, cell_size_m, time_band, urban_areas, urban_cell_size_m, at_bathing_site
        As for :func:`aggregate_for_sharing`.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns :data:`SHARED_COLUMNS` and Polygon ``geometry`` in the incidents' CRS; one
        row per (cell, theme, time band) with an event, sorted.

    Raises
    ------
    DataError
        If a cell size is too small or does not nest, or the band is unknown.
    CRSError
        If the incidents are in a geographic CRS.
    """
    _check_band(time_band)
    require_projected(incidents)
    for side_m in (cell_size_m, urban_cell_size_m):
        if side_m < MIN_CELL_SIZE_M:
            msg = (
                f"Cell size {side_m!r} m is finer than shared outputs allow; "
                f"use at least {MIN_CELL_SIZE_M:g} m."
            )
            raise DataError(msg)
    ratio = cell_size_m / urban_cell_size_m
    if urban_areas is not None and (ratio < 1 or not math.isclose(ratio, round(ratio))):
        msg = (
            f"urban_cell_size_m={urban_cell_size_m!r} must divide cell_size_m={cell_size_m!r} "
            "(e.g. 250 and 1000)."
        )
        raise DataError(msg)
    empty = gpd.GeoDataFrame(
        {c: pd.Series(dtype=object) for c in SHARED_COLUMNS}, geometry=[], crs=incidents.crs
    )
    located = (incidents.geometry.notna() & ~incidents.geometry.is_empty).to_numpy()
    pts = incidents[located]
    if pts.empty:
        return empty
    x = pts.geometry.x.to_numpy()
    y = pts.geometry.y.to_numpy()
    size = np.full(len(pts), float(cell_size_m))
    if urban_areas is not None and len(urban_areas):
        rx0 = np.floor(x / cell_size_m) * cell_size_m
        ry0 = np.floor(y / cell_size_m) * cell_size_m
        urban = shapely.union_all(urban_areas.to_numpy())
        shapely.prepare(urban)
        touches = shapely.intersects(urban, _cell_polygons(rx0, ry0, size))
        size[touches] = float(urban_cell_size_m)
    x0 = (np.floor(x / size) * size).astype(np.int64)
    y0 = (np.floor(y / size) * size).astype(np.int64)
    frame = pd.DataFrame(
        {
            "cell_size_m": size.astype(np.int64),
            "x0": x0,
            "y0": y0,
            "theme": pts["theme"].astype(str).to_numpy(),
            "time_band": time_band_labels(pts["occurred_at"], time_band).to_numpy(),
        }
    )
    if at_bathing_site is not None:
        if len(at_bathing_site) != len(incidents):
            msg = f"at_bathing_site has {len(at_bathing_site)} values, incidents {len(incidents)}"
            raise ValueError(msg)
        # one theme per event, so that no difference of two shown cells is a hidden count
        frame.loc[np.asarray(at_bathing_site, dtype=bool)[located], "theme"] = "B"
    keys = ["cell_size_m", "x0", "y0", "theme", "time_band"]
    counts = frame.groupby(keys, sort=True).size().rename("n_events").reset_index()
    sizes = counts["cell_size_m"].to_numpy()
    cell_ids = [
        f"{s}m_E{xx}_N{yy}" for s, xx, yy in zip(sizes, counts["x0"], counts["y0"], strict=True)
    ]
    return gpd.GeoDataFrame(
        {
            "cell_id": cell_ids,
            "cell_size_m": sizes.astype(int),
            "theme": counts["theme"].to_numpy(),
            "theme_label": counts["theme"].map(THEMES).fillna("Okänt tema").to_numpy(),
            "time_band": counts["time_band"].to_numpy(),
            "n_events": counts["n_events"].astype(int).to_numpy(),
        },
        geometry=_cell_polygons(
            counts["x0"].to_numpy(dtype=float), counts["y0"].to_numpy(dtype=float), sizes
        ),
        crs=incidents.crs,
    )


def _features(payload: gpd.GeoDataFrame | Mapping[str, Any] | str) -> Iterator[dict[str, Any]]:
    projected = False
    if isinstance(payload, gpd.GeoDataFrame):
        if payload.crs is None:
            msg = "A shared GeoDataFrame has no CRS; set it (e.g. EPSG:3006) before checking it."
            raise DataError(msg)
        data: Any = json.loads(payload.to_crs(settings.working_crs).to_json(drop_id=True))
        projected = True
    elif isinstance(payload, str):
        data = json.loads(payload)
    else:
        data = payload
    if isinstance(data, Mapping) and data.get("type") == "FeatureCollection":
        for feat in data.get("features", []):
            yield {**feat, "_projected": projected}
    elif isinstance(data, Mapping) and data.get("type") == "Feature":
        yield {**data, "_projected": projected}
    else:
        msg = "A shared payload must be a GeoDataFrame, a GeoJSON Feature or FeatureCollection."
        raise DataError(msg)


def _cell_area_m2(geom: shapely.Polygon | shapely.MultiPolygon, *, projected: bool) -> float:
    if projected:
        return float(geom.area)
    series = gpd.GeoSeries([geom], crs=settings.display_crs).to_crs(settings.working_crs)
    return float(series.area.iloc[0])


def assert_shareable(
    payload: gpd.GeoDataFrame | Mapping[str, Any] | str,
    *,
    k: int | None = None,
    time_band: str = "period",
    min_cell_size_m: float = MIN_CELL_SIZE_M,
    rounded: bool = False,
) -> None:
    """Raise unless a payload is safe to share outside the police.

    Checks every feature: the geometry is a (Multi)Polygon of at least
    ``min_cell_size_m`` squared (so no point, line or point-sized polygon); its
    properties are only :data:`SHARED_COLUMNS` (so no description, place name, reporter,
    incident id or timestamp); ``theme`` is a löfte theme; ``time_band`` is a label of
    the configured band (nothing finer); ``n_events`` is a whole number of at least
    ``k``. With only these fields, a personnummer, registration number or name has no
    place to hide.

    Parameters
    ----------
    payload
        A GeoDataFrame (projected or EPSG:4326), or GeoJSON (dict or text, EPSG:4326).
    k
        Minimum count per feature; default ``settings.privacy_k``.
    time_band
        The finest time band allowed, a key of :data:`TIME_BANDS`.
    min_cell_size_m
        Smallest allowed cell side in metres.
    rounded
        Also require every ``n_events`` to be a multiple of ``k`` (:func:`rounded_to_k`), as
        the shared map, made again each month, shows them.

    Raises
    ------
    DataError
        Naming the first feature and rule that fails.
    """
    k = shared_k(k)
    _check_band(time_band)
    band_re = re.compile(TIME_BANDS[time_band])
    min_area = 0.9 * min_cell_size_m**2
    allowed = set(SHARED_COLUMNS)
    for i, feat in enumerate(_features(payload)):
        where = f"Shared feature {i}"
        geom_json = feat.get("geometry")
        geom = shape(geom_json) if geom_json else None
        if not isinstance(geom, shapely.Polygon | shapely.MultiPolygon):
            kind = None if geom is None else geom.geom_type
            msg = f"{where} has geometry {kind!r}; shared outputs carry only grid-cell polygons."
            raise DataError(msg)
        if _cell_area_m2(geom, projected=bool(feat.get("_projected"))) < min_area:
            msg = (
                f"{where} is smaller than a {min_cell_size_m:g} m cell; aggregate with "
                "geo.privacy.aggregate_for_sharing instead of sharing small shapes."
            )
            raise DataError(msg)
        props = feat.get("properties") or {}
        extra = sorted(set(props) - allowed)
        if extra:
            msg = (
                f"{where} carries fields {extra!r} that may hold free text, names or times; "
                f"shared outputs may only carry {list(SHARED_COLUMNS)!r}."
            )
            raise DataError(msg)
        n = props.get("n_events")
        if not isinstance(n, int | np.integer) or isinstance(n, bool) or n < k:
            msg = f"{where} has n_events={n!r}; cells with fewer than k={k} events are suppressed."
            raise DataError(msg)
        if rounded and n % k:
            msg = (
                f"{where} has n_events={n!r}, not a multiple of k={k}; a map made again "
                "each month shows counts rounded with geo.privacy.rounded_to_k."
            )
            raise DataError(msg)
        theme = props.get("theme")
        if theme is not None and theme not in THEMES:
            msg = f"{where} has theme {theme!r}; use one of {list(THEMES)!r}."
            raise DataError(msg)
        label = props.get("theme_label")
        if label is not None and label not in THEMES.values():
            msg = f"{where} has theme_label {label!r}, which is not a theme's label."
            raise DataError(msg)
        band = props.get("time_band")
        if band is not None and not band_re.fullmatch(str(band)):
            msg = (
                f"{where} has time_band {band!r}, finer than or unlike the configured band "
                f"{time_band!r}; aggregate times with geo.privacy.time_band_labels."
            )
            raise DataError(msg)
        cell_id = props.get("cell_id")
        if cell_id is not None and not _CELL_ID.fullmatch(str(cell_id)):
            msg = f"{where} has cell_id {cell_id!r}; cell ids look like '250m_E480000_N6570000'."
            raise DataError(msg)
