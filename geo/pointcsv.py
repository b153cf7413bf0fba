"""Read the CSV table of a point file: packed or zipped, in any encoding, delimiter sniffed."""

from __future__ import annotations

import bz2
import codecs
import csv
import gzip
import io
import itertools
import logging
import lzma
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import IO, Any

import pandas as pd

from geo.errors import ImportFileError
from geo.ingest.readers import HEADER_ROWS, SEP_HINT, sniff_delimiter

logger = logging.getLogger(__name__)


_COMPRESSED: dict[str, Callable[..., Any]] = {
    ".gz": gzip.open,
    ".bz2": bz2.open,
    ".xz": lzma.open,
}


_TABLE_SUFFIXES = (".csv", ".txt", ".tsv")


def zip_tables(path: Path) -> list[str]:
    """Return the CSV members of a zip file in name order (empty if it is not a zip of CSVs)."""
    try:
        with zipfile.ZipFile(path) as z:
            names = z.namelist()
    except (zipfile.BadZipFile, OSError):
        return []
    return sorted(
        n for n in names if n.lower().endswith(_TABLE_SUFFIXES) and not n.startswith("__MACOSX/")
    )


def is_csv(path: Path) -> bool:
    """Tell a CSV, also one compressed as ``.csv.gz``, ``.bz2`` or ``.xz``.

    A zip is told by its members (:func:`zip_tables`).
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


_DELIMITERS = (",", ";", "\t", "|")


def _best_row(rows: Iterable[Sequence[str]], columns: set[str]) -> tuple[int, int]:
    """Return the index of the header among the first rows, and how many of ``columns`` it names.

    The header is the first row naming every one of ``columns``; when none does, the first
    naming the most of them (so that a misspelt column is named beside the file's own); when
    none names any, row 0.
    """
    best, most = 0, 0
    for i, row in enumerate(itertools.islice(rows, HEADER_ROWS)):
        named = len(columns.intersection(row))
        if named > most:
            best, most = i, named
            if most == len(columns):
                break
    return best, most


def header_row(rows: Iterable[Sequence[str]], columns: set[str]) -> int:
    """Return the index of the header among the first :data:`HEADER_ROWS` rows.

    Parameters
    ----------
    rows
        The table's first rows, their cells as written.
    columns
        The columns asked for.

    Returns
    -------
    int
        The first row naming every one of ``columns``; when none does, the first naming the
        most of them (so that a misspelt column is named beside the file's own); else 0.
    """
    return _best_row(rows, columns)[0]


def _layout(head: str) -> tuple[int, str]:
    """Return the lines before the header of a CSV and its delimiter, as its first line says.

    Excel's ``sep=;`` hint on the first line names the delimiter and is skipped; otherwise
    the delimiter is sniffed and the header is the first line.
    """
    lines = head.splitlines()
    hint = SEP_HINT.fullmatch(lines[0]) if lines else None
    if hint:
        return 1, hint[1]
    return 0, sniff_delimiter("\n".join(lines[:50]))


def _find_header(head: str, columns: set[str], sep: str, skip: int) -> tuple[int, str]:
    """Find the header of a CSV with title lines above it, within :data:`HEADER_ROWS` rows.

    Return the records before it and the delimiter that splits it into the most of
    ``columns`` (``sep``, the delimiter sniffed or hinted, first; a title line can mislead
    the sniffing). The header is chosen as :func:`header_row` says.
    """
    found, most = (skip, sep), 0
    for d in dict.fromkeys((sep, *_DELIMITERS)):
        rows = []
        try:
            for row in itertools.islice(
                csv.reader(io.StringIO(head), delimiter=d), skip + HEADER_ROWS
            ):
                rows.append(row)
        except csv.Error:  # a NUL byte, a field past the limit: the rows read so far
            pass
        i, named = _best_row(rows[skip:], columns)
        if named > most:
            found, most = (skip + i, d), named
    return found


def _headed(columns: set[str], header: pd.Index) -> dict[str, str]:
    """Return each asked column's header: itself, or the one header that is it but for spaces."""
    out = {}
    for name in columns:
        if name in header:
            out[name] = name
            continue
        spaced = [h for h in header if isinstance(h, str) and h.strip() == name.strip()]
        if len(spaced) == 1:
            out[name] = spaced[0]
    return out


def _read_one_csv(
    open_table: Callable[[], AbstractContextManager[IO[bytes]]], columns: set[str], name: str
) -> pd.DataFrame:
    """Read one CSV table: delimiter sniffed, encoding chosen by :func:`_encoding`.

    Only ``columns`` are read (the header alone if one is missing, for the caller to name). A
    first line ``sep=;`` (Excel's hint) names the delimiter; title lines above the header are
    skipped when the first line does not name every one of ``columns`` (:func:`_find_header`).
    ``attrs["header_line"]`` is the header's line (1 but for these; a quoted value over
    several lines counts once); the rows are the data rows below it, blank lines left out.
    ``attrs["bad_lines"]`` counts the lines with bytes that are not UTF-8 (replaced by "�").
    """
    encoding, bad_lines = _encoding(open_table)
    if bad_lines:
        # the account says how many (attrs["bad_lines"]), as a line of its own
        logger.info("%s: %d line(s) with bytes that are not UTF-8, read as '�'", name, bad_lines)
    with open_table() as f:
        head = bytes(f.read(65_536)).decode(encoding, errors="replace")
    skip, sep = _layout(head)
    errors = "replace" if bad_lines else "strict"

    def read(usecols: list[str] | None) -> pd.DataFrame:
        """Read ``usecols`` below the header, or the header alone (``None``)."""
        with open_table() as f:
            df: pd.DataFrame = pd.read_csv(
                f, sep=sep, encoding=encoding, encoding_errors=errors, skiprows=skip, dtype=str,
                usecols=usecols, nrows=0 if usecols is None else None,
            )  # fmt: skip
        return df

    try:
        header = read(None).columns
        # the header's line: pandas passes over blank lines above it
        lines = head.splitlines()[skip:]
        line = skip + 1 + next((i for i, text in enumerate(lines) if text.strip()), 0)
        if not columns <= set(header):  # title lines above the header, or a column misspelt
            found = _find_header(head, columns, sep, skip)
            if found != (skip, sep):
                skip, sep = found
                line = skip + 1
                header = read(None).columns
                logger.info("%s: the header is on line %d (lines above it skipped)", name, line)
        headed = _headed(columns, header)
        if len(headed) == len(columns):  # read as the header spells them, named as asked
            df = read(list(headed.values())).rename(columns={v: k for k, v in headed.items()})
        else:
            df = pd.DataFrame(columns=header)
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
    df.attrs["header_line"] = line
    return df


def read_csv(path: Path, columns: set[str], names: Sequence[str] = ()) -> pd.DataFrame:
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
    if len(tables) == 1:
        out.attrs["header_line"] = tables[0].attrs["header_line"]
    out.attrs["bad_lines"] = bad_lines
    return out
