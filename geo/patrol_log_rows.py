"""One row of the patrol log checked by one set of rules, whether it came in a file or a form.

:func:`check_log_row` reads a row's date, start and end (and its texts) and returns either the
stored values (:class:`LogRow`) or why it is refused (:class:`RowProblem`), with a Swedish
sentence for each medium: the file import's names the file's line and column
(:attr:`RowProblem.file_detail`), the form's stands next to the field
(:attr:`RowProblem.form_message`). :func:`geo.patrol_log.parse_log` and the marking app's
pass form (:mod:`geo.patrol_passes`) both call it, so they cannot drift apart. A pass that
starts after now (more than :data:`FUTURE_TOLERANCE_MIN` minutes past the clock) is refused,
the same way from a file and from the form, and so is a text (places, activity, results)
holding a personnummer or a registration number (:data:`PERSONAL_DATA`). A pass marked
``cancelled`` (a reason of :data:`geo.patrol_log_fields.CANCEL_REASONS`) needs only its day
(a planned start if known) and counts 0 minutes; a pass's control counts
(:data:`geo.patrol_log_fields.CONTROL_COUNTS`) are whole numbers on a pass whose activity
names a control, and agree (:func:`geo.patrol_log_fields.count_conflicts`: no more blåsta
than kontrollerade). A time October's clock change repeats is told by its UTC offset: a file
writes it in the cell, the form offers the choice (:func:`with_offset`,
:attr:`RowProblem.repeated_hour`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pandas as pd

from geo import settings
from geo.patrol_log_fields import (
    CONTROL_COUNTS,
    FieldValueError,
    control_types,
    count_conflicts,
    parse_cancel_reason,
    parse_count,
)
from geo.sensitive_text import find_identifying
from geo.weeks import local_now

#: The row's fields: the file's columns and the form's field names.
ROW_FIELDS: tuple[str, ...] = (
    "date", "start", "end", "places", "activity", "results", "cancelled", *CONTROL_COUNTS,
)  # fmt: skip
#: The start of a cancelled pass logged without a planned time: the day's first minute.
CANCELLED_START = "00:00"
#: Longest text per text field (characters); a longer one is refused, not cut.
TEXT_MAX_CHARS: dict[str, int] = {"places": 500, "activity": 500, "results": 2000}
#: Longest pass accepted, in minutes (a day).
MAX_PASS_MIN = 24 * 60
#: How far after the clock a pass may start, in minutes: the slack for a phone or a PC whose
#: clock runs a little ahead of the server's. A later start is a pass not done yet (a day
#: picked by mistake) and is refused, so no week is credited minutes it has not lived.
FUTURE_TOLERANCE_MIN = 10
#: The reason of a row whose text holds a personnummer or a registration number (design §8:
#: none anywhere); the file's row is quarantined with its raw cells redacted
#: (:func:`geo.sensitive_text.redact_identifying`).
PERSONAL_DATA = "personuppgift i text"
#: The UTC offsets that tell apart a time the clock change repeats (the last Sunday of
#: October, 02:00–03:00 comes twice): summer time the first time, normal time the second.
#: A file writes one in its dated cell (``2026-10-25 02:10+02:00``), the form chooses one.
REPEATED_HOUR_OFFSETS: dict[str, str] = {"+02:00": "sommartid", "+01:00": "normaltid"}
#: What a text field needs instead of personal data, told with its refusal.
_ENOUGH: dict[str, str] = {"results": "antal och slag räcker: ”3 rapporter, 1 ordningsbot”"}


@dataclass(frozen=True)
class LogRow:
    """A row that passed: what the patrol log stores.

    Attributes
    ----------
    start, end
        tz-aware local times (``settings.timezone``).
    minutes
        ``end - start`` in minutes.
    places, activity, results
        The texts, stripped.
    cancelled
        The key of :data:`~geo.patrol_log_fields.CANCEL_REASONS` of a pass called off
        (``end == start``, 0 minutes), ``""`` for a pass that was done.
    checked, breath_tests, dui_suspected, fines, reports
        The control counts (:data:`~geo.patrol_log_fields.CONTROL_COUNTS`), ``None`` when
        not given.
    """

    start: pd.Timestamp
    end: pd.Timestamp
    minutes: float
    places: str
    activity: str
    results: str
    cancelled: str = ""
    checked: int | None = None
    breath_tests: int | None = None
    dui_suspected: int | None = None
    fines: int | None = None
    reports: int | None = None


@dataclass(frozen=True)
class RowProblem:
    """Why a row is refused.

    Attributes
    ----------
    reason
        Short Swedish key counted by the import (``ogiltig tid``, ``sluttid före start`` …).
    field
        The field it is about (one of :data:`ROW_FIELDS`).
    file_detail
        The sentence the file import says: names the line, the column, the value and the fix.
    form_message
        The sentence the form shows next to the field: the value and the fix.
    mending
        The reason of :data:`geo.patrol_log.LOG_MENDING` a mended row is told by, when its
        fix may change more than ``field``: two counts that disagree
        (:attr:`geo.patrol_log_fields.CountBound.reason`), either of which may be wrong, or
        a file's row split by its separator (:data:`geo.patrol_log.TOO_MANY_FIELDS`); a
        reason not there when no mended row can be told from the row (it has no fix key).
    repeated_hour
        The time is one the clock change repeats: it needs its UTC offset
        (:data:`REPEATED_HOUR_OFFSETS`), which the form asks for as a choice
        (:func:`with_offset`).
    """

    reason: str
    field: str
    file_detail: str
    form_message: str
    mending: str = ""
    repeated_hour: bool = False

    @property
    def mending_key(self) -> str:
        """Return the reason a mended row is told by: :attr:`mending`, else ``field``."""
        return self.mending or self.field


class _BadCellError(ValueError):
    """A date or time cell that cannot be read: its field, column name, value and the fix.

    ``form_fix`` is the fix on the form where it differs from the file's (``fix``), and
    ``repeated_hour`` tells a time the clock change repeats.
    """

    def __init__(
        self,
        field: str,
        column: str,
        value: str,
        fix: str,
        why: str = "",
        *,
        form_fix: str = "",
        repeated_hour: bool = False,
    ) -> None:
        super().__init__(f"{column}: {value!r}")
        self.field, self.column, self.value, self.fix, self.why = field, column, value, fix, why
        self.form_fix, self.repeated_hour = form_fix or fix, repeated_hour


def _read_day(day: str, column: str) -> pd.Timestamp:
    field, fix = "date", "skriv det som 2026-12-05"
    try:
        ts = pd.Timestamp(day.strip())
    except (ValueError, TypeError) as e:
        raise _BadCellError(field, column, day, fix) from e
    if pd.isna(ts):
        raise _BadCellError(field, column, day, fix)
    return ts.normalize()


def _is_day(text: str) -> bool:
    try:
        return not pd.isna(pd.Timestamp(text)) and len(text) >= 8
    except (ValueError, TypeError):
        return False


def _holds_date(clock: str) -> bool:
    """Tell whether a start/end cell holds a full date-time (``2026-12-06 00:45``)."""
    text = clock.strip()
    return " " in text or "T" in text


def _clock_change(ts: pd.Timestamp, *, field: str, column: str, value: str) -> _BadCellError:
    """Return the refusal of a local time the clock change skips or repeats.

    In March 02:00–03:00 does not exist; in October it comes twice, and a pass then can only
    be told by its UTC offset, which a cell with its date may carry (``+02:00`` the first
    time, summer time; ``+01:00`` the second), and the form asks for (:func:`with_offset`).
    """
    if pd.isna(ts.tz_localize(settings.timezone, ambiguous=True, nonexistent="NaT")):
        return _BadCellError(
            field,
            column,
            value,
            "välj en tid som finns (klockan ställs fram från 02:00 till 03:00)",
            f"finns inte den {ts.date()} (sommartid börjar)",
        )
    at = f"{ts.date()} {ts:%H:%M}"
    first, second = REPEATED_HOUR_OFFSETS.items()
    return _BadCellError(
        field,
        column,
        value,
        f"skriv tiden med datum och tidszon: {at}{first[0]} för första gången ({first[1]}),"
        f" {at}{second[0]} för andra gången ({second[1]})",
        f"finns två gånger den {ts.date()} (klockan ställs tillbaka från 03:00 till 02:00)",
        form_fix=f"välj om det var första gången ({first[1]}) eller andra gången ({second[1]})",
        repeated_hour=True,
    )


def with_offset(day: str, clock: str, offset: str) -> str:
    """Return a start/end cell told by ``offset`` when the clock change repeats its time.

    The form's time fields take no offset: a pass in October's repeated hour (02:10 on
    2026-10-25) is told by the choice the form offers (:data:`REPEATED_HOUR_OFFSETS`),
    written into the cell as a file would write it (``2026-10-25 02:10+02:00``). A time that
    comes once, or does not exist (March's skipped hour), or a cell that cannot be read, is
    returned as it is: the offset adds nothing to it, and :func:`check_log_row` says what is
    wrong with it.

    Parameters
    ----------
    day
        The row's date cell.
    clock
        The start or end cell (``02:10``, or with its date past midnight).
    offset
        A key of :data:`REPEATED_HOUR_OFFSETS`, or ``""`` (none chosen).

    Returns
    -------
    str
        The cell, with its date and the offset where the offset tells its time.
    """
    if not offset:
        return clock
    try:
        _parse_time(day, clock, field="start", name=str)
    except _BadCellError as e:
        if not e.repeated_hour:
            return clock
        text = clock.strip()
        dated = text if _holds_date(text) else f"{_read_day(day, 'date').date()} {text}"
        return f"{dated}{offset}"
    return clock


def repeated_offset(ts: pd.Timestamp) -> str:
    """Return the UTC offset of a time whose local clock time the clock change repeats.

    Parameters
    ----------
    ts
        A tz-aware time.

    Returns
    -------
    str
        ``+02:00`` (the first 02:10 of the last Sunday of October) or ``+01:00`` (the
        second), a key of :data:`REPEATED_HOUR_OFFSETS`; ``""`` for a time that comes once.
    """
    local = ts.tz_convert(settings.timezone)
    wall = local.tz_localize(None)
    if not pd.isna(wall.tz_localize(settings.timezone, ambiguous="NaT", nonexistent="NaT")):
        return ""
    offset = local.strftime("%z")
    return f"{offset[:3]}:{offset[3:]}"


def _parse_time(day: str, clock: str, *, field: str, name: Callable[[str], str]) -> pd.Timestamp:
    """Return the local time of a start/end cell; raise :class:`_BadCellError` naming it."""
    column = name(field)
    text = clock.strip().replace(".", ":")
    full = _holds_date(text)
    if full:
        head = text.replace("T", " ").split(" ")[0]
        fix = f"skriv den som {head if _is_day(head) else '2026-12-05'} 18:30"
    else:
        fix = "skriv den som 18:30 (eller med datum: 2026-12-05 18:30)"
    try:
        if full:
            ts = pd.Timestamp(text)
        else:
            ts = pd.Timestamp(f"{_read_day(day, name('date')).date()} {text}")
    except _BadCellError:
        raise
    except (ValueError, TypeError) as e:
        raise _BadCellError(field, column, clock, fix) from e
    if not text or pd.isna(ts):
        raise _BadCellError(field, column, clock, fix)
    if ts.tzinfo is None:
        local = ts.tz_localize(settings.timezone, ambiguous="NaT", nonexistent="NaT")
        if pd.isna(local):
            raise _clock_change(ts, field=field, column=column, value=clock)
        ts = pd.Timestamp(local)
    return ts.tz_convert(settings.timezone)


def _day_text(day: str) -> str:
    """Return a date cell as the day it gives (``2026-06-01``), else its text."""
    try:
        return str(_read_day(day, "date").date())
    except _BadCellError:
        return day


def _clock_text(clock: str) -> str:
    """Return a start/end cell as the time it gives (``12:00:00``, with a date if it has one).

    ``12:00``, ``12.00`` and an Excel time cell (``12:00:00``) are alike; a cell that gives
    no time stays its text.
    """
    text = clock.strip().replace(".", ":")
    full = _holds_date(text)
    try:
        ts = pd.Timestamp(text if full else f"2000-01-01 {text}")
    except (ValueError, TypeError, OverflowError):
        return clock
    if not text or pd.isna(ts):
        return clock
    return ts.strftime("%Y-%m-%d %H:%M:%S%z" if full else "%H:%M:%S")


def identity_fields(row: Mapping[str, object]) -> dict[str, str]:
    """Return a row's fields as :mod:`geo.quarantine` knows a row, whatever file holds it.

    The :data:`ROW_FIELDS` only (a column the log does not read is no part of a pass);
    ``date``, ``start`` and ``end`` as the day and time they give, so a date or time cell
    Excel made of the text is the same row (:func:`geo.quarantine.row_key` does the rest:
    blanks, numbers).

    Parameters
    ----------
    row
        The row's cells by field, as :func:`check_log_row` reads them.

    Returns
    -------
    dict
        Field → text.
    """
    out = {f: _cell(row, f) for f in ROW_FIELDS}
    out["date"] = _day_text(out["date"])
    for field in ("start", "end"):
        out[field] = _clock_text(out[field])
    return out


def _cell(row: Mapping[str, object], field: str) -> str:
    value = row.get(field, "")
    return "" if value is None else str(value)


def _future_problem(
    start: pd.Timestamp,
    now: pd.Timestamp,
    *,
    field: str,
    line: int,
    column: str,
    cancelled: bool = False,
) -> RowProblem | None:
    """Return the refusal of a pass that starts after ``now`` + the tolerance, else ``None``.

    A cancelled pass is refused only on a later day: tonight's trip is called off, and
    logged so, before its planned start.
    """
    if cancelled and start.date() <= now.date():
        return None
    if not cancelled and start <= now + pd.Timedelta(minutes=FUTURE_TOLERANCE_MIN):
        return None
    return RowProblem(
        "pass i framtiden",
        field,
        f"passet på rad {line} börjar {start:%Y-%m-%d %H:%M}, efter nu ({now:%Y-%m-%d %H:%M}),"
        f" kolumn {column} — skriv dagen då passet gjordes; ett kommande pass loggas när det"
        " är gjort",
        f"Passet börjar {start:%Y-%m-%d %H:%M}, efter nu ({now:%Y-%m-%d %H:%M}) — välj dagen"
        " då passet gjordes; ett kommande pass loggas när det är gjort.",
    )


def _text_problem(
    text: str, max_chars: int, *, field: str, line: int, column: str
) -> RowProblem | None:
    """Return the refusal of a text too long or holding personal data, else ``None``.

    A personnummer or a registration number is refused (:data:`PERSONAL_DATA`,
    :func:`geo.sensitive_text.find_identifying`); a street address is not: the police name
    the places they patrolled, by their address too. The sentences do not repeat the text,
    so the refusal holds no personal data either.
    """
    n = len(text)
    if n > max_chars:
        return RowProblem(
            "för lång text",
            field,
            f"texten på rad {line}, kolumn {column} är {n} tecken — korta den till"
            f" högst {max_chars} tecken",
            f"Texten är {n} tecken — korta den till högst {max_chars} tecken.",
        )
    found = find_identifying(text, addresses=False)
    if not found:
        return None
    enough = _ENOUGH.get(field, "")
    return RowProblem(
        PERSONAL_DATA,
        field,
        f"texten på rad {line}, kolumn {column} ser ut att innehålla {found.swedish} — ta bort"
        f" {found.pronoun} ur filen och importera den igen{f' ({enough})' if enough else ''}",
        f"{found.sentence()}{f' {enough.capitalize()}.' if enough else ''}",
    )


def _cancel_problem(row: Mapping[str, object], *, line: int, column: str) -> str | RowProblem:
    """Return a row's cancel reason (``""``: the pass was done), or why it is refused."""
    try:
        return parse_cancel_reason(_cell(row, "cancelled"))
    except FieldValueError as e:
        return RowProblem(
            "okänd orsak till inställt pass",
            "cancelled",
            f"orsaken på rad {line}, kolumn {column}: {e.value!r} — {e.fix}; lämna kolumnen"
            " tom för ett pass som blev av",
            f"Okänd orsak {e.value!r} — välj en av orsakerna i listan.",
        )


def _counts(
    row: Mapping[str, object], *, line: int, name: Callable[[str], str]
) -> dict[str, int | None] | RowProblem:
    """Return a row's control counts (``None``: not given), or the first one refused."""
    counts: dict[str, int | None] = {}
    for field, label in CONTROL_COUNTS.items():
        try:
            counts[field] = parse_count(row.get(field))
        except FieldValueError as e:
            return RowProblem(
                "ogiltigt antal",
                field,
                f"antalet {label} på rad {line}, kolumn {name(field)}: {e.value!r} — {e.fix}",
                f"{label.capitalize()}: {e.value!r} — {e.fix}.",
            )
    return counts


def _counts_problem(
    counts: Mapping[str, int | None],
    *,
    cancelled: bool,
    activity: str,
    line: int,
    name: Callable[[str], str],
) -> RowProblem | None:
    """Refuse counts on a cancelled pass, or on a pass whose activity names no control.

    The follow-up sums the counts per control type (:func:`geo.patrol_log_fields.control_types`):
    counts on a pass that names none would be counted nowhere.
    """
    given = [field for field, n in counts.items() if n is not None]
    if not given:
        return None
    field = given[0]
    if cancelled:
        return RowProblem(
            "antal på inställt pass",
            field,
            f"rad {line} är ett inställt pass men har antal i kolumnen {name(field)} — töm"
            " antalen, eller töm kolumnen för inställt om passet blev av",
            "Ett inställt pass har inga kontroller — töm antalen, eller svara att passet"
            " genomfördes under ”Blev passet av?”.",
        )
    if control_types(activity):
        return None
    example = "nykterhetskontroll eller hastighetskontroll"
    return RowProblem(
        "antal utan kontroll",
        "activity",
        f"rad {line} har antal i kolumnen {name(field)} men aktiviteten i kolumnen"
        f" {name('activity')} nämner ingen kontroll — skriv kontrollen där ({example})",
        f"Antalen räknas per kontroll — skriv kontrollen i Aktivitet ({example}).",
    )


def _bound_problem(
    counts: Mapping[str, int | None], *, line: int, name: Callable[[str], str]
) -> RowProblem | None:
    """Return the refusal of counts that cannot both be true (the first bound broken)."""
    broken = count_conflicts(counts)
    if not broken:
        return None
    bound = broken[0]
    part, whole = counts[bound.part], counts[bound.whole]
    part_label, whole_label = CONTROL_COUNTS[bound.part], CONTROL_COUNTS[bound.whole]
    fix = (
        f"{bound.why}: skriv alla {whole_label} under passet (minst {part}), eller rätta"
        f" antalet {part_label}"
    )
    return RowProblem(
        bound.reason,
        bound.part,
        f"rad {line} har {part} {part_label} i kolumnen {name(bound.part)} men bara {whole}"
        f" {whole_label} i kolumnen {name(bound.whole)} — {fix}; lämna en kolumn tom om"
        " antalet inte räknades",
        f"{part} {part_label} men bara {whole} {whole_label} — {fix}.",
        mending=bound.reason,
    )


def count_problem(counts: Mapping[str, int | None]) -> RowProblem | None:
    """Return the refusal of a pass's counts that cannot all be true, else ``None``.

    A pass stored before a cross-check came (:data:`geo.patrol_log_fields.COUNT_BOUNDS`)
    may break it, and its correction is refused until its counts are set right: the page
    Pass marks it with this sentence (:attr:`RowProblem.form_message`, both counts and the
    fix), the one its form shows when the pass is saved.

    Parameters
    ----------
    counts
        Field of :data:`~geo.patrol_log_fields.CONTROL_COUNTS` → the stored count, ``None``
        when not given.

    Returns
    -------
    RowProblem or None
        The first bound broken (:func:`geo.patrol_log_fields.count_conflicts`).
    """
    return _bound_problem(counts, line=0, name=str)


def check_log_row(
    row: Mapping[str, object],
    *,
    line: int = 0,
    headers: Mapping[str, str] | None = None,
    now: pd.Timestamp | None = None,
) -> LogRow | RowProblem:
    """Check one row of the patrol log, from a file or from the pass form.

    Parameters
    ----------
    row
        ``date``, ``start``, ``end`` and optionally ``places``, ``activity``, ``results``,
        ``cancelled`` and the control counts (:data:`ROW_FIELDS`), as text;
        ``start``/``end`` may hold a date too (``2026-12-06 00:45``, a pass over midnight).
        With ``cancelled`` (a reason, :func:`~geo.patrol_log_fields.parse_cancel_reason`)
        the end is not read and the start may be empty: the pass is stored at its start
        (or the day's :data:`CANCELLED_START`) with 0 minutes, and may be logged on its day
        before its planned start; it may hold no counts.
    line
        The file's line of the row (header = line 1), named in :attr:`RowProblem.file_detail`.
    headers
        Field → the file's own column header, so the detail names the column as the file does.
    now
        The time the row is checked at (default the clock; a naive time is local): a pass
        starting more than :data:`FUTURE_TOLERANCE_MIN` minutes after it is refused
        (``pass i framtiden``). A file import passes one ``now`` for all its rows.

    Returns
    -------
    LogRow or RowProblem
        The row to store, or the first rule it breaks (the cancel reason, dates and times,
        texts, then counts; a start in the future before the end's checks; per text, in the
        order of :data:`TEXT_MAX_CHARS`, its length before personal data; counts given on a
        pass whose activity names no control, :func:`geo.patrol_log_fields.control_types`, are
        refused, since the follow-up sums them per control type; so are counts that cannot
        both be true, :func:`geo.patrol_log_fields.count_conflicts`).
    """
    heads = headers or {}

    def name(field: str) -> str:
        return heads.get(field, field)

    cancelled = _cancel_problem(row, line=line, column=name("cancelled"))
    if isinstance(cancelled, RowProblem):
        return cancelled
    times = _times(row, cancelled=bool(cancelled), line=line, name=name, now=local_now(now))
    if isinstance(times, RowProblem):
        return times
    start, end = times
    texts = {field: _cell(row, field).strip() for field in TEXT_MAX_CHARS}
    for field, max_chars in TEXT_MAX_CHARS.items():
        problem = _text_problem(texts[field], max_chars, field=field, line=line, column=name(field))
        if problem is not None:
            return problem
    counts = _counts(row, line=line, name=name)
    if isinstance(counts, RowProblem):
        return counts
    problem = _counts_problem(
        counts, cancelled=bool(cancelled), activity=texts["activity"], line=line, name=name
    )
    if problem is not None:
        return problem
    problem = _bound_problem(counts, line=line, name=name)
    if problem is not None:
        return problem
    minutes = (end - start).total_seconds() / 60
    return LogRow(
        start, end, minutes, texts["places"], texts["activity"], texts["results"],
        cancelled=cancelled, **counts,
    )  # fmt: skip


def _times(
    row: Mapping[str, object],
    *,
    cancelled: bool,
    line: int,
    name: Callable[[str], str],
    now: pd.Timestamp,
) -> tuple[pd.Timestamp, pd.Timestamp] | RowProblem:
    """Return a row's start and end, or the first rule they break.

    A cancelled pass has no end: it ends as it starts (0 minutes), at its planned start or,
    without one, at :data:`CANCELLED_START` of its day; an end it was given is not read.
    """
    day = _cell(row, "date")
    clock = _cell(row, "start")
    try:
        start = _parse_time(
            day, clock if clock.strip() or not cancelled else CANCELLED_START, field="start",
            name=name,
        )  # fmt: skip
        end = start if cancelled else _parse_time(day, _cell(row, "end"), field="end", name=name)
    except _BadCellError as e:
        what = "ogiltigt datum" if e.field == "date" else "ogiltig tid"
        why = f" {e.why}" if e.why else ""
        value = e.value.strip()
        said = "Tiden" if e.repeated_hour else f"{what.capitalize()}:"  # a time, but which?
        return RowProblem(
            what,
            e.field,
            f"{what} på rad {line}, kolumn {e.column}: {value!r}{why} — {e.fix}",
            f"{said} {value!r}{why} — {e.form_fix}.",
            repeated_hour=e.repeated_hour,
        )
    # the day picked is what is wrong, unless the start cell carries its own date
    dated = "start" if _holds_date(clock) else "date"
    future = _future_problem(
        start, now, field=dated, line=line, column=name(dated), cancelled=cancelled
    )
    if future is not None:
        return future
    if cancelled:
        return start, end
    problem = _span_problem(start, end, line=line, name=name)
    return (start, end) if problem is None else problem


def _span_problem(
    start: pd.Timestamp, end: pd.Timestamp, *, line: int, name: Callable[[str], str]
) -> RowProblem | None:
    """Return the refusal of an end not after the start, or of a pass over a day."""
    if end <= start:
        next_day = start + pd.Timedelta(days=1)
        return RowProblem(
            "sluttid före start",
            "end",
            f"sluttiden {end:%H:%M} är inte efter starttiden {start:%H:%M} på rad {line}, kolumn"
            f" {name('end')} — pass över midnatt: skriv slut med datum, t.ex."
            f" {next_day:%Y-%m-%d} 01:30; ett pass som ställdes in loggas som inställt, med"
            f" orsak i kolumnen {name('cancelled')}",
            f"Sluttiden {end:%H:%M} är inte efter starttiden {start:%H:%M} — rätta tiden, eller"
            f" ange slutdatum {next_day:%Y-%m-%d} om passet gick över midnatt. Blev passet"
            " inte av: välj orsaken under ”Blev passet av?”.",
        )
    minutes = (end - start).total_seconds() / 60
    if minutes > MAX_PASS_MIN:
        return RowProblem(
            "pass över ett dygn",
            "end",
            f"passet på rad {line} är {minutes:.0f} min, över ett dygn — kontrollera datumen i"
            f" kolumnerna {name('start')} och {name('end')}",
            f"Passet blir {minutes:.0f} min, över ett dygn — kontrollera datum och slutdatum.",
        )
    return None
