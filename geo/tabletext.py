"""The text of a table file (CSV, tab-separated text) as the tools that write them encode it.

A kommun officer saves a sheet from Excel: "CSV UTF-8" (UTF-8 with a byte order mark),
"CSV (semikolonavgränsad)" (Windows-1252 on a Swedish Windows) or "Unicode-text" (UTF-16,
tab-separated). Every reader of such a file (incidents, the patrol log, the activity log)
decodes it here, so that a file one of them reads the others read too.
"""

from __future__ import annotations

import charset_normalizer

#: Byte order marks and the encodings they name: UTF-8 (Excel's "CSV UTF-8") and UTF-16
#: (Excel's "Unicode text").
BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))
#: Encodings a detected one may be (normalised); any other is taken for cp1252.
DETECTED = {"cp1252", "latin1", "iso88591", "iso885915", "utf8", "utf16", "utf16le", "utf16be"}
#: The separators a table's header line may use, the first preferred on a tie.
SEPARATORS = (";", ",", "\t")


def decode_table_text(raw: bytes) -> str:
    """Return a table file's text: UTF-8 or UTF-16 by its byte order mark, else detected.

    Without a mark, UTF-8 when it decodes, else what :mod:`charset_normalizer` finds among
    :data:`DETECTED` (UTF-16 without a mark too), else cp1252 (Swedish Excel exports; it
    decodes any byte but five unused ones).

    Parameters
    ----------
    raw
        The file's bytes.

    Returns
    -------
    str
        Its text.

    Raises
    ------
    UnicodeDecodeError
        If the bytes are not text in the encoding their mark or detection names.
    """
    encoding = next((name for bom, name in BOMS if raw.startswith(bom)), None)
    if encoding is None:
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            pass
        best = charset_normalizer.from_bytes(raw).best()
        encoding = best.encoding if best is not None else "cp1252"
        if encoding.replace("_", "").replace("-", "").lower() not in DETECTED:
            encoding = "cp1252"
    return raw.decode(encoding)


def header_separator(text: str) -> str:
    """Return the separator a table's first line uses most (:data:`SEPARATORS`; ``;`` on a tie).

    Parameters
    ----------
    text
        The table's text (:func:`decode_table_text`).

    Returns
    -------
    str
        ``";"``, ``","`` or a tab.
    """
    lines = text.splitlines()
    head = lines[0] if lines else ""
    return max(SEPARATORS, key=head.count)
