"""Read an input file (CSV, XLSX, GeoJSON, GeoPackage, police JSON) into raw rows."""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
from pyogrio.errors import DataLayerError, DataSourceError

from geo.ingest._columns import resolve_columns
from geo.ingest._csv import Record, records, text_lines
from geo.ingest._layers import choose_layer, file_error, layer_sha
from geo.ingest._workbook import read_sheets
from geo.tabletext import decode_table_text

logger = logging.getLogger(__name__)

_EXTENSIONS = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".xls": "xls",
    ".ods": "ods",
    ".geojson": "geojson",
    ".json": "json",
    ".gpkg": "gpkg",
}

#: Workbooks: their sheets are read as layers are (``--layer`` names one).
_WORKBOOKS = ("xlsx", "xls", "ods")
#: Rows searched for the header when a title or a date line stands above it (here and in
#: the point files of ``geo evaluate``, :mod:`geo.pointcsv`).
HEADER_ROWS = 20
#: Excel's hint on a CSV's first line naming its delimiter (``sep=;``, quoted, or followed by
#: delimiters, as a tool that saved the file again writes it), not a row.
SEP_HINT = re.compile(r'"?sep=(.)"?[,;\t|]*\s*', re.IGNORECASE)


@dataclass
class RawTable:
    """Rows of one file before validation.

    Attributes
    ----------
    file
        The path read.
    format
        ``csv``, ``xlsx``, ``xls``, ``ods``, ``geojson``, ``gpkg`` or ``polisen``.
    sha256
        Hash of the file's bytes.
    rows
        One row per record, values as read (strings for CSV). Geo formats add
        ``__x``/``__y`` (a representative point) and police JSON keeps its fields.
    lines
        The row's line (CSV), sheet row (XLSX) or feature/record number (1-based).
    epsg
        The CRS of ``__x``/``__y`` for geo formats, else ``None``.
    malformed
        Records that could not be split into the header's fields (quarantined as
        ``malformed_row``): ``line``, ``reason``, ``detail``, ``raw``.
    """

    file: Path
    format: str
    sha256: str
    rows: pd.DataFrame
    lines: np.ndarray
    epsg: int | None = None
    malformed: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["line", "reason", "detail", "raw"])
    )

    @property
    def n_read(self) -> int:
        """Return the number of records read, well-formed or not."""
        return len(self.rows) + len(self.malformed)


def file_sha256(path: Path) -> str:
    """Return the SHA-256 of a file's bytes."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


_fail = file_error


def read_file(path: Path, *, layer: str | None = None) -> RawTable:
    """Read any supported input file into a :class:`RawTable`.

    Parameters
    ----------
    path
        The file; its extension picks the reader (``.csv/.txt/.tsv``, ``.xlsx``, ``.xls``,
        ``.ods``, ``.geojson``, ``.json`` — GeoJSON or police open-API events — and
        ``.gpkg``). A table's header is the first row naming a time column
        (:func:`header_index`), so a title above it is no row; Excel's ``sep=;`` line names a
        CSV's delimiter.
    layer
        The layer of a GeoPackage, or the sheet of a workbook, to read; default its only
        one, or the only one with features (a table).

    Returns
    -------
    RawTable
        The rows and their line numbers.

    Raises
    ------
    ImportFileError
        If the file is missing, unreadable, of an unknown type, or empty, if two columns
        a field reads have the same name, or if a GeoPackage has several layers with
        features (a workbook several sheets with tables) and ``layer`` names none of them.
    """
    if not path.is_file():
        raise _fail(path, "no such file", "Check the path")
    kind = _EXTENSIONS.get(path.suffix.lower())
    if kind is None:
        known = ", ".join(sorted(_EXTENSIONS))
        raise _fail(path, f"unknown file type {path.suffix!r}", f"Use one of {known}")
    if layer is not None and kind not in ("gpkg", *_WORKBOOKS):
        raise _fail(
            path, "--layer is given but the file is no GeoPackage or workbook", "Leave --layer out"
        )
    sha = file_sha256(path)
    if path.stat().st_size == 0:
        raise _fail(path, "the file is empty", "Export the data again with a header row and rows")
    if kind == "csv":
        table = _read_csv(path, sha)
    elif kind in _WORKBOOKS:
        table = _read_workbook(path, sha, kind, layer)
    elif kind == "json":
        table = _read_json(path, sha)
    else:
        table = _read_geo(path, sha, kind, layer)
    if table.n_read == 0:
        raise _fail(
            path, "the file has a header but no rows", "Export the data again with its rows"
        )
    logger.info("%s: %d rows (%s)", path, len(table.rows), table.format)
    return table


def _cell_text(value: object) -> str:
    """Return a header cell as text, ``""`` for an empty one."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return str(value).strip()


