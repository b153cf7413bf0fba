"""The patrol log: import what was done, store it, minutes per ISO week and dosage per place."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import math
import re
import sqlite3
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from geo import settings, store
from geo.audit import CHANGED, record_change
from geo.errors import DataError, ImportFileError
from geo.model import normalize_text
from geo.patrol_log_fields import (
    CONTROL_COUNTS,
    COUNT_BOUNDS,
    COUNT_SHORT_NAMES,
    cancelled_by_week,
    count_conflicts,
    done_passes,
)
from geo.patrol_log_rows import (
    CANCELLED_START,
    ROW_FIELDS,
    LogRow,
    RowProblem,
    check_log_row,
    identity_fields,
    repeated_offset,
    with_offset,
)
from geo.quarantine import Mending, QuarantinedRow, first_rows, fix_key, fix_keys, row_key
from geo.sensitive_text import redact_identifying
from geo.tabletext import decode_table_text, header_separator
from geo.weeks import local_now, week_label, week_labels, week_monday

logger = logging.getLogger(__name__)

#: The file a pass logged in the marking app is stored under (its ``line`` is 0).
WEB_FILE = "webb"
#: The löfte's police presence per ISO week, in minutes ("minst två timmar per vecka").
PROMISE_MIN = 120
#: Columns of :func:`read_log`.
LOG_COLUMNS: tuple[str, ...] = (
    "log_id",
    "start",
    "end",
    "minutes",
    "places",
    "activity",
    "results",
    "cancelled",
    *CONTROL_COUNTS,
    "iso_week",
    "from_app",
)
#: Columns added after the first stores were made, with their SQL type
#: (:func:`ensure_log_schema` adds them to an older store): who logged a pass in the app,
#: why a pass was cancelled, and the control counts.
ADDED_COLUMNS: dict[str, str] = {
    "logged_by": "TEXT",
    "cancelled": "TEXT",
    **dict.fromkeys(CONTROL_COUNTS, "INTEGER"),
}
#: The quarantine's table, and the columns that tell its rows (added to an older store):
#: the row's key, the key it shares with its mended pass, and the ``log_id`` of that pass.
QUARANTINE_TABLE = "patrol_log_quarantine"
QUARANTINE_ADDED: dict[str, str] = dict.fromkeys(("row_key", "fix_key", "resolved_by"), "TEXT")
#: The passes' audit (:mod:`geo.audit`): a pass logged, corrected or removed on the page Pass
#: (:mod:`geo.patrol_passes`), and a file's pass corrected by its row imported again
#: (:func:`import_log`).
CHANGES_TABLE = "patrol_log_changes"
#: The files :func:`import_log` imported, by the SHA-256 of their bytes, with the first time:
#: the same bytes imported again are an older copy, which corrects no pass.
FILES_TABLE = "patrol_log_files"
#: A clock no logged pass is after: a row's rules run again without the future's.
_NO_FUTURE = pd.Timestamp("2200-01-01", tz=settings.timezone)
#: The clock a row refused as a pass after now was checked at, in the sentence the
#: quarantine keeps (``… efter nu (2026-11-20 18:00), …``, the same since the rule came).
_REFUSED_AT = re.compile(r"efter nu \((\d{4}-\d{2}-\d{2} \d{2}:\d{2})\)")
#: The reason of a CSV row with more fields than its header (:func:`_too_many_fields`).
TOO_MANY_FIELDS = "för många fält"
#: The fields that tell such a row's pass when the file has them first: the fields after the
#: text split by its separator are shifted, these are read as written.
_SPLIT_TOLD_BY: tuple[str, ...] = ("date", "start", "end")
#: The mending of a split row whose pass cannot be told (:data:`_SPLIT_TOLD_BY` not first
#: in the file, or not read): no reason of :data:`LOG_MENDING`, so it has no fix key.
_UNTOLD = "okänt pass"
#: The sentence of a row refused for more fields than its header (:func:`_too_many_fields`),
#: and the SQL pattern that finds it in the quarantine.
_SPLIT_SENTENCE = re.compile(r"rad \d+ har \d+ fält men rubrikraden \d+ — ")
_SPLIT_LIKE = "rad % har % fält men rubrikraden % — %"
#: A row is refused for one field (:attr:`~geo.patrol_log_rows.RowProblem.field`): its
#: mended pass is the same row with that field set right (:func:`geo.quarantine.fix_key`);
#: one whose counts disagree (:data:`~geo.patrol_log_fields.COUNT_BOUNDS`) is mended in
#: either count (:attr:`~geo.patrol_log_rows.RowProblem.mending`), and a row split by its
#: separator (:data:`TOO_MANY_FIELDS`) by the pass of its day and times, whatever else it says.
LOG_MENDING = Mending.by_field(ROW_FIELDS).joined(
    {
        **{b.reason: b.fields for b in COUNT_BOUNDS},
        TOO_MANY_FIELDS: tuple(f for f in ROW_FIELDS if f not in _SPLIT_TOLD_BY),
    }
)
#: The columns a stored row's content is written to, by the file import and the pass form.
CONTENT_COLUMNS: tuple[str, ...] = (
    "start", "end", "minutes", "places", "activity", "results", "cancelled", *CONTROL_COUNTS,
)  # fmt: skip
#: Accepted header spellings (normalised) → column.
_ALIASES: dict[str, str] = {
    "date": "date", "datum": "date", "dag": "date",
    "start": "start", "starttid": "start", "fran": "start", "från": "start", "borjan": "start",
    "end": "end", "slut": "end", "sluttid": "end", "till": "end",
    "places": "places", "platser": "places", "plats": "places", "place": "places",
    "activity": "activity", "aktivitet": "activity", "atgard": "activity", "åtgärd": "activity",
    "results": "results", "resultat": "results", "utfall": "results",
    "cancelled": "cancelled", "installt": "cancelled", "installt pass": "cancelled",
    "installt orsak": "cancelled", "orsak installt": "cancelled",
    "checked": "checked", "kontrollerade": "checked", "kontrollerade fordon": "checked",
    "kontrollerade forare": "checked", "kontrollerade forare/fordon": "checked",
    "breath_tests": "breath_tests", "blasta": "breath_tests", "utandningsprov": "breath_tests",
    "dui_suspected": "dui_suspected", "rattfylleri": "dui_suspected",
    "misstankt rattfylleri": "dui_suspected", "misstankt rattfylleri/drograttfylleri":
    "dui_suspected",
    "fines": "fines", "ordningsbot": "fines", "ordningsboter": "fines",
    "reports": "reports", "rapporter": "reports", "rapporterade": "reports",
    "anmalningar": "reports", "rapporter/anmalningar": "reports",
}  # fmt: skip
_SCHEMA = """
CREATE TABLE IF NOT EXISTS patrol_log (
  log_id TEXT PRIMARY KEY,
  start TEXT NOT NULL,
  end TEXT NOT NULL,
  minutes REAL NOT NULL,
  places TEXT NOT NULL,
  activity TEXT,
  results TEXT,
  file TEXT NOT NULL,
  line INTEGER NOT NULL,
  imported_at TEXT NOT NULL,
  logged_by TEXT,
  cancelled TEXT,
  checked INTEGER,
  breath_tests INTEGER,
  dui_suspected INTEGER,
  fines INTEGER,
  reports INTEGER);
