"""The time a set of events covers, and the whole months (or weeks) inside it.

A store or a file holds events from some day to some other day; before and after, it holds
nothing, not for want of events but for want of data. A month cut by either end (the store
imported to the 22nd, a file that begins on the 20th) would count as a month with few events,
and a month outside them (January, when the last import ended in December) as a month with
none. Analyses that step through months (emerging hot spots, trends, the simulated ceiling)
therefore use only the months the data cover whole.

The data's ends are read from the events themselves: the first event's day and the last
event's day, widened by the gap a file of this density leaves at an end by chance less often
than once in a hundred (``ln 100 / r`` days at ``r`` events a day: a few hours for a city's
crimes, two days for the Lekeberg store).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo import settings

__all__ = ["covered_span", "local_time", "whole_steps"]


def local_time(t: pd.Timestamp) -> pd.Timestamp:
    """Return a time as naive local wall-clock time (a naive one is taken as local already)."""
    ts = pd.Timestamp(t)
    if ts.tzinfo is not None:
        ts = ts.tz_convert(settings.timezone).tz_localize(None)
    return ts


def covered_span(times: pd.Series, *, chance: float = 0.01) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Return the time the events cover: from their first day to the end of their last.

    Parameters
    ----------
    times
        Event times as wall-clock times (naive), at least one; missing ones are ignored.
    chance
        How rarely the data may be quiet that long at an end by chance.

    Returns
    -------
    tuple of pandas.Timestamp
        ``(start, end)``, naive, ``end`` exclusive: the first event's midnight and the
        midnight after the last event's day, each moved out by the chance gap.
    """
    t = pd.to_datetime(times).dropna()
    first, last = pd.Timestamp(t.min()).normalize(), pd.Timestamp(t.max()).normalize()
    days = max((last - first) / pd.Timedelta(days=1) + 1.0, 1.0)
    gap = pd.Timedelta(days=float(np.log(1 / chance)) / (len(t) / days))
    return first - gap, last + pd.Timedelta(days=1) + gap


def whole_steps(start: pd.Timestamp, end: pd.Timestamp, freq: str) -> pd.PeriodIndex:
    """Return the months (``"M"``) or ISO weeks (``"W"``) that lie wholly in ``[start, end)``.

    Parameters
    ----------
    start, end
        The time covered (naive wall-clock times), ``end`` exclusive.
    freq
        ``"M"`` or ``"W"`` (pandas' weeks run Monday to Sunday, as ISO weeks).

    Returns
    -------
    pandas.PeriodIndex
        Consecutive steps, oldest first; empty when no step fits.
    """
    first = pd.Period(start, freq)
    if first.start_time < start:
        first += 1
    last = pd.Period(end, freq) - 1  # the step holding ``end`` (or starting at it) is not whole
    if last < first:
        return pd.PeriodIndex([], freq=first.freq)
    return pd.period_range(first, last, freq=first.freq)
