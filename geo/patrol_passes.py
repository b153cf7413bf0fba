"""Passes the police log in the marking app: rows of the patrol log, corrected by their author.

A pass is one row of ``patrol_log`` (file :data:`geo.patrol_log.WEB_FILE`, line 0, its
``log_id`` the UUID the browser gave it, ``logged_by`` the account), checked by the same
:func:`geo.patrol_log_rows.check_log_row` as a row of an imported file, so the monthly
follow-up counts it like any other. Saving is idempotent by the UUID; every creation,
correction and removal writes a row in ``patrol_log_changes`` (who, when, before/after).
A pass stored resolves the quarantined rows of imported files it mends, by the file import's
own rule (:func:`geo.patrol_log.mended_keys`); removed, it opens them again, unless another
stored pass mends them too (:func:`geo.patrol_log.reopen_mended`).
"""

from __future__ import annotations

import logging
import sqlite3
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from geo import settings, store
from geo.audit import CHANGED, CREATED, REMOVED, now_text, read_changes, record_change
from geo.errors import FieldsError, GeoError
from geo.patrol_log import (
    CHANGES_TABLE,
    CONTENT_COLUMNS,
    WEB_FILE,
    ensure_log_schema,
    insert_sql,
    key_earlier_quarantine,
    mended_by,
    mended_keys,
    reopen_mended,
    resolve_mended,
    same_pass_elsewhere,
    stored_content,
)
from geo.patrol_log_fields import CONTROL_COUNTS
from geo.patrol_log_rows import (
    REPEATED_HOUR_OFFSETS,
    ROW_FIELDS,
    LogRow,
    RowProblem,
    check_log_row,
    with_offset,
)
from geo.users import User
from geo.weeks import week_monday

logger = logging.getLogger(__name__)

#: The organisation whose editors log passes.
PASS_ORG = "polis"
#: The form's choice of UTC offset for a start or end the clock change repeats (October's
#: 02:00–03:00): time field → its choice's field, a key of
#: :data:`~geo.patrol_log_rows.REPEATED_HOUR_OFFSETS` or empty.
OFFSET_FIELDS: dict[str, str] = {"start": "start_offset", "end": "end_offset"}
_PASS_COLUMNS: tuple[str, ...] = ("log_id", *CONTENT_COLUMNS, "file", "logged_by")


class PassValidationError(FieldsError):
    """A pass failed validation; ``errors`` maps each field to a Swedish sentence."""


class PassPermissionError(GeoError, PermissionError):
    """The account may not log passes, or not change this one."""


class PassNotFoundError(GeoError, LookupError):
    """No pass has this id."""


class PassRemovedError(GeoError):
    """The pass with this id was removed; its id is not used again."""


@dataclass(frozen=True)
class PassSaveResult:
    """What :func:`save_pass` did.

    Attributes
    ----------
    logged
        The stored pass (:func:`read_pass`).
    created
        Whether the pass is new.
    changed
        Whether anything was written (``False``: a retry of what is stored).
    mended
        The quarantined rows of imported files the pass resolves (``file``, ``line``): the
        same pass, set right, that ``geo log import`` refused
        (:func:`geo.patrol_log.mended_keys`).
    """

    logged: dict[str, Any]
    created: bool
    changed: bool
    mended: tuple[tuple[str, int], ...] = ()


def may_log(user: User) -> bool:
    """Tell whether ``user`` may log passes: the police's editors."""
    return user.can_write and user.org == PASS_ORG


def validate_pass(payload: Mapping[str, Any], *, now: pd.Timestamp | None = None) -> LogRow:
    """Check a pass from the form by the patrol log's rules (:func:`check_log_row`).

    Parameters
    ----------
    payload
        ``date``, ``start``, ``end`` (``18:30``, or ``2026-12-06 00:45`` past midnight),
        ``places``, ``activity``, ``results``, ``cancelled`` (a reason of
        :data:`~geo.patrol_log_fields.CANCEL_REASONS`, empty for a pass done) as text, and
        the control counts (:data:`~geo.patrol_log_fields.CONTROL_COUNTS`) as text or
        whole numbers; missing fields are empty. ``start_offset`` and ``end_offset``
        (:data:`OFFSET_FIELDS`: ``+02:00`` the first time, ``+01:00`` the second) tell a
        time October's clock change repeats; for any other time they are not read.
    now
        The time the pass is checked at (default the server's clock): a pass that starts
        after it is refused, as in a file.

    Returns
    -------
    LogRow
        The values to store.

    Raises
    ------
    PassValidationError
        With the field and the Swedish sentence (value and fix) of the first rule broken;
        a start or end the clock change repeats, given without its offset, is refused at
        its choice's field (``start_offset``, ``end_offset``), both at once when both are.
    """
    return _checked(form_row(payload), now=now)