def find_header(rows: Sequence[Sequence[object]]) -> int | None:
    """Return which of a table's first rows names a date or time column and one more.

    Parameters
    ----------
    rows
        The table's first rows (blank ones may be left out), cells as read.

    Returns
    -------
    int or None
        The first of the first :data:`HEADER_ROWS` rows that names a date or time column and
        one more known column (:data:`geo.ingest._columns.ALIASES`); ``None`` when none does.
    """
    for i, row in enumerate(rows[:HEADER_ROWS]):
        fields = resolve_columns(t for t in map(_cell_text, row) if t)
        if len(fields) >= 2 and ("datetime" in fields or "date" in fields):
            return i
    return None


def header_index(rows: Sequence[Sequence[object]]) -> int:
    """Return which of a table's first rows is its header.

    Kommun exports often put a title and a blank or date line above the table.

    Parameters
    ----------
    rows
        The table's first rows (blank ones may be left out), cells as read.

    Returns
    -------
    int
        The first of the first :data:`HEADER_ROWS` rows that names a date or time column
        and one more known column (:data:`geo.ingest._columns.ALIASES`); 0 when none does
        (the first row is the header, and a missing column is reported from it).
    """
    found = find_header(rows)
    return 0 if found is None else found


def header_names(path: Path, cells: Sequence[object], line: int) -> list[str]:
    """Return a header's column names: stripped, an empty cell named by its position.

    Parameters
    ----------
    path
        The file (for the error).
    cells
        The header row's cells.
    line
        The header's line or sheet row (from 1), for the error.

    Returns
    -------
    list of str
        One unique name per column; a name repeated in a column no field reads gets its
        position (``foo (5)``).

    Raises
    ------
    ImportFileError
        If a name that a field reads (``Datum``, ``Beskrivning`` …) heads two columns: which
        one holds the incident's value cannot be told.
    """
    names = [_cell_text(c) or f"kolumn {j + 1}" for j, c in enumerate(cells)]
    first: dict[str, int] = {}
    out = []
    for j, name in enumerate(names):
        key = name.casefold()
        if key not in first:
            first[key] = j
            out.append(name)
            continue
        if resolve_columns([name]):
            raise _fail(
                path,
                f"the header on line {line} has two columns named {name!r} (columns "
                f"{first[key] + 1} and {j + 1})",
                f"Rename the one that does not hold the incident's value (e.g. to '{name} 2')",
            )
        out.append(f"{name} ({j + 1})")
    return out


def _decode(path: Path) -> str:
    """Return a text file's text (:func:`geo.tabletext.decode_table_text`)."""
    try:
        return decode_table_text(path.read_bytes())
    except UnicodeDecodeError as e:
        raise _fail(path, f"cannot decode the text ({e})", "Save the file as UTF-8 CSV") from e


def sniff_delimiter(sample: str) -> str:
    """Return the field delimiter of a CSV text (``,``, ``;``, tab or ``|``).

    Parameters
    ----------
    sample
        The first lines of the file.

    Returns
    -------
    str
        The delimiter :class:`csv.Sniffer` finds, else the most frequent of ``;``, ``,``
        and tab.
    """
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        counts = {d: sample.count(d) for d in ";,\t"}
        return max(counts, key=lambda d: counts[d])


def _header_fields(head: list[str], delimiter: str) -> int:
    """Return how many fields the header of a CSV's first lines names, split by ``delimiter``."""
    try:
        rows = list(csv.reader(head, delimiter=delimiter))
    except csv.Error:
        return 0
    found = find_header(rows)
    return 0 if found is None else len(resolve_columns(c.strip() for c in rows[found] if c))


