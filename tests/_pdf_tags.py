"""Read what makes a printed PDF accessible: tags, language, title and the figures' alt text.

DOS-lagen (through EN 301 549) asks a PDF that is handed out to be tagged, in a declared
language and with a title. poppler's ``pdfinfo`` tells whether the PDF is tagged, its title
and its structure tree (``-struct``); the language, the bookmarks and the figures' alt text
it does not print, so they are read from the PDF's objects. Chromium (Skia) writes them uncompressed
(PDF 1.4, no object streams); should that change, :func:`pdf_tags` finds no language and
the tests that use it fail rather than pass unseen.
"""

from __future__ import annotations

import html
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

#: An element line of ``pdfinfo -struct``: its type first, then an id, "(block)" or ":".
_ELEMENT = re.compile(r"^\s*([A-Za-z][A-Za-z0-9]*)(?=$| <| \(|:)")
#: One indirect object of the file, up to its end.
_OBJECT = re.compile(rb"\d+ \d+ obj\b(.*?)\bendobj", re.DOTALL)


@dataclass(frozen=True)
class PdfTags:
    """What a reader's assistive technology gets from a PDF."""

    #: pdfinfo's "Tagged: yes": the PDF has a structure tree.
    tagged: bool
    #: The document title (pdfinfo's "Title").
    title: str
    #: The viewer shows the title, not the file name, in its title bar.
    display_title: bool
    #: The document's language (the catalog's ``/Lang``), "" if none is declared.
    lang: str
    #: The bookmarks' titles (the outline a viewer shows beside the pages), in file order.
    bookmarks: list[str]
    #: The structure elements' types in reading order ("H1", "Table", "TH", "Figure" …).
    structure: list[str]
    #: Each figure's alt text in reading order, "" for a figure without one.
    figure_alts: list[str]
    #: poppler's complaints while reading the structure tree (a non-standard type …).
    warnings: list[str]


def headings(page: str) -> list[str]:
    """Return the text of each ``<h1>``–``<h6>`` of an HTML page, in order."""
    found = re.findall(r"<h([1-6])\b[^>]*>(.*?)</h\1>", page, re.DOTALL)
    return [" ".join(html.unescape(re.sub(r"<[^>]*>", "", text)).split()) for _, text in found]


def image_alts(page: str) -> list[str]:
    """Return the ``alt`` of each ``<img>`` of an HTML page, in order ("" for one without)."""
    found = re.findall(r"<img\b([^>]*)>", page)
    return [
        html.unescape(m.group(1)) if (m := re.search(r'\balt="([^"]*)"', a)) else "" for a in found
    ]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(args), capture_output=True, text=True, check=True)


def _pdf_string(raw: bytes) -> str:
    """Decode a PDF string object: ``<hex>`` (UTF-16 with its BOM, or Latin-1) or ``(…)``."""
    if raw.startswith(b"<"):
        data = bytes.fromhex(raw[1:-1].decode("ascii"))
    else:
        data = re.sub(
            rb"\\([0-7]{1,3}|.)",
            lambda m: (
                bytes([int(m.group(1), 8)])
                if m.group(1)[:1].isdigit()
                else {b"n": b"\n", b"r": b"\r", b"t": b"\t"}.get(m.group(1), m.group(1))
            ),
            raw[1:-1],
            flags=re.DOTALL,
        )
    if data.startswith(b"\xfe\xff"):
        return data[2:].decode("utf-16-be")
    return data.decode("latin-1")


#: A string object: a hex string, or a literal one (with escaped or balanced parentheses).
_STRING = rb"(<[0-9A-Fa-f\s]*>|\((?:\\.|[^\\()]|\([^()]*\))*\))"


def pdf_tags(pdf: Path) -> PdfTags:
    """Return the accessibility facts of ``pdf``.

    Parameters
    ----------
    pdf
        A PDF printed by Chromium.

    Returns
    -------
    PdfTags
        Its tags, title, language, bookmarks, structure, figures' alt text and poppler's
        warnings.
    """
    info = dict(
        line.split(":", 1) for line in _run("pdfinfo", str(pdf)).stdout.splitlines() if ":" in line
    )
    struct = _run("pdfinfo", "-struct", str(pdf))
    structure = [m.group(1) for line in struct.stdout.splitlines() if (m := _ELEMENT.match(line))]
    lang, display_title, alts, bookmarks = "", False, [], []
    for obj in _OBJECT.finditer(pdf.read_bytes()):
        body = obj.group(1)
        if re.search(rb"/Type\s*/Catalog\b", body):
            found = re.search(rb"/Lang\s*" + _STRING, body, re.DOTALL)
            lang = _pdf_string(found.group(1)) if found else ""
            display_title = re.search(rb"/DisplayDocTitle\s+true", body) is not None
        elif re.search(rb"/Type\s*/StructElem\b", body) and re.search(rb"/S\s*/Figure\b", body):
            alt = re.search(rb"/Alt\s*" + _STRING, body, re.DOTALL)
            alts.append(_pdf_string(alt.group(1)) if alt else "")
        elif re.search(rb"/Parent\b", body) and (title := re.search(rb"/Title\s*" + _STRING, body)):
            bookmarks.append(_pdf_string(title.group(1)))  # an outline item
    return PdfTags(
        tagged=info.get("Tagged", "").strip() == "yes",
        title=info.get("Title", "").strip(),
        display_title=display_title,
        lang=lang,
        bookmarks=bookmarks,
        structure=structure,
        figure_alts=alts,
        warnings=struct.stderr.splitlines(),
    )
