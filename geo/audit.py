"""Audit rows of changed records: who, when, what, and the values before/after.

A record's audit table (``patrol_log_changes`` for a pass, ``activity_log_changes`` for an
activity-log row, from the marking app, ``geo activity log`` or ``geo activity import``) has
the record's key columns, then ``changed_at`` (UTC, ISO 8601), ``changed_by`` (the account,
or the command line or file, :data:`geo.activity_log.CLI_CHANGED_BY`), ``action``
(:data:`CREATED`, :data:`CHANGED`, :data:`REMOVED`) and ``before``/``after``: the record's
fields as JSON text, ``before`` empty for the row that created it and ``after`` for the row
that removed it. The pages tell a row in Swedish with :func:`geo.web._history.describe_change`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pandas as pd

from geo import store

if TYPE_CHECKING:
    import sqlite3

#: Audit actions.
CREATED, CHANGED, REMOVED = "skapad", "ändrad", "borttagen"
#: The columns every audit table has after the record's key columns.
AUDIT_COLUMNS: tuple[str, ...] = ("changed_at", "changed_by", "action", "before", "after")
_NAME_RE = re.compile(r"[a-z_][a-z0-9_]*")


def now_text() -> str:
    """Return the time now as the audit writes it: UTC, milliseconds, ``Z``."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _names(table: str, keys: Mapping[str, object]) -> list[str]:
    """Return the key columns, checked to be plain names (they are written into the SQL)."""
    names = [table, *keys]
    bad = [n for n in names if not _NAME_RE.fullmatch(n)]
    if bad or not keys:
        msg = f"Audit table and key columns must be plain lower-case names, not {bad!r}."
        raise ValueError(msg)
    return list(keys)


def record_change(
    conn: sqlite3.Connection,
    table: str,
    keys: Mapping[str, object],
    *,
    who: str,
    action: str,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
) -> None:
    """Write one audit row, in the caller's transaction.

    Parameters
    ----------
    conn
        The store, with the audit table created.
    table
        The audit table (a name from the code, never from a request).
    keys
        The record's key columns and values, e.g. ``{"log_id": "…"}``.
    who
        The account that made the change.
    action
        :data:`CREATED`, :data:`CHANGED` or :data:`REMOVED`.
    before, after
        The record's fields before and after (``None``: it did not exist).
    """
    columns = [*_names(table, keys), *AUDIT_COLUMNS]
    values = [
        *keys.values(),
        now_text(),
        who,
        action,
        None if before is None else json.dumps(before, ensure_ascii=False),
        None if after is None else json.dumps(after, ensure_ascii=False),
    ]
    conn.execute(
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
        values,
    )


def read_changes(
    conn: sqlite3.Connection,
    table: str,
    keys: Mapping[str, object],
    *,
    key_columns: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Return a record's audit rows, oldest first.

    Parameters
    ----------
    conn
        The store (read-only will do); a store without the audit table has no rows.
    table
        The audit table.
    keys
        The record's key columns and values; a key may be left out to read the rows of
        every record with the others (all of a month's activity-log rows).
    key_columns
        All the record's key columns, the columns of the empty frame returned when the
        store has no audit table yet (default the columns of ``keys``).

    Returns
    -------
    pandas.DataFrame
        Every column of the table but ``fid`` (the key columns, then :data:`AUDIT_COLUMNS`),
        in the order written.
    """
    names = _names(table, keys)
    stored = [c for c in store.table_columns(conn, table) if c != "fid"]
    columns = stored or [*(key_columns or names), *AUDIT_COLUMNS]
    return store.read_frame(
        conn,
        table,
        columns,
        where=" AND ".join(f"{n} = ?" for n in names),
        params=[str(v) for v in keys.values()],
        order="fid",
    )
