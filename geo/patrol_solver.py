"""The patrol-plan optimisation: an exact MILP (PuLP + CBC) and a fast heuristic for one model.

The model (a team orienteering problem with trip windows): candidates ``1..n`` and the entry
point ``0`` with driving minutes between them; windows ``w`` (a start hour of the week and a
day) in which a trip can be made; the value of a stop at candidate ``i`` in window ``w``.
A plan is at most ``max_trips`` trips on different days; each trip leaves the entry point,
visits its stops (``dwell_min`` each) and returns, within ``window_len_min``; all trips
together fit ``budget_min``. A place (a group of candidates, by default each candidate alone)
visited in two trips earns its larger trip's value plus ``repeat_factor`` times the smaller one
(diminishing returns).
"""

from __future__ import annotations

import functools
import itertools
import logging
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pulp

from geo.errors import DataError, GeoError, InfeasiblePatrolError

logger = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
_EPS = 1e-6
#: Exponents of the minutes in the greedy value-per-minute score.
_ALPHAS = (0.0, 0.5, 1.0, 2.0)


@dataclass(frozen=True)
class Instance:
    """One planning problem.

    Attributes
    ----------
    values
        ``(n, W)`` non-negative value of a stop at candidate ``i`` during window ``w``.
    travel_min
        ``(n + 1, n + 1)`` driving minutes; row/column 0 is the entry point, ``i + 1`` is
        candidate ``i``.
    window_day
        ``(W,)`` day of each window; two trips never share a day.
    window_len_min
        Longest trip (leaving the entry point to returning to it) in any window.
    dwell_min
        Minutes spent at each stop.
    budget_min
        Minutes of all trips together, driving included.
    max_trips
        1 or 2.
    repeat_factor
        Share of the value a second visit to the same place in the week earns.
    groups
        ``(n,)`` place of each candidate: candidates of one place visited on two trips earn
        the repeat share on the smaller trip's value; default each candidate is its own place.
        Candidates of one place on the same trip count in full (different stops).
    """

    values: FloatArray
    travel_min: FloatArray
    window_day: IntArray
    window_len_min: float
    dwell_min: float
    budget_min: float
    max_trips: int = 2
    repeat_factor: float = 0.5
    groups: IntArray | None = None

    @property
    def n(self) -> int:
        """Number of candidates."""
        return int(self.values.shape[0])

    @property
    def n_windows(self) -> int:
        """Number of windows."""
        return int(self.values.shape[1])

    @functools.cached_property
    def place_of(self) -> IntArray:
        """Place (group) of each candidate, ``0..n_places - 1``."""
        if self.groups is None:
            return np.arange(self.n, dtype=np.int64)
        return np.unique(np.asarray(self.groups), return_inverse=True)[1].astype(np.int64)

    def check(self) -> None:
        """Raise :class:`DataError` when the arrays do not fit together.

        Raises
        ------
        DataError
            On mismatched shapes, negative values or times, or ``max_trips`` not 1 or 2.
        """
        n, w = self.values.shape
        problems = []
        if self.travel_min.shape != (n + 1, n + 1):
            problems.append(f"travel_min has shape {self.travel_min.shape}, need {(n + 1, n + 1)}")
        if self.window_day.shape != (w,):
            problems.append(f"window_day has shape {self.window_day.shape}, need {(w,)}")
        if (self.values < 0).any() or not np.isfinite(self.values).all():
            problems.append("values must be finite and >= 0")
        if (self.travel_min < 0).any():
            problems.append("travel_min must be >= 0 (inf where no route)")
        if self.max_trips not in (1, 2):
            problems.append(f"max_trips is {self.max_trips!r}, use 1 or 2")
        if self.dwell_min <= 0:
            problems.append(f"dwell_min is {self.dwell_min!r}, must be > 0")
        if self.groups is not None and np.shape(self.groups) != (n,):
            problems.append(f"groups has shape {np.shape(self.groups)}, need {(n,)}")
        if problems:
            msg = "Invalid patrol instance: " + "; ".join(problems) + "."
            raise DataError(msg)


