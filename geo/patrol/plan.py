"""The solved week's plan: candidates, values, solver, times, routes and reasons."""

from __future__ import annotations

import itertools
import logging
import math
from dataclasses import dataclass, replace
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from pyproj import Transformer

from geo import patrol_solver, settings
from geo.errors import DataError
from geo.model import SYNTHETIC_SOURCE, has_clock_time, synthetic_note
from geo.patrol.activities import activity_basis, stop_activity
from geo.patrol.candidates import plan_candidates
from geo.patrol.priorities import DWELL_RANGE_MIN, PlanSettings, load_priorities, week_seed
from geo.patrol.profiles import HOURS_OF_WEEK, FloatArray, events_profile
from geo.patrol.reasons import candidate_incidents, explain_stop, explain_time, reason_period
from geo.patrol.windows import Windows, band_hours, stop_values, trip_windows
from geo.patrol_solver import IntArray
from geo.weeks import week_monday
from geo.words import and_list

logger = logging.getLogger(__name__)


#: Columns of a plan's stops (besides ``geometry``).
STOP_COLUMNS: tuple[str, ...] = (
    "order",
    "trip",
    "candidate_id",
    "place",
    "place_id",
    "kind",
    "theme",
    "activity",
    "start",
    "end",
    "dwell_min",
    "drive_min_before",
    "value",
    "reason",
    "lon",
    "lat",
)


@dataclass
class Plan:
    """A week's plan.

    Attributes
    ----------
    week
        ISO week.
    budget_min, total_min
        The budget and the minutes planned (driving included, each drive in whole minutes,
        rounded up).
    stops
        Columns :data:`STOP_COLUMNS`, Point geometry (EPSG:3006), in visiting order;
        ``drive_min_before`` is the whole minutes driven to the stop.
    routes
        One LineString per trip along the roads (``trip``, ``drive_min``: its whole-minute
        drives), EPSG:3006.
    meta
        ``method``, ``value``, ``best_value``, ``data_period``, ``generated_at``,
        ``schematic``, ``network_note``, ``entry``, ``n_candidates``, ``synthetic_note`` (what
        the outputs say of a plan made from the synthetic sample; empty otherwise) and, for a
        week planned after it began, ``logged_min`` (the minutes its patrol log held).
    """

    week: str
    budget_min: float
    total_min: float
    stops: gpd.GeoDataFrame
    routes: gpd.GeoDataFrame
    meta: dict[str, Any]

    def logged_text(self) -> str:
        """Say, for a week planned after passes were logged, what the log holds already.

        A week planned again on Thursday read "Planerat 54 av 54 min" on its page and map,
        a week short of the promise to anyone without the command's output: the 66 minutes
        logged on Monday went unsaid (``meta["logged_min"]``, :func:`geo.patrol.replan`).

        Returns
        -------
        str
            E.g. "Redan loggat denna vecka: 66 av 120 min."; empty when nothing is logged.
        """
        from geo.patrol_log import PROMISE_MIN

        logged = float(self.meta.get("logged_min") or 0.0)
        return f"Redan loggat denna vecka: {logged:.0f} av {PROMISE_MIN} min." if logged else ""

    def as_dict(self) -> dict[str, Any]:
        """Return the plan as the ``geo plan --json`` object."""
        return {
            "week": self.week,
            "budget_min": _num(self.budget_min),
            "total_min": _num(self.total_min),
            "stops": [
                {
                    "order": int(s["order"]),
                    "place": str(s["place"]),
                    "place_id": None if pd.isna(s["place_id"]) else str(s["place_id"]),
                    "lon": round(float(s["lon"]), 6),
                    "lat": round(float(s["lat"]), 6),
                    "start": pd.Timestamp(s["start"]).isoformat(),
                    "dwell_min": _num(s["dwell_min"]),
                    "theme": str(s["theme"]),
                    "activity": str(s["activity"]),
                    "reason": str(s["reason"]),
                }
                for _, s in self.stops.iterrows()
            ],
        }


def _num(value: float) -> int | float:
    v = float(value)
    return round(v) if abs(v - round(v)) < 1e-6 else round(v, 1)


