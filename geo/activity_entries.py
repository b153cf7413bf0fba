"""Activity-log rows set from the marking app: each party its own lines, every change audited.

An editor sets how many times its own organisation did a plan line in a month (the kommun's
column of N2, the police's of T1, either column of a joint line such as S1 for the party it
belongs to). The row is checked by :func:`geo.activity_log_rows.validate_entry`, the rules of
``geo activity log``, and stored by :func:`geo.activity_log.set_entries`, the write of
``geo activity log`` and ``geo activity import`` too, so the monthly follow-up reads it like
a row logged from the command line. Setting is idempotent: the same times and comment again
write nothing. Every row that does change writes an audit row in ``activity_log_changes`` in
the same transaction (:mod:`geo.audit`), naming the account.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from geo import activity_log, activity_log_rows, activity_plan, audit, months, store, users
from geo.errors import GeoError

if TYPE_CHECKING:
    from pathlib import Path

    import pandas as pd

logger = logging.getLogger(__name__)

#: The audit table of the activity log (:data:`geo.activity_log.CHANGES_TABLE`).
CHANGES_TABLE = activity_log.CHANGES_TABLE
#: What :func:`save_entry` did: the row as stored, ``created`` and ``changed``.
EntrySaveResult = activity_log.EntryWrite


class EntryPermissionError(GeoError, PermissionError):
    """The account may not set this executor's times (a viewer, or the other organisation)."""


def may_log(user: users.User, executor: str) -> bool:
    """Tell whether ``user`` may set ``executor``'s times: an editor of that organisation.

    Parameters
    ----------
    user
        The account.
    executor
        ``polis`` or ``kommun`` (the keys of :data:`geo.activity_plan.EXECUTORS` and
        :data:`geo.users.ORGS` are the same).

    Returns
    -------
    bool
        ``True`` for an editor whose organisation is the executor.
    """
    return user.can_write and user.org == executor


def _refuse(user: users.User, executor: str) -> None:
    if not user.can_write:
        msg = "Ditt konto får bara läsa; be en redigerare logga aktiviteten."
        raise EntryPermissionError(msg)
    if user.org != executor:
        theirs = activity_plan.EXECUTORS.get(executor, executor)
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
    now: pd.Timestamp | None = None,
) -> activity_log.EntryWrite:
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
        :func:`geo.activity_plan.load_plan`.
    path
        The store.
    now
        The time it is checked at (default the clock): a month not begun is refused, as by
        ``geo activity log`` (:func:`geo.activity_log_rows.check_month_begun`).

    Returns
    -------
    geo.activity_log.EntryWrite
        The stored row and what was done.

    Raises
    ------
    EntryPermissionError
        When the account is a viewer, or of the other organisation.
    geo.errors.EntryError
        When a field breaks the rules of ``geo activity log`` (with its Swedish message),
        or the month has not begun.
    """
    if not user.can_write:
        _refuse(user, executor)
    entry = activity_log_rows.validate_entry(
        plan,
        activity_id=activity_id,
        month=month,
        executor=executor,
        times=times,
        comment=comment,
        now=now,
    )
    if not may_log(user, entry.executor):
        _refuse(user, entry.executor)
    resolved = activity_log.ensure_schema(path)
    with store.connect(resolved) as conn, conn:
        conn.execute("BEGIN IMMEDIATE")
        (done,) = activity_log.set_entries(conn, [entry], changed_by=user.name)
    if done.changed:
        logger.info(
            "activity %s %s %s set to %d by %s",
            entry.activity_id, entry.month, entry.executor, entry.times, user.name,
        )  # fmt: skip
    return done


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
    key = str(months.parse_month(month))
    with store.reading(path) as conn:
        return audit.read_changes(
            conn, CHANGES_TABLE, {"month": key}, key_columns=("activity_id", "month", "executor")
        )
