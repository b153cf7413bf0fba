"""The activity plan's status in a month: per line and executor, what was planned and done.

What was done is the activity log's count, for the police at least the patrol log's
controls of a line's types, and for the presence line the weeks that kept the promise; the
status says done, partly, not done or not recorded once the month is over, and before it
running, behind or not recorded yet (:data:`geo.activity_words.STATUSES`). The report, the
page Aktiviteter and ``geo activity status`` all tell it from :func:`activity_status`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from geo import settings
from geo.activity_due import Due, due_by, line_unit
from geo.activity_plan import EXECUTORS
from geo.activity_words import (
    OPEN_STATUSES,
    STATUSES,
    count_text,
    nothing_recorded_text,
)
from geo.months import iso_weeks_of_month, parse_month
from geo.patrol_log_controls import patrol_controls_in_month
from geo.presence_weeks import any_pass_logged

#: Columns of :func:`activity_status`.
STATUS_COLUMNS: tuple[str, ...] = (
    "activity_id",
    "theme",
    "section",
    "text",
    "executor",
    "executor_label",
    "planned",
    "due",
    "planned_label",
    "unit",
    "done",
    "status",
    "status_label",
)


def _status(due: Due, done: int, *, recorded: bool) -> str:
    if due.planned == 0:
        return "unplanned" if done > 0 else "not_planned"
    if done >= due.planned:
        return "done"
    if not due.over:  # not missed before its time is out, but maybe behind what is due
        if not due.begun and done == 0:
            return "not_begun"
        if done == 0 and not recorded:  # nothing entered is no shortfall, as once it is over
            return "not_logged_yet"
        return "behind" if done < due.due else "running"
    if done > 0:
        return "partly"
    return "not_done" if recorded else "not_logged"


def activity_status(
    plan: pd.DataFrame,
    log: pd.DataFrame,
    *,
    month: str,
    weekly_minutes: pd.DataFrame | None = None,
    patrol_log: pd.DataFrame | None = None,
    now: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Tell, per activity line and executor, what was planned and done in a month.

    Parameters
    ----------
    plan
        As :func:`geo.activity_plan.load_plan` returns it.
    log
        The activity log (:func:`geo.activity_log.read_activity_log`); rows of other months are
        ignored.
    month
        ``YYYY-MM``.
    weekly_minutes
        Police minutes per ISO week with a boolean ``met`` column (as
        :func:`geo.patrol_log.minutes_per_week` returns it) for the month's weeks; lines
        measured by the patrol log count the weeks met. ``None``: such lines count 0.
    patrol_log
        The patrol log (:func:`geo.patrol_log.read_log`). A line with ``patrol_controls`` counts,
        for the police, the log's rows of the month whose activity is one of those control types
        (:func:`geo.patrol_log_controls.control_type`, the same rule as the report's table of
        controls); when the activity log also has a number for it, the larger of the two counts,
        since the same controls are often written in both. ``None``: only the activity log counts.
    now
        The day the status is told (tz-aware; default the clock now). Before a line's month is over
        (:func:`geo.activity_due.line_period`) nothing is missed yet: a line not done yet is
        running, or not begun before its month begins.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`STATUS_COLUMNS`, one row per line and executor in plan order; ``planned``,
        ``due`` and ``planned_label`` as :func:`geo.activity_due.due_by` says; ``status`` is a key
        of :data:`geo.activity_words.STATUSES`: done when ``done >= planned`` (at once, even before
        the month is over), not planned outside the line's months (unplanned when something was done
        there all the same); ``unit`` (:func:`geo.activity_due.line_unit`) says what ``planned`` and
        ``done`` count; before the month is over running (not begun before it begins), or behind
        when what is recorded is less than is due by ``now`` (:class:`geo.activity_due.Due`), or not
        logged yet (``not_logged_yet``) when nothing is recorded for the executor; once it is over
        partly when some was done and not done when nothing, but not logged when nothing is recorded
        for the executor. Nothing recorded is, for a line of the activity log, no row of the month
        for the line and executor (a row of 0 times is not done, the executor's own word), nor for
        the police a control of the line's types in the patrol log; for a line counted from the
        patrol log no pass at all in the month's weeks (or ``weekly_minutes`` is ``None``), as the
        report's police table says of those weeks.
    """
    now = pd.Timestamp.now(tz=settings.timezone) if now is None else pd.Timestamp(now)
    key = str(parse_month(month))
    this = log[log["month"] == key] if len(log) else log
    done_by = (
        this.groupby(["activity_id", "executor"])["times"].sum().to_dict() if len(this) else {}
    )
    weeks_met = 0
    passes_logged = weekly_minutes is not None and any_pass_logged(
        weekly_minutes, iso_weeks_of_month(key)
    )
    if weekly_minutes is not None and len(weekly_minutes):
        wk = weekly_minutes[weekly_minutes["iso_week"].isin(iso_weeks_of_month(key))]
        weeks_met = int(wk["met"].astype(bool).sum())
    controls = (
        patrol_controls_in_month(patrol_log, month=key)
        if patrol_log is not None
        else pd.Series([], dtype=object)
    )
    rows = []
    for rec in plan.to_dict("records"):
        line = {str(k): v for k, v in rec.items()}
        due = due_by(line, month=key, now=now)
        for who in line["executors"]:
            if line["measured_by"] == "patrol_log":
                done, recorded = weeks_met, passes_logged
            else:
                recorded = (line["activity_id"], who) in done_by
                done = int(done_by.get((line["activity_id"], who), 0))
                kinds = list(line.get("patrol_controls") or ())
                if who == "polis" and kinds:
                    named = controls.map(lambda ks, kinds=kinds: bool(set(ks) & set(kinds)))
                    done = max(done, int(named.sum()))
            status = _status(due, done, recorded=recorded)
            rows.append(
                {
                    "activity_id": line["activity_id"],
                    "theme": line["theme"],
                    "section": line["section"],
                    "text": line["text"],
                    "executor": who,
                    "executor_label": EXECUTORS[who],
                    "planned": due.planned,
                    "due": due.due,
                    "planned_label": due.label,
                    "unit": line_unit(line),
                    "done": done,
                    "status": status,
                    "status_label": STATUSES[status],
                }
            )
    return pd.DataFrame(rows, columns=list(STATUS_COLUMNS))


