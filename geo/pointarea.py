"""Whether a file's points lie where their CRS is meant for: feet read as metres and the reverse.

A State Plane CRS comes in metres and in feet under one name (``NAD83 / Colorado Central``,
``NAD83 / Colorado Central (ftUS)``). Denver's feet given as the metre one put the points in
Quebec; DC's metres given as the feet one shrink the city 3.28 × towards the CRS's origin.
Both run, on a grid of the wrong size. The CRS's area of use (EPSG's lon/lat box) tells: the
points' median point lies outside it, and read in the CRS of the other unit, inside it.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from pyproj import CRS, Geod, Transformer
from pyproj.database import query_crs_info
from pyproj.enums import PJType

from geo.errors import CRSError

FloatArray = npt.NDArray[np.float64]

#: The median point may lie this far outside the CRS's area of use (km) without a word: a
#: town just across the border of the state or zone whose CRS its county uses.
AREA_MARGIN_KM = 25.0
#: Farther outside than this (km) the file is refused: no CRS is used 1,000 km beyond the
#: area it is defined for (a UTM zone a few degrees east of its own, as Norway's whole
#: country in zone 33, lies 460 km out at Kirkenes and is only warned of).
FAR_OUTSIDE_KM = 1000.0

#: A unit written at the end of a CRS's name: ``NAD83 / Maryland (ftUS)``.
_UNIT_IN_NAME = re.compile(r"\s*\((?:ftUS|ft|ftCla|ftSe|m)\)$")
_GEOD = Geod(ellps="WGS84")


@dataclass(frozen=True)
class Placed:
    """A point placed under a CRS: where it lies and how far outside the CRS's area of use.

    Attributes
    ----------
    lon, lat
        The point in degrees.
    outside_km
        Its distance from the area of use (0 inside it).
    """

    lon: float
    lat: float
    outside_km: float


def _km_outside(lon: float, lat: float, bounds: tuple[float, float, float, float]) -> float:
    """Return the distance (km) from a point to a lon/lat box, 0 inside it.

    ``bounds`` are west, south, east, north; a box crossing the antimeridian has
    ``west > east``.
    """
    west, south, east, north = bounds
    inside_lon = west <= lon <= east if west <= east else (lon >= west or lon <= east)
    if inside_lon:
        near_lon = lon
    else:  # the nearer of the two edges, the long way round the globe counted too
        near_lon = min((west, east), key=lambda edge: abs((lon - edge + 180) % 360 - 180))
    near_lat = min(max(lat, south), north)
    return float(_GEOD.inv(lon, lat, near_lon, near_lat)[2]) / 1000.0


def place(x: float, y: float, crs: CRS) -> Placed | None:
    """Place ``(x, y)`` under ``crs``: its lon/lat and distance from the area of use.

    Returns ``None`` when the CRS has no area of use or the point lies on no earth.
    """
    area = crs.area_of_use
    if area is None:
        return None
    lon, lat = Transformer.from_crs(crs, 4326, always_xy=True).transform(x, y)
    if not (np.isfinite(lon) and np.isfinite(lat) and abs(lat) <= 90):
        return None
    return Placed(float(lon), float(lat), _km_outside(float(lon), float(lat), area.bounds))


@functools.lru_cache(maxsize=1)
def _projected_names() -> tuple[tuple[str, str], ...]:
    """Return the code and name of every projected CRS in EPSG's register (pyproj's own)."""
    info = query_crs_info(auth_name="EPSG", pj_types=PJType.PROJECTED_CRS)
    return tuple((i.code, i.name) for i in info if not i.deprecated)


def _unit(crs: CRS) -> tuple[str, float]:
    """Name a CRS's linear unit and give its length in metres."""
    axis = crs.axis_info[0] if crs.axis_info else None
    return (axis.unit_name, axis.unit_conversion_factor) if axis else ("unit", 1.0)


def units_of(crs: CRS) -> str:
    """Name what a CRS counts, in the plural: ``metres``, ``US survey feet``."""
    unit = _unit(crs)[0]
    return unit.replace("foot", "feet") if "foot" in unit else f"{unit}s"


def siblings(crs: CRS) -> list[CRS]:
    """Return the EPSG CRSs of the same name as ``crs`` but in another unit.

    ``NAD83 / Maryland (ftUS)`` gives ``NAD83 / Maryland`` (metres); ``NAD83 / Colorado
    Central`` gives ``NAD83 / Colorado Central (ftUS)``.
    """
    base = _UNIT_IN_NAME.sub("", crs.name)
    _, length = _unit(crs)
    out = []
    for code, name in _projected_names():
        if _UNIT_IN_NAME.sub("", name) == base and name != crs.name:
            other = CRS.from_epsg(int(code))
            if not np.isclose(_unit(other)[1], length):
                out.append(other)
    return out


