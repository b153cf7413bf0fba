"""Months as the activity plan and the monthly follow-up use them: ``YYYY-MM``, Swedish names.

A month is written ``YYYY-MM`` (``2026-11``) and runs from its first midnight to the next
month's, Europe/Stockholm; its ISO weeks are those whose Thursday falls in it.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pandas as pd

from geo import settings
from geo.errors import DataError
from geo.weeks import YEARS, local_now, week_label, week_monday

#: Swedish month names, January first.
MONTHS_SV: tuple[str, ...] = (
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
)

#: Their short forms as dates are written ("2–8 nov"), as :data:`geo.weeks.DAY_ABBR` is of days.
MONTH_ABBR: tuple[str, ...] = tuple(name[:3] for name in MONTHS_SV)

_MONTH_RE = re.compile(r"(\d{4})-(\d{2})")


def parse_month(month: str) -> pd.Period:
    """Parse a month written like ``"2026-11"``.

    Parameters
    ----------
    month
        ``YYYY-MM``.

    Returns
    -------
    pandas.Period
        The monthly period.

    Raises
    ------
    DataError
        If ``month`` is not a month, or not in a year of :data:`geo.weeks.YEARS`.
    """
    m = _MONTH_RE.fullmatch(str(month).strip())
    if not m or not 1 <= int(m.group(2)) <= 12 or int(m.group(1)) not in YEARS:
        msg = f"Month {month!r} is not a month; write it like '2026-11'."
        raise DataError(msg)
    return pd.Period(f"{m.group(1)}-{m.group(2)}", freq="M")


def month_bounds(month: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Return the first instant of a month and of the next one, tz-aware in Europe/Stockholm.

    Parameters
    ----------
    month
        ``YYYY-MM``.

    Returns
    -------
    tuple of pandas.Timestamp
        ``(start, end)``; a time ``t`` is in the month when ``start <= t < end``.
    """
    p = parse_month(month)
    start = pd.Timestamp(p.start_time.date()).tz_localize(settings.timezone)
    end = pd.Timestamp((p + 1).start_time.date()).tz_localize(settings.timezone)
    return start, end


def iso_weeks_of_month(month: str) -> list[str]:
    """Return the ISO weeks that belong to a month: those whose Thursday falls in it.

    Parameters
    ----------
    month
        ``YYYY-MM``.

    Returns
    -------
    list of str
        Weeks like ``"2026-W49"``, in order (four or five of them).
    """
    p = parse_month(month)
    day = p.start_time.date()
    day += timedelta(days=(3 - day.weekday()) % 7)  # the month's first Thursday
    weeks = []
    while day.month == p.month:
        weeks.append(week_label(day))
        day += timedelta(days=7)
    return weeks


def month_label(month: str) -> str:
    """Return a month in Swedish words, e.g. ``"november 2026"``.

    Parameters
    ----------
    month
        ``YYYY-MM``.

    Returns
    -------
    str
        The Swedish month name and the year.
    """
    p = parse_month(month)
    return f"{MONTHS_SV[p.month - 1]} {p.year}"


def today_month(now: pd.Timestamp | None = None) -> str:
    """Return the month of ``now`` (default the clock; Europe/Stockholm) as ``YYYY-MM``.

    Parameters
    ----------
    now
        A time; a naive one is read as local time.

    Returns
    -------
    str
        ``YYYY-MM``.
    """
    return local_now(now).strftime("%Y-%m")


def previous_month(month: str) -> str:
    """Return the month before ``month`` as ``YYYY-MM``."""
    return str(parse_month(month) - 1)


def week_days_label(week: str) -> str:
    """Return an ISO week's days as a reader says them, e.g. ``"2–8 nov"``, ``"30 nov–6 dec"``.

    A council member's review: "2026-W40" alone told nobody which days it was.

    Parameters
    ----------
    week
        ``YYYY-Www``.

    Returns
    -------
    str
        Monday to Sunday, the month's short name once when both are in one month.
    """
    monday = week_monday(week)
    sunday = monday + pd.Timedelta(days=6)
    name = [MONTH_ABBR[d.month - 1] for d in (monday, sunday)]
    if name[0] == name[1]:
        return f"{monday.day}–{sunday.day} {name[1]}"
    return f"{monday.day} {name[0]}–{sunday.day} {name[1]}"
