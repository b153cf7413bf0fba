"""Turn coordinate columns into points in the working CRS: CRS detection and swapped axes."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd

from geo import settings
from geo.projection import ACCEPTED_EPSG, to_working
from geo.sites import inside_kommun

FloatArray = npt.NDArray[np.float64]


def plain_numbers(text: pd.Series) -> FloatArray:
    """Read text as numbers as it stands (``"59.2449"``, ``" 12 "``); NaN where it cannot.

    A value with a comma, or a space or no-break space inside it, is never read here.
    """
    return pd.to_numeric(text, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def to_number(values: pd.Series, plain: FloatArray | None = None) -> FloatArray:
    """Parse numbers written with a decimal comma or point (``"59,2449"``, ``"6 567 531"``).

    Digits may be grouped by any space: a space, a no-break space (Excel), a narrow no-break
    or thin space (as copied from a web map or a PDF; until 2026-11-30 "not a number").

    Parameters
    ----------
    values
        The text.
    plain
        ``values`` as :func:`plain_numbers` reads them, when the caller has them already.

    Returns
    -------
    numpy.ndarray
        The numbers (NaN where a value is none). Values read as they stand are kept; only
        the others lose their spaces and have their comma read as a decimal point, the
        same numbers as cleaning every value, in one pass over a column of plain numbers.
    """
    text = values.astype("string")
    number = plain_numbers(text) if plain is None else plain.copy()
    unread = np.isnan(number) & text.notna().to_numpy(dtype=bool)
    if unread.any():
        rest = text[unread].str.replace(r"\s", "", regex=True)  # any space: U+00A0, U+202F …
        number[unread] = plain_numbers(rest.str.replace(",", ".", regex=False))
    return number


@dataclass(frozen=True)
class Located:
    """Points in the working CRS and how they were obtained.

    Attributes
    ----------
    x, y
        Working-CRS coordinates (NaN where the row had none).
    epsg
        The input CRS used; 0 when no accepted CRS fits the values.
    swapped_file
        The whole file had x and y swapped.
    swapped_rows
        Rows whose own x and y were swapped (fixed).
    detected
        The CRS was detected from value ranges (not given).
    """

    x: FloatArray
    y: FloatArray
    epsg: int
    swapped_file: bool
    swapped_rows: npt.NDArray[np.bool_]
    detected: bool


def _share_inside(
    x: FloatArray, y: FloatArray, epsg: int
) -> tuple[FloatArray, FloatArray, npt.NDArray[np.bool_]]:
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tx, ty = to_working(x, y, epsg)
    ok = np.isfinite(tx) & np.isfinite(ty)
    inside = np.zeros(len(tx), dtype=bool)
    if ok.any():
        pts = gpd.GeoSeries(gpd.points_from_xy(tx[ok], ty[ok]), crs=settings.working_crs)
        inside[ok] = inside_kommun(pts).to_numpy()
    return tx, ty, inside


def _range_guess(x: FloatArray, y: FloatArray) -> tuple[int, bool] | None:
    """Guess a CRS from value ranges alone when no candidate lands in the kommun.

    Values near the float maximum (``9e307``) overflow the median's mean of its two middle
    values to infinity, which fits no range: no guess, and the rows are quarantined.
    """
    with np.errstate(over="ignore"):
        mx, my = np.nanmedian(x), np.nanmedian(y)
    for a, b, swapped in ((mx, my, False), (my, mx, True)):
        if -180 <= a <= 180 and -90 <= b <= 90 and abs(b) > abs(a):
            return 4326, swapped
        if 6.0e6 <= b <= 7.8e6 and 2.0e5 <= a <= 1.0e6:
            return 3006, swapped
        if 6.0e6 <= b <= 7.8e6 and 1.1e6 <= a <= 2.0e6:
            return 3021, swapped
    return None


def locate(x: FloatArray, y: FloatArray, *, epsg: int | None, lonlat_named: bool) -> Located | None:
    """Project coordinates, detecting the CRS and swapped axes where needed.

    With ``epsg`` given, only that CRS is tried (with and without swapped axes). Otherwise
    every accepted CRS (:data:`geo.projection.ACCEPTED_EPSG`) is tried both ways and the one
    that puts most points inside the kommun wins. Each row that lands outside the kommun but
    inside it with its own x and y swapped is fixed. Nothing is logged here: the caller knows
    the file and its line numbers and reports a detected CRS or swapped axes from the result.

    Parameters
    ----------
    x, y
        The file's x/longitude/easting and y/latitude/northing values.
    epsg
        The CRS the user gave, or ``None`` to detect it.
    lonlat_named
        The columns are named lat/lon: only EPSG:4326 is tried.

    Returns
    -------
    Located or None
        ``None`` when no row has finite coordinates.
    """
    finite = np.isfinite(x) & np.isfinite(y)
    if not finite.any():
        return None
    candidates = [epsg] if epsg is not None else ([4326] if lonlat_named else list(ACCEPTED_EPSG))
    sample = np.flatnonzero(finite)[:2000]  # enough to tell CRSs apart, cheap on big files
    best: tuple[int, int, bool, int] | None = None  # (score, -rank, swapped, epsg)
    for rank, code in enumerate(candidates):
        for swapped in (False, True):
            a, b = (y, x) if swapped else (x, y)
            score = int(_share_inside(a[sample], b[sample], code)[2].sum())
            key = (score, -rank - (1 if swapped else 0), swapped, code)
            if best is None or key[:2] > best[:2]:
                best = key
    assert best is not None
    score, _, swapped, code = best
    if score == 0 and epsg is None:
        guess = _range_guess(x[finite], y[finite])
        if guess is None:
            return Located(
                np.full_like(x, np.nan),
                np.full_like(y, np.nan),
                0,
                False,
                np.zeros(len(x), dtype=bool),
                True,
            )
        code, swapped = guess
    a, b = (y, x) if swapped else (x, y)
    tx, ty, inside = _share_inside(a, b, code)
    sx, sy, inside_swapped = _share_inside(b, a, code)
    fix = ~inside & inside_swapped
    tx = np.where(fix, sx, tx)
    ty = np.where(fix, sy, ty)
    return Located(tx, ty, code, swapped, fix, epsg is None and not lonlat_named)
