"""Plans in the store, the inputs a plan is made from, its outputs, and which week to plan."""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import geopandas as gpd
import networkx as nx
import pandas as pd

from geo import settings
from geo.errors import GeoError
from geo.model import normalize_text
from geo.patrol.plan import Plan, make_plan
from geo.patrol.priorities import PlanSettings, load_priorities, week_seed
from geo.patrol.reasons import reason_period
from geo.patrol.trips import plan_trips
from geo.patrol_log import (
    minutes_per_week,
    names_place,
    pass_covers,
    places_of,
    read_log,
)
from geo.patrol_log_fields import done_passes
from geo.weeks import local_now, shift_week, week_label, week_monday

logger = logging.getLogger(__name__)


_PLAN_TABLE = """
CREATE TABLE IF NOT EXISTS patrol_plan (
  week TEXT NOT NULL,
  stop_order INTEGER NOT NULL,
  candidate_id TEXT NOT NULL,
  place TEXT NOT NULL,
  start TEXT NOT NULL,
  dwell_min REAL NOT NULL,
  theme TEXT NOT NULL,
  activity TEXT NOT NULL,
  generated_at TEXT NOT NULL,
  trip INTEGER,
  trip_leave TEXT,
  trip_back TEXT,
  PRIMARY KEY (week, stop_order));
"""
_PLAN_COLUMNS: tuple[str, ...] = (
    "week", "stop_order", "candidate_id", "place", "start", "dwell_min", "theme", "activity",
    "generated_at", "trip", "trip_leave", "trip_back",
)  # fmt: skip
#: Columns added to ``patrol_plan`` after stores were made (an older store gets them, empty).
_TRIP_COLUMNS: dict[str, str] = {"trip": "INTEGER", "trip_leave": "TEXT", "trip_back": "TEXT"}


def _ensure_plan_table(conn: sqlite3.Connection) -> None:
    """Create ``patrol_plan``, or add the trip columns a store made before them lacks."""
    conn.executescript(_PLAN_TABLE)
    have = {str(r[1]) for r in conn.execute("PRAGMA table_info(patrol_plan)")}
    for column, kind in _TRIP_COLUMNS.items():
        if column not in have:
            conn.execute(f"ALTER TABLE patrol_plan ADD COLUMN {column} {kind}")


def _stop_trips(plan: Plan) -> dict[int, tuple[int, str, str]]:
    """Return each stop's trip and the trip's times at the entry point, by stop number.

    The löfte's two hours are counted from leaving the entry point to being back out
    (:func:`geo.patrol.trips.plan_trips`), so the page Pass fills a ticked trip's pass with
    those times, not only the stops' own minutes. A plan without trips (none here) gives none.
    """
    stops = plan.stops
    if "trip" not in stops.columns or not len(stops):
        return {}
    trips = plan_trips(plan)
    out: dict[int, tuple[int, str, str]] = {}
    for t in trips.to_dict("records"):
        for order in t["orders"]:
            leave, back = pd.Timestamp(t["leave"]), pd.Timestamp(t["back"])
            out[int(order)] = (int(t["trip"]), leave.isoformat(), back.isoformat())
    return out


def save_plan(plan: Plan, path: Path | None = None) -> None:
    """Store a plan's stops in the store table ``patrol_plan`` (replacing that week's).

    Each stop is stored with its trip and the trip's times of leaving the entry point and
    being back out there (``trip``, ``trip_leave``, ``trip_back``; empty for a plan without
    trips), the minutes the löfte counts, which the page Pass fills a ticked trip with.

    Parameters
    ----------
    plan
        The plan.
    path
        The store; default :func:`geo.store.default_path`.
    """
    from geo import store

    trips = _stop_trips(plan)
    with store.connect(path) as conn, conn:
        _ensure_plan_table(conn)
        conn.execute("DELETE FROM patrol_plan WHERE week = ?", (plan.week,))
        conn.executemany(
            f"INSERT INTO patrol_plan ({', '.join(_PLAN_COLUMNS)})"
            f" VALUES ({', '.join('?' * len(_PLAN_COLUMNS))})",
            [
                (
                    plan.week,
                    int(s["order"]),
                    str(s["candidate_id"]),
                    str(s["place"]),
                    pd.Timestamp(s["start"]).isoformat(),
                    float(s["dwell_min"]),
                    str(s["theme"]),
                    str(s["activity"]),
                    str(plan.meta["generated_at"]),
                    *trips.get(int(s["order"]), (None, None, None)),
                )
                for _, s in plan.stops.iterrows()
            ],
        )


