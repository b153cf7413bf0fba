"""Read a sheet of an OpenDocument spreadsheet (``.ods``) as rows of text.

Its ``content.xml`` is read as a stream with the standard library. GDAL's ODS driver refuses
the files LibreOffice and Excel write (the empty rest of a sheet is one row repeated a
million times, over GDAL's limit of 10,000), python-calamine refuses the indented XML that GDAL
writes, and odfpy builds the whole document in memory.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pandas as pd

_NS = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
}


def _q(name: str) -> str:
    """Return the ElementTree name of ``prefix:name``."""
    prefix, local = name.split(":")
    return f"{{{_NS[prefix]}}}{local}"


_TABLE, _ROW, _NAME = _q("table:table"), _q("table:table-row"), _q("table:name")
_CELLS = (_q("table:table-cell"), _q("table:covered-table-cell"))
_ROWS_REPEATED, _COLS_REPEATED = (
    _q("table:number-rows-repeated"),
    _q("table:number-columns-repeated"),
)
_TYPE, _P = _q("office:value-type"), _q("text:p")
_SPACE, _TAB, _BREAK, _NOTE = _q("text:s"), _q("text:tab"), _q("text:line-break"), _q("text:note")
_VALUE_OF = {
    "float": _q("office:value"),
    "percentage": _q("office:value"),
    "currency": _q("office:value"),
    "boolean": _q("office:boolean-value"),
    "string": _q("office:string-value"),
}

#: The most rows and columns of a sheet (LibreOffice's and Excel's): a row or cell repeated
#: beyond them is the sheet's empty remainder.
MAX_ROWS, MAX_COLUMNS = 1_048_576, 16_384

#: A time of day as a cell stores it, an ISO 8601 duration: ``PT13H07M00S``.
_DURATION = re.compile(r"P(?:(\d+)D)?T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d*)?)S)?")


def _clock(duration: str) -> str:
    """Write a time cell's duration as a clock time, ``13:07:00``, rounded to the second."""
    m = _DURATION.fullmatch(duration)
    if m is None:
        return duration
    days, hours, minutes = (int(g or 0) for g in m.groups()[:3])
    seconds = round(((days * 24 + hours) * 60 + minutes) * 60 + float(m[4] or 0))
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def _inline(element: ElementTree.Element, out: list[str]) -> None:
    """Add the text of a paragraph or span to ``out``: runs of spaces, tabs, line breaks."""
    if element.text:
        out.append(element.text)
    for child in element:
        if child.tag == _SPACE:
            out.append(" " * int(child.get(_q("text:c"), "1")))
        elif child.tag == _TAB:
            out.append("\t")
        elif child.tag == _BREAK:
            out.append("\n")
        elif child.tag != _NOTE:  # a footnote is not the cell's text
            _inline(child, out)
        if child.tail:
            out.append(child.tail)


def _value(cell: ElementTree.Element) -> str | None:
    """Return a cell's value as text (``None`` when empty), as an Excel sheet's reads.

    A number as stored (``2.178738``), a date as ISO 8601 (``2019-01-31``, ``2019-01-31
    21:15:00``), a time of day as ``21:15:00``, text as shown; a comment is left out.
    """
    kind = cell.get(_TYPE)
    if kind == "date":
        return cell.get(_q("office:date-value"), "").replace("T", " ") or None
    if kind == "time":
        return _clock(cell.get(_q("office:time-value"), "")) or None
    if kind in _VALUE_OF and cell.get(_VALUE_OF[kind]) is not None:
        return cell.get(_VALUE_OF[kind])
    paragraphs = []
    for p in cell.iter(_P):  # a comment's (office:annotation) are removed by _row
        out: list[str] = []
        _inline(p, out)
        paragraphs.append("".join(out))
    return "\n".join(paragraphs) or None


def _row(row: ElementTree.Element) -> list[str | None]:
    """Return the values of a row, repeated cells written out, empty cells at its end cut."""
    cells: list[str | None] = []
    for cell in row:
        if cell.tag not in _CELLS:
            continue
        for note in cell.findall(_q("office:annotation")):
            cell.remove(note)
        repeat = min(int(cell.get(_COLS_REPEATED, "1")), MAX_COLUMNS - len(cells))
        cells.extend([_value(cell)] * repeat)
    while cells and cells[-1] is None:
        cells.pop()
    return cells


def read_ods(path: Path, sheet: str | None) -> tuple[pd.DataFrame, list[str]]:
    """Read a sheet of an OpenDocument spreadsheet as text.

    Parameters
    ----------
    path
        The ``.ods`` file.
    sheet
        The sheet to read; default the first.

    Returns
    -------
    tuple of pandas.DataFrame and list of str
        The sheet's rows from its first, without a header (columns ``0, 1, …``; empty rows
        kept above the last filled one, an empty cell ``None``), and the names of all sheets.
        The frame is empty when ``sheet`` is not one of them.

    Raises
    ------
    zipfile.BadZipFile, KeyError, xml.etree.ElementTree.ParseError, ValueError
        If the file is not an OpenDocument spreadsheet or is damaged.
    """
    names: list[str] = []
    rows: list[list[str | None]] = []
    reading, empty = False, 0
    with zipfile.ZipFile(path) as z, z.open("content.xml") as f:
        for event, element in ElementTree.iterparse(f, events=("start", "end")):
            if element.tag == _TABLE and event == "start":
                names.append(element.get(_NAME, ""))
                reading = names[-1] == sheet if sheet is not None else len(names) == 1
            elif element.tag == _ROW and event == "end":
                if reading:
                    cells = _row(element)
                    repeat = int(element.get(_ROWS_REPEATED, "1"))
                    if not cells:  # kept only when a filled row follows
                        empty += repeat
                    else:
                        rows.extend([[]] * min(empty, MAX_ROWS - len(rows)))
                        rows.extend([cells] * min(repeat, MAX_ROWS - len(rows)))
                        empty = 0
                element.clear()
            elif element.tag == _TABLE and event == "end":
                reading, empty = False, 0
                element.clear()
    width = max(map(len, rows), default=0)
    return pd.DataFrame([r + [None] * (width - len(r)) for r in rows], dtype=object), names
