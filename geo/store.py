"""The GeoPackage store: incidents, quarantine, imports and places, plus analysis layers.

The file is a standard GeoPackage (it opens in QGIS). Incidents, quarantined rows and
imports are written through :mod:`sqlite3` in one transaction per import, so a crash
leaves the previous state; analysis layers are written by GDAL (pyogrio).
"""

from __future__ import annotations

import json
import logging
import re
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import _gpkg, settings
from geo.errors import StoreError
from geo.model import INCIDENT_COLUMNS
from geo.quarantine import keyed

logger = logging.getLogger(__name__)

SRS_ID = 3006
_SCHEMA = """
CREATE TABLE IF NOT EXISTS incidents (
  fid INTEGER PRIMARY KEY AUTOINCREMENT,
  geom POINT,
  incident_id TEXT NOT NULL UNIQUE,
  source TEXT NOT NULL,
  reporter_org TEXT,
  occurred_at DATETIME NOT NULL,
  occurred_until DATETIME,
  time_precision TEXT NOT NULL,
  time_flag TEXT,
  category TEXT NOT NULL,
  theme TEXT NOT NULL,
  place_id TEXT,
  place_name TEXT,
  location_precision_m REAL NOT NULL,
  location_flag TEXT,
  description TEXT,
  reported_to_police TEXT,
  weight REAL NOT NULL DEFAULT 1.0,
  kommunkod TEXT NOT NULL,
  import_id INTEGER,
  content_hash TEXT);
CREATE INDEX IF NOT EXISTS incidents_occurred_at ON incidents (occurred_at);
CREATE INDEX IF NOT EXISTS incidents_category ON incidents (category);
CREATE TABLE IF NOT EXISTS quarantine (
  fid INTEGER PRIMARY KEY AUTOINCREMENT,
  import_id INTEGER NOT NULL,
  file TEXT NOT NULL,
  line INTEGER NOT NULL,
  reason TEXT NOT NULL,
  detail TEXT NOT NULL,
  raw TEXT NOT NULL,
  file_sha256 TEXT NOT NULL,
  row_key TEXT,
  fix_key TEXT,
  resolved_by INTEGER,
  UNIQUE (file_sha256, line));
CREATE TABLE IF NOT EXISTS imports (
  fid INTEGER PRIMARY KEY AUTOINCREMENT,
  file TEXT NOT NULL,
  file_sha256 TEXT NOT NULL,
  format TEXT NOT NULL,
  imported_at DATETIME NOT NULL,
  n_read INTEGER NOT NULL,
  n_stored INTEGER NOT NULL,
  n_quarantined INTEGER NOT NULL,
  n_duplicates INTEGER NOT NULL,
  reasons TEXT NOT NULL,
  n_repeats INTEGER NOT NULL DEFAULT 0);
"""
#: Columns added to the schema after stores were made: ``ALTER TABLE`` adds them to those.
_ADDED_COLUMNS = (
    ("quarantine", "row_key", "TEXT"),
    ("quarantine", "fix_key", "TEXT"),
    ("quarantine", "resolved_by", "INTEGER"),
    ("imports", "n_repeats", "INTEGER NOT NULL DEFAULT 0"),
)
#: Indexes and views over the added columns, made once they are there.
_LATER_SCHEMA = """
CREATE INDEX IF NOT EXISTS quarantine_row_key ON quarantine (row_key);
CREATE INDEX IF NOT EXISTS quarantine_fix_key ON quarantine (fix_key);
CREATE VIEW IF NOT EXISTS quarantine_open AS
  SELECT fid, import_id, file, line, reason, detail, raw FROM quarantine
  WHERE resolved_by IS NULL;
"""
_TABLES = (
    ("incidents", "POINT", "Incidents and observations (one row each)"),
    ("quarantine", None, "Rows that could not be stored, with the reason"),
    ("imports", None, "One row per import: file, hash, counts"),
    ("quarantine_open", None, "Quarantined rows not yet mended by a later import"),
)
_STORED_COLUMNS = tuple(c for c in INCIDENT_COLUMNS if c != "geometry")


def default_path() -> Path:
    """Return the store path from settings (``data/lagesbild.gpkg``)."""
    return settings.store_path


@contextmanager
def connect(path: Path | None = None) -> Iterator[sqlite3.Connection]:
    """Open (creating if needed) the store and yield a connection; commit or roll back on exit.

    For writers: it makes the schema. Readers use :func:`reading`, which writes nothing.
    On exit what was written is copied from the WAL into the ``.gpkg`` file itself
    (:func:`_checkpoint`), so a copy of that one file holds it.

    Parameters
    ----------
    path
        The GeoPackage; default :func:`default_path`.

    Yields
    ------
    sqlite3.Connection
        A connection in WAL mode with the schema in place.

    Raises
    ------
    StoreError
        If the file cannot be opened as a store.
    """
    path = path or default_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, timeout=30.0)
    except (OSError, sqlite3.Error) as e:
        msg = f"Cannot open the store {str(path)!r}: {e}. Pass --store with a writable path."
        raise StoreError(msg) from e
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        with conn:
            _gpkg.init_core(conn)
            _gpkg.register_srs(conn, SRS_ID)
            conn.executescript(_SCHEMA)
            _add_columns(conn)
            conn.executescript(_LATER_SCHEMA)
            for table, gtype, desc in _TABLES:
                _gpkg.register_table(
                    conn, table, geometry_type=gtype, srs_id=SRS_ID, description=desc
                )
    except sqlite3.DatabaseError as e:
        conn.close()
        raise _not_a_store(path, e) from e
    try:
        yield conn
    finally:
        _checkpoint(conn)
        conn.close()


def _add_columns(conn: sqlite3.Connection) -> None:
    """Add :data:`_ADDED_COLUMNS` to a store made before them (its rows read them as NULL)."""
    for table, column, kind in _ADDED_COLUMNS:
        if column not in table_columns(conn, table):
            conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")


