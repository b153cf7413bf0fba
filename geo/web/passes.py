"""The pass page of the marking app: the week's plan, the passes logged, and a form to log one.

Police editors log what they did (``/pass``, ``/api/pass…``); it is stored in the patrol log
that the monthly follow-up reads (:mod:`geo.patrol_passes`). Who sees what follows design §8:
the police see their plan and their passes with places, times and notes; kommun accounts see
only the week's minutes against the promise and each pass's day and minutes — no free text, no
clock times, no places, and not the plan (where and when the police will be).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd
from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from geo import patrol_passes, presence_weeks, users
from geo.errors import DataError, GeoError
from geo.patrol.stored import read_plan_stops
from geo.patrol_log import (
    PROMISE_MIN,
    minutes_per_week,
    names_place,
    pass_covers,
    read_log,
)
from geo.patrol_log_fields import CANCEL_REASONS, CONTROL_COUNTS, cancel_label
from geo.patrol_log_rows import REPEATED_HOUR_OFFSETS, count_problem, repeated_offset
from geo.web._history import PASS_FIELD_LABELS, describe_change
from geo.web._parts import AppParts, fields_refused
from geo.web._security import forbidden
from geo.weeks import DAY_NAMES, local_now, parse_week, shift_week, week_label, week_monday

_T = TypeVar("_T")
#: Activities offered in the form besides the plan's own (free text is accepted too).
ACTIVITIES: tuple[str, ...] = (
    "närvaro/synlighet",
    "hastighetskontroll",
    "nykterhetskontroll",
    "fordonskontroll (A-traktor/EPA/moped)",
    "samtal med ungdomar",
)


def sees_details(user: users.User) -> bool:
    """Tell whether an account sees the plan, the passes' times, places and notes (the police)."""
    return user.org == patrol_passes.PASS_ORG


def this_week(today: dt.date | None = None) -> str:
    """Return the ISO week of today (Europe/Stockholm) as ``YYYY-Www``."""
    return week_label(today or local_now().date())


def _week_of(value: str | None) -> str:
    week = (value or "").strip() or this_week()
    try:
        year, num = parse_week(week)
    except DataError as e:
        msg = f"Veckan {week!r} finns inte; skriv den som 2026-W49."
        raise HTTPException(400, msg) from e
    return f"{year}-W{num:02d}"


def _count(value: str | None) -> int:
    """Return a count given in the page's address (``rattade=1``), 0 when there is none."""
    text = (value or "").strip()
    return int(text) if text.isdigit() and len(text) < 4 else 0


def _day(ts: pd.Timestamp) -> str:
    return f"{DAY_NAMES[ts.weekday()]} {ts.day}/{ts.month}"


def _clock(ts: pd.Timestamp, *, since: pd.Timestamp) -> str:
    """Return ``18:30``, or ``2026-12-06 00:45`` when ``ts`` is on a later day than ``since``."""
    return f"{ts:%H:%M}" if ts.date() == since.date() else f"{ts:%Y-%m-%d %H:%M}"


def _pass_item(record: Mapping[str, Any], user: users.User) -> dict[str, Any]:
    start, end = record["start"], record["end"]
    item: dict[str, Any] = {
        "date": f"{start:%Y-%m-%d}",
        "day": _day(start),
        "minutes": round(float(record["minutes"])),
        # the reason's label, from a fixed list: the shared follow-up says it too
        "cancelled": cancel_label(record["cancelled"]),
    }
    if not sees_details(user):
        return item
    return {
        "cancel_reason": record["cancelled"],
        "counts": {field: record[field] for field in CONTROL_COUNTS},
        "counts_text": _counts_text(record),
        "count_conflict": _count_conflict(record, user),
        **item,
        "id": record["log_id"],
        "start": f"{start:%H:%M}",
        "end": _clock(end, since=start),
        # which of October's two 02:10 it was (a key of REPEATED_HOUR_OFFSETS), else ""
        "start_offset": repeated_offset(start),
        "end_offset": repeated_offset(end),
        "end_time": f"{end:%H:%M}",
        "end_date": "" if end.date() == start.date() else f"{end:%Y-%m-%d}",
        "places": record["places"],
        "activity": record["activity"] or "",
        "results": record["results"] or "",
        "logged_by": record["logged_by"] or "",
        "source": "app" if record["from_app"] else "fil",
        "own": bool(record["from_app"] and record["logged_by"] == user.name),
    }


