"""The controls the patrol log holds in a month, as the activity plan and the report count them.

A plan line with ``patrol_controls`` and the report's table of controls read the same rows
by the same rule (:func:`geo.patrol_log_fields.control_types`), so they cannot disagree. A
row stored before a cross-check of its counts came may break it
(:func:`broken_bounds`): the report sums neither of its two counts
(:func:`without_broken_counts`) and says so.
"""

from __future__ import annotations

from typing import NamedTuple

import pandas as pd

from geo.months import month_bounds
from geo.patrol_log_fields import (
    CONTROL_COUNTS,
    CountBound,
    control_types,
    count_conflicts,
    done_passes,
)


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


def broken_bounds(patrol_log: pd.DataFrame) -> pd.Series:
    """Return, per row of the patrol log, the cross-checks its counts break.

    The import and the page Pass refuse counts that cannot all be true
    (:func:`geo.patrol_log_fields.count_conflicts`: no more blåsta than kontrollerade); a
    row stored before that rule came may break it, and is kept as it is.

    Parameters
    ----------
    patrol_log
        From :func:`geo.patrol_log.read_log` (counts float, NaN when not given); a frame
        without count columns breaks nothing.

    Returns
    -------
    pandas.Series
        A tuple of :class:`~geo.patrol_log_fields.CountBound` per row (index as
        ``patrol_log``'s), empty for a row whose counts agree.
    """
    given = [f for f in CONTROL_COUNTS if f in patrol_log.columns]
    counts = patrol_log[given].apply(pd.to_numeric, errors="coerce")
    return pd.Series(
        [
            tuple(count_conflicts({f: None if pd.isna(n) else int(n) for f, n in row.items()}))
            for _, row in counts.iterrows()
        ],
        index=patrol_log.index,
        dtype=object,
    )


def without_broken_counts(patrol_log: pd.DataFrame) -> pd.DataFrame:
    """Return the patrol log with both counts of each bound a row breaks emptied (NaN).

    One of the two is wrong and which one is not known (more blåsta than kontrollerade:
    too many blåsta, or too few kontrollerade), so a sum holds neither until the pass is
    set right; the row's other counts, minutes and places stay. The store is not changed.

    Parameters
    ----------
    patrol_log
        As for :func:`broken_bounds`.

    Returns
    -------
    pandas.DataFrame
        A copy (the same rows).
    """
    out = patrol_log.copy()
    for i, bounds in broken_bounds(patrol_log).items():
        for bound in bounds:
            out.loc[i, list(bound.fields)] = float("nan")
    return out


class BrokenPass(NamedTuple):
    """A control whose counts break a cross-check: when it started, and where it is set right.

    Attributes
    ----------
    start
        The pass's start.
    from_app
        Logged on the page Pass (set right there by its author), else read from a file (set
        right in the file's row, imported again: :func:`geo.patrol_log.import_log` corrects it).
    """

    start: pd.Timestamp
    from_app: bool


def broken_controls_in_month(
    patrol_log: pd.DataFrame, *, month: str
) -> dict[CountBound, list[BrokenPass]]:
    """Return the month's controls whose counts break each cross-check.

    Parameters
    ----------
    patrol_log
        As for :func:`patrol_controls_in_month`, with ``from_app``
        (:func:`geo.patrol_log.read_log`; without it, every pass is taken as a file's).
    month
        ``YYYY-MM`` (Europe/Stockholm).

    Returns
    -------
    dict
        Bound → the passes (done, naming a control) that break it, by start; only bounds
        broken.
    """
    kinds = patrol_controls_in_month(patrol_log, month=month)
    controls = patrol_log.loc[kinds[kinds.map(len) > 0].index]
    from_app = controls["from_app"] if "from_app" in controls else [False] * len(controls)
    out: dict[CountBound, list[BrokenPass]] = {}
    for start, app, bounds in zip(
        controls["start"], from_app, broken_bounds(controls), strict=True
    ):
        for bound in bounds:
            out.setdefault(bound, []).append(BrokenPass(pd.Timestamp(start), bool(app)))
    return {bound: sorted(passes) for bound, passes in out.items()}