#: The one-time upgrades done to the store's rows (:func:`upgrade_once`): a step's name and
#: when it was done (UTC).
UPGRADES_TABLE = "store_upgrades"


def upgrade_once(
    conn: sqlite3.Connection, step: str, upgrade: Callable[[sqlite3.Connection], int]
) -> int:
    """Run an upgrade of the rows an earlier version wrote, unless the store says it is done.

    Tables and columns a store lacks are added each time a writer opens it (``CREATE TABLE IF
    NOT EXISTS``, :func:`_add_columns`): asking costs nothing. Rewriting rows does not, and
    rows written since are right already; such a step runs once and ``store_upgrades`` keeps
    its name and when. The GeoPackage's ``user_version`` and ``application_id`` say the file's
    format (GeoPackage 1.4, :mod:`geo._gpkg`), not the store's, so they are not used for this.

    The record is written in the caller's transaction, after ``upgrade``: a write that fails
    later rolls both back, and the step runs again at the next writer. Two writers at once may
    both run it; a step is to give the same result run twice.

    Parameters
    ----------
    conn
        A writer's connection to the store.
    step
        The step's name; a step that rewrites rows otherwise later is a new name.
    upgrade
        The step: it rewrites the rows and returns how many.

    Returns
    -------
    int
        What ``upgrade`` returned; 0 when the store had it done, and then nothing is run.
    """
    conn.execute(
        f"CREATE TABLE IF NOT EXISTS {UPGRADES_TABLE}"
        " (step TEXT PRIMARY KEY, done_at TEXT NOT NULL)"
    )
    if conn.execute(f"SELECT 1 FROM {UPGRADES_TABLE} WHERE step = ?", (step,)).fetchone():
        return 0
    changed = upgrade(conn)
    done_at = datetime.now(UTC).isoformat(timespec="seconds")
    conn.execute(f"INSERT OR IGNORE INTO {UPGRADES_TABLE} VALUES (?, ?)", (step, done_at))
    logger.info("store upgrade %s: %d rows", step, changed)
    return changed


def _checkpoint(conn: sqlite3.Connection) -> None:
    """Copy the WAL's committed pages into the database file, waiting for no one.

    SQLite does so when the last connection to a store closes, but a command that keeps a
    reader open (the spots' and accounts' kept connection, :func:`thread_connection`) closes
    its writers first and the reader never checkpoints: ``geo run`` left the analysis layers
    (3 MB) in ``data/lagesbild.gpkg-wal``, and a copy of ``data/lagesbild.gpkg`` alone, as
    one would take to QGIS on another machine or to a backup, had none of them. A passive
    checkpoint does not wait for readers or writers; pages a reader still needs stay in the
    WAL for the next one.

    Parameters
    ----------
    conn
        A writer's connection, about to be closed.
    """
    with suppress(sqlite3.Error):
        if conn.in_transaction:
            conn.rollback()
        conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()


def _not_a_store(path: Path, error: sqlite3.Error) -> StoreError:
    msg = (
        f"{str(path)!r} is not a usable GeoPackage store ({error}); "
        "move it away or pass another --store."
    )
    return StoreError(msg)


#: Errors of a read-only open of a WAL store whose ``-shm`` file is missing and may not be made
#: (a folder the reader may not write): such a store is read as immutable.
_NO_SHM = frozenset({"SQLITE_READONLY_DIRECTORY", "SQLITE_READONLY_CANTINIT"})


def _read_only_uri(path: Path, *, immutable: bool) -> str:
    return path.resolve().as_uri() + ("?mode=ro&immutable=1" if immutable else "?mode=ro")


def _open_uri(path: Path, *, immutable: bool) -> sqlite3.Connection:
    """Open ``path`` read-only and read its schema; raise :class:`sqlite3.Error` if that fails."""
    conn = sqlite3.connect(_read_only_uri(path, immutable=immutable), uri=True, timeout=30.0)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error:
        conn.close()
        raise
    return conn


def open_read_only(path: Path | None = None) -> sqlite3.Connection:
    """Open the store for reading only: no schema is made, nothing is written, no write lock.

    Readers (``geo report``, ``geo activity status``, the app's pages) use this, so a store
    copy that may not be written (file mode 0444, a read-only share) can be read. A store in
    WAL mode needs its ``-shm`` file; where it is missing and the folder may not be written,
    the file is opened as immutable (read as it stands).

    Parameters
    ----------
    path
        The GeoPackage; default :func:`default_path`.

    Returns
    -------
    sqlite3.Connection
        A connection that refuses writes; to an empty in-memory database (no tables) when the
        store does not exist yet, since nothing has been stored then.

    Raises
    ------
    StoreError
        If the file cannot be opened or is not an SQLite database.
    """
    path = path or default_path()
    if not path.exists():
        return sqlite3.connect(":memory:")
    try:
        try:
            return _open_uri(path, immutable=False)
        except sqlite3.OperationalError as e:
            if getattr(e, "sqlite_errorname", "") not in _NO_SHM:
                raise
            return _open_uri(path, immutable=True)
    except sqlite3.Error as e:
        raise _not_a_store(path, e) from e


@contextmanager
def reading(path: Path | None = None) -> Iterator[sqlite3.Connection]:
    """Yield a read-only connection to the store (:func:`open_read_only`), closed on exit."""
    conn = open_read_only(path)
    try:
        yield conn
    finally:
        conn.close()


def table_columns(conn: sqlite3.Connection, table: str) -> tuple[str, ...]:
    """Return a table's columns in order; empty when the store has no such table.

    Readers ask this rather than create a table, or add a column, that is not there: an
    older store, or one nothing was logged in yet, is read as it is. ``table`` is a name from
    the code, never from a request.
    """
    return tuple(str(r[1]) for r in conn.execute(f'PRAGMA table_info("{table}")'))


