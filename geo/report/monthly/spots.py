"""Sections on the kommun's marked traffic spots and the activity plan's status."""

from __future__ import annotations

import json
from typing import Any

import geopandas as gpd
import pandas as pd

from geo import activity_status, activity_words, months, settings
from geo.report.monthly.selection import in_period
from geo.report.monthly.tables import Table
from geo.report.monthly.vocabulary import SPOT_IN_PROGRESS, month_label
from geo.sites import nearest_place_names
from geo.words import and_list


def _after_status(after: object) -> str | None:
    """Return the ``status`` in an audit row's ``after`` JSON, or ``None``."""
    try:
        data = json.loads(str(after))
    except (json.JSONDecodeError, TypeError):
        return None
    status = data.get("status") if isinstance(data, dict) else None
    return str(status) if status is not None else None


def status_changes(changes: pd.DataFrame) -> pd.DataFrame:
    """Return the audit rows that set a status, parsed: ``spot_id``, ``at`` (local), ``status``.

    Parameters
    ----------
    changes
        From :func:`geo.spots.read_changes`, oldest first.

    Returns
    -------
    pandas.DataFrame
        One row per audit row whose ``after`` JSON has a ``status``, in the same order.
    """
    if not len(changes):
        return pd.DataFrame({"spot_id": [], "at": pd.to_datetime([], utc=True), "status": []})
    at = pd.to_datetime(changes["changed_at"], utc=True, format="ISO8601").dt.tz_convert(
        settings.timezone
    )
    parsed = pd.DataFrame(
        {
            "spot_id": changes["spot_id"].astype(str).to_numpy(),
            "at": at.to_numpy(),
            "status": [_after_status(a) for a in changes["after"]],
        }
    )
    return parsed[parsed["status"].notna()].reset_index(drop=True)


def status_at(spots: pd.DataFrame, changes: pd.DataFrame, when: pd.Timestamp) -> pd.Series:
    """Return each spot's status as it was just before ``when``, from the audit trail.

    A report for a past month must show the spots as they stood then, not as they stand
    on the day it is printed.

    Parameters
    ----------
    spots
        From :func:`geo.spots.read_spots` (``spot_id``, ``status``).
    changes
        From :func:`status_changes`.
    when
        Tz-aware moment (e.g. the first instant of the next month).

    Returns
    -------
    pandas.Series
        Status per row of ``spots`` (same index); the current status where the trail says
        nothing before ``when``.
    """
    status = dict(zip(spots["spot_id"].astype(str), spots["status"].astype(str), strict=True))
    earlier = changes[changes["at"] < when]
    for sid, then in zip(earlier["spot_id"], earlier["status"], strict=True):
        if sid in status:
            status[sid] = then
    return pd.Series([status[str(s)] for s in spots["spot_id"]], index=spots.index, dtype=object)