def read_plan_stops(week: str, path: Path | None = None) -> pd.DataFrame:
    """Return a stored week's stops (``candidate_id``, ``place``, ``start`` …); empty if none.

    Parameters
    ----------
    week
        ISO week.
    path
        The store.

    Returns
    -------
    pandas.DataFrame
        Columns ``week, stop_order, candidate_id, place, start, dwell_min, theme, activity,
        generated_at, trip, trip_leave, trip_back``; ``start`` and the trip's times tz-aware
        (the trip's missing, ``NaT``/``NaN``, for a plan stored before they were). The store
        is only read.
    """
    return _read_stops("week = ?", week, order="stop_order", path=path)


def read_candidate_stops(candidate_id: str, path: Path | None = None) -> pd.DataFrame:
    """Return the stored stops of one candidate over every planned week, the latest first.

    A kommun officer asked whether a spot they marked was ever planned
    (``markering:<spot_id>``): the marking app's page of the spot says so.

    Parameters
    ----------
    candidate_id
        A candidate's id (:func:`geo.patrol.plan_candidates`).
    path
        The store.

    Returns
    -------
    pandas.DataFrame
        As :func:`read_plan_stops`, the weeks' stops of that candidate.
    """
    return _read_stops("candidate_id = ?", candidate_id, order="week DESC, stop_order", path=path)


def _read_stops(where: str, value: str, *, order: str, path: Path | None) -> pd.DataFrame:
    """Read the stored stops matching ``where`` (one ``?``), ``start`` made tz-aware."""
    from geo import store

    with store.reading(path) as conn:
        df = store.read_frame(
            conn, "patrol_plan", _PLAN_COLUMNS, where=where, params=[value], order=order
        )
    for col in ("start", "trip_leave", "trip_back"):
        df[col] = pd.to_datetime(df[col], utc=True, format="ISO8601").dt.tz_convert(
            settings.timezone
        )
    return df


@dataclass
class PlanInputs:
    """What a week's plan is made from, read from the store in one go.

    Reading is kept apart from planning so the main job can read in one process and plan
    in another while the first writes the analysis layers (see :mod:`geo.pipeline`).

    Attributes
    ----------
    week
        ISO week.
    incidents
        All stored incidents (EPSG:3006).
    places
        The named places.
    graph
        Road graph.
    spots
        Open kommun-marked spots (``None`` when they cannot be read).
    previous
        The stored stops of the four weeks before (:func:`read_plan_stops`), whose places,
        weekdays and hour bands the plan avoids, as ``log`` says they were done.
    log
        The patrol log (:func:`geo.patrol_log.read_log`) as read with the rest: a week begun
        counts its minutes logged from the same rows (:func:`replan`), so the log is read
        once and a pass logged meanwhile cannot count in one and not the other.
    """

    week: str
    incidents: gpd.GeoDataFrame
    places: gpd.GeoDataFrame
    graph: nx.MultiDiGraph
    spots: gpd.GeoDataFrame | None
    previous: pd.DataFrame
    log: pd.DataFrame