@dataclass(frozen=True)
class Trip:
    """One trip: its window and the candidates visited, in order."""

    window: int
    stops: tuple[int, ...]


@dataclass(frozen=True)
class Solution:
    """A plan for an instance.

    Attributes
    ----------
    trips
        The trips (non-empty ones only).
    value
        Objective value (see :func:`plan_value`).
    total_min
        Minutes of all trips, driving included.
    method
        ``"milp"`` or ``"heuristic"``.
    optimal
        The MILP proved optimality (within its gap).
    """

    trips: tuple[Trip, ...]
    value: float
    total_min: float
    method: str
    optimal: bool = False


def trip_minutes(inst: Instance, stops: tuple[int, ...] | list[int]) -> float:
    """Return the minutes of a trip from the entry point through ``stops`` and back.

    Parameters
    ----------
    inst
        The instance.
    stops
        Candidate indices in order.

    Returns
    -------
    float
        Driving plus dwell minutes; 0 for no stops.
    """
    if not stops:
        return 0.0
    path = [0, *(s + 1 for s in stops), 0]
    drive = float(sum(inst.travel_min[a, b] for a, b in itertools.pairwise(path)))
    return drive + inst.dwell_min * len(stops)


def plan_value(inst: Instance, trips: tuple[Trip, ...] | list[Trip]) -> float:
    """Return the value of a plan: per place, its best trip plus a share of a second.

    Parameters
    ----------
    inst
        The instance.
    trips
        The trips.

    Returns
    -------
    float
        Sum over places of ``max + repeat_factor * (sum - max)`` of its per-trip values (the
        values of the place's candidates visited on that trip).
    """
    place = inst.place_of
    per: dict[int, list[float]] = {}
    for k, trip in enumerate(trips):
        for s in trip.stops:
            vals = per.setdefault(int(place[s]), [0.0] * len(trips))
            vals[k] += float(inst.values[s, trip.window])
    total = 0.0
    for vals in per.values():
        best = max(vals)
        total += best + inst.repeat_factor * (sum(vals) - best)
    return total


def check_solution(inst: Instance, trips: tuple[Trip, ...] | list[Trip]) -> list[str]:
    """Return what makes a plan infeasible (empty when it is feasible).

    Parameters
    ----------
    inst
        The instance.
    trips
        The trips.

    Returns
    -------
    list of str
        Problems: budget, window length, shared days, repeated stops within a trip.
    """
    problems = []
    if len(trips) > inst.max_trips:
        problems.append(f"{len(trips)} trips > max {inst.max_trips}")
    days = [int(inst.window_day[t.window]) for t in trips]
    if len(set(days)) < len(days):
        problems.append(f"two trips on the same day {days}")
    total = 0.0
    for t in trips:
        minutes = trip_minutes(inst, t.stops)
        total += minutes
        if minutes > inst.window_len_min + _EPS:
            problems.append(f"trip of {minutes:.1f} min > window {inst.window_len_min:.0f} min")
        if len(set(t.stops)) < len(t.stops):
            problems.append(f"trip repeats a stop {t.stops}")
    if total > inst.budget_min + _EPS:
        problems.append(f"total {total:.1f} min > budget {inst.budget_min:.0f} min")
    return problems


def _solution(inst: Instance, trips: list[Trip], method: str, optimal: bool) -> Solution:
    kept = tuple(t for t in trips if t.stops)
    return Solution(
        trips=kept,
        value=plan_value(inst, kept),
        total_min=sum(trip_minutes(inst, t.stops) for t in kept),
        method=method,
        optimal=optimal,
    )


def reachable(inst: Instance) -> npt.NDArray[np.bool_]:
    """Return which candidates fit a trip on their own (there and back plus one dwell).

    Parameters
    ----------
    inst
        The instance.

    Returns
    -------
    numpy.ndarray
        Boolean per candidate.
    """
    alone = inst.travel_min[0, 1:] + inst.travel_min[1:, 0] + inst.dwell_min
    return np.asarray(alone <= min(inst.budget_min, inst.window_len_min) + _EPS)


# ----------------------------------------------------------------------------- MILP


