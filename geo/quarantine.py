"""Quarantined rows: which row each is (whatever file holds it) and what an import shows.

Every quarantined row is kept in the store (``quarantine``, ``patrol_log_quarantine``); the
command that imported them names the first :data:`FIRST_ROWS` of each reason with the file,
the line and what to fix, so a user can mend the file without opening the store.

A row is known by :func:`row_key`, a hash of the canonical text of its fields: the same row
in a file saved again (by Excel, with its columns in another order, with rows added) has the
same key, so an import counts it as a repeat rather than quarantining it twice. Its
:func:`fix_key` is shared with the row once mended (the same source id, or the same values
outside the fields its reason is about, :class:`Mending`), so storing the mended row resolves
it. The incident import and the patrol log (:func:`geo.patrol_log.row_keys`) both key so.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = [
    "FIRST_ROWS",
    "FIX_FIELDS",
    "INCIDENT_MENDING",
    "Mending",
    "QuarantinedRow",
    "cell_text",
    "first_rows",
    "fix_key",
    "fix_keys",
    "keyed",
    "row_key",
]

#: How many quarantined rows per reason (and swapped rows) are named by line.
FIRST_ROWS = 3


@dataclass(frozen=True)
class QuarantinedRow:
    """One quarantined row, as shown to the user.

    Attributes
    ----------
    file
        The file as given on the command line.
    line
        The row's line (CSV), sheet row (XLSX) or feature number (1-based).
    reason
        A key of :data:`geo.ingest.REASONS`, or a patrol-log reason (``ogiltig tid``).
    detail
        What is wrong with the row and how to fix it.
    """

    file: str
    line: int
    reason: str
    detail: str

    def __str__(self) -> str:
        """Return ``"rapporter.csv line 4: no_location — …"``."""
        return f"{self.file} line {self.line}: {self.reason} — {self.detail}"


def first_rows(file: str, quarantine: pd.DataFrame) -> tuple[QuarantinedRow, ...]:
    """Return the first :data:`FIRST_ROWS` quarantined rows of each reason, by line.

    Parameters
    ----------
    file
        The file's name as the user gave it.
    quarantine
        ``line``, ``reason``, ``detail`` of the rows not stored.

    Returns
    -------
    tuple of QuarantinedRow
        Reasons with most rows first (ties by name), each reason's rows by line.
    """
    if not len(quarantine):
        return ()
    q = quarantine.assign(line=quarantine["line"].astype(int)).sort_values("line", kind="stable")
    counts = q["reason"].value_counts()
    order = sorted(counts.index, key=lambda r: (-int(counts[r]), str(r)))
    return tuple(
        QuarantinedRow(file, int(r.line), str(r.reason), str(r.detail))
        for reason in order
        for r in q[q["reason"] == reason].head(FIRST_ROWS).itertuples()
    )


#: The fields a kind of fix changes, by the reasons it fixes: a row mended there keeps the
#: others (``when`` is the row's date and time as read, ``place`` its place name).
FIX_FIELDS: dict[str, tuple[str, ...]] = {
    "when": ("when",),
    "where": ("lat", "lon", "x", "y", "place"),
}
_FIXED_BY = {
    "no_time": "when",
    "time_in_future": "when",
    "no_location": "where",
    "bad_coordinates": "where",
    "outside_kommun": "where",
}
_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?")
#: A whole number as text (``1001``, ``1001.0``, ``1001,00``): read exactly, however long.
_WHOLE = re.compile(r"([+-]?\d+)(?:[.,]0*)?")


def _number_text(number: float) -> str:
    """Return ``1001`` for 1001.0, else the shortest text that reads back as the number."""
    if number.is_integer() and abs(number) < 1e15:
        return str(int(number))
    return repr(number)


def cell_text(value: object) -> str:
    """Return a cell's canonical text: how a row's value is compared across saved files.

    Surrounding and repeated whitespace goes, a number is written one way whether the file
    held ``1001``, ``1001.0`` or the number itself (a decimal comma reads as a point), and an
    empty cell, ``None`` or NaN is ``""``.

    Parameters
    ----------
    value
        The cell as a reader returned it (text, number, time, ``None``).

    Returns
    -------
    str
        The canonical text.
    """
    if value is None or isinstance(value, bool | np.bool_):
        return "" if value is None else str(bool(value))
    if isinstance(value, int | float | np.integer | np.floating):
        number = float(value)
        return "" if math.isnan(number) else _number_text(number)
    if value is pd.NaT:
        return ""
    text = " ".join(str(value).split())
    if whole := _WHOLE.fullmatch(text):
        return str(int(whole[1]))
    if _NUMBER.fullmatch(text):
        return _number_text(float(text.replace(",", ".")))
    return text


def row_key(fields: Mapping[str, object]) -> str:
    """Return a row's identity: a hash of its fields' canonical texts, empty ones left out.

    Parameters
    ----------
    fields
        The row's values by field (``when``, ``place``, ``lat`` …, not by the file's column
        names, so a reordered or renamed column keeps the key).

    Returns
    -------
    str
        A SHA-256 hex digest; the same for the same values in any order or formatting
        (:func:`cell_text`), another for other values.
    """
    items = sorted((str(f), t) for f, v in fields.items() if (t := cell_text(v)))
    return hashlib.sha256(json.dumps(items, ensure_ascii=False).encode()).hexdigest()


@dataclass(frozen=True)
class Mending:
    """Which fields the fix of each reason changes: how a mended row is told from its row.

    Attributes
    ----------
    fixed_by
        Reason → the kind of fix that mends it.
    changes
        Kind of fix → the fields it changes; a row mended there keeps the others.
    """

    fixed_by: Mapping[str, str]
    changes: Mapping[str, tuple[str, ...]]

    @classmethod
    def by_field(cls, fields: Sequence[str]) -> Mending:
        """Return the mending of rows whose refusal names one field: its fix changes that one.

        A patrol-log row is refused for one of its fields
        (:attr:`geo.patrol_log_rows.RowProblem.field`): pass that field as the reason.
        """
        return cls({f: f for f in fields}, {f: (f,) for f in fields})

    def joined(self, groups: Mapping[str, tuple[str, ...]]) -> Mending:
        """Return this mending with more reasons, each mended by a row changed in its fields.

        A patrol-log row whose two counts disagree (:class:`geo.patrol_log_fields.CountBound`)
        may be mended in either: the reason → both fields.
        """
        return Mending({**self.fixed_by, **{r: r for r in groups}}, {**self.changes, **groups})


#: The incident import's mending: a time fixed, or a location (:data:`FIX_FIELDS`).
INCIDENT_MENDING = Mending(_FIXED_BY, FIX_FIELDS)


def _id_key(fields: Mapping[str, object]) -> str:
    """Return the key of a row's source and id: any row with them mends it."""
    return row_key({"source": fields.get("source"), "id": fields.get("id")})


