"""A study area given as a polygon file (a city's boundary) for ``geo evaluate``.

Without one, the study area is the convex hull of the file's points: an L-shaped town or a
coast makes it larger than the place, and a later burst outside the hull changes the area
(so the scores) of every month. A boundary fixes the area the hit rates are shares of.
"""

from __future__ import annotations

import logging
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from geo.errors import ImportFileError
from geo.pointcoords import LOCAL

__all__ = ["OUTSIDE_AREA", "clip_to_area", "read_area"]

logger = logging.getLogger(__name__)

#: Drop reason of the points outside the given study area (in the row account).
OUTSIDE_AREA = "outside --area"
#: ``shapely.get_type_id`` of a Polygon.
POLYGON_TYPE_ID = 3


def read_area(path: Path, *, crs: str, layer: str | None = None) -> shapely.Geometry:
    """Read a study area: the union of a file's polygons, in the points' CRS.

    Parameters
    ----------
    path
        GeoJSON, GeoPackage, shapefile or any file GDAL reads, with (multi)polygons and a CRS.
    crs
        The CRS of the points (metres), e.g. ``points.attrs["crs"]``.
    layer
        Layer of a file with several; default the first.

    Returns
    -------
    shapely.Geometry
        The area, valid, in ``crs``.

    Raises
    ------
    ImportFileError
        If the file cannot be read, has no CRS or no polygon, or the points are on the
        local plane (``crs`` :data:`geo.pointcoords.LOCAL`).
    """
    if crs == LOCAL:
        msg = (
            f"The study area {str(path)!r} cannot be laid over points read with --crs {LOCAL}: "
            "they have no place on the earth. Pass the points' real CRS, or leave --area out "
            "(the area is then the points' hull)."
        )
        raise ImportFileError(msg)
    try:
        frame = gpd.read_file(path, layer=layer)
    except (OSError, ValueError, pyogrio.errors.DataSourceError) as e:
        msg = (
            f"Cannot read the study area {str(path)!r}: {e}. Give a GeoJSON, GeoPackage or "
            "shapefile holding the place's boundary polygon (--area-layer for a layer)."
        )
        raise ImportFileError(msg) from e
    polygons = frame[frame.geom_type.isin(["Polygon", "MultiPolygon"])]
    if polygons.empty:
        found = ", ".join(sorted(set(frame.geom_type.dropna()))) or "no geometry"
        msg = (
            f"The study area {str(path)!r} holds no polygon ({found}); give the place's "
            "boundary as a Polygon or MultiPolygon."
        )
        raise ImportFileError(msg)
    if frame.crs is None:
        msg = (
            f"The study area {str(path)!r} has no CRS; save it with one (a shapefile keeps it "
            "in its .prj file)."
        )
        raise ImportFileError(msg)
    left, bottom, right, top = polygons.total_bounds
    if frame.crs.is_geographic and not (
        -180 <= left <= right <= 180 and -90 <= bottom <= top <= 90
    ):
        msg = (
            f"The study area {str(path)!r} is read as {frame.crs.to_string()} (GeoJSON always "
            f"is, unless it names another CRS) but its coordinates reach x {right:.0f}, "
            f"y {top:.0f}: metres? Save it with its CRS (a GeoPackage, or GeoJSON in lon/lat)."
        )
        raise ImportFileError(msg)
    valid = shapely.make_valid(polygons.to_crs(crs).geometry.to_numpy())
    # repairing a self-touching ring can leave lines beside the polygons: keep the polygons
    parts = shapely.get_parts(shapely.get_parts(valid))
    area = shapely.union_all(parts[shapely.get_type_id(parts) == POLYGON_TYPE_ID])
    logger.info("study area %s: %.1f km² in %s", path, area.area / 1e6, crs)
    return area


def clip_to_area(points: pd.DataFrame, area: shapely.Geometry, *, label: str) -> pd.DataFrame:
    """Keep the points inside (or on the edge of) the study area, and account for the rest.

    Parameters
    ----------
    points
        ``x``, ``y`` (metres, in the area's CRS) and ``t``, from
        :func:`geo.pointfile.read_points`, whose row account (``attrs["rows"]``) this updates.
    area
        The study area (:func:`read_area`).
    label
        The area's file, named in messages.

    Returns
    -------
    pandas.DataFrame
        The points inside; ``attrs["rows"]["dropped"]`` counts the others as
        :data:`OUTSIDE_AREA` and ``attrs["dropped_examples"]`` shows the first.

    Raises
    ------
    ImportFileError
        If no point lies in the area (another place, or a CRS mixed up).
    """
    x, y = points["x"].to_numpy(), points["y"].to_numpy()
    inside = shapely.intersects_xy(area, x, y)
    if not inside.any():
        left, bottom, right, top = shapely.bounds(area)
        msg = (
            f"No point lies in the study area {label!r}: the points span x {x.min():.0f}–"
            f"{x.max():.0f}, y {y.min():.0f}–{y.max():.0f} and the area x {left:.0f}–"
            f"{right:.0f}, y {bottom:.0f}–{top:.0f} ({points.attrs.get('crs')}). Is it the "
            "same place, and does the area file say its CRS?"
        )
        raise ImportFileError(msg)
    out = points[inside]
    out.attrs = dict(points.attrs)
    outside = int((~inside).sum())
    rows = dict(points.attrs.get("rows", {}))
    rows["dropped"] = {**rows.get("dropped", {}), OUTSIDE_AREA: outside}
    rows["used"] = len(out)
    out.attrs["rows"] = rows
    if outside:
        first = int(np.flatnonzero(~inside)[0])
        examples = dict(points.attrs.get("dropped_examples", {}))
        examples[OUTSIDE_AREA] = f"at x {x[first]:.0f}, y {y[first]:.0f}"
        out.attrs["dropped_examples"] = examples
    return out