def cbc_path() -> str:
    """Return the CBC executable: the one bundled with PuLP, else ``cbc`` on the PATH.

    Raises
    ------
    GeoError
        If neither exists.
    """
    from pulp.apis import coin_api

    bundled = Path(coin_api.pulp_cbc_path).resolve()
    if bundled.is_file() and os.access(bundled, os.X_OK):
        return str(bundled)
    found = shutil.which("cbc")
    if found:
        return found
    msg = (
        "The CBC solver is missing; reinstall pulp (`pip install pulp`) "
        "or `apt-get install coinor-cbc`."
    )
    raise GeoError(msg)


def solve_milp(
    inst: Instance,
    *,
    time_limit_s: float = 20.0,
    gap_rel: float = 1e-4,
    start: Solution | None = None,
) -> Solution:
    """Solve the instance exactly with PuLP's bundled CBC.

    Parameters
    ----------
    inst
        The instance (keep ``n`` ≲ 40 and the windows few; see :func:`solve`).
    time_limit_s
        CBC time limit; the best plan found by then is returned (``optimal`` False).
    gap_rel
        Relative optimality gap at which CBC stops (the plan is within it of the optimum).
    start
        A feasible plan to start from (e.g. the heuristic's); speeds up the search.

    Returns
    -------
    Solution
        The optimal plan.

    Raises
    ------
    InfeasiblePatrolError
        If no candidate fits the budget.
    GeoError
        If CBC is not available (see :func:`cbc_path`).

    Notes
    -----
    Trip ``k`` picks window ``w`` (``y[k, w]``) and visits ``x[k, i]``; ``z[k, i, w] <=
    min(x, y)`` carries the value. Routes are arcs ``a[k, i, j]`` with flow conservation and
    Miller–Tucker–Zemlin arrival times ``u[k, i]`` (dwell > 0 removes subtours), which also
    give the trip duration ``D[k] <= window_len_min`` and ``sum D <= budget_min``. The repeat
    discount ``p[i] = (1 - r) min(V1, V2)`` uses one binary per candidate choosing which
    visit counts as the second.
    """
    inst.check()
    ok = reachable(inst)
    if not ok.any():
        raise InfeasiblePatrolError(_infeasible_msg(inst))
    cand = [i for i in range(inst.n) if ok[i] and inst.values[i].max() > 0]
    if not cand:
        return Solution((), 0.0, 0.0, "milp", True)
    K = range(inst.max_trips)
    W = range(inst.n_windows)
    T = inst.travel_min
    L = inst.window_len_min
    nodes = [0, *(i + 1 for i in cand)]
    prob = pulp.LpProblem("patrol", pulp.LpMaximize)
    y = {(k, w): prob.add_variable(f"y_{k}_{w}", cat="Binary") for k in K for w in W}
    x = {(k, i): prob.add_variable(f"x_{k}_{i}", cat="Binary") for k in K for i in cand}
    z = {
        (k, i, w): prob.add_variable(f"z_{k}_{i}_{w}", 0, 1)
        for k in K
        for i in cand
        for w in W
        if inst.values[i, w] > 0
    }
    arcs = [
        (a, b) for a in nodes for b in nodes if a != b and np.isfinite(T[a, b]) and T[a, b] <= L
    ]
    arc = {(k, a, b): prob.add_variable(f"a_{k}_{a}_{b}", cat="Binary") for k in K for a, b in arcs}
    dur = {k: prob.add_variable(f"D_{k}", 0, L) for k in K}
    u = {(k, i): prob.add_variable(f"u_{k}_{i}", 0, L) for k in K for i in cand}
    used = {k: pulp.lpSum(y[k, w] for w in W) for k in K}
    visit_value = {
        (k, i): pulp.lpSum(inst.values[i, w] * z[k, i, w] for w in W if (k, i, w) in z)
        for k in K
        for i in cand
    }
    objective = pulp.lpSum(visit_value.values())
    if inst.max_trips == 2:
        objective = objective - _repeat_discount(inst, prob, visit_value, cand)
        prob += used[1] <= used[0]
        # symmetry: the first trip takes the earlier window
        n_w = inst.n_windows
        prob += pulp.lpSum((w + 1) * y[0, w] for w in W) <= pulp.lpSum(
            (w + 1) * y[1, w] for w in W
        ) + (n_w + 1) * (1 - used[1])
    prob += objective
    out_arcs: dict[int, list[tuple[int, int]]] = {a: [] for a in nodes}
    in_arcs: dict[int, list[tuple[int, int]]] = {b: [] for b in nodes}
    for a, b in arcs:
        out_arcs[a].append((a, b))
        in_arcs[b].append((a, b))
    for k in K:
        prob += used[k] <= 1
        prob += pulp.lpSum(arc[k, a, b] for a, b in out_arcs[0]) == used[k]
        prob += pulp.lpSum(arc[k, a, b] for a, b in in_arcs[0]) == used[k]
        for i in cand:
            node = i + 1
            prob += pulp.lpSum(arc[k, a, b] for a, b in out_arcs[node]) == x[k, i]
            prob += pulp.lpSum(arc[k, a, b] for a, b in in_arcs[node]) == x[k, i]
            prob += x[k, i] <= used[k]
            prob += pulp.lpSum(z[k, i, w] for w in W if (k, i, w) in z) <= x[k, i]
            for w in W:
                if (k, i, w) in z:
                    prob += z[k, i, w] <= y[k, w]
        for a, b in arcs:  # no 2-cycles between candidates
            if 0 < a < b and (b, a) in in_arcs[a] and True:
                prob += arc[k, a, b] + arc[k, b, a] <= x[k, a - 1]
        prob += dur[k] == pulp.lpSum(T[a, b] * arc[k, a, b] for a, b in arcs) + (
            inst.dwell_min * pulp.lpSum(x[k, i] for i in cand)
        )
        for a, b in arcs:  # Miller-Tucker-Zemlin arrival times (dwell > 0 removes subtours)
            if b != 0:
                ua = u[k, a - 1] if a != 0 else 0
                dwell_a = inst.dwell_min if a != 0 else 0.0
                big = L + dwell_a + T[a, b]
                prob += u[k, b - 1] >= ua + dwell_a + T[a, b] - big * (1 - arc[k, a, b])
    prob += pulp.lpSum(dur.values()) <= inst.budget_min
    if inst.max_trips == 2:
        for d in sorted({int(v) for v in inst.window_day}):
            prob += pulp.lpSum(y[k, w] for k in K for w in W if int(inst.window_day[w]) == d) <= 1
    if start is not None:
        _warm_start(inst, start, y=y, x=x, z=z, arc=arc, dur=dur, u=u, cand=set(cand))
    optimal = True
    for _round in range(200):
        solver = pulp.COIN_CMD(
            path=cbc_path(),
            msg=False,
            timeLimit=time_limit_s,
            gapRel=gap_rel,
            warmStart=start is not None,
        )
        prob.solve(solver)
        optimal = optimal and prob.sol_status == pulp.LpSolutionOptimal
        cycles = [
            (k, cyc)
            for k in K
            for cyc in _subtours(
                {(a, b) for (kk, a, b), v in arc.items() if kk == k and (v.value() or 0) > 0.5}
            )
        ]
        if not cycles:
            break
        for _k, cyc in cycles:  # subtour elimination, for every trip
            inside = [(a, b) for a in cyc for b in cyc if (a, b) in in_arcs[b]]
            for k in K:
                for j in cyc:
                    prob += pulp.lpSum(arc[k, a, b] for a, b in inside) <= pulp.lpSum(
                        x[k, i - 1] for i in cyc if i != j
                    )
    trips: list[Trip] = []
    for k in K:
        windows = [w for w in W if (y[k, w].value() or 0) > 0.5]
        if not windows:
            continue
        succ = {a: b for (kk, a, b), var in arc.items() if kk == k and (var.value() or 0) > 0.5}
        stops: list[int] = []
        node = succ.get(0, 0)
        while node != 0 and len(stops) <= inst.n:
            stops.append(node - 1)
            node = succ.get(node, 0)
        trips.append(Trip(windows[0], tuple(stops)))
    sol = _solution(inst, trips, "milp", optimal)
    logger.debug(
        "MILP: %d candidates, value %.4f, optimal %s, %d rounds", len(cand), sol.value, optimal,
        _round + 1,
    )  # fmt: skip
    return sol


