"""Times written over several columns: year, month, day (hour, minute) or a date and a time.

Some police exports have no single time column. Vancouver's writes ``YEAR``, ``MONTH``,
``DAY``, ``HOUR``, ``MINUTE``; one by ISO week may write ``Aar``, ``Uge``, ``Ugedag`` (a week and
its day); Toronto's ``OCC_YEAR``, ``OCC_MONTH`` (a month name) and
``OCC_DAY``; Los Angeles and New York give the date in one column and the time of day in
another (``TIME OCC`` = ``2230``, ``CMPLNT_FR_TM`` = ``22:30:00``). ``--time-col`` names them
in that order, separated by commas (``--time-col YEAR,MONTH,DAY,HOUR,MINUTE``), and
:func:`parse_time_parts` joins them into one time per row.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from geo.timeformat import (
    AS_WEEKS,
    ParsedColumn,
    TimesRefusedError,
    iso_week_days,
    month_numbers,
    parse_time_column,
    within_range,
)

__all__ = [
    "PART_NAMES",
    "all_years",
    "is_week_column",
    "joined_text",
    "parse_time_parts",
    "time_columns",
    "weekday_numbers",
]

#: What the columns of a split time mean, in the order ``--time-col`` names them.
PART_NAMES = ("year", "month", "day", "hour", "minute", "second")
#: A clock time anywhere in a value: ``22:30``, ``22:30:00``, ``10:30 PM``, ``10:30:00 p.m.``,
#: or with dots as Nordic and Italian exports write it (``22.30``).
_CLOCK = re.compile(
    r"(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?(?:\.\d+)?\s*([AaPp])?\.?(?:[Mm]\.?)?(?!\w)"
)
#: How a week column's name begins, by a word of it: English, Danish, Norwegian, Swedish,
#: German (``KW``), French, Spanish, Italian, Finnish (``Week``, ``OCC_WEEK``, ``Ugenr``).
_WEEK_WORDS = ("week", "uge", "uke", "veck", "woche", "semaine", "semana", "settimana", "viikko")
_WEEK_TOKENS = ("wk", "kw", "v", "uge", "uke")  # whole words only: "Kwartaal" is a quarter
_DAY_WORDS = ("weekday", "weekdag", "ugedag", "ukedag", "veckodag", "wochentag")
#: How a month column's name begins (``MONTH``, ``Måned``, ``Monat``, ``mois``, ``mes``).
_MONTH_WORDS = ("month", "mon", "mån", "maan", "måned", "mois", "mes", "kuukausi", "mnd")
#: Share of a second column's values that, as whole numbers from 13 to 53 and named neither
#: week nor month, make it weeks: as months more than 10 % would be unread and the file
#: refused (:data:`geo.pointfile.MAX_UNREAD_SHARE`), so no file read before reads otherwise.
WEEK_SHARE = 0.1
#: What the columns of a time written as an ISO week are, in ``--time-col`` order.
WEEK_PART_NAMES = ("year", "week", "weekday", "hour", "minute", "second")
_SECONDS = {"hour": 3600.0, "minute": 60.0, "second": 1.0}
#: Weekday names by ISO day number: English, Swedish, Danish and Norwegian, German.
WEEKDAY_NAMES = {
    1: ("monday", "måndag", "mandag", "montag"),
    2: ("tuesday", "tisdag", "tirsdag", "dienstag"),
    3: ("wednesday", "onsdag", "mittwoch"),
    4: ("thursday", "torsdag", "donnerstag"),
    5: ("friday", "fredag", "freitag"),
    6: ("saturday", "lördag", "lørdag", "laurdag", "samstag"),
    7: ("sunday", "söndag", "søndag", "sundag", "sonntag"),
}
_RANGES = {
    "month": (1, 12),
    "week": (1, 53),
    "day": (1, 31),
    "hour": (0, 23),
    "minute": (0, 59),
    "second": (0, 59),
}


def time_columns(time_col: str, columns: Sequence[str] | None = None) -> list[str]:
    """Return the columns ``--time-col`` names.

    Parameters
    ----------
    time_col
        One column, or several separated by commas (``"YEAR,MONTH,DAY"``).
    columns
        The file's columns, when known: a column whose own name holds a comma is one column.

    Returns
    -------
    list of str
        The column names, spaces at their ends removed from the parts of a list.
    """
    if "," not in time_col or (columns is not None and time_col in columns):
        return [time_col]
    return [part.strip() for part in time_col.split(",")]


def parse_time_parts(df: pd.DataFrame, parts: Sequence[str], tz: str | None = None) -> ParsedColumn:
    """Read one time per row from several columns.

    Parameters
    ----------
    df
        The table.
    parts
        Two to six of its columns. Three or more are year, month, day and optionally hour,
        minute and second, as numbers (``3``, ``"03"``, ``3.0``); the month may be a name
        (``"March"``, ``"mars"``, ``"Mär"``); or, when the second is a week
        (:func:`is_week_column`), ISO year, ISO week, weekday (:func:`weekday_numbers`) and
        optionally hour, minute and second. Two are a year and a month (when every value of
        the first is a four-digit year; the day is then the 1st), a year and an ISO week
        (:func:`is_week_column`; read as the week's Thursday, :data:`geo.timeformat.WEEK_DAY`)
        or a date and a time of
        day: the date column is read as :func:`geo.timeformat.parse_time_column` reads one
        (its own time, such as Los Angeles' ``12:00:00 AM``, is dropped) and the time from
        ``22:30``, ``22:30:00``, ``10:30 PM``, ``22.30`` or a number: ``2230`` is 22:30 and
        ``5`` is 00:05 (hours and minutes, as in Los Angeles' ``TIME OCC``), unless no value
        of the column is above 24, which makes it a column of hours (24: the next
        midnight). An empty time of day (or hour, minute, second) keeps the date at
        midnight (or the hour at its start).
    tz
        As for :func:`geo.timeformat.parse_time_column`, applied to the date column of a
        date-and-time pair (numbers of parts carry no offset).

    Returns
    -------
    ParsedColumn
        The times (NaT where the year, month or day is missing, a part is not a whole
        number, is out of its range or the date does not exist, such as 31 April; or where a
        time of day is written but cannot be read) and a
        format naming what each column was read as (``"YEAR=year, MONTH=month, DAY=day"``).

    Raises
    ------
    ValueError
        If fewer than two or more than six columns are named.
    """
    if not 2 <= len(parts) <= len(PART_NAMES):
        msg = f"A split time takes 2 to {len(PART_NAMES)} columns, not {len(parts)}: {list(parts)}."
        raise ValueError(msg)
    if len(parts) == 2 and not all_years(df[parts[0]]):
        return _date_and_clock(df[parts[0]], df[parts[1]], tz)
    if is_week_column(df[parts[1]]):
        return _week_parts(df, parts)
    names = PART_NAMES[: len(parts)]
    values = {name: _part_numbers(df[col], name) for name, col in zip(names, parts, strict=True)}
    if "day" not in values:
        values["day"] = pd.Series(1.0, index=df.index)
    frame = pd.DataFrame(values)
    complete = frame[["year", "month", "day"]].notna().all(axis=1)
    at = pd.Series(pd.to_datetime(frame.fillna(0), errors="coerce"), index=df.index)
    at = within_range(at.where(complete)).astype("datetime64[ns]")  # a typed year 1010
    fmt = ", ".join(f"{col}={name}" for col, name in zip(parts, names, strict=True))
    return ParsedColumn(at, fmt)


def _week_parts(df: pd.DataFrame, parts: Sequence[str]) -> ParsedColumn:
    """Read an ISO year and week, then optionally a weekday, hour, minute and second.

    A bare week is read as its Thursday (:data:`geo.timeformat.AS_WEEKS`); a weekday places
    the time on its own day.
    """
    year = _part_numbers(df[parts[0]], "year")
    week = _part_numbers(df[parts[1]], "week")
    if len(parts) == 2:
        at = iso_week_days(year, week)
        return ParsedColumn(at, f"{parts[0]}=ISO year, {parts[1]}=ISO week{AS_WEEKS}")
    day = weekday_numbers(df[parts[2]])
    at = iso_week_days(year, week, day.fillna(0.0))  # day 0 is in no ISO week: NaT
    clock = pd.Series(0.0, index=df.index)
    for name, col in zip(WEEK_PART_NAMES[3:], parts[3:], strict=False):
        clock += _part_numbers(df[col], name).fillna(0.0) * _SECONDS[name]  # as a date's
    at = (at + pd.to_timedelta(clock, unit="s")).astype("datetime64[ns]")
    names = ("ISO year", "ISO week", "weekday (1 Monday … 7 Sunday, or its name)", *PART_NAMES[3:])
    fmt = ", ".join(f"{col}={name}" for col, name in zip(parts, names, strict=False))
    return ParsedColumn(at, fmt)


def weekday_numbers(values: pd.Series) -> pd.Series:
    """Return each value's ISO weekday, 1 (Monday) to 7 (Sunday), NaN where it names none.

    A number is read as ISO 8601 numbers the days (as ISO weeks do); a name in English,
    Swedish, Danish, Norwegian or German, whole or cut to two letters or more (``Monday``,
    ``Mon``, ``mån``, ``tirsdag``, ``Do.``).

    Raises
    ------
    geo.timeformat.TimesRefusedError
        If a day is written ``0``: days numbered 0-6 (Python's Monday 0, US software's
        Sunday 0) cannot be told apart, and reading either as the other moves every day.
    """
    text = values.astype("string").str.strip()
    number = pd.to_numeric(text, errors="coerce").astype("float64")
    if (number == 0).any():
        msg = (
            f"column {values.name!r} numbers the weekdays from 0, as Python (Monday 0) and US "
            "software (Sunday 0) do, which cannot be told apart; write them as ISO weeks "
            "number them, 1 Monday … 7 Sunday, or as names (Monday, måndag)."
        )
        raise TimesRefusedError(msg, str(text[number == 0].iloc[0]))
    number = number.where((number % 1 == 0) & number.between(1, 7))
    words = text.str.casefold().str.rstrip(".")
    days = {w: _weekday_of_word(w) for w in words.dropna().unique()}  # a handful, not a row each
    return number.fillna(words.map(days).astype("float64"))


def _weekday_of_word(word: object) -> float:
    """Return the day :data:`WEEKDAY_NAMES` names by ``word`` or its start, NaN if none or two."""
    if not isinstance(word, str) or len(word) < 2:
        return float("nan")
    days = {day for day, names in WEEKDAY_NAMES.items() for n in names if n.startswith(word)}
    return float(days.pop()) if len(days) == 1 else float("nan")


def joined_text(df: pd.DataFrame, parts: Sequence[str]) -> pd.Series:
    """Return the parts of each row as one text (``"2019 3 15 22 30"``), empty where all are.

    Used to show a row's time in messages and to tell written times from empty ones.
    """
    text = pd.DataFrame(
        {i: df[c].astype("string").str.strip().fillna("") for i, c in enumerate(parts)}
    )
    joined: pd.Series = text[0].str.cat(text.iloc[:, 1:], sep=" ").str.strip()
    return joined.mask(joined == "")


def all_years(values: pd.Series) -> bool:
    """Whether every written value is a whole number from 1000 to 2999 (a year).

    The first values are looked at first: a column of dates fails there, without reading
    millions of rows as numbers.
    """

    def years(part: pd.Series) -> bool | None:
        text = part.astype("string").str.strip()
        written = text[text.notna() & (text != "")]
        if written.empty:
            return None
        ok = pd.to_numeric(written, errors="coerce")
        return bool(ok.notna().all() and (ok % 1 == 0).all() and ok.between(1000, 2999).all())

    if years(values.head(100)) is False:
        return False
    return bool(years(values))


def is_week_column(values: pd.Series) -> bool:
    """Whether the column after a year holds ISO weeks (1-53), not months.

    It does when its name says week (``Week``, ``OCC_WEEK``, Danish ``Ugenr``, Swedish
    ``Veckonummer``, German ``KW``; not ``Weekday``), or when it is named neither week nor
    month and more than :data:`WEEK_SHARE` of its written values are whole numbers 13–53.
    """
    words = re.findall(r"[^\W\d_]+", str(values.name).casefold())
    if any(w.startswith(_DAY_WORDS) for w in words):
        return False
    if any(w.startswith(_WEEK_WORDS) or w in _WEEK_TOKENS for w in words):
        return True
    if any(w.startswith(_MONTH_WORDS) for w in words):
        return False
    number = pd.to_numeric(values.astype("string").str.strip(), errors="coerce").astype(float)
    written = int(values.astype("string").str.strip().fillna("").ne("").sum())
    weeks = int(((number % 1 == 0) & number.between(13, 53)).sum())
    return written > 0 and weeks > WEEK_SHARE * written


def _part_numbers(values: pd.Series, name: str) -> pd.Series:
    """Read one part as numbers: NaN where it is empty, not whole or out of its range."""
    text = values.astype("string").str.strip()
    number = pd.to_numeric(text, errors="coerce").astype("float64")
    if name == "month":
        number = number.fillna(month_numbers(text))
    low, high = _RANGES.get(name, (1, 9999))
    good = (number % 1 == 0) & number.between(low, high)
    return number.where(good)


def _date_and_clock(date: pd.Series, clock: pd.Series, tz: str | None) -> ParsedColumn:
    """Read a date column and a time-of-day column into one time per row."""
    day = parse_time_column(date, tz)
    offset, how = _clock_offsets(clock)
    at = day.at.dt.normalize() + offset
    return ParsedColumn(
        at.astype("datetime64[ns]"),
        f"{date.name}={day.format} (date), {clock.name}={how}",
        day.converted,
        day.with_offset,
    )


def _clock_offsets(clock: pd.Series) -> tuple[pd.Series, str]:
    """Return the time of day of each value as a timedelta (0 where empty) and how it was read.

    Whole numbers are hours and minutes (``2230``), or hours when none is above 24 (hours
    numbered 1-24 make 24 the midnight ending the day); other values are read as clock
    times (``22:30``, ``10:30 PM``, ``22.30``).
    """
    text = clock.astype("string").str.strip().fillna("")
    empty = (text == "").to_numpy(dtype=bool)
    number = pd.to_numeric(text, errors="coerce")
    whole = (number.notna() & (number % 1 == 0) & (number >= 0)).to_numpy(dtype=bool)
    seconds = pd.Series(np.nan, index=clock.index)  # whole seconds: no float drift
    how = []
    if whole.any():
        n = number.to_numpy(dtype=float)
        if np.nanmax(n[whole]) <= 24:  # hours 0-23, or 1-24 (24 is the next midnight)
            seconds.loc[whole] = n[whole] * 3600
            how.append("hour")
        else:
            hh, mm = np.divmod(n, 100)
            ok = whole & (hh <= 23) & (mm <= 59)
            seconds.loc[ok] = hh[ok] * 3600 + mm[ok] * 60
            how.append("HHMM")
    rest = ~whole & ~empty
    if rest.any():
        found = text.loc[rest].str.extract(_CLOCK)
        hour = pd.to_numeric(found[0], errors="coerce")
        minute = pd.to_numeric(found[1], errors="coerce")
        second = pd.to_numeric(found[2], errors="coerce").fillna(0)
        half = found[3].str.lower()
        twelve = half.notna()
        ok_clock = hour.between(0, 23) & minute.between(0, 59) & second.between(0, 59)
        ok_clock &= ~twelve | hour.between(1, 12)  # "13:30 PM" is no time
        hour = hour.where(~twelve, hour % 12 + (half == "p") * 12)
        read = (hour * 3600 + minute * 60 + second).where(ok_clock)
        seconds.loc[rest] = read.to_numpy(dtype=float)
        how.append("clock time")
    seconds.loc[empty] = 0.0
    return pd.to_timedelta(seconds, unit="s"), " or ".join(how) or "empty"