def has_table(conn: sqlite3.Connection, table: str) -> bool:
    """Tell whether the store holds ``table`` (:func:`table_columns`)."""
    return bool(table_columns(conn, table))


def select_list(conn: sqlite3.Connection, table: str, columns: Sequence[str]) -> str | None:
    """Return ``columns`` as an SQL select list for ``table``, or ``None`` without the table.

    A column the table lacks (one added to the schema after the store was made) is
    selected as ``NULL``, so a reader sees it missing rather than failing.

    Parameters
    ----------
    conn
        A connection to the store (read-only will do).
    table
        The table (a name from the code).
    columns
        The columns wanted, in order.

    Returns
    -------
    str or None
        E.g. ``"log_id, start, NULL AS logged_by"``.
    """
    have = set(table_columns(conn, table))
    if not have:
        return None
    return ", ".join(c if c in have else f"NULL AS {c}" for c in columns)


def read_frame(
    conn: sqlite3.Connection,
    table: str,
    columns: Sequence[str],
    *,
    where: str = "",
    params: Sequence[str | float | None] = (),
    order: str = "",
) -> pd.DataFrame:
    """Read columns of a table into a frame, empty with the columns when there is no table.

    Parameters
    ----------
    conn
        A connection to the store (read-only will do).
    table
        The table (a name from the code).
    columns
        The columns (:func:`select_list`: one the table lacks reads as missing).
    where
        An SQL condition with ``?`` for ``params`` (empty: every row).
    params
        Its values.
    order
        An SQL ``ORDER BY`` list (empty: as stored).

    Returns
    -------
    pandas.DataFrame
        The rows, columns ``columns``.
    """
    select = select_list(conn, table, columns)
    if select is None:
        return pd.DataFrame(columns=list(columns))
    sql = f'SELECT {select} FROM "{table}"'
    sql += f" WHERE {where}" if where else ""
    sql += f" ORDER BY {order}" if order else ""
    return pd.read_sql_query(sql, conn, params=list(params))


@dataclass
class ImportBatch:
    """What one import writes: rows to store and rows to quarantine.

    Attributes
    ----------
    file
        The file imported (or a URL for downloads).
    file_sha256
        Hash of its bytes; the same hash is not imported twice.
    format
        The format read (``csv``, ``xlsx``, ``geojson``, ``gpkg``, ``polisen``).
    incidents
        Rows to store: columns :data:`geo.model.INCIDENT_COLUMNS` (+ ``content_hash``), EPSG:3006.
    quarantine
        Rows not stored: columns ``line``, ``reason``, ``detail``, ``raw`` (a JSON string),
        and ``key``, ``fix_key`` (:mod:`geo.quarantine`; made from ``raw`` when missing).
    n_read
        Rows read from the file.
    update_existing
        Replace stored incidents with the same ``incident_id`` whose content changed
        (police events are updated after publication).
    replace_source
        Delete the stored incidents of this source first, in the same transaction (the
        weekly regenerated synthetic set replaces the previous one).
    extra_reasons
        Counts of rows dropped before the batch was built, by reason.
    fixes
        :func:`geo.quarantine.fix_keys` of the rows to store: the quarantined rows with
        one of these keys are resolved by this import.
    """

    file: str
    file_sha256: str
    format: str
    incidents: gpd.GeoDataFrame
    quarantine: pd.DataFrame
    n_read: int
    update_existing: bool = False
    replace_source: str | None = None
    extra_reasons: dict[str, int] = field(default_factory=dict)
    fixes: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ImportCounts:
    """Counts of one import of rows: ``read == stored + quarantined + duplicates``.

    ``reasons`` counts quarantined rows by reason.
    """

    read: int
    stored: int
    quarantined: int
    duplicates: int
    reasons: dict[str, int]

    def as_dict(self) -> dict[str, Any]:
        """Return the counts as the ``--json`` object of ``geo import`` and ``geo log import``."""
        return {
            "read": self.read,
            "stored": self.stored,
            "quarantined": self.quarantined,
            "duplicates": self.duplicates,
            "reasons": dict(sorted(self.reasons.items())),
        }


@dataclass(frozen=True)
class RepeatCounts(ImportCounts):
    """Counts of an import that knows its quarantine's rows: repeats and rows mended.

    ``read == stored + quarantined + duplicates + repeats``. ``quarantined`` counts the rows
    quarantined now, ``reasons`` them by reason; ``repeats`` the bad rows an earlier import
    quarantined already (:func:`geo.quarantine.row_key`); ``resolved`` the quarantined rows
    of earlier imports that rows stored now mend (:func:`geo.quarantine.fix_key`).
    ``geo import`` and ``geo log import`` both say them.
    """

    repeats: int = 0
    resolved: int = 0

    def as_dict(self) -> dict[str, Any]:
        """Return the counts, with ``repeats`` and ``resolved`` (the commands' ``--json``)."""
        out = super().as_dict()
        out["repeats"] = self.repeats
        out["resolved"] = self.resolved
        return out

    def summary(self) -> str:
        """Return ``read N, stored S, quarantined Q (R already in quarantine), duplicates D``.

        The part in brackets only when there are repeats: ``read`` is the sum of the four.
        """
        repeats = f" ({self.repeats} already in quarantine)" if self.repeats else ""
        return (
            f"read {self.read}, stored {self.stored}, quarantined {self.quarantined}{repeats},"
            f" duplicates {self.duplicates}"
        )


@dataclass(frozen=True)
class ImportResult(RepeatCounts):
    """Counts of one incident import (:class:`RepeatCounts`).

    ``repeat_lines`` are the file's lines of the repeats; ``categories`` counts stored rows
    by category.
    """

    already_imported: bool = False
    categories: dict[str, int] = field(default_factory=dict)
    repeat_lines: frozenset[int] = frozenset()