def read_plan_inputs(
    week: str,
    *,
    store_path: Path | None = None,
    incidents: gpd.GeoDataFrame | None = None,
    G: nx.MultiDiGraph | None = None,
) -> PlanInputs:
    """Read everything :func:`plan_from_inputs` needs for ``week``.

    Parameters
    ----------
    week
        ISO week, ``YYYY-Www`` (``2026-W9`` is read, and planned, as ``2026-W09``).
    store_path
        The store; default :func:`geo.store.default_path`.
    incidents
        The stored incidents when the caller has read them already.
    G
        Road graph; default :func:`geo.network.load_graph`.

    Returns
    -------
    PlanInputs
        The inputs.
    """
    from geo import network, store
    from geo.sites import load_places

    week = week_label(week_monday(week))  # 2026-W9 → 2026-W09 in every output and file name
    spots: gpd.GeoDataFrame | None = None
    try:
        from geo.spots import OPEN_STATUSES, read_spots

        spots = read_spots(store_path, status=list(OPEN_STATUSES))
    except GeoError as e:
        logger.warning("no marked spots: %s", e)
    log = read_log(store_path)
    places = load_places()
    before = [shift_week(week, -k) for k in (1, 2, 3, 4)]
    return PlanInputs(
        week=week,
        incidents=store.read_incidents(store_path) if incidents is None else incidents,
        places=places,
        graph=G if G is not None else network.load_graph(),
        spots=spots,
        previous=visited_stops(
            pd.concat([read_plan_stops(w, store_path) for w in before], ignore_index=True),
            log,
            weeks=before,
            places=places,
        ),
        log=log,
    )


def visited_stops(
    planned: pd.DataFrame,
    log: pd.DataFrame,
    *,
    weeks: Sequence[str] = (),
    places: gpd.GeoDataFrame | None = None,
) -> pd.DataFrame:
    """Return the earlier weeks' stops as the patrol log says they were done.

    The plan avoids the places, weekdays and hour bands of the last weeks
    (:func:`geo.patrol.plan.recent_visits`); it read the stored plans only, so a trip
    cancelled for an emergency call still kept its places from next week's plan, and a place
    the police went to instead counted for nothing. A week whose log holds passes keeps the
    stops a pass names (:func:`geo.patrol_log.names_place`, :func:`~geo.patrol_log.pass_covers`)
    and adds, at the pass's start, each place a pass names that is another stop of these
    weeks' plans or, given ``places``, a named place (its candidate ``plats:<place_id>``,
    by name or alias): Gropen patrolled on a Friday evening instead of the plan's stops, or
    in a week with no stored plan, was not avoided the next Friday evening, as no plan had it.
    A week with nothing logged yet (the log is kept in a file brought in later) keeps its
    plan. A pass logged as cancelled (:func:`geo.patrol_log_fields.done_passes`) makes its
    week logged but visits nothing: a week whose only trip was called off keeps none of its
    stops, so next week's plan does not avoid places the police never reached.

    Parameters
    ----------
    planned
        :func:`read_plan_stops` of the weeks (``week``, ``candidate_id``, ``place``, ``start``).
    log
        :func:`geo.patrol_log.read_log`.
    weeks
        The weeks whose log counts also without a stored plan (ISO weeks).
    places
        :func:`geo.sites.load_places`: the named places a pass may name off the plans.

    Returns
    -------
    pandas.DataFrame
        ``planned``'s columns: its stops done, then the visits off the plan (their
        ``stop_order`` 0, ``activity`` the pass's).
    """
    from geo.sites import Gazetteer

    if not len(log) or not (len(planned) or weeks):
        return planned
    ids = {
        normalize_text(str(p)): str(c)
        for p, c in zip(planned["place"], planned["candidate_id"], strict=True)
    }
    named = Gazetteer(places) if places is not None and len(places) else None
    kept, extra = [planned.iloc[0:0]], []
    for week in dict.fromkeys([*map(str, planned["week"]), *weeks]):
        stops = planned[planned["week"].astype(str) == week]
        monday = week_monday(week)
        following = week_monday(shift_week(week, 1))
        inside = (log["start"] < following) & ((log["end"] > monday) | (log["start"] >= monday))
        if not inside.any():
            kept.append(stops)
            continue
        passes = done_passes(log[inside.to_numpy(dtype=bool)])
        done = [
            any(
                names_place(p["places"], str(s["place"]))
                and pass_covers(p["start"], p["end"], pd.Timestamp(s["start"]))
                for p in passes.to_dict("records")
            )
            for s in stops.to_dict("records")
        ]
        kept.append(stops[done])
        seen = {
            (str(s["candidate_id"]), pd.Timestamp(s["start"]).date())
            for s in stops[done].to_dict("records")
        }
        for p in passes.to_dict("records"):
            for name in places_of(p["places"]):
                cid = ids.get(normalize_text(name))
                match = named.lookup(name) if cid is None and named is not None else None
                if match is not None:
                    cid, name = f"plats:{match.place_id}", match.name
                start = pd.Timestamp(p["start"])
                if cid is None or (cid, start.date()) in seen:
                    continue
                seen.add((cid, start.date()))
                extra.append(
                    {**dict.fromkeys(planned.columns), "week": week, "stop_order": 0,
                     "candidate_id": cid, "place": name, "start": start,
                     "activity": str(p["activity"] or "")}
                )  # fmt: skip
    out = pd.concat(
        [*kept, pd.DataFrame(extra, columns=planned.columns)] if extra else kept, ignore_index=True
    )
    return out