CREATE TABLE IF NOT EXISTS patrol_log_quarantine (
  file_sha256 TEXT NOT NULL,
  file TEXT NOT NULL,
  line INTEGER NOT NULL,
  reason TEXT NOT NULL,
  raw TEXT NOT NULL,
  row_key TEXT,
  fix_key TEXT,
  resolved_by TEXT,
  PRIMARY KEY (file_sha256, line));
CREATE TABLE IF NOT EXISTS patrol_log_changes (
  fid INTEGER PRIMARY KEY AUTOINCREMENT,
  log_id TEXT NOT NULL,
  changed_at TEXT NOT NULL,
  changed_by TEXT NOT NULL,
  action TEXT NOT NULL,
  before TEXT,
  after TEXT);
CREATE INDEX IF NOT EXISTS patrol_log_changes_log ON patrol_log_changes (log_id);
CREATE TABLE IF NOT EXISTS patrol_log_files (
  file_sha256 TEXT PRIMARY KEY,
  file TEXT NOT NULL,
  imported_at TEXT NOT NULL);
"""
#: Indexes and the open view over the quarantine's added columns, made once they are there.
_LATER_SCHEMA = """
CREATE INDEX IF NOT EXISTS patrol_log_quarantine_row_key ON patrol_log_quarantine (row_key);
CREATE INDEX IF NOT EXISTS patrol_log_quarantine_fix_key ON patrol_log_quarantine (fix_key);
CREATE VIEW IF NOT EXISTS patrol_log_quarantine_open AS
  SELECT file_sha256, file, line, reason, raw FROM patrol_log_quarantine
  WHERE resolved_by IS NULL;