def spot_tables(
    spots: gpd.GeoDataFrame,
    changes: pd.DataFrame,
    places: gpd.GeoDataFrame,
    *,
    month: str,
) -> list[Table]:
    """Summarise the kommun's traffic spots: new, waiting, in progress, resolved this month.

    Waiting and in progress count each spot's status at the end of the month
    (:func:`status_at`), so a report for a past month does not change afterwards.

    Parameters
    ----------
    spots
        From :func:`geo.spots.read_spots`.
    changes
        From :func:`geo.spots.read_changes` (``changed_at`` UTC text, ``after`` JSON).
    places
        Named places (the resolved list names the nearest one, never the description).
    month
        ``YYYY-MM``.

    Returns
    -------
    list of Table
        ``trafikplatser`` (per category) and ``trafikplatser_atgardade`` (resolved ones).
    """
    from geo.spots import OWNERS, SPOT_CATEGORIES

    start, end = months.month_bounds(month)
    existing = spots[pd.to_datetime(spots["created_at"]) < end] if len(spots) else spots
    history = status_changes(changes)
    in_month = (history["at"] >= start) & (history["at"] < end)
    resolved_ids = set(history.loc[in_month & (history["status"] == "atgardad"), "spot_id"])
    if len(existing):
        existing = existing.assign(status=status_at(existing, history, end))
    rows: list[list[Any]] = []
    for cat, label in SPOT_CATEGORIES.items():
        sel = existing[existing["category"] == cat] if len(existing) else existing
        new = int(in_period(sel["created_at"], start, end).sum()) if len(sel) else 0
        waiting = int((sel["status"] == "ny").sum()) if len(sel) else 0
        busy = int(sel["status"].isin(SPOT_IN_PROGRESS).sum()) if len(sel) else 0
        done = int(sel["spot_id"].astype(str).isin(resolved_ids).sum()) if len(sel) else 0
        if new or waiting or busy or done:
            rows.append([label, new, waiting, busy, done])
    cols = [
        "Kategori",
        "Nya i månaden",
        "Väntar på bedömning",
        "Under arbete",
        "Åtgärdade i månaden",
    ]
    if rows:
        rows.append(["Totalt", *(sum(int(r[i]) for r in rows) for i in range(1, len(cols)))])
    frame = pd.DataFrame(rows, columns=cols)
    done_spots = (
        existing[existing["spot_id"].astype(str).isin(resolved_ids)] if len(existing) else existing
    )
    near = nearest_place_names(gpd.GeoSeries(done_spots.geometry).centroid, places)
    resolved = pd.DataFrame(
        {
            "Kategori": [SPOT_CATEGORIES.get(c, c) for c in done_spots["category"]],
            "Ansvarig": [OWNERS.get(o, o) for o in done_spots["owner"]],
            "Närmaste plats": near,
        },
        columns=["Kategori", "Ansvarig", "Närmaste plats"],
    )
    return [
        Table("trafikplatser", f"Kommunens markerade trafikplatser, {month_label(month)}", frame),
        Table(
            "trafikplatser_atgardade",
            f"Trafikplatser åtgärdade i {month_label(month)}",
            resolved.sort_values(["Kategori", "Närmaste plats"]).reset_index(drop=True),
        ),
    ]


#: The note under the activity table when a line's month is not over on the report day. It
#: says what :func:`geo.activity_due.line_period` does: a weekly line is decided when the last of
#: the month's ISO weeks ends (December 2026: Sunday 3 January), a monthly one when the
#: calendar month ends.
OPEN_ACTIVITY_NOTE = (
    f"En aktivitet som ännu inte är genomförd står som ”{activity_words.STATUSES['running']}” "
    f"(”{activity_words.STATUSES['not_logged_yet']}” när utföraren inte har fört in något för den, "
    f"”{activity_words.STATUSES['behind']}” när det som är infört är mindre än veckorna hittills "
    f"kräver, ”{activity_words.STATUSES['not_begun']}” om dess första vecka eller månad "
    "inte har börjat) och räknas först när den är slut: en aktivitet per "
    "vecka när månadens sista ISO-vecka är slut (månadens veckor är de vars torsdag ligger i "
    "månaden), övriga när månaden är slut. Planerat visar för aktiviteter per vecka vad som "
    "är planerat för de veckor som är slut hittills, för övriga vad som är planerat till "
    "månadens slut."
)