def form_row(payload: Mapping[str, Any]) -> dict[str, str]:
    """Return the form's fields as a row's cells (:data:`ROW_FIELDS`, text), or refuse them.

    Parameters
    ----------
    payload
        As for :func:`validate_pass`.

    Returns
    -------
    dict
        Field → text, a start or end October repeats with its chosen offset
        (:func:`~geo.patrol_log_rows.with_offset`): what :func:`check_log_row` reads and the
        pass mends by (:func:`geo.patrol_log.mended_keys`).

    Raises
    ------
    PassValidationError
        When a field is not text (a count may be a whole number) or an offset is unknown.
    """
    row: dict[str, str] = {}
    errors: dict[str, str] = {}
    for field in ROW_FIELDS:
        value = payload.get(field)
        if field in CONTROL_COUNTS and isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if value is not None and not isinstance(value, str):
            errors[field] = "Fältet ska vara text."
        row[field] = value if isinstance(value, str) else ""
    for field, choice in OFFSET_FIELDS.items():
        offset = payload.get(choice) or ""
        if offset not in ("", *REPEATED_HOUR_OFFSETS):
            errors[choice] = "Välj första gången (sommartid) eller andra gången (normaltid)."
        elif isinstance(offset, str):
            row[field] = with_offset(row["date"], row[field], offset)
    if errors:
        raise PassValidationError(errors)
    return row


def _checked(row: Mapping[str, str], *, now: pd.Timestamp | None) -> LogRow:
    """Return a form row checked by :func:`check_log_row`, or refuse it at its field.

    A time the clock change repeats is refused at its choice (:data:`OFFSET_FIELDS`), and
    so is the end too when it is one as well: the page asks for both at once.
    """
    checked = check_log_row(row, now=now)
    if isinstance(checked, LogRow):
        return checked
    if not checked.repeated_hour:
        raise PassValidationError({checked.field: checked.form_message})
    errors: dict[str, str] = {}
    problem: LogRow | RowProblem = checked
    while isinstance(problem, RowProblem) and problem.repeated_hour:
        choice = OFFSET_FIELDS[problem.field]
        if choice in errors:
            break
        errors[choice] = problem.form_message
        some = next(iter(REPEATED_HOUR_OFFSETS))  # any: to read on to the end
        row = {**row, problem.field: with_offset(row["date"], row[problem.field], some)}
        problem = check_log_row(row, now=now)
    raise PassValidationError(errors)


def _ensure(conn: sqlite3.Connection) -> None:
    """Make and upgrade the tables, and key the quarantined rows as the file import does.

    The keys are a one-time upgrade (:func:`geo.patrol_log.key_earlier_quarantine`): once the
    store says it is done, a save reads no quarantined row for it.

    Committed: the pass's own write transaction (:func:`_writing`) begins after.
    """
    ensure_log_schema(conn)
    key_earlier_quarantine(conn)
    conn.commit()


def _pass_id(pass_id: str) -> str:
    try:
        return str(uuid.UUID(str(pass_id)))
    except ValueError as e:
        raise PassValidationError({"pass_id": "Passets id är inte ett UUID."}) from e


def _record(row: tuple[Any, ...]) -> dict[str, Any]:
    record = dict(zip(_PASS_COLUMNS, row, strict=True))
    for key in ("start", "end"):
        record[key] = pd.Timestamp(record[key]).tz_convert(settings.timezone)
    record["minutes"] = float(record["minutes"])
    record["cancelled"] = record["cancelled"] or ""
    record["from_app"] = record["file"] == WEB_FILE
    return record


def _records(
    conn: sqlite3.Connection, where: str = "", params: tuple[str, ...] = ()
) -> list[dict[str, Any]]:
    """Return rows of the patrol log (``where``: an SQL condition) as records.

    None without the table; an older store's missing ``logged_by`` reads as ``None``
    (readers do not upgrade the store).
    """
    select = store.select_list(conn, "patrol_log", _PASS_COLUMNS)
    if select is None:
        return []
    rows = conn.execute(f"SELECT {select} FROM patrol_log {where}", params).fetchall()
    return [_record(r) for r in rows]


