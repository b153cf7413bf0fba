"""The activity page of the marking app: a month of the löfte's activity plan, and each party's log.

Editors set how many times their own organisation did each plan line in a month
(``/aktiviteter``, ``/api/aktiviteter…``), stored in the activity log that ``geo activity
status`` and the monthly report read (:mod:`geo.activity_entries`); the statuses shown are
:func:`geo.activity_followup.month_followup`'s, the CLI's own. Who sees what follows design
§8: a party's comment is its internal note, shown to its own organisation only; the other
party sees the times and the status, as the shared report does, and its history names the
organisation, not the accounts that logged.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Hashable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd
from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from geo import (
    activity_entries,
    activity_log_rows,
    activity_plan,
    activity_status,
    activity_words,
    months,
    presence_weeks,
    users,
)
from geo.activity_followup import month_followup
from geo.errors import DataError, EntryError
from geo.months import month_label
from geo.patrol_log import PROMISE_MIN
from geo.web._history import ACTIVITY_FIELD_LABELS, describe_change
from geo.web._parts import AppParts, fields_refused
from geo.web._security import forbidden
from geo.weeks import local_now, shift_week, week_monday

#: The audit fields the other organisation is told (not the comment, an internal note).
_SHARED_LABELS: dict[str, str] = {"times": ACTIVITY_FIELD_LABELS["times"]}


def _month_of(value: str | None) -> str:
    """Return the asked month (default the current one); 400 for no month or one not begun.

    A month not begun is refused by :func:`geo.activity_log_rows.check_month_begun`, the rule of
    ``geo activity log`` and ``geo activity import``, with its Swedish sentence.
    """
    now = months.today_month()
    text = (value or "").strip() or now
    try:
        month = str(months.parse_month(text))
    except DataError as e:
        msg = f"Månaden {text!r} finns inte; skriv den som {now}."
        raise HTTPException(400, msg) from e
    try:
        activity_log_rows.check_month_begun(month)
    except EntryError as e:
        raise HTTPException(400, e.form_message) from e
    return month


def sees_comment(user: users.User, executor: str) -> bool:
    """Tell whether an account sees a party's comments: its own organisation's only."""
    return user.org == executor


def _history(
    changes: list[dict[Hashable, Any]], user: users.User, executor: str
) -> list[dict[str, Any]]:
    """Return an executor's audit rows as the account may see them.

    Its own organisation's rows are told in full; the other's without the comment and naming
    the organisation (``Polisen``), not the account, the command line or the file (design §8:
    no names to the shared audience).
    """
    own = sees_comment(user, executor)
    told = [
        describe_change(c, labels=ACTIVITY_FIELD_LABELS)
        if own
        else describe_change(c, labels=_SHARED_LABELS, who=users.ORGS.get(executor, executor))
        for c in changes
    ]
    return [t for t in told if t["fields"]]  # a change of the comment alone is not the other's


def _executor_item(
    row: Mapping[Hashable, Any],
    logged: Mapping[Hashable, Any] | None,
    changes: list[dict[Hashable, Any]],
    *,
    user: users.User,
    automatic: bool,
) -> dict[str, Any]:
    executor = str(row["executor"])
    own = sees_comment(user, executor)
    unit, done, status = str(row["unit"]), int(row["done"]), str(row["status"])
    # nothing recorded reads as the report's Genomfört says it, not "0 av 2 gånger" as if a 0
    # had been entered
    unrecorded = activity_words.nothing_recorded_text(status)
    item: dict[str, Any] = {
        "executor": executor,
        "label": str(row["executor_label"]),
        "done": done,
        # the report's words: "0 av 5" alone left the unit to guess
        "done_label": unrecorded or activity_words.done_of_text(done, int(row["planned"]), unit),
        "unrecorded": bool(unrecorded),
        "logged": None if logged is None else int(logged["times"]),
        "logged_label": None
        if logged is None
        else activity_words.count_text(logged["times"], unit),
        "status": status,
        "status_label": str(row["status_label"]),
        "may_log": not automatic and activity_entries.may_log(user, executor),
        "changes": _history(changes, user, executor),
    }
    if own:
        item["comment"] = "" if logged is None else str(logged["comment"] or "")
    return item


def month_view(
    month: str,
    user: users.User,
    *,
    plan: pd.DataFrame,
    path: Path,
    now: pd.Timestamp | None = None,
) -> dict[str, Any]:
    """Return what the activity page and ``GET /api/aktiviteter`` show of a month for an account.

    Parameters
    ----------
    month
        ``YYYY-MM``.
    user
        The account: its own organisation's comments are shown, and its editors may log.
    plan
        :func:`geo.activity_plan.load_plan`.
    path
        The store.
    now
        The report day (default the clock), as for :func:`geo.activity_followup.month_followup`.

    Returns
    -------
    dict
        ``month``, ``label`` ("november 2026"), ``promise_min``, ``may_log`` (whether the
        account logs any line) and ``lines``: per plan line ``id``, ``theme``, ``section``,
        ``text``, ``planned`` (per executor), ``planned_label`` ("2 till månadens slut", "3 av 4
        veckor hittills"), ``frequency`` ("2 per månad"), ``season``, ``planned_now``
        (``False`` outside the line's months), ``automatic`` (counted from the patrol log),
        ``controls`` (the patrol-log control types it counts), ``status``/``status_label``
        (the line's, :func:`geo.activity_status.line_status`), ``weeks`` (the presence line's
        minutes per ISO week: ``week``, ``days`` ("2–8 nov"), ``minutes``, ``met``, ``over``;
        else empty) and
        ``executors``: per executor ``executor``, ``label``, ``done`` (what the status
        counts), ``done_label`` (it with the plan and the unit as the report says them, "0 av
        5 gånger", "3 av 5 veckor", :func:`geo.activity_words.done_of_text`; an executor that
        recorded nothing as the report's Genomfört says it, "inget registrerat ännu" or "ej
        registrerat", :func:`geo.activity_words.nothing_recorded_text`), ``unrecorded``
        (whether ``done_label`` says so), ``logged`` (the
        activity log's number, ``None`` when nothing is logged: once the month is over the
        status then reads "ej registrerat", a 0 logged "ej genomförd"), ``logged_label``
        (it with its unit), ``status``, ``status_label``, ``may_log``, ``changes`` (the audit as
        :func:`geo.web._history.describe_change` tells it; ``who`` the organisation's name
        for the other organisation's rows) and, for the account's own organisation only,
        ``comment``.
    """
    followup = month_followup(month, plan=plan, promise_min=PROMISE_MIN, store_path=path, now=now)
    logged = {(r["activity_id"], r["executor"]): r for r in followup.log.to_dict("records")}
    changes: dict[tuple[str, str], list[dict[Hashable, Any]]] = {}
    for c in activity_entries.read_entry_changes(followup.month, path=path).to_dict("records"):
        changes.setdefault((str(c["activity_id"]), str(c["executor"])), []).append(c)
    day = local_now(now)
    # as the report says it: no pass at all in the month's weeks is "ej registrerat", not "nej"
    any_logged = presence_weeks.any_pass_logged(
        followup.weekly_minutes, [str(w) for w in followup.weekly_minutes["iso_week"]]
    )
    weeks = [
        {
            "week": str(w["iso_week"]),
            "days": months.week_days_label(str(w["iso_week"])),  # as the report says them
            "minutes": presence_weeks.shown_minutes(w["minutes"]),
            "met": bool(w["met"]),
            "over": bool(day >= week_monday(shift_week(str(w["iso_week"]), 1))),
            "verdict": presence_weeks.week_verdict(
                str(w["iso_week"]), met=bool(w["met"]), now=day, logged=any_logged
            ),
        }
        for w in followup.weekly_minutes.to_dict("records")
    ]
    lines = []
    for line, rows in zip(
        plan.to_dict("records"),
        (rows for _, rows in followup.status.groupby("activity_id", sort=False)),
        strict=True,
    ):
        aid = str(line["activity_id"])
        automatic = line["measured_by"] == "patrol_log"
        first = rows.iloc[0]
        statuses = [str(s) for s in rows["status"]]
        status = activity_status.line_status(statuses)
        lines.append(
            {
                "id": aid,
                "theme": str(line["theme"]),
                "section": str(line["section"]),
                "text": str(line["text"]),
                "planned": int(first["planned"]),
                "planned_label": str(first["planned_label"]),
                "frequency": f"{line['times']} {activity_plan.FREQUENCIES[str(line['frequency'])]}",
                "season": activity_plan.season_text(line["months"]),
                "planned_now": int(first["planned"]) > 0,
                "automatic": automatic,
                "controls": list(line["patrol_controls"]),
                "status": status,
                "status_label": activity_words.STATUSES[status],
                "weeks": weeks if automatic else [],
                "executors": [
                    _executor_item(
                        r,
                        logged.get((aid, str(r["executor"]))),
                        changes.get((aid, str(r["executor"])), []),
                        user=user,
                        automatic=automatic,
                    )
                    for r in rows.to_dict("records")
                ],
            }
        )
    return {
        "month": followup.month,
        "label": month_label(followup.month),
        "promise_min": PROMISE_MIN,
        "may_log": any(e["may_log"] for line in lines for e in line["executors"]),
        "lines": lines,
    }


def add_activity_routes(app: FastAPI, parts: AppParts, *, plan_path: Path | None = None) -> None:
    """Add the page ``/aktiviteter`` and the API ``/api/aktiviteter…`` to the marking app.

    Parameters
    ----------
    app
        The app.
    parts
        The app's store and helpers.
    plan_path
        The activity plan; default :func:`geo.activity_plan.plan_path`, read on each request so
        that an edited plan shows without a restart.
    """
    path = parts.path

    def view(month: str, user: users.User) -> dict[str, Any]:
        return month_view(month, user, plan=activity_plan.load_plan(plan_path), path=path)

    @app.get("/aktiviteter", response_class=HTMLResponse)
    async def activity_page(request: Request) -> Response:
        user = await run_in_threadpool(parts.session_user, request)
        if user is None:
            return RedirectResponse("/login", status_code=303)
        month = _month_of(request.query_params.get("manad"))
        shown = await run_in_threadpool(view, month, user)
        now = months.today_month()
        following = str(months.parse_month(month) + 1)
        return parts.page(
            request,
            "aktiviteter.html",
            user,
            view=shown,
            previous=months.previous_month(month),
            previous_label=month_label(months.previous_month(month)),
            following=following if month < now else None,
            following_label=month_label(following),
            current=month == now,
            statuses=activity_words.STATUSES,
            saved=request.query_params.get("sparad") or "",
        )

    @app.get("/api/aktiviteter")
    async def api_month(request: Request) -> dict[str, Any]:
        user = await parts.api_user(request, write=False)
        month = _month_of(request.query_params.get("manad"))
        return await run_in_threadpool(view, month, user)

    @app.put("/api/aktiviteter/{month}/{activity_id}/{executor}")
    async def api_set(request: Request, month: str, activity_id: str, executor: str) -> Response:
        user = await parts.api_user(request, write=True)
        body = await parts.json_body(request)
        comment = body.get("comment", "")
        if comment is not None and not isinstance(comment, str):
            return fields_refused({"comment": "Kommentaren ska vara text."})

        def save() -> activity_entries.EntrySaveResult:
            return activity_entries.save_entry(
                activity_id,
                month=month,
                executor=executor,
                times=body.get("times", ""),
                comment=comment,
                user=user,
                plan=activity_plan.load_plan(plan_path),
                path=path,
            )

        try:
            result = await run_in_threadpool(save)
        except EntryError as e:
            return fields_refused({e.field: e.form_message})
        except activity_entries.EntryPermissionError as e:
            raise forbidden(str(e)) from e
        entry = result.entry
        shown = await run_in_threadpool(view, entry.month, user)
        line = next(x for x in shown["lines"] if x["id"] == entry.activity_id)
        content = {
            "logged": dataclasses.asdict(entry),
            "created": result.created,
            "changed": result.changed,
            "line": line,
        }
        return JSONResponse(content, status_code=201 if result.created else 200)