def line_status(statuses: Sequence[str]) -> str:
    """Return the status of an activity line from the statuses of its executors.

    Every executor of a line is planned the same number of times, so when they agree the
    line has their status. When they do not, one has done more than another: outside the
    line's months the line is ``unplanned`` (something was done though nothing was
    planned); before the month is over the line is ``behind`` when one executor is, else
    ``running`` (nothing is missed yet; one executor ``not_logged_yet`` beside another
    that recorded is not "inget registrerat ännu" of the line, and its Genomfört says who,
    :attr:`LineStatus.done_label`); after it ``partly_logged`` when some executor
    recorded nothing (``not_logged``) while another did record (Polisen *genomförd*,
    Kommunen *ej registrerat*: neither *delvis* nor *genomförd* is known), else ``partly``
    (something was done but not everything).

    Parameters
    ----------
    statuses
        Keys of :data:`geo.activity_words.STATUSES`, one per executor (at least one).

    Returns
    -------
    str
        A key of :data:`geo.activity_words.STATUSES`.
    """
    kinds = set(statuses)
    if len(kinds) == 1:
        return next(iter(kinds))
    if kinds == {"unplanned", "not_planned"}:  # nothing was planned: not "delvis"
        return "unplanned"
    if "behind" in kinds:
        return "behind"
    if kinds & set(OPEN_STATUSES):
        return "running"
    return "partly_logged" if "not_logged" in kinds else "partly"


@dataclass(frozen=True)
class LineStatus:
    """An activity line's status in a month, its executors joined (:func:`status_by_line`).

    Attributes
    ----------
    activity_id, theme, section, text
        The plan line.
    planned
        Times planned per executor (the same for each).
    due
        Of those, the times due by the day the status is told (:class:`geo.activity_due.Due`).
    planned_label
        ``planned`` as the report shows it (:class:`geo.activity_due.Due`): ``"3 av 4 veckor
        hittills"`` before the month is over.
    unit
        What ``planned`` and ``done`` count, a key of :data:`geo.activity_words.UNITS`
        (:func:`geo.activity_due.line_unit`).
    executor_labels
        The executors, as shown (``"Polisen"``, ``"Kommunen"``), in the plan's order.
    done
        Times each executor did it, in the same order.
    executor_statuses
        Each executor's status (keys of :data:`geo.activity_words.STATUSES`), in the same order.
    status
        The line's status (:func:`line_status`).
    """

    activity_id: str
    theme: str
    section: str
    text: str
    planned: int
    due: int
    planned_label: str
    unit: str
    executor_labels: tuple[str, ...]
    done: tuple[int, ...]
    executor_statuses: tuple[str, ...]
    status: str

    @property
    def done_label(self) -> str:
        """What was done, with its unit: ``"1 gång"``; per executor when there are several.

        ``"Polisen 1 gång, Kommunen 0 gånger"``, no-break spaces keeping each executor's
        name, number and unit on one line. An executor that recorded nothing
        (``not_logged``) reads *ej registrerat* (``"Kommunen ej registrerat"``), not a 0 it
        never logged: "0 gånger" beside the status *ej registrerat* read as a 0 entered; in
        a month not over (``not_logged_yet``) :data:`geo.activity_words.NOTHING_LOGGED_YET`.
        """
        said = [
            nothing_recorded_text(s) or count_text(n, self.unit)
            for s, n in zip(self.executor_statuses, self.done, strict=True)
        ]
        if len(said) == 1:
            return said[0]
        pairs = zip(self.executor_labels, said, strict=True)
        return ", ".join(f"{who} {n}".replace(" ", "\u00a0") for who, n in pairs)

    @property
    def status_label(self) -> str:
        """The line's status in Swedish."""
        return STATUSES[self.status]

    @property
    def executor_status_labels(self) -> tuple[str, ...]:
        """Each executor's status in Swedish."""
        return tuple(STATUSES[s] for s in self.executor_statuses)


def status_by_line(status: pd.DataFrame) -> list[LineStatus]:
    """Join the rows of :func:`activity_status` into one per activity line.

    The report names an activity once, with its executors and what each did, so that a
    line carried out by the police and the kommun does not read as two activities.

    Parameters
    ----------
    status
        From :func:`activity_status` (one row per line and executor, in plan order).

    Returns
    -------
    list of LineStatus
        One per line, in plan order.
    """
    lines = []
    for _, rows in status.groupby("activity_id", sort=False):
        first = rows.iloc[0]
        kinds = tuple(str(k) for k in rows["status"])
        lines.append(
            LineStatus(
                activity_id=str(first["activity_id"]),
                theme=str(first["theme"]),
                section=str(first["section"]),
                text=str(first["text"]),
                planned=int(first["planned"]),
                due=int(first["due"]),
                planned_label=str(first["planned_label"]),
                unit=str(first["unit"]),
                executor_labels=tuple(str(w) for w in rows["executor_label"]),
                done=tuple(int(n) for n in rows["done"]),
                executor_statuses=kinds,
                status=line_status(kinds),
            )
        )
    return lines
