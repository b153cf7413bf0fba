"""Selecting the incidents a section counts: by period, source group, theme and place."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.report.monthly.vocabulary import SOURCE_GROUPS
from geo.sites import theme_mask


def in_period(times: pd.Series, start: pd.Timestamp, end: pd.Timestamp) -> pd.Series:
    """Return which times lie in ``[start, end)``.

    Parameters
    ----------
    times
        Timestamps (tz-aware, like ``start`` and ``end``).
    start, end
        The period, end excluded.

    Returns
    -------
    pandas.Series
        A boolean mask.
    """
    t = pd.to_datetime(times)
    return (t >= start) & (t < end)


def source_group(source: pd.Series) -> pd.Series:
    """Return each source id's group (:data:`SOURCE_GROUPS`), ``"ovriga"`` when unknown."""
    return source.map(SOURCE_GROUPS).fillna("ovriga")


def nearest_place_names(points: gpd.GeoSeries, places: gpd.GeoDataFrame) -> list[str]:
    """Return the name of the named place nearest each point (``"–"`` without places).

    Parameters
    ----------
    points
        Points in the places' CRS (EPSG:3006).
    places
        Named places (``name``, geometry).

    Returns
    -------
    list of str
        One name per point, for a table's "nära" column.
    """
    if places.empty:
        return ["–"] * len(points)
    anchors = places.geometry.representative_point().to_numpy()
    names = places["name"].to_numpy()
    out = []
    for p in points.to_numpy():
        d = shapely.distance(anchors, p)
        out.append(str(names[int(np.argmin(d))]))
    return out


def theme_incidents(
    incidents: gpd.GeoDataFrame, theme: str, places: gpd.GeoDataFrame
) -> gpd.GeoDataFrame:
    """Return the incidents of a löfte theme (:func:`geo.sites.theme_mask`).

    Parameters
    ----------
    incidents
        Incidents (EPSG:3006).
    theme
        Theme id (``N``, ``T``, ``B``, ``S``); bathing-site incidents count for ``B``.
    places
        Named places.

    Returns
    -------
    geopandas.GeoDataFrame
        The theme's incidents.
    """
    if incidents.empty:
        return incidents
    return incidents[theme_mask(incidents, theme, places).to_numpy()]
