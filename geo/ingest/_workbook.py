"""Read every sheet of a workbook (``.xlsx``, ``.xls``, ``.ods``) as rows of cells."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd

#: A cell range merged down one column: its column, first row and last row (from 0).
Merged = tuple[int, int, int]


def _merged_down(path: Path) -> dict[str, list[Merged]]:
    """Return each sheet's ranges merged down one column (a date over the day's rows).

    A range over several columns is a title or a header's group and is left as it is.
    """
    # merged ranges need a full load; a file object, since an .xlsx renamed .xls is one too
    with path.open("rb") as f:
        book = openpyxl.load_workbook(f, data_only=True)
    try:
        return {
            str(sheet.title): [
                (r.min_col - 1, r.min_row - 1, r.max_row - 1)
                for r in sheet.merged_cells.ranges
                if r.min_col == r.max_col and r.max_row > r.min_row
            ]
            for sheet in book.worksheets
        }
    finally:
        book.close()


def _fill(sheet: pd.DataFrame, merged: list[Merged]) -> pd.DataFrame:
    """Return a sheet with each cell merged down holding the range's value, as Excel shows it.

    openpyxl gives a merged range's value to its first cell alone: the rows under it read
    an empty date (or place) and were quarantined, though the sheet shows it on each row.
    """
    if not merged:
        return sheet
    cells = sheet.to_numpy(dtype=object, copy=True)
    for column, first, last in merged:
        if column < cells.shape[1] and first < cells.shape[0]:
            cells[first + 1 : last + 1, column] = cells[first, column]
    return pd.DataFrame(cells, index=sheet.index, columns=sheet.columns, dtype=object)


def read_sheets(path: Path, kind: str) -> dict[str, pd.DataFrame]:
    """Return each sheet of a workbook by name, in its order, its rows from its first.

    Parameters
    ----------
    path
        The workbook.
    kind
        ``"xlsx"`` (read by openpyxl, a date cell a timestamp, a cell merged down one column
        holding its range's value, :func:`_fill`), ``"xls"`` or ``"ods"`` (cells as text,
        :func:`geo.pointxls.read_xls` and :func:`geo.pointods.read_ods`).

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
        merged = _merged_down(path)
        return {str(n): _fill(sheet, merged.get(str(n), [])) for n, sheet in sheets.items()}
    if kind == "xls":
        from geo.pointxls import read_xls as read  # xlrd: rare .xls
    else:
        from geo.pointods import read_ods as read
    first, names = read(path, None)
    return {name: first if i == 0 else read(path, name)[0] for i, name in enumerate(names)}