def _delimiter(head: list[str]) -> str:
    """Return a CSV's delimiter: the one sniffed, unless another splits its header into more.

    The sniffer goes by the whole text: cells full of commas (``Bråk, skrik, glas``) in a
    file of few rows made it take the comma, and the header ``Datum;Plats;Beskrivning`` was
    one column, the whole file refused. Of the delimiters (``;``, ``,``, tab, ``|``), the
    one whose split header names the most fields (:func:`find_header`) wins; the sniffed one
    on a tie.
    """
    sniffed = sniff_delimiter("\n".join(head))
    counts = {d: _header_fields(head, d) for d in dict.fromkeys((sniffed, ";", ",", "\t", "|"))}
    return max(counts, key=lambda d: counts[d])  # the first of the most: the sniffed one


def _malformed(line: int, detail: str, fields: list[str]) -> dict[str, object]:
    """Return a record that is no row of the table, as quarantined (``malformed_row``)."""
    raw = json.dumps(fields, ensure_ascii=False)
    return {"line": line, "reason": "malformed_row", "detail": detail, "raw": raw}


def _named_width(cells: list[str]) -> int:
    """Return how many of a header's columns a row must have: up to its last named one."""
    return max((i + 1 for i, cell in enumerate(cells) if cell.strip()), default=0)


def fit_fields(fields: list[str], width: int, named: int) -> list[str] | None:
    """Return a record's fields fitted to its header's ``width`` columns, else ``None``.

    Blank fields past the header (a trailing delimiter, as Excel writes for cells once used
    to the right of the table) are dropped, and missing fields are blank where the header
    names no column (Excel leaves the delimiters of trailing empty cells out of some rows).

    Parameters
    ----------
    fields
        The record's fields.
    width
        The header's columns.
    named
        The header's columns up to its last named one (:func:`_named_width`).

    Returns
    -------
    list of str or None
        ``width`` fields; ``None`` when a field would be lost or a named one is missing.
    """
    if len(fields) > width and not any(f.strip() for f in fields[width:]):
        return fields[:width]
    if named <= len(fields) <= width:
        return fields + [""] * (width - len(fields))
    return None


#: A line break inside a quoted text, as the file's line ends write it (CRLF, a lone CR).
_BREAK = re.compile(r"\r\n?")


def _one_break(field: str) -> str:
    """Return a text with its line breaks as a workbook's cell holds them: LF alone.

    A text over lines kept the file's line ends: the same file saved with CRLF and with LF
    gave two descriptions, and the same event was stored twice.
    """
    return _BREAK.sub("\n", field) if "\r" in field else field


def _read_csv(path: Path, sha: str) -> RawTable:
    """Read a CSV: the header the first row naming a time column, each record a row or not.

    A record that does not fit the header (:func:`fit_fields`), a quote not closed and a
    line the csv module refuses are quarantined as ``malformed_row`` on their own line,
    and the lines after them read as rows (:func:`geo.ingest._csv.records`). A line break
    inside a text is LF alone, whatever the file's line ends (:func:`_one_break`).
    """
    lines = text_lines(_decode(path))
    head = [line.rstrip("\r\n") for line in lines[:50]]
    hint = SEP_HINT.fullmatch(head[0]) if head else None  # Excel's "sep=;" line
    delimiter = hint[1] if hint else _delimiter(head)
    found: list[Record] = []
    for record in records(lines, delimiter, start=1 if hint else 0):
        if not record.problem and any(field.strip() for field in record.fields):
            found.append(record)
        if len(found) == HEADER_ROWS:
            break
    if not found:
        raise _fail(path, "the file has no header row", "Export the data again with a header row")
    first = found[header_index([record.fields for record in found])]
    if first is not found[0]:
        logger.info("%s: the header is on line %d (a title above it skipped)", path, first.first)
    header = header_names(path, first.fields, first.first)
    width, named = len(header), _named_width(first.fields)
    rows: list[list[str]] = []
    row_lines: list[int] = []
    malformed: list[dict[str, object]] = []
    for record in records(lines, delimiter, start=first.last, header=header):
        fitted = fit_fields(record.fields, width, named)
        if record.problem:
            malformed.append(_malformed(record.first, record.problem, record.fields))
        elif not any(field.strip() for field in record.fields):
            continue  # a blank line
        elif fitted is None:
            detail = (
                f"{len(record.fields)} fields where the header has {width}; "
                f"check the delimiter {delimiter!r} and quoting on this line"
            )
            malformed.append(_malformed(record.first, detail, record.fields))
        else:
            rows.append([_one_break(field) for field in fitted])
            row_lines.append(record.first)
    df = pd.DataFrame(rows, columns=header, dtype=object) if rows else pd.DataFrame(columns=header)
    bad = pd.DataFrame(malformed, columns=["line", "reason", "detail", "raw"])
    table = RawTable(path, "csv", sha, df, np.asarray(row_lines, dtype=int), malformed=bad)
    if df.empty and not bad.empty:
        raise _fail(
            path,
            f"no row matches the header's {width} fields",
            "Check the delimiter and quoting",
        )
    return table


