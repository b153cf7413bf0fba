"""Read a file of dated points (CSV, Excel, GeoJSON, GeoPackage) for a backtest, not the store.

Every row read is accounted for: it is used, left out by a ``--where`` filter, a further row
of an incident already counted (``id_col``), or dropped with a reason (no location, an
impossible location, no time, far from all the others, outside the file's main period).
Open data from other cities carry such rows (missing coordinates, ``(0, 0)`` for "not
geocoded", a few points geocoded to another state); left in, one far point would stretch
the study area over hundreds of kilometres of empty grid and dilute every PAI.
"""

from __future__ import annotations

import bz2
import codecs
import gzip
import logging
import lzma
import re
import zipfile
import zoneinfo
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError as PyprojCRSError

from geo.errors import CRSError, DataError, ImportFileError
from geo.ingest._coords import to_number
from geo.ingest.readers import sniff_delimiter
from geo.timeformat import ParsedColumn, parse_time_column

__all__ = [
    "DROP_REASONS",
    "FAR_FACTOR",
    "FAR_QUANTILE",
    "MAX_GAP_MONTHS",
    "MAX_OUTSIDE_SHARE",
    "MIN_FAR_KM",
    "MIN_MONTH_SHARE",
    "main_period",
    "parse_period",
    "read_points",
]

logger = logging.getLogger(__name__)

#: Why a row is dropped, in the order the reasons are checked (a row gets the first that fits).
DROP_REASONS: tuple[str, ...] = (
    "no location",
    "impossible location",
    "no time",
    "far from the others",
    "outside the period",
)
#: A point is "far from the others" beyond :data:`FAR_FACTOR` times the distance from the
#: median point within which this share of the points lies: 90 %, so that a few per cent of
#: placeholder coordinates (Boston writes ``-1,-1`` for 2 % of its rows) do not set the limit ...
FAR_QUANTILE = 0.9
#: ... times this (in a city's spread the 99 % distance is 1.2–1.3 × the 90 % one, so the
#: limit stays about 5 × the 99 % distance) ...
FAR_FACTOR = 6.0
#: ... and never closer than this (km).
MIN_FAR_KM = 10.0
#: A month at either end of the file with fewer events than this share of a typical month
#: lies outside the file's main period: events dated years back in a year's export (reported
#: late, or a typo), the months before it that hold only complaints reported in it (a few
#: per cent of a month each in NYPD-style exports), or a stray event dated after the export.
MIN_MONTH_SHARE = 0.15
#: More of a time column's written values than this share unread, and the file is refused.
MAX_UNREAD_SHARE = 0.1
#: Filled months farther apart than this belong to separate periods of a file.
MAX_GAP_MONTHS = 12
#: The main period never leaves out more than this share of the events: a file whose thin
#: ends hold more (one month with most of the events, say) is kept whole.
MAX_OUTSIDE_SHARE = 0.05

FloatArray = npt.NDArray[np.float64]


_COMPRESSED: dict[str, Callable[..., Any]] = {
    ".gz": gzip.open,
    ".bz2": bz2.open,
    ".xz": lzma.open,
}


_TABLE_SUFFIXES = (".csv", ".txt", ".tsv")


def _zip_tables(path: Path) -> list[str]:
    """Return the CSV members of a zip file in name order (empty if it is not a zip of CSVs)."""
    try:
        with zipfile.ZipFile(path) as z:
            names = z.namelist()
    except (zipfile.BadZipFile, OSError):
        return []
    return sorted(
        n for n in names if n.lower().endswith(_TABLE_SUFFIXES) and not n.startswith("__MACOSX/")
    )


def _is_csv(path: Path) -> bool:
    """Tell a CSV, also one compressed as ``.csv.gz``, ``.bz2`` or ``.xz``.

    A zip is told by its members (:func:`_zip_tables`).
    """
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] in _COMPRESSED:
        suffixes = suffixes[:-1]
    return bool(suffixes) and suffixes[-1] in _TABLE_SUFFIXES


def _opener(path: Path, member: str | None) -> Callable[[], AbstractContextManager[IO[bytes]]]:
    """Return a function opening the (possibly compressed or zipped) table as binary."""

    @contextmanager
    def open_table() -> Iterator[IO[bytes]]:
        if member is None:
            with _COMPRESSED.get(path.suffix.lower(), open)(path, "rb") as f:
                yield f
        else:
            with zipfile.ZipFile(path) as z, z.open(member) as f:
                yield f

    return open_table