def _repeat_discount(
    inst: Instance,
    prob: pulp.LpProblem,
    visit_value: dict[tuple[int, int], pulp.LpAffineExpression],
    cand: list[int],
) -> pulp.LpAffineExpression:
    """Add ``p[g] = (1 - r) min(V0(g), V1(g))`` per place ``g`` and return their sum.

    ``Vk(g)`` is the value trip ``k`` earns at place ``g``; one binary per place chooses
    which trip counts as the second visit (the solver, maximising, takes the smaller).
    """
    r = inst.repeat_factor
    place = inst.place_of
    members: dict[int, list[int]] = {}
    for i in cand:
        members.setdefault(int(place[i]), []).append(i)
    discount = []
    for g, idx in members.items():
        p = prob.add_variable(f"p_{g}", 0)
        q = prob.add_variable(f"q_{g}", cat="Binary")
        big = (1 - r) * float(sum(inst.values[i].max() for i in idx))
        v0 = pulp.lpSum(visit_value[0, i] for i in idx)
        v1 = pulp.lpSum(visit_value[1, i] for i in idx)
        prob += p >= (1 - r) * v0 - big * (1 - q)
        prob += p >= (1 - r) * v1 - big * q
        discount.append(p)
    return pulp.lpSum(discount)


def _warm_start(
    inst: Instance,
    start: Solution,
    *,
    y: dict[tuple[int, int], pulp.LpVariable],
    x: dict[tuple[int, int], pulp.LpVariable],
    z: dict[tuple[int, int, int], pulp.LpVariable],
    arc: dict[tuple[int, int, int], pulp.LpVariable],
    dur: dict[int, pulp.LpVariable],
    u: dict[tuple[int, int], pulp.LpVariable],
    cand: set[int],
) -> None:
    trips = sorted(start.trips, key=lambda t: -len(t.stops))
    if any(s not in cand for t in trips for s in t.stops):
        return
    for var in [*y.values(), *x.values(), *z.values(), *arc.values()]:
        var.setInitialValue(0)
    for k, trip in enumerate(trips):
        y[k, trip.window].setInitialValue(1)
        path = [0, *(s + 1 for s in trip.stops), 0]
        t = 0.0
        for a, b in itertools.pairwise(path):
            if (k, a, b) not in arc:
                return
            arc[k, a, b].setInitialValue(1)
            t += float(inst.travel_min[a, b]) + (inst.dwell_min if a != 0 else 0.0)
            if b != 0:
                u[k, b - 1].setInitialValue(t)
                x[k, b - 1].setInitialValue(1)
                if (k, b - 1, trip.window) in z:
                    z[k, b - 1, trip.window].setInitialValue(1)
        dur[k].setInitialValue(trip_minutes(inst, trip.stops))


