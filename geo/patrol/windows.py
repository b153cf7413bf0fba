"""The windows a trip can be made in, and the value of a stop in each."""

from __future__ import annotations

import math
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


def stop_values(
    candidates: gpd.GeoDataFrame,
    windows: Windows,
    *,
    options: PlanSettings,
    avoid: set[tuple[str, int]] | None = None,
) -> FloatArray:
    """Return the value of a stop at each candidate in each window.

    Parameters
    ----------
    candidates
        :func:`plan_candidates`.
    windows
        :func:`trip_windows`.
    options
        Plan settings (theme priorities, dwell, last week's factor).
    avoid
        ``(candidate_id, hour of week)`` pairs of last week's plan; a window covering that
        hour at that candidate keeps ``options.last_week_factor`` of its value.

    Returns
    -------
    numpy.ndarray
        ``(n candidates, n windows)``: priority-weighted expected events during one stop,
        i.e. ``sum_t priority_t * risk_t`` × the share of the week's risk in the window's
        hours × ``dwell / window length``.
    """
    n = len(candidates)
    prio = np.array([options.theme_priority.get(t, 0.5) for t in THEMES])
    risk = candidates[[f"risk_{t}" for t in THEMES]].to_numpy(dtype=float)
    rate = risk @ prio
    prof = (
        np.vstack([as_profile(p) for p in candidates["how_profile"]]) if n else np.zeros((0, 168))
    )
    cum = np.concatenate([np.zeros((n, 1)), np.cumsum(prof, axis=1)], axis=1)
    how = windows.how
    share = cum[:, how + windows.length_h] - cum[:, how]
    values = rate[:, None] * share * options.dwell_min / (windows.length_h * 60.0)
    if avoid:
        ids = list(candidates["candidate_id"])
        for cid, hour in avoid:
            if cid in ids:
                covered = (how <= hour) & (hour < how + windows.length_h)
                values[ids.index(cid), covered] *= options.last_week_factor
    return np.asarray(np.maximum(values, 0.0))
