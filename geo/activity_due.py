"""What a plan line asks of each executor in a month, and how much of it is due by a day.

A weekly line is planned ``times`` per ISO week of the month and runs those weeks; a
monthly line runs the calendar month. Before its month is over only what is due so far
can be missed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from geo.activity_plan import season_text
from geo.activity_words import count_text
from geo.months import iso_weeks_of_month, month_bounds, parse_month
from geo.weeks import shift_week, week_monday


def planned_times(line: Mapping[str, Any], *, month: str) -> int:
    """Return how many times a plan line is planned per executor in a month.

    Parameters
    ----------
    line
        A row of :func:`geo.activity_plan.load_plan`.
    month
        ``YYYY-MM``.

    Returns
    -------
    int
        0 outside the line's months; ``times`` for monthly lines; ``times`` × the month's
        ISO weeks (:func:`geo.months.iso_weeks_of_month`) for weekly lines.
    """
    if parse_month(month).month not in line["months"]:
        return 0
    if line["frequency"] == "week":
        return int(line["times"]) * len(iso_weeks_of_month(month))
    return int(line["times"])


def line_unit(line: Mapping[str, Any]) -> str:
    """Return what a plan line's numbers count, a key of :data:`geo.activity_words.UNITS`.

    Parameters
    ----------
    line
        A row of :func:`geo.activity_plan.load_plan`.

    Returns
    -------
    str
        ``"weeks"`` for a line measured by the patrol log (weeks that met the promise),
        else ``"times"``.
    """
    return "weeks" if line["measured_by"] == "patrol_log" else "times"


def line_period(line: Mapping[str, Any], *, month: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Return when a plan line's month runs: its ISO weeks for a weekly line, else the month.

    Parameters
    ----------
    line
        A row of :func:`geo.activity_plan.load_plan`.
    month
        ``YYYY-MM``.

    Returns
    -------
    tuple of pandas.Timestamp
        ``(start, end)``, tz-aware (Europe/Stockholm). A weekly line runs from the Monday of
        the month's first ISO week (:func:`geo.months.iso_weeks_of_month`) to the Monday after its
        last, so December 2026 runs 30 November – 4 January; a monthly line runs the
        calendar month (:func:`geo.months.month_bounds`).
    """
    if line["frequency"] == "week":
        weeks = iso_weeks_of_month(month)
        return week_monday(weeks[0]), week_monday(shift_week(weeks[-1], 1))
    return month_bounds(month)


@dataclass(frozen=True)
class Due:
    """What a plan line asks of each executor in a month, and how much of it is due by a day.

    Attributes
    ----------
    planned
        Times planned in the whole month (:func:`planned_times`).
    due
        Of those, the times due by the day: all once the line's month is over; before, for
        a weekly line ``times`` per ISO week that is over, for a monthly line none.
    begun, over
        Whether the line's month (:func:`line_period`) has begun, and is over, on the day.
    label
        ``planned`` as the report shows it, with its unit (:func:`line_unit`): once the
        month is over the count, ``"2 gånger"``, ``"4 gånger (1 per vecka)"`` or ``"5
        veckor"`` (the presence line); before, what is due so far, ``"6 av 8 gånger
        hittills (2 per vecka)"``, ``"3 av 4 veckor hittills"`` or ``"2 gånger till
        månadens slut"``; outside the line's months ``"inget (planeras maj–september)"``.
    """

    planned: int
    due: int
    begun: bool
    over: bool
    label: str


def due_by(line: Mapping[str, Any], *, month: str, now: pd.Timestamp) -> Due:
    """Return what a plan line asks of each executor in a month, and how much is due by ``now``.

    Parameters
    ----------
    line
        A row of :func:`geo.activity_plan.load_plan`.
    month
        ``YYYY-MM``.
    now
        The day the status is told (tz-aware).

    Returns
    -------
    Due
        The planned and due times, and how the report says them.
    """
    planned = planned_times(line, month=month)
    start, end = line_period(line, month=month)
    begun, over = bool(now >= start), bool(now >= end)
    unit = line_unit(line)
    # a weekly line's count of times says its rhythm: "4 gånger" alone hid that it is weekly
    weekly_times = line["frequency"] == "week" and unit == "times"
    rhythm = f" ({line['times']} per vecka)" if weekly_times else ""
    if planned == 0:
        return Due(0, 0, begun, over, f"inget (planeras {season_text(line['months'])})")
    if over:
        return Due(planned, planned, begun, over, count_text(planned, unit) + rhythm)
    if line["frequency"] != "week":
        return Due(planned, 0, begun, over, f"{count_text(planned, unit)} till månadens slut")
    weeks = iso_weeks_of_month(month)
    ended = sum(bool(now >= week_monday(shift_week(w, 1))) for w in weeks)
    due = int(line["times"]) * ended
    return Due(planned, due, begun, over, f"{due} av {count_text(planned, unit)} hittills{rhythm}")
