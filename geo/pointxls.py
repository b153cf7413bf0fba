"""Read a sheet of a legacy Excel workbook (``.xls``, BIFF) as rows of text.

Older portals and police systems still offer "Excel" exports in the format of Excel 97-2003.
GDAL here has no XLS driver and pandas' ``xlrd`` engine is deprecated, so the sheet is read
with xlrd itself, its cells written as a sheet of an ``.xlsx`` is read: a date cell as ISO
text in the workbook's own date system (1900 or 1904), a time-of-day cell as ``13:07:00``,
text as written.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pandas as pd
import xlrd
from xlrd.xldate import XLDateError, xldate_as_datetime

__all__ = ["NOT_A_WORKBOOK_FIX", "OLE2_MAGIC", "read_xls", "workbook_kind"]

#: The first bytes of an OLE2 compound file, which holds an ``.xls`` workbook's BIFF stream.
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: What to do with a file named ``.xls`` that :func:`workbook_kind` finds is no workbook.
NOT_A_WORKBOOK_FIX = (
    "Open it in Excel or LibreOffice and save it as .xlsx, or, if it is comma- or "
    "tab-separated text, rename it to .csv"
)
#: The day Excel writes a time of day alone on, in each date system (0: 1900, 1: 1904).
_EPOCH_DAY = {0: dt.date(1899, 12, 31), 1: dt.date(1904, 1, 1)}


def workbook_kind(path: Path) -> str:
    """Tell what a file named ``.xls`` holds by its first bytes.

    Returns
    -------
    str
        ``"xls"`` (a BIFF workbook), ``"xlsx"`` (a zip: a workbook saved as ``.xlsx`` and
        renamed), ``"an HTML page"`` or ``"text"``: the last two as some portals' "Excel"
        downloads are, which the caller refuses in its own words.
    """
    with path.open("rb") as f:
        head = f.read(len(OLE2_MAGIC))
    if head == OLE2_MAGIC:
        return "xls"
    if head.startswith(b"PK"):
        return "xlsx"
    return "an HTML page" if head.lstrip().lower().startswith((b"<", b"\xef\xbb\xbf<")) else "text"


def _value(cell: xlrd.sheet.Cell, datemode: int) -> str | None:
    """Return a cell's value as text (``None`` when empty), as an ``.xlsx`` sheet's reads.

    A date as ISO text (``2019-01-31 21:15:00``), a time of day alone as ``21:15:00``, a
    whole number without a decimal point (``3``), other numbers as Python writes them, a
    boolean as ``True``/``False``, text as written; an error cell (``#N/A``) is empty.
    """
    kind, value = cell.ctype, cell.value
    if kind == xlrd.XL_CELL_DATE:
        try:
            at = xldate_as_datetime(value, datemode)
        except XLDateError:  # a date before the epoch or past 9999: the number as stored
            return repr(value)
        return str(at.time()) if at.date() == _EPOCH_DAY[datemode] else str(at)
    if kind == xlrd.XL_CELL_NUMBER:
        return str(int(value)) if float(value).is_integer() else repr(value)
    if kind == xlrd.XL_CELL_BOOLEAN:
        return str(bool(value))
    if kind == xlrd.XL_CELL_TEXT:
        return str(value) or None
    return None  # empty, blank or an error


def read_xls(path: Path, sheet: str | None) -> tuple[pd.DataFrame, list[str]]:
    """Read a sheet of a legacy Excel workbook as text.

    Parameters
    ----------
    path
        The ``.xls`` file.
    sheet
        The sheet to read; default the first.

    Returns
    -------
    tuple of pandas.DataFrame and list of str
        The sheet's rows from its first, without a header (columns ``0, 1, …``; an empty
        cell ``None``), as :func:`_value` writes them, and the names of all sheets. The
        frame is empty when ``sheet`` is not one of them.

    Raises
    ------
    xlrd.XLRDError, xlrd.compdoc.CompDocError
        If the file is not a BIFF workbook or is damaged (xlrd may raise other types too).
    """
    with xlrd.open_workbook(path, on_demand=True, logfile=io.StringIO()) as book:
        names = [str(n) for n in book.sheet_names()]
        name = sheet if sheet is not None else names[0]
        if name not in names:
            return pd.DataFrame(), names
        cells = book.sheet_by_name(name)
        rows = [[_value(c, book.datemode) for c in cells.row(i)] for i in range(cells.nrows)]
    width = max(map(len, rows), default=0)
    return pd.DataFrame([r + [None] * (width - len(r)) for r in rows], dtype=object), names