def _counts_text(record: Mapping[str, Any]) -> str:
    """Return a pass's control counts as the page lists them: ``"40 kontrollerade…, 2 blåsta"``."""
    return ", ".join(
        f"{record[field]} {label}"
        for field, label in CONTROL_COUNTS.items()
        if record[field] is not None
    )


def _count_conflict(record: Mapping[str, Any], user: users.User) -> str:
    """Return what the page says of a pass whose counts cannot all be true (``""``: they can).

    Such a pass was stored before the cross-check came
    (:func:`~geo.patrol_log_rows.count_problem`); the monthly follow-up leaves those counts
    out until it is set right, and its author's correction is refused until then, so the
    page says so where the pass is listed, with the fix and who can make it. A file's pass
    is set right in its file's row, imported again (:func:`geo.patrol_log.import_log`
    corrects it), as the monthly report says.
    """
    problem = count_problem({field: record[field] for field in CONTROL_COUNTS})
    if problem is None:
        return ""
    if not record["from_app"]:
        who = (
            f"Passet importerades från filen {Path(str(record['file'])).name}: rätta raden i"
            " filen och läs in den igen (geo log import)."
        )
    elif record["logged_by"] == user.name:
        who = "Tryck Rätta och ändra antalen."
    else:
        who = "Den som loggade passet kan rätta det."
    return f"Antalen går inte ihop: {problem.form_message} {who}"


def _stop_items(week: str, passes: list[dict[str, Any]], path: Path) -> list[dict[str, Any]]:
    """Return the stored plan's stops, each ``done`` when a pass done names and covers it.

    A pass logged as cancelled marks none: its trip was not made.
    """
    stops = read_plan_stops(week, path)
    passes = [p for p in passes if not p["cancelled"]]
    items = []
    for s in stops.to_dict("records"):
        start = pd.Timestamp(s["start"])
        end = start + pd.Timedelta(minutes=float(s["dwell_min"]))
        place = str(s["place"])
        done = any(
            names_place(p["places"], place) and pass_covers(p["start"], p["end"], start)
            for p in passes
        )
        items.append(
            {
                "nr": int(s["stop_order"]),
                "place": place,
                "date": f"{start:%Y-%m-%d}",
                "day": _day(start),
                "start": f"{start:%H:%M}",
                "end": f"{end:%H:%M}",
                "activity": str(s["activity"]),
                "done": done,
                **_trip_fields(s, start=start, end=end),
            }
        )
    return items


def _trip_fields(
    stop: Mapping[Any, Any], *, start: pd.Timestamp, end: pd.Timestamp
) -> dict[str, Any]:
    """Return the stop's trip as the form is filled from it: from the entry point and back.

    The löfte's minutes run from leaving the entry point to being back out there (the plan
    fills 120 of them, driving included), so a ticked stop fills the form with its trip's
    times. A plan stored without trips (before they were stored) has a trip per day, filled
    from its first ticked stop's start to its last one's end.
    """
    trip, leave, back = stop.get("trip"), stop.get("trip_leave"), stop.get("trip_back")
    if trip is None or pd.isna(trip) or pd.isna(leave) or pd.isna(back):
        leave, back, key = start, end, f"dag {start:%Y-%m-%d}"
    else:
        leave, back, key = pd.Timestamp(leave), pd.Timestamp(back), str(int(trip))
    return {
        "trip": key,
        "trip_number": None if trip is None or pd.isna(trip) else int(trip),
        "trip_date": f"{leave:%Y-%m-%d}",
        "trip_day": _day(leave),
        "trip_start": f"{leave:%H:%M}",
        "trip_end": f"{back:%H:%M}",
        "trip_end_date": "" if back.date() == leave.date() else f"{back:%Y-%m-%d}",
        "trip_min": round((back - leave).total_seconds() / 60),
    }


def _history(record: Mapping[str, Any], path: Path) -> list[dict[str, Any]]:
    """Return a pass's audit rows as the page shows them (a file's: its corrections)."""
    changes = patrol_passes.read_pass_changes(str(record["log_id"]), path=path)
    return [describe_change(c, labels=PASS_FIELD_LABELS) for c in changes.to_dict("records")]


