"""The windows a trip can be made in, and the value of a stop in each."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import numpy.typing as npt

from geo.errors import DataError
from geo.model import THEMES
from geo.patrol.priorities import PlanSettings
from geo.patrol.profiles import FloatArray, as_profile


@dataclass(frozen=True)
class Windows:
    """The trip windows of a week: day, start hour and length."""

    day: npt.NDArray[np.int64]
    start_hour: npt.NDArray[np.int64]
    length_h: int

    @property
    def how(self) -> npt.NDArray[np.int64]:
        """Hour of the week each window starts."""
        return np.asarray(self.day * 24 + self.start_hour, dtype=np.int64)


def trip_windows(options: PlanSettings) -> Windows:
    """Return every window a trip can be made in (hourly starts inside the allowed hours).

    Parameters
    ----------
    options
        Plan settings (budget, allowed days and hours).

    Returns
    -------
    Windows
        Windows of ``ceil(budget / 60)`` hours (at most the allowed span).

    Raises
    ------
    DataError
        If the allowed hours are shorter than one stop.
    """
    start, end = options.allowed_hours
    length = min(math.ceil(options.budget_min / 60), end - start)
    if (end - start) * 60 < options.dwell_min:
        msg = f"Allowed hours {options.allowed_hours!r} leave no time for a stop; widen them."
        raise DataError(msg)
    days, starts = [], []
    for d in sorted(options.allowed_days):
        for h in range(start, end - length + 1):
            days.append(d)
            starts.append(h)
    return Windows(np.array(days, dtype=np.int64), np.array(starts, dtype=np.int64), length)


#: Local hour bands ``(start, end)`` a repeat is judged on: a place visited in one of them on a
#: weekday during the last weeks is avoided in that band and weekday (the bands of the marking
#: app's spots, :data:`geo.spots.TIME_BANDS`: natt, morgon, dag, eftermiddag, kväll, sen kväll).
HOUR_BANDS: tuple[tuple[int, int], ...] = ((0, 6), (6, 9), (9, 15), (15, 18), (18, 22), (22, 24))


def band_hours(hour_of_week: int) -> range:
    """Return the hours of the week in the same weekday and hour band as ``hour_of_week``.

    Parameters
    ----------
    hour_of_week
        ``day * 24 + hour`` (Monday 00:00 = 0).

    Returns
    -------
    range
        The band's hours of the week, e.g. Friday 18–22 for Friday 20:00 (``114..117``).
    """
    day, hour = divmod(int(hour_of_week) % 168, 24)
    start, end = next((a, b) for a, b in HOUR_BANDS if a <= hour < b)
    return range(day * 24 + start, day * 24 + end)


def window_shares(candidates: gpd.GeoDataFrame, windows: Windows) -> FloatArray:
    """Return the share of each candidate's hour-of-week profile inside each window.

    Parameters
    ----------
    candidates
        :func:`plan_candidates` (``how_profile``).
    windows
        :func:`trip_windows`.

    Returns
    -------
    numpy.ndarray
        ``(n candidates, n windows)`` shares in ``[0, 1]``.
    """
    n = len(candidates)
    prof = (
        np.vstack([as_profile(p) for p in candidates["how_profile"]]) if n else np.zeros((0, 168))
    )
    cum = np.concatenate([np.zeros((n, 1)), np.cumsum(prof, axis=1)], axis=1)
    how = windows.how
    return np.asarray(cum[:, how + windows.length_h] - cum[:, how])


def busy_windows(shares: FloatArray, *, busy_share: float) -> npt.NDArray[np.bool_]:
    """Return which windows are among each candidate's busy hours.

    A window is busy for a candidate when it holds at least ``busy_share`` of the share its
    best allowed window holds (0.5: the windows above half the peak). A stop is only planned
    in a busy window, so a trip's time suits each of its stops, not only the best of them.

    Parameters
    ----------
    shares
        :func:`window_shares`.
    busy_share
        Share of the peak window's share a busy window needs, in ``[0, 1]``.

    Returns
    -------
    numpy.ndarray
        Boolean ``(n candidates, n windows)``; every window of a flat profile is busy.
    """
    peak = shares.max(axis=1, keepdims=True) if shares.size else shares
    return np.asarray(shares >= busy_share * peak - 1e-12)


def stop_values(
    candidates: gpd.GeoDataFrame,
    windows: Windows,
    *,
    options: PlanSettings,
    avoid: Iterable[tuple[str, int]] | None = None,
) -> FloatArray:
    """Return the value of a stop at each candidate in each window (0 outside its busy hours).

    Parameters
    ----------
    candidates
        :func:`plan_candidates`.
    windows
        :func:`trip_windows`.
    options
        Plan settings (theme priorities, dwell, last week's factor).
    avoid
        ``(candidate_id, hour of week)`` of each stop of the last weeks' plans (see
        :func:`geo.patrol.plan.recent_visits`); a window overlapping that weekday and hour
        band (:func:`band_hours`) at that candidate keeps ``options.last_week_factor`` of its
        value, once per such stop: a place planned in that band in three of the last weeks
        keeps ``last_week_factor ** 3``, so the least recently used bands come first.

    Returns
    -------
    numpy.ndarray
        ``(n candidates, n windows)``: priority-weighted expected events during one stop,
        i.e. ``sum_t priority_t * risk_t`` × the share of the week's risk in the window's
        hours × ``dwell / window length``; 0 in a window that is not among the candidate's
        busy hours (:func:`busy_windows` with ``options.busy_share``).
    """
    prio = np.array([options.theme_priority.get(t, 0.5) for t in THEMES])
    risk = candidates[[f"risk_{t}" for t in THEMES]].to_numpy(dtype=float)
    rate = risk @ prio
    how = windows.how
    share = window_shares(candidates, windows)
    share = np.where(busy_windows(share, busy_share=options.busy_share), share, 0.0)
    values = rate[:, None] * share * options.dwell_min / (windows.length_h * 60.0)
    ids = list(candidates["candidate_id"])
    for cid, hour in avoid or ():
        if cid in ids:
            band = band_hours(hour)
            covered = (how < band.stop) & (band.start < how + windows.length_h)
            values[ids.index(cid), covered] *= options.last_week_factor
    return np.asarray(np.maximum(values, 0.0))