def _fetch(conn: sqlite3.Connection, pass_id: str) -> dict[str, Any] | None:
    found = _records(conn, "WHERE log_id = ?", (pass_id,))
    return found[0] if found else None


def _audit(
    conn: sqlite3.Connection,
    pass_id: str,
    who: str,
    action: str,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
) -> None:
    record_change(
        conn,
        CHANGES_TABLE,
        {"log_id": pass_id},
        who=who,
        action=action,
        before=before,
        after=after,
    )


def _own(record: Mapping[str, Any], user: User, what: str) -> None:
    if not record["from_app"] or record["logged_by"] != user.name:
        msg = f"Passet loggades av någon annan; bara den som loggade det kan {what} det."
        raise PassPermissionError(msg)


def _check_may_log(user: User) -> None:
    if not may_log(user):
        msg = "Ditt konto får inte logga pass (bara polisens redigerare får det)."
        raise PassPermissionError(msg)


def _was_removed(conn: sqlite3.Connection, pass_id: str) -> bool:
    return (
        conn.execute(
            "SELECT 1 FROM patrol_log_changes WHERE log_id = ? AND action = ?", (pass_id, REMOVED)
        ).fetchone()
        is not None
    )


def _writer_id(pass_id: str, user: User) -> str:
    """Return the pass's id as stored, once it and the account are fit to write it."""
    sid = _pass_id(pass_id)
    _check_may_log(user)
    return sid


@contextmanager
def _writing(
    sid: str, path: Path | None
) -> Iterator[tuple[sqlite3.Connection, dict[str, Any] | None, bool]]:
    """Hold a write transaction on the pass ``sid`` (checked by :func:`_writer_id`).

    Yields the connection, the stored pass (``None`` when there is none) and whether a pass
    with this id was removed. Committed unless the block raises.
    """
    with store.connect(path) as conn, conn:
        _ensure(conn)
        conn.execute("BEGIN IMMEDIATE")
        existing = _fetch(conn, sid)
        yield conn, existing, existing is None and _was_removed(conn, sid)


def _not_in_a_file(conn: sqlite3.Connection, content: Mapping[str, Any]) -> None:
    """Refuse a new pass that a patrol-log file already holds (same start and end)."""
    file = same_pass_elsewhere(conn, content["start"], content["end"], web=True)
    if file is not None:
        name = Path(file).name
        sentence = (
            f"Ett pass med samma start och slut finns redan i patrulloggen (importerat från"
            f" {name}); det räknas inte två gånger. Rätta tiden om det är ett annat pass."
        )
        raise PassValidationError({"start": sentence})


def save_pass(
    pass_id: str,
    payload: Mapping[str, Any],
    *,
    user: User,
    path: Path | None = None,
    now: pd.Timestamp | None = None,
) -> PassSaveResult:
    """Log a pass, or correct one's own, under the UUID the browser gave it (idempotent).

    Parameters
    ----------
    pass_id
        The UUID; sending the same pass again stores nothing new.
    payload
        As for :func:`validate_pass`.
    user
        A police editor (:func:`may_log`); only the pass's author may correct it.
    path
        The store; default :func:`geo.store.default_path`.
    now
        As for :func:`validate_pass` (default the server's clock).

    Returns
    -------
    PassSaveResult
        The stored pass, what was done and the quarantined rows it mends: a pass stored
        (new or corrected) resolves the open rows of ``patrol_log_quarantine`` it mends, as a
        file's pass does, and a correction that no longer mends a row opens it again, or
        leaves it to another stored pass that mends it (:func:`geo.patrol_log.reopen_mended`).

    Raises
    ------
    PassValidationError
        When the id or a field is invalid.
    PassPermissionError
        When the account may not log passes or the pass is someone else's (or a file's).
    PassRemovedError
        When the pass with this id was removed.
    """
    sid = _writer_id(pass_id, user)  # before the content: a refusal names the account
    row = form_row(payload)
    content = stored_content(asdict(_checked(row, now=now)))
    with _writing(sid, path) as (conn, existing, removed):
        if existing is None:
            if removed:
                msg = "Passet är borttaget; logga det som ett nytt pass."
                raise PassRemovedError(msg)
            _not_in_a_file(conn, content)
            stored = {"log_id": sid, **content, "file": WEB_FILE, "line": 0,
                      "imported_at": now_text(), "logged_by": user.name}  # fmt: skip
            conn.execute(insert_sql(tuple(stored)), tuple(stored.values()))
            _audit(conn, sid, user.name, CREATED, None, content)
            created, changed = True, True
        else:
            _own(existing, user, "rätta")
            before = stored_content(existing)
            created, changed = False, before != content
            if changed:
                assigned = ", ".join(f"{c} = ?" for c in content)
                conn.execute(
                    f"UPDATE patrol_log SET {assigned} WHERE log_id = ?", (*content.values(), sid)
                )
                _audit(conn, sid, user.name, CHANGED, before, content)
        if changed:  # the quarantined rows it mends now, by the file import's rule
            keys = mended_keys(row)
            reopen_mended(conn, sid, keeps=keys)
            resolve_mended(conn, keys, sid)
        logged = _fetch(conn, sid)
        mended = tuple(mended_by(conn, sid))
    assert logged is not None
    if changed:
        logger.info("pass %s %s by %s", sid, "logged" if created else "corrected", user.name)
    return PassSaveResult(logged, created=created, changed=changed, mended=mended)