def plan_control_points(
    incidents: gpd.GeoDataFrame,
    graph: nx.MultiDiGraph,
    *,
    week: str,
    places: gpd.GeoDataFrame,
    top: int,
    options: PlanSettings,
) -> gpd.GeoDataFrame:
    """Return a week's road control points, from the traffic events of the year before it.

    The segments count the period the stops' reasons count
    (:func:`geo.patrol.reasons.reason_period`), and their reason names it: counted over all
    the data, a plan for a past week used the events after it, and the segment's text was
    the same every week beside an "inom 300 m" of the last year.

    Parameters
    ----------
    incidents
        All stored incidents (EPSG:3006).
    graph
        Road graph.
    week
        The planned ISO week.
    places
        Places for the segments' names.
    top
        Most control points.
    options
        The plan's settings: which check a traffic category calls for
        (:func:`geo.roads.road_segments`), the same as for the plan's other stops.

    Returns
    -------
    geopandas.GeoDataFrame
        :func:`geo.roads.control_points`.

    Raises
    ------
    GeoError
        When the segments cannot be made (e.g. a graph in degrees).
    """
    from geo import roads

    begin, end, period = reason_period(incidents["occurred_at"], week)
    t = pd.to_datetime(incidents["occurred_at"])
    recent = incidents[(t >= begin) & (t < end)] if len(incidents) else incidents
    segments = roads.road_segments(graph, recent, checks=options, places=places)
    return roads.control_points(segments, graph, checks=options, top=top, period=period)


def week_forecast(
    incidents: gpd.GeoDataFrame,
    week: str,
    *,
    options: PlanSettings | None = None,
    seed: int | None = None,
    places: gpd.GeoDataFrame | None = None,
) -> gpd.GeoDataFrame:
    """Return the forecast a week's plan is made from (the maps draw the same one).

    Parameters
    ----------
    incidents
        The stored incidents (only those before the week's Monday are used).
    week
        ISO week.
    options
        Plan settings (their ``forecast_method``); default :func:`load_priorities`.
    seed
        Extra seed, as :func:`plan_from_inputs` takes it; the week seeds the rest.
    places
        The named places; default :func:`geo.sites.load_places`. An event at a bathing site
        counts for theme B, so the plan weighs it by B's priority (``[teman] B`` was read
        by no stop while no event was stored as B).

    Returns
    -------
    geopandas.GeoDataFrame
        :func:`geo.forecast.forecast_week` over the kommun and its margin.
    """
    from geo import forecast as fc_mod
    from geo.sites import load_boundary, load_places

    opts = (options or load_priorities()).validated()
    return fc_mod.forecast_week(
        incidents, week=week, method=opts.forecast_method, seed=week_seed(week, seed) % 2**31,
        area=load_boundary().buffer(settings.boundary_buffer_m),
        places=places if places is not None else load_places(),
    )  # fmt: skip


