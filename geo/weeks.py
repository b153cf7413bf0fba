"""ISO weeks, the unit of the patrol plan, the forecast and the patrol log.

A week is written ``YYYY-Www`` (``2026-W49``) and starts on Monday 00:00 Europe/Stockholm.
Labels sort in time order as text. The week of a date is its ISO week, so the last days of
December can belong to week 1 of the next year and the first days of January to week 52 or
53 of the year before.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from geo import settings
from geo.errors import DataError

__all__ = [
    "DAY_ABBR",
    "DAY_NAMES",
    "local_now",
    "parse_week",
    "shift_week",
    "week_label",
    "week_labels",
    "week_monday",
    "week_range",
]

#: Swedish weekday names, Monday first (``Timestamp.day_of_week`` indexes them).
DAY_NAMES = ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag")
#: Their three-letter forms, as the maps and tables write them.
DAY_ABBR = tuple(name[:3] for name in DAY_NAMES)


def local_now(now: pd.Timestamp | None = None) -> pd.Timestamp:
    """Return ``now`` in local time (``settings.timezone``); default the clock.

    Parameters
    ----------
    now
        A time; a naive one is read as local time.

    Returns
    -------
    pandas.Timestamp
        tz-aware, in ``settings.timezone``.
    """
    if now is None:
        return pd.Timestamp.now(tz=settings.timezone)
    ts = pd.Timestamp(now)
    if ts.tzinfo is None:
        return ts.tz_localize(settings.timezone)
    return ts.tz_convert(settings.timezone)


#: The years a week or a month may be in (:func:`parse_week`, :func:`geo.months.parse_month`):
#: the follow-up's timestamps hold 1677–2262 (pandas), and a page steps a week or a month
#: either way. "0001-W01", an address with its year's digits lost, is none.
YEARS = range(1900, 2200)


def parse_week(week: str) -> tuple[int, int]:
    """Return ``(year, week)`` of an ISO week written ``YYYY-Www``.

    Parameters
    ----------
    week
        ISO week, e.g. ``"2026-W49"`` (``"2026-W9"`` is read as week 9).

    Returns
    -------
    tuple of int
        ISO year and week number.

    Raises
    ------
    DataError
        If ``week`` is not an ISO week (say ``2026-W54``, or a date), or not in :data:`YEARS`.
    """
    try:
        year_s, num_s = week.strip().split("-W")
        if not (len(year_s) == 4 and year_s.isdigit() and num_s.isdigit() and len(num_s) <= 2):
            raise ValueError(week)
        year, num = int(year_s), int(num_s)
        if year not in YEARS:
            raise ValueError(week)
        dt.date.fromisocalendar(year, num, 1)
    except ValueError as e:
        msg = f"Week {week!r} is not an ISO week; write it like '2026-W49'."
        raise DataError(msg) from e
    return year, num


def week_monday(week: str) -> pd.Timestamp:
    """Return Monday 00:00 (Europe/Stockholm) of an ISO week.

    Parameters
    ----------
    week
        ISO week, ``YYYY-Www``.

    Returns
    -------
    pandas.Timestamp
        tz-aware start of the week.

    Raises
    ------
    DataError
        If ``week`` is not an ISO week.
    """
    year, num = parse_week(week)
    return pd.Timestamp(dt.date.fromisocalendar(year, num, 1)).tz_localize(settings.timezone)


def week_label(day: dt.date | pd.Timestamp) -> str:
    """Return the ISO week of a date (or timestamp, in its own time zone) as ``YYYY-Www``."""
    iso = day.isocalendar()
    return f"{iso[0]}-W{iso[1]:02d}"


def week_labels(times: pd.Series) -> pd.Series:
    """Return the ISO week of every timestamp of a series as ``YYYY-Www`` (aligned, same index)."""
    iso = times.dt.isocalendar()
    labels: pd.Series = (
        iso["year"].astype(str) + "-W" + iso["week"].astype(int).map("{:02d}".format)
    )
    return labels


def shift_week(week: str, weeks: int) -> str:
    """Return the ISO week ``weeks`` after ``week`` (negative: before)."""
    year, num = parse_week(week)
    return week_label(dt.date.fromisocalendar(year, num, 1) + dt.timedelta(weeks=weeks))


def week_range(first: str, last: str) -> list[str]:
    """Return every ISO week from ``first`` to ``last``, both included ."""
    (y0, w0), (y1, w1) = parse_week(first), parse_week(last)
    start, end = dt.date.fromisocalendar(y0, w0, 1), dt.date.fromisocalendar(y1, w1, 1)
    return [week_label(start + dt.timedelta(weeks=i)) for i in range((end - start).days // 7 + 1)]


def week_sentence(week: str, why: str) -> str:
    """Say which week a plan is for, its days and why that week, in Swedish.

    Parameters
    ----------
    week
        ISO week, ``YYYY-Www``.
    why
        Why this week (:func:`geo.patrol.week_to_plan`).

    Returns
    -------
    str
        E.g. "Planerad vecka: 49 (2026-11-30 – 2026-12-06), innevarande vecka: …".
    """
    monday = week_monday(week)
    sunday = monday + pd.Timedelta(days=6)
    return f"Planerad vecka: {parse_week(week)[1]} ({monday:%Y-%m-%d} – {sunday:%Y-%m-%d}), {why}"