"""


def ensure_log_schema(conn: sqlite3.Connection) -> None:
    """Create the patrol log's tables on a store connection, adding columns an older store lacks.

    ``logged_by`` (the account that logged a pass in the marking app; empty for file rows)
    came with the app's pass form, ``cancelled`` and the control counts later
    (:data:`ADDED_COLUMNS`): a store made before gets the columns, empty (its passes were
    done, their counts not given). The quarantine's keys came later still
    (:data:`QUARANTINE_ADDED`, the view ``patrol_log_quarantine_open``): rows quarantined
    before are given theirs once (:func:`key_earlier_quarantine`). The passes' audit
    (:data:`CHANGES_TABLE`) is made here too: the page Pass and a file's correction both
    write it; and the files imported (:data:`FILES_TABLE`, empty in a store made before it:
    :func:`_corrected_from_unkept_file`). Only writers call this; readers read an older store
    as it is (a column missing reads as empty).

    Parameters
    ----------
    conn
        An open connection to the store.
    """
    conn.executescript(_SCHEMA)
    for table, added in (("patrol_log", ADDED_COLUMNS), (QUARANTINE_TABLE, QUARANTINE_ADDED)):
        _add_columns(conn, table, added)
    conn.executescript(_LATER_SCHEMA)


def _add_columns(conn: sqlite3.Connection, table: str, added: Mapping[str, str]) -> None:
    """Add the ``added`` columns (name → SQL type) ``table`` lacks; another process may too."""
    columns = {str(r[1]) for r in conn.execute(f"PRAGMA table_info({table})")}
    for column, kind in added.items():
        if column in columns:
            continue
        try:
            conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
        except sqlite3.OperationalError as e:  # another process added it since we looked
            if "duplicate column" not in str(e):
                raise


def stored_content(row: Mapping[str, Any]) -> dict[str, Any]:
    """Return a checked row's values as the patrol log stores them (:data:`CONTENT_COLUMNS`).

    Parameters
    ----------
    row
        A :class:`~geo.patrol_log_rows.LogRow` as a mapping (``dataclasses.asdict``, or a
        row of :func:`parse_log`'s ``good`` frame, whose empty counts read NaN).

    Returns
    -------
    dict
        ``start``/``end`` ISO 8601 text, ``minutes`` float, texts, ``cancelled`` (``""`` for
        a pass done) and the counts as ``int`` or ``None``.
    """
    out: dict[str, Any] = {
        "start": pd.Timestamp(row["start"]).isoformat(),
        "end": pd.Timestamp(row["end"]).isoformat(),
        "minutes": float(row["minutes"]),
    }
    for col in ("places", "activity", "results", "cancelled"):
        value = row.get(col)
        out[col] = "" if value is None or pd.isna(value) else str(value)
    for col in CONTROL_COUNTS:
        value = row.get(col)
        out[col] = None if value is None or pd.isna(value) else int(value)
    return out


def insert_sql(columns: tuple[str, ...], *, or_ignore: bool = False) -> str:
    """Return the SQL that inserts a row of ``columns`` (names from the code) into the log."""
    verb = "INSERT OR IGNORE" if or_ignore else "INSERT"
    marks = ", ".join("?" * len(columns))
    return f"{verb} INTO patrol_log ({', '.join(columns)}) VALUES ({marks})"


def _file_row_id(content: Mapping[str, Any]) -> str:
    """Return a file row's id: its times and places (re-importing adds nothing).

    A cancelled pass adds its reason, so two trips called off on one day for different
    reasons are two rows; a pass done keeps the id it always had.
    """
    key = f"{content['start']}|{content['end']}|{normalize_text(content['places'])}"
    if content["cancelled"]:
        key += f"|{content['cancelled']}"
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def same_pass_elsewhere(conn: sqlite3.Connection, start: str, end: str, *, web: bool) -> str | None:
    """Return where the same pass is already logged the other way, or ``None``.

    A pass logged in the app and then in a file (or the other way round) has the same start
    and end to the second; counted twice, one hour made the week's two. Rows of the same kind
    are left to their own rules (a file's by its content, the app's by its id).

    Parameters
    ----------
    conn
        An open connection to the store (its patrol log tables exist).
    start, end
        The pass's times as stored (ISO 8601 with offset).
    web
        ``True`` when the pass comes from the app: look among the file rows; else among
        the app's.

    Returns
    -------
    str or None
        The other row's file (``webb`` for the app) when there is one.
    """
    row = _same_pass_row(conn, start, end, web=web)
    return None if row is None else row[0]


def _same_pass_row(
    conn: sqlite3.Connection, start: str, end: str, *, web: bool
) -> tuple[str, str] | None:
    """Return the ``(file, log_id)`` of :func:`same_pass_elsewhere`'s row, or ``None``."""
    op = "!=" if web else "="
    row = conn.execute(
        f"SELECT file, log_id FROM patrol_log WHERE start = ? AND end = ? AND file {op} ?"
        " ORDER BY imported_at, log_id LIMIT 1",
        (start, end, WEB_FILE),
    ).fetchone()
    return None if row is None else (str(row[0]), str(row[1]))


#: The names a correction (:class:`CorrectedPass`) tells a pass's fields by: the file's columns.
_COLUMN_NAMES: dict[str, str] = {
    "places": "platser", "activity": "aktivitet", "results": "resultat",
    "cancelled": "inställt", **COUNT_SHORT_NAMES,
}  # fmt: skip
_COUNTS = frozenset(COUNT_SHORT_NAMES.values())


@dataclass(frozen=True)
class CorrectedPass:
    """A file's pass that a row of a file imported later corrected (``rättad``).

    The row has the pass's id (:func:`_file_row_id`: its times and places) and other values,
    all checked by the import's rules; the pass takes them, and the audit
    (:data:`CHANGES_TABLE`) keeps what it was.

    Attributes
    ----------
    file, line
        The row that corrected it.
    log_id
        The pass.
    changed
        ``(column, before, after)`` for every field changed, by the file's column names
        (:data:`_COLUMN_NAMES`); a count not given is ``""``.
    """

    file: str
    line: int
    log_id: str
    changed: tuple[tuple[str, str, str], ...]

    def __str__(self) -> str:
        """Return ``"logg.csv line 3: blåsta 45 → 38, ny text i resultat"``."""
        counts = [f"{c} {b or '–'} → {a or '–'}" for c, b, a in self.changed if c in _COUNTS]
        texts = [c for c, _, _ in self.changed if c not in _COUNTS]
        said = [*counts, *([f"ny text i {', '.join(texts)}"] if texts else [])]
        return f"{self.file} line {self.line}: {', '.join(said)}"


def _changed(
    before: Mapping[str, Any], after: Mapping[str, Any]
) -> tuple[tuple[str, str, str], ...]:
    """Return the fields a correction changes, as :attr:`CorrectedPass.changed` tells them."""

    def text(value: object) -> str:
        return "" if value is None else str(value)

    return tuple(
        (name, text(before[f]), text(after[f]))
        for f, name in _COLUMN_NAMES.items()
        if before[f] != after[f]
    )


#: Said after a quarantined row's fix when a pass stored already mends it (resolved at once).
MENDED_ALREADY = "Redan löst: ett pass som redan är sparat rättar raden, så inget behöver göras."


@dataclass(frozen=True)
class LogImportResult(store.RepeatCounts):
    """Counts of one log import: read = stored + corrected + quarantined + duplicates + repeats.

    ``repeats`` are bad rows an earlier import quarantined already (the log saved again),
    ``corrected`` the rows that set a file's pass stored before right (``corrections``: which,
    and what changed, :class:`CorrectedPass`), ``resolved`` the quarantined rows of earlier
    imports that rows read now mend (passes stored or corrected, and duplicates of stored
    passes), ``already_mended`` the rows quarantined now that a stored pass mends: they are
    resolved at once. ``examples`` holds the first :data:`geo.quarantine.FIRST_ROWS` rows
    quarantined now per reason, with a Swedish detail naming the row, the column and the fix.
    """

    corrected: int = 0
    already_mended: int = 0
    corrections: tuple[CorrectedPass, ...] = ()
    examples: tuple[QuarantinedRow, ...] = ()

    def summary(self) -> str:
        """Return the counts' line, ``, corrected C`` after it when a pass was corrected."""
        corrected = f", corrected {self.corrected}" if self.corrected else ""
        return super().summary() + corrected

    def as_dict(self) -> dict[str, Any]:
        """Return the counts, ``corrections`` and ``examples`` (``geo log import --json``)."""
        return {
            **super().as_dict(),
            "corrected": self.corrected,
            "already_mended": self.already_mended,
            "corrections": [asdict(c) for c in self.corrections],
            "examples": [asdict(e) for e in self.examples],
        }


def _read_table(path: Path) -> pd.DataFrame:
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm"):
            df = pd.read_excel(path, dtype=str)
        elif suffix == ".csv":
            raw = path.read_bytes()
            text = decode_table_text(raw)  # Excel's CSV kinds and its "Unicode-text"
            sep = header_separator(text)
            df = _read_csv_rows(text, sep)
        else:
            msg = f"Unknown patrol log format {str(path)!r}; use .csv or .xlsx."
            raise ImportFileError(msg)
    except (OSError, ValueError, IndexError) as e:
        msg = f"Cannot read the patrol log {str(path)!r}: {e}. Save it as CSV or XLSX."
        raise ImportFileError(msg) from e
    # the file's line of each row (header = line 1), kept past the blank rows dropped here
    if not df.attrs.get("index_is_line"):
        df.index = pd.RangeIndex(2, len(df) + 2)
    too_many, sep = df.attrs.get("too_many", {}), df.attrs.get("sep", ";")
    df = df.fillna("")
    filled = df.astype(str).apply(lambda c: c.str.strip() != "")
    df = pd.DataFrame(df.loc[filled.any(axis=1)])
    renamed = {}
    for col in df.columns:
        key = normalize_text(str(col))
        if key in _ALIASES:
            renamed[col] = _ALIASES[key]
        elif str(col).strip().lower() in _ALIASES:
            renamed[col] = _ALIASES[str(col).strip().lower()]
    df = df.rename(columns=renamed)
    missing = [c for c in ("date", "start", "end") if c not in df.columns]
    if missing:
        msg = (
            f"The patrol log {str(path)!r} lacks the columns {missing!r}; it needs date, start, "
            "end, places, activity, results (Swedish: datum, start, slut, platser, aktivitet, "
            "resultat); optional: inställt, kontrollerade, blåsta, rattfylleri, ordningsböter, "
            "rapporter."
        )
        raise ImportFileError(msg)
    df.attrs["headers"] = {new: str(old) for old, new in renamed.items()}
    df.attrs["index_is_line"] = True
    df.attrs["too_many"] = too_many
    df.attrs["sep"] = sep
    return df


def _read_csv_rows(text: str, sep: str) -> pd.DataFrame:
    """Read a CSV's rows under its header, each row's index its file line (header = line 1).

    A row with more fields than the header holds a text with the separator in it, unquoted:
    most often places or activities written "Fjugesta centrum; Vintrosa" (as the page Pass
    asks, "flera med ;") in a file whose separator is ``;``. pandas took such a first row's
    extra field as an index and shifted every row a column (each refused with a wrong
    column named) and refused the whole file for a later one. Here the row's fields are cut
    to the header's and its line is kept in ``attrs["too_many"]`` (line → fields), which
    :func:`parse_log` quarantines with the fix; empty fields past the header (a trailing
    separator) are no fault. A row with fewer fields reads the missing ones as empty.
    """
    import csv
    from io import StringIO

    # newline="": a record ends at CRLF, LF or a lone CR (an old Mac's or a script's file),
    # which csv reads as a line break in an unquoted field otherwise
    reader = csv.reader(StringIO(text, newline=""), delimiter=sep)
    header: list[str] | None = None
    rows: list[list[str]] = []
    lines: list[int] = []
    too_many: dict[int, int] = {}
    first = 1
    for fields in reader:
        line, first = first, reader.line_num + 1  # a quoted cell may span lines
        if header is None:
            header = [h if h.strip() else f"Unnamed: {k}" for k, h in enumerate(fields)]
            continue
        width = len(header)
        if any(f.strip() for f in fields[width:]):
            too_many[line] = len(fields)
        rows.append([*fields[:width], *([""] * (width - len(fields)))])
        lines.append(line)
    if header is None:
        msg = "the file is empty"
        raise ValueError(msg)
    df = pd.DataFrame(rows, columns=header, index=pd.Index(lines, dtype=int), dtype=str)
    df.attrs["index_is_line"] = True
    df.attrs["too_many"] = too_many
    df.attrs["sep"] = sep
    return df


def parse_log(
    df: pd.DataFrame, *, now: pd.Timestamp | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Validate log rows: keep the good ones, quarantine the others with a reason.

    Parameters
    ----------
    df
        Rows with columns ``date``, ``start``, ``end`` and optional ``places``,
        ``activity``, ``results`` (strings).
    now
        The time every row is checked at (default the clock, read once): a pass that starts
        after it is quarantined (``pass i framtiden``, :func:`check_log_row`).

    Returns
    -------
    tuple of pandas.DataFrame
        ``good`` (``line``, ``start``, ``end`` tz-aware, ``minutes``, ``places``,
        ``activity``, ``results``, ``fixes`` — the fix keys of the quarantined rows the pass
        mends, :func:`geo.quarantine.fix_keys`) and ``bad`` (``line``, ``reason`` — a short
        Swedish key such as ``ogiltig tid`` —, ``detail`` — a Swedish sentence naming the row,
        the column and the fix —, ``raw`` JSON of the cells, a personnummer or registration
        number in them replaced by ``[borttaget]`` so that the quarantine keeps none, ``key``
        and ``fix_key`` — :func:`row_keys` of those cells). ``line`` is the file's
        line (header = line 1): the frame's index when the file reader set
        ``df.attrs["index_is_line"]`` (blank lines skipped still count), else the row's
        position + 2.
    """
    good: list[dict[str, Any]] = []
    bad: list[dict[str, Any]] = []
    headers: dict[str, str] = df.attrs.get("headers", {})
    lines = (
        [int(v) for v in df.index] if df.attrs.get("index_is_line") else list(range(2, len(df) + 2))
    )
    at = local_now(now)
    too_many: dict[int, int] = df.attrs.get("too_many", {})
    sep = df.attrs.get("sep", ";")
    for i, row in zip(lines, df.to_dict("records"), strict=True):
        checked: LogRow | RowProblem
        if i in too_many:
            checked = _too_many_fields(i, too_many[i], {str(k): v for k, v in row.items()}, sep)
        else:
            checked = check_log_row(
                {str(k): v for k, v in row.items()}, line=i, headers=headers, now=at
            )
        cells = {str(k): redact_identifying(str(v), addresses=False) for k, v in row.items()}
        if isinstance(checked, RowProblem):
            key, fix = row_keys(cells, checked)
            raw = json.dumps(cells, ensure_ascii=False)
            bad.append({"line": i, "reason": checked.reason, "detail": checked.file_detail,
                        "raw": raw, "key": key, "fix_key": fix})  # fmt: skip
        else:
            good.append({"line": i, **asdict(checked), "fixes": mended_keys(cells)})
    cols = ["line", *CONTENT_COLUMNS, "fixes"]
    return pd.DataFrame(good, columns=cols), pd.DataFrame(
        bad, columns=["line", "reason", "detail", "raw", "key", "fix_key"]
    )


def row_keys(cells: Mapping[str, object], problem: RowProblem | None) -> tuple[str, str | None]:
    """Return a quarantined row's key and the key it shares with its mended pass.

    Parameters
    ----------
    cells
        The row's cells by field, as the quarantine keeps them (``raw``: personal data
        redacted, so neither key is made of it).
    problem
        Why the row is refused; ``None`` when that is no longer known (no fix key).

    Returns
    -------
    tuple of str and (str or None)
        :func:`geo.quarantine.row_key` of its :func:`~geo.patrol_log_rows.identity_fields`
        (the same for the row in the log saved again) and its
        :func:`geo.quarantine.fix_key`: the row without the field (or the counts) the
        problem names.
    """
    fields = identity_fields(cells)
    fix = None if problem is None else fix_key(fields, problem.mending_key, LOG_MENDING)
    return row_key(fields), fix


def mended_keys(cells: Mapping[str, object]) -> frozenset[str]:
    """Return the fix keys of the quarantined rows a pass with these cells mends.

    The one rule by which a stored pass resolves quarantined rows, whether it came in a file
    (:func:`parse_log`) or from the page Pass (:func:`geo.patrol_passes.save_pass`): a row
    refused for one field is mended by a pass with the same values outside that field
    (:data:`LOG_MENDING`, :func:`geo.quarantine.fix_keys`).

    Parameters
    ----------
    cells
        The pass's cells by field (:data:`~geo.patrol_log_rows.ROW_FIELDS`), as the file or
        the form gave them (a file's with personal data redacted, as its quarantine keeps it).

    Returns
    -------
    frozenset of str
        One key per field the pass may have set right.
    """
    return fix_keys(identity_fields(cells), LOG_MENDING)


def resolve_mended(conn: sqlite3.Connection, fixes: frozenset[str], log_id: str) -> int:
    """Mark the open quarantined rows the pass ``log_id`` mends resolved by it.

    Parameters
    ----------
    conn
        An open connection to the store (:func:`ensure_log_schema` done).
    fixes
        The pass's :func:`mended_keys`.
    log_id
        The stored pass, written to ``resolved_by``.

    Returns
    -------
    int
        How many rows left the open quarantine (``patrol_log_quarantine_open``).
    """
    return store.resolve_quarantine(conn, fixes, log_id, table=QUARANTINE_TABLE)


def reopen_mended(
    conn: sqlite3.Connection, log_id: str, *, keeps: frozenset[str] = frozenset()
) -> int:
    """Open again the quarantined rows the pass ``log_id`` resolved: it was removed or changed.

    A quarantined row is resolved by a pass that is in the log; once that pass is gone, or
    corrected so it no longer mends the row (its :func:`mended_keys` now are ``keeps``: the
    rows it still mends stay its), the row is resolved at once by another stored pass that
    mends it (the first logged, :func:`_resolve_by_others`), else it is back in
    ``patrol_log_quarantine_open``.

    Parameters
    ----------
    conn
        An open connection to the store (:func:`ensure_log_schema` done).
    log_id
        The pass.
    keeps
        The fix keys the pass, corrected, still mends (none when it was removed).

    Returns
    -------
    int
        How many rows are open again (not those another pass resolved).
    """
    rows = conn.execute(
        f"SELECT rowid, fix_key FROM {QUARANTINE_TABLE} WHERE resolved_by = ?", (log_id,)
    ).fetchall()
    opened = [(rowid,) for rowid, fix in rows if fix not in keeps]
    conn.executemany(f"UPDATE {QUARANTINE_TABLE} SET resolved_by = NULL WHERE rowid = ?", opened)
    fixes = {str(fix) for _, fix in rows if fix not in keeps}
    return len(opened) - (_resolve_by_others(conn, fixes, log_id) if opened else 0)


def _resolve_by_others(conn: sqlite3.Connection, fixes: set[str], log_id: str) -> int:
    """Resolve the open rows of ``fixes`` by the stored passes other than ``log_id``.

    A stored pass mends by the cells the page Pass would send for it (:func:`pass_cells`),
    the first logged first; return how many rows it resolved. A pass stored before a
    cross-check of its counts came, which breaks it (:func:`count_conflicts`), mends none:
    it is no pass set right.
    """
    columns = ("log_id", *CONTENT_COLUMNS)
    rows = conn.execute(
        f"SELECT {', '.join(columns)} FROM patrol_log WHERE log_id != ?"
        " ORDER BY imported_at, log_id",
        (log_id,),
    )
    resolved = 0
    for values in rows:
        if not fixes:
            break
        stored = dict(zip(columns, values, strict=True))
        if count_conflicts({f: stored[f] for f in CONTROL_COUNTS}):
            continue
        mends = mended_keys(pass_cells(stored)) & fixes
        if mends:
            resolved += resolve_mended(conn, frozenset(mends), str(stored["log_id"]))
            fixes -= mends
    return resolved


def pass_cells(stored: Mapping[str, Any]) -> dict[str, str]:
    """Return a stored pass's cells (:data:`~geo.patrol_log_rows.ROW_FIELDS`) as Pass sends it.

    The fields the page's form holds for the pass, unchanged (the button ``Rätta``): the
    date and start of its start, its end (with its date past midnight; none for a cancelled
    pass, nor a start for one stored at :data:`~geo.patrol_log_rows.CANCELLED_START`), a
    time October repeats with its offset (:func:`~geo.patrol_log_rows.with_offset`), the
    texts, the reason and the counts. A file's row gives the cells its file most often had.

    Parameters
    ----------
    stored
        A row of ``patrol_log``: ``start``, ``end`` (ISO 8601 text or times), the texts,
        ``cancelled`` and the counts (``None`` or NaN when not given).

    Returns
    -------
    dict
        Field → text, for :func:`mended_keys`.
    """
    start, end = (pd.Timestamp(stored[c]).tz_convert(settings.timezone) for c in ("start", "end"))
    day = f"{start:%Y-%m-%d}"
    cancelled = str(stored.get("cancelled") or "")
    at = "" if cancelled and f"{start:%H:%M}" == CANCELLED_START else f"{start:%H:%M:%S}"
    clock = f"{end:%H:%M:%S}" if end.date() == start.date() else f"{end:%Y-%m-%d %H:%M:%S}"
    cells = {
        "date": day,
        "start": with_offset(day, at, repeated_offset(start)) if at else "",
        "end": "" if cancelled else with_offset(day, clock, repeated_offset(end)),
        "cancelled": cancelled,
    }
    for field in ("places", "activity", "results"):
        cells[field] = str(stored.get(field) or "")
    for field in CONTROL_COUNTS:
        value = stored.get(field)
        cells[field] = "" if value is None or pd.isna(value) else str(int(value))
    return cells


def mended_by(conn: sqlite3.Connection, log_id: str) -> list[tuple[str, int]]:
    """Return the quarantined rows the pass ``log_id`` resolved: ``(file, line)``, in order."""
    rows = conn.execute(
        f"SELECT file, line FROM {QUARANTINE_TABLE} WHERE resolved_by = ? ORDER BY file, line",
        (log_id,),
    )
    return [(str(f), int(n)) for f, n in rows]


def _too_many_fields(line: int, fields: int, cells: Mapping[str, object], sep: str) -> RowProblem:
    """Return the refusal of a CSV row with more fields than its header (:func:`_read_csv_rows`).

    ``cells`` are the row's cells cut to the header's, in the file's order. The row's pass
    is told by its day and times when the file has them first and they read as a pass
    (:func:`_split_mending`); the pass stored set right, from the page Pass or the file
    imported again, then resolves it. Else the sentence says that none will.
    """
    other = "," if sep == ";" else "/"
    mending = _split_mending(cells)
    detail = (
        f"rad {line} har {fields} fält men rubrikraden {len(cells)} — en text med {sep} i sig"
        f" (flera platser, aktiviteter eller resultat) delar raden; sätt texten inom citattecken,"
        f' "Fjugesta centrum{sep} Vintrosa", eller skilj med {other} i stället, och importera'
        " filen igen"
    )
    if mending == _UNTOLD:
        detail += (
            "; passet går inte att känna igen på raden (datum, start och slut står inte först i"
            " filen eller går inte att läsa), så raden stängs inte i karantänen när passet sparas"
            " rättat"
        )
    return RowProblem(TOO_MANY_FIELDS, "places", detail, detail, mending=mending)


def _split_mending(cells: Mapping[str, object]) -> str:
    """Return how a row split by its separator is mended: by its pass, or not (:data:`_UNTOLD`).

    Its first cells are as written, the others shifted from where the split is: when the
    first are :data:`_SPLIT_TOLD_BY` and read as a pass's day and times (any day: the
    row is refused for its fields, not its clock), they tell the pass (:data:`TOO_MANY_FIELDS`).
    """
    first = list(cells)[: len(_SPLIT_TOLD_BY)]
    if set(first) != set(_SPLIT_TOLD_BY):
        return _UNTOLD
    times = {f: cells[f] for f in _SPLIT_TOLD_BY}
    told = isinstance(check_log_row(times, now=_NO_FUTURE), LogRow)
    return TOO_MANY_FIELDS if told else _UNTOLD


def import_log(
    path: Path, *, store_path: Path | None = None, now: pd.Timestamp | None = None
) -> LogImportResult:
    """Import a patrol log (CSV/XLSX: date, start, end, places, activity, results) into the store.

    A bad row already quarantined by an earlier import (the log saved again, :func:`row_keys`)
    is a repeat, not quarantined again; a pass stored now resolves the quarantined rows it
    mends (``resolved_by``: its ``log_id``), and so does a row that duplicates a stored pass,
    by that pass (:func:`_store_row`). A row quarantined now whose pass is stored already is
    resolved at once (:func:`_resolve_by_stored`). A row with the id of a file's pass and
    other values corrects it, audited (:func:`_correct`), unless the file's bytes were
    imported before (:data:`FILES_TABLE`: an older copy); a pass logged on Pass is never
    changed. Rows quarantined before rows had keys are given theirs first, by the first
    writer of this version (:func:`key_earlier_quarantine`, once per store).

    Parameters
    ----------
    path
        The file.
    store_path
        The store; default :func:`geo.store.default_path`.
    now
        The time the rows are checked at (default the clock): a pass starting after it is
        quarantined as ``pass i framtiden``.

    Returns
    -------
    LogImportResult
        ``read == stored + corrected + quarantined + duplicates + repeats``, the first rows
        quarantined now per reason, the corrections, ``resolved`` and ``already_mended``;
        rows with end before start, passes
        in the future (and other bad rows) are quarantined in the table
        ``patrol_log_quarantine`` with a Swedish sentence naming the row, the column and the
        fix (also logged as a warning for the first rows of each reason). Re-importing adds
        nothing.

    Raises
    ------
    ImportFileError
        If the file cannot be read or lacks the date/start/end columns.
    """
    df = _read_table(path)
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    good, bad = parse_log(df, now=now)
    imported_at = dt.datetime.now(dt.UTC).isoformat()
    done: dict[str, int] = dict.fromkeys((_STORED, _CORRECTED, _DUPLICATE), 0)
    corrections: list[CorrectedPass] = []
    resolved = 0
    with store.connect(store_path) as conn, conn:
        ensure_log_schema(conn)
        key_earlier_quarantine(conn)
        again = not _keep_file(conn, sha, file=str(path), imported_at=imported_at)
        kept_since = _files_kept_since(conn)  # once: no row of the import changes it
        for r in good.to_dict("records"):
            what, mended, correction = _store_row(
                conn, {str(k): v for k, v in r.items()}, path=path, imported_at=imported_at,
                again=again, kept_since=kept_since,
            )  # fmt: skip
            done[what] += 1
            resolved += mended
            corrections += [correction] if correction is not None else []
        fresh = _quarantine(conn, bad, sha=sha, file=str(path))
        at_once, earlier = _resolve_by_stored(conn, bad, fresh, sha=sha)
    reasons = {str(k): int(v) for k, v in fresh["reason"].value_counts(sort=False).items()}
    # a row resolved at once says so where it is listed, not only in a count after the list
    examples = tuple(
        replace(e, detail=f"{e.detail} {MENDED_ALREADY}") if e.line in at_once else e
        for e in first_rows(str(path), fresh)
    )
    result = LogImportResult(
        len(df), done[_STORED], len(fresh), done[_DUPLICATE], reasons,
        repeats=len(bad) - len(fresh), resolved=resolved + earlier,
        corrected=done[_CORRECTED], already_mended=len(at_once), corrections=tuple(corrections),
        examples=examples,
    )  # fmt: skip
    logger.info("patrol log %s: %s", path.name, result.as_dict())
    return result


#: What :func:`_store_row` did with a good row.
_STORED, _CORRECTED, _DUPLICATE = "stored", "corrected", "duplicate"


def _keep_file(conn: sqlite3.Connection, sha: str, *, file: str, imported_at: str) -> bool:
    """Record that the file of these bytes is imported; return whether it is the first time."""
    return bool(
        conn.execute(
            f"INSERT OR IGNORE INTO {FILES_TABLE} (file_sha256, file, imported_at)"
            " VALUES (?, ?, ?)",
            (sha, file, imported_at),
        ).rowcount
    )


def _files_kept_since(conn: sqlite3.Connection) -> pd.Timestamp | None:
    """Return when the store began to keep its files' bytes (:data:`FILES_TABLE`), if it has."""
    (first,) = conn.execute(f"SELECT min(imported_at) FROM {FILES_TABLE}").fetchone()
    return None if first is None else pd.Timestamp(first)


def _store_row(
    conn: sqlite3.Connection,
    r: Mapping[str, Any],
    *,
    path: Path,
    imported_at: str,
    again: bool,
    kept_since: pd.Timestamp | None,
) -> tuple[str, int, CorrectedPass | None]:
    """Store one good row of a file, or correct the file's pass it is; say what was done.

    A pass logged in the app with the same times is that pass: the row is a duplicate and
    never changes it. A row with the id of a file's pass (:func:`_file_row_id`) is a
    duplicate when its values are the pass's, or when it is a row of an older copy of a
    file: ``again`` (the file's bytes were imported before, :data:`FILES_TABLE`), or values
    the pass had before a correction, from a file imported before the store kept its files
    (:func:`_corrected_from_unkept_file`; ``kept_since``, :func:`_files_kept_since`, read once
    per import). Otherwise, with other values, it corrects the pass
    (:func:`_correct`), also back to values the pass had (a correction undone by a file set
    right again). A row that is its pass as stored now (stored, corrected, or a duplicate of
    it) resolves the quarantined rows it mends (:func:`mended_keys`, its ``fixes``) by that
    pass: the row set right is stored, or its pass was already. An older copy's row resolves
    none: the pass is no longer as it says.

    Returns
    -------
    tuple
        :data:`_STORED`, :data:`_CORRECTED` or :data:`_DUPLICATE`; how many quarantined rows
        it resolved; the correction, if it was one.
    """
    content, fixes = stored_content(r), frozenset(r["fixes"])
    app = _same_pass_row(conn, content["start"], content["end"], web=False)
    if app is not None:  # logged in the app already
        return _DUPLICATE, resolve_mended(conn, fixes, app[1]), None
    log_id = _file_row_id(content)
    row = {"log_id": log_id, **content, "file": str(path), "line": int(r["line"]),
           "imported_at": imported_at}  # fmt: skip
    if conn.execute(insert_sql(tuple(row), or_ignore=True), tuple(row.values())).rowcount:
        return _STORED, resolve_mended(conn, fixes, log_id), None
    before = _stored_pass(conn, log_id)
    if before == content:
        return _DUPLICATE, resolve_mended(conn, fixes, log_id), None
    if again or _corrected_from_unkept_file(conn, log_id, content, kept_since=kept_since):
        return _DUPLICATE, 0, None
    correction = _correct(conn, log_id, before, row)
    reopen_mended(conn, log_id, keeps=fixes)
    return _CORRECTED, resolve_mended(conn, fixes, log_id), correction


def _stored_pass(conn: sqlite3.Connection, log_id: str) -> dict[str, Any]:
    """Return a stored pass's content (:func:`stored_content`)."""
    values = conn.execute(
        f"SELECT {', '.join(CONTENT_COLUMNS)} FROM patrol_log WHERE log_id = ?", (log_id,)
    ).fetchone()
    return stored_content(dict(zip(CONTENT_COLUMNS, values, strict=True)))


def _corrected_from_unkept_file(
    conn: sqlite3.Connection,
    log_id: str,
    content: Mapping[str, Any],
    *,
    kept_since: pd.Timestamp | None,
) -> bool:
    """Tell whether a pass was ``content`` before a correction, read from a file not kept.

    An older copy of a file is told by its bytes (:data:`FILES_TABLE`), which a store keeps
    since its first import by a version that kept them. A value the pass had before then (it
    was stored or corrected to it earlier: the pass's ``imported_at``, the audit's
    ``changed_at``) came from a file whose bytes are not known, so a row that says it again
    is taken for an older copy of that file, as the version before took every such row: it
    does not undo the correction (the audit's ``before``). A value set since is the pass set
    back to it by a file never imported: a correction. ``kept_since`` is when the store began
    to keep its files (:func:`_files_kept_since`; ``None``: it keeps none).
    """
    (set_at,) = conn.execute(
        "SELECT imported_at FROM patrol_log WHERE log_id = ?", (log_id,)
    ).fetchone()
    rows = conn.execute(
        f"SELECT changed_at, before FROM {CHANGES_TABLE} WHERE log_id = ? AND action = ?"
        " ORDER BY fid",
        (log_id, CHANGED),
    )
    for changed_at, before in rows:
        unkept = kept_since is None or pd.Timestamp(set_at) < kept_since
        if unkept and before is not None and json.loads(str(before)) == dict(content):
            return True
        set_at = changed_at
    return False


def _correct(
    conn: sqlite3.Connection, log_id: str, before: dict[str, Any], row: Mapping[str, Any]
) -> CorrectedPass:
    """Set a file's pass to a later file's row (``row``: as stored) and audit it.

    The pass takes the row's values, file and line (where it is now written right); the
    audit row (:data:`CHANGES_TABLE`) names the file and keeps the values before and after.
    """
    after = {c: row[c] for c in CONTENT_COLUMNS}
    assigned = ", ".join(f"{c} = ?" for c in (*after, "file", "line"))
    conn.execute(
        f"UPDATE patrol_log SET {assigned} WHERE log_id = ? AND file != ?",
        (*after.values(), row["file"], row["line"], log_id, WEB_FILE),
    )
    who = f"fil {Path(str(row['file'])).name} (geo log import)"
    record_change(
        conn, CHANGES_TABLE, {"log_id": log_id}, who=who, action=CHANGED, before=before,
        after=after,
    )  # fmt: skip
    return CorrectedPass(str(row["file"]), int(row["line"]), log_id, _changed(before, after))


def _resolve_by_stored(
    conn: sqlite3.Connection, bad: pd.DataFrame, fresh: pd.DataFrame, *, sha: str
) -> tuple[frozenset[int], int]:
    """Resolve the open rows of the ``bad`` rows' fix keys by the passes stored, at once.

    A row quarantined now whose pass is already stored (logged on Pass, another file's row
    set right, a row of this file) is mended already: the first logged such pass resolves it
    (:func:`_resolve_by_others`), as it would a row opened again. So do the rows of earlier
    imports it repeats, or that share its fix key, still open.

    Returns
    -------
    tuple
        The lines of the rows of ``fresh`` (quarantined now, from the file of ``sha``)
        resolved, and how many other rows were resolved.
    """
    keys = {str(k) for k in bad["fix_key"].dropna()}
    open_keys = {
        str(k)
        for (k,) in conn.execute(
            f"SELECT DISTINCT fix_key FROM {QUARANTINE_TABLE}"
            " WHERE resolved_by IS NULL AND fix_key IS NOT NULL"
        )
    }
    if not keys & open_keys:
        return frozenset(), 0
    resolved = _resolve_by_others(conn, keys & open_keys, "")
    lines = {int(n) for n in fresh["line"]}
    closed = conn.execute(
        f"SELECT line FROM {QUARANTINE_TABLE} WHERE file_sha256 = ? AND resolved_by IS NOT NULL",
        (sha,),
    )
    at_once = frozenset(int(n) for (n,) in closed) & lines
    return at_once, resolved - len(at_once)


def _quarantine(
    conn: sqlite3.Connection, bad: pd.DataFrame, *, sha: str, file: str
) -> pd.DataFrame:
    """Quarantine the ``bad`` rows no earlier import quarantined; return those.

    The others repeat: a row of the log saved again (other bytes, columns reordered, a row
    added) has the key it had (:func:`row_keys`) and is not quarantined twice; nor is one
    whose pass was mended since (its old copy imported again).
    """
    before = store.quarantined_before(conn, list(bad["key"]), table=QUARANTINE_TABLE)
    fresh = bad[~bad["key"].isin(before)]
    conn.executemany(
        f"INSERT OR IGNORE INTO {QUARANTINE_TABLE} (file_sha256, file, line, reason, raw,"
        " row_key, fix_key) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (sha, file, int(r["line"]), r["detail"], r["raw"], r["key"], r["fix_key"])
            for r in fresh.to_dict("records")
        ],
    )
    return fresh