def _subtours(chosen: set[tuple[int, int]]) -> list[list[int]]:
    """Return the cycles of a set of arcs that do not pass through node 0."""
    succ = dict(chosen)
    seen: set[int] = set()
    cycles = []
    start_nodes = [a for a, _ in chosen]
    node = succ.get(0)
    while node is not None and node != 0 and node not in seen:
        seen.add(node)
        node = succ.get(node)
    for a in start_nodes:
        if a == 0 or a in seen:
            continue
        cyc = []
        node = a
        while node not in seen:
            seen.add(node)
            cyc.append(node)
            node = succ.get(node, a)
        cycles.append(cyc)
    return cycles


def _infeasible_msg(inst: Instance) -> str:
    nearest = float(np.min(inst.travel_min[0, 1:] + inst.travel_min[1:, 0])) if inst.n else 0.0
    need = nearest + inst.dwell_min
    return (
        f"The budget of {inst.budget_min:g} min (trips of at most {inst.window_len_min:g} min) "
        f"cannot reach any candidate: the nearest one needs {need:.0f} min (driving there and "
        f"back plus a {inst.dwell_min:g}-min stop). Raise the budget (--budget) to at least "
        f"{np.ceil(need):.0f} min or shorten the dwell."
    )


# ----------------------------------------------------------------------------- heuristic


