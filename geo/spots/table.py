"""The ``spots`` and ``spot_changes`` tables: schema, connections, one writer, rows as spots."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from geo import _gpkg, store
from geo.spots.vocabulary import (
    OWNERS,
    SPOT_CATEGORIES,
    STATUSES,
)

#: Columns of the ``spots`` table that make up a spot (besides ``geom``), as selected.
_ROW_KEYS: tuple[str, ...] = (
    "spot_id",
    "category",
    "status",
    "owner",
    "org",
    "unit",
    "weekdays",
    "time_bands",
    "since",
    "description",
    "created_by",
    "created_at",
    "updated_by",
    "updated_at",
    "version",
)


#: Columns of :func:`read_spots` (besides ``geometry``): the stored ones with the category's
#: label, without ``updated_by`` and ``version``.
SPOT_COLUMNS: tuple[str, ...] = (
    "spot_id",
    "category",
    "category_label",
    *(k for k in _ROW_KEYS[2:] if k not in ("updated_by", "version")),
)


_SCHEMA = """
CREATE TABLE IF NOT EXISTS spots (
  fid INTEGER PRIMARY KEY AUTOINCREMENT,
  geom GEOMETRY,
  spot_id TEXT NOT NULL UNIQUE,
  category TEXT NOT NULL,
  status TEXT NOT NULL,
  owner TEXT NOT NULL,
  org TEXT NOT NULL,
  unit TEXT NOT NULL DEFAULT '',
  weekdays TEXT NOT NULL,
  time_bands TEXT NOT NULL,
  since DATE,
  description TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at DATETIME NOT NULL,
  updated_by TEXT NOT NULL,
  updated_at DATETIME NOT NULL,
  version INTEGER NOT NULL,
  min_x REAL NOT NULL, min_y REAL NOT NULL, max_x REAL NOT NULL, max_y REAL NOT NULL);
CREATE INDEX IF NOT EXISTS spots_min_x ON spots (min_x);
CREATE TABLE IF NOT EXISTS spot_changes (
  fid INTEGER PRIMARY KEY AUTOINCREMENT,
  spot_id TEXT NOT NULL,
  version INTEGER NOT NULL,
  changed_at DATETIME NOT NULL,
  changed_by TEXT NOT NULL,
  action TEXT NOT NULL,
  before TEXT,
  after TEXT NOT NULL,
  comment TEXT NOT NULL DEFAULT '');
CREATE INDEX IF NOT EXISTS spot_changes_spot ON spot_changes (spot_id);
"""


# One writer at a time within a process: SQLite allows one anyway, and waiting on a lock is
# fairer and faster than SQLite's busy-wait back-off (which gave multi-second tail latencies).
_write_lock = threading.Lock()


def now_text() -> str:
    """Return the time now as stored: UTC ISO 8601 with milliseconds and ``Z``."""
    now = datetime.now(UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


_TABLES = store.ExtraTables(
    _SCHEMA,
    (
        ("spots", "GEOMETRY", "Traffic spots marked by kommun staff (points and road stretches)"),
        ("spot_changes", None, "Audit trail of the spots: who changed what, when, before/after"),
    ),
)


def ensure_schema(path: Path | None = None) -> Path:
    """Create the ``spots`` and ``spot_changes`` tables in the store if needed.

    Takes and returns the store path as :func:`geo.store.ensure_tables` does.
    """
    return store.ensure_tables(_TABLES, path)


def connect(path: Path | None) -> sqlite3.Connection:
    """Return this thread's connection to the store (kept open: closing checkpoints the WAL)."""
    return store.thread_connection(ensure_schema(path))


def read_connection(path: Path | None) -> sqlite3.Connection:
    """Return this thread's read-only connection to the store: it makes no table.

    A store without the ``spots`` table has no spots (:func:`geo.store.has_table`).
    """
    return store.thread_connection((path or store.default_path()).resolve(), read_only=True)


def release(conn: sqlite3.Connection) -> None:
    """Roll back what a reader or a failed writer left open on this thread's connection."""
    if conn.in_transaction:
        conn.execute("ROLLBACK")


@contextmanager
def writing(path: Path | None) -> Iterator[sqlite3.Connection]:
    """Hold the write lock and an immediate transaction: committed unless the block raises.

    A block may end the transaction itself (``ROLLBACK`` when there is nothing to write).
    """
    conn = connect(path)
    _write_lock.acquire()
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
            if conn.in_transaction:
                conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    finally:
        _write_lock.release()
        release(conn)


SELECT_SPOTS = f"SELECT {', '.join(_ROW_KEYS)}, geom FROM spots"


def row_to_spot(row: Sequence[Any]) -> dict[str, Any]:
    """Return a selected row (:data:`SELECT_SPOTS`) as a spot dict with labels and geometry.

    Parameters
    ----------
    row
        The values of :data:`_ROW_KEYS`, then the GeoPackage geometry blob.

    Returns
    -------
    dict
        The stored fields, JSON lists parsed, ``category_label``, ``status_label``,
        ``owner_label`` and a shapely ``geometry`` (EPSG:3006).
    """
    spot = dict(zip(_ROW_KEYS, row[:-1], strict=True))
    spot["weekdays"] = json.loads(spot["weekdays"])
    spot["time_bands"] = json.loads(spot["time_bands"])
    spot["category_label"] = SPOT_CATEGORIES.get(spot["category"], spot["category"])
    spot["status_label"] = STATUSES.get(spot["status"], spot["status"])
    spot["owner_label"] = OWNERS.get(spot["owner"], spot["owner"])
    spot["geometry"] = _gpkg.from_blobs([row[-1]])[0]
    return spot


def fetch(conn: sqlite3.Connection, spot_id: str) -> dict[str, Any] | None:
    """Return the spot with this id (:func:`row_to_spot`), or ``None``."""
    row = conn.execute(f"{SELECT_SPOTS} WHERE spot_id = ?", (spot_id,)).fetchone()
    return row_to_spot(row) if row else None
