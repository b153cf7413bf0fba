"""Split a CSV's text into records, line by line, so that one bad line costs only itself.

The :mod:`csv` module reads a quote that is never closed as one text up to the next quote,
or to the end of the file, and gives up on a field longer than its limit. A whole file read
at once lost the rows swallowed into such a text without a word (read as one incident with
a long description), or was refused as a whole. Here such a record is the one line it began
on, quarantined with what is wrong, and reading goes on from the next line.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Record:
    """One record of a CSV.

    Attributes
    ----------
    first, last
        Its first and last line (from 1); a quoted text may span lines.
    fields
        Its fields as split.
    problem
        Why the record is no row of the table (it began on ``first`` and is that line
        alone), else ``""``.
    """

    first: int
    last: int
    fields: list[str]
    problem: str = ""


def text_lines(text: str) -> list[str]:
    """Return a text's lines with their ends, split at CRLF, LF or a lone CR (as csv reads them)."""
    return io.StringIO(text, newline="").readlines()


def _alone(line: str, delimiter: str) -> list[str]:
    """Return a line's fields read on their own, leniently (an open quote runs to its end).

    Raises
    ------
    csv.Error
        If the csv module refuses the line (a field past its limit).
    """
    return next(csv.reader([line.rstrip("\r\n")], delimiter=delimiter), [])


def _fields_of(line: str, delimiter: str) -> list[str]:
    """Return a line's fields as :func:`_alone` reads them, or the line whole if refused."""
    try:
        return _alone(line, delimiter)
    except csv.Error:
        return [line.rstrip("\r\n")]


def _unclosed(fields: list[str], header: list[str] | None, last: int) -> str:
    """Return the problem of a line whose quote is not closed before line ``last``.

    ``fields`` is the line read alone: its open quote's text is its last field, in the
    column the header names there.
    """
    column = len(fields) - 1
    name = header[column] if header and column < len(header) else f"kolumn {column + 1}"
    return (
        f"a quote opened in column {name!r} is not closed on this line, so the lines up to"
        f" {last} would read as one text; close the quote (a quote inside a text is written"
        ' twice, "") — the lines after this one are read as rows of their own'
    )


#: The problem of a line the csv module refuses, after the reason it gives.
_REFUSED = (
    "; most often a quote that is never closed, or a text pasted whole into a cell: close the"
    " quote or shorten the text — the lines after this one are read as rows of their own"
)


def records(
    lines: list[str], delimiter: str, *, start: int = 0, header: list[str] | None = None
) -> Iterator[Record]:
    """Yield a CSV's records from line ``start`` (0-based), each with its lines.

    Quotes are read strictly: a quoted text that runs over lines and then ends wrongly (a
    character after its closing quote, or the end of the file) is a quote not closed that
    swallowed the records after it; a text over lines that ends rightly is a description
    with line breaks. A quote that ends wrongly on its own line (``"han sa "hej""``) is
    read leniently, as before.

    Parameters
    ----------
    lines
        The file's lines with their ends (:func:`text_lines`).
    delimiter
        The field delimiter.
    start
        The index of the first line to read.
    header
        The header's column names, when known, to name the column of a quote not closed.

    Yields
    ------
    Record
        Every record; a quote not closed, and a line the csv module refuses (a field past
        its limit), are yielded with their ``problem`` as the line they began on, and
        reading resumes on the next line.
    """
    pos = start
    while pos < len(lines):
        rest = (lines[i] for i in range(pos, len(lines)))  # no copy: resumed per bad line
        reader = csv.reader(rest, delimiter=delimiter, strict=True)
        first = pos + 1
        try:
            for fields in reader:
                last = pos + reader.line_num
                yield Record(first, last, fields)
                first = last + 1
            return
        except csv.Error as e:
            last = pos + reader.line_num
            line = lines[first - 1]
            alone = _fields_of(line, delimiter)
            if "field limit" in str(e):
                yield Record(
                    first, first, alone, f"the line cannot be split into fields ({e})" + _REFUSED
                )
            elif last > first:
                yield Record(first, first, alone, _unclosed(alone, header, last))
            else:
                yield Record(first, first, alone)
        pos = first