def week_view(week: str, user: users.User, *, path: Path) -> dict[str, Any]:
    """Return what the pass page and ``GET /api/pass`` show of a week for an account.

    Parameters
    ----------
    week
        ISO week.
    user
        The account: the police see :func:`sees_details`; others only minutes.
    path
        The store.

    Returns
    -------
    dict
        ``week``, ``minutes`` (the week's total as the monthly report counts it:
        :func:`geo.patrol_log.minutes_per_week`), ``promise_min``, ``met``, ``passes``
        (per pass ``date``, ``day``, ``minutes``, ``cancelled`` — the label of the reason a
        pass was called off, ``""`` for one done —, ``week_minutes`` — those inside the week,
        fewer for a pass over Sunday midnight —, ``overlaps`` — it shares time with another
        pass, which the total counts once; for the police also ``id``, ``start``,
        ``end``, ``start_offset`` and ``end_offset`` (``+02:00``/``+01:00`` for a time in
        October's repeated hour, which comes twice; else ``""``), ``places``, ``activity``,
        ``results``, ``cancel_reason`` (the key),
        ``counts`` (field → count or ``None``, :data:`~geo.patrol_log_fields.CONTROL_COUNTS`)
        and ``counts_text``, ``count_conflict`` (counts stored before a cross-check that
        cannot all be true: the sentence with the fix, else ``""``), ``logged_by``,
        ``source``, ``own`` and
        ``changes``, the audit as :func:`geo.web._history.describe_change` tells it),
        ``stops`` (the stored plan's stops, each with its trip: ``trip`` the key the page
        ticks one trip by, ``trip_number``, and the times from leaving the entry point to
        being back out, ``trip_date``, ``trip_start``, ``trip_end``, ``trip_end_date``,
        ``trip_min``; the police only, else empty) and ``details``.
    """
    records = patrol_passes.read_week_passes(week, path=path)
    total = minutes_per_week(
        read_log(path), first_week=week, last_week=week, promise_min=PROMISE_MIN
    )
    # whole minutes done, as the report says them: 119.5 rounded read "120 av 120 min"
    # and met here while the report's week read "nej"
    minutes = presence_weeks.shown_minutes(total["minutes"].iloc[0])
    details = sees_details(user)
    return {
        "week": week,
        "minutes": minutes,
        "promise_min": PROMISE_MIN,
        "met": bool(total["met"].iloc[0]),
        "passes": [
            {
                **_pass_item(r, user),
                "overlaps": _overlaps(r, records),
                "week_minutes": _minutes_in_week(r, week),
                **({"changes": _history(r, path)} if details else {}),
            }
            for r in records
        ],
        "stops": _stop_items(week, records, path) if details else [],
        "details": details,
    }


def _minutes_in_week(record: Mapping[str, Any], week: str) -> int:
    """Return a pass's minutes inside the ISO week (one over Sunday midnight counts in both).

    :func:`geo.patrol_log.minutes_per_week` splits such a pass at local midnight; the page
    listed its whole minutes in both weeks, above totals that counted only each week's part.
    """
    monday = week_monday(week)
    following = week_monday(shift_week(week, 1))
    end, start = pd.Timestamp(record["end"]), pd.Timestamp(record["start"])
    inside = min(end, following) - max(start, monday)
    return round(max(inside.total_seconds(), 0.0) / 60)


def _overlaps(record: Mapping[str, Any], records: list[dict[str, Any]]) -> bool:
    """Tell whether a pass shares time with another of the week's (counted once in the total).

    A cancelled pass has no time to share.
    """
    return not record["cancelled"] and any(
        r["log_id"] != record["log_id"]
        and not r["cancelled"]
        and r["start"] < record["end"]
        and r["end"] > record["start"]
        for r in records
    )


def _saved(result: patrol_passes.PassSaveResult, user: users.User) -> dict[str, Any]:
    """Return the answer to a saved pass: it, its week, what was done, the rows it mends.

    ``mended`` lists the quarantined rows of imported files the pass resolves (the file's
    name and line), which leave the open quarantine.
    """
    return {
        "pass": _pass_item(result.logged, user),
        "week": week_label(result.logged["start"]),
        "created": result.created,
        "changed": result.changed,
        "mended": [{"file": Path(f).name, "line": n} for f, n in result.mended],
    }


