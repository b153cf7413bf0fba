"""A month's follow-up of the activity plan read from the store, as `geo activity status` tells it.

The CLI (``geo activity status``) and the marking app's page Aktiviteter both show this, so
that they cannot disagree: the activity log and the patrol log read as they stood at the
report day, the police minutes per ISO week of the month, and
:func:`geo.activity_status.activity_status` over them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from geo import activity_log, activity_status, months, patrol_log, reportday

if TYPE_CHECKING:
    from pathlib import Path

    import pandas as pd

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class MonthFollowup:
    """What the store says of the activity plan in one month.

    Attributes
    ----------
    month
        ``YYYY-MM``.
    status
        :func:`geo.activity_status.activity_status`: one row per line and executor, plan order.
    log
        The month's activity-log rows (:func:`geo.activity_log.read_activity_log`) logged before
        the report day.
    weekly_minutes
        Police minutes per ISO week of the month (:func:`geo.patrol_log.minutes_per_week`:
        ``iso_week``, ``minutes``, ``met``), what the presence line counts.
    """

    month: str
    status: pd.DataFrame
    log: pd.DataFrame
    weekly_minutes: pd.DataFrame


def month_followup(
    month: str,
    *,
    plan: pd.DataFrame,
    promise_min: int,
    store_path: Path | None = None,
    now: pd.Timestamp | None = None,
) -> MonthFollowup:
    """Read the activity log and the patrol log and tell each plan line's status in a month.

    Parameters
    ----------
    month
        ``YYYY-MM``.
    plan
        :func:`geo.activity_plan.load_plan`.
    promise_min
        Police minutes promised per ISO week (the löfte's 120).
    store_path
        The store; default :func:`geo.store.default_path`.
    now
        The report day (tz-aware); ``None``: the clock, and every row stored counts.
        Otherwise rows logged (or patrol visits started) from ``now`` on are left out.

    Returns
    -------
    MonthFollowup
        The status and what it was told from.
    """
    key = str(months.parse_month(month))
    visits = reportday.rows_before(patrol_log.read_log(store_path), "start", until=now)
    weeks = months.iso_weeks_of_month(key)
    minutes = patrol_log.minutes_per_week(
        visits, first_week=weeks[0], last_week=weeks[-1], promise_min=promise_min
    )
    log = reportday.rows_before(
        activity_log.read_activity_log(store_path, month=key), "logged_at", until=now
    )
    status = activity_status.activity_status(
        plan, log, month=key, weekly_minutes=minutes, patrol_log=visits, now=now
    )
    logger.debug("activity status %s: %d rows", key, len(status))
    return MonthFollowup(key, status, log, minutes)