#: The one-time upgrade (:func:`geo.store.upgrade_once`) of :func:`key_earlier_quarantine`.
QUARANTINE_KEYS_STEP = "patrol_log_quarantine_keys"


def key_earlier_quarantine(conn: sqlite3.Connection) -> int:
    """Give the rows an earlier version quarantined the keys this one gives, once; say how many.

    A store upgrade, run by the first writer of this version (:func:`import_log`, a pass saved
    on Pass) and recorded done (:data:`QUARANTINE_KEYS_STEP`): later calls read no row and
    change none. A row quarantined since has its keys from :func:`parse_log` already.
    Without a key such a row would neither repeat (the log saved again quarantined it once
    more) nor be resolved. Its ``raw`` holds its cells by field, as :func:`parse_log` kept
    them; the rules are run on them again for the field to mend, at the clock its sentence
    names when it was refused as a pass after now (``efter nu (2026-11-20 18:00)``,
    :func:`_checked_at`), else with no pass in the future (when it was quarantined is not
    kept otherwise). So a row refused for its day in the future is mended by the pass on the
    right day. A row refused for more fields than the header is told by its sentence
    (:func:`_refusal`): an earlier version gave it no fix key, or one of its shifted cells
    that no pass shares; an open one gets the key of its pass, when its file had the day and
    times first (:func:`_split_mending`: ``raw`` keeps the cells in the file's order).

    Parameters
    ----------
    conn
        An open connection to the store (:func:`ensure_log_schema` done).

    Returns
    -------
    int
        Rows given their keys (0 when the store had the upgrade done).
    """
    return store.upgrade_once(conn, QUARANTINE_KEYS_STEP, _key_quarantined_rows)


