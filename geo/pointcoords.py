"""The coordinates of a point file: numbers as written, swapped axes, units, metres, far points."""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError as PyprojCRSError

from geo.errors import CRSError, ImportFileError
from geo.pointarea import lies_in_area, units_of
from geo.pointtext import looks_like_a_point, read_numbers, read_pair, read_whole_points

FloatArray = npt.NDArray[np.float64]

#: A point is "far from the others" beyond :data:`FAR_FACTOR` times the distance from the
#: median point within which this share of the points lies: 90 %, so that a few per cent of
#: placeholder coordinates (Boston writes ``-1,-1`` for 2 % of its rows) do not set the limit ...
FAR_QUANTILE = 0.9
#: ... times this (in a city's spread the 99 % distance is 1.2–1.3 × the 90 % one, so the
#: limit stays about 5 × the 99 % distance) ...
FAR_FACTOR = 6.0
#: ... and never closer than this (km).
MIN_FAR_KM = 10.0
#: What ``--crs`` takes for coordinates in metres on a plane of their own: synthetic points,
#: or a file whose places were shifted or rotated to hide them.
LOCAL = "local"
#: That plane: metres east and north, placed nowhere on the earth.
LOCAL_CRS = CRS.from_wkt(
    'ENGCRS["Local plane (metres)",EDATUM["local"],CS[Cartesian,2],'
    'AXIS["easting (X)",east,ORDER[1],LENGTHUNIT["metre",1]],'
    'AXIS["northing (Y)",north,ORDER[2],LENGTHUNIT["metre",1]]]'
)


def _refuse_a_point_for_one_axis(df: pd.DataFrame, x_col: str, y_col: str, path: Path) -> None:
    """Refuse a column holding whole points named for one axis only, saying what to pass."""
    if x_col == y_col:
        return
    for col in (x_col, y_col):
        filled = df[col].dropna().astype(str)
        first = filled.iloc[0] if len(filled) else ""
        if looks_like_a_point(first):
            msg = (
                f"Column {col!r} of {str(path)!r} holds whole points (e.g. {first!r}), not one "
                f"coordinate; name it for both: --x-col {col!r} --y-col {col!r} (WKT "
                "'POINT (x y)' and Socrata's '(lat, lon)' are read), or name the file's own "
                "longitude/easting and latitude/northing columns."
            )
            raise ImportFileError(msg)


def _whole_points(df: pd.DataFrame, col: str, path: Path) -> tuple[FloatArray, FloatArray]:
    """Read the column named for both axes as whole points; refuse it if it holds none."""
    x, y = read_whole_points(df[col])
    if np.isfinite(x).any() or df.empty:
        return x, y
    filled = df[col].dropna().astype(str)
    first = filled.iloc[0] if len(filled) else ""
    held = "one number per row" if np.isfinite(read_numbers(filled)).any() else "no point"
    msg = (
        f"Column {col!r} of {str(path)!r} is named for both --x-col and --y-col but holds "
        f"{held} (e.g. {first!r}), not WKT 'POINT (x y)' or Socrata's '(lat, lon)'; name two "
        "columns, x the longitude or easting and y the latitude or northing."
    )
    raise ImportFileError(msg)


def _thousands_note(example: str, src: CRS) -> str:
    """Say that ``example``'s comma was read as a thousands separator because of ``src``."""
    return (
        f"coordinates such as {example!r} were read with thousands separators, as "
        f"{example.replace(',', '')}: under {crs_text(src)} ({src.name}) a decimal comma "
        f"would put every point within 1,000 {units_of(src)} of the CRS's origin"
    )


def coordinates(
    df: pd.DataFrame, x_col: str | None, y_col: str | None, path: Path, src: CRS
) -> tuple[FloatArray, FloatArray, list[str]]:
    """Return x and y of every row and notes on how they were read.

    From ``x_col``/``y_col``, read together (:func:`geo.pointtext.read_pair`); from one
    column named for both, holding whole points (:func:`geo.pointtext.read_whole_points`);
    else from the geometry, lines and polygons at a point on their surface. A column
    holding whole points named for one axis only is refused.
    """
    if x_col and y_col:
        _refuse_a_point_for_one_axis(df, x_col, y_col, path)
        if x_col == y_col:
            return (*_whole_points(df, x_col, path), [])
        x, y, example = read_pair(df[x_col], df[y_col], projected=not src.is_geographic)
        return x, y, [_thousands_note(example, src)] if example else []
    if not isinstance(df, gpd.GeoDataFrame):
        msg = "A CSV has no geometry; pass --x-col and --y-col."
        raise ImportFileError(msg)
    geom = df.geometry.to_numpy()
    points = shapely.get_type_id(geom) == shapely.GeometryType.POINT
    where_else = ~points & ~shapely.is_missing(geom) & ~shapely.is_empty(geom)
    geom = geom.copy()
    geom[where_else] = shapely.point_on_surface(geom[where_else])  # lines, polygons
    return shapely.get_x(geom).astype(float), shapely.get_y(geom).astype(float), []