def not_logged_note(lines: list[activity_status.LineStatus]) -> str:
    """Say what "ej registrerat" means beside "ej genomförd", when the table says it.

    Until 2026-11-29 a line nobody logged read "ej genomförd", and a note said so only when
    nothing at all was logged for the month; now nothing recorded is a status of its own
    (:func:`geo.activity_status.activity_status`), and a 0 logged is the executor's "not done".

    Parameters
    ----------
    lines
        From :func:`geo.activity_status.status_by_line`.

    Returns
    -------
    str
        Swedish, empty when no executor of a line is ``not_logged``: "ej registrerat" is
        nothing entered for the month (the page Aktiviteter, ``geo activity log`` or
        ``import``; for the lines counted in weeks no pass in the patrol log), not
        necessarily nothing done, "ej genomförd" an executor's own 0 (for those lines passes
        logged and no week met), and "delvis registrerat" when one executor entered
        something and another nothing.
    """
    if not any("not_logged" in ln.executor_statuses for ln in lines):
        return ""
    weekly = and_list([ln.activity_id for ln in lines if ln.unit == "weeks"])
    no_pass = f"; för {weekly} att inga pass finns i patrulloggen" if weekly else ""
    unmet = f"; för {weekly} att pass finns men ingen vecka nådde löftets minuter" if weekly else ""
    said = (
        f"”{activity_words.STATUSES['not_logged'].capitalize()}” betyder att utföraren inte har "
        "fört in något för aktiviteten under månaden (sidan Aktiviteter, geo activity log eller "
        f"geo activity import{no_pass}), inte nödvändigtvis att inget gjordes; "
        f"”{activity_words.STATUSES['not_done']}” betyder att utföraren har fört in att den inte "
        f"gjordes (0 gånger{unmet})."
    )
    if any(ln.status == "partly_logged" for ln in lines):
        said += (
            f" ”{activity_words.STATUSES['partly_logged'].capitalize()}”: en utförare har fört in "
            "något, en annan inget; Genomfört visar vem."
        )
    return said


def how_to_read_note(lines: list[activity_status.LineStatus], *, promise_min: int) -> str:
    """Say what the activity table's numbers count, for a reader new to the tool.

    Parameters
    ----------
    lines
        From :func:`geo.activity_status.status_by_line`.
    promise_min
        Police minutes promised per ISO week (the presence line counts weeks that met it).

    Returns
    -------
    str
        Swedish: the numbers are times per executor in the month, the presence lines' weeks
        with at least ``promise_min`` minutes in the patrol log; when a line was done outside
        its months, that it reads "utförd utanför säsong".
    """
    weekly = [ln.activity_id for ln in lines if ln.unit == "weeks"]
    said = "Planerat och Genomfört är antal gånger för varje utförare under månaden"
    if weekly:
        said += (
            f", för {and_list(weekly)} antal veckor med minst {promise_min} minuter i "
            "patrulloggen (avsnitt 2)"
        )
    said += "."
    if any(ln.status == "unplanned" for ln in lines):
        said += (
            " En aktivitet som utfördes en månad då den inte är planerad står som "
            f"”{activity_words.STATUSES['unplanned']}”."
        )
    return said


def activity_table(status: pd.DataFrame, *, month: str) -> Table:
    """Show the activity plan's status this month, one row per activity line.

    A line done by several executors shows them joined ("Polisen, Kommunen") and what each
    did ("Polisen 0 gånger, Kommunen 1 gång", one that recorded nothing "Kommunen ej
    registrerat"); its status is the line's (:func:`geo.activity_status.status_by_line`): the
    executors' status when they agree, and "delvis" when they do not ("pågår" while the
    month is not over, "delvis registrerat" when one recorded nothing). Every number says
    its unit (:func:`geo.activity_words.count_text`): planned "2 gånger", "4 gånger (1 per
    vecka)", the presence line's "5 veckor"; before the month is over what is due so far
    ("3 av 4 veckor hittills", "2 gånger till månadens slut"); outside the line's months
    "inget (planeras maj–september)".

    Parameters
    ----------
    status
        From :func:`geo.activity_status.activity_status` (one row per line and executor).
    month
        ``YYYY-MM``, named in the caption.

    Returns
    -------
    Table
        ``aktivitetsplan``: ``Id``, ``Tema``, ``Aktivitet``, ``Utförare``, ``Planerat`` (per
        executor) and ``Genomfört`` (text with units, per executor when there are several),
        ``Status``.
    """
    rows = [
        [
            line.activity_id,
            line.theme,
            line.text,
            ", ".join(line.executor_labels),
            line.planned_label,
            line.done_label,
            line.status_label,
        ]
        for line in activity_status.status_by_line(status)
    ]
    frame = pd.DataFrame(
        rows,
        columns=["Id", "Tema", "Aktivitet", "Utförare", "Planerat", "Genomfört", "Status"],
    )
    return Table(
        "aktivitetsplan",
        f"Aktivitetsplanen, {month_label(month)}: planerat och genomfört (planerat gäller "
        "varje utförare)",
        frame,
    )