def _key_quarantined_rows(conn: sqlite3.Connection) -> int:
    """Give the rows without keys, and the open split rows, their keys; return how many changed."""
    rows = conn.execute(
        f"SELECT rowid, reason, raw, row_key, fix_key FROM {QUARANTINE_TABLE}"
        " WHERE row_key IS NULL OR (resolved_by IS NULL AND reason LIKE ?)",
        (_SPLIT_LIKE,),
    ).fetchall()
    keys = []
    for rowid, sentence, raw, had_key, had_fix in rows:
        cells = {str(k): v for k, v in json.loads(raw).items()}
        key, fix = row_keys(cells, _refusal(cells, str(sentence or "")))
        if (key, fix) != (had_key, had_fix):
            keys.append((key, fix, rowid))
    conn.executemany(
        f"UPDATE {QUARANTINE_TABLE} SET row_key = ?, fix_key = ? WHERE rowid = ?", keys
    )
    return len(keys)


def _refusal(cells: Mapping[str, object], sentence: str) -> RowProblem | None:
    """Return why a quarantined row was refused, told again from its cells and its sentence.

    A row split by its separator says so (:data:`_SPLIT_SENTENCE`): its cells, cut to the
    header's, may pass the rules. The others are checked again (:func:`_checked_at`).
    """
    if _SPLIT_SENTENCE.match(sentence):
        mending = _split_mending(cells)
        return RowProblem(TOO_MANY_FIELDS, "places", sentence, sentence, mending=mending)
    checked = check_log_row(cells, now=_checked_at(sentence))
    return checked if isinstance(checked, RowProblem) else None


