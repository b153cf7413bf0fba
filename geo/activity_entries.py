"""Activity-log rows set from the marking app: each party its own lines, every change audited.

An editor sets how many times its own organisation did a plan line in a month (the kommun's
column of N2, the police's of T1, either column of a joint line such as S1 for the party it
belongs to). The row is checked by :func:`geo.activity.validate_entry`, the rules of
``geo activity log``, and stored by :func:`geo.activity.upsert_entries`, so the monthly
follow-up reads it like a row logged from the command line. Setting is idempotent: the
same times and comment again write nothing. Every row that does change writes an audit row
in ``activity_log_changes`` in the same transaction (:mod:`geo.audit`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from geo import activity, audit, store, users
from geo.errors import GeoError

if TYPE_CHECKING:
    from pathlib import Path

    import pandas as pd

logger = logging.getLogger(__name__)

#: The audit table of the activity log.
CHANGES_TABLE = "activity_log_changes"
_SCHEMA = """
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
_TABLES = store.ExtraTables(
    _SCHEMA,
    ((CHANGES_TABLE, None, "Who changed the activity log from the marking app, and how"),),
)


class EntryPermissionError(GeoError, PermissionError):
    """The account may not set this executor's times (a viewer, or the other organisation)."""


@dataclass(frozen=True)
class EntrySaveResult:
    """What :func:`save_entry` did.

    Attributes
    ----------
    entry
        The row as stored.
    created
        Whether the line, month and executor had no row before.
    changed
        Whether anything was written (``False``: the same times and comment again).
    """

    entry: activity.LogEntry
    created: bool
    changed: bool


def may_log(user: users.User, executor: str) -> bool:
    """Tell whether ``user`` may set ``executor``'s times: an editor of that organisation.

    Parameters
    ----------
    user
        The account.
    executor
        ``polis`` or ``kommun`` (the keys of :data:`geo.activity.EXECUTORS` and
        :data:`geo.users.ORGS` are the same).

    Returns
    -------
    bool
        ``True`` for an editor whose organisation is the executor.
    """
    return user.can_write and user.org == executor


def ensure_schema(path: Path | None = None) -> Path:
    """Create the activity log and its audit table in the store if needed.

    Parameters
    ----------
    path
        The store; default :func:`geo.store.default_path`.

    Returns
    -------
    pathlib.Path
        The resolved store path.
    """
    activity.ensure_schema(path)
    return store.ensure_tables(_TABLES, path)


def _refuse(user: users.User, executor: str) -> None:
    if not user.can_write:
        msg = "Ditt konto får bara läsa; be en redigerare logga aktiviteten."
        raise EntryPermissionError(msg)
    if user.org != executor:
        theirs = activity.EXECUTORS.get(executor, executor)
        msg = (
            f"Du loggar för {users.ORGS[user.org].lower()}; {theirs.lower()} loggar "
            "sina egna aktiviteter."
        )
        raise EntryPermissionError(msg)


def save_entry(
    activity_id: str,
    *,
    month: str,
    executor: str,
    times: object,
    comment: object = "",
    user: users.User,
    plan: pd.DataFrame,
    path: Path | None = None,
) -> EntrySaveResult:
    """Set how many times an organisation did a plan line in a month, auditing the change.

    Parameters
    ----------
    activity_id
        The plan line, e.g. ``"N2"``.
    month
        ``YYYY-MM``.
    executor
        ``polis`` or ``kommun``: the account's own organisation.
    times
        Times done that month (0 = not done); text from a form is accepted.
    comment
        Internal note (never in the shared report).
    user
        An editor of ``executor`` (:func:`may_log`).
    plan
        :func:`geo.activity.load_plan`.
    path
        The store.

    Returns
    -------
    EntrySaveResult
        The stored row and what was done.

    Raises
    ------
    EntryPermissionError
        When the account is a viewer, or of the other organisation.
    geo.errors.EntryError
        When a field breaks the rules of ``geo activity log`` (with its Swedish message).
    """
    if not user.can_write:
        _refuse(user, executor)
    entry = activity.validate_entry(
        plan,
        activity_id=activity_id,
        month=month,
        executor=executor,
        times=times,
        comment=comment,
    )
    if not may_log(user, entry.executor):
        _refuse(user, entry.executor)
    key = {"activity_id": entry.activity_id, "month": entry.month, "executor": entry.executor}
    after = {"times": entry.times, "comment": entry.comment}
    resolved = ensure_schema(path)
    with store.connect(resolved) as conn, conn:
        conn.execute("BEGIN IMMEDIATE")
        row = conn.execute(
            "SELECT times, comment FROM activity_log"
            " WHERE activity_id = ? AND month = ? AND executor = ?",
            tuple(key.values()),
        ).fetchone()
        before = None if row is None else {"times": int(row[0]), "comment": str(row[1] or "")}
        changed = before != after
        if changed:
            activity.upsert_entries(conn, [entry])
            action = audit.CREATED if before is None else audit.CHANGED
            audit.record_change(
                conn, CHANGES_TABLE, key, who=user.name, action=action, before=before, after=after
            )
    if changed:
        logger.info(
            "activity %s %s %s set to %d by %s",
            entry.activity_id, entry.month, entry.executor, entry.times, user.name,
        )  # fmt: skip
    return EntrySaveResult(entry, created=before is None, changed=changed)


def read_entry_changes(month: str, *, path: Path | None = None) -> pd.DataFrame:
    """Return the audit rows of a month's activity log, oldest first.

    Parameters
    ----------
    month
        ``YYYY-MM``.
    path
        The store.

    Returns
    -------
    pandas.DataFrame
        ``activity_id``, ``month``, ``executor``, then :data:`geo.audit.AUDIT_COLUMNS`
        (``before``/``after`` JSON text with ``times`` and ``comment``).
    """
    key = str(activity.parse_month(month))
    resolved = ensure_schema(path)
    with store.connect(resolved) as conn:
        return audit.read_changes(conn, CHANGES_TABLE, {"month": key})