def _encoding(open_table: Callable[[], AbstractContextManager[IO[bytes]]]) -> tuple[str, int]:
    """Choose the encoding of a CSV table; return it and how many lines have bad bytes in it.

    UTF-16 by its byte-order mark (as Excel's "Unicode text" export has one); UTF-8 when the
    file is UTF-8 or mostly so (more lines with valid non-ASCII UTF-8 than with bytes that are
    not UTF-8: a stray Windows-1252 byte pasted into a UTF-8 export), its bad bytes counted;
    otherwise Windows-1252.
    """
    with open_table() as f:
        if bytes(f.read(2)) in (b"\xff\xfe", b"\xfe\xff"):
            return "utf-16", 0
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with open_table() as f:
            for chunk in iter(lambda: bytes(f.read(1 << 20)), b""):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        return "utf-8-sig", 0
    except UnicodeDecodeError:
        pass
    good = bad = 0
    with open_table() as f:
        for line in f:
            if line.isascii():
                continue
            try:
                line.decode("utf-8")
                good += 1
            except UnicodeDecodeError:
                bad += 1
    return ("utf-8-sig", bad) if good > bad else ("cp1252", 0)


def _read_one_csv(
    open_table: Callable[[], AbstractContextManager[IO[bytes]]], columns: set[str], name: str
) -> pd.DataFrame:
    """Read one CSV table: delimiter sniffed, encoding chosen by :func:`_encoding`.

    Only ``columns`` are read (all of them if one is missing, for the caller to name).
    ``attrs["bad_lines"]`` counts the lines with bytes that are not UTF-8 (replaced by "�").
    """
    encoding, bad_lines = _encoding(open_table)
    if bad_lines:
        logger.warning("%s: %d line(s) with bytes that are not UTF-8, read as '�'", name, bad_lines)
    with open_table() as f:
        head = bytes(f.read(65_536)).decode(encoding, errors="replace")
    sep = sniff_delimiter("\n".join(head.splitlines()[:50]))
    errors = "replace" if bad_lines else "strict"
    try:
        with open_table() as f:
            header = pd.read_csv(
                f, sep=sep, encoding=encoding, encoding_errors=errors, nrows=0
            ).columns
        if not columns <= set(header):
            return pd.DataFrame(columns=header)
        with open_table() as f:
            df: pd.DataFrame = pd.read_csv(
                f, sep=sep, encoding=encoding, encoding_errors=errors, dtype=str,
                usecols=list(columns),
            )  # fmt: skip
    except UnicodeDecodeError as e:
        msg = f"{name!r} is neither UTF-8 nor Windows-1252 text ({e}); save it as UTF-8 CSV."
        raise ImportFileError(msg) from e
    except pd.errors.ParserError as e:
        msg = (
            f"{name!r} is not a readable CSV table with the delimiter {sep!r}: {e}. "
            "Check the delimiter and the quoting of text fields on that line."
        )
        raise ImportFileError(msg) from e
    df.attrs["bad_lines"] = bad_lines
    return df


def _read_csv(path: Path, columns: set[str], names: Sequence[str] = ()) -> pd.DataFrame:
    """Read a CSV, or the CSV members ``names`` of a zip as one table.

    The members must share the named columns (data.police.uk's downloads hold one file per
    month and force). ``attrs["members"]`` lists ``(name, rows)`` of a zip's tables, in the
    order read.
    """
    if not names:
        return _read_one_csv(_opener(path, None), columns, str(path))
    tables: list[pd.DataFrame] = []
    members: list[tuple[str, int]] = []
    bad_lines = 0
    for member in names:
        name = f"{path}!{member}" if len(names) > 1 else str(path)
        table = _read_one_csv(_opener(path, member), columns, name)
        if not columns <= set(table.columns):
            if len(members) == 0:
                return table  # the caller names what is missing
            msg = (
                f"{member!r} in {str(path)!r} has no column(s) "
                f"{sorted(columns - set(table.columns))!r} that the files before it have; "
                f"its columns are {list(table.columns)}."
            )
            raise ImportFileError(msg)
        tables.append(table)
        members.append((member, len(table)))
        bad_lines += int(table.attrs.get("bad_lines", 0))
    out = pd.concat(tables, ignore_index=True)
    out.attrs["members"] = members
    out.attrs["bad_lines"] = bad_lines
    return out


@dataclass(frozen=True)
class _Table:
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


#: Rows searched for the header of an Excel sheet that has title lines above it.
_HEADER_ROWS = 20


def _with_header(raw: pd.DataFrame, columns: set[str], path: Path) -> pd.DataFrame:
    """Make the first row that names every wanted column the header (else the first row).

    Portals' Excel exports often put a title and a date line above the table.
    """
    first = 0
    for i in range(min(_HEADER_ROWS, len(raw))):
        if columns <= {str(v).strip() for v in raw.iloc[i] if pd.notna(v)}:
            first = i
            break
    if first:
        logger.info("%s: the header is on row %d (title rows above it skipped)", path, first + 1)
    header = [
        str(v).strip() if pd.notna(v) else f"Unnamed: {j}" for j, v in enumerate(raw.iloc[first])
    ]
    df = raw.iloc[first + 1 :].reset_index(drop=True)
    df.columns = pd.Index(header)
    return df


def _read_excel(path: Path, sheet: str | None, columns: set[str]) -> _Table:
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
    return _Table(df, None, name, tuple(names), "sheet")


