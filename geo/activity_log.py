"""The activity log in the store: what each party did per plan line and month, audited.

One write (:func:`set_entries`) serves the marking app, ``geo activity log`` and
``geo activity import`` alike; each row that changes writes an audit row in
:data:`CHANGES_TABLE` in the same transaction.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from geo import audit, store
from geo.activity_log_rows import LogEntry, validate_entry
from geo.months import parse_month

logger = logging.getLogger(__name__)


#: Columns of :func:`read_activity_log`.
LOG_COLUMNS: tuple[str, ...] = ("activity_id", "month", "executor", "times", "comment", "logged_at")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS activity_log (
  fid INTEGER PRIMARY KEY AUTOINCREMENT,
  activity_id TEXT NOT NULL,
  month TEXT NOT NULL,
  executor TEXT NOT NULL,
  times INTEGER NOT NULL CHECK (times >= 0),
  comment TEXT NOT NULL DEFAULT '',
  logged_at DATETIME NOT NULL,
  UNIQUE (activity_id, month, executor));
CREATE TABLE IF NOT EXISTS activity_log_changes (
  fid INTEGER PRIMARY KEY AUTOINCREMENT,
  activity_id TEXT NOT NULL,
  month TEXT NOT NULL,
  executor TEXT NOT NULL,
  changed_at TEXT NOT NULL,
  changed_by TEXT NOT NULL,
  action TEXT NOT NULL,
  before TEXT,
  after TEXT);
CREATE INDEX IF NOT EXISTS activity_log_changes_month ON activity_log_changes (month);
"""

#: The audit table of the activity log: one row per change, whichever way it came in.
CHANGES_TABLE = "activity_log_changes"

#: ``changed_by`` of a row set by ``geo activity log`` (spaces: never an account's name).
CLI_CHANGED_BY = "kommandorad (geo activity log)"

_TABLES = store.ExtraTables(
    _SCHEMA,
    (
        ("activity_log", None, "What each party did per activity line of the löfte and month"),
        (CHANGES_TABLE, None, "Who changed the activity log (app, command line, file), and how"),
    ),
)


def ensure_schema(path: Path | None = None) -> Path:
    """Create the ``activity_log`` table and its audit table in the store if needed.

    Parameters
    ----------
    path
        The store; default :func:`geo.store.default_path`.

    Returns
    -------
    pathlib.Path
        The resolved store path.
    """
    return store.ensure_tables(_TABLES, path)


def file_changed_by(file: Path) -> str:
    """Return the ``changed_by`` of rows set by ``geo activity import``: the file's name.

    Parameters
    ----------
    file
        The imported file.

    Returns
    -------
    str
        ``"fil aktiviteter-2026-11.xlsx (geo activity import)"`` (spaces: never an account).
    """
    return f"fil {file.name} (geo activity import)"


@dataclass(frozen=True)
class EntryWrite:
    """What :func:`set_entries` did with one row.

    Attributes
    ----------
    entry
        The row as stored.
    created
        Whether the line, month and executor had no row before.
    changed
        Whether anything was written (``False``: the same times and comment again).
    """

    entry: LogEntry
    created: bool
    changed: bool


