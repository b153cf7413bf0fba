"""Parse dates and times into tz-aware Europe/Stockholm timestamps; flag DST gaps/overlaps."""

from __future__ import annotations

import numbers
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo import settings
from geo.timeformat import (
    EXCEL_DAYS,
    ZONE_ABBREVIATIONS,
    english_month_names,
    midnight_of_24,
    read_datetimes,
    within_range,
)

#: A clock time: ``18:30``, ``T18``, or ``18.30`` (``18.30.15``) after a space; not the day
#: and month of a date written with dots (``03.05.2026`` is a date alone).
_HAS_TIME = re.compile(r"(?<![\d.])\d{1,2}:\d{2}|T\d{2}|(?<=\s)\d{1,2}\.\d{2}(?:\.\d{2})?$")
_HAS_OFFSET = re.compile(r"(?:Z|[+-]\d{2}:?\d{2})\s*$")
#: Dates written year first: ISO (``2026-05-03``), with slashes or dots as Swedish systems
#: also write them (``2026/05/03``, ``2026.05.03``), or compact (``20260503``). Read day
#: first, ``2026/05/03`` was 5 March and ``20260503`` too.
_YEAR_FIRST = re.compile(r"^\d{4}(?:[-/.]\d{1,2}[-/.]\d{1,2}|\d{4}(?!\d))")
#: A Swedish short date, year first (ÅÅMMDD: ``260503`` is 3 May 2026), alone or before a
#: time; pandas read it day first (26 May 2003).
_SHORT_DATE = re.compile(r"^(\d{2})(\d{2})(\d{2})(?=\s|$)")
#: Swedish "klockan" before a time (``3 maj 2026 kl. 18:30``, ``2026-05-03 kl 18``).
_KL = re.compile(r"(?<=\S)\s+kl(?:ockan|\.)?\s*(?=\d)", re.IGNORECASE)
#: A clock written with dots after a date (``03.05.2026 18.30``, ``… 18.30.15``), maybe
#: before its offset (``… 18.30 +01:00``, as :func:`offsets_as_iso` writes ``18.30 CET``).
_DOT_CLOCK = re.compile(r"(?<=\s)(\d{1,2})\.(\d{2})(?:\.(\d{2}))?(?=(?:\s*[+-]\d{2}:\d{2})?$)")
#: A clock of digits alone after a date (its year, its day after a dash, slash or dot, or a
#: compact date): an hour (``2026-05-03 18``, ``3 maj 2026 kl 7``), known to the hour, or
#: four digits (``… 1830``), to the minute. Pandas read a one-digit hour as no time at all,
#: and the others as times with precision "day", so they left the hour-of-week profiles.
_BARE_CLOCK = re.compile(
    r"^(?P<date>.*[-/.]\d{1,4}|\d{8}|.*[^\W\d_]\.?\s+\d{4})\s+(?P<clock>\d{4}|\d{1,2})$"
)
#: A zone's name in brackets after a time, as JavaScript's ``Date`` writes it: ``… GMT+0100
#: (Central European Standard Time)``.
_ZONE_NAME = re.compile(r"(?<=\d)\s*\([^()]*\)\s*$")
#: A UTC offset after "GMT" or "UTC" (``GMT+0100``, ``UTC+01:00``, ``UTC+1``), which the
#: parser read by the POSIX sign rule, as UTC-1: two hours late, without a word.
_NAMED_OFFSET = re.compile(r"(?<=\d)\s*\b(?:GMT|UTC)\s*([+-])(\d{1,2})(?::?(\d{2}))?\s*$", re.I)
#: A zone's abbreviation after a time (``CET``, ``CEST``), which was "not a date/time".
_ZONE_WORD = re.compile(r"(?<=\d)\s*\b(" + "|".join(ZONE_ABBREVIATIONS) + r")\s*$", re.IGNORECASE)
#: A date of numbers alone, its year last: day first (``25/11/2026``) or month first, as an
#: Excel or a system set to English (United States) writes it (``11/25/2026``).
_NUMBERS_DATE = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](?:\d{4}|\d{2})(?!\d)")


@dataclass(frozen=True)
class DateOrder:
    """Whether a column's dates of numbers alone are written day first or month first.

    Attributes
    ----------
    month_first
        Some date can only be read month first (``11/25/2026``) and none only day first:
        the column is read month first. Read day first, as Swedish dates are, ``11/05/2026``
        was 11 May, where the file meant 5 November, without a word.
    day_only, month_only
        The row (index label) of the first date only day first reads (``25/11/2026``), and
        of the first only month first reads; ``None`` where there is none. A column with
        both mixes the orders: it is read day first, and its dates that read either way are
        a guess the caller warns of.
    either
        The rows whose date reads either way (``05/11/2026``), when the column mixes the
        orders; else empty.
    """

    month_first: bool = False
    day_only: object | None = None
    month_only: object | None = None
    either: tuple[object, ...] = ()


