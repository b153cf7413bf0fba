"""The activity follow-up's words: statuses, units, and how a count of them is said.

The report, the page Aktiviteter and ``geo activity status`` say a line's status and what
was done of it in these words only, so that they cannot disagree.
"""

from __future__ import annotations

#: A week's ``Uppfyllt`` when its promised minutes are met, or not met once it is over; over with no
#: pass logged in any of the month's weeks, not recorded (:func:`geo.presence_weeks.week_verdict`).
WEEK_MET, WEEK_NOT_MET, WEEK_NOT_LOGGED = "ja", "nej", "ej registrerat"

#: What an executor did of a line in a month not over when it has recorded nothing yet
#: (``not_logged_yet``): its Genomfört and the focus say so, not a "0 gånger" it never entered.
NOTHING_LOGGED_YET = "inget registrerat ännu"

#: Status of an activity line in a month: id → Swedish label. Partly and not done are
#: said only once the line's month is over; before, a line not done yet is running (not
#: begun before the month begins), as the report's weeks of police presence are, or behind
#: when what is recorded is less than is due by the day (a weekly line whose weeks over were
#: not all met: "pågår" beside three missed weeks read as on track, a council member's
#: review; "efter plan" was tried and read as "according to plan"), or not logged yet when
#: nothing is recorded for it, as "ej registrerat" is said once the month is over.
STATUSES: dict[str, str] = {
    "done": "genomförd",
    "partly": "delvis",
    "not_done": "ej genomförd",
    "running": "pågår",
    "behind": "pågår, ligger efter",
    # nothing recorded yet in a month not over: "pågår, ligger efter" on a weekly line no one
    # had logged claimed a shortfall when the truth was only that nothing was entered
    "not_logged_yet": f"pågår, {NOTHING_LOGGED_YET}",
    "not_begun": "ej påbörjad",
    "not_planned": "ej planerad denna månad",
    # done in a month outside the line's months (a bathing-site line logged in November):
    # "genomförd" beside nothing planned read as the plan kept (a council member's review)
    "unplanned": "utförd utanför säsong",
    # a line counted from the patrol log (X1) whose month is over with no pass logged in any
    # of its weeks: the report's police table says "ej registrerat" of those weeks, and
    # "ej genomförd" beside it told the council the opposite (a council member's review)
    # nothing recorded for the executor in a month that is over: no row in the activity log
    # (a row of 0 times is "ej genomförd", said by the executor), or for the presence line no
    # pass in the patrol log; "ej genomförd" on nothing entered told the council that work
    # known only to be unrecorded was left undone (a council member's review)
    "not_logged": WEEK_NOT_LOGGED,
    # a line's status only (:func:`geo.activity_status.line_status`): some executor recorded nothing
    # and another did, so the line is neither "ej registrerat" nor known to be "delvis"
    "partly_logged": "delvis registrerat",
}

#: What a plan line's numbers count: key → Swedish (singular, plural). A line measured by
#: the patrol log counts ISO weeks that met the promise, every other line times it was
#: carried out ("Planerat 5" with no unit left a council member asking "5 what?").
UNITS: dict[str, tuple[str, str]] = {"times": ("gång", "gånger"), "weeks": ("vecka", "veckor")}

#: Statuses of a line whose month is not over on the day the status is told.
OPEN_STATUSES: tuple[str, ...] = ("running", "behind", "not_logged_yet", "not_begun")


def count_text(n: int, unit: str) -> str:
    """Say a count with its unit in Swedish: ``"1 gång"``, ``"2 gånger"``, ``"5 veckor"``.

    Parameters
    ----------
    n
        The count.
    unit
        A key of :data:`UNITS`.

    Returns
    -------
    str
        The number and the unit's singular (for 1) or plural.
    """
    one, many = UNITS[unit]
    return f"{n} {one if n == 1 else many}"


def done_of_text(done: int, planned: int, unit: str, *, so_far: bool = False) -> str:
    """Say what was done of what was planned, with the unit: ``"2 av 4 gånger"``.

    The report's focus ("delvis, 2 av 4 gånger"; in a month not over "1 av 3 veckor
    hittills") and the page Aktiviteter ("Gjort: 0 av 5 gånger", where "0 av 5" left the
    unit to guess) say it so: this is the one place that words it.

    Parameters
    ----------
    done
        The count done.
    planned
        The count planned (0 outside the line's months), or with ``so_far`` the count due
        so far (:class:`geo.activity_due.Due`).
    unit
        A key of :data:`UNITS`.
    so_far
        Whether ``planned`` is what is due by the day in a month not over: each count then
        ends in "hittills".

    Returns
    -------
    str
        ``"3 av 5 veckor"``; with nothing planned the count alone, ``"1 gång"``; with more
        done than planned the count and the plan apart, ``"3 gånger (2 planerade)"``, since
        "3 av 2 gånger" (the page's T1 with three controls in the patrol log) read as a typo.
        With ``so_far``: ``"1 av 3 veckor hittills"``, ``"1 gång hittills"``, ``"4 gånger
        hittills (3 planerade hittills)"``.
    """
    later = " hittills" if so_far else ""
    if planned == 0:
        return count_text(done, unit) + later
    if done > planned:
        word = "planerad" if planned == 1 else "planerade"
        return f"{count_text(done, unit)}{later} ({planned} {word}{later})"
    return f"{done} av {count_text(planned, unit)}{later}"


def nothing_recorded_text(status: str) -> str:
    """Say what an executor did when its status is that it recorded nothing, else ``""``.

    Parameters
    ----------
    status
        A key of :data:`STATUSES`.

    Returns
    -------
    str
        *ej registrerat* (``not_logged``, the month over), :data:`NOTHING_LOGGED_YET`
        (``not_logged_yet``), else empty: the executor's count is what it did.
    """
    return {"not_logged": STATUSES["not_logged"], "not_logged_yet": NOTHING_LOGGED_YET}.get(
        status, ""
    )