def plan_from_inputs(
    inputs: PlanInputs,
    *,
    options: PlanSettings | None = None,
    seed: int | None = None,
    method: str = "auto",
    not_before: pd.Timestamp | None = None,
    logged_min: float = 0.0,
) -> Plan:
    """Plan a week from inputs already read: forecast, road control points, then the solver.

    The road control points rank the segments by the traffic events of the year before the
    week (:func:`geo.patrol.reasons.reason_period`), the period the stops' reasons count.

    Parameters
    ----------
    inputs
        :func:`read_plan_inputs`.
    options
        Plan settings; default :func:`load_priorities`.
    seed
        Extra seed.
    method
        Solver method.
    not_before
        No trip before this time (:func:`replan_not_before`); ``None``: the whole week.
    logged_min
        Minutes the week's patrol log holds already (:attr:`Replan.logged_min`), which the
        outputs say (``meta["logged_min"]``, :meth:`Plan.logged_text`).

    Returns
    -------
    Plan
        The plan (not yet written; see :func:`geo.report.plan.write_plan_outputs`).
    """
    opts = (options or load_priorities()).validated()
    week, incidents, graph = inputs.week, inputs.incidents, inputs.graph
    fc = week_forecast(incidents, week, options=opts, seed=seed, places=inputs.places)
    cps: gpd.GeoDataFrame | None = None
    try:
        cps = plan_control_points(
            incidents,
            graph,
            week=week,
            places=inputs.places,
            top=opts.max_control_points,
            options=opts,
        )
    except GeoError as e:
        logger.warning("no road control points: %s", e)
    plan = make_plan(
        incidents, week=week, places=inputs.places, G=graph, forecast=fc, control_points=cps,
        spots=inputs.spots, previous=inputs.previous, options=opts, seed=seed, method=method,
        not_before=not_before,
    )  # fmt: skip
    plan.meta["logged_min"] = float(logged_min)
    return plan


def replan_not_before(week: str, *, now: pd.Timestamp | None = None) -> pd.Timestamp | None:
    """Return the time a week's plan may start from: now, when the week has begun.

    A week planned again after it began (a spot marked on Wednesday, the plan sent on
    Monday) was planned over all its days, trips on days gone included: W48 planned on its
    Sunday put both trips on the Friday and Saturday before, in the calendar and on Pass.
    A week not begun, or over (a past week planned for comparison), is planned whole.

    Parameters
    ----------
    week
        ISO week.
    now
        The time (default the clock; a naive time is local).

    Returns
    -------
    pandas.Timestamp or None
        ``now`` (local) inside the week, else ``None``.
    """
    at = local_now(now)
    monday = week_monday(week)
    following = week_monday(shift_week(week, 1))
    return at if monday <= at < following else None


def logged_minutes(
    week: str, store_path: Path | None = None, *, log: pd.DataFrame | None = None
) -> float:
    """Return the minutes the patrol log holds for a week (overlapping passes once).

    Parameters
    ----------
    week
        ISO week.
    store_path
        The store, whose log is read when ``log`` is not given.
    log
        The patrol log read already (:attr:`PlanInputs.log`).

    Returns
    -------
    float
        :func:`geo.patrol_log.minutes_per_week` of that week.
    """
    rows = read_log(store_path) if log is None else log
    done = minutes_per_week(rows, first_week=week, last_week=week)
    return float(done["minutes"].iloc[0])


def has_time_left(options: PlanSettings, logged_min: float) -> bool:
    """Say whether a week with ``logged_min`` logged has one stop's time left of its budget.

    Parameters
    ----------
    options
        The plan settings (``budget_min``, ``dwell_min``).
    logged_min
        Minutes the patrol log holds for the week (:func:`logged_minutes`).

    Returns
    -------
    bool
        ``budget_min - logged_min >= dwell_min``.
    """
    return options.budget_min - logged_min >= options.dwell_min