def source_crs(crs: str | None, file_crs: CRS | None, path: Path) -> CRS:
    """Return the CRS of the coordinates: ``crs`` as given, else the file's own.

    ``crs`` :data:`LOCAL` gives :data:`LOCAL_CRS`: metres, with no place on the earth to check.
    """
    if crs is not None and crs.strip().casefold() == LOCAL:
        return LOCAL_CRS
    src = crs or file_crs
    if src is None:
        msg = f"No CRS for the coordinates of {str(path)!r}; pass --crs, e.g. EPSG:4326."
        raise CRSError(msg)
    try:
        return CRS.from_user_input(src)
    except PyprojCRSError as e:
        msg = f"{src!r} is not a coordinate reference system; write it like 'EPSG:4326'."
        raise CRSError(msg) from e


def crs_text(src: CRS) -> str:
    """Write a CRS as ``--crs`` takes it: ``EPSG:3006``, or :data:`LOCAL`."""
    return LOCAL if src == LOCAL_CRS else src.to_string()


#: SWEREF 99 TM, the CRS Swedish data are in: named as a fix only for points that can be
#: in Sweden under it.
SWEREF99_TM = CRS.from_epsg(3006)


def _degrees_share(x: FloatArray, y: FloatArray) -> float | None:
    """Return the share of located points within ±180/±90, ``None`` when none is located."""
    finite = np.isfinite(x) & np.isfinite(y) & ~((x == 0) & (y == 0))
    if not finite.any():
        return None
    return float(np.mean((np.abs(x[finite]) <= 180) & (np.abs(y[finite]) <= 90)))


def _units_fit(x: FloatArray, y: FloatArray, src: CRS) -> bool:
    """Tell coordinates that can be in ``src``: degrees under a geographic CRS, else not."""
    in_degrees = _degrees_share(x, y)
    if in_degrees is None:
        return True
    return in_degrees > 0.01 if src.is_geographic else in_degrees < 0.99


def own_crs_fix(x: FloatArray, y: FloatArray, given: CRS, own: CRS | None) -> str:
    """Say to leave out ``--crs`` when the file's own CRS, which it overrode, fits the points.

    A GeoPackage or GeoJSON states the CRS of its geometry; a ``--crs`` of another one is
    then the likely cause of coordinates that do not fit it.

    Parameters
    ----------
    x, y
        The coordinates, as read from the file's geometry.
    given
        The CRS ``--crs`` named.
    own
        The CRS the file states (``None`` when it states none, or the coordinates come
        from columns, which it does not describe).

    Returns
    -------
    str
        ``"the file states its own CRS, EPSG:3006 (SWEREF99 TM), under which its points
        lie in that CRS's area of use: leave out --crs"``, or ``""``.
    """
    if own is None or own == given or not _units_fit(x, y, own):
        return ""
    if own.area_of_use is not None and not lies_in_area(x, y, own):
        return ""
    return (
        f"the file states its own CRS, {crs_text(own)} ({own.name}), under which its points "
        "lie in that CRS's area of use: leave out --crs"
    )


def check_units(x: FloatArray, y: FloatArray, src: CRS, path: Path, fix: str = "") -> None:
    """Refuse coordinates that cannot be in ``src``: degrees given as metres, or the reverse.

    The message names the unit ``src`` counts (``US survey feet`` for EPSG:3435) and, as the
    CRS to pass for coordinates that are not degrees, SWEREF 99 TM only where the points
    could lie in Sweden under it; ``fix`` (:func:`own_crs_fix`) comes first when given.
    """
    in_degrees = _degrees_share(x, y)
    if in_degrees is None or _units_fit(x, y, src):
        return
    finite = np.isfinite(x) & np.isfinite(y) & ~((x == 0) & (y == 0))
    example = f"({x[finite][0]:g}, {y[finite][0]:g})"
    if not src.is_geographic:
        name = "" if src == LOCAL_CRS else f" ({src.name})"
        named = f"{crs_text(src)}{name} counts {units_of(src)}"
        msg = (
            f"The coordinates of {str(path)!r} look like longitude/latitude in degrees "
            f"(e.g. {example}), but {named}; {fix or 'pass --crs EPSG:4326'}."
        )
        raise CRSError(msg)
    if not fix:
        fix = (
            "pass the projected CRS they are in, e.g. --crs EPSG:3006 (SWEREF 99 TM), under "
            "which they lie in Sweden"
            if lies_in_area(x, y, SWEREF99_TM)
            else "pass the projected CRS they are in (the State Plane or UTM zone of the "
            "place, as the portal's description of the file names it)"
        )
    msg = (
        f"The coordinates of {str(path)!r} (e.g. {example}) are not degrees, but "
        f"{src.to_string()} is longitude/latitude; {fix}."
    )
    raise CRSError(msg)