def _utc_text(value: pd.Timestamp | None) -> str | None:
    if value is None or pd.isna(value):
        return None
    return pd.Timestamp(value).tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _incident_rows(incidents: gpd.GeoDataFrame, import_id: int) -> list[tuple[Any, ...]]:
    rows = []
    blobs = [_gpkg.to_blob(g, SRS_ID) for g in incidents.geometry]
    for blob, rec in zip(blobs, incidents.to_dict("records"), strict=True):
        values = []
        for col in _STORED_COLUMNS:
            v = rec.get(col)
            if col in ("occurred_at", "occurred_until"):
                v = _utc_text(v)
            elif col == "import_id":
                v = import_id
            elif v is not None and not isinstance(v, str) and pd.isna(v):
                v = None
            values.append(v)
        rows.append((blob, *values, rec.get("content_hash")))
    return rows


def write_import(batch: ImportBatch, path: Path | None = None) -> ImportResult:
    """Write one import in a single transaction.

    A file whose hash was imported before stores nothing (every row counts as a
    duplicate). Incidents whose ``incident_id`` is stored already count as duplicates,
    unless ``batch.update_existing`` and their content changed, in which case they are
    replaced and counted as stored. A row without a source id (``h:`` id) is a duplicate
    too when a stored one holds the same event under another place (:func:`_stored_alike`).

    A bad row that an earlier import quarantined already (the same ``key``) is a repeat:
    not quarantined again, counted in ``repeats``. Open quarantined rows whose fix key is
    in ``batch.fixes`` are marked resolved by this import (``resolved_by``), which takes
    them out of the ``quarantine_open`` view.

    Parameters
    ----------
    batch
        The rows to write.
    path
        The store; default :func:`default_path`.

    Returns
    -------
    ImportResult
        The counts.
    """
    cols = ", ".join(("geom", *_STORED_COLUMNS, "content_hash"))
    marks = ", ".join("?" * (len(_STORED_COLUMNS) + 2))
    with connect(path) as conn:
        conn.execute("BEGIN IMMEDIATE")
        try:
            seen = conn.execute(
                "SELECT 1 FROM imports WHERE file_sha256 = ? LIMIT 1", (batch.file_sha256,)
            ).fetchone()
            if seen is not None:
                conn.rollback()
                return ImportResult(batch.n_read, 0, 0, batch.n_read, {}, already_imported=True)
            cur = conn.execute(
                "INSERT INTO imports (file, file_sha256, format, imported_at, n_read, n_stored,"
                " n_quarantined, n_duplicates, reasons) VALUES (?,?,?,?,?,0,0,0,'{}')",
                (
                    batch.file,
                    batch.file_sha256,
                    batch.format,
                    datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                    batch.n_read,
                ),
            )
            import_id = int(cur.lastrowid or 0)
            if batch.replace_source is not None:
                conn.execute("DELETE FROM incidents WHERE source = ?", (batch.replace_source,))
            stored = duplicates = 0
            existing = _existing_hashes(conn, list(batch.incidents["incident_id"]))
            rows = _incident_rows(batch.incidents, import_id)
            fresh = [r for r in rows if r[1] not in existing]
            fresh_ids = [r[1] for r in fresh]
            stored_alike = _stored_alike(conn, fresh) | _stored_as_float(conn, fresh_ids)
            new_rows, updates = [], []
            for row in rows:
                iid, chash = row[1], row[-1]
                if iid not in existing and iid in stored_alike:
                    duplicates += 1
                elif iid not in existing:
                    new_rows.append(row)
                    existing[iid] = chash
                elif batch.update_existing and existing[iid] != chash:
                    updates.append(row)
                    existing[iid] = chash
                else:
                    duplicates += 1
            conn.executemany(f"INSERT INTO incidents ({cols}) VALUES ({marks})", new_rows)
            for row in updates:
                conn.execute("DELETE FROM incidents WHERE incident_id = ?", (row[1],))
            conn.executemany(f"INSERT INTO incidents ({cols}) VALUES ({marks})", updates)
            stored = len(new_rows) + len(updates)
            resolved = resolve_quarantine(conn, batch.fixes, import_id)
            q = keyed(batch.quarantine)
            repeat = q["key"].isin(quarantined_before(conn, list(q["key"])))
            fresh_q = q[~repeat]
            conn.executemany(
                "INSERT INTO quarantine (import_id, file, line, reason, detail, raw, file_sha256,"
                " row_key, fix_key) VALUES (?,?,?,?,?,?,?,?,?)",
                [
                    (
                        import_id,
                        batch.file,
                        int(str(r.line)),
                        r.reason,
                        r.detail,
                        r.raw,
                        batch.file_sha256,
                        r.key,
                        r.fix_key,
                    )
                    for r in fresh_q.itertuples()
                ],
            )
            counts = fresh_q["reason"].value_counts().to_dict() if len(fresh_q) else {}
            reasons = {str(k): int(v) for k, v in counts.items()}
            for k, v in batch.extra_reasons.items():
                reasons[k] = reasons.get(k, 0) + v
            cat_index = 1 + _STORED_COLUMNS.index("category")
            categories: dict[str, int] = {}
            for row in (*new_rows, *updates):
                categories[row[cat_index]] = categories.get(row[cat_index], 0) + 1
            result = ImportResult(
                batch.n_read,
                stored,
                len(fresh_q),
                duplicates,
                reasons,
                categories=categories,
                repeats=int(repeat.sum()),
                repeat_lines=frozenset(int(str(n)) for n in q.loc[repeat, "line"]),
                resolved=resolved,
            )
            conn.execute(
                "UPDATE imports SET n_stored=?, n_quarantined=?, n_duplicates=?, n_repeats=?,"
                " reasons=? WHERE fid=?",
                (
                    stored,
                    result.quarantined,
                    duplicates,
                    result.repeats,
                    json.dumps(reasons, ensure_ascii=False),
                    import_id,
                ),
            )
            conn.commit()
        except BaseException:
            conn.rollback()
            raise
    logger.info(
        "%s: read %d, stored %d, quarantined %d, duplicates %d, repeats %d",
        batch.file,
        result.read,
        result.stored,
        result.quarantined,
        result.duplicates,
        result.repeats,
    )
    return result