def _perturbed(
    values: FloatArray,
    rng: np.random.Generator,
    window_day: npt.NDArray[np.int64],
    sigma: float = 0.3,
) -> FloatArray:
    """Return values times log-normal noise per candidate, per window and per day.

    The day's factor moves whole trips to other days, the candidate's whole stops to other
    places; the window's own factor other hours of the same day.
    """
    n, w = values.shape
    per_day = np.exp(rng.normal(0.0, sigma, size=7))[window_day]
    noise = np.exp(rng.normal(0.0, sigma, size=(n, 1)) + rng.normal(0.0, sigma, size=(1, w)))
    return np.asarray(values * noise * per_day[None, :])


def _signature(sol: patrol_solver.Solution) -> tuple[tuple[int, tuple[int, ...]], ...]:
    return tuple(sorted((t.window, tuple(sorted(t.stops))) for t in sol.trips))


#: Weights of the penalty for repeating the last weeks, tried strongest first: the plan avoids
#: repeats as strongly as the tolerance on its expected events allows (a Lagrangian weight).
PENALTY_WEIGHTS: tuple[float, ...] = (1.0, 0.5, 0.25, 0.125)


def choose_solution(
    inst: patrol_solver.Instance,
    *,
    seed: int,
    near_optimal: float = 0.95,
    method: str = "auto",
    tries: int = 3,
    true_values: FloatArray | None = None,
) -> tuple[patrol_solver.Solution, float]:
    """Solve, then draw one of the near-optimal plans found (seeded) so patrols are unpredictable.

    Parameters
    ----------
    inst
        The instance; its values may hold the penalties for repeating the last weeks'
        places and hours (:func:`geo.patrol.windows.stop_values` with ``avoid``).
    seed
        Seed (from the ISO week).
    near_optimal
        Tolerance: the plan drawn is worth at least this share of the best plan's expected
        value (on ``true_values``).
    method
        Solver method, see :func:`geo.patrol_solver.solve`.
    tries
        Solves on randomly perturbed values (log-normal per candidate, window and day) that
        add plans to the pool.
    true_values
        Expected events per stop without the penalties (default ``inst.values``); the
        tolerance and the returned values are on these.

    Returns
    -------
    tuple
        The chosen solution (its ``value`` on the true values) and the best true value found.

    Notes
    -----
    The best plan on the true values sets the floor ``near_optimal * best``. The penalty is
    then weighted with the largest of :data:`PENALTY_WEIGHTS` whose plan stays above the
    floor (``true - weight * (true - penalised)``; none: the true values). The pool is the
    best plan, that plan and plans solved on the weighted values perturbed. A plan qualifies
    when it is above the floor and within the same tolerance of the pool's best on the
    weighted values; one of them is drawn, each as likely.
    """
    truth = replace(inst, values=inst.values if true_values is None else true_values)
    best = patrol_solver.solve(truth, method=method)
    if not best.trips:
        return best, best.value
    weighted, varied = _weighted_penalty(inst, truth, near_optimal * best.value, method=method)
    pool = {_signature(best): best}
    if varied is not None:
        pool.setdefault(_signature(varied), varied)
    rng = np.random.default_rng(seed)
    for _ in range(tries):
        noisy = replace(inst, values=_perturbed(weighted.values, rng, inst.window_day))
        sol = patrol_solver.solve(noisy, method=method)
        if sol.trips:
            pool.setdefault(_signature(sol), sol)
    sols = list(pool.values())
    true_vals = np.array([patrol_solver.plan_value(truth, s.trips) for s in sols])
    varied_vals = np.array([patrol_solver.plan_value(weighted, s.trips) for s in sols])
    best_value = float(true_vals.max())
    ok = true_vals >= near_optimal * best_value - 1e-12
    ok &= varied_vals >= near_optimal * varied_vals[ok].max() - 1e-12
    pick = int(rng.choice(np.flatnonzero(ok)))
    logger.debug(
        "plan pool: %d plans, true value shares %s, weighted %s, %d qualify",
        len(sols), np.round(true_vals / best_value, 3),
        np.round(varied_vals / max(varied_vals.max(), 1e-12), 3), int(ok.sum()),
    )  # fmt: skip
    return replace(sols[pick], value=float(true_vals[pick])), best_value


