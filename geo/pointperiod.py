"""The months of a point file: a period given as FROM:TO, or the file's main period found."""

from __future__ import annotations

import re

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.stats import poisson

from geo.errors import DataError

#: A month at either end of the file with fewer events than this share of a typical month
#: lies outside the file's main period: events dated years back in a year's export (reported
#: late, or a typo), the months before it that hold only complaints reported in it (a few
#: per cent of a month each in NYPD-style exports), or a stray event dated after the export.
MIN_MONTH_SHARE = 0.15
#: Filled months farther apart than this belong to separate periods of a file.
MAX_GAP_MONTHS = 12
#: The main period never leaves out more than this share of the events: a file whose thin
#: ends hold more (one month with most of the events, say) is kept whole.
MAX_OUTSIDE_SHARE = 0.05


def parse_period(text: str) -> tuple[pd.Period | None, pd.Period | None]:
    """Read ``"FROM:TO"`` in months (``"2019-01:2019-12"``, ``"2019-03:"``, ``":2019-12"``).

    Parameters
    ----------
    text
        The period as the user wrote it (``--period``).

    Returns
    -------
    tuple
        The first and the last month (:class:`pandas.Period`), ``None`` for an open side.

    Raises
    ------
    DataError
        If it is not two ``YYYY-MM`` months (either may be left out), the first not after
        the second.
    """
    start, sep, end = text.partition(":")
    months: list[pd.Period | None] = []
    for part in (start.strip(), end.strip()):
        if not part:
            months.append(None)
        elif re.fullmatch(r"\d{4}-\d{2}", part) and 1 <= int(part[5:]) <= 12:
            months.append(pd.Period(part, freq="M"))
        else:
            msg = (
                f"Period {text!r}: {part!r} is not a month; write FROM:TO as YYYY-MM:YYYY-MM, "
                "e.g. 2019-01:2019-12 (either side may be left out)."
            )
            raise DataError(msg)
    first, last = months
    if not sep or (first is not None and last is not None and first > last):
        msg = (
            f"Period {text!r} must be FROM:TO in months with FROM not after TO, "
            "e.g. 2019-01:2019-12."
        )
        raise DataError(msg)
    return first, last


def main_period(
    months: pd.PeriodIndex, share: float = MIN_MONTH_SHARE
) -> tuple[pd.Period, pd.Period]:
    """Return the first and last month of a file's main period.

    A month is *filled* when it holds at least ``share`` × the events of a typical month:
    the month the median event falls in (weighted by events, so that years of thinly spread
    late reports do not make the typical month a thin one). The main period runs from the
    first to the last filled month; thin months inside it (an outage) are kept. Where filled
    months lie more than :data:`MAX_GAP_MONTHS` apart the file holds separate periods, and
    the one with the most events is the main one. If that would leave out more than
    :data:`MAX_OUTSIDE_SHARE` of the events (a seasonal file's quiet months, a month holding
    most of them), the thin months at either end are kept, except where they run on for more
    than :data:`MAX_GAP_MONTHS` months (late reports dated years back).

    Parameters
    ----------
    months
        The month of every event.
    share
        The share of a typical month's events a month needs to be filled.

    Returns
    -------
    tuple of pandas.Period
        The first and the last month of the main period.
    """
    return _main_of_filled(months, *filled_period(months, share))


def _main_of_filled(
    months: pd.PeriodIndex, first: pd.Period, last: pd.Period, left_out: float
) -> tuple[pd.Period, pd.Period]:
    """Apply :func:`main_period`'s 5 % rule to the filled months of :func:`filled_period`."""
    if left_out <= MAX_OUTSIDE_SHARE:
        return first, last
    # too much to leave out: keep the thin months too, unless they run on for over a year
    # (complaints dated years back in a year's export)
    before = first.ordinal - months.min().ordinal
    after = months.max().ordinal - last.ordinal
    return (
        first if before > MAX_GAP_MONTHS else months.min(),
        last if after > MAX_GAP_MONTHS else months.max(),
    )


def filled_period(
    months: pd.PeriodIndex, share: float = MIN_MONTH_SHARE
) -> tuple[pd.Period, pd.Period, float]:
    """Return the filled months of :func:`main_period` before its 5 % rule, and what they leave out.

    Parameters
    ----------
    months
        The month of every event.
    share
        The share of a typical month's events a month needs to be filled.

    Returns
    -------
    tuple
        The first and the last filled month of the largest block, and the share of the
        events outside them.
    """
    counts = pd.Series(1, index=months).groupby(level=0).sum().sort_index()
    n = counts.to_numpy()
    ordinal = pd.PeriodIndex(counts.index).asi8  # months since 1970-01
    filled = np.flatnonzero(n >= share * float(np.median(np.repeat(n, n))))
    blocks = np.split(filled, np.flatnonzero(np.diff(ordinal[filled]) > MAX_GAP_MONTHS) + 1)
    best = max(blocks, key=lambda b: int(n[b[0] : b[-1] + 1].sum()))
    left_out = 1.0 - float(n[best[0] : best[-1] + 1].sum()) / float(n.sum())
    return counts.index[best[0]], counts.index[best[-1]], left_out


