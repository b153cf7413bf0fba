"""JSON files that are a list of records, as the Swedish police's open API gives its events.

``[{"id": 1, "datetime": "2022-10-05 9:41:24 +02:00", "location": {"gps": "59.27,15.21"}}]``:
GDAL reads GeoJSON only, so such a file is read here, nested fields named by their path
(``location.gps``), one row per record.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from geo.errors import ImportFileError

__all__ = ["is_record_list", "read_records"]


def is_record_list(path: Path) -> bool:
    """Whether a ``.json`` file is a JSON list (of records), not a GeoJSON object."""
    if path.suffix.lower() != ".json":
        return False
    with path.open("rb") as f:
        head = f.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"[")


def read_records(path: Path) -> pd.DataFrame:
    """Read a JSON list of records into a table, nested fields as ``outer.inner`` columns.

    Parameters
    ----------
    path
        The file (UTF-8, a byte-order mark allowed).

    Returns
    -------
    pandas.DataFrame
        One row per record, in the file's order (data row 1 is the first record); values
        as JSON gives them (text, numbers, ``None``).

    Raises
    ------
    ImportFileError
        If the file is not valid JSON, or its list holds something else than records.
    """
    try:
        records = json.loads(path.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        msg = f"{str(path)!r} is not valid JSON ({e}); save it as UTF-8 JSON or as CSV."
        raise ImportFileError(msg) from e
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        kinds = sorted({type(r).__name__ for r in records}) if isinstance(records, list) else []
        msg = (
            f"{str(path)!r} is a JSON list of {kinds or 'values'}, not of records (objects "
            "with a field per column); save it as CSV or GeoJSON."
        )
        raise ImportFileError(msg)
    return pd.json_normalize(records, sep=".")
