"""Read the table of a point file: CSV (packed, zipped, any encoding), Excel, GeoJSON, GPKG."""

from __future__ import annotations

import bz2
import codecs
import difflib
import gzip
import logging
import lzma
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import pandas as pd
import pyogrio
from pyproj import CRS

from geo.errors import ImportFileError
from geo.ingest.readers import sniff_delimiter

logger = logging.getLogger(__name__)


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


def read_table(path: Path, columns: set[str], layer: str | None) -> Table:
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
            return Table(_read_csv(path, columns, members), None)
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
    return Table(df, df.crs, name, layers)


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