def _read_table(path: Path, columns: set[str], layer: str | None) -> _Table:
    """Read the file; of a CSV only ``columns`` (all of them if one is missing)."""
    suffix = path.suffix.lower()
    if suffix in _EXCEL_SUFFIXES:
        return _read_excel(path, layer, columns)
    members = _zip_tables(path) if suffix == ".zip" else []  # a zip of CSVs, or e.g. a shapefile
    try:
        if members or _is_csv(path):
            if layer is not None:
                msg = f"{str(path)!r} is a CSV table: it has no layers; leave out --layer."
                raise ImportFileError(msg)
            return _Table(_read_csv(path, columns, members), None)
        name, layers = _layer(path, layer)
        df = pyogrio.read_dataframe(path, layer=name)
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, pyogrio.errors.DataSourceError) as e:
        if isinstance(e, ImportFileError):
            raise
        msg = (
            f"Cannot read points from {str(path)!r}: {e}. Use a CSV (also .csv.gz/.zip), "
            "an Excel workbook (.xlsx), GeoJSON or GeoPackage."
        )
        raise ImportFileError(msg) from e
    return _Table(df, df.crs, name, layers)


def _parse_where(where: Sequence[str]) -> list[tuple[str, str]]:
    """Split the ``--where`` filters into ``(column, value)``, ends stripped."""
    out = []
    for cond in where:
        col, sep, value = cond.partition("=")
        if not sep or not col.strip():
            msg = f'Filter {cond!r} must be COLUMN=VALUE, e.g. --where "Primary Type=NARCOTICS".'
            raise ImportFileError(msg)
        out.append((col.strip(), value.strip()))
    return out