def _with_header(path: Path, sheet: pd.DataFrame, fmt: str, sha: str) -> RawTable:
    """Return a sheet's rows under its header (the row :func:`header_index` finds).

    ``sheet`` holds the sheet's rows from its first (index 0 is sheet row 1), no header.
    """
    if sheet.empty:
        return RawTable(path, fmt, sha, pd.DataFrame(), np.asarray([], dtype=int))
    filled = sheet.dropna(how="all")
    first = int(filled.index[header_index(filled.to_numpy().tolist())])
    if first:
        logger.info("%s: the header is on row %d (a title above it skipped)", path, first + 1)
    header = header_names(path, list(sheet.loc[first]), first + 1)
    df = filled.loc[first + 1 :].set_axis(header, axis=1)
    lines = np.asarray(df.index) + 1  # index 0 is sheet row 1
    return RawTable(path, fmt, sha, df.reset_index(drop=True), lines)


def _table_rows(sheet: pd.DataFrame) -> int:
    """Return the rows of a sheet under a header it has (:func:`find_header`), else 0."""
    filled = sheet.dropna(how="all")
    found = find_header(filled.to_numpy().tolist())
    return 0 if found is None else len(filled) - found - 1


def _read_workbook(path: Path, sha: str, kind: str, layer: str | None) -> RawTable:
    """Read a sheet of a workbook: the one ``layer`` names, else the only one with a table.

    A workbook's sheets are read as a GeoPackage's layers (:func:`choose_layer`): a cover
    sheet first was read instead of the data, and of sheets with tables (one per month)
    only the first was read, the others not counted. A sheet is "with a table" when a row
    names a date or time column and one more (:func:`find_header`); when none has one, the
    first is read and the import names its columns. The import of a sheet other than the
    first is named by the file and the sheet (:func:`layer_sha`), so that each is imported
    once; the first keeps the file's name, as before.

    A ``.xls`` that is a zip (an ``.xlsx`` renamed) is read as one; an HTML page or text
    named ``.xls`` is refused naming what it is. Cells of ``.xls`` and ``.ods`` are text
    as :func:`geo.pointxls.read_xls` and :func:`geo.pointods.read_ods` write them.
    """
    if kind == "xls":
        from geo.pointxls import NOT_A_WORKBOOK_FIX, workbook_kind  # xlrd: rare .xls

        found = workbook_kind(path)
        if found not in ("xls", "xlsx"):
            raise _fail(
                path,
                f"named .xls but not an Excel workbook: it is {found}, as some 'Excel' downloads"
                " are",
                NOT_A_WORKBOOK_FIX,
            )
        kind = found
    what = {"xlsx": "XLSX workbook", "xls": "XLS workbook", "ods": "OpenDocument spreadsheet"}
    try:
        sheets = read_sheets(path, kind)
    except Exception as e:  # openpyxl, xlrd and zipfile raise many types for damaged files
        raise _fail(
            path,
            f"not a readable {what[kind]} ({type(e).__name__}: {e})",
            "Open it in Excel or LibreOffice and save as .xlsx",
        ) from e
    counts = {name: _table_rows(sheet) for name, sheet in sheets.items()}
    chosen = choose_layer(path, counts, layer, noun="sheet", unit="rows", first_if_none=True)
    names = list(sheets)
    name = chosen if chosen is not None else names[0]
    return _with_header(path, sheets[name], kind, sha if name == names[0] else layer_sha(sha, name))