@dataclass(frozen=True)
class Replan:
    """How a week is planned, as the clock and the patrol log leave it.

    Attributes
    ----------
    not_before
        No trip before this time (:func:`replan_not_before`); ``None``: the whole week.
    logged_min
        Minutes the patrol log holds for the week (0 for a week not begun).
    options
        The plan settings: for a week begun, the budget is what is left of it after the
        minutes logged, unless the budget was given, and the trips and days the passes
        logged leave (:func:`trips_left`).
    """

    not_before: pd.Timestamp | None
    logged_min: float
    options: PlanSettings


def replan(
    week: str,
    options: PlanSettings,
    *,
    store_path: Path | None = None,
    budget_given: bool = False,
    now: pd.Timestamp | None = None,
    log: pd.DataFrame | None = None,
) -> Replan:
    """Return how to plan a week: from when, and with the minutes not yet logged.

    A week planned again after it began (a spot marked on Wednesday) used to be planned with
    the whole budget although Monday's pass had been logged: the new plan asked for 120
    minutes more. Now the budget is what the log leaves of it (``--budget`` overrides), and
    the trips are those it leaves (:func:`trips_left`): none on a day with a pass.

    Parameters
    ----------
    week
        ISO week.
    options
        The plan settings.
    store_path
        The store (its patrol log, read when ``log`` is not given).
    budget_given
        The budget was set by hand (``--budget``): keep it.
    now
        The time (default the clock).
    log
        The patrol log read with the plan's inputs (:attr:`PlanInputs.log`), so the
        minutes logged and the earlier weeks' visits come from the same rows.

    Returns
    -------
    Replan
        The start, the minutes logged and the settings to plan with.

    Raises
    ------
    GeoError
        If the week has begun and less than one stop's time (``dwell_min``) is left of the
        budget after the minutes logged.
    """
    not_before = replan_not_before(week, now=now)
    if not_before is None:
        return Replan(None, 0.0, options)
    rows = read_log(store_path) if log is None else log
    logged = logged_minutes(week, log=rows)
    options = trips_left(options, patrolled_days(week, rows))
    if budget_given:
        return Replan(not_before, logged, options)
    left = options.budget_min - logged
    if not has_time_left(options, logged):
        msg = (
            f"Vecka {int(week[-2:])}: {logged:.0f} av {options.budget_min:.0f} min är redan"
            f" loggade, inget kvar att planera. Ange --budget N för att planera N minuter till,"
            f" eller planera nästa vecka (--week {shift_week(week, 1)})."
        )
        raise GeoError(msg)
    return Replan(not_before, logged, replace(options, budget_min=left))


def patrolled_days(week: str, log: pd.DataFrame) -> set[int]:
    """Return the weekdays (Monday 0) of a week on which the patrol log holds a pass done.

    Parameters
    ----------
    week
        ISO week.
    log
        :func:`geo.patrol_log.read_log`; a cancelled pass was not done
        (:func:`geo.patrol_log_fields.done_passes`).

    Returns
    -------
    set of int
        The days of the passes' starts (local).
    """
    if not len(log):
        return set()
    monday, following = week_monday(week), week_monday(shift_week(week, 1))
    starts = pd.to_datetime(done_passes(log)["start"]).dt.tz_convert(settings.timezone)
    return {int(t.day_of_week) for t in starts if monday <= t < following}


def trips_left(options: PlanSettings, days: set[int]) -> PlanSettings:
    """Return the settings of a week begun whose log holds passes on ``days``.

    A week is one trip, or two on different days (``max_trips``); a week re-planned on
    Thursday at noon after a pass that morning was planned two more trips, one of them that
    evening: three trips in the week, two on Thursday, each with its drive from Örebro, for
    54 minutes. A day with a pass gets no trip (while another allowed day is left) and counts
    against ``max_trips``; at least one trip is planned, for the minutes left.

    Parameters
    ----------
    options
        The plan settings.
    days
        Weekdays with a pass done (:func:`patrolled_days`).

    Returns
    -------
    PlanSettings
        ``options`` with those days left out of ``allowed_days`` and ``max_trips`` less them.
    """
    if not days:
        return options
    free = tuple(d for d in options.allowed_days if d not in days)
    return replace(
        options,
        allowed_days=free or options.allowed_days,
        max_trips=max(1, options.max_trips - len(days)),
    )