def _checked_at(sentence: str) -> pd.Timestamp:
    """Return the clock a quarantined row was checked at, told by its sentence, else no limit.

    The quarantine keeps the sentence (``reason``) and not the time of the import; a row
    refused as a pass after now says the clock (:data:`_REFUSED_AT`), and checked at it
    again it is refused as then, for the field to mend (the day, or a start with its date).
    """
    found = _REFUSED_AT.search(sentence)
    if found is None:
        return _NO_FUTURE
    at = pd.Timestamp(found[1]).tz_localize(
        settings.timezone, ambiguous=True, nonexistent="shift_forward"
    )
    return pd.Timestamp(at)


def read_log(path: Path | None = None) -> pd.DataFrame:
    """Return the stored patrol log.

    Parameters
    ----------
    path
        The store; default :func:`geo.store.default_path`.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`LOG_COLUMNS`: ``start``/``end`` tz-aware Europe/Stockholm,
        ``minutes``, ``places`` (text as logged), ``activity``, ``results``, ``cancelled``
        (the reason key of a pass called off, ``""`` for one done: such a row has 0 minutes
        and is no visit, :func:`geo.patrol_log_fields.done_passes`), the control counts
        (:data:`~geo.patrol_log_fields.CONTROL_COUNTS`, float, NaN when not given),
        ``iso_week`` (of the start), ``from_app`` (logged on the page Pass, not read from a
        file: where it is set right). Empty with these columns when nothing is logged (also
        when the store has no patrol log yet); the store is only read
        (:func:`geo.store.reading`).
    """
    with store.reading(path) as conn:
        stored = [*(c for c in LOG_COLUMNS if c not in ("iso_week", "from_app")), "file"]
        df = store.read_frame(conn, "patrol_log", stored, order="start")
    df["from_app"] = (df["file"] == WEB_FILE).astype(bool)
    for col in ("start", "end"):
        df[col] = pd.to_datetime(df[col], utc=True, format="ISO8601").dt.tz_convert(
            settings.timezone
        )
    df["minutes"] = df["minutes"].astype(float)
    df["cancelled"] = df["cancelled"].fillna("").astype(str)
    for col in CONTROL_COUNTS:
        df[col] = pd.to_numeric(df[col], errors="coerce").astype(float)
    df["iso_week"] = week_labels(df["start"])
    return df[list(LOG_COLUMNS)]