#: Per stop sequence: (trip minutes, cheapest added minutes, insertion positions).
_TripCache = dict[tuple[int, ...], tuple[float, FloatArray, IntArray]]


class _State:
    """A plan under construction: trips (window, stop list) and per-candidate visit values.

    ``cache`` (shared by every state of one solve, the instance being fixed) keeps each
    stop sequence's minutes and insertion costs: the local search meets the same trips
    thousands of times.
    """

    def __init__(self, inst: Instance, windows: list[int], cache: _TripCache | None = None) -> None:
        self.inst = inst
        self.windows = windows
        self.stops: list[list[int]] = [[] for _ in windows]
        self.cache: _TripCache = {} if cache is None else cache
        self.place = inst.place_of

    def copy(self) -> _State:
        """Return an independent copy (own window and stop lists, the same cache)."""
        twin = _State.__new__(_State)
        twin.inst, twin.windows, twin.cache, twin.place = (
            self.inst, list(self.windows), self.cache, self.place
        )  # fmt: skip
        twin.stops = [list(s) for s in self.stops]
        return twin

    def _trip(self, k: int) -> tuple[float, FloatArray, IntArray]:
        key = tuple(self.stops[k])
        hit = self.cache.get(key)
        if hit is None:
            T = self.inst.travel_min
            path = [0, *(s + 1 for s in key), 0]
            a = np.array(path[:-1])
            b = np.array(path[1:])
            delta = T[a, 1:] + T[1:, b].T - T[a, b][:, None] + self.inst.dwell_min
            pos = np.argmin(delta, axis=0)
            best = delta[pos, np.arange(self.inst.n)]
            hit = (trip_minutes(self.inst, key), best, pos.astype(np.int64))
            self.cache[key] = hit
        return hit

    def minutes(self) -> list[float]:
        return [self._trip(k)[0] for k in range(len(self.stops))]

    def trips(self) -> list[Trip]:
        return [Trip(w, tuple(s)) for w, s in zip(self.windows, self.stops, strict=True)]

    def value(self) -> float:
        return plan_value(self.inst, self.trips())

    def gains(self, k: int) -> FloatArray:
        """Value gained by adding each candidate to trip ``k`` (``-inf`` if already in it)."""
        inst = self.inst
        base = inst.values[:, self.windows[k]].astype(float)
        if len(self.stops) == 1:
            gain = base.copy()
        else:
            place = self.place
            sums = np.zeros((len(self.stops), inst.n))
            for j, trip in enumerate(self.stops):
                np.add.at(sums[j], place[trip], inst.values[trip, self.windows[j]])
            own = sums[k, place]
            other = sums[1 - k, place]  # two trips at most
            r = inst.repeat_factor
            gain = _place_value(own + base, other, r) - _place_value(own, other, r)
        gain[self.stops[k]] = -np.inf
        return np.asarray(gain)

    def insertion(self, k: int) -> tuple[FloatArray, IntArray]:
        """Cheapest added minutes and position for inserting each candidate into trip ``k``."""
        _minutes, delta, pos = self._trip(k)
        return delta, pos


def _place_value(own: FloatArray, other: FloatArray, r: float) -> FloatArray:
    """Return ``max + r * min`` of one trip's values ``own`` beside the other trip's."""
    return np.asarray(np.maximum(own, other) + r * np.minimum(own, other))


def _greedy(state: _State, alpha: float) -> _State:
    inst = state.inst
    while True:
        minutes = state.minutes()
        slack_total = inst.budget_min - sum(minutes)
        best: tuple[float, int, int, int] | None = None
        for k in range(len(state.windows)):
            gain = state.gains(k)
            delta, pos = state.insertion(k)
            room = min(inst.window_len_min - minutes[k], slack_total)
            fits = (delta <= room + _EPS) & (gain > _EPS)
            if not fits.any():
                continue
            score = np.where(fits, gain / np.maximum(delta, 1e-3) ** alpha, -np.inf)
            i = int(np.argmax(score))
            if best is None or score[i] > best[0]:
                best = (float(score[i]), k, i, int(pos[i]))
        if best is None:
            return state
        _, k, i, p = best
        state.stops[k].insert(p, i)