def _chunks(values: Sequence[str], size: int = 500) -> Iterator[list[str]]:
    """Yield ``values`` in lists of at most ``size`` (SQLite's limit on ``?`` per statement)."""
    for start in range(0, len(values), size):
        yield list(values[start : start + size])


def quarantined_before(
    conn: sqlite3.Connection, keys: Sequence[str], table: str = "quarantine"
) -> set[str]:
    """Return which of the row ``keys`` an earlier import quarantined (mended or not).

    A row quarantined and later mended is not quarantined again when an older copy of the
    file is imported: the mended row is stored.

    Parameters
    ----------
    conn
        An open connection to the store.
    keys
        Row keys (:func:`geo.quarantine.row_key`).
    table
        The quarantine table (with ``row_key``): ``quarantine`` or ``patrol_log_quarantine``.

    Returns
    -------
    set of str
        The keys found.
    """
    found: set[str] = set()
    for chunk in _chunks(sorted(set(keys))):
        marks = ",".join("?" * len(chunk))
        rows = conn.execute(f"SELECT row_key FROM {table} WHERE row_key IN ({marks})", chunk)
        found.update(str(r[0]) for r in rows)
    return found


def resolve_quarantine(
    conn: sqlite3.Connection, fixes: Iterable[str], by: object, table: str = "quarantine"
) -> int:
    """Mark the open quarantined rows whose fix key is in ``fixes`` resolved by ``by``.

    Parameters
    ----------
    conn
        An open connection to the store.
    fixes
        Fix keys of rows stored (:func:`geo.quarantine.fix_keys`).
    by
        What mended them, written to ``resolved_by``: the import's id (``quarantine``), the
        pass's ``log_id`` (``patrol_log_quarantine``).
    table
        The quarantine table (with ``fix_key`` and ``resolved_by``).

    Returns
    -------
    int
        How many rows were resolved.
    """
    resolved = 0
    for chunk in _chunks(sorted(set(fixes))):
        marks = ",".join("?" * len(chunk))
        cur = conn.execute(
            f"UPDATE {table} SET resolved_by = ? WHERE resolved_by IS NULL"
            f" AND fix_key IN ({marks})",
            [by, *chunk],
        )
        resolved += cur.rowcount
    return resolved


#: Where a stored row's fields are in :func:`_incident_rows`' tuples (the blob comes first).
_ROW_AT = {c: 1 + i for i, c in enumerate(_STORED_COLUMNS)}
#: Two points this close (m) are one point, as the content hash rounds them to 0.1 m.
SAME_POINT_M = 0.1


def _stored_alike(conn: sqlite3.Connection, rows: Sequence[tuple[Any, ...]]) -> set[str]:
    """Return the ids of ``rows`` without a source id whose event is stored under another hash.

    A row without an id is known by the hash of its content, which holds the place the
    gazetteer gave it: drawing a place (a bathing site) or renaming one gave a row imported
    again another hash, and it was stored twice. Here a row is the stored one when a stored
    row without an id has its source, time, category and description and lies within
    :data:`SAME_POINT_M` of it, whatever place each was given.
    """
    wanted = [r for r in rows if str(r[1]).startswith("h:")]
    if not wanted:
        return set()
    at = _ROW_AT
    key_of = ("source", "occurred_at", "category", "description")
    times = sorted({r[at["occurred_at"]] for r in wanted})
    stored: dict[tuple[Any, ...], list[bytes]] = {}
    for start in range(0, len(times), 500):
        chunk = times[start : start + 500]
        found = conn.execute(
            f"SELECT {', '.join(key_of)}, geom FROM incidents WHERE incident_id LIKE 'h:%'"
            f" AND occurred_at IN ({','.join('?' * len(chunk))})",
            chunk,
        ).fetchall()
        for *key, blob in found:
            stored.setdefault(tuple(key), []).append(blob)
    alike: set[str] = set()
    for row in wanted:
        blobs = stored.get(tuple(row[at[c]] for c in key_of))
        if not blobs or row[0] is None:
            continue
        (point,) = _gpkg.from_blobs([row[0]])
        if any(point.distance(g) < SAME_POINT_M for g in _gpkg.from_blobs(blobs)):
            alike.add(str(row[1]))
    return alike


def _stored_as_float(conn: sqlite3.Connection, ids: Sequence[str]) -> set[str]:
    """Return the ``ids`` (``kommun:1001``) stored as a float's text (``kommun:1001.0``).

    Imports before ids were read as whole numbers stored a GeoPackage's integer ids with a
    NULL among them so; the same report from a CSV is no new event.
    """
    whole = {f"{i}.0": i for i in ids if re.fullmatch(r"[^:]+:\d+", i)}
    found = _existing_hashes(conn, list(whole))
    return {whole[i] for i in found}


def _existing_hashes(conn: sqlite3.Connection, ids: Sequence[str]) -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    for start in range(0, len(ids), 500):
        chunk = list(ids[start : start + 500])
        marks = ",".join("?" * len(chunk))
        q = f"SELECT incident_id, content_hash FROM incidents WHERE incident_id IN ({marks})"
        found.update(dict(conn.execute(q, chunk).fetchall()))
    return found