def outside_period(
    months: pd.PeriodIndex,
    dropped: npt.NDArray[np.bool_],
    wanted: tuple[pd.Period | None, pd.Period | None] | None,
) -> tuple[npt.NDArray[np.bool_], str, str]:
    """Mark the events (not yet ``dropped``) outside the wanted or the main period.

    Returns the mask, the months kept as ``"FROM:TO"`` (empty if none is left) and a warning
    for the user (``""`` if none): the thin months kept at the ends and the ``--period``
    that would leave them out.
    """
    candidates = months[~dropped]
    if candidates.empty:
        return np.zeros(len(months), dtype=bool), "", ""
    note = ""
    if wanted is None:
        thin_first, thin_last, left_out = filled_period(candidates)
        first, last = _main_of_filled(candidates, thin_first, thin_last, left_out)
        if (thin_first, thin_last) != (first, last):
            note = (
                f"period {first}–{last} used: its months outside {thin_first}–{thin_last} hold "
                f"under {round(100 * MIN_MONTH_SHARE)} % of a typical month each but "
                f"{100 * left_out:.0f} % of the events together; --period "
                f"{thin_first}:{thin_last} leaves them out"
            )
    else:
        first = wanted[0] if wanted[0] is not None else candidates.min()
        last = wanted[1] if wanted[1] is not None else candidates.max()
    outside = ((months < first) | (months > last)) & ~dropped
    return np.asarray(outside, dtype=bool), f"{first}:{last}", note


#: A month inside a file holding fewer than this share of a typical month's events, and
#: fewer than chance would leave once in :data:`MISSING_CHANCE`, is taken for missing data
#: (an outage, a force that did not submit): police.uk lacks months of some forces.
MISSING_SHARE = 0.1
#: How rarely chance leaves a month as thin as a missing one (Poisson, a typical month's rate).
MISSING_CHANCE = 0.001


def missing_months(times: pd.Series) -> list[pd.Period]:
    """Return the months inside the data that hold (almost) no events: missing data.

    A month from the first to the last month with events is missing when it holds fewer
    than :data:`MISSING_SHARE` × a typical month's events (the median month, empty months
    counted) and a Poisson count at that rate falls so low less often than
    :data:`MISSING_CHANCE`. Sparse data (a typical month of a few events) have none: an
    empty month is then what chance does.

    Parameters
    ----------
    times
        The events' times.

    Returns
    -------
    list of pandas.Period
        The missing months, in order.
    """
    t = pd.to_datetime(times).dropna()
    if t.empty:
        return []
    months = t.dt.to_period("M")
    every = pd.period_range(months.min(), months.max(), freq="M")
    counts = months.value_counts().reindex(every, fill_value=0)
    typical = float(np.median(counts.to_numpy()))
    chance = poisson.cdf(counts.to_numpy(), typical) if typical > 0 else np.ones(len(counts))
    thin = (counts.to_numpy() < MISSING_SHARE * typical) & (chance < MISSING_CHANCE)
    return [p for p, low in zip(every, thin, strict=True) if low]


#: Events a month of the span must average before its empty months are remarked on: at this
#: rate chance leaves a month empty 5 % of the time (Poisson), not most months.
EMPTY_MONTHS_MIN_RATE = 3.0


def empty_months_note(times: pd.Series, time_format: str) -> str:
    """Say when most months from the first event to the last are empty, which chance would fill.

    Dates read in the wrong day/month order land so: a monthly file written day-first
    (``01/03/2019``) read month-first puts every event in January.

    Parameters
    ----------
    times
        The events' times (those used).
    time_format
        How the dates were read, named in the note.

    Returns
    -------
    str
        The warning, or ``""`` when at most half the months are empty or the events
        average fewer than :data:`EMPTY_MONTHS_MIN_RATE` a month.
    """
    months = pd.to_datetime(times).dropna().dt.to_period("M")
    if months.empty:
        return ""
    n_months = months.max().ordinal - months.min().ordinal + 1
    empty = n_months - months.nunique()
    if empty <= n_months / 2 or len(months) < EMPTY_MONTHS_MIN_RATE * n_months:
        return ""
    busiest = months.dt.month.value_counts()
    top = (
        f"; {busiest.iloc[0] / len(months):.0%} of them in "
        f"{pd.Timestamp(2000, int(busiest.index[0]), 1):%B}"
    )
    return (
        f"{empty} of the {n_months} months {months.min()}–{months.max()} hold no event, "
        f"though the {len(months):,} events would fill nearly every month by chance{top}: "
        f"check that the dates were read in the right day/month order (read as "
        f"{time_format!r}; a monthly file writes 01/03/2019 for March)"
    )