def _match_keys(values: pd.Series) -> pd.Series:
    """Return what ``--where`` compares of each value.

    Spaces at the ends are ignored, text is compared without case (``Narcotics`` is
    ``NARCOTICS``) and a number by its value (``3`` is ``3.0``, as a GeoJSON property with
    nulls is read). Missing values stay missing.
    """
    codes, uniques = pd.factorize(values.astype("string").str.strip())
    text = pd.Series(uniques, dtype="string")
    keys = np.array(text.str.casefold().astype(object), dtype=object)
    number = pd.to_numeric(text, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    for i in np.flatnonzero(np.isfinite(number)):
        keys[i] = repr(float(number[i]) + 0.0)  # -0.0 is 0.0
    found = codes >= 0
    out = np.full(len(values), None, dtype=object)
    out[found] = keys[codes[found]]
    return pd.Series(out, index=values.index, dtype="string")


def _common_values(values: pd.Series, n: int = 8) -> str:
    """Name the ``n`` most common values, writing variants compared alike together.

    ``'NARCOTICS'/'Narcotics' (7,563)``: what a filter value must match, and how often.
    """
    counts = values.astype("string").str.strip().value_counts()
    if counts.empty:
        return "none (the column is empty)"
    keys = _match_keys(pd.Series(counts.index, dtype="string")).to_numpy()
    groups = pd.Series(counts.to_numpy(), index=keys).groupby(level=0, sort=False)
    said = []
    for key, total in groups.sum().sort_values(ascending=False, kind="stable").head(n).items():
        variants = "/".join(repr(str(v)) for v in counts.index[keys == key])
        said.append(f"{variants} ({total:,})")
    return ", ".join(said)


def _filter(df: pd.DataFrame, where: Sequence[tuple[str, str]], path: Path) -> pd.DataFrame:
    """Keep the rows that match every column's filters: one of its values (``A=x``, ``A=y``).

    Values are compared as :func:`_match_keys` says; the columns must exist.
    """
    wanted: dict[str, list[str]] = {}
    for col, value in where:
        wanted.setdefault(col, []).append(value)
    for col, values in wanted.items():
        want = set(_match_keys(pd.Series(values, dtype="string")).dropna())
        kept = df[_match_keys(df[col]).isin(want).fillna(value=False).to_numpy(dtype=bool)]
        if kept.empty:
            said = repr(values[0]) if len(values) == 1 else f"any of {values!r}"
            msg = (
                f"No row of {str(path)!r} has {col} = {said} (compared without case, spaces "
                "at the ends and how a number is written; after the filters before it); its "
                f"most common values are {_common_values(df[col])}."
            )
            raise ImportFileError(msg)
        df = kept
    return df


def _missing_columns(
    table: _Table, path: Path, missing: Sequence[str], where: Sequence[tuple[str, str]]
) -> ImportFileError:
    """Make the error for columns the file (or the layer read) does not have."""
    source = f"{str(path)!r}, {table.kind} {table.label}," if table.layer else repr(str(path))
    by_where = [f"{c}={v}" for c, v in where if c in missing]
    named = f" (named in --where {', '.join(map(repr, by_where))})" if by_where else ""
    msg = (
        f"{source} has no column(s) {list(missing)!r}{named}; its columns are "
        f"{list(table.df.columns)}."
    )
    if table.n_layers > 1:
        msg += (
            f" Choose another {table.kind} with --layer; the {table.kind}s are "
            f"{list(table.layers)}."
        )
    return ImportFileError(msg)


#: A number with thousands separators: ``1,176,423`` or ``1,176.5`` (not a decimal comma).
_THOUSANDS = r"-?\d{1,3}(?:,\d{3})+(?:\.\d+)?"


def _numbers(values: pd.Series) -> FloatArray:
    """Read a coordinate column: a decimal comma or point, or thousands separators.

    Thousands separators are read only when every value with a comma has them and at least
    one value cannot be a decimal comma (``1,176,423`` or ``1,176.5``): ``14,875`` alone
    stays 14.875.
    """
    text = values.astype("string").str.strip()
    filled = text[text.notna() & (text != "")]
    comma = filled.str.contains(",", regex=False).to_numpy(dtype=bool)
    if comma.any():
        grouped = filled[comma]
        plain = filled[~comma].str.fullmatch(r"-?\d+(?:\.\d+)?")
        sure = (grouped.str.count(",") > 1) | grouped.str.contains(".", regex=False)
        if grouped.str.fullmatch(_THOUSANDS).all() and plain.all() and sure.any():
            return to_number(text.str.replace(",", "", regex=False))
    return to_number(values)


#: A whole point in one cell: WKT ``POINT (-87.6 41.8)`` or Socrata's ``(41.8, -87.6)``.
_PAIR = re.compile(r"POINT\s*\(|\(\s*-?\d+(?:\.\d+)?\s*,\s*-?\d+(?:\.\d+)?\s*\)", re.IGNORECASE)


def _check_one_number(df: pd.DataFrame, columns: Sequence[str], path: Path) -> None:
    """Refuse a coordinate column holding whole points, saying what it holds and what to do."""
    for col in dict.fromkeys(columns):
        filled = df[col].dropna().astype(str)
        first = filled.iloc[0] if len(filled) else ""
        if _PAIR.search(first) or (len(columns) == 2 and columns[0] == columns[1]):
            msg = (
                f"Column {col!r} of {str(path)!r} holds whole points (e.g. {first!r}), not one "
                "coordinate; --x-col and --y-col must name two columns, x the longitude or "
                "easting. Use the file's own longitude/latitude columns if it has them, or "
                "split this one into two (WKT 'POINT (x y)' is x first; Socrata's '(lat, lon)' "
                "is latitude first)."
            )
            raise ImportFileError(msg)


def _coordinates(
    df: pd.DataFrame, x_col: str | None, y_col: str | None, path: Path
) -> tuple[FloatArray, FloatArray]:
    if x_col and y_col:
        _check_one_number(df, [x_col, y_col], path)
        return _numbers(df[x_col]), _numbers(df[y_col])
    if not isinstance(df, gpd.GeoDataFrame):
        msg = "A CSV has no geometry; pass --x-col and --y-col."
        raise ImportFileError(msg)
    geom = df.geometry.to_numpy()
    points = shapely.get_type_id(geom) == shapely.GeometryType.POINT
    where_else = ~points & ~shapely.is_missing(geom) & ~shapely.is_empty(geom)
    geom = geom.copy()
    geom[where_else] = shapely.point_on_surface(geom[where_else])  # lines, polygons
    return shapely.get_x(geom).astype(float), shapely.get_y(geom).astype(float)


def _source_crs(crs: str | None, file_crs: CRS | None, path: Path) -> CRS:
    src = crs or file_crs
    if src is None:
        msg = f"No CRS for the coordinates of {str(path)!r}; pass --crs, e.g. EPSG:4326."
        raise CRSError(msg)
    try:
        return CRS.from_user_input(src)
    except PyprojCRSError as e:
        msg = f"{src!r} is not a coordinate reference system; write it like 'EPSG:4326'."
        raise CRSError(msg) from e


def _check_units(x: FloatArray, y: FloatArray, src: CRS, path: Path) -> None:
    """Refuse coordinates that cannot be in ``src``: degrees given as metres, or the reverse."""
    finite = np.isfinite(x) & np.isfinite(y) & ~((x == 0) & (y == 0))
    if finite.sum() == 0:
        return
    in_degrees = float(np.mean((np.abs(x[finite]) <= 180) & (np.abs(y[finite]) <= 90)))
    example = f"({x[finite][0]:g}, {y[finite][0]:g})"
    if not src.is_geographic and in_degrees >= 0.99:
        msg = (
            f"The coordinates of {str(path)!r} look like longitude/latitude in degrees "
            f"(e.g. {example}), but {src.to_string()} counts metres; pass --crs EPSG:4326."
        )
        raise CRSError(msg)
    if src.is_geographic and in_degrees <= 0.01:
        msg = (
            f"The coordinates of {str(path)!r} (e.g. {example}) are not degrees, but "
            f"{src.to_string()} is longitude/latitude; pass the projected CRS they are in, "
            "e.g. --crs EPSG:3006 (SWEREF 99 TM) or the city's State Plane or UTM zone."
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


def _check_axes(
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


def _project(
    x: FloatArray, y: FloatArray, src: CRS, path: Path
) -> tuple[FloatArray, FloatArray, CRS]:
    """Return the points in ground metres with non-negative coordinates, as the grid needs.

    Points in such a CRS are returned as given; all others (degrees, feet, Web Mercator,
    metres below zero such as US Albers west of its centre) are projected into the UTM zone
    of their median point.
    """
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


def _far(
    x: FloatArray, y: FloatArray, max_distance_km: float | None
) -> tuple[npt.NDArray[np.bool_], float]:
    d = np.hypot(x - np.median(x), y - np.median(y))
    if max_distance_km is None:
        limit = max(FAR_FACTOR * float(np.quantile(d, FAR_QUANTILE)), MIN_FAR_KM * 1000.0)
    else:
        limit = max_distance_km * 1000.0
    return d > limit, limit / 1000.0


#: Far rows sharing one exact coordinate are named as such when at least this many do.
MIN_PILE = 10


def _pile(x: FloatArray, y: FloatArray) -> str:
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


def parse_period(text: str) -> tuple[pd.Period | None, pd.Period | None]:
    """Read ``"FROM:TO"`` in months (``"2019-01:2019-12"``, ``"2019-03:"``, ``":2019-12"``).

    Parameters
    ----------
    text
        The period as the user wrote it (``--period``).

    Returns
    -------
    tuple
        The first and the last month (:class:`pandas.Period`), ``None`` for an open side.

    Raises
    ------
    DataError
        If it is not two ``YYYY-MM`` months (either may be left out), the first not after
        the second.
    """
    start, sep, end = text.partition(":")
    months: list[pd.Period | None] = []
    for part in (start.strip(), end.strip()):
        if not part:
            months.append(None)
        elif re.fullmatch(r"\d{4}-\d{2}", part) and 1 <= int(part[5:]) <= 12:
            months.append(pd.Period(part, freq="M"))
        else:
            msg = (
                f"Period {text!r}: {part!r} is not a month; write FROM:TO as YYYY-MM:YYYY-MM, "
                "e.g. 2019-01:2019-12 (either side may be left out)."
            )
            raise DataError(msg)
    first, last = months
    if not sep or (first is not None and last is not None and first > last):
        msg = (
            f"Period {text!r} must be FROM:TO in months with FROM not after TO, "
            "e.g. 2019-01:2019-12."
        )
        raise DataError(msg)
    return first, last


def main_period(
    months: pd.PeriodIndex, share: float = MIN_MONTH_SHARE
) -> tuple[pd.Period, pd.Period]:
    """Return the first and last month of a file's main period.

    A month is *filled* when it holds at least ``share`` × the events of a typical month:
    the month the median event falls in (weighted by events, so that years of thinly spread
    late reports do not make the typical month a thin one). The main period runs from the
    first to the last filled month; thin months inside it (an outage) are kept. Where filled
    months lie more than :data:`MAX_GAP_MONTHS` apart the file holds separate periods, and
    the one with the most events is the main one. If that would leave out more than
    :data:`MAX_OUTSIDE_SHARE` of the events (a seasonal file's quiet months, a month holding
    most of them), the thin months at either end are kept, except where they run on for more
    than :data:`MAX_GAP_MONTHS` months (late reports dated years back).

    Parameters
    ----------
    months
        The month of every event.
    share
        The share of a typical month's events a month needs to be filled.

    Returns
    -------
    tuple of pandas.Period
        The first and the last month of the main period.
    """
    first, last, left_out = filled_period(months, share)
    if left_out <= MAX_OUTSIDE_SHARE:
        return first, last
    # too much to leave out: keep the thin months too, unless they run on for over a year
    # (complaints dated years back in a year's export)
    before = first.ordinal - months.min().ordinal
    after = months.max().ordinal - last.ordinal
    return (
        first if before > MAX_GAP_MONTHS else months.min(),
        last if after > MAX_GAP_MONTHS else months.max(),
    )


def filled_period(
    months: pd.PeriodIndex, share: float = MIN_MONTH_SHARE
) -> tuple[pd.Period, pd.Period, float]:
    """Return the filled months of :func:`main_period` before its 5 % rule, and what they leave out.

    Parameters
    ----------
    months
        The month of every event.
    share
        The share of a typical month's events a month needs to be filled.

    Returns
    -------
    tuple
        The first and the last filled month of the largest block, and the share of the
        events outside them.
    """
    counts = pd.Series(1, index=months).groupby(level=0).sum().sort_index()
    n = counts.to_numpy()
    ordinal = pd.PeriodIndex(counts.index).asi8  # months since 1970-01
    filled = np.flatnonzero(n >= share * float(np.median(np.repeat(n, n))))
    blocks = np.split(filled, np.flatnonzero(np.diff(ordinal[filled]) > MAX_GAP_MONTHS) + 1)
    best = max(blocks, key=lambda b: int(n[b[0] : b[-1] + 1].sum()))
    left_out = 1.0 - float(n[best[0] : best[-1] + 1].sum()) / float(n.sum())
    return counts.index[best[0]], counts.index[best[-1]], left_out


def _outside_period(
    months: pd.PeriodIndex,
    dropped: npt.NDArray[np.bool_],
    wanted: tuple[pd.Period | None, pd.Period | None] | None,
) -> tuple[npt.NDArray[np.bool_], str]:
    """Mark the events (not yet ``dropped``) outside the wanted or the main period.

    Returns the mask and the months kept as ``"FROM:TO"`` (empty if none is left).
    """
    candidates = months[~dropped]
    if candidates.empty:
        return np.zeros(len(months), dtype=bool), ""
    if wanted is None:
        first, last = main_period(candidates)
        thin_first, thin_last, left_out = filled_period(candidates)
        if (thin_first, thin_last) != (first, last):
            logger.warning(
                "period %s–%s used: its months outside %s–%s hold under %d %% of a typical "
                "month each but %.0f %% of the events together; --period %s:%s leaves them out",
                first, last, thin_first, thin_last, round(100 * MIN_MONTH_SHARE),
                100 * left_out, thin_first, thin_last,
            )  # fmt: skip
    else:
        first = wanted[0] if wanted[0] is not None else candidates.min()
        last = wanted[1] if wanted[1] is not None else candidates.max()
    outside = ((months < first) | (months > last)) & ~dropped
    return np.asarray(outside, dtype=bool), f"{first}:{last}"


def _shown(value: object) -> str:
    """Write a cell's value for a message: ``= '0.0'``, or ``empty``."""
    try:
        missing = bool(pd.isna(value))  # type: ignore[call-overload]  # None, NaN, NA, NaT
    except (TypeError, ValueError):  # an array-like value
        missing = False
    if missing:
        return "empty"
    return f"= {str(value)!r}"


def _first_examples(
    df: pd.DataFrame,
    reason: npt.NDArray[np.object_],
    *,
    x_col: str | None,
    y_col: str | None,
    time_col: str,
    members: Sequence[tuple[str, int]] = (),
) -> dict[str, str]:
    """Name the first dropped row of each reason: its data row (1-based) and the values.

    Of a zip of several CSV files the row is counted in its own file, which is named.
    """
    out: dict[str, str] = {}
    ends = np.cumsum([n for _, n in members])
    for why in DROP_REASONS:
        hits = np.flatnonzero(reason == why)
        if hits.size == 0:
            continue
        i = int(hits[0])
        row = int(df.index[i]) + 1  # the reader's row labels survive the filters
        where = ""
        if len(members) > 1:
            k = int(np.searchsorted(ends, row))  # the file holding global row `row`
            row, where = row - int(ends[k - 1] if k else 0), f" of {members[k][0]}"
        if why in ("no time", "outside the period"):
            said = f"{time_col} {_shown(df[time_col].iloc[i])}"
        elif x_col and y_col:
            said = f"{x_col} {_shown(df[x_col].iloc[i])}, {y_col} {_shown(df[y_col].iloc[i])}"
        else:
            said = f"geometry {_shown(df.geometry.iloc[i])}"
        out[why] = f"data row {row}{where}: {said}"
    return out


def _check_times_read(values: pd.Series, times: ParsedColumn, path: Path, time_col: str) -> None:
    """Refuse a time column of which more than :data:`MAX_UNREAD_SHARE` of the values is unread.

    Dropping them as *no time* would leave months and weeks with holes (month names in a
    language :data:`geo.timeformat.MONTH_NAMES` lacks read only where they are spelt as in
    English), and every PAI after them wrong.
    """
    written = values.notna().to_numpy(dtype=bool) & (
        values.astype("string").str.strip().fillna("") != ""
    ).to_numpy(dtype=bool)
    unread = written & times.at.isna().to_numpy(dtype=bool)
    n_written, n_unread = int(written.sum()), int(unread.sum())
    if n_written == 0 or n_unread <= MAX_UNREAD_SHARE * n_written:
        return
    examples = ", ".join(repr(str(v)) for v in pd.unique(values[unread])[:3])
    others = (
        f"the others were read as {times.format!r}; months cut from them would have holes"
        if n_unread < n_written
        else "no format reads any"
    )
    msg = (
        f"{n_unread:,} of the {n_written:,} dates in column {time_col!r} of {str(path)!r} "
        f"({100 * n_unread / n_written:.0f} %) cannot be read, e.g. {examples} ({others}). Write "
        "the dates as 2019-01-31 or 2019-01-31 21:15 (ISO 8601); month names are read in "
        "English, Swedish, German, French, Spanish, Dutch and Italian."
    )
    raise ImportFileError(msg)


def check_zone(tz: str | None) -> None:
    """Raise :class:`DataError` unless ``tz`` is ``None`` or an IANA time zone name."""
    if tz is None:
        return
    try:
        zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as e:
        msg = (
            f"Unknown time zone {tz!r}; give an IANA name such as Europe/Stockholm, "
            "America/Chicago or Europe/London."
        )
        raise DataError(msg) from e


def read_points(
    path: Path,
    *,
    x_col: str | None,
    y_col: str | None,
    time_col: str,
    crs: str | None,
    where: Sequence[str] = (),
    max_distance_km: float | None = None,
    period: str | None = None,
    layer: str | None = None,
    id_col: str | None = None,
    tz: str | None = None,
) -> pd.DataFrame:
    """Read a point file into metres for a backtest, accounting for every row.

    Parameters
    ----------
    path
        The file: CSV with any of ``,``/``;``/tab as delimiter (also ``.csv.gz``, ``.bz2``,
        ``.xz`` or ``.zip``) in UTF-8 (a few bad bytes replaced), UTF-16 with its byte-order
        mark or Windows-1252, an Excel workbook (``.xlsx``), GeoJSON or GeoPackage.
    x_col, y_col
        Coordinate columns (``x`` = easting/longitude; a decimal comma is read); ``None`` to
        use the file's geometry (a point on the surface of lines and polygons).
    time_col
        Date or datetime column, read with one format for the whole column
        (:func:`geo.timeformat.parse_time_column`).
    crs
        CRS of ``x_col``/``y_col`` (e.g. ``"EPSG:4326"``); default the file's own CRS.
    where
        Filters ``"COLUMN=VALUE"``: a row is kept when, for every column named, its value is
        one of those given for that column (``Type=A``, ``Type=B`` keeps both kinds); values
        are compared without case, spaces at the ends ignored, and numbers by their value
        (``district=3`` keeps ``3.0``).
    max_distance_km
        Drop points farther than this from the median point; default
        ``max(6 × the distance holding 90 % of the points, 10 km)``; rows sharing one
        exact coordinate among them (a placeholder such as ``-1,-1``) are counted in the
        example (``1,186 rows at (-1, -1)``).
    period
        Months to keep, ``"FROM:TO"`` (:func:`parse_period`); default the file's main period
        (:func:`main_period`), which leaves off thinly filled months at either end.
    layer
        The layer of a GeoPackage (or other multi-layer file) or the sheet of an Excel
        workbook to read; default the first.
    id_col
        Incident id column: rows sharing an id (the offence or charge lines of one incident,
        as SFPD's exports have them) count once, as the first of them (after the filters).
        Rows without an id count each. Default: every row is an event.
    tz
        IANA time zone of the place (``"America/Chicago"``): times written with a UTC offset
        (``…Z``, ``…+01:00``) or as Unix times are moved to its wall clock before months and
        weeks are cut. Default: every time is kept as written (Unix times as UTC).

    Returns
    -------
    pandas.DataFrame
        ``x``, ``y`` (ground metres, not below zero: as given in a projected CRS counting
        metres, else in the UTM zone of the median point: degrees, feet, Web Mercator,
        whose metres are 1.35 ground metres at 42°N, and metres below zero, as US Albers
        gives west of its centre, are projected rather than shifted, so that the CRS
        named is the points' own) and ``t`` (naive datetime, the wall-clock time as
        written). ``attrs["crs"]`` names the CRS; ``attrs["rows"]`` the account ``read``,
        ``not matching --where``, ``repeated incident`` and ``without an id`` (rows of
        ``id_col`` left empty, each counted; with ``id_col``), ``used`` and
        ``dropped`` (rows per reason of
        :data:`DROP_REASONS`); ``attrs["dropped_examples"]`` the first dropped row of each
        reason (data row, 1-based, and its values); ``attrs["time_format"]`` the date format;
        ``attrs["far_km"]`` the distance limit; ``attrs["period"]`` the months kept
        (``"2019-01:2019-12"``) and whether they were ``"given"`` or ``"found"``
        (``attrs["period_source"]``); ``attrs["layer"]`` the layer or sheet read (empty for
        a CSV) and ``attrs["layer_kind"]`` which of the two;
        ``attrs["files"]`` the number of CSV files read (several from a zip);
        ``attrs["tz"]`` the time zone given, ``attrs["times_converted"]`` how many times
        were moved to it and ``attrs["times_with_offset"]`` how many were written with a UTC
        offset; ``attrs["bad_lines"]`` how many lines of a UTF-8 CSV had bytes that are not
        UTF-8 (read as "�").

    Raises
    ------
    DataError
        If ``tz`` is not a time zone name.
    ImportFileError
        If the file cannot be read, a column is missing, a filter matches nothing or no
        row is left (the message counts the rows per reason).
    CRSError
        If the CRS is missing or unknown, longitude and latitude look swapped (by the
        columns' names or by latitudes beyond ±90°), or the points lie where no UTM zone
        is defined.
    """
    check_zone(tz)
    conditions = _parse_where(where)
    wanted = {c for c in (x_col, y_col, time_col, id_col) if c} | {c for c, _ in conditions}
    wanted_period = parse_period(period) if period else None
    table = _read_table(path, wanted, layer)
    df = table.df
    members = list(df.attrs.get("members", []))
    bad_lines = int(df.attrs.get("bad_lines", 0))
    n_read = len(df)
    named = (x_col, y_col, time_col, id_col, *(c for c, _ in conditions))
    missing = [c for c in dict.fromkeys(named) if c is not None and c not in df.columns]
    if missing:
        raise _missing_columns(table, path, missing, conditions)
    df = _filter(df, conditions, path)
    n_matching = len(df)
    no_id = 0
    if id_col is not None:  # one row per incident: the first of its lines (charges, offences)
        ids = df[id_col].astype("string").str.strip()
        has_id = (ids.notna() & (ids != "")).to_numpy(dtype=bool)
        no_id = int((~has_id).sum())
        df = df[~(ids.duplicated().to_numpy(dtype=bool) & has_id)]
    x, y = _coordinates(df, x_col, y_col, path)
    src = _source_crs(crs, table.crs, path)
    _check_axes(x, y, src, path, x_col, y_col)
    _check_units(x, y, src, path)
    times = parse_time_column(df[time_col], tz)
    _check_times_read(df[time_col], times, path, time_col)
    reason = np.full(len(df), "", dtype=object)
    no_loc = ~(np.isfinite(x) & np.isfinite(y))
    impossible = (x == 0) & (y == 0)
    if src.is_geographic:
        impossible |= (np.abs(x) > 180) | (np.abs(y) > 90)
    for why, mask in (
        ("no location", no_loc),
        ("impossible location", impossible),
        ("no time", times.at.isna().to_numpy()),
    ):
        reason[(reason == "") & mask] = why
    ok = reason == ""
    far_km, kept_period, pile = float("nan"), "", ""
    if ok.any():
        px, py, used_crs = _project(x[ok], y[ok], src, path)
        far, far_km = _far(px, py, max_distance_km)
        reason[np.flatnonzero(ok)[far]] = "far from the others"
        pile = _pile(x[ok][far], y[ok][far])
        t = pd.DatetimeIndex(times.at.to_numpy()[ok])
        outside, kept_period = _outside_period(t.to_period("M"), far, wanted_period)
        reason[np.flatnonzero(ok)[outside]] = "outside the period"
        use = ~far & ~outside
        out = pd.DataFrame({"x": px[use], "y": py[use], "t": t[use]})
        # kept, yet distant: a placeholder shared by too many rows for the far rule to drop
        distant = use & (np.hypot(px - np.median(px), py - np.median(py)) > MIN_FAR_KM * 1000.0)
        out.attrs["distant_pile"] = _pile(x[ok][distant], y[ok][distant])
    else:
        out, used_crs = pd.DataFrame({"x": [], "y": [], "t": pd.to_datetime([])}), src
    dropped = {why: int((reason == why).sum()) for why in DROP_REASONS}
    examples = _first_examples(
        df, reason, x_col=x_col, y_col=y_col, time_col=time_col, members=members
    )
    if pile:
        examples["far from the others"] += f"; {pile}"
    if out.empty:
        counts = ", ".join(f"{n} {why} (first {examples[why]})" for why, n in dropped.items() if n)
        example = df[time_col].dropna().astype(str).head(1).tolist()
        msg = (
            f"No point with a location and a time left in {str(path)!r} "
            f"(filters {list(where)!r}; {len(df)} rows: {counts}; {time_col} values like "
            f"{example} read with format {times.format!r}). Check --x-col/--y-col/--crs, "
            "--time-col and --period."
        )
        raise ImportFileError(msg)
    out.attrs["crs"] = used_crs.to_string()
    out.attrs["rows"] = {
        "read": n_read,
        "not matching --where": n_read - n_matching,
        "repeated incident": n_matching - len(df),
        "without an id": no_id,
        "used": len(out),
        "dropped": dropped,
    }
    out.attrs["dropped_examples"] = examples
    out.attrs["time_format"] = times.format
    out.attrs["far_km"] = far_km
    out.attrs["period"] = kept_period
    out.attrs["period_source"] = "given" if wanted_period else "found"
    out.attrs["layer"] = table.label
    out.attrs["layer_kind"] = table.kind
    out.attrs["files"] = max(len(members), 1)
    out.attrs["tz"] = tz
    out.attrs["times_converted"] = times.converted
    out.attrs["times_with_offset"] = times.with_offset
    out.attrs["bad_lines"] = bad_lines
    logger.info("%s: %s (time format %s)", path, out.attrs["rows"], times.format)
    return out
