"""``geo activity import``: an activity-log file (CSV, XLSX) checked and stored, all rows or none.

Each row passes the rules of :mod:`geo.activity_log_rows`, as a row logged on the command
line or in the app does, and is stored by :func:`geo.activity_log.write_entries`.
"""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pandas as pd

from geo.activity_log import EntryWrite, file_changed_by, write_entries
from geo.activity_log_rows import LogEntry, validate_entry
from geo.errors import DataError, ImportFileError
from geo.tabletext import decode_table_text

#: Column names accepted in an activity-log import file (Swedish or English) → field.
IMPORT_ALIASES: dict[str, str] = {
    "aktivitet": "activity_id",
    "activity": "activity_id",
    "activity_id": "activity_id",
    "id": "activity_id",
    "månad": "month",
    "manad": "month",
    "month": "month",
    "utförare": "executor",
    "utforare": "executor",
    "executor": "executor",
    "antal": "times",
    "times": "times",
    "kommentar": "comment",
    "comment": "comment",
}


def read_import_file(
    file: Path, plan: pd.DataFrame, *, now: pd.Timestamp | None = None
) -> list[LogEntry]:
    """Read and validate an activity-log file (CSV or XLSX), all rows or none.

    The file has one row per activity line, month and executor, with columns
    ``aktivitet``, ``månad``, ``utförare``, ``antal`` and optionally ``kommentar``
    (English names ``activity_id``, ``month``, ``executor``, ``times``, ``comment`` work too).

    Parameters
    ----------
    file
        ``.csv`` (comma or semicolon separated, UTF-8) or ``.xlsx``.
    plan
        As :func:`geo.activity_plan.load_plan` returns it.
    now
        The time the rows are checked at (default the clock): a month not begun is refused.

    Returns
    -------
    list of LogEntry
        The rows, validated.

    Raises
    ------
    ImportFileError
        If the file cannot be read, lacks a column, or any row is invalid (all are listed).
    """
    suffix = file.suffix.lower()
    try:
        if suffix == ".xlsx":
            raw = pd.read_excel(file, dtype=str, engine="openpyxl")
        elif suffix == ".csv":
            # Excel's CSV kinds (UTF-8, Windows-1252) and its tab-separated "Unicode-text"
            text = StringIO(decode_table_text(file.read_bytes()))
            raw = pd.read_csv(text, dtype=str, sep=None, engine="python")
        else:
            msg = f"Cannot import {str(file)!r}: use a .csv or .xlsx activity-log file."
            raise ImportFileError(msg)
    except (OSError, ValueError, UnicodeDecodeError) as e:
        msg = f"Cannot read the activity-log file {str(file)!r}: {e}. Save it as CSV or XLSX."
        raise ImportFileError(msg) from e
    raw = raw.rename(columns=lambda c: IMPORT_ALIASES.get(str(c).strip().casefold(), str(c)))
    missing = [c for c in ("activity_id", "month", "executor", "times") if c not in raw.columns]
    if missing:
        msg = (
            f"The activity-log file {str(file)!r} lacks columns {missing!r}; "
            "it needs aktivitet, månad, utförare, antal (and optionally kommentar)."
        )
        raise ImportFileError(msg)
    entries: list[LogEntry] = []
    problems: list[str] = []
    for line_no, rec in enumerate(raw.to_dict("records"), start=2):
        try:
            entries.append(
                validate_entry(
                    plan,
                    activity_id=rec["activity_id"],
                    month=rec["month"],
                    executor=rec["executor"],
                    times=rec["times"],
                    comment=rec.get("comment", ""),
                    now=now,
                )
            )
        except DataError as e:
            problems.append(f"line {line_no}: {e}")
    keys = [(e.activity_id, e.month, e.executor) for e in entries]
    if len(set(keys)) < len(keys):
        problems.append("the same activity, month and executor appears twice; keep one row")
    if problems:
        msg = f"Nothing imported from {str(file)!r}: " + " ".join(problems)
        raise ImportFileError(msg)
    return entries


def import_activity_log(
    file: Path, *, plan: pd.DataFrame, path: Path | None = None, now: pd.Timestamp | None = None
) -> list[EntryWrite]:
    """Import an activity-log file into the store (all rows or none; re-importing changes nothing).

    Each row that changes writes an audit row naming the file
    (:func:`geo.activity_log.file_changed_by`).

    Parameters
    ----------
    file
        CSV or XLSX, see :func:`read_import_file`.
    plan
        As :func:`geo.activity_plan.load_plan` returns it.
    path
        The store.
    now
        The time the rows are checked at (default the clock): a month not begun is refused.

    Returns
    -------
    list of EntryWrite
        Per row of the file what was done (:func:`geo.activity_log.write_entries`): a re-import
        reads every row and changes none.
    """
    entries = read_import_file(file, plan, now=now)
    return write_entries(entries, path, changed_by=file_changed_by(file))
