"""The one set of rules an activity-log row passes, from the command line, a file or the app.

A row says how many times one executor carried out one plan line in one month, with an
internal comment; it is checked against the plan (:mod:`geo.activity_plan`) and refused,
naming the field in English and in Swedish, when it does not fit.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from geo.activity_plan import EXECUTORS
from geo.errors import DataError, EntryError
from geo.months import month_label, parse_month, today_month
from geo.sensitive_text import find_identifying

MAX_COMMENT_CHARS = 500

#: Most times one party can log for a line in a month: more is a typo (a 500 before).
MAX_TIMES = 1000


def check_month_begun(month: str, *, now: pd.Timestamp | None = None) -> None:
    """Refuse a month that has not begun: nothing can have been done in it yet.

    The one rule of ``geo activity log``, ``geo activity import`` and the page Aktiviteter.

    Parameters
    ----------
    month
        ``YYYY-MM``.
    now
        The time it is checked at (default the clock; Europe/Stockholm).

    Raises
    ------
    EntryError
        On the field ``month``, when ``month`` is after the month of ``now``: in English (the
        CLI's) and in Swedish (the page's), with the last month that may be logged.
    """
    current = today_month(now)
    text = str(parse_month(month))
    if text > current:
        msg = f"Month {text!r} has not begun; log a month up to {current} (this month)."
        said = month_label(text).capitalize()
        sv = f"{said} har inte börjat; välj en månad till och med {current}."
        raise EntryError(msg, field="month", form_message=sv)


@dataclass(frozen=True)
class LogEntry:
    """One validated activity-log row.

    Attributes
    ----------
    activity_id
        The plan line.
    month
        ``YYYY-MM``.
    executor
        ``polis`` or ``kommun``.
    times
        How many times the activity was carried out that month (0 = logged as not done).
    comment
        Internal note; never shown in the shared report.
    """

    activity_id: str
    month: str
    executor: str
    times: int
    comment: str = ""


def _normalise_executor(value: object) -> str:
    text = str(value).strip().casefold()
    return {"polisen": "polis", "kommunen": "kommun"}.get(text, text)


def validate_entry(
    plan: pd.DataFrame,
    *,
    activity_id: object,
    month: object,
    executor: object,
    times: object,
    comment: object = "",
    now: pd.Timestamp | None = None,
) -> LogEntry:
    """Check one activity-log row against the plan.

    Parameters
    ----------
    plan
        As :func:`geo.activity_plan.load_plan` returns it.
    activity_id, month, executor, times, comment
        The row's fields (strings from a file or a form are accepted). A comment holding a
        personnummer or a registration number is refused
        (:func:`geo.sensitive_text.find_identifying`, the spots' check); a street address is
        not: the comment is seen only inside its own organisation and notes where the
        activity was done (``Vandring Stortorget 18-20``), as a pass names its places.
    now
        The time it is checked at (default the clock): a month not begun is refused
        (:func:`check_month_begun`).

    Returns
    -------
    LogEntry
        The cleaned row.

    Raises
    ------
    EntryError
        Naming the field and how to fix it, in English (``str(e)``, the CLI's) and in Swedish
        (``form_message``, the marking app's).
    """
    aid = str(activity_id).strip()
    lines = plan.set_index("activity_id")
    if aid not in lines.index:
        msg = f"Unknown activity {aid!r}; use one of {list(lines.index)} (see `geo activity list`)."
        sv = f"Aktiviteten {aid!r} finns inte i planen; välj en av {', '.join(lines.index)}."
        raise EntryError(msg, field="activity_id", form_message=sv)
    line = lines.loc[aid]
    if line["measured_by"] != "activity_log":
        msg = (
            f"Activity {aid!r} is followed up from the patrol log, not logged by hand; "
            "log the patrol visits instead."
        )
        sv = f"{aid} räknas ur patrulloggen och loggas inte för hand; logga passen på sidan Pass."
        raise EntryError(msg, field="activity_id", form_message=sv)
    try:
        month_text = str(parse_month(str(month)))
    except DataError as e:
        sv = f"Månaden {str(month)!r} är ingen månad; skriv den som 2026-11."
        raise EntryError(str(e), field="month", form_message=sv) from None
    check_month_begun(month_text, now=now)
    who = _normalise_executor(executor)
    if who not in line["executors"]:
        msg = (
            f"Executor {executor!r} does not carry out activity {aid!r}; "
            f"use one of {list(line['executors'])}."
        )
        doers = " och ".join(EXECUTORS[w] for w in line["executors"])
        sv = f"{EXECUTORS.get(who, str(executor))} utför inte {aid}; det gör {doers}."
        raise EntryError(msg, field="executor", form_message=sv)
    try:
        n = int(str(times).strip())
    except ValueError:
        n = -1
    if not 0 <= n <= MAX_TIMES:
        msg = f"Times {times!r} for activity {aid!r} must be a whole number from 0 to {MAX_TIMES}."
        sv = (
            f"Antalet {str(times)!r} går inte: skriv ett heltal från 0 till {MAX_TIMES}"
            " (0 = inte gjort)."
        )
        raise EntryError(msg, field="times", form_message=sv)
    missing = comment is None or (isinstance(comment, float) and comment != comment)
    note = "" if missing else " ".join(str(comment).split())
    if len(note) > MAX_COMMENT_CHARS:
        msg = f"The comment on {aid!r} has {len(note)} characters; keep it to {MAX_COMMENT_CHARS}."
        sv = f"Kommentaren har {len(note)} tecken; korta den till högst {MAX_COMMENT_CHARS}."
        raise EntryError(msg, field="comment", form_message=sv)
    if found := find_identifying(note, addresses=False):
        msg = (
            f"The comment on {aid!r} looks like it holds {found.english};"
            f" remove {found.english_pronoun}."
        )
        raise EntryError(msg, field="comment", form_message=found.sentence("Kommentaren"))
    return LogEntry(aid, month_text, who, n, note)
