"""Coordinate reference systems: the working CRS, accepted input CRSs and value-range detection."""

from __future__ import annotations

from functools import lru_cache

import geopandas as gpd
import numpy as np
import numpy.typing as npt
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError as PyprojCRSError

from geo import settings
from geo.errors import CRSError

#: EPSG codes accepted on import: WGS84, SWEREF 99 TM and its 12 local zones, RT 90 2.5 gon V.
ACCEPTED_EPSG: tuple[int, ...] = (4326, 3006, *range(3007, 3019), 3021)


def parse_crs(value: str | int) -> int:
    """Return the EPSG code of an accepted CRS given as ``"EPSG:3006"``, ``"3006"`` or ``3006``.

    Parameters
    ----------
    value
        The CRS as the user wrote it.

    Returns
    -------
    int
        An EPSG code from :data:`ACCEPTED_EPSG`.

    Raises
    ------
    CRSError
        If the value is not a CRS, or not one of the accepted ones.
    """
    try:
        epsg = CRS.from_user_input(value).to_epsg()
    except PyprojCRSError as e:
        msg = f"{value!r} is not a coordinate reference system; write it like 'EPSG:3006'."
        raise CRSError(msg) from e
    if epsg not in ACCEPTED_EPSG:
        msg = (
            f"CRS {value!r} is not supported for import; use EPSG:4326 (WGS84), EPSG:3006 "
            "(SWEREF 99 TM), EPSG:3007–3018 (SWEREF 99 local zones) or EPSG:3021 (RT 90)."
        )
        raise CRSError(msg)
    return int(epsg)


@lru_cache(maxsize=64)
def transformer(source_epsg: int, target: str) -> Transformer:
    """Return a cached ``always_xy`` transformer from an EPSG code to a CRS string.

    Parameters
    ----------
    source_epsg
        EPSG code of the input.
    target
        Target CRS, e.g. ``"EPSG:3006"``.

    Returns
    -------
    pyproj.Transformer
        Transformer taking ``(x, y)`` = ``(lon, lat)`` / ``(E, N)`` order.
    """
    return Transformer.from_crs(source_epsg, target, always_xy=True)


def to_working(
    x: npt.ArrayLike, y: npt.ArrayLike, source_epsg: int
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Project coordinates (``x`` = longitude/easting) into the working CRS.

    Parameters
    ----------
    x, y
        Coordinates in ``source_epsg``, in x/y (lon/lat, E/N) order.
    source_epsg
        EPSG code of the input.

    Returns
    -------
    tuple of numpy.ndarray
        Easting and northing in the working CRS; non-finite where the input was.
    """
    tx, ty = transformer(source_epsg, settings.working_crs).transform(
        np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    )
    return np.asarray(tx, dtype=float), np.asarray(ty, dtype=float)


def require_projected(gdf: gpd.GeoDataFrame) -> None:
    """Raise unless ``gdf`` has a projected CRS in metres.

    Parameters
    ----------
    gdf
        Data an analysis function was given.

    Raises
    ------
    CRSError
        If the CRS is missing or geographic.
    """
    if gdf.crs is None or not gdf.crs.is_projected:
        msg = (
            f"Expected data in a projected CRS in metres (e.g. {settings.working_crs}), got "
            f"{gdf.crs!r}; call .to_crs({settings.working_crs!r}) first."
        )
        raise CRSError(msg)