def read_incidents(
    path: Path | None = None,
    *,
    start: datetime | pd.Timestamp | None = None,
    end: datetime | pd.Timestamp | None = None,
    themes: Sequence[str] | None = None,
    categories: Sequence[str] | None = None,
    sources: Sequence[str] | None = None,
    bbox: tuple[float, float, float, float] | None = None,
    max_precision_m: float | None = None,
) -> gpd.GeoDataFrame:
    """Query stored incidents.

    Parameters
    ----------
    path
        The store; default :func:`default_path`.
    start, end
        Keep incidents with ``start <= occurred_at < end`` (tz-aware, or naive in Europe/Stockholm).
    themes, categories, sources
        Keep only these values.
    bbox
        ``(left, bottom, right, top)`` in EPSG:3006.
    max_precision_m
        Keep only incidents located at least this precisely (e.g. 1000 drops kommun centroids).

    Returns
    -------
    geopandas.GeoDataFrame
        Columns :data:`geo.model.INCIDENT_COLUMNS`; ``occurred_at``/``occurred_until``
        tz-aware in Europe/Stockholm; Point geometry in EPSG:3006. Empty (with the
        columns) when nothing matches.
    """
    where: list[str] = []
    params: list[str | float | None] = []
    for col, value in (("occurred_at >= ?", start), ("occurred_at < ?", end)):
        if value is not None:
            ts = pd.Timestamp(value)
            if ts.tzinfo is None:
                ts = ts.tz_localize(settings.timezone)
            where.append(col)
            params.append(_utc_text(ts))
    for col, values in (("theme", themes), ("category", categories), ("source", sources)):
        if values is not None:
            where.append(f"{col} IN ({','.join('?' * len(values))})")
            params.extend(values)
    if max_precision_m is not None:
        where.append("location_precision_m <= ?")
        params.append(max_precision_m)
    with reading(path) as conn:
        df = read_frame(
            conn,
            "incidents",
            ("geom", *_STORED_COLUMNS),
            where=" AND ".join(where),
            params=params,
            order="occurred_at, incident_id",
        )
    geoms = _gpkg.from_blobs(df.pop("geom"))
    for col in ("occurred_at", "occurred_until"):
        df[col] = pd.to_datetime(df[col], utc=True, format="ISO8601").dt.tz_convert(
            settings.timezone
        )
    df["location_precision_m"] = df["location_precision_m"].astype(float)
    df["weight"] = df["weight"].astype(float)
    gdf = gpd.GeoDataFrame(df, geometry=geoms, crs=settings.working_crs)
    if bbox is not None:
        left, bottom, right, top = bbox
        gdf = gdf.cx[left:right, bottom:top]
    return gdf.reset_index(drop=True)


def last_occurred(
    path: Path | None = None, *, until: datetime | pd.Timestamp | None = None
) -> pd.Timestamp | None:
    """Return when the store's last incident (before ``until``) occurred, or ``None``.

    Parameters
    ----------
    path
        The store; default :func:`default_path`.
    until
        Look only at incidents before this instant (tz-aware); ``None``: all.

    Returns
    -------
    pandas.Timestamp or None
        The latest ``occurred_at`` (UTC); ``None`` when there is no incident.
    """
    sql = "SELECT max(occurred_at) FROM incidents"
    params = [] if until is None else [_utc_text(pd.Timestamp(until))]
    sql += " WHERE occurred_at < ?" if params else ""  # stored as UTC ISO 8601 text
    with reading(path) as conn:
        last = conn.execute(sql, params).fetchone()[0] if has_table(conn, "incidents") else None
    return None if last is None else pd.Timestamp(last).tz_convert("UTC")


def occurrences(
    path: Path | None = None, *, until: datetime | pd.Timestamp | None = None
) -> pd.DataFrame:
    """Return when and from which source every stored incident (before ``until``) came.

    A report reads the months its store's observations cover from these
    (:func:`geo.report.monthly.selection.data_start`): the first stored month, not the
    first of a window read, and the month each source began in.

    Parameters
    ----------
    path
        The store; default :func:`default_path`.
    until
        Look only at incidents before this instant (tz-aware); ``None``: all.

    Returns
    -------
    pandas.DataFrame
        ``occurred_at`` (tz-aware, Europe/Stockholm) and ``source``, in time order; empty
        (with the columns) without incidents.
    """
    sql = "SELECT occurred_at, source FROM incidents"
    params = [] if until is None else [_utc_text(pd.Timestamp(until))]
    sql += " WHERE occurred_at < ?" if params else ""
    sql += " ORDER BY occurred_at"
    with reading(path) as conn:
        rows = conn.execute(sql, params).fetchall() if has_table(conn, "incidents") else []
    frame = pd.DataFrame(rows, columns=["occurred_at", "source"], dtype=object)
    frame["occurred_at"] = pd.to_datetime(
        frame["occurred_at"], utc=True, format="ISO8601"
    ).dt.tz_convert(settings.timezone)
    return frame


def read_quarantine(path: Path | None = None, *, open_only: bool = False) -> pd.DataFrame:
    """Return quarantined rows: ``import_id, file, line, reason, detail, raw, resolved_by``.

    Parameters
    ----------
    path
        The store; default :func:`default_path`.
    open_only
        Only the rows no later import mended (the ``quarantine_open`` view).

    Returns
    -------
    pandas.DataFrame
        One row per quarantined row, in the order quarantined; ``resolved_by`` is the
        import that stored the mended row, missing while the row is open.
    """
    columns = ("import_id", "file", "line", "reason", "detail", "raw", "resolved_by")
    with reading(path) as conn:
        mended = "resolved_by" in table_columns(conn, "quarantine")
        where = "resolved_by IS NULL" if open_only and mended else ""
        return read_frame(conn, "quarantine", columns, where=where, order="fid")


