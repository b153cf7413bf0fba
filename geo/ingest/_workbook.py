"""Read every sheet of a workbook (``.xlsx``, ``.xls``, ``.ods``) as rows of cells."""

from __future__ import annotations

from pathlib import Path

import pandas as pd


def read_sheets(path: Path, kind: str) -> dict[str, pd.DataFrame]:
    """Return each sheet of a workbook by name, in its order, its rows from its first.

    Parameters
    ----------
    path
        The workbook.
    kind
        ``"xlsx"`` (read by openpyxl, a date cell a timestamp), ``"xls"`` or ``"ods"`` (cells
        as text, :func:`geo.pointxls.read_xls` and :func:`geo.pointods.read_ods`).

    Returns
    -------
    dict of str to pandas.DataFrame
        Every sheet without a header (index 0 is the sheet's row 1).

    Raises
    ------
    Exception
        Of many types (openpyxl's, xlrd's, zipfile's, XML's) for a damaged file; the caller
        names the problem.
    """
    if kind == "xlsx":
        sheets = pd.read_excel(path, sheet_name=None, engine="openpyxl", dtype=object, header=None)
        return {str(name): sheet for name, sheet in sheets.items()}
    if kind == "xls":
        from geo.pointxls import read_xls as read  # xlrd: rare .xls
    else:
        from geo.pointods import read_ods as read
    first, names = read(path, None)
    return {name: first if i == 0 else read(path, name)[0] for i, name in enumerate(names)}