def read_log_quarantine(path: Path | None = None, *, open_only: bool = False) -> pd.DataFrame:
    """Return quarantined log rows: ``file, line, reason, raw, resolved_by``.

    Parameters
    ----------
    path
        The store; default :func:`geo.store.default_path`.
    open_only
        Only the rows no pass stored since mends (the view ``patrol_log_quarantine_open``).

    Returns
    -------
    pandas.DataFrame
        By file and line; ``resolved_by`` is the ``log_id`` of the pass that mended the row,
        missing while it is open. None when the store has none.
    """
    columns = ("file", "line", "reason", "raw", "resolved_by")
    with store.reading(path) as conn:
        mended = "resolved_by" in store.table_columns(conn, QUARANTINE_TABLE)
        where = "resolved_by IS NULL" if open_only and mended else ""
        return store.read_frame(conn, QUARANTINE_TABLE, columns, where=where, order="file, line")


def minutes_per_week(
    log: pd.DataFrame, *, first_week: str, last_week: str, promise_min: int = PROMISE_MIN
) -> pd.DataFrame:
    """Return the minutes delivered per ISO week against the promise.

    Parameters
    ----------
    log
        :func:`read_log` (``start``, ``end`` tz-aware).
    first_week, last_week
        The weeks to report, inclusive (``YYYY-Www``; ISO week 53 is handled).
    promise_min
        Minutes promised per week (the löfte: 120).

    Returns
    -------
    pandas.DataFrame
        One row per week, also weeks with nothing logged: ``iso_week``, ``minutes``,
        ``met`` (``minutes >= promise_min``), ``cancelled`` (how many passes starting in
        the week were logged as cancelled: 0 minutes, but the week is logged,
        :func:`geo.presence_weeks.any_pass_logged`). A visit spanning midnight Sunday is split
        between the two weeks at local midnight. The minutes are the time the police were
        in the kommun: passes that overlap (:func:`merged_spans`) count their shared time
        once.

    Raises
    ------
    DataError
        If a week is not an ISO week or ``last_week`` is before ``first_week``.
    """
    first, last = week_monday(first_week), week_monday(last_week)
    if last < first:
        msg = f"last_week {last_week!r} is before first_week {first_week!r}; swap them."
        raise DataError(msg)
    mondays = []
    day = first
    while day <= last:
        mondays.append(day)
        day = (day.tz_localize(None) + pd.Timedelta(days=7)).tz_localize(settings.timezone)
    bounds = [
        *mondays,
        (last.tz_localize(None) + pd.Timedelta(days=7)).tz_localize(settings.timezone),
    ]
    minutes = [0.0] * len(mondays)
    for s, e in merged_spans(log):
        for i in range(len(mondays)):
            lo, hi = bounds[i], bounds[i + 1]
            overlap = (min(e, hi) - max(s, lo)).total_seconds() / 60
            if overlap > 0:
                minutes[i] += overlap
    weeks = [week_label(m) for m in mondays]
    out = pd.DataFrame({"iso_week": weeks, "minutes": [round(v, 1) for v in minutes]})
    out["met"] = out["minutes"] >= promise_min
    called_off = cancelled_by_week(log, weeks)
    out["cancelled"] = [len(called_off.get(w, [])) for w in weeks]
    return out