def _inside(placed: Placed | None) -> bool:
    """Tell a point placed within :data:`AREA_MARGIN_KM` of its CRS's area of use."""
    return placed is not None and placed.outside_km <= AREA_MARGIN_KM


def _lonlat(lon: float, lat: float) -> str:
    """Write a point as ``104.89°W, 39.78°N``."""
    return f"{abs(lon):.2f}°{'W' if lon < 0 else 'E'}, {abs(lat):.2f}°{'S' if lat < 0 else 'N'}"


def _area(crs: CRS) -> str:
    """Name a CRS's area of use shortly, with its box: ``Maryland (79.49°W–74.97°W, …)``."""
    area = crs.area_of_use
    assert area is not None
    name = re.split(r" - counties|[;:]|\. ", area.name)[0].rstrip(".")
    west, south, east, north = area.bounds
    return f"{name}: {_lonlat(west, south)} to {_lonlat(east, north)}"


def _named(crs: CRS) -> str:
    """Write a CRS as ``EPSG:2248 (NAD83 / Maryland (ftUS))``."""
    return f"{crs.to_string()} ({crs.name})"


def _median_point(x: FloatArray, y: FloatArray) -> tuple[float, float] | None:
    """Return the median x and y of the located points (not at ``(0, 0)``), ``None`` if none."""
    located = np.isfinite(x) & np.isfinite(y) & ~((x == 0) & (y == 0))
    if not located.any():
        return None
    return float(np.median(x[located])), float(np.median(y[located]))


def lies_in_area(x: FloatArray, y: FloatArray, crs: CRS) -> bool:
    """Tell points whose median point lies within :data:`AREA_MARGIN_KM` of ``crs``'s area of use.

    ``False`` when there is no located point, the CRS has no area of use or the point lies
    on no earth under it.
    """
    median = _median_point(x, y)
    return median is not None and _inside(place(*median, crs))


def check_area(x: FloatArray, y: FloatArray, src: CRS, path: Path, fix: str = "") -> str:
    """Tell whether the points lie in ``src``'s area of use; refuse them far outside it.

    The median point (of x and of y, rows at ``(0, 0)`` or without coordinates left out)
    is placed under ``src``. Within :data:`AREA_MARGIN_KM` of the area of use nothing is
    said; beyond :data:`FAR_OUTSIDE_KM` the file is refused; between, a warning is
    returned. Both name the point, the CRS, its area and, when the CRS of the same name in
    another unit places the point inside its area, that CRS to pass. Only a projected CRS
    is checked: under a geographic one degrees are degrees wherever the points lie
    (:func:`geo.pointcoords.check_units` and :func:`geo.pointcoords.check_axes` see to
    those). ``fix``, when given, is named instead (the file's own CRS that ``--crs``
    overrode, :func:`geo.pointcoords.own_crs_fix`).

    Returns
    -------
    str
        The warning, or ``""``.

    Raises
    ------
    CRSError
        If the median point lies more than :data:`FAR_OUTSIDE_KM` outside the area of use.
    """
    median = _median_point(x, y)
    if not src.is_projected or median is None:
        return ""
    mx, my = median
    here = place(mx, my, src)
    if here is None or _inside(here):
        return ""
    said = (
        f"the points of {str(path)!r} lie around {_lonlat(here.lon, here.lat)} (their median "
        f"point) under {_named(src)}, {here.outside_km:,.0f} km outside its area of use "
        f"({_area(src)})"
    )
    given_fix = fix
    fix = "check --crs against the CRS the portal's description of the file names"
    fits: list[tuple[CRS, Placed]] = []
    for other in [] if given_fix else siblings(src):
        there = place(mx, my, other)
        if there is not None and _inside(there):
            fits.append((other, there))
    if fits:
        (other, there), rest = fits[0], [o for o, _ in fits[1:]]
        also = f" (or {', '.join(_named(o) for o in rest)})" if rest else ""
        fix = (
            f"read as {units_of(other)} under {_named(other)} they lie around "
            f"{_lonlat(there.lon, there.lat)}, inside its area: pass --crs "
            f"{other.to_string()}{also}"
        )
    fix = given_fix or fix
    if here.outside_km > FAR_OUTSIDE_KM:
        msg = (
            f"{said[0].upper()}{said[1:]}: more than {FAR_OUTSIDE_KM:,.0f} km out, so these "
            f"cannot be its coordinates; {fix}."
        )
        if not fits and not given_fix:
            msg += (
                " If they are metres on a plane of their own (synthetic points, or places "
                "shifted to hide them), pass --crs local."
            )
        raise CRSError(msg)
    unsure = "" if fits or given_fix else "; if it is this one, the points are used as read"
    return f"{said}; {fix}{unsure}"
