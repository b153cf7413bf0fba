"""The day a report or a status is told as at (``--as-of``): its end, its day, the rows before it.

A report made "as at" a day counts everything up to the midnight that ends it, and reads
the store as it stood then.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pandas as pd

from geo import settings
from geo.errors import DataError

_DAY_RE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")


def parse_day(day: str) -> date:
    """Parse a day written like ``"2026-11-20"`` (ISO 8601, year first, two-digit month and day).

    Parameters
    ----------
    day
        ``YYYY-MM-DD``; spaces around it are ignored.

    Returns
    -------
    datetime.date
        The day.

    Raises
    ------
    DataError
        If ``day`` is not written ``YYYY-MM-DD`` or is no day of the calendar (``2026-02-30``).
    """
    m = _DAY_RE.fullmatch(str(day).strip())
    try:
        if m is None:
            raise ValueError
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        msg = f"Day {day!r} is not a day; write it as YYYY-MM-DD, e.g. '2026-11-20'."
        raise DataError(msg) from None


def end_of_day(day: date) -> pd.Timestamp:
    """Return the instant a day ends in Europe/Stockholm: the midnight that begins the next day.

    A report made "as at the end of" a day counts everything that happened on it, and a
    week or month that ends with the day is over.

    Parameters
    ----------
    day
        The day.

    Returns
    -------
    pandas.Timestamp
        Tz-aware (``settings.timezone``).
    """
    return pd.Timestamp(day + timedelta(days=1)).tz_localize(settings.timezone)


def day_of(now: pd.Timestamp) -> date:
    """Return the day an instant belongs to as a report day: a midnight ends the day before.

    Parameters
    ----------
    now
        A tz-aware instant, e.g. :func:`end_of_day` or the clock.

    Returns
    -------
    datetime.date
        The local (``settings.timezone``) day of the last instant before ``now``, so that a
        report made at :func:`end_of_day` of a day says it was made that day.
    """
    local = pd.Timestamp(now).tz_convert(settings.timezone)
    return (local - pd.Timedelta(1, "ns")).date()


def rows_before(frame: pd.DataFrame, column: str, *, until: pd.Timestamp | None) -> pd.DataFrame:
    """Return the rows of a table whose time in ``column`` is before ``until``.

    Parameters
    ----------
    frame
        Any table with a time column (tz-aware timestamps, or ISO 8601 text with an offset).
    column
        The time column.
    until
        Tz-aware instant; ``None`` keeps every row.

    Returns
    -------
    pandas.DataFrame
        The rows kept, index and columns as in ``frame`` (a new frame).
    """
    if until is None or not len(frame):
        return frame.copy()
    times = pd.to_datetime(frame[column], utc=True, format="ISO8601")
    return frame[(times < pd.Timestamp(until)).to_numpy()].copy()
