"""A place's season: how much of a cell's events fall in the weeks of the year ahead.

The default forecast (:func:`geo.forecast.predict_counts`, ``blend``) weighs recent and
long-run counts with one set of weights for the whole area. A place busy in one season only
(a bathing site, busy June–August and empty from October to April) is then forecast from its
summer for months after: in December the kommun's bathing sites held 1.5 of the week's 11
expected events, where none had happened outside May–September. This module measures, per
cell, the share of its past events in the same weeks of earlier years against the share a cell
without a season would have, and the forecast moves its expected events between cells by that
factor (its total stays). How much a cell's own season is trusted (a gamma prior of ``shrink``
events toward the area's) is chosen on the forecast's own inner origins, and no factor at all
when none helps there, so a city without places of their own season is left as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

FloatArray = npt.NDArray[np.float64]

#: Days on either side of the target's weeks, in each earlier year, counted as its season.
SEASON_WINDOW_D = 28.0
#: Prior weights (in expected events) of the area's season in a cell's, tried in turn.
SEASON_SHRINK: tuple[float, ...] = (1.0, 3.0, 10.0, 30.0)
#: Log-likelihood (nats) a place's season must gain on the inner origins to be used: Akaike's
#: price of the one parameter chosen (the trust). With none, a city without places of their
#: own season lost 0.03–0.07 nats a week to chance choices; with it, none (docs/evaluation.md).
SEASON_MIN_GAIN = 1.0
#: Days in a "year" of the season windows: 52 weeks, so the windows keep their weekdays.
YEAR_D = 364.0


@dataclass(frozen=True)
class SeasonCounts:
    """A cell's events in the season windows and in all its history, smoothed.

    Attributes
    ----------
    in_season
        Events per cell in the windows of earlier years (smoothed).
    expected
        What a cell without a season of its own would have had in those windows: its events
        over the whole history × the windows' share of the history's days (smoothed).
    area_factor
        The area's own ratio of the two (all cells): above 1 in the area's busy season.
    """

    in_season: FloatArray
    expected: FloatArray
    area_factor: float

    def factor(self, shrink: float) -> FloatArray:
        """Return each cell's season relative to the area's (1 = the area's season).

        Parameters
        ----------
        shrink
            Prior weight of the area's season, in expected events: a cell with far fewer
            expected events in the windows keeps about the area's season.

        Returns
        -------
        numpy.ndarray
            Posterior mean of the cell's ratio (gamma–Poisson) divided by the area's.
        """
        g = self.area_factor
        return np.asarray((self.in_season + shrink * g) / (self.expected + shrink) / g)


def season_counts(
    pos: npt.NDArray[np.int64],
    t: npt.NDArray[np.datetime64],
    start: pd.Timestamp,
    origin: pd.Timestamp,
    n_cells: int,
    horizon_days: float,
    smooth: Callable[[FloatArray], FloatArray],
) -> SeasonCounts | None:
    """Count the events of the target's weeks in earlier years, per cell.

    Parameters
    ----------
    pos
        Each event's cell position (-1 outside the cells).
    t
        Event times, naive local time; only those in ``[start, origin)`` count.
    start, origin
        The history: the target period begins at ``origin``.
    n_cells
        Number of cells.
    horizon_days
        Length of the target period.
    smooth
        Spatial smoothing of per-cell counts (a place often spans neighbouring cells).

    Returns
    -------
    SeasonCounts or None
        ``None`` when less than a year and a window lie behind ``origin``, or no event fell in
        the windows (no season to tell).
    """
    hist_days = (origin - start) / pd.Timedelta(days=1)
    if hist_days < YEAR_D + SEASON_WINDOW_D:
        return None
    sel = (pos >= 0) & (t >= np.datetime64(start)) & (t < np.datetime64(origin))
    p = pos[sel]
    age = np.asarray((np.datetime64(origin) - t[sel]) / np.timedelta64(1, "D"), dtype=float)
    in_season = np.zeros(n_cells)
    window_days = 0.0
    years = 1
    while (lo := years * YEAR_D - SEASON_WINDOW_D - horizon_days) < hist_days:
        hi = years * YEAR_D + SEASON_WINDOW_D
        in_window = (age > lo) & (age <= hi)
        in_season += np.bincount(p[in_window], minlength=n_cells)
        window_days += min(hi, hist_days) - lo
        years += 1
    every = np.bincount(p, minlength=n_cells).astype(float)
    share = window_days / hist_days
    if in_season.sum() <= 0 or every.sum() <= 0:
        return None
    return SeasonCounts(
        in_season=smooth(in_season),
        expected=smooth(every) * share,
        area_factor=float(in_season.sum() / (every.sum() * share)),
    )


def redistribute(expected: FloatArray, factor: FloatArray) -> FloatArray:
    """Move expected events between cells by their season factor, keeping the total.

    Parameters
    ----------
    expected
        Expected events per cell.
    factor
        :meth:`SeasonCounts.factor`.

    Returns
    -------
    numpy.ndarray
        ``expected × factor``, scaled to the same total.
    """
    moved = expected * factor
    total = float(moved.sum())
    return np.asarray(moved * (float(expected.sum()) / total) if total > 0 else expected)


def choose_shrink(
    fitted: Sequence[FloatArray],
    observed: Sequence[FloatArray],
    counts: Sequence[SeasonCounts],
    *,
    shrinks: Sequence[float] = SEASON_SHRINK,
    min_gain: float = SEASON_MIN_GAIN,
) -> float | None:
    """Choose how far to trust each cell's own season, on the forecast's inner origins.

    Parameters
    ----------
    fitted
        The forecast's expected counts per cell at each inner origin (positive).
    observed
        The events per cell in the horizon after each inner origin.
    counts
        :func:`season_counts` at each inner origin.
    shrinks
        Prior weights to try.
    min_gain
        Log-likelihood (nats) a redistribution must gain over leaving the forecast as it is.

    Returns
    -------
    float or None
        The prior weight whose redistribution gives the highest Poisson likelihood over the
        inner origins, or ``None`` when none gains ``min_gain`` over the forecast as it is.
    """

    def loglik(shrink: float | None) -> float:
        total = 0.0
        for mu, y, c in zip(fitted, observed, counts, strict=True):
            m = mu if shrink is None else redistribute(mu, c.factor(shrink))
            total += float(y @ np.log(m) - m.sum())
        return total

    best: float | None = None
    best_ll = loglik(None) + min_gain
    for shrink in shrinks:
        ll = loglik(shrink)
        if ll > best_ll:
            best, best_ll = shrink, ll
    return best
