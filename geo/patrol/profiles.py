"""Hour-of-week profiles: 168 shares (Monday 00:00 first) of a place's expected events."""

from __future__ import annotations

import json

import numpy as np
import numpy.typing as npt

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
