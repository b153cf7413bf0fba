"""Read the table of a point file: CSV (:mod:`geo.pointcsv`), Excel, OpenDocument, GeoJSON, GPKG."""

from __future__ import annotations

import difflib
import logging
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

import geopandas as gpd
import pandas as pd
import pyogrio
from pyproj import CRS

from geo.errors import ImportFileError
from geo.ingest.readers import HEADER_ROWS
from geo.pointcsv import header_row, is_csv, read_csv, zip_tables
from geo.pointjson import is_record_list, read_records
from geo.pointods import read_ods
from geo.pointxls import NOT_A_WORKBOOK_FIX, read_xls, workbook_kind

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Table:
    """A table read from a point file, with the layer or sheet it came from."""

    df: pd.DataFrame
    crs: CRS | None
    layer: str = ""  # the layer or sheet read; empty for a CSV
    layers: tuple[str, ...] = ()  # the names of the file's layers or sheets
    kind: str = "layer"  # "layer" or "sheet"

    @property
    def n_layers(self) -> int:
        """How many layers or sheets the file has (1 for a CSV)."""
        return max(len(self.layers), 1)

    @property
    def label(self) -> str:
        """The layer read, and how many there are when more than one."""
        if self.n_layers <= 1:
            return self.layer
        return f"{self.layer} (of {self.n_layers} {self.kind}s)"


def _layer(path: Path, layer: str | None) -> tuple[str, tuple[str, ...]]:
    """Return the layer to read (``layer``, else the first) and the names of all layers."""
    names = [str(name) for name, _ in pyogrio.list_layers(path)]
    if layer is not None and layer not in names:
        msg = f"{str(path)!r} has no layer {layer!r}; its layers are {names}."
        raise ImportFileError(msg)
    return layer or names[0], tuple(names)


_EXCEL_SUFFIXES = (".xlsx", ".xlsm")


def _with_header(raw: pd.DataFrame, columns: set[str], path: Path) -> pd.DataFrame:
    """Make the header the row :func:`geo.pointcsv.header_row` finds, cells' ends stripped.

    Portals' spreadsheet exports often put a title and a date line above the table.
    ``attrs["header_line"]`` is the header's row in the sheet (from 1).
    """
    cells = [
        [str(v).strip() for v in raw.iloc[i] if pd.notna(v)] for i in range(len(raw))[:HEADER_ROWS]
    ]
    first = header_row(cells, columns)
    if first:
        logger.info("%s: the header is on row %d (title rows above it skipped)", path, first + 1)
    header = [
        str(v).strip() if pd.notna(v) else f"Unnamed: {j}" for j, v in enumerate(raw.iloc[first])
    ]
    df = raw.iloc[first + 1 :].reset_index(drop=True)
    df.columns = pd.Index(header)
    df.attrs["header_line"] = first + 1
    return df


def _read_excel(path: Path, sheet: str | None, columns: set[str]) -> Table:
    """Read a sheet of an Excel workbook (``sheet``, else the first) as text.

    The header is the first of the top rows that names every one of ``columns``.
    """
    try:
        with pd.ExcelFile(path, engine="openpyxl") as book:
            names = [str(n) for n in book.sheet_names]
            if sheet is not None and sheet not in names:
                msg = f"{str(path)!r} has no sheet {sheet!r}; its sheets are {names}."
                raise ImportFileError(msg)
            name = sheet or names[0]
            # Excel dates arrive as ISO text and are read like any other date column
            raw = pd.read_excel(book, sheet_name=name, dtype=str, header=None)
            df = _with_header(raw, columns, path) if len(raw) else raw
    except ImportFileError:
        raise
    except Exception as e:  # openpyxl raises many unrelated types for a damaged file
        msg = (
            f"{str(path)!r} is not a readable Excel workbook ({e}); open it in Excel and save "
            "it as .xlsx, or export the sheet as CSV."
        )
        raise ImportFileError(msg) from e
    return Table(df, None, name, tuple(names), "sheet")


#: Errors of a damaged or foreign OpenDocument file; xlrd raises many types, as openpyxl does.
_ODS_ERRORS = (OSError, KeyError, ValueError, zipfile.BadZipFile, ElementTree.ParseError)


def _read_sheet(path: Path, sheet: str | None, columns: set[str], *, kind: str) -> Table:
    """Read a sheet of an OpenDocument (``kind`` ``"ods"``) or legacy Excel (``"xls"``) file.

    Cells are read as text by :func:`geo.pointods.read_ods` or :func:`geo.pointxls.read_xls`
    (``sheet``, else the first); the header is found as in an Excel sheet
    (:func:`_with_header`).
    """
    reader, errors, what, again = (
        (read_ods, _ODS_ERRORS, "OpenDocument spreadsheet", ".ods or .xlsx")
        if kind == "ods"
        else (read_xls, (Exception,), "Excel 97-2003 workbook (.xls)", ".xlsx")
    )
    try:
        raw, names = reader(path, sheet)
    except errors as e:
        msg = (
            f"{str(path)!r} is not a readable {what} ({e}); open it and save it again as "
            f"{again}, or export the sheet as CSV."
        )
        raise ImportFileError(msg) from e
    if sheet is not None and sheet not in names:
        msg = f"{str(path)!r} has no sheet {sheet!r}; its sheets are {names}."
        raise ImportFileError(msg)
    df = _with_header(raw, columns, path) if len(raw) else raw
    return Table(df, None, sheet or names[0], tuple(names), "sheet")


