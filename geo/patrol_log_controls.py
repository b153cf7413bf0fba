"""The controls the patrol log holds in a month, as the activity plan and the report count them.

A plan line with ``patrol_controls`` and the report's table of controls read the same rows
by the same rule (:func:`geo.patrol_log_fields.control_types`), so they cannot disagree.
"""

from __future__ import annotations

import pandas as pd

from geo.months import month_bounds
from geo.patrol_log_fields import control_types, done_passes


def control_type(activity_text: object) -> str | None:
    """Return the first control type an activity names, or ``None``.

    The types are read by :func:`geo.patrol_log_fields.control_types`.
    """
    kinds = control_types(activity_text)
    return kinds[0] if kinds else None


def patrol_controls_in_month(patrol_log: pd.DataFrame, *, month: str) -> pd.Series:
    """Return the control types of each patrol-log row that started in a month.

    Parameters
    ----------
    patrol_log
        From :func:`geo.patrol_log.read_log` (``start`` tz-aware, ``activity``).
    month
        ``YYYY-MM`` (Europe/Stockholm).

    Returns
    -------
    pandas.Series
        One value per row of the month (index as in ``patrol_log``): the keys of
        :data:`geo.patrol_log_fields.CONTROL_TYPES` it names
        (:func:`geo.patrol_log_fields.control_types`), empty for a row that is not a control. A pass
        logged as cancelled is no row of it (its control was not held).
    """
    patrol_log = done_passes(patrol_log)
    if not len(patrol_log):
        return pd.Series([], dtype=object)
    start, end = month_bounds(month)
    times = pd.to_datetime(patrol_log["start"])
    rows = patrol_log[((times >= start) & (times < end)).to_numpy()]
    return rows["activity"].map(control_types).astype(object)