def unkeyed_quarantine(path: Path | None = None) -> pd.DataFrame:
    """Return the quarantined rows without a row key (quarantined before rows had keys).

    Returns
    -------
    pandas.DataFrame
        ``fid``, ``import_id``, ``reason``, ``raw`` and the import's ``format``; empty when
        every row has its key (or the store has no quarantine yet).
    """
    columns = ["fid", "import_id", "reason", "raw", "format"]
    with reading(path) as conn:
        have = table_columns(conn, "quarantine")
        if not have:
            return pd.DataFrame(columns=columns)
        unkeyed = "q.row_key IS NULL" if "row_key" in have else "1"  # a store made before keys
        return pd.read_sql_query(
            "SELECT q.fid, q.import_id, q.reason, q.raw, m.format FROM quarantine q"
            f" LEFT JOIN imports m ON m.fid = q.import_id WHERE {unkeyed} ORDER BY q.fid",
            conn,
        )


def set_quarantine_keys(
    keys: Sequence[tuple[str, str | None, int]], path: Path | None = None
) -> None:
    """Give quarantined rows their keys, in one transaction.

    Parameters
    ----------
    keys
        ``(row_key, fix_key, fid)`` per row (:mod:`geo.quarantine`).
    path
        The store; default :func:`default_path`.
    """
    if not keys:
        return
    with connect(path) as conn, conn:
        conn.executemany("UPDATE quarantine SET row_key = ?, fix_key = ? WHERE fid = ?", keys)


def read_imports(path: Path | None = None) -> pd.DataFrame:
    """Return the import log: one row per import with its counts."""
    columns = (
        "fid", "file", "file_sha256", "format", "imported_at", "n_read", "n_stored",
        "n_quarantined", "n_duplicates", "n_repeats", "reasons",
    )  # fmt: skip
    with reading(path) as conn:
        return read_frame(conn, "imports", columns, order="fid")


def count_incidents(path: Path | None = None) -> int:
    """Return the number of stored incidents."""
    with reading(path) as conn:
        if not has_table(conn, "incidents"):
            return 0
        return int(conn.execute("SELECT count(*) FROM incidents").fetchone()[0])


def _sql_type(series: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(series):
        return "BOOLEAN"
    if pd.api.types.is_integer_dtype(series):
        return "INTEGER"
    if pd.api.types.is_float_dtype(series):
        return "DOUBLE"
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        return "DATETIME"
    return "TEXT"


def _sql_value(value: object, sql_type: str) -> object:
    if value is None or (not isinstance(value, list | dict | np.ndarray) and pd.isna(value)):  # type: ignore[call-overload]
        return None
    if sql_type == "DATETIME":
        return _utc_text(pd.Timestamp(value))  # type: ignore[arg-type]
    if sql_type == "BOOLEAN":
        return int(bool(value))
    if sql_type in ("INTEGER", "DOUBLE"):
        return value.item() if isinstance(value, np.generic) else value
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, list | dict | tuple):
        return json.dumps(value, ensure_ascii=False, default=str)
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def write_layer(gdf: pd.DataFrame, layer: str, path: Path | None = None) -> None:
    """Write (replace) an analysis or reference layer in the store, in one transaction.

    The layer is a GeoPackage feature table (a GeoDataFrame) or attribute table (a plain
    DataFrame) that QGIS and GDAL read. It is written through the same SQLite library as
    the rest of the store: a second SQLite copy (GDAL's) writing into a file that this
    process holds open in WAL mode can delete the WAL index under the open connection.

    Parameters
    ----------
    gdf
        The layer. A GeoDataFrame keeps its CRS (use EPSG:3006); lists, dicts and arrays in
        columns are written as JSON text, tz-aware times as UTC DATETIME.
    layer
        Layer name (letters, digits, ``_``); must not be one of the store's own tables.
    path
        The store; default :func:`default_path`.

    Raises
    ------
    StoreError
        If ``layer`` names a core table or is not a plain identifier.
    """
    if layer in {t for t, _, _ in _TABLES} or not layer.isidentifier() or layer.startswith("gpkg"):
        msg = f"Layer name {layer!r} is reserved or not a plain identifier; choose another name."
        raise StoreError(msg)
    is_geo = isinstance(gdf, gpd.GeoDataFrame) and gdf.geometry.name in gdf.columns
    data = gdf.drop(columns=[gdf.geometry.name]) if is_geo else gdf
    data = data.drop(columns=[c for c in ("fid", "geom") if c in data.columns])
    types = {str(c): _sql_type(data[c]) for c in data.columns}
    columns = ", ".join(f'"{c}" {t}' for c, t in types.items())
    srs_id = SRS_ID
    gtype = None
    if is_geo:
        epsg = gdf.crs.to_epsg() if gdf.crs is not None else None
        srs_id = int(epsg) if epsg is not None else -1
        kinds = set(gdf.geometry.dropna().geom_type)
        gtype = kinds.pop().upper() if len(kinds) == 1 else "GEOMETRY"
        columns = f"geom {gtype}" + (f", {columns}" if columns else "")
    rows = []
    blobs = [_gpkg.to_blob(g, srs_id) for g in gdf.geometry] if is_geo else None
    records = data.to_dict("records")
    for i, rec in enumerate(records):
        values = [_sql_value(rec[c], types[str(c)]) for c in data.columns]
        rows.append(([blobs[i]] if blobs is not None else []) + values)
    names = (["geom"] if is_geo else []) + [f'"{c}"' for c in types]
    with connect(path) as conn:
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute(f'DROP TABLE IF EXISTS "{layer}"')
            for table in ("gpkg_geometry_columns", "gpkg_contents"):
                conn.execute(f"DELETE FROM {table} WHERE table_name = ?", (layer,))
            if srs_id > 0:
                _gpkg.register_srs(conn, srs_id)
            conn.execute(
                f'CREATE TABLE "{layer}" (fid INTEGER PRIMARY KEY AUTOINCREMENT'
                + (f", {columns})" if columns else ")")
            )
            _gpkg.register_table(conn, layer, geometry_type=gtype, srs_id=srs_id)
            if is_geo and len(gdf):
                minx, miny, maxx, maxy = (float(v) for v in gdf.total_bounds)
                conn.execute(
                    "UPDATE gpkg_contents SET min_x=?, min_y=?, max_x=?, max_y=?"
                    " WHERE table_name=?",
                    (minx, miny, maxx, maxy, layer),
                )
            if names:
                marks = ", ".join("?" * len(names))
                conn.executemany(
                    f'INSERT INTO "{layer}" ({", ".join(names)}) VALUES ({marks})', rows
                )
            conn.commit()
        except BaseException:
            conn.rollback()
            raise
    logger.info("%d rows to layer %s", len(rows), layer)