def _xls_kind(path: Path) -> str:
    """Tell what a file named ``.xls`` holds (:func:`geo.pointxls.workbook_kind`).

    ``"xls"`` or ``"xlsx"``; anything else but a workbook (portals' "Excel" downloads that
    are an HTML table or tab-separated text) is refused.
    """
    kind = workbook_kind(path)
    if kind in ("xls", "xlsx"):
        return kind
    msg = (
        f"{str(path)!r} is named .xls but is not an Excel workbook: it is {kind} (as some "
        f"portals' 'Excel' downloads are). {NOT_A_WORKBOOK_FIX}."
    )
    raise ImportFileError(msg)


def read_table(path: Path, columns: set[str], layer: str | None) -> Table:
    """Read the file; of a CSV only ``columns`` (its header alone if one is missing).

    A spreadsheet (``.xlsx``, ``.xls``, ``.ods``) is read as text, its header the first of
    the top rows that names every one of ``columns``. A JSON list of records (the police's
    open API) is read by :func:`geo.pointjson.read_records`, nested fields as
    ``location.gps``. A file GDAL reads without geometry (a lone ``.dbf``, a GeoPackage
    attribute table) gives a table without CRS, its points in named columns.
    """
    suffix = path.suffix.lower()
    if suffix in _EXCEL_SUFFIXES:
        return _read_excel(path, layer, columns)
    if suffix == ".xls" and _xls_kind(path) == "xlsx":
        return _read_excel(path, layer, columns)
    if suffix in (".ods", ".xls"):
        return _read_sheet(path, layer, columns, kind=suffix[1:])
    if is_record_list(path):  # the police's open API: a list of events, not GeoJSON
        return Table(read_records(path), None)
    members = zip_tables(path) if suffix == ".zip" else []  # a zip of CSVs, or e.g. a shapefile
    try:
        if members or is_csv(path):
            if layer is not None:
                msg = f"{str(path)!r} is a CSV table: it has no layers; leave out --layer."
                raise ImportFileError(msg)
            return Table(read_csv(path, columns, members), None)
        name, layers = _layer(path, layer)
        # times as the file writes them: GDAL would move those with an offset to UTC,
        # and a CSV's same text would then read otherwise
        df = pyogrio.read_dataframe(path, layer=name, datetime_as_string=True)
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, pyogrio.errors.DataSourceError) as e:
        if isinstance(e, ImportFileError):
            raise
        msg = (
            f"Cannot read points from {str(path)!r}: {e}. Use a CSV (also .csv.gz/.zip), "
            "a spreadsheet (.xlsx, .xls, .ods), GeoJSON, a JSON list of records or GeoPackage."
        )
        raise ImportFileError(msg) from e
    crs = df.crs if isinstance(df, gpd.GeoDataFrame) else None  # no geometry: a plain table
    return Table(df, crs, name, layers)


def no_geometry(table: Table, path: Path) -> ImportFileError:
    """Make the error for a file without geometry read without ``--x-col``/``--y-col``."""
    source = f"{str(path)!r}, {table.kind} {table.label}," if table.layer else repr(str(path))
    msg = (
        f"{source} has no geometry: name the columns holding the points with --x-col and "
        f"--y-col, and their CRS with --crs (e.g. --x-col Longitude --y-col Latitude --crs "
        f"EPSG:4326); its columns are {[str(c) for c in table.df.columns]}."
    )
    return ImportFileError(msg)


def _nearest_column(name: str, columns: Sequence[str]) -> str | None:
    """Return the column ``name`` was likely meant as: the same but for case, else a close one."""
    same = [c for c in columns if c.casefold() == name.strip().casefold()]
    if same:
        return same[0]
    folded = {c.casefold(): c for c in columns}
    close = difflib.get_close_matches(name.casefold(), list(folded), n=1, cutoff=0.8)
    return folded[close[0]] if close else None


def missing_columns(
    table: Table, path: Path, missing: Sequence[str], where: Sequence[tuple[str, str]]
) -> ImportFileError:
    """Make the error for columns the file (or the layer read) does not have."""
    source = f"{str(path)!r}, {table.kind} {table.label}," if table.layer else repr(str(path))
    by_where = [f"{c}={v}" for c, v in where if c in missing]
    named = f" (named in --where {', '.join(map(repr, by_where))})" if by_where else ""
    columns = [str(c) for c in table.df.columns]
    meant = {m: near for m in missing if (near := _nearest_column(m, columns))}
    guess = "; ".join(f"did you mean {near!r} for {m!r}?" for m, near in meant.items())
    msg = (
        f"{source} has no column(s) {list(missing)!r}{named}; "
        + (f"{guess} " if guess else "")
        + f"its columns are {columns}."
    )
    if table.n_layers > 1:
        msg += (
            f" Choose another {table.kind} with --layer; the {table.kind}s are "
            f"{list(table.layers)}."
        )
    return ImportFileError(msg)
