"""Keys for rows quarantined before rows had them, so that they repeat and resolve too."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from geo import store
from geo.ingest.normalize import row_fields
from geo.quarantine import fix_key, keyed, row_key


def _keys(rows: pd.DataFrame, source: str) -> list[tuple[str, str | None, int]]:
    """Return ``(row_key, fix_key, fid)`` of one import's quarantined rows.

    A validated row's raw holds its columns: it is read as :func:`row_fields` reads a
    file's rows. A police event, or a record that did not split into the header's fields,
    is known by its raw text (:func:`geo.quarantine.keyed`), as an import knows it.
    """
    values = [json.loads(r) if r else None for r in rows["raw"]]
    by_header = pd.Series([isinstance(v, dict) for v in values], index=rows.index) & (
        rows["format"] != "polisen"
    )
    out: list[tuple[str, str | None, int]] = []
    if by_header.any():
        frame = pd.DataFrame([v for v, h in zip(values, by_header, strict=True) if h], dtype=object)
        reasons = rows.loc[by_header, "reason"].astype(str)
        for fields, reason, fid in zip(
            row_fields(frame, source), reasons, rows.loc[by_header, "fid"], strict=True
        ):
            out.append((row_key(fields), fix_key(fields, reason), int(fid)))
    others = keyed(rows.loc[~by_header, ["reason", "raw"]])
    out.extend(
        (str(k), None, int(fid))
        for k, fid in zip(others["key"], rows.loc[~by_header, "fid"], strict=True)
    )
    return out


def key_earlier_quarantine(store_path: Path | None, source: str = "kommun") -> int:
    """Give the rows quarantined before rows had keys their keys; return how many.

    A store made by an earlier version holds quarantined rows without a key: without one
    they would neither repeat nor be resolved. Each import's rows are read by its header,
    with ``source`` for rows without a source column (an import's ``--source`` was not
    kept).

    Parameters
    ----------
    store_path
        The store; default :func:`geo.store.default_path`.
    source
        Source of rows without a source column.

    Returns
    -------
    int
        Rows given their keys (0 once every row has one).
    """
    rows = store.unkeyed_quarantine(store_path)
    keys = [
        key
        for _, group in rows.groupby("import_id", sort=False, dropna=False)
        for key in _keys(group, source)
    ]
    store.set_quarantine_keys(keys, store_path)
    return len(keys)