def add_pass_routes(app: FastAPI, parts: AppParts) -> None:
    """Add the page ``/pass`` and the API ``/api/pass…`` to the marking app.

    Parameters
    ----------
    app
        The app.
    parts
        The app's store and helpers.
    """
    path = parts.path

    @app.get("/pass", response_class=HTMLResponse)
    async def pass_page(request: Request) -> Response:
        user = await run_in_threadpool(parts.session_user, request)
        if user is None:
            return RedirectResponse("/login", status_code=303)
        week = _week_of(request.query_params.get("vecka"))
        view = await run_in_threadpool(week_view, week, user, path=path)
        today = local_now().date()  # one reading of the clock for the week and the day
        now = this_week(today)
        year, num = parse_week(week)
        monday = dt.date.fromisocalendar(year, num, 1)
        default_day = today if week == now else min(monday, today)
        stop_places = [s["place"] for s in view["stops"]]
        return parts.page(
            request,
            "pass.html",
            user,
            view=view,
            week_number=num,
            week_year=year,
            previous=shift_week(week, -1),
            following=shift_week(week, 1) if week < now else None,
            may_log=patrol_passes.may_log(user),
            default_day=default_day.isoformat(),
            today=today.isoformat(),  # the date picker offers no day not yet lived
            place_names=list(dict.fromkeys([*stop_places, *parts.place_names])),
            activities=list(dict.fromkeys([*(s["activity"] for s in view["stops"]), *ACTIVITIES])),
            cancel_reasons=CANCEL_REASONS,
            control_counts=CONTROL_COUNTS,
            repeated_hour_offsets=REPEATED_HOUR_OFFSETS,
            saved=request.query_params.get("sparad") == "1",
            mended=_count(request.query_params.get("rattade")),
        )

    @app.get("/api/pass")
    async def api_week(request: Request) -> dict[str, Any]:
        user = await parts.api_user(request, write=False)
        week = _week_of(request.query_params.get("vecka"))
        return await run_in_threadpool(week_view, week, user, path=path)

    @app.get("/api/pass/{pass_id}")
    async def api_pass(request: Request, pass_id: str) -> dict[str, Any]:
        user = await parts.api_user(request, write=False)
        if not sees_details(user):
            msg = "Passens detaljer visas bara för polisen."
            raise forbidden(msg)
        record = await run_in_threadpool(patrol_passes.read_pass, pass_id, path=path)
        if record is None:
            raise HTTPException(404, "Passet finns inte.")
        changes = await run_in_threadpool(_history, record, path)
        return {"pass": _pass_item(record, user), "changes": changes}

    @app.put("/api/pass/{pass_id}")
    async def api_put_pass(request: Request, pass_id: str) -> Response:
        user = await parts.api_user(request, write=True)
        body = await parts.json_body(request)
        result = await _answering(
            lambda: patrol_passes.save_pass(pass_id, body, user=user, path=path)
        )
        if isinstance(result, Response):
            return result
        return JSONResponse(_saved(result, user), status_code=201 if result.created else 200)

    @app.delete("/api/pass/{pass_id}")
    async def api_delete_pass(request: Request, pass_id: str) -> Response:
        user = await parts.api_user(request, write=True)
        removed = await _answering(lambda: patrol_passes.remove_pass(pass_id, user=user, path=path))
        if isinstance(removed, Response):
            return removed
        return JSONResponse({"removed": removed})


#: The HTTP status of each refusal of :mod:`geo.patrol_passes` (validation aside: 422;
#: a permission: 403 from :func:`~geo.web._security.forbidden`, whose code the outbox reads).
_REFUSALS: tuple[tuple[type[Exception], int], ...] = (
    (patrol_passes.PassNotFoundError, 404),
    (patrol_passes.PassRemovedError, 409),
)


async def _answering(call: Callable[[], _T]) -> _T | Response:
    """Run a write in a worker thread; a refusal becomes its answer (422 with the fields).

    Parameters
    ----------
    call
        The write.

    Returns
    -------
    object or starlette.responses.Response
        The write's result, or the 422 response of a validation error.

    Raises
    ------
    HTTPException
        404 or 409 with the Swedish message of the refusal (:data:`_REFUSALS`), or 403 with
        ``code`` ``"forbidden"`` for an account not allowed to (:func:`forbidden`).
    """
    try:
        return await run_in_threadpool(call)
    except patrol_passes.PassValidationError as e:
        return fields_refused(e.errors)
    except GeoError as e:
        if isinstance(e, patrol_passes.PassPermissionError):
            raise forbidden(str(e)) from e
        for kind, status in _REFUSALS:
            if isinstance(e, kind):
                raise HTTPException(status, str(e)) from e
        raise
