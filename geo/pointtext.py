"""Coordinates as a portal writes them: decimal commas, thousands separators, whole points.

A coordinate column's commas are read as thousands separators or as a decimal comma by what
the column shows (:func:`read_numbers`), and the two columns of a file, written alike, by
what either shows (:func:`read_pair`). A column holding a whole point per row, Socrata's
``(lat, lon)`` or WKT ``POINT (x y)``, is read into x and y by :func:`read_whole_points`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

import numpy as np
import numpy.typing as npt
import pandas as pd

from geo.ingest._coords import plain_numbers, to_number

FloatArray = npt.NDArray[np.float64]

#: A number with thousands separators: ``1,176,423`` or ``1,176.5`` (not a decimal comma).
_THOUSANDS = r"-?\d{1,3}(?:,\d{3})+(?:\.\d+)?"
#: A number without any separator: what stands beside the grouped values of such a column.
_PLAIN = r"-?\d+(?:\.\d+)?"


class Commas(Enum):
    """What the commas of a coordinate column can be."""

    NONE = "no comma"
    THOUSANDS = "thousands separators"  # some value cannot be a decimal comma: 1,176,423
    EITHER = "either"  # every comma is followed by three digits, once: 670,146
    DECIMAL = "decimal comma"  # some value cannot have thousands separators: 59,2751


@dataclass(frozen=True)
class _Written:
    """A coordinate column as text, what its commas can be, and the numbers read as they stand."""

    text: pd.Series
    commas: Commas
    as_written: FloatArray
    example: str  # the first value with a comma, or ""


def _written(values: pd.Series) -> _Written:
    """Read a column's text and tell what its commas can be (:class:`Commas`)."""
    written = values.astype("string")
    as_written = plain_numbers(written)
    if not written[np.isnan(as_written)].str.contains(",", regex=False).any():
        return _Written(written, Commas.NONE, as_written, "")  # the common case, read once
    text = written.str.strip()
    filled = text[text.notna() & (text != "")]
    comma = filled.str.contains(",", regex=False).to_numpy(dtype=bool)
    grouped = filled[comma]
    example = str(grouped.iloc[0])
    if not (grouped.str.fullmatch(_THOUSANDS).all() and filled[~comma].str.fullmatch(_PLAIN).all()):
        return _Written(text, Commas.DECIMAL, as_written, example)
    sure = (grouped.str.count(",") > 1) | grouped.str.contains(".", regex=False)
    return _Written(text, Commas.THOUSANDS if sure.any() else Commas.EITHER, as_written, example)


def _read(column: _Written, thousands: bool) -> FloatArray:
    """Return a column's numbers, its commas read as thousands separators or decimal commas."""
    if thousands and column.commas in (Commas.THOUSANDS, Commas.EITHER):
        return to_number(column.text.str.replace(",", "", regex=False))
    return to_number(column.text, column.as_written)


def read_numbers(values: pd.Series) -> FloatArray:
    """Read a coordinate column: a decimal comma or point, or thousands separators.

    Thousands separators are read only when every value with a comma has them and at least
    one value cannot be a decimal comma (``1,176,423`` or ``1,176.5``): ``14,875`` alone
    stays 14.875. A file's two coordinate columns are read together by :func:`read_pair`.
    """
    column = _written(values)
    return _read(column, column.commas is Commas.THOUSANDS)


def read_pair(
    xs: pd.Series, ys: pd.Series, *, projected: bool
) -> tuple[FloatArray, FloatArray, str]:
    """Read a file's x and y columns, whose commas are written alike.

    Parameters
    ----------
    xs, ys
        The x and y columns as the file gives them.
    projected
        The CRS counts metres or feet, not degrees.

    Returns
    -------
    tuple
        x, y and, when the thousands separators were inferred from ``projected`` alone,
        the first value so read (``"670,146"``), else ``""``.

    Notes
    -----
    When neither column has a decimal comma that cannot be a thousands separator
    (``59,2751``, ``6 571 234,56``) and one of them has thousands separators for sure
    (``7,656,195``), a comma followed by exactly three digits in the other (``670,146``)
    is a thousands separator too: Portland's Tableau export writes its feet so, and read
    alone that column would put every point within 1,000 feet north of the origin. The
    same holds when neither column settles it and the CRS is projected: a decimal comma
    would put every point within 1,000 metres or feet of the CRS's origin, where no
    city's CRS puts one. Under a geographic CRS ``59,176`` and ``14,857`` stay degrees
    with a decimal comma. Otherwise each column is read by :func:`read_numbers`.
    """
    wx, wy = _written(xs), _written(ys)
    kinds = {wx.commas, wy.commas}
    if Commas.DECIMAL not in kinds and Commas.EITHER in kinds:
        if Commas.THOUSANDS in kinds:
            return _read(wx, True), _read(wy, True), ""
        if projected:
            return _read(wx, True), _read(wy, True), wx.example or wy.example
    return _read(wx, wx.commas is Commas.THOUSANDS), _read(wy, wy.commas is Commas.THOUSANDS), ""


_NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
#: WKT ``POINT (x y)``, also ``POINT Z (x y z)`` and after an ``SRID=4326;`` prefix.
_WKT = re.compile(rf"\bPOINT\s*(?:ZM|Z|M)?\s*\(\s*({_NUMBER})\s+({_NUMBER})", re.IGNORECASE)
#: Socrata's ``(lat, lon)``, alone or on the last line of an address.
_LAT_LON = re.compile(rf"\(\s*({_NUMBER})\s*,\s*({_NUMBER})\s*\)")


#: ``lat,lon`` without brackets, as the police's open API writes ``"gps": "59.27,15.21"``;
#: both with a decimal point, so that a decimal comma (``59,2751``) is never taken for one.
_PAIR = re.compile(r"^\s*([-+]?\d+\.\d+)\s*,\s*([-+]?\d+\.\d+)\s*$")


def looks_like_a_point(value: str) -> bool:
    """Tell a value holding a whole point (``POINT (-87.6 41.8)``, ``(41.8, -87.6)``)."""
    return bool(_WKT.search(value) or _LAT_LON.search(value) or _PAIR.search(value))


def read_whole_points(values: pd.Series) -> tuple[FloatArray, FloatArray]:
    """Read x and y from a column holding a whole point per row.

    WKT ``POINT (x y)`` gives x, y as written (x the longitude or easting); Socrata's
    ``(lat, lon)``, alone or ending a multi-line address (``1200 MAIN ST`` / ``KANSAS CITY,
    MO 64105`` / ``(39.1, -94.58)`` on three lines), and the police API's ``59.27,15.21``
    (lat, lon without brackets, decimal points) give x = lon and y = lat. A value with none
    of these is NaN, as a row without a location.
    """
    text = values.astype("string")
    wkt = text.str.extract(_WKT)
    socrata = text.str.extract(_LAT_LON)
    pair = text.str.extract(_PAIR)
    x = wkt[0].fillna(socrata[1]).fillna(pair[1])
    y = wkt[1].fillna(socrata[0]).fillna(pair[0])
    return plain_numbers(x), plain_numbers(y)