#: Words naming a latitude or a longitude column (after splitting a name like ``GEO_LAT``).
_LATITUDE_WORDS = frozenset({"lat", "latitude", "latitud", "breedtegraad", "breite", "breitengrad"})
_LONGITUDE_WORDS = frozenset(
    {"lon", "lng", "long", "longitude", "longitud", "lengtegraad", "länge", "laenge", "längengrad"}
)


def _axis_named(column: str) -> str:
    """Say what a column's name says it holds: ``"latitude"``, ``"longitude"`` or ``""``."""
    words = set(re.findall(r"[^\W\d_]+", column.casefold()))
    lat, lon = bool(words & _LATITUDE_WORDS), bool(words & _LONGITUDE_WORDS)
    return "latitude" if lat and not lon else "longitude" if lon and not lat else ""


def check_axes(
    x: FloatArray, y: FloatArray, src: CRS, path: Path, x_col: str | None, y_col: str | None
) -> None:
    """Refuse latitude given as x and longitude as y under a geographic CRS.

    The columns are swapped when their names say so (x named like ``Latitude``, y like
    ``Longitude``) or when most y values lie beyond ±90°, where no latitude can.
    """
    if not (src.is_geographic and x_col and y_col and x_col != y_col):
        return
    located = np.isfinite(x) & np.isfinite(y) & ~((x == 0) & (y == 0))
    if not located.any():
        return
    ax, ay = np.abs(x[located]), np.abs(y[located])
    beyond = float(np.mean((ay > 90) & (ay <= 180) & (ax <= 90)))
    if (_axis_named(x_col), _axis_named(y_col)) == ("latitude", "longitude"):
        why = f"--x-col {x_col!r} is named like a latitude and --y-col {y_col!r} like a longitude"
    elif beyond > 0.5:
        why = f"{beyond:.0%} of the --y-col {y_col!r} values lie beyond ±90°, where no latitude can"
    else:
        return
    i = int(np.flatnonzero(located)[0])
    msg = (
        f"The coordinate columns of {str(path)!r} look swapped: {why} (first row: x = "
        f"{x[i]:g}, y = {y[i]:g}). Under {src.to_string()} x is the longitude and y the "
        f"latitude; swap them: --x-col {y_col!r} --y-col {x_col!r}."
    )
    raise CRSError(msg)


def _ground_metres(src: CRS) -> bool:
    """Tell a CRS that counts metres on the ground: projected in metres and not Mercator.

    Web Mercator (EPSG:3857, as ArcGIS Hub exports) and world Mercator count metres of the
    equator: at 42°N one of them is 1 / cos 42° = 1.35 ground metres.
    """
    unit = src.axis_info[0].unit_name if src.axis_info else ""
    if not (src.is_projected and unit in ("metre", "meter")):
        return False
    operation = src.coordinate_operation
    method = operation.method_name.casefold() if operation is not None else ""
    return not (method.startswith("mercator") or "pseudo mercator" in method)