#: Until this time on Monday (local), the plan is for the week begun: its planned days
#: (the allowed days, Friday and Saturday evenings by default) are all still ahead.
THIS_WEEK_UNTIL = dt.time(12, 0)


def week_to_plan(
    *,
    store_path: Path | None = None,
    now: dt.datetime | None = None,
    options: PlanSettings | None = None,
) -> tuple[str, str]:
    """Return the ISO week to plan and, in Swedish, why that one.

    Up to Monday 12:00 (:data:`THIS_WEEK_UNTIL`, local time) the week just begun: the
    kommunpolis planning on Monday morning, as the use case has it, wants this week's plan,
    not next week's, unless its patrol log leaves less than a stop's time of the budget
    (:func:`has_time_left`: a pass in the small hours).
    From then on, the coming week (a planner on a Friday plans Monday's week). Never a
    week the data has already covered: when the store holds data past today (a test set, a
    clock that is off), the week after its last full week.

    Parameters
    ----------
    store_path
        The store.
    now
        The time (default now); a naive time is local.
    options
        The plan settings (default :func:`load_priorities`): the budget a week begun is
        measured against.

    Returns
    -------
    tuple of str
        ``YYYY-Www`` and the reason, e.g. "innevarande vecka: före måndag 12:00 ligger
        veckans planerade dagar framför".
    """
    from geo import store

    t = pd.Timestamp(now) if now is not None else pd.Timestamp.now(tz=settings.timezone)
    local = t.tz_convert(settings.timezone) if t.tzinfo else t.tz_localize(settings.timezone)
    day = local.date()
    until = THIS_WEEK_UNTIL.strftime("%H:%M")
    monday_morning = day.weekday() == 0 and local.time() < THIS_WEEK_UNTIL
    logged = logged_minutes(week_label(day), store_path) if monday_morning else 0.0
    if monday_morning and has_time_left(options or load_priorities(), logged):
        week = week_label(day)
        why = f"innevarande vecka: före måndag {until} ligger veckans planerade dagar framför"
    elif monday_morning:  # the week's budget is logged already (a pass in the small hours)
        week = week_label(day + dt.timedelta(days=7))
        why = f"kommande vecka: innevarande vecka har redan {logged:.0f} min loggade"
    else:
        week = week_label(day + dt.timedelta(days=7 - day.weekday()))
        why = f"kommande vecka: från måndag {until} planeras nästa vecka (--week för en annan)"
    last = store.last_occurred(store_path)
    if last is None:
        return week, why
    last_day = last.tz_convert(settings.timezone).date()
    # the week after the last complete week in the data
    monday = last_day - dt.timedelta(days=last_day.weekday())
    if last_day.weekday() == 6:
        monday += dt.timedelta(weeks=1)
    after = week_label(monday)
    if after > week:  # "YYYY-Www" sorts in time order
        return after, f"veckan efter datans sista hela vecka (data till {last_day:%Y-%m-%d})"
    return week, why


def next_week(
    *,
    store_path: Path | None = None,
    today: dt.date | None = None,
    now: dt.datetime | None = None,
) -> str:
    """Return the ISO week to plan (:func:`week_to_plan` without its reason).

    Parameters
    ----------
    store_path
        The store.
    today
        Today's date, read as its midnight (so a Monday plans its own week); ``now`` wins.
    now
        The time (default now).

    Returns
    -------
    str
        ``YYYY-Www``.
    """
    if now is None and today is not None:
        now = dt.datetime.combine(today, dt.time(0, 0))
    return week_to_plan(store_path=store_path, now=now)[0]
