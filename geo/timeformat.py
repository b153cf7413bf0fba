"""Read a column of dates or datetimes with one format for the whole column.

Open crime data write dates in many ways (``2012-07-02``, ``04/03/2020 08:37:16 PM``,
``13.01.2020 21:05``). Parsing each value on its own (pandas' ``format="mixed"``) reads
``05/01/2020`` as 1 May and ``13/01/2020`` as 13 January in the same column; here one format
is chosen for the column, the one that reads most of its distinct values, so a column's
``13/01`` values decide how its ``05/01`` values are read.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
from pandas.tseries.api import guess_datetime_format

__all__ = [
    "FORMATS",
    "MONTH_NAMES",
    "ZONE_ABBREVIATIONS",
    "CoarseTimesError",
    "ParsedColumn",
    "TimesRefusedError",
    "english_month_names",
    "iso_week_days",
    "midnight_of_24",
    "month_numbers",
    "parse_time_column",
    "read_datetimes",
    "within_range",
]

#: Formats tried for every column, after the one pandas guesses from its first value: each
#: date order with a 12- or 24-hour clock, with or without seconds, or none (pandas guesses
#: nothing from ``15/01/2019 8:05 PM`` or ``01-01-2019``, so Australian and Dutch exports
#: need theirs here). With slashes month-first comes before day-first: when every day of a
#: column is 12 or less both read every value, and the US portals that write slashes write
#: month first; with dashes and dots day-first comes first, as Europe writes them.
_DIRECTIVE = re.compile(r"%.")
_WORDS = re.compile(r"%[pbB]")  # directives written in letters: AM/PM, month names
_CLOCKS = (" %I:%M:%S %p", " %I:%M %p", " %H:%M:%S", " %H:%M", "")
#: Nordic and Italian clocks with a dot (``15.01.2019 22.30``), after a date with dots.
_DOT_CLOCKS = (" %H.%M.%S", " %H.%M")
#: Oracle's clocks (``01-JAN-19 01.27.00.000000 AM``, ``01-JAN-2019 13.27.00``): dots, seconds
#: with or without a fraction, 12- or 24-hour; after a date with a month name.
_ORACLE_CLOCKS = (" %I.%M.%S.%f %p", " %I.%M.%S %p", " %H.%M.%S.%f", " %H.%M.%S")


def _with_clocks(dates: tuple[str, ...]) -> tuple[str, ...]:
    """Write each date format with each clock: 12-hour, 24-hour, with and without seconds."""
    return tuple(
        date + clock
        for date in dates
        for clock in _CLOCKS
        + (_DOT_CLOCKS if "." in date else ())
        + (_ORACLE_CLOCKS if "%b" in date else ())
    )


FORMATS: tuple[str, ...] = (
    "ISO8601",
    *_with_clocks(("%m/%d/%Y", "%d/%m/%Y", "%d.%m.%Y", "%Y/%m/%d")),
    "%Y %b %d %I:%M:%S %p",  # Seattle
    *_with_clocks(("%d-%m-%Y", "%m-%d-%Y")),
    "%Y%m%d",
    *_with_clocks(("%m/%d/%y", "%d/%m/%y", "%d.%m.%y", "%d-%m-%y")),
    *_with_clocks(("%d-%b-%Y", "%d-%b-%y")),  # Oracle's DD-MON-YY, month names in capitals
)
# A two-digit year (%y) is always the last part of a date, its century as Python reads it:
# 69-99 are 1969-1999, 00-68 are 2000-2068 (01/02/19 and 01-JAN-19 are both 2019).

#: Share of a column's distinct values one format must read to be used alone; below it the
#: values it does not read are read each on its own (``"mixed"``).
MIN_SHARE = 0.99
#: Share a format must read for its day/month order to decide how the values it does not
#: read are read on their own.
ORDER_SHARE = 0.5
#: Excel's day numbers (days since 1899-12-30) of 1954-10-03 … 2119-01-10: a column of
#: five-digit numbers is a spreadsheet's dates saved as numbers.
EXCEL_DAYS = (20_000, 80_000)
_SAMPLE = 2_000
#: Columns this long are checked for repeated values (:func:`parse_time_column`).
_REPEAT_MIN_ROWS = 20_000
_OFFSET = re.compile(r"(\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?)\s*(Z|UTC|[+-]\d{2}(?::?\d{2})?)$")
#: Month names and abbreviations of Swedish, German, French, Spanish, Dutch and Italian
#: exports, by month; read as the English abbreviation (``1. März 2019`` → ``1. Mar 2019``).
MONTH_NAMES: dict[int, tuple[str, ...]] = {
    1: ("januari", "januar", "jänner", "janvier", "janv", "enero", "ene", "gennaio", "gen"),
    2: ("februari", "februar", "février", "fevrier", "févr", "fevr", "febrero", "febbraio"),
    3: ("mars", "märz", "maerz", "mär", "marzo", "maart", "mrt"),
    4: ("avril", "avr", "abril", "abr", "aprile"),
    5: ("maj", "mai", "mayo", "mei", "maggio", "mag"),
    6: ("juni", "juin", "junio", "giugno", "giu"),
    7: ("juli", "juillet", "juil", "julio", "luglio", "lug"),
    8: ("augusti", "août", "aout", "agosto", "ago", "augustus"),
    9: ("septembre", "septiembre", "setiembre", "settembre", "set"),
    10: ("oktober", "okt", "octobre", "octubre", "ottobre", "ott"),
    11: ("novembre", "noviembre"),
    12: ("dezember", "dez", "décembre", "decembre", "déc", "diciembre", "dic", "dicembre"),
}
_ENGLISH = ("", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
#: English names in other spellings than ``Jan``: ``jan``, ``JAN``, ``January``, ``Sept``.
#: pandas reads the abbreviation with a capital only; ``1 jan 2019 01:10`` made it guess
#: ``%m jan %Y %d:%M`` (the hour read as the month).
_ENGLISH_NAMES = {
    n: (_ENGLISH[n].casefold(), full)
    for n, full in enumerate(
        ("", "january", "february", "march", "april", "may", "june", "july", "august",
         "september", "october", "november", "december"),
    )
    if n
}  # fmt: skip
_MONTH_OF = {
    name: n
    for n, names in MONTH_NAMES.items()
    for name in (*names, *_ENGLISH_NAMES[n], *(("sept",) if n == 9 else ()))
}
_MONTH_WORD = re.compile(
    r"\b(?:" + "|".join(sorted(_MONTH_OF, key=len, reverse=True)) + r")\b\.?", re.IGNORECASE
)
#: A word for "at" between a date and its time: Swedish, Danish, Norwegian ``kl.``, German
#: ``um``, Dutch ``om``, French ``à`` (``1 jan 2019 kl. 01:10``).
_AT_WORD = re.compile(r"(?<=\S)\s+(?:kl\.?|klo|um|om|à)\s*(?=\d)", re.IGNORECASE)
#: Time zones written by their abbreviation after the time (``2019-03-10 01:30:00 EST``), as
#: offsets; CST is the US one. Read like any offset: kept as written unless ``--tz``.
ZONE_ABBREVIATIONS = {
    "EST": "-05:00", "EDT": "-04:00", "CST": "-06:00", "CDT": "-05:00",
    "MST": "-07:00", "MDT": "-06:00", "PST": "-08:00", "PDT": "-07:00",
    "AKST": "-09:00", "AKDT": "-08:00", "HST": "-10:00", "GMT": "+00:00",
    "BST": "+01:00", "CET": "+01:00", "CEST": "+02:00", "EET": "+02:00", "EEST": "+03:00",
}  # fmt: skip
_ZONE_WORD = re.compile(r"(?<=\d)\s*\b(?:" + "|".join(ZONE_ABBREVIATIONS) + r")$", re.IGNORECASE)
#: Midnight written as the end of the day before (``31.12.2018 24:00``).
_HOUR_24 = re.compile(r"(?<![\d:])24:00(?::00)?(?![\d:])")
#: A number in scientific notation as a spreadsheet writes it: ``1.5468768E9``, ``1,54E+12``.
_SCIENTIFIC = re.compile(r"^(\d)(?:[.,](\d*))?[eE]\+?(\d{1,2})$")
#: An ISO 8601 week, with or without its day (1 Monday … 7 Sunday): ``2019-W03``,
#: ``2019W03``, ``2019-W03-2``.
_ISO_WEEK = re.compile(r"^(\d{4})-?[Ww](\d{1,2})(?:-?([1-7]))?$")
#: The day a week written without its day is read as: its Thursday, the day ISO 8601 numbers
#: weeks by, so that it falls in its own ISO week and in the month holding most of its days.
WEEK_DAY = 4
#: Said of a column of weeks without their day.
AS_WEEKS = (
    " (weeks: each read as its Thursday, so a month holds the weeks whose Thursday it holds, "
    "the ISO rule)"
)
#: Unix times in scientific notation known to a coarser step than this (seconds) are refused.
MAX_UNIX_STEP_S = 3600.0
_HAS_OFFSET = re.compile(r"\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?\s*(?:Z|UTC|[+-]\d{2}(?::?\d{2})?)$")


@dataclass(frozen=True)
class ParsedColumn:
    """Times of a column, aligned with its rows.

    Attributes
    ----------
    at
        Naive timestamps, the wall-clock time as written (NaT where a value is empty or does
        not fit ``format``); with a time zone, times that carry an offset (or are Unix times)
        are the wall-clock time in that zone.
    format
        The strptime format used, ``"ISO8601"``, ``"unix s"``/``"unix ms"`` (seconds or
        milliseconds since 1970, UTC), ``"excel days"`` (days since 1899-12-30),
        ``"mixed, mostly <format>"`` (no single format fits: the values it does not read
        are read each on its own, in its day/month order), ``"mixed"`` (each value read on
        its own), ``"datetime"`` (the column already held times) or ``"none"`` (the column
        has no values).
    converted
        Values moved to the wall clock of the ``tz`` given to :func:`parse_time_column`.
    with_offset
        Values written with a UTC offset (``…Z``, ``…+01:00``); without a ``tz`` they are
        kept as written.
    """

    at: pd.Series
    format: str
    converted: int = 0
    with_offset: int = 0


def read_datetimes(
    text: pd.Series, fmt: str = "mixed", *, dayfirst: bool = False
) -> tuple[pd.Series, pd.Series]:
    """Read text as times with ``pd.to_datetime``, also where values carry different offsets.

    pandas refuses a column that mixes UTC offsets (``10:00 -0`` beside ``10:00``, which it
    reads as an offset of zero) and returns tz-aware times when every value has one. Here
    such a column is read value by value instead, and the offsets are returned beside the
    times, so a caller decides what an offset means and one odd value fails no file.

    Parameters
    ----------
    text
        Date/time text, one value per row.
    fmt
        Format for ``pd.to_datetime`` (a strptime pattern, ``"ISO8601"`` or ``"mixed"``).
    dayfirst
        Read ``05/01/2020`` as 5 January (``"mixed"`` only).

    Returns
    -------
    tuple of pandas.Series
        Naive times, the wall-clock time as written (NaT where a value cannot be read or
        its year is outside 1678–2261), and each value's UTC offset as a timedelta (NaT
        where it has none).
    """
    no_offset = pd.Series(pd.NaT, index=text.index, dtype="timedelta64[ns]")
    codes, uniques = pd.factorize(text)
    if fmt == "mixed" and 0 < len(uniques) < 0.8 * len(text):  # read each value once
        once, once_offset = read_datetimes(
            pd.Series(uniques, dtype="string"), fmt, dayfirst=dayfirst
        )
        found = codes >= 0
        at_all = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
        off_all = no_offset.copy()
        at_all[found] = once.to_numpy()[codes[found]]
        off_all[found] = once_offset.to_numpy()[codes[found]]
        return at_all, off_all
    try:
        at = pd.to_datetime(text, format=fmt, errors="coerce", dayfirst=dayfirst)
    except ValueError:  # offsets of several kinds
        at = None
    if at is not None and getattr(at.dt, "tz", None) is None:
        return within_range(pd.Series(at, index=text.index)).astype("datetime64[ns]"), no_offset
    each = [pd.to_datetime(v, format=fmt, errors="coerce", dayfirst=dayfirst) for v in text]
    wall = [t.tz_localize(None) if t is not pd.NaT and t.tzinfo else t for t in each]
    offset = [t.utcoffset() if t is not pd.NaT and t.tzinfo else pd.NaT for t in each]
    return (
        within_range(pd.Series(pd.to_datetime(wall), index=text.index)).astype("datetime64[ns]"),
        pd.Series(offset, index=text.index, dtype="timedelta64[ns]"),
    )


def within_range(at: pd.Series) -> pd.Series:
    """Return ``at`` with years a nanosecond time cannot hold (``"1 18:30"`` → 1) as NaT.

    pandas parses such text into a coarser unit; converting it to nanoseconds (as every
    table here stores times) would raise instead of leaving the value unread.
    """
    return at.where(at.dt.year.between(1678, 2261))


def _sample(text: pd.Series) -> pd.Series:
    values = pd.Series(text.dropna().unique())
    if len(values) > _SAMPLE:
        values = values.iloc[np.linspace(0, len(values) - 1, _SAMPLE).astype(int)]
    return values


def midnight_of_24(text: pd.Series) -> tuple[pd.Series, npt.NDArray[np.bool_]]:
    """Write ``24:00`` (the end of a day) as ``00:00`` and say where, to add the day back.

    Parameters
    ----------
    text
        Date/time text (``"31.12.2018 24:00"``).

    Returns
    -------
    tuple
        The text with ``00:00`` in its place, and which values had it: their times belong
        to the next day.
    """
    end_of_day = text.str.contains("24:00", regex=False, na=False).to_numpy(dtype=bool, copy=True)
    if end_of_day.any():  # the plain search is 5 × faster; the pattern then checks those
        end_of_day[end_of_day] = text[end_of_day].str.contains(_HOUR_24).to_numpy(dtype=bool)
    if end_of_day.any():
        text = text.str.replace(_HOUR_24, "00:00", regex=True)
    return text, end_of_day


def english_month_names(text: pd.Series) -> pd.Series:
    """Write month names as English abbreviations (``Mar``), in any case.

    The names of :data:`MONTH_NAMES` and English names spelt otherwise than ``Jan``
    (``jan``, ``JAN``, ``January``, ``Sept``) all become the abbreviation pandas reads.

    Parameters
    ----------
    text
        Date text (``"3 maj 2019 18:30"``, ``"1. März 2019"``).

    Returns
    -------
    pandas.Series
        The text with ``Mar``, ``May`` … in their place, for ``pd.to_datetime`` to read.
    """
    return text.str.replace(_MONTH_WORD, _in_english, regex=True)


def month_numbers(text: pd.Series) -> pd.Series:
    """Return the month each value names (1-12), NaN where it names none.

    A value is read as :func:`english_month_names` writes it, by its first three letters in
    any case (``January``, ``JAN``, ``Sept.``, ``mars``, ``Mär``).
    """
    abbreviations = {name.casefold(): n for n, name in enumerate(_ENGLISH) if name}
    words = english_month_names(text.astype("string").str.strip())
    return words.str.casefold().str[:3].map(abbreviations).astype("float64")


def _in_english(match: re.Match[str]) -> str:
    """Return the English abbreviation of a month name :data:`MONTH_NAMES` holds."""
    return _ENGLISH[_MONTH_OF[match.group(0).rstrip(".").casefold()]]


def _date_part(fmt: str) -> str | None:
    """Return the date alone of a date-and-time format (``%d/%m/%Y %H:%M`` → ``%d/%m/%Y``).

    Exports often write a time of midnight (or an unknown time) as the date alone.
    """
    date, sep, _time = fmt.partition(" ")
    return date if sep and "%" in date else None


def _reads(values: pd.Series, fmt: str | None) -> npt.NDArray[np.bool_]:
    """Which values ``fmt`` reads."""
    if fmt is None:
        return np.zeros(len(values), dtype=bool)
    try:
        parsed = pd.to_datetime(values, format=fmt, errors="coerce")
    except (ValueError, TypeError):
        return np.zeros(len(values), dtype=bool)
    return np.asarray(parsed.notna(), dtype=bool)


def _n_read(values: pd.Series, fmt: str) -> int:
    """How many values ``fmt`` reads, or the date alone of ``fmt``."""
    return int((_reads(values, fmt) | _reads(values, _date_part(fmt))).sum())


def _candidates(sample: pd.Series) -> list[str]:
    """Return the formats to try on ``sample``.

    pandas' guesses from its first value, then those of :data:`FORMATS` whose separators
    (``/``, ``:``, spaces …) the sample has.
    """
    with warnings.catch_warnings():  # pandas warns when the guess contradicts dayfirst
        warnings.simplefilter("ignore", UserWarning)
        guesses = [guess_datetime_format(str(sample.iloc[0]), dayfirst=d) for d in (False, True)]
    chars = set("".join(sample.astype(str)))
    letters = any(c.isalpha() for c in chars)
    shaped = [
        fmt
        for fmt in FORMATS
        if fmt == "ISO8601"
        or (set(_DIRECTIVE.sub("", fmt)) <= chars and (letters or not _WORDS.search(fmt)))
    ]
    # nobody writes dates month-first with dots (01.02.2019 is 1 February), yet pandas'
    # first guess from a value whose day is 12 or less is that
    kept = [g for g in guesses if g and not g.startswith("%m.")]
    # pandas guesses month-first from 01-03-2019 too: its two guesses are put in the order
    # a tie goes to, as for FORMATS (day-first with dashes)
    kept.sort(key=_tie_rank)
    return list(dict.fromkeys(kept + shaped))


def _tie_rank(fmt: str) -> int:
    """Rank a format 0 when a tie between day/month orders goes to it, else 1.

    With slashes month-first wins, as the US portals that write slashes write them; with
    dashes and dots day-first, as Europe writes them. A format starting with neither a day
    nor a month ranks 0.
    """
    if not fmt.startswith(("%d", "%m")):
        return 0
    return int(fmt.startswith("%m") != (fmt[2:3] == "/"))


def _twin(fmt: str) -> str:
    """Return ``fmt`` with the day and the month swapped (``%m/%d/%Y`` → ``%d/%m/%Y``)."""
    return fmt.replace("%d", "\0").replace("%m", "%d").replace("\0", "%m")


#: Months a column's dates must name, each as its 1st, to be read as a monthly file when both
#: day/month orders read it: two dates (``01/02/2000``, ``01/01/2020``) are as likely 2 and 1
#: January as 1 February and 1 January.
MIN_FIRST_OF_MONTHS = 3


def _first_of_months(values: pd.Series, fmt: str) -> bool:
    """Whether ``fmt`` reads every value as the 1st of a month at midnight, over several months.

    A monthly file written day-first (``01/03/2019``) reads in both orders; month-first, all
    its events would fall in January. Several is :data:`MIN_FIRST_OF_MONTHS` or more. A value
    with a clock time is no monthly date: New Year's incidents written day-first
    (``01-01-2025 23:10``, ``02-01-2025 01:20``, ``03-01-2025 14:30``) read month-first as
    the 1st of three months, and were taken for a monthly file.
    """
    at = pd.to_datetime(values, format=fmt, errors="coerce")
    date = _date_part(fmt)
    if date is not None:  # midnight written as the date alone
        at = at.fillna(pd.to_datetime(values, format=date, errors="coerce"))
    read = at.dropna()
    months = read.dt.to_period("M").nunique()
    midnight = bool((read == read.dt.normalize()).all())
    return bool(midnight and (read.dt.day == 1).all() and months >= MIN_FIRST_OF_MONTHS)


def iso_week_days(year: pd.Series, week: pd.Series, day: pd.Series | None = None) -> pd.Series:
    """Return the date of a day of an ISO week, NaT where the year has no such week.

    Parameters
    ----------
    year, week
        The ISO year and week (1-53), as numbers (NaN where missing).
    day
        The day of the week, 1 (Monday) to 7 (Sunday); default (and where NaN)
        :data:`WEEK_DAY`, the Thursday.

    Returns
    -------
    pandas.Series
        Naive dates at midnight; NaT for week 53 of a year of 52 weeks, week 0 or 54.
    """
    year, week = year.astype("float64"), week.astype("float64")
    day = pd.Series(float(WEEK_DAY), index=year.index) if day is None else day
    day = day.astype("float64").fillna(WEEK_DAY)
    known = year.where(year.between(1678, 2261), 2000.0)  # the others are left out below
    jan4 = pd.to_datetime(pd.DataFrame({"year": known, "month": 1, "day": 4}), errors="coerce")
    monday = jan4 - pd.to_timedelta(jan4.dt.day_of_week, unit="D")  # of week 1
    at = monday + pd.to_timedelta((week - 1) * 7 + (day - 1), unit="D")
    iso = at.dt.isocalendar()
    same = (iso["year"].astype("float64") == year) & (iso["week"].astype("float64") == week)
    return at.where(same.fillna(value=False).astype(bool)).astype("datetime64[ns]")


def _read_weeks(text: pd.Series) -> ParsedColumn:
    """Read a column of ISO weeks (``2019-W03``, ``2019W03``, ``2019-W03-2``).

    A week written without its day is read as its Thursday (:data:`WEEK_DAY`); with its day,
    as that day.
    """
    parts = text.str.extract(_ISO_WEEK)
    year, week, day = (pd.to_numeric(parts[i]) for i in range(3))
    at = iso_week_days(year, week, day)
    bare = bool((text.notna() & day.isna()).any())
    return ParsedColumn(at, "%G-W%V" + (AS_WEEKS if bare else "-%u"))


def _scientific(text: pd.Series) -> pd.DataFrame:
    """Split numbers in scientific notation into mantissa, decimals and exponent (NaN if not)."""
    return text.str.extract(_SCIENTIFIC)


def _epoch_unit(sample: pd.Series) -> Literal["ms", "s"] | None:
    """Return ``"ms"`` or ``"s"`` when every value is a Unix time of that unit, else ``None``.

    ArcGIS-based portals export dates as milliseconds since 1970 (``1356998400000``); 9–10
    digits before the decimal point are seconds, 12–13 milliseconds (2001–2286 and
    1973–2286); 8 digits stay dates (``20190105``). A number a spreadsheet wrote in
    scientific notation (``1.5468768E12``) counts the digits it stands for.
    """
    whole = sample.str.fullmatch(r"\d+(?:\.\d*)?").fillna(value=False)  # 1547589000.25
    parts = _scientific(sample)
    scientific = parts[0].notna()
    if not bool((whole | scientific).all()):
        return None
    digits = sample.str.split(".").str[0].str.len()
    digits[scientific] = 1 + pd.to_numeric(parts[2][scientific])  # one digit before the point
    if bool(digits.between(12, 13).all()):
        return "ms"
    if bool(digits.between(9, 10).all()):
        return "s"
    return None


def _written_step(sample: pd.Series, unit: Literal["ms", "s"]) -> float:
    """Return the finest step, in seconds, to which the Unix times of ``sample`` are written.

    A number in scientific notation is known to its last digit: ``1.5468768E9`` to 100 s,
    ``1.54688E+12`` (Excel's six digits) to 10,000 s. The finest step of the column is its
    precision (a value with trailing zeros cut looks coarser than it is); 0 when no value is
    in scientific notation.
    """
    parts = _scientific(sample).dropna(subset=[0])
    if parts.empty:
        return 0.0
    exponent = pd.to_numeric(parts[2]) - parts[1].fillna("").str.len()
    return float(10.0 ** exponent.min()) / (1000.0 if unit == "ms" else 1.0)


def _unix_numbers(text: pd.Series) -> pd.Series:
    """Read Unix times as numbers, a decimal comma in scientific notation (``1,5E+12``) too."""
    scientific = text.str.fullmatch(_SCIENTIFIC).fillna(value=False).to_numpy(dtype=bool)
    if scientific.any():
        text = text.copy()
        text[scientific] = text[scientific].str.replace(",", ".", regex=False)
    return pd.to_numeric(text, errors="coerce")


class TimesRefusedError(ValueError):
    """A time column written in a way that cannot be read without guessing.

    Attributes
    ----------
    value
        A value written so, as it stands in the column (to find its row).
    """

    def __init__(self, message: str, value: str) -> None:
        super().__init__(message)
        self.value = value


class CoarseTimesError(TimesRefusedError):
    """Unix times written too coarsely to be read (``1.54688E+12``: known to 2.8 hours)."""


def _is_excel_days(sample: pd.Series) -> bool:
    """Whether every value is an Excel day number (``43466`` is 2019-01-01, a fraction the time)."""
    number = pd.to_numeric(sample, errors="coerce")
    low, high = EXCEL_DAYS
    return bool(sample.str.fullmatch(r"\d{5}(?:\.\d+)?").all() and number.between(low, high).all())


def _zone_offset(match: re.Match[str]) -> str:
    """Return the UTC offset of a zone abbreviation :data:`ZONE_ABBREVIATIONS` holds."""
    return ZONE_ABBREVIATIONS[match.group(0).strip().upper()]


def _offset_minutes(text: pd.Series) -> pd.Series:
    """Return the UTC offset at the end of each value in minutes (NaN where it has none)."""
    found = text.str.extract(_OFFSET)[1]
    sign = found.str[0].map({"+": 1.0, "-": -1.0})
    digits = found.str.replace(":", "", regex=False).str[1:]
    minutes = pd.to_numeric(digits.str[:2], errors="coerce") * 60 + pd.to_numeric(
        digits.str[2:4].replace("", "0"), errors="coerce"
    )
    minutes = (sign * minutes).astype(float)
    return minutes.mask(found.isin(["Z", "UTC"]), 0.0)


def _to_zone(utc: pd.Series, tz: str) -> pd.Series:
    """Return naive UTC times as naive wall-clock times in ``tz``."""
    local: pd.Series = utc.dt.tz_localize("UTC").dt.tz_convert(tz).dt.tz_localize(None)
    return local


def parse_time_column(values: pd.Series, tz: str | None = None) -> ParsedColumn:
    """Parse a column of dates or datetimes, one format for all its values.

    Parameters
    ----------
    values
        The column: text, or already datetimes (a GeoPackage datetime field). A UTC offset
        at the end of a text value (``+01:00``, ``Z``) is dropped: the wall-clock time as
        written is kept, so summer and winter offsets in one column do not matter.
    tz
        An IANA time zone (``"Europe/Stockholm"``): values with a UTC offset, Unix times and
        tz-aware datetimes become the wall-clock time there (``2024-01-31T23:30:00Z`` is
        00:30 on 1 February in Stockholm). Values without an offset are kept as written.

    Returns
    -------
    ParsedColumn
        The times and the format that read them. A column of whole numbers of 9–10 or 12–13
        digits is Unix time (``"unix s"``/``"unix ms"``, read as UTC); one of five-digit
        numbers in :data:`EXCEL_DAYS` is Excel's day numbers (``"excel days"``). Otherwise
        the format is the one, of the guess from the first value and :data:`FORMATS`, that
        reads most distinct values, counting values written as its date alone (the first
        such, on a tie). When it reads at least 99 % of them it reads the column; otherwise
        it reads what it can and each other value is read on its own (``"mixed, mostly
        <format>"``), day first when the format is and reads at least half of the values
        (``"mixed"`` when none does). Values nothing reads become NaT.
    """
    if pd.api.types.is_datetime64_any_dtype(values):
        at = pd.Series(values)
        aware = getattr(at.dt, "tz", None) is not None
        if aware and tz:
            at = at.dt.tz_convert(tz)
        if aware:
            at = at.dt.tz_localize(None)
        n_aware = len(at) if aware else 0
        at = within_range(at).astype("datetime64[ns]")  # a typed year 1010 in a GeoPackage
        return ParsedColumn(at, "datetime", n_aware if tz else 0, n_aware)
    text = values.astype("string").str.strip()
    if _repeats(text):  # read each distinct value once (a column of dates alone)
        codes, uniques = pd.factorize(text)
        found = codes >= 0
        weight = np.bincount(codes[found], minlength=len(uniques))
        once = _parse_text(pd.Series(uniques, dtype="string"), tz, weight)
        at = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
        at[found] = once.at.to_numpy()[codes[found]]
        return ParsedColumn(at, once.format, once.converted, once.with_offset)
    return _parse_text(text, tz)


def _repeats(text: pd.Series) -> bool:
    """Whether a long column repeats its values enough to read each distinct one once."""
    if len(text) < _REPEAT_MIN_ROWS:
        return False
    sample = text.iloc[:: max(len(text) // _REPEAT_MIN_ROWS, 1)]
    return bool(sample.nunique() < 0.5 * len(sample))


def _parse_text(
    text: pd.Series, tz: str | None, weight: npt.NDArray[np.int64] | None = None
) -> ParsedColumn:
    """Parse stripped text as :func:`parse_time_column` does; ``weight``: rows per value."""

    def rows(mask: npt.ArrayLike) -> int:
        m = np.asarray(mask, dtype=bool)
        return int(m.sum() if weight is None else weight[m].sum())

    if text.dropna().head(_SAMPLE).str.contains(_ZONE_WORD).any():  # "… 01:30:00 EST"
        text = text.str.replace(_ZONE_WORD, _zone_offset, regex=True)
    has_offset = text.str.contains(_HAS_OFFSET, na=False).to_numpy(dtype=bool)
    with_offset = rows(has_offset)
    offset = _offset_minutes(text) if with_offset else None
    if with_offset:  # _OFFSET matches where _HAS_OFFSET does: the other values stay as they are
        text[has_offset] = text[has_offset].str.replace(_OFFSET, r"\1", regex=True)
    text = text.mask(text == "")
    text, end_of_day = midnight_of_24(text)
    sample = _sample(text)
    if sample.empty:
        return ParsedColumn(pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]"), "none")
    if sample.str.contains(_AT_WORD).any():  # "1 jan 2019 kl. 01:10"
        text = text.str.replace(_AT_WORD, " ", regex=True)
        sample = _sample(text)
    if sample.str.contains(_MONTH_WORD).any():  # month names: another language or case
        text = english_month_names(text)
        sample = _sample(text)
    if bool(sample.str.fullmatch(_ISO_WEEK).all()):  # 2019-W03
        return _read_weeks(text)
    epoch = _epoch_unit(sample)
    if epoch is not None:
        name = f"unix {epoch}{_step_said(sample, epoch)}"
        at = pd.Series(
            pd.to_datetime(_unix_numbers(text), unit=epoch, errors="coerce"), index=text.index
        )
        if _utc_dates(at, at.notna()):  # an ArcGIS date field: its day, not an instant
            return ParsedColumn(at.astype("datetime64[ns]"), f"{name}{_AS_DATES}")
        if tz:
            at = _to_zone(at, tz)
        converted = rows(at.notna()) if tz else 0
        return ParsedColumn(at.astype("datetime64[ns]"), name, converted)
    if _is_excel_days(sample):
        days = pd.to_numeric(text, errors="coerce")
        at = pd.Timestamp("1899-12-30") + pd.to_timedelta(days, unit="D")
        return ParsedColumn(at.dt.round("s").astype("datetime64[ns]"), "excel days")
    best, at, other = _read_best(text, sample)  # other: an offset _OFFSET did not know
    at[end_of_day] += pd.Timedelta(days=1)
    if tz and other.notna().any():
        known = other.notna() & at.notna()
        at[known] = _to_zone(at[known] - other[known], tz)
    if offset is not None and _utc_dates(at, (offset == 0) & at.notna(), offset.notna()):
        return ParsedColumn(at, f"{best}{_AS_DATES}")  # 2019-01-15T00:00:00Z: a date
    if offset is None or not tz:
        return ParsedColumn(at, best, 0, with_offset)
    shift = offset.notna() & at.notna()
    if shift.any():
        utc = at[shift] - pd.to_timedelta(offset[shift], unit="min")
        at = at.copy()
        at[shift] = _to_zone(utc, tz or "UTC")
    return ParsedColumn(at, best, rows(shift), with_offset)


def _step_said(sample: pd.Series, unit: Literal["ms", "s"]) -> str:
    """Say how precisely Unix times in scientific notation are written, or refuse them.

    Returns ``""`` when no value is in scientific notation, else ``" (scientific notation,
    to 100 s)"``.

    Raises
    ------
    CoarseTimesError
        When they are known to more than :data:`MAX_UNIX_STEP_S` only (Excel's six digits).
    """
    step = _written_step(sample, unit)
    if step == 0:
        return ""
    if step > MAX_UNIX_STEP_S:
        parts = _scientific(sample)
        value = str(sample[parts[0].notna()].iloc[0])
        msg = (
            f"Unix times written in scientific notation (e.g. {value!r}) are known only to "
            f"{step:,.0f} s ({step / 3600:.1f} h): the spreadsheet that saved them kept too "
            "few digits. Format the column as a number with no decimals (or as a date) and "
            "save the file again."
        )
        raise CoarseTimesError(msg, value)
    return f" (scientific notation, to {step:g} s)"


#: Said of a column of dates written as midnight UTC, which no ``--tz`` moves.
_AS_DATES = " (every time 00:00 UTC: read as dates)"
#: Distinct midnights needed to call a column dates: a few instants may fall at 00:00 by
#: chance, ten distinct ones at 00:00:00 exactly do not.
_MIN_UTC_DATES = 10


def _utc_dates(at: pd.Series, utc: pd.Series, written: pd.Series | None = None) -> bool:
    """Whether the times written in UTC (``utc``) are all at midnight: dates, not instants.

    ArcGIS portals store a date field as midnight UTC (``2019-01-15T00:00:00Z``, or Unix
    milliseconds of that midnight). Moved to an American clock it would be the evening
    before, and every month would lose its first day to the month before. ``written``
    (the values with any offset) must all be in ``utc``.
    """
    if not utc.any() or (written is not None and not bool((utc | ~written).all())):
        return False
    times = at[utc]
    return times.nunique() >= _MIN_UTC_DATES and bool((times == times.dt.normalize()).all())


def _best_format(sample: pd.Series, dayfirst: bool | None = None) -> tuple[str, int]:
    """Return the candidate format that reads most of ``sample`` and how many it reads.

    On a tie the first candidate wins; with ``dayfirst`` given, the candidates of that
    day/month order come first (a column's other values are read in its own order). Where
    both day/month orders read as many values and one reads every value as the 1st of a
    month over several months (a monthly file, ``01/03/2019``), that one wins: the other
    would put every event in January.
    """
    candidates = _candidates(sample)
    if dayfirst is not None:
        other = "%m" if dayfirst else "%d"
        candidates.sort(key=lambda fmt: fmt.startswith(other))  # stable
    scores = [(fmt, _n_read(sample, fmt)) for fmt in candidates]
    best, n = max(scores, key=lambda s: s[1])  # max keeps the first on a tie
    twin = _twin(best)
    # only day and month before the year: 2019-01-02 is ISO, never year-day-month
    swappable = best.startswith(("%d", "%m"))
    if swappable and dict(scores).get(twin) == n and _first_of_months(sample, twin):
        return twin, n  # 01/03/2019, 01/04/2019: the 1st of each month, not 3, 4 January
    return best, n


def _read_with(text: pd.Series, fmt: str) -> tuple[pd.Series, pd.Series]:
    """Read ``text`` with ``fmt``, and a value written as its date alone with the date part."""
    at, other = read_datetimes(text, fmt)
    date = _date_part(fmt)
    if date is not None:  # midnight written as the date alone
        alone = at.isna() & text.notna()
        at[alone], other[alone] = read_datetimes(text[alone], date)
    return at, other


def _read_best(text: pd.Series, sample: pd.Series) -> tuple[str, pd.Series, pd.Series]:
    """Read ``text`` with the format that reads most of ``sample``; see :func:`parse_time_column`.

    When it reads less than :data:`MIN_SHARE`, the values it leaves are read with the format
    that reads most of them, if that reads at least :data:`ORDER_SHARE` of them (a sheet's
    date cells beside dates typed as text, ``15/01/2019``); what is left then is read value
    by value, in the day/month order of the formats used. Returns the name of what read the
    column, the times and the offsets pandas read that ``_OFFSET`` did not.
    """
    best, n = _best_format(sample)
    at, other = _read_with(text, best)
    if n >= MIN_SHARE * len(sample):
        return best, at, other
    used = [best] if n >= ORDER_SHARE * len(sample) else []
    rest = at.isna() & text.notna()
    order = best.startswith("%d") if best.startswith(("%d", "%m")) else None
    rest_sample = _sample(text[rest])
    if used and not rest_sample.empty:
        second, m = _best_format(rest_sample, order)
        if m >= ORDER_SHARE * len(rest_sample):
            at[rest], other[rest] = _read_with(text[rest], second)
            used.append(second)
            rest = at.isna() & text.notna()
            if order is None and second.startswith(("%d", "%m")):
                order = second.startswith("%d")
    dayfirst = bool(used) and bool(order)
    if rest.any():
        at[rest], other[rest] = read_datetimes(text[rest], "mixed", dayfirst=dayfirst)
    shown = ", then ".join(used)
    name = f"mixed, mostly {shown}" if used else "mixed"
    return name, at, other