def _two_opt(inst: Instance, stops: list[int]) -> list[int]:
    best = list(stops)
    best_t = trip_minutes(inst, best)
    improved = True
    while improved and len(best) > 2:
        improved = False
        for i, j in itertools.combinations(range(len(best)), 2):
            cand = best[:i] + best[i : j + 1][::-1] + best[j + 1 :]
            t = trip_minutes(inst, cand)
            if t < best_t - _EPS:
                best, best_t, improved = cand, t, True
    return best


def _first_better(trials: Iterator[tuple[_State, float]], current: float) -> _State | None:
    """Fill each trial greedily with its exponent; return the first worth more than ``current``."""
    for trial, alpha in trials:
        filled = _greedy(trial, alpha)
        if filled.value() > current + 1e-9:
            return filled
    return None


def _drop_trials(state: _State, alpha: float) -> Iterator[tuple[_State, float]]:
    """Drop one stop (to be refilled greedily)."""
    for k in range(len(state.windows)):
        for idx in range(len(state.stops[k])):
            trial = state.copy()
            del trial.stops[k][idx]
            yield trial, alpha


def _swap_trials(state: _State, alpha: float, swap_top: int) -> Iterator[tuple[_State, float]]:
    """Swap a stop for one of the best outsiders (to be refilled greedily)."""
    inst = state.inst
    for k in range(len(state.windows)):
        for idx in range(len(state.stops[k])):
            base = state.copy()
            removed = base.stops[k].pop(idx)
            gain = base.gains(k)
            delta, pos = base.insertion(k)
            minutes = base.minutes()
            room = min(inst.window_len_min - minutes[k], inst.budget_min - sum(minutes))
            ok = (delta <= room + _EPS) & (gain > _EPS)
            ok[removed] = False
            for c in np.argsort(-np.where(ok, gain, -np.inf))[: min(swap_top, int(ok.sum()))]:
                trial = base.copy()
                trial.stops[k].insert(int(pos[c]), int(c))
                yield trial, alpha


def _rebuild_trials(state: _State, swap_top: int) -> Iterator[tuple[_State, float]]:
    """Rebuild a trip around one of the most valuable candidates (every exponent)."""
    inst = state.inst
    for k in range(len(state.windows)):
        gain = state.gains(k)
        for c in np.argsort(-gain)[:swap_top]:
            if not np.isfinite(gain[c]) or gain[c] <= _EPS:
                break
            trial = state.copy()
            trial.stops[k] = [int(c)]
            if check_solution(inst, trial.trips()):
                continue
            for a, keep_others in itertools.product(_ALPHAS, (True, False)):
                filled = _State(inst, list(trial.windows), state.cache)
                filled.stops = [
                    list(s) if j == k or keep_others else [] for j, s in enumerate(trial.stops)
                ]
                yield filled, a


def _local_search(
    state: _State, alpha: float, *, move_windows: list[int], swap_top: int = 8
) -> _State:
    inst = state.inst
    current = state.value()
    for _ in range(50):
        for k in range(len(state.windows)):
            state.stops[k] = _two_opt(inst, state.stops[k])
        better = (
            _first_better(_drop_trials(state, alpha), current)
            or _first_better(_swap_trials(state, alpha, swap_top), current)
            or _first_better(_rebuild_trials(state, swap_top), current)
        )
        if better is not None:
            state, current = better, better.value()
            continue
        # move a trip to another window (keep days distinct); every gain is taken
        improved = False
        for k in range(len(state.windows)):
            other_days = {int(inst.window_day[w]) for j, w in enumerate(state.windows) if j != k}
            for w in move_windows:
                if w == state.windows[k] or int(inst.window_day[w]) in other_days:
                    continue
                trial = state.copy()
                trial.windows[k] = w
                trial = _greedy(trial, alpha)
                v = trial.value()
                if v > current + 1e-9:
                    state, current, improved = trial, v, True
            if improved:
                break
        if not improved:
            break
    return state


