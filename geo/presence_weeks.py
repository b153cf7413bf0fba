"""The police's weeks of presence: whether a week kept the promise, and whether any pass was logged.

The report's police table, the page Aktiviteter and the status of the presence line (X1)
say a week's ``Uppfyllt`` by these rules only.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

from geo.activity_words import STATUSES, WEEK_MET, WEEK_NOT_LOGGED, WEEK_NOT_MET
from geo.weeks import local_now, week_label


def week_verdict(
    week: str, *, met: bool, now: pd.Timestamp | None = None, logged: bool = True
) -> str:
    """Return whether a week kept the police's promise, as the report and the app say it.

    Parameters
    ----------
    week
        ``YYYY-Www``.
    met
        Whether its logged minutes reach the promise.
    now
        The day the verdict is told (default the clock): a week not met is
        :data:`geo.activity_words.WEEK_NOT_MET` only once it is over; the week holding ``now`` is
        still running (``STATUSES["running"]``) and a later one not begun
        (``STATUSES["not_begun"]``).
    logged
        Whether any pass is logged in the month's weeks (:func:`any_pass_logged`): when none is, a
        week over reads :data:`geo.activity_words.WEEK_NOT_LOGGED`, since nothing recorded is not a
        promise broken (a council member's review of a store without a patrol log).

    Returns
    -------
    str
        :data:`geo.activity_words.WEEK_MET`, :data:`geo.activity_words.WEEK_NOT_MET`,
        :data:`geo.activity_words.WEEK_NOT_LOGGED`, ``"pågår"`` or ``"ej påbörjad"``.
    """
    if met:
        return WEEK_MET
    current = week_label(local_now(now))
    if week == current:
        return STATUSES["running"]
    if week > current:  # labels sort in time order as text
        return STATUSES["not_begun"]
    return WEEK_NOT_MET if logged else WEEK_NOT_LOGGED


def any_pass_logged(weekly_minutes: pd.DataFrame, weeks: Sequence[str]) -> bool:
    """Tell whether any police minutes are logged in the given ISO weeks.

    Parameters
    ----------
    weekly_minutes
        :func:`geo.patrol_log.minutes_per_week` (``iso_week``, ``minutes``).
    weeks
        The month's ISO weeks (:func:`geo.months.iso_weeks_of_month`).

    Returns
    -------
    bool
        False when the weeks have no minutes at all and no pass logged as cancelled (its
        ``cancelled`` column, when there is one): a trip called off is a pass logged, and
        a week short of the promise then is not met rather than not recorded
        (:func:`week_verdict`'s ``logged``).
    """
    if not len(weekly_minutes):
        return False
    by_week = weekly_minutes.set_index("iso_week").reindex(list(weeks))
    called_off = by_week["cancelled"].fillna(0).sum() if "cancelled" in by_week else 0
    return bool(by_week["minutes"].fillna(0.0).sum() > 0 or called_off > 0)


def shown_minutes(minutes: float) -> int:
    """Return a week's minutes as said beside the promise: whole minutes, never rounded up.

    A pass logged to the second, 18:00:40–20:00:10, is 119.5 minutes: rounded, it read
    "120" beside the 120-minute promise and "nej" (the report) or met (the page Pass), so
    the minutes shown and the verdict disagreed. Whole minutes done, 119, agree with
    ``minutes >= promise`` for a whole-minute promise.

    Parameters
    ----------
    minutes
        The week's minutes (:func:`geo.patrol_log.minutes_per_week`).

    Returns
    -------
    int
        The whole minutes done.
    """
    return math.floor(float(minutes))