def date_order(text: pd.Series) -> DateOrder:
    """Tell whether a column's dates of numbers alone are day first or month first.

    Parameters
    ----------
    text
        Date/time text (dates that start with their year are left out by the caller).

    Returns
    -------
    DateOrder
        Month first only when some date can only be read so and none only day first; the
        rows that tell, and those a mixed column reads either way.
    """
    parts = text.str.extract(_NUMBERS_DATE).apply(pd.to_numeric)
    first, second = parts[0], parts[1]
    day_only = (first > 12) & (first <= 31) & (second <= 12)
    month_only = (second > 12) & (second <= 31) & (first <= 12)
    day_at = day_only.idxmax() if day_only.any() else None
    month_at = month_only.idxmax() if month_only.any() else None
    either: tuple[object, ...] = ()
    if day_at is not None and month_at is not None:
        either = tuple(text.index[(first <= 12) & (second <= 12) & (first != second)])
    return DateOrder(month_at is not None and day_at is None, day_at, month_at, either)


@dataclass(frozen=True)
class ParsedTimes:
    """Times of a column, aligned with its rows.

    Attributes
    ----------
    at
        tz-aware timestamps (NaT where unparseable).
    precision
        ``exact`` when a clock time was given, ``hour`` for an hour alone (``2026-05-03 18``,
        ``… kl 7``), ``day`` for a date alone.
    flag
        ``dst_gap`` (a local time that does not exist; moved forward), ``dst_ambiguous``
        (a local time that occurs twice; summer time assumed) or ``None``.
    order
        Whether dates of numbers alone were read day or month first (:func:`date_order`).
    """

    at: pd.Series
    precision: pd.Series
    flag: pd.Series
    order: DateOrder = DateOrder()


#: Excel's day 0 (its 1900 date system): a workbook's number cell in a date column counts
#: days from it, its fraction the time of day.
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")


def _day_number(value: float, clock: bool) -> str | None:
    """Return a workbook's number cell as Excel means it in a date or time column, else ``None``.

    A date typed into a column of the General format is kept as Excel's day number
    (``46356`` is 2026-11-30, ``46356.5868`` 14:05 that day; :data:`geo.timeformat.EXCEL_DAYS`)
    and a time as a fraction of a day (``0.5868``); both were "not a date/time".
    """
    if clock and 0 <= value < 1:
        seconds = round(value * 86_400)
        return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
    low, high = EXCEL_DAYS
    if not low <= value <= high:
        return None
    at = (_EXCEL_EPOCH + pd.Timedelta(days=value)).round("s")
    return at.date().isoformat() if float(value).is_integer() else at.isoformat()


def _text(values: pd.Series, *, clock: bool = False) -> pd.Series:
    """Return a date or time column as text; a workbook's number cell as :func:`_day_number`.

    Only a number (a cell of a workbook or a number property) is read so: the text
    ``"46356"`` of a CSV may be anything, and stays text. ``clock`` says the column holds
    times of day.
    """

    def one(v: object) -> str:
        if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NaT:
            return ""
        if isinstance(v, pd.Timestamp):
            return v.isoformat()
        if hasattr(v, "isoformat"):
            return str(v.isoformat())
        if isinstance(v, numbers.Real) and not isinstance(v, bool | np.bool_):
            read = _day_number(float(v), clock)
            if read is not None:
                return read
        return str(v).strip()

    return pd.Series([one(v) for v in values], index=values.index, dtype=object)


def combine(
    date: pd.Series | None, time: pd.Series | None, datetime_: pd.Series | None
) -> pd.Series:
    """Return one text column from a datetime column, or a date and an optional time column."""
    if datetime_ is not None:
        dt = _text(datetime_)
        if date is None:
            return dt
        base = _text(date).where(dt == "", dt)
        return base
    if date is None:
        msg = "no date column"
        raise ValueError(msg)
    d = _text(date).str.replace(r"T00:00:00$", "", regex=True)
    if time is None:
        return d
    t = _text(time, clock=True).str.replace(r"^1900-01-01T", "", regex=True)
    t = t.str.replace(".", ":", regex=False)
    return (d + " " + t).str.strip()


def _iso_offset(match: re.Match[str]) -> str:
    """Return an offset written after "GMT" or "UTC" as ISO 8601 writes it: `` +01:00``."""
    sign, hours, minutes = match.groups()
    return f" {sign}{int(hours):02d}:{minutes or '00'}"


def _zone_offset(match: re.Match[str]) -> str:
    """Return a zone abbreviation as its UTC offset (:data:`geo.timeformat.ZONE_ABBREVIATIONS`)."""
    return " " + ZONE_ABBREVIATIONS[match[1].upper()]


def offsets_as_iso(text: pd.Series) -> pd.Series:
    """Return times with their UTC offset written as ISO 8601 does (``+01:00``).

    ``GMT+0100`` (JavaScript's ``Date``, its zone's name in brackets after it),
    ``UTC+01:00`` and ``UTC+1`` were read by the POSIX sign rule, as UTC-1, two hours late;
    ``CET``, ``CEST`` (:data:`geo.timeformat.ZONE_ABBREVIATIONS`) were no time at all.
    """
    text = text.str.replace(_ZONE_NAME, "", regex=True)
    text = text.str.replace(_NAMED_OFFSET, _iso_offset, regex=True)
    return text.str.replace(_ZONE_WORD, _zone_offset, regex=True)