def solve_heuristic(inst: Instance, *, top_windows: int = 8, polish: int = 4) -> Solution:
    """Plan with greedy insertion and local search (fast for hundreds of candidates).

    Parameters
    ----------
    inst
        The instance.
    top_windows
        How many of the best single-trip windows are combined into two-trip plans.
    polish
        How many of the best distinct starting plans get the local search.

    Returns
    -------
    Solution
        A feasible plan (not proven optimal).

    Raises
    ------
    InfeasiblePatrolError
        If no candidate fits the budget.

    Notes
    -----
    For every window a single trip is built by value-per-minute insertion (four
    exponents on the minutes, as usual for orienteering problems); the best windows are
    then paired on different days and filled jointly. The best plans are improved by
    2-opt, drop-and-refill and window moves.
    """
    inst.check()
    if not reachable(inst).any():
        raise InfeasiblePatrolError(_infeasible_msg(inst))
    alphas = _ALPHAS
    cache: _TripCache = {}
    singles: list[tuple[float, int]] = []
    pool: list[tuple[float, _State, float]] = []
    for w in range(inst.n_windows):
        if inst.values[:, w].max() <= 0:
            continue
        best_w = 0.0
        for alpha in alphas:
            st = _greedy(_State(inst, [w], cache), alpha)
            v = st.value()
            best_w = max(best_w, v)
            pool.append((v, st, alpha))
        singles.append((best_w, w))
    singles.sort(reverse=True)
    if inst.max_trips == 2:
        top = [w for _, w in singles[:top_windows]]
        for w1, w2 in itertools.combinations(top, 2):
            if inst.window_day[w1] == inst.window_day[w2]:
                continue
            for alpha in alphas:
                st = _greedy(_State(inst, [w1, w2], cache), alpha)
                pool.append((st.value(), st, alpha))
    if not pool:
        return Solution((), 0.0, 0.0, "heuristic")
    pool.sort(key=lambda t: -t[0])
    move_windows = [w for _, w in singles[: 2 * top_windows]]
    best: _State | None = None
    best_v = -1.0
    seen: set[tuple[tuple[int, tuple[int, ...]], ...]] = set()
    for _v, st, alpha in pool:
        key = tuple(
            sorted((w, tuple(sorted(s))) for w, s in zip(st.windows, st.stops, strict=True))
        )
        if key in seen:
            continue
        seen.add(key)
        improved = _local_search(st, alpha, move_windows=move_windows)
        v = improved.value()
        if v > best_v:
            best, best_v = improved, v
        if len(seen) >= polish:
            break
    assert best is not None
    return _solution(inst, best.trips(), "heuristic", False)


def solve(
    inst: Instance,
    *,
    method: str = "auto",
    milp_max_candidates: int = 40,
    milp_max_windows: int = 24,
    time_limit_s: float = 20.0,
) -> Solution:
    """Solve exactly when the instance is small, heuristically otherwise.

    Parameters
    ----------
    inst
        The instance.
    method
        ``"auto"``, ``"milp"`` or ``"heuristic"``.
    milp_max_candidates, milp_max_windows
        ``auto`` uses the MILP when the instance has at most this many candidates with
        value and windows; the windows kept are those where some candidate has value.
    time_limit_s
        CBC time limit.

    Returns
    -------
    Solution
        The plan; for ``auto`` the better of the MILP's and the heuristic's.

    Raises
    ------
    DataError
        If ``method`` is unknown.
    InfeasiblePatrolError
        If no candidate fits the budget.
    """
    if method not in ("auto", "milp", "heuristic"):
        msg = f"Unknown solver method {method!r}; use 'auto', 'milp' or 'heuristic'."
        raise DataError(msg)
    heuristic = solve_heuristic(inst) if method != "milp" else None
    if method == "heuristic":
        assert heuristic is not None
        return heuristic
    n_live = int((inst.values.max(axis=1) > 0).sum())
    if method == "auto" and (n_live > milp_max_candidates or inst.n_windows > milp_max_windows):
        assert heuristic is not None
        return heuristic
    exact = solve_milp(inst, time_limit_s=time_limit_s, start=heuristic)
    if heuristic is not None and heuristic.value > exact.value + 1e-9:
        return heuristic
    return exact