def _layer_meta(conn: sqlite3.Connection, layer: str) -> tuple[Any, ...] | None:
    """Return a layer's ``(data_type, srs_id)`` from the catalogue, or ``None``."""
    if not has_table(conn, "gpkg_geometry_columns"):
        return None
    row = conn.execute(
        "SELECT c.data_type, g.srs_id FROM gpkg_contents c LEFT JOIN gpkg_geometry_columns g"
        " ON g.table_name = c.table_name WHERE c.table_name = ?",
        (layer,),
    ).fetchone()
    return None if row is None else tuple(row)


def read_layer(layer: str, path: Path | None = None) -> gpd.GeoDataFrame:
    """Read an analysis or reference layer written by :func:`write_layer`.

    Returns
    -------
    geopandas.GeoDataFrame
        The layer's columns (JSON text stays text, DATETIME columns become tz-aware
        Europe/Stockholm, BOOLEAN columns bool) and ``geometry`` with the layer's CRS;
        for an attribute table, a GeoDataFrame without geometry.

    Raises
    ------
    StoreError
        If the layer does not exist (the message says which command makes it).
    """
    with reading(path) as conn:
        meta = _layer_meta(conn, layer)
        if meta is None or layer in {t for t, _, _ in _TABLES}:
            msg = (
                f"The store {str(path or default_path())!r} has no layer {layer!r}; "
                "run the command that makes it (see `geo --help`)."
            )
            raise StoreError(msg)
        declared = {r[1]: str(r[2]).upper() for r in conn.execute(f'PRAGMA table_info("{layer}")')}
        df = pd.read_sql_query(f'SELECT * FROM "{layer}" ORDER BY fid', conn)
    df = df.drop(columns=["fid"])
    for col, sql_type in declared.items():
        if col not in df.columns:
            continue
        if sql_type == "DATETIME":
            parsed = pd.to_datetime(df[col], utc=True, format="ISO8601")
            df[col] = parsed.dt.tz_convert(settings.timezone)
        elif sql_type == "BOOLEAN":
            df[col] = df[col].astype(bool)
    if meta[0] != "features":
        return gpd.GeoDataFrame(df)
    geoms = _gpkg.from_blobs(df.pop("geom"))
    crs = f"EPSG:{meta[1]}" if meta[1] and meta[1] > 0 else None
    return gpd.GeoDataFrame(df, geometry=geoms, crs=crs)


@dataclass(frozen=True)
class ExtraTables:
    """Tables a module adds to the store (the marking app's spots and users, the activity log).

    Attributes
    ----------
    schema
        ``CREATE TABLE IF NOT EXISTS …`` statements (idempotent).
    tables
        ``(name, geometry type or None, description)`` per table, registered in the
        GeoPackage catalogue so QGIS lists them.
    """

    schema: str
    tables: tuple[tuple[str, str | None, str], ...]


_ready: set[tuple[Path, str]] = set()
_ready_lock = threading.Lock()
_local = threading.local()


def ensure_tables(extra: ExtraTables, path: Path | None = None) -> Path:
    """Create a module's tables in the store once per process and return the resolved path.

    Parameters
    ----------
    extra
        The tables.
    path
        The store; default :func:`default_path`.

    Returns
    -------
    pathlib.Path
        The resolved store path.
    """
    resolved = (path or default_path()).resolve()
    key = (resolved, extra.schema)
    with _ready_lock:
        if key in _ready and resolved.exists():
            return resolved
        with connect(resolved) as conn, conn:
            conn.executescript(extra.schema)
            for table, gtype, description in extra.tables:
                _gpkg.register_table(
                    conn, table, geometry_type=gtype, srs_id=SRS_ID, description=description
                )
        _ready.add(key)
    return resolved


def thread_connection(path: Path, *, read_only: bool = False) -> sqlite3.Connection:
    """Return this thread's kept-open autocommit connection to a store (for the web server).

    Closing a WAL connection checkpoints the log, which made every request slow; one
    connection per thread and store stays open instead. Callers manage transactions with
    ``BEGIN``/``COMMIT`` themselves.

    Parameters
    ----------
    path
        A resolved store path (see :func:`ensure_tables`).
    read_only
        A connection for readers (:func:`open_read_only`), kept apart from the writers'.
        A store that does not exist yet gets a fresh empty one each time, not kept.

    Returns
    -------
    sqlite3.Connection
        The connection, with a 30 s busy timeout and ``synchronous = NORMAL`` (a committed
        write survives a killed process).
    """
    conns: dict[tuple[Path, bool], sqlite3.Connection] = _local.__dict__.setdefault("conns", {})
    conn = conns.get((path, read_only))
    if conn is None:
        if read_only and not path.exists():
            return open_read_only(path)
        if read_only:
            conn = open_read_only(path)
            conn.isolation_level = None
        else:
            conn = sqlite3.connect(path, timeout=30.0, isolation_level=None, check_same_thread=True)
        conn.execute("PRAGMA busy_timeout = 30000")
        conn.execute("PRAGMA synchronous = NORMAL")
        conns[(path, read_only)] = conn
    return conn


def list_layers(path: Path | None = None) -> list[str]:
    """Return the names of the tables and layers in the store's GeoPackage catalogue."""
    with reading(path) as conn:
        if not has_table(conn, "gpkg_contents"):
            return []
        return [r[0] for r in conn.execute("SELECT table_name FROM gpkg_contents ORDER BY 1")]