def project(
    x: FloatArray, y: FloatArray, src: CRS, path: Path
) -> tuple[FloatArray, FloatArray, CRS]:
    """Return the points in ground metres with non-negative coordinates, as the grid needs.

    Points in such a CRS are returned as given; all others (degrees, feet, Web Mercator,
    metres below zero such as US Albers west of its centre) are projected into the UTM zone
    of their median point. Points on the :data:`LOCAL_CRS` plane stay on it, moved where
    some coordinate is below zero so that the smallest is zero.
    """
    if src == LOCAL_CRS:  # moved, if need be, so the plane's corner is its origin
        shift_x, shift_y = (min(float(a.min()), 0.0) if a.size else 0.0 for a in (x, y))
        return x - shift_x, y - shift_y, src
    if _ground_metres(src) and (x.size == 0 or (x.min() >= 0 and y.min() >= 0)):
        return x, y, src
    pts = gpd.GeoSeries(gpd.points_from_xy(x, y), crs=src)
    lonlat = pts.to_crs(4326)
    lon, lat = float(np.nanmedian(lonlat.x)), float(np.nanmedian(lonlat.y))
    try:
        utm = gpd.GeoSeries(gpd.points_from_xy([lon], [lat]), crs=4326).estimate_utm_crs()
    except RuntimeError as e:  # beyond 80°S–84°N, or no point on the earth at all
        msg = (
            f"The points of {str(path)!r} lie around longitude {lon:g}, latitude {lat:g} "
            f"(read under {src.to_string()}), where no UTM zone is defined (80°S–84°N). Check "
            "that --x-col is the longitude or easting and --y-col the latitude or northing "
            "(swap them if not), and --crs."
        )
        raise CRSError(msg) from e
    out = pts.to_crs(utm)
    return out.x.to_numpy(), out.y.to_numpy(), utm


def far_from_median(
    x: FloatArray, y: FloatArray, max_distance_km: float | None
) -> tuple[npt.NDArray[np.bool_], float]:
    """Mark the points far from the median point; return the mask and the limit in km.

    The limit is ``max_distance_km``, else :data:`FAR_FACTOR` × the distance holding
    :data:`FAR_QUANTILE` of the points, at least :data:`MIN_FAR_KM`.
    """
    d = np.hypot(x - np.median(x), y - np.median(y))
    if max_distance_km is None:
        limit = max(FAR_FACTOR * float(np.quantile(d, FAR_QUANTILE)), MIN_FAR_KM * 1000.0)
    else:
        limit = max_distance_km * 1000.0
    return d > limit, limit / 1000.0


#: Far rows sharing one exact coordinate are named as such when at least this many do.
MIN_PILE = 10


def shared_coordinate(x: FloatArray, y: FloatArray) -> str:
    """Name the exact coordinate most of these rows share, if :data:`MIN_PILE` or more do.

    Returns ``"1,186 rows at (-1, -1)"``, a placeholder for an unknown location, or ``""``.
    """
    if x.size < MIN_PILE:
        return ""
    pairs, counts = np.unique(np.column_stack([x, y]), axis=0, return_counts=True)
    top = int(np.argmax(counts))
    if counts[top] < MIN_PILE:
        return ""
    return f"{int(counts[top]):,} rows at ({pairs[top][0]:g}, {pairs[top][1]:g})"


#: Events on fewer distinct points than this share of them, or with :data:`FEW_PLACES_TOP`
#: of them on the five busiest (and on at most :data:`FEW_PLACES_MAX` points), are placed
#: at town or district centres, not where they happened: the Swedish police's open API
#: puts every event of a kommun at one point.
FEW_PLACES_SHARE = 0.02
FEW_PLACES_TOP = 0.8
FEW_PLACES_MAX = 200


def few_places(x: FloatArray, y: FloatArray) -> str:
    """Warn when the points stand on a few places only, as events geocoded to town centres.

    Returns
    -------
    str
        E.g. ``"the 4,166 points used lie on 31 distinct places (the 5 busiest hold 78 %):
        …"``, or ``""`` when they lie on more than :data:`FEW_PLACES_MAX` places, or on
        :data:`FEW_PLACES_SHARE` of their number or more (SF 2012 drug arrests: 28 %) with
        less than :data:`FEW_PLACES_TOP` of them on the five busiest (SF: 7 %; a small
        file of a few dozen events may lie on few places, but not on five).
    """
    if x.size == 0 or np.unique(x[:10_000] + 1j * y[:10_000]).size > FEW_PLACES_MAX:
        return ""  # already more places among the first points than the warning allows
    _, counts = np.unique(x + 1j * y, return_counts=True)  # one complex number a point
    top = np.sort(counts)[::-1][:5]
    few = counts.size <= FEW_PLACES_SHARE * x.size or top.sum() >= FEW_PLACES_TOP * x.size
    if counts.size > FEW_PLACES_MAX or not few:
        return ""
    return (
        f"the {x.size:,} points used lie on {counts.size:,} distinct places (the "
        f"{top.size} busiest hold {100 * top.sum() / x.size:.0f} %): the file places events "
        "at town or district centres, not where they happened, so every method ranks the "
        "same few cells and PAI says little about forecasting places"
    )