def _weighted_penalty(
    inst: patrol_solver.Instance,
    truth: patrol_solver.Instance,
    floor: float,
    *,
    method: str,
) -> tuple[patrol_solver.Instance, patrol_solver.Solution | None]:
    """Return the instance with the strongest penalty weight whose plan stays above ``floor``.

    Returns
    -------
    tuple
        The weighted instance and its plan; the true instance and ``None`` when every
        weight's plan falls below the floor (or nothing is penalised).
    """
    cost = truth.values - inst.values
    if not (cost > 0).any():
        return truth, None
    for weight in PENALTY_WEIGHTS:
        weighted = replace(inst, values=np.asarray(truth.values - weight * cost))
        sol = patrol_solver.solve(weighted, method=method)
        if sol.trips and patrol_solver.plan_value(truth, sol.trips) >= floor - 1e-12:
            logger.debug("repeat penalty weight %.3f keeps the plan above the floor", weight)
            return weighted, sol
    return truth, None


def make_plan(
    incidents: gpd.GeoDataFrame,
    *,
    week: str,
    places: gpd.GeoDataFrame,
    G: nx.MultiDiGraph,
    forecast: gpd.GeoDataFrame,
    control_points: gpd.GeoDataFrame | None = None,
    spots: gpd.GeoDataFrame | None = None,
    previous: pd.DataFrame | None = None,
    options: PlanSettings | None = None,
    seed: int | None = None,
    method: str = "auto",
    generated_at: pd.Timestamp | None = None,
    not_before: pd.Timestamp | None = None,
) -> Plan:
    """Plan a week's patrol: candidates, values, solve, times, routes and reasons.

    Parameters
    ----------
    incidents
        Incidents (for the reasons; EPSG:3006, ``occurred_at`` tz-aware).
    week
        ISO week, ``YYYY-Www``.
    places
        :func:`geo.sites.load_places`.
    G
        Road graph (travel times, routes).
    forecast
        :func:`geo.forecast.forecast_week` for ``week``.
    control_points, spots
        See :func:`plan_candidates`.
    previous
        The stops of earlier weeks' plans (``candidate_id``, ``start``); those of the last
        ``options.history_weeks`` weeks keep ``last_week_factor`` of their value in the same
        weekday and hour band (:func:`recent_visits`).
    options
        Plan settings; default :func:`load_priorities`.
    seed
        Extra seed; the ISO week always seeds the choice.
    method
        Solver method (``auto``, ``milp``, ``heuristic``).
    generated_at
        Generation time shown on the outputs (default now).
    not_before
        No trip leaves before this time (tz-aware): a week re-planned after it began is
        planned in the hours ahead (:func:`geo.patrol.replan_not_before`). ``None``: the
        whole week.

    Returns
    -------
    Plan
        The plan.

    Raises
    ------
    InfeasiblePatrolError
        If the budget cannot reach any candidate (e.g. a 5-minute budget).
    DataError
        If there is no candidate at all, or no trip window after ``not_before``.
    """
    from geo import network

    opts = (options or load_priorities()).validated()
    monday = week_monday(week)
    candidates = week_candidates(
        forecast, incidents, week=week, places=places, G=G, control_points=control_points,
        spots=spots, options=opts,
    )  # fmt: skip
    if candidates.empty:
        msg = f"No candidate stops for {week}: no places, forecast or spots. Run `geo run` first."
        raise DataError(msg)
    windows = trip_windows(opts)
    if not_before is not None:
        windows = _windows_after(windows, monday, pd.Timestamp(not_before), week=week)
    avoid = recent_visits(previous, monday=monday, weeks=opts.history_weeks)
    true_values = stop_values(candidates, windows, options=opts)
    values = stop_values(candidates, windows, options=opts, avoid=avoid)
    entry = entry_point(G, opts)
    pts = gpd.GeoSeries([entry, *candidates.geometry], crs=settings.working_crs)
    travel_min = network.travel_time_matrix(G, pts) / 60.0
    inst = patrol_solver.Instance(
        values=values,
        travel_min=travel_min,
        window_day=windows.day,
        window_len_min=float(windows.length_h * 60),
        dwell_min=opts.dwell_min,
        budget_min=opts.budget_min,
        max_trips=opts.max_trips,
        repeat_factor=opts.repeat_factor,
        groups=same_place_groups(candidates, distance_m=opts.same_place_m),
    )
    rng_seed = week_seed(week, seed)
    solution, best_value = choose_solution(
        inst, seed=rng_seed, near_optimal=opts.near_optimal, method=method,
        true_values=true_values,
    )  # fmt: skip
    if not solution.trips:
        msg = (
            f"No stop in {week} has any value (empty forecast and no places in season); "
            "import incidents or mark spots, then plan again."
        )
        raise DataError(msg)
    rng = np.random.default_rng(rng_seed)
    stop_rows: list[dict[str, Any]] = []
    route_rows: list[dict[str, Any]] = []
    trips = sorted(solution.trips, key=lambda t: int(windows.how[t.window]))
    legs = [_whole_minute_legs(travel_min, trip.stops) for trip in trips]
    planned = sum(sum(leg) for leg in legs) + opts.dwell_min * sum(len(t.stops) for t in trips)
    dwell = _fill_budget(trips, true_values, planned, opts)
    order = 0
    total_min = 0.0
    for k, trip in enumerate(trips, start=1):
        length = float(sum(legs[k - 1]) + sum(dwell[k - 1]))
        total_min += length
        slack = int(windows.length_h * 60 - length)
        offset = int(rng.integers(0, slack // 5 + 1)) * 5 if slack > 0 else 0
        t = _wall_clock(monday, hours=int(windows.how[trip.window]), minutes=offset)
        path_pts = [entry]
        for s, stay, drive in zip(trip.stops, dwell[k - 1], legs[k - 1][:-1], strict=True):
            start = _local(t + pd.Timedelta(minutes=drive))
            end = start + pd.Timedelta(minutes=stay)
            cand = candidates.iloc[s]
            order += 1
            stop_rows.append(
                {
                    "order": order,
                    "trip": k,
                    "candidate_id": cand["candidate_id"],
                    "place": cand["name"],
                    "place_id": cand["place_id"],
                    "kind": cand["kind"],
                    "theme": cand["theme"],
                    "activity": cand["activity"],
                    "start": start,
                    "end": end,
                    "dwell_min": stay,
                    "drive_min_before": float(drive),
                    "value": float(true_values[s, trip.window]),
                    "reason": explain_stop(
                        cand,
                        incidents,
                        week=week,
                        places=places,
                        check_categories=opts.activity_categories(str(cand["activity"])),
                    )
                    + " "
                    + (f"{basis} " if (basis := activity_basis(cand, incidents, week=week)) else "")
                    + explain_time(cand["how_profile"], start, end, windows),
                    "geometry": cand.geometry,
                }
            )
            path_pts.append(cand.geometry)
            t = end
        path_pts.append(entry)
        lines = [network.route(G, a, b) for a, b in itertools.pairwise(path_pts)]
        coords: list[tuple[float, float]] = []
        for line in lines:
            coords.extend((float(c[0]), float(c[1])) for c in line.coords)
        route_rows.append(
            {"trip": k, "drive_min": float(sum(legs[k - 1])),
             "geometry": shapely.LineString(coords)}
        )  # fmt: skip
    stops = gpd.GeoDataFrame(stop_rows, geometry="geometry", crs=settings.working_crs)
    lonlat = stops.to_crs(settings.display_crs).geometry
    stops["lon"], stops["lat"] = lonlat.x.round(6), lonlat.y.round(6)
    stops = stops[[*STOP_COLUMNS, "geometry"]]
    routes = gpd.GeoDataFrame(route_rows, geometry="geometry", crs=settings.working_crs)
    times = pd.to_datetime(incidents["occurred_at"]) if len(incidents) else pd.Series([])
    before = times[times < monday] if len(times) else times
    share = solution.value / best_value if best_value > 0 else 1.0
    meta: dict[str, Any] = {
        "method": solution.method,
        "value": solution.value,
        "best_value": best_value,
        "value_share": share,
        "spare_min": max(0.0, opts.budget_min - total_min),
        "data_period": (
            f"{before.min():%Y-%m-%d} – {before.max():%Y-%m-%d}" if len(before) else "inga data"
        ),
        "generated_at": (generated_at or pd.Timestamp.now(tz=settings.timezone)).isoformat(),
        "schematic": bool(G.graph.get("schematic", False)),
        "network_note": network.SCHEMATIC_NOTE if G.graph.get("schematic") else "",
        "entry": opts.entry_name,
        "n_candidates": len(candidates),
        # a printed plan is passed around: it says so itself, not only in its reasons
        "synthetic_note": SYNTHETIC_NOTE
        if len(before) and (incidents.loc[times < monday, "source"] == SYNTHETIC_SOURCE).any()
        else "",
        "repeat_note": repeat_note(stops, previous, monday=monday, weeks=opts.history_weeks),
    }
    logger.info(
        "plan %s: %d stops in %d trips, %.0f of %.0f min, %.0f %% of the best plan's expected "
        "events (%s)", week, len(stops), len(trips), total_min, opts.budget_min,
        100 * share, solution.method,
    )  # fmt: skip
    return Plan(week, opts.budget_min, total_min, stops, routes, meta)


#: What a plan made from the synthetic sample says on its page, map and calendar.
SYNTHETIC_NOTE = synthetic_note("Planen")

#: Weight (in events) of the kommun's traffic hours in a control point's own: as the forecast
#: shrinks a cell's hours toward the area's (20 events).
TRAFFIC_HOURS_PRIOR_EVENTS = 20.0


def week_candidates(
    forecast: gpd.GeoDataFrame,
    incidents: gpd.GeoDataFrame,
    *,
    week: str,
    places: gpd.GeoDataFrame,
    G: nx.MultiDiGraph,
    control_points: gpd.GeoDataFrame | None,
    spots: gpd.GeoDataFrame | None,
    options: PlanSettings,
) -> gpd.GeoDataFrame:
    """Return the week's candidate stops as the plan values them: activity and hours set.

    :func:`plan_candidates`, then each traffic stop's control (:func:`stop_activity`), then
    each control point's hours from the events its check is for (:func:`timed_by_traffic`).

    Parameters
    ----------
    forecast, incidents, week, places, G, control_points, spots, options
        As :func:`plan` takes them.

    Returns
    -------
    geopandas.GeoDataFrame
        :data:`~geo.patrol.candidates.CANDIDATE_COLUMNS`; empty when there is no candidate.
    """
    candidates = plan_candidates(
        forecast, week=week, places=places, G=G, control_points=control_points, spots=spots,
        options=options,
    )  # fmt: skip
    if candidates.empty:
        return candidates
    candidates["activity"] = [
        stop_activity(cand, incidents, week=week, options=options)
        for _, cand in candidates.iterrows()
    ]
    return timed_by_traffic(candidates, incidents, week=week, options=options)


def timed_by_traffic(
    candidates: gpd.GeoDataFrame,
    incidents: gpd.GeoDataFrame,
    *,
    week: str,
    options: PlanSettings | None = None,
) -> gpd.GeoDataFrame:
    """Give each control point the hours of the traffic events its check is for.

    A control point is a speed, vehicle or sobriety check, and its value counts traffic
    alone, but its hours were those of its forecast cells, every theme together: W49's speed
    checks on väg 204 at Fjugesta centrum were planned Friday 20–22 and Saturday 21–23, the
    town's alcohol and narcotics hours. Its hours are now those of the events its check is
    for (:meth:`PlanSettings.activity_categories`: speeding and reckless driving for a speed
    check) within :data:`~geo.patrol.reasons.NEAR_RADIUS_M` in the year its reason counts
    (:func:`~geo.patrol.reasons.candidate_incidents`), shrunk by
    :data:`TRAFFIC_HOURS_PRIOR_EVENTS` events toward the kommun's hours of the same events
    (all its traffic when it has none of them): speeding happens on the way to and from work,
    loud cars in the evening, and a check with a few events of its own kept the evening hours
    of all the kommun's traffic (a planner's review of W49: Friday 20:19 on a road whose
    speeding peaks 15–18).

    Parameters
    ----------
    candidates
        :func:`plan_candidates`, ``activity`` as the plan sets it (:func:`stop_activity`).
    incidents
        The incidents the reasons count (EPSG:3006).
    week
        The planned ISO week.
    options
        The plan settings (which categories call for which check); the defaults when None.

    Returns
    -------
    geopandas.GeoDataFrame
        ``candidates`` with new ``how_profile`` on the rows of kind ``kontrollpunkt``.
    """
    opts = options or PlanSettings()
    is_check = np.asarray(candidates["kind"] == "kontrollpunkt")
    if not is_check.any() or not len(incidents):
        return candidates
    t = pd.to_datetime(incidents["occurred_at"])
    begin, end, _period = reason_period(t, week)
    recent = (t >= begin) & (t < end)
    # only events with a clock hour time a check (a report dated only is stored at midnight)
    traffic = recent & (incidents["theme"].astype(str) == "T") & has_clock_time(incidents)
    category = incidents["category"].astype(str)
    out = candidates.copy()
    profiles = list(out["how_profile"])
    for i in np.flatnonzero(is_check):
        of_check = traffic & category.isin(opts.activity_categories(str(out.iloc[i]["activity"])))
        if not of_check.any():
            of_check = traffic
        kommun = events_profile(t[of_check], prior=np.ones(HOURS_OF_WEEK), prior_events=1.0)
        near = candidate_incidents(out.iloc[i], incidents) & of_check
        own = events_profile(t[near], prior=kommun, prior_events=TRAFFIC_HOURS_PRIOR_EVENTS)
        profiles[i] = [float(v) for v in own]
    out["how_profile"] = profiles
    return out


def _whole_minute_legs(travel_min: FloatArray, stops: tuple[int, ...]) -> list[int]:
    """Return a trip's drives in whole minutes, each rounded up: out, between stops, back.

    The plan's clock, its "körning 8 min" and its total are then the same numbers: with the
    exact minutes each stop's start was rounded up on its own, and W49's page read 120 of
    120 minutes over trips of 54 and 70 on the clock, legs of "8 min" taking 9.
    """
    path = [0, *(s + 1 for s in stops), 0]
    return [math.ceil(float(travel_min[a, b]) - 1e-9) for a, b in itertools.pairwise(path)]


def _fill_budget(
    trips: list[patrol_solver.Trip],
    values: FloatArray,
    planned_min: float,
    opts: PlanSettings,
) -> list[list[float]]:
    """Return each stop's minutes, the budget's spare minutes spread over the stops.

    The solver fits whole stops of ``dwell_min`` with their drives in the budget; what it
    leaves is less than one more stop and its drive (107 of 120 minutes on the default data).
    When the drives rounded up to whole minutes leave less than nothing (121 of 120), the least
    valuable stops give the minutes back, down to the curve's shortest stop (10 min).
    Those minutes, rounded up to whole minutes, go to the stops, the most valuable first,
    evenly: first up to the Koper curve's longest stop (:data:`DWELL_RANGE_MIN`, 16 min),
    then beyond it (at most another ``dwell_min`` each). A stop past 16 minutes adds little
    deterrence, but the löfte promises two hours *in the kommun* each week, and a plan that
    left minutes unplanned would fall short of it (``meta["spare_min"]`` says what is still
    left, 0 unless the stops cannot hold it); its stops stay in their trip windows.

    Parameters
    ----------
    trips
        The solution's trips, in the order they are written.
    values
        Value per candidate and window (:func:`stop_values`).
    planned_min
        Minutes of the trips (their whole-minute drives and ``dwell_min`` per stop).
    opts
        Plan settings (``budget_min``, ``dwell_min``).

    Returns
    -------
    list of list of float
        Minutes at each stop, per trip.
    """
    stops = [(float(values[s, trip.window]), k, j)
             for k, trip in enumerate(trips) for j, s in enumerate(trip.stops)]  # fmt: skip
    dwell = [[opts.dwell_min] * len(trip.stops) for trip in trips]
    # whole minutes, rounded up: the promise is *at least* the budget (120.4 of 120, not 119.6)
    spare = math.ceil(opts.budget_min - planned_min - 1e-6)
    if spare < 0 and stops:
        # the drives rounded up to whole minutes took the solver's last minutes (121 of
        # 120): the least valuable stops give them back, down to the curve's shortest stop
        least = sorted(stops, key=lambda v: v[0])
        for _ in range(int(max(0.0, opts.dwell_min - DWELL_RANGE_MIN[0]))):
            for _value, k, j in least:
                if spare < 0:
                    dwell[k][j] -= 1
                    spare += 1
        return dwell
    if not stops or not spare:
        return dwell
    ranked = sorted(stops, key=lambda v: -v[0])
    # first up to the curve's longest stop, then past it: the promise counts presence
    for room in (max(0.0, DWELL_RANGE_MIN[1] - opts.dwell_min), opts.dwell_min):
        added = _spread(dwell, ranked, spare, room)
        spare -= added
        if spare <= 0:
            break
    return dwell


def _spread(
    dwell: list[list[float]], ranked: list[tuple[float, int, int]], spare: int, room: float
) -> int:
    """Add whole minutes to the stops in turn, best first, up to ``room`` each; return them."""
    added = 0
    for _ in range(int(room)):
        for _value, k, j in ranked:
            if added >= spare:
                return added
            dwell[k][j] += 1
            added += 1
    return added


def recent_visits(
    previous: pd.DataFrame | None, *, monday: pd.Timestamp, weeks: int
) -> list[tuple[str, int]]:
    """Return the candidate and hour of the week of each stop planned in the last weeks.

    Parameters
    ----------
    previous
        Earlier plans' stops (``candidate_id``, ``start``), of any weeks.
    monday
        Local Monday 00:00 of the week planned.
    weeks
        How many weeks back count (stops before that, or not before ``monday``, are ignored).

    Returns
    -------
    list of tuple
        ``(candidate_id, hour of week)`` per recent stop, oldest first; :func:`stop_values`
        avoids the weekday and hour band of each.
    """
    if previous is None or not len(previous) or weeks <= 0:
        return []
    since = monday - pd.Timedelta(weeks=weeks)
    visits = []
    for cid, start in zip(previous["candidate_id"], previous["start"], strict=True):
        t = pd.Timestamp(start).tz_convert(settings.timezone)
        if since <= t < monday:
            visits.append((t, str(cid), int(t.day_of_week * 24 + t.hour)))
    return [(cid, hour) for _t, cid, hour in sorted(visits)]


def repeat_note(
    stops: gpd.GeoDataFrame,
    previous: pd.DataFrame | None,
    *,
    monday: pd.Timestamp,
    weeks: int = 4,
) -> str:
    """Say when a plan repeats last week's places, weekdays and hour bands, stop for stop.

    The plan avoids last weeks' slots only as far as the expected events allow
    (``last_week_factor``, ``near_optimal``); on data where a few places and evenings hold most
    of the events the same week comes back, which a planner's review found W49–W52 did
    without the page saying so. A pattern the public can learn is the planner's to vary.

    Parameters
    ----------
    stops
        The plan's stops (``candidate_id``, ``start``).
    previous
        Earlier plans' stops (:func:`recent_visits` reads them).
    monday
        Local Monday 00:00 of the planned week.
    weeks
        How many weeks back are compared, each on its own (W52 matched W49 and W50 but not
        W51, and said nothing when only the week before was compared).

    Returns
    -------
    str
        E.g. "Samma platser och veckodagar, vid ungefär samma tid, som veckorna 49 och 50: de
        ger mest av veckans förväntade händelser; variera gärna exakt plats och tid." ("ungefär
        samma tid": the same hour band, :func:`~geo.patrol.windows.band_hours`, as the plan's
        variety rule counts it). Empty when no stored week of those is alike.
    """
    if not len(stops):
        return ""
    here = {
        (str(cid), band_hours(pd.Timestamp(t).day_of_week * 24 + pd.Timestamp(t).hour).start)
        for cid, t in zip(stops["candidate_id"], stops["start"], strict=True)
    }
    alike = []
    for back in range(1, weeks + 1):  # each earlier week on its own, the latest first
        week_before = monday - pd.Timedelta(weeks=back)
        visits = recent_visits(previous, monday=week_before + pd.Timedelta(weeks=1), weeks=1)
        if visits and {(cid, band_hours(hour).start) for cid, hour in visits} == here:
            alike.append(int(week_before.isocalendar().week))
    if not alike:
        return ""
    which = (
        f"vecka {alike[0]}" if len(alike) == 1 else f"veckorna {and_list(sorted(map(str, alike)))}"
    )
    return (
        f"Samma platser och veckodagar, vid ungefär samma tid, som {which}: de ger mest av "
        "veckans förväntade händelser; variera gärna exakt plats och tid."
    )


def same_place_groups(candidates: gpd.GeoDataFrame, *, distance_m: float) -> IntArray:
    """Return a place number per candidate: candidates closer than ``distance_m`` share one.

    Parameters
    ----------
    candidates
        :func:`plan_candidates` (EPSG:3006 points).
    distance_m
        Single-linkage distance: a road control point 250 m from a town centre is the town
        centre's place for the repeat discount.

    Returns
    -------
    numpy.ndarray
        ``(n,)`` place numbers ``0..``.
    """
    from scipy.sparse.csgraph import connected_components
    from scipy.spatial import cKDTree

    n = len(candidates)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    xy = np.column_stack([candidates.geometry.x, candidates.geometry.y])
    pairs = cKDTree(xy).query_pairs(distance_m, output_type="ndarray")
    adjacency = np.zeros((n, n), dtype=bool)
    adjacency[pairs[:, 0], pairs[:, 1]] = True
    _, labels = connected_components(adjacency, directed=False)
    return np.asarray(labels, dtype=np.int64)


def _windows_after(
    windows: Windows, monday: pd.Timestamp, not_before: pd.Timestamp, *, week: str
) -> Windows:
    """Return the trip windows that start at or after ``not_before``.

    Raises
    ------
    DataError
        In Swedish, when none is left: the week's hours are past.
    """
    keep = np.array(
        [_wall_clock(monday, hours=int(h)) >= not_before for h in windows.how], dtype=bool
    )
    if not keep.any():
        at = not_before.tz_convert(settings.timezone)
        msg = (
            f"Vecka {int(week.split('-W')[1])} har inga timmar kvar att planera efter"
            f" {at:%Y-%m-%d %H:%M}: planera en kommande vecka med --week."
        )
        raise DataError(msg)
    return Windows(windows.day[keep], windows.start_hour[keep], windows.length_h)


def _wall_clock(monday: pd.Timestamp, *, hours: int, minutes: int = 0) -> pd.Timestamp:
    """Return the local time ``hours`` (of the week) and ``minutes`` after Monday 00:00.

    The windows and the values are local hours of the week (Sunday 20:00 is hour 164 in
    every week); in a week whose Sunday the clocks change, 164 elapsed hours after Monday
    00:00 are Sunday 21:00 (March) or 19:00 (October), so the week is counted on the wall
    clock. A time the spring change skips moves forward; one the autumn change repeats is
    its first.
    """
    naive = monday.tz_localize(None) + pd.Timedelta(hours=hours, minutes=minutes)
    return pd.Timestamp(
        naive.tz_localize(settings.timezone, nonexistent="shift_forward", ambiguous=True)
    )


def _local(t: pd.Timestamp) -> pd.Timestamp:
    return t.tz_convert(settings.timezone)


def entry_point(G: nx.MultiDiGraph, opts: PlanSettings) -> shapely.Point:
    """Return where every trip starts and ends: the graph's node named ``opts.entry_name``.

    Parameters
    ----------
    G
        Road graph (EPSG:3006).
    opts
        Plan settings; ``entry_lonlat`` is used when no node has the name.

    Returns
    -------
    shapely.Point
        The entry point in EPSG:3006.
    """
    for node, name in G.nodes(data="name"):
        if name == opts.entry_name:
            return shapely.Point(G.nodes[node]["x"], G.nodes[node]["y"])
    lon, lat = opts.entry_lonlat
    x, y = Transformer.from_crs(4326, settings.working_crs, always_xy=True).transform(lon, lat)
    logger.info("no node named %r; entry point at %.5f, %.5f", opts.entry_name, lon, lat)
    return shapely.Point(x, y)
