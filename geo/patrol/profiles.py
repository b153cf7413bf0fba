"""Hour-of-week profiles: 168 shares (Monday 00:00 first) of a place's expected events."""

from __future__ import annotations

import json

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import ndimage

from geo import settings

FloatArray = npt.NDArray[np.float64]

#: Hours in a week; a profile's index is ``day * 24 + hour`` (Monday 00:00 = 0).
HOURS_OF_WEEK = 168


def _flat() -> FloatArray:
    return np.full(HOURS_OF_WEEK, 1 / HOURS_OF_WEEK)


def as_profile(value: object) -> FloatArray:
    """Return a stored profile (168 numbers, or their JSON text) as shares summing to 1.

    Parameters
    ----------
    value
        A sequence or a JSON list of 168 non-negative numbers.

    Returns
    -------
    numpy.ndarray
        The shares; a flat profile when the value has the wrong length, a non-finite number
        or no weight at all.
    """
    if isinstance(value, str):
        value = json.loads(value)
    arr = np.asarray(value, dtype=float).ravel()
    if arr.size != HOURS_OF_WEEK or not np.isfinite(arr).all() or arr.sum() <= 0:
        return _flat()
    return np.asarray(arr / arr.sum())


def hours_profile(days: tuple[int, ...] | list[int], hours: tuple[int, int]) -> FloatArray:
    """Return an even profile over the given days (Monday = 0) and ``[start, end)`` hours.

    Parameters
    ----------
    days
        Days of the week, Monday = 0.
    hours
        Local ``(start, end)`` hours of each day.

    Returns
    -------
    numpy.ndarray
        The shares; flat when the days or hours are empty.
    """
    prof = np.zeros(HOURS_OF_WEEK)
    for d in days:
        prof[d * 24 + hours[0] : d * 24 + hours[1]] = 1.0
    return prof / prof.sum() if prof.sum() > 0 else _flat()


def weighted_profile(profiles: list[FloatArray], weights: FloatArray) -> FloatArray:
    """Return the weighted mean of profiles (a place's profile from its cells' profiles).

    Parameters
    ----------
    profiles
        Profiles of the parts (e.g. forecast cells).
    weights
        Weight of each part (e.g. its expected events in the week).

    Returns
    -------
    numpy.ndarray
        The shares; flat when there are no parts or no weight.
    """
    if not profiles or weights.sum() <= 0:
        return _flat()
    stack = np.vstack(profiles)
    out = (stack * weights[:, None]).sum(axis=0)
    return np.asarray(out / out.sum())


def spot_profile(days: list[int], bands: list[str]) -> FloatArray:
    """Return the profile of a kommun-marked spot: even over its weekdays and time bands.

    Parameters
    ----------
    days
        Days of the week the problem is seen, Monday = 0.
    bands
        Time-band keys of :data:`geo.spots.TIME_BANDS`; none or unknown ones mean all day.

    Returns
    -------
    numpy.ndarray
        The shares.
    """
    from geo.spots import TIME_BANDS  # spots sits beside patrol; only its vocabulary is used

    hours = [(TIME_BANDS[b].start_hour, TIME_BANDS[b].end_hour) for b in bands if b in TIME_BANDS]
    prof = np.zeros(HOURS_OF_WEEK)
    for d in days:
        for start, end in hours or [(0, 24)]:
            prof[d * 24 + start : d * 24 + end] = 1.0
    return np.asarray(prof / prof.sum(), dtype=float)


def hour_of_week(times: pd.Series) -> npt.NDArray[np.int64]:
    """Return each time's hour of the week in :data:`geo.settings.timezone` (Monday 00 = 0).

    Parameters
    ----------
    times
        tz-aware times, none missing.

    Returns
    -------
    numpy.ndarray
        Integers 0–167, aligned with ``times``.
    """
    local = pd.to_datetime(times).dt.tz_convert(settings.timezone)
    return np.asarray((local.dt.day_of_week * 24 + local.dt.hour).to_numpy(), dtype=np.int64)


def events_profile(times: pd.Series, *, prior: FloatArray, prior_events: float) -> FloatArray:
    """Return the hour-of-week profile of some events, shrunk toward a prior profile.

    The hours are smoothed over ±1.5 h around the week (an event at 21:40 says something of
    22:00 too), then weighted against ``prior`` as if it were ``prior_events`` more events:
    a road with 7 speeding events in a year keeps much of the area's traffic hours.

    Parameters
    ----------
    times
        The events' times (tz-aware); read in :data:`geo.settings.timezone`.
    prior
        The profile the events are shrunk toward (e.g. all the area's events of that kind).
    prior_events
        Weight of ``prior``, in events.

    Returns
    -------
    numpy.ndarray
        The shares; ``prior`` when there are no events.
    """
    t = pd.to_datetime(times).dropna()
    if t.empty:
        return as_profile(prior)
    counts = np.bincount(hour_of_week(t), minlength=HOURS_OF_WEEK).astype(float)
    smooth = ndimage.gaussian_filter1d(counts, 1.5, mode="wrap")
    smooth *= counts.sum() / smooth.sum()
    return as_profile(smooth + prior_events * as_profile(prior))