def _values_key(fields: Mapping[str, object], fix: str, changed: tuple[str, ...]) -> str:
    """Return the key of a row's values outside the ``changed`` fields of the ``fix``."""
    return row_key({"fix": fix, **{f: v for f, v in fields.items() if f not in changed}})


def fix_key(
    fields: Mapping[str, object], reason: str, mending: Mending = INCIDENT_MENDING
) -> str | None:
    """Return the key a quarantined row shares with its mended version, or ``None``.

    A row with a source id is mended by any stored row of that source and id. One without
    is mended by a stored row with the same values outside the fields its reason is about
    (``mending``): a ``no_location`` row by the row with coordinates or a known place.

    Parameters
    ----------
    fields
        The quarantined row's values by field (see :func:`row_key`).
    reason
        Why it was quarantined (a key of ``mending.fixed_by``).
    mending
        The fields each reason's fix changes (default the incident import's).

    Returns
    -------
    str or None
        ``None`` when no mended row can be told from the row.
    """
    if cell_text(fields.get("id")):
        return _id_key(fields)
    fix = mending.fixed_by.get(reason)
    return None if fix is None else _values_key(fields, fix, mending.changes[fix])


def fix_keys(fields: Mapping[str, object], mending: Mending = INCIDENT_MENDING) -> frozenset[str]:
    """Return the keys of the quarantined rows a stored row mends (:func:`fix_key`)."""
    if cell_text(fields.get("id")):
        return frozenset({_id_key(fields)})
    return frozenset(_values_key(fields, fix, changed) for fix, changed in mending.changes.items())


def _raw_key(raw: str) -> str:
    """Return the key of a row known only by its raw JSON (a malformed record, a police event)."""
    try:
        value = json.loads(raw)
    except (TypeError, ValueError):
        value = raw
    if isinstance(value, dict):
        return row_key(value)
    if isinstance(value, list):
        return row_key({str(i): v for i, v in enumerate(value)})
    return row_key({"raw": value})


def keyed(quarantine: pd.DataFrame) -> pd.DataFrame:
    """Return quarantined rows with ``key`` and ``fix_key`` (from ``raw`` where not given).

    Parameters
    ----------
    quarantine
        ``line``, ``reason``, ``detail``, ``raw`` and, for validated rows, ``key`` and
        ``fix_key`` (:func:`geo.ingest.normalize.normalize_table`).

    Returns
    -------
    pandas.DataFrame
        A copy with ``key`` for every row and ``fix_key`` (``None`` where unknown).
    """
    out = quarantine.copy()
    keys = out["key"] if "key" in out else pd.Series(None, index=out.index, dtype=object)
    missing = keys.isna()
    out["key"] = keys.where(~missing, out["raw"].map(_raw_key))
    if "fix_key" not in out:
        out["fix_key"] = None
    out["fix_key"] = out["fix_key"].astype(object).where(out["fix_key"].notna(), None)
    return out