def merged_spans(log: pd.DataFrame) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """Return the log's passes as the spans of time they cover, overlapping ones merged.

    The löfte counts the time the police are in the kommun ("minst två timmar per vecka"),
    not the sum of the rows that say so: the same pass logged in the app and in a file with
    another end (21:03–21:32 and 21:03–21:40), or two cars out at once, are 37 minutes there,
    not 66. Passes that only touch (one ends as the next starts) are merged too.

    Parameters
    ----------
    log
        :func:`read_log` (``start``, ``end`` tz-aware).

    Returns
    -------
    list of tuple of pandas.Timestamp
        ``(start, end)`` by start, none overlapping another; a cancelled pass
        (:func:`geo.patrol_log_fields.done_passes`) covers none.
    """
    done = done_passes(log)
    spans = sorted(
        (pd.Timestamp(s), pd.Timestamp(e)) for s, e in zip(done["start"], done["end"], strict=True)
    )
    merged: list[tuple[pd.Timestamp, pd.Timestamp]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def places_of(value: object) -> list[str]:
    """Return the places of a patrol-log row: a list, JSON list, or text split at ``,``/``;``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    if isinstance(value, list | tuple | np.ndarray):
        return [str(v) for v in value if str(v).strip()]
    text = str(value).strip()
    if text.startswith("["):
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError:
            parsed = None
        if isinstance(parsed, list):
            return [str(v) for v in parsed if str(v).strip()]
    return [v.strip() for v in text.replace(";", ",").split(",") if v.strip()]


def names_place(places: object, place: str) -> bool:
    """Tell whether a pass's places name ``place`` as one of them (``;``- or ``,``-separated).

    A place is one of the pass's, not a part of one: "Mullhyttan" is not named by a pass at
    "lokalväg vid Mullhyttan", a stop of the same trip in W49's sample plan.

    Parameters
    ----------
    places
        The pass's ``places`` (text as logged).
    place
        A plan stop's place.

    Returns
    -------
    bool
        Whether it is one of them, compared by :func:`geo.model.normalize_text`.
    """
    text = "" if places is None else str(places)
    parts = {normalize_text(p) for p in [*places_of(text), *text.split(";")]}
    return normalize_text(place) in parts


def pass_covers(start: pd.Timestamp, end: pd.Timestamp, at: pd.Timestamp) -> bool:
    """Tell whether a pass from ``start`` to ``end`` is the one for a stop planned at ``at``.

    It started that day, or it runs over the stop's start: a trip that leaves the entry
    point before midnight is logged on its first day, and its stops after midnight are its.

    Parameters
    ----------
    start, end
        The pass's times (tz-aware, local).
    at
        The stop's planned start (tz-aware).

    Returns
    -------
    bool
        Whether the pass is the stop's.
    """
    local = at.tz_convert(start.tz) if start.tzinfo is not None else at
    return bool(start.date() == local.date() or start <= at <= end)


def dosage_per_place(log: pd.DataFrame, *, places: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return visits and minutes per place in the log (the patrol "dosage").

    Parameters
    ----------
    log
        :func:`read_log`; ``places`` lists places separated by ``;`` or ``,``, and the
        visit's minutes are shared equally between them.
    places
        Named places (:func:`geo.sites.load_places`) to resolve aliases to one name.

    Returns
    -------
    pandas.DataFrame
        ``place``, ``visits``, ``minutes``, ``first``, ``last`` (dates), sorted by minutes;
        a cancelled pass is no visit.
    """
    log = done_passes(log)
    gaz = None
    if places is not None and len(places):
        from geo.sites import Gazetteer

        gaz = Gazetteer(places)
    rows = []
    for _, r in log.iterrows():
        names = places_of(r["places"]) or ["(ingen plats angiven)"]
        for name in names:
            match = gaz.lookup(name) if gaz is not None else None
            rows.append(
                {
                    "place": match.name if match is not None else name,
                    "minutes": float(r["minutes"]) / len(names),
                    "day": pd.Timestamp(r["start"]).date(),
                }
            )
    if not rows:
        return pd.DataFrame(columns=["place", "visits", "minutes", "first", "last"])
    df = pd.DataFrame(rows)
    out = df.groupby("place").agg(
        visits=("minutes", "size"), minutes=("minutes", "sum"), first=("day", "min"),
        last=("day", "max"),
    )  # fmt: skip
    out["minutes"] = out["minutes"].round(1)
    return (
        out.reset_index()
        .sort_values("minutes", ascending=False, kind="stable")
        .reset_index(drop=True)
    )