def set_entries(
    conn: sqlite3.Connection, entries: Sequence[LogEntry], *, changed_by: str
) -> list[EntryWrite]:
    """Set activity-log rows on an open connection, auditing each change, in its transaction.

    A row replaces the one with the same line, month and executor and is stamped
    ``logged_at`` now (UTC); the same times and comment again write nothing. Every row that
    changes writes an audit row in :data:`CHANGES_TABLE` (:func:`geo.audit.record_change`):
    the one write of the activity log, for the marking app (:mod:`geo.activity_entries`),
    ``geo activity log`` and ``geo activity import`` alike.

    Parameters
    ----------
    conn
        A connection to the store whose tables exist (:func:`ensure_schema`).
    entries
        Validated rows (:func:`geo.activity_log_rows.validate_entry`).
    changed_by
        Who the audit names: the app's account, :data:`CLI_CHANGED_BY` or
        :func:`file_changed_by`.

    Returns
    -------
    list of EntryWrite
        Per row, whether it was created and whether it changed.
    """
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    done = []
    for e in entries:
        key = {"activity_id": e.activity_id, "month": e.month, "executor": e.executor}
        row = conn.execute(
            "SELECT times, comment FROM activity_log"
            " WHERE activity_id = ? AND month = ? AND executor = ?",
            tuple(key.values()),
        ).fetchone()
        before = None if row is None else {"times": int(row[0]), "comment": str(row[1] or "")}
        after = {"times": e.times, "comment": e.comment}
        if before != after:
            conn.execute(
                "INSERT INTO activity_log (activity_id, month, executor, times, comment,"
                " logged_at) VALUES (?,?,?,?,?,?) ON CONFLICT (activity_id, month, executor)"
                " DO UPDATE SET times = excluded.times, comment = excluded.comment,"
                " logged_at = excluded.logged_at",
                (e.activity_id, e.month, e.executor, e.times, e.comment, now),
            )
            action = audit.CREATED if before is None else audit.CHANGED
            audit.record_change(
                conn, CHANGES_TABLE, key, who=changed_by, action=action, before=before, after=after
            )
        done.append(EntryWrite(e, created=before is None, changed=before != after))
    return done


def write_entries(
    entries: Sequence[LogEntry], path: Path | None = None, *, changed_by: str
) -> list[EntryWrite]:
    """Set activity-log rows in one transaction, auditing each change (:func:`set_entries`).

    Parameters
    ----------
    entries
        Validated rows (:func:`geo.activity_log_rows.validate_entry`).
    path
        The store; default :func:`geo.store.default_path`.
    changed_by
        Who the audit names (:func:`set_entries`).

    Returns
    -------
    list of EntryWrite
        Per row what was done: new, changed, or already as given (nothing written).
    """
    resolved = ensure_schema(path)
    with store.connect(resolved) as conn, conn:
        conn.execute("BEGIN IMMEDIATE")
        done = set_entries(conn, entries, changed_by=changed_by)
    changed = sum(d.changed for d in done)
    logger.info("%d activity-log rows set, %d changed, by %s", len(done), changed, changed_by)
    return done


def log_activity(
    activity_id: str,
    *,
    month: str,
    executor: str,
    times: int,
    comment: str = "",
    plan: pd.DataFrame,
    path: Path | None = None,
    changed_by: str = CLI_CHANGED_BY,
    now: pd.Timestamp | None = None,
) -> LogEntry:
    """Log what one party did for one activity line in one month (replacing an earlier entry).

    Parameters
    ----------
    activity_id
        The plan line, e.g. ``"T1"``.
    month
        ``YYYY-MM``.
    executor
        ``polis`` or ``kommun``.
    times
        How many times it was done that month (0 logs it as not done).
    comment
        Internal note (never in the shared report).
    plan
        As :func:`geo.activity_plan.load_plan` returns it.
    path
        The store.
    changed_by
        Who the audit row names (default :data:`CLI_CHANGED_BY`, ``geo activity log``'s).
    now
        The time it is checked at (default the clock): a month not begun is refused.

    Returns
    -------
    LogEntry
        What was stored.

    Raises
    ------
    EntryError
        If the row does not fit the plan, or its month has not begun.
    """
    entry = validate_entry(
        plan,
        activity_id=activity_id,
        month=month,
        executor=executor,
        times=times,
        comment=comment,
        now=now,
    )
    write_entries([entry], path, changed_by=changed_by)
    return entry


def read_activity_log(path: Path | None = None, *, month: str | None = None) -> pd.DataFrame:
    """Return the activity log, optionally for one month.

    Parameters
    ----------
    path
        The store.
    month
        ``YYYY-MM``; ``None`` for all months.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`LOG_COLUMNS` (``times`` int), ordered by month, activity, executor;
        empty when nothing is logged (also when the store has no activity log yet). The
        store is only read (:func:`geo.store.reading`).
    """
    params = [] if month is None else [str(parse_month(month))]
    with store.reading(path) as conn:
        df = store.read_frame(
            conn,
            "activity_log",
            LOG_COLUMNS,
            where="month = ?" if params else "",
            params=params,
            order="month, activity_id, executor",
        )
    df["times"] = df["times"].astype(int)
    return df