def _gpkg_layer(path: Path, sha: str, layer: str | None) -> tuple[str | None, str]:
    """Return the layer of a GeoPackage to read and the hash that names its import.

    A GeoPackage of one layer is read whole, its hash the file's. Of several (QGIS saves a
    project's layers in one file) the one named, else the only one with features
    (:func:`choose_layer`); its hash is that of the file and the layer (:func:`layer_sha`).
    """
    try:
        names = [str(name) for name, _ in pyogrio.list_layers(path)]
    except (DataSourceError, DataLayerError, OSError, ValueError):
        return layer, sha  # gpd.read_file names the problem
    if len(names) <= 1:
        return choose_layer(path, dict.fromkeys(names, 0), layer), sha
    counts = {
        name: int(pyogrio.read_info(path, layer=name)["features"]) if layer is None else 0
        for name in names
    }
    chosen = choose_layer(path, counts, layer)
    assert chosen is not None  # a file of several layers
    return chosen, layer_sha(sha, chosen)


def _feature_ids(path: Path) -> list[str | None] | None:
    """Return the ``id`` members of a GeoJSON's features as text, or ``None`` if none has one.

    GDAL keeps a text ``id`` as a column but takes a number ``id`` for the row's own number
    (its FID), which is no column: the id was lost, and the file saved again with a row
    corrected stored its event a second time.
    """
    data = json.loads(_decode(path))
    features = data.get("features", [data]) if isinstance(data, dict) else []
    ids = [f.get("id") if isinstance(f, dict) else None for f in features]
    if all(i is None for i in ids):
        return None
    return [None if i is None else str(i) for i in ids]


def _read_geo(path: Path, sha: str, kind: str, layer: str | None = None) -> RawTable:
    """Read a GeoJSON or a GeoPackage layer: properties as columns, a point per geometry.

    A geometry is read as a point on it (:meth:`shapely.Geometry.representative_point`: of
    a MultiPoint the point nearest its centre, a point inside a polygon). A GeoJSON
    feature's own ``id`` is its ``id`` column when its properties have none
    (:func:`_feature_ids`).
    """
    if kind == "gpkg":
        layer, sha = _gpkg_layer(path, sha, layer)
    try:
        gdf = gpd.read_file(path, layer=layer)
    except (DataSourceError, DataLayerError, OSError, ValueError) as e:
        raise _fail(path, f"not a readable {kind.upper()} ({e})", "Check the file in QGIS") from e
    if gdf.crs is None and kind == "gpkg":
        raise _fail(path, "the layer has no CRS", "Set the layer's CRS in QGIS and save again")
    epsg = gdf.crs.to_epsg() if gdf.crs is not None else 4326
    pts = gdf.geometry.map(lambda g: None if g is None or g.is_empty else g.representative_point())
    rows = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
    rows["__x"] = [p.x if p is not None else np.nan for p in pts]
    rows["__y"] = [p.y if p is not None else np.nan for p in pts]
    rows["__geom_type"] = [g.geom_type if g is not None else None for g in gdf.geometry]
    if kind == "geojson" and "id" not in resolve_columns(rows.columns):
        ids = _feature_ids(path)
        if ids is not None and len(ids) == len(rows):
            rows.insert(0, "id", ids)
    lines = np.arange(len(rows)) + 1
    return RawTable(
        path, kind, sha, rows.reset_index(drop=True), lines, epsg=int(epsg) if epsg else None
    )


def _read_json(path: Path, sha: str) -> RawTable:
    try:
        data: Any = json.loads(_decode(path))
    except json.JSONDecodeError as e:
        raise _fail(
            path,
            f"not valid JSON (line {e.lineno}, column {e.colno}: {e.msg})",
            "Fix the JSON syntax",
        ) from e
    if isinstance(data, dict) and data.get("type") in ("FeatureCollection", "Feature"):
        return _read_geo(path, sha, "geojson")
    if isinstance(data, list) and all(isinstance(e, dict) for e in data):
        if data and not {"id", "datetime", "type", "location"} <= set(data[0]):
            raise _fail(
                path,
                "a JSON list that is not police open-API events "
                "(needs id, datetime, type, location)",
                "Convert it to CSV or GeoJSON",
            )
        rows = pd.DataFrame({"__event": data}) if data else pd.DataFrame({"__event": []})
        return RawTable(path, "polisen", sha, rows, np.arange(len(rows)) + 1)
    raise _fail(
        path,
        "JSON that is neither GeoJSON nor a list of police events",
        "Convert it to CSV or GeoJSON",
    )