def _long_date(match: re.Match[str]) -> str:
    """Return a date written ÅÅMMDD as ÅÅÅÅ-MM-DD; years 69-99 are 1969-1999, as ``%y`` reads."""
    yy, mm, dd = match.groups()
    return f"{19 if int(yy) >= 69 else 20}{yy}-{mm}-{dd}"


def _colon_clock(match: re.Match[str]) -> str:
    """Return a clock written with dots (``18.30``, ``18.30.15``) with colons."""
    return ":".join(part for part in match.groups() if part is not None)


def _bare_clock(match: re.Match[str]) -> str:
    """Return a date and a clock of digits alone (``18``, ``1830``) with the clock as ``HH:MM``."""
    clock = match["clock"]
    hour, minute = (clock[:2], clock[2:]) if len(clock) == 4 else (clock, "00")
    return f"{match['date']} {int(hour):02d}:{minute}"


def parse_times(text: pd.Series) -> ParsedTimes:
    """Parse date/time strings into tz-aware times in ``settings.timezone``.

    Strings with an offset (``+02:00``, ``Z``) are converted; local times are localised,
    and a non-existent local time (spring DST gap) is moved forward and flagged
    ``dst_gap``, an ambiguous one (autumn overlap) is read as summer time and flagged
    ``dst_ambiguous``. Dates that start with a four-digit year (``2026-05-03``,
    ``2026/05/03``, ``20260503``) and Swedish ÅÅMMDD (``260503``) are read year first;
    other dates with slashes or dots day first, as Swedish users write them, unless the
    column writes them month first (:func:`date_order`: ``11/25/2026`` and no
    ``25/11/2026``). ``kl.`` before the time, a clock written with dots (``18.30``) and one
    of digits alone (an hour ``18`` or ``7``, precision ``hour``; ``1830``) are read too.

    Parameters
    ----------
    text
        Date/time text, one value per row.

    Returns
    -------
    ParsedTimes
        Times, precision and flags aligned with ``text``.
    """
    tz = settings.timezone
    text = offsets_as_iso(english_month_names(text))  # "3 maj 2026 18:30", "… GMT+0100"
    text = text.str.replace(_SHORT_DATE, _long_date, regex=True)  # "260503"
    text = text.str.replace(_KL, " ", regex=True)  # "3 maj 2026 kl. 18:30"
    text = text.str.replace(_DOT_CLOCK, _colon_clock, regex=True)  # "03.05.2026 18.30"
    hour_only = text.str.extract(_BARE_CLOCK)["clock"].str.len() <= 2  # NaN: no bare clock
    text = text.str.replace(_BARE_CLOCK, _bare_clock, regex=True)  # "2026-05-03 18", "… 1830"
    text, end_of_day = midnight_of_24(text)  # "24:00" is 00:00 of the next day
    at = pd.Series(pd.NaT, index=text.index, dtype=f"datetime64[ns, {tz}]")
    flag = pd.Series(None, index=text.index, dtype=object)
    has_offset = text.str.contains(_HAS_OFFSET, na=False) & text.str.contains(_HAS_TIME, na=False)
    iso = text.str.match(_YEAR_FIRST, na=False)
    order = date_order(text[~iso])
    for mask, dayfirst in ((iso, False), (~iso, not order.month_first)):
        aware = mask & has_offset
        if aware.any():
            parsed = within_range(
                pd.to_datetime(
                    text[aware], errors="coerce", utc=True, format="mixed", dayfirst=dayfirst
                )
            )
            at[aware] = parsed.dt.tz_convert(tz)
        naive = mask & ~has_offset & (text != "")
        if naive.any():
            wall, offset = read_datetimes(text[naive], dayfirst=dayfirst)
            odd = offset.notna() & wall.notna()  # an offset form _HAS_OFFSET does not know
            if odd.any():
                utc = (wall[odd] - offset[odd]).dt.tz_localize("UTC")
                at[odd[odd].index] = utc.dt.tz_convert(tz)
                naive[odd[odd].index] = False
            parsed = wall[~odd]
            strict = parsed.dt.tz_localize(tz, nonexistent="NaT", ambiguous="NaT")
            gap = strict.isna() & parsed.notna()
            if gap.any():
                shifted = parsed[gap].dt.tz_localize(
                    tz, nonexistent="shift_forward", ambiguous=np.ones(int(gap.sum()), dtype=bool)
                )
                is_gap = (
                    parsed[gap]
                    .dt.tz_localize(
                        tz, nonexistent="NaT", ambiguous=np.ones(int(gap.sum()), dtype=bool)
                    )
                    .isna()
                )
                flag[gap[gap].index] = np.where(is_gap, "dst_gap", "dst_ambiguous")
                strict[gap] = shifted
            at[naive] = strict
    if end_of_day.any():
        at[end_of_day] = at[end_of_day] + pd.DateOffset(days=1)
    precision = pd.Series(
        np.where(
            hour_only, "hour", np.where(text.str.contains(_HAS_TIME, na=False), "exact", "day")
        ),
        index=text.index,
    )
    return ParsedTimes(at, precision, flag, order)