def remove_pass(pass_id: str, *, user: User, path: Path | None = None) -> bool:
    """Remove one's own pass from the patrol log (the audit keeps what it was).

    The quarantined rows it resolved are open again (``patrol_log_quarantine_open``), or
    resolved by another stored pass that mends them (:func:`geo.patrol_log.reopen_mended`).

    Parameters
    ----------
    pass_id
        The pass's UUID.
    user
        The pass's author, a police editor.
    path
        The store.

    Returns
    -------
    bool
        ``True`` when removed now, ``False`` when it was already removed (a retry).

    Raises
    ------
    PassValidationError
        When the id is not a UUID.
    PassPermissionError
        When the account may not log passes or the pass is not its own.
    PassNotFoundError
        When no pass ever had this id.
    """
    sid = _writer_id(pass_id, user)
    with _writing(sid, path) as (conn, existing, removed):
        if existing is None:
            if removed:
                return False
            msg = "Passet finns inte."
            raise PassNotFoundError(msg)
        _own(existing, user, "ta bort")
        conn.execute("DELETE FROM patrol_log WHERE log_id = ?", (sid,))
        reopen_mended(conn, sid)
        _audit(conn, sid, user.name, REMOVED, stored_content(existing), None)
    logger.info("pass %s removed by %s", sid, user.name)
    return True


def read_pass(pass_id: str, *, path: Path | None = None) -> dict[str, Any] | None:
    """Return one row of the patrol log by id (``None`` when there is none).

    Parameters
    ----------
    pass_id
        The row's ``log_id``.
    path
        The store.

    Returns
    -------
    dict or None
        ``log_id, start, end`` (tz-aware), ``minutes, places, activity, results,
        cancelled`` (``""`` for a pass done), the control counts (``None`` when not given),
        ``file, logged_by, from_app``.
    """
    with store.reading(path) as conn:
        return _fetch(conn, str(pass_id))


def read_week_passes(week: str, *, path: Path | None = None) -> list[dict[str, Any]]:
    """Return the patrol log's rows (from files and from the app) that lie in an ISO week.

    Parameters
    ----------
    week
        ``YYYY-Www``; a row counts when any of its minutes fall in the week.
    path
        The store.

    Returns
    -------
    list of dict
        As :func:`read_pass`, by start time.
    """
    monday = week_monday(week)
    next_monday = (monday.tz_localize(None) + pd.Timedelta(days=7)).tz_localize(settings.timezone)
    with store.reading(path) as conn:
        records = _records(conn)
    # a cancelled pass has no length: it lies in the week its start does
    inside = [
        r
        for r in records
        if r["start"] < next_monday and (r["end"] > monday or r["start"] >= monday)
    ]
    return sorted(inside, key=lambda r: (r["start"], r["log_id"]))


def read_pass_changes(pass_id: str, *, path: Path | None = None) -> pd.DataFrame:
    """Return a pass's audit rows, oldest first.

    Parameters
    ----------
    pass_id
        The pass's UUID.
    path
        The store.

    Returns
    -------
    pandas.DataFrame
        ``log_id, changed_at, changed_by, action, before, after`` (``before``/``after`` JSON
        text; ``before`` empty when created, ``after`` when removed).
    """
    with store.reading(path) as conn:
        return read_changes(conn, CHANGES_TABLE, {"log_id": str(pass_id)})
