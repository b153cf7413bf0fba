"""Read the CSV table of a point file: packed or zipped, in any encoding, delimiter sniffed."""

from __future__ import annotations

import bz2
import codecs
import gzip
import logging
import lzma
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import IO, Any

import pandas as pd

from geo.errors import ImportFileError
from geo.ingest.readers import sniff_delimiter

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
    out.attrs["bad_lines"] = bad_lines
    return out
