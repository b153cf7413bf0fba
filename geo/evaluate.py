"""Rolling-origin backtests of the forecast methods: hit rate, PAI and PEI at fixed area shares."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from matplotlib.figure import Figure
from scipy.spatial import ConvexHull, QhullError
from shapely.geometry.base import BaseGeometry

from geo.errors import DataError
from geo.forecast import (
    DEFAULT_METHOD,
    blend_fit_origins,
    check_method,
    count_months,
    predict_counts,
)
from geo.grid import ID_STRIDE, area_bounds, cell_ids, check_grid_size, make_grid
from geo.pointcoords import MIN_FAR_KM
from geo.pointperiod import missing_months
from geo.weeks import week_label

__all__ = [
    "COVERAGES",
    "HINDSIGHT",
    "MAX_CELLS",
    "PLAN_CELLS",
    "STEPS",
    "BacktestPeriod",
    "backtest",
    "backtest_periods",
    "baseline_of",
    "check_methods",
    "default_fit_note",
    "few_events_note",
    "hit_rate",
    "hit_rates",
    "markdown_table",
    "monthly_table",
    "pai",
    "pei",
    "plan_sentence",
    "plot_hit_rates",
    "study_area_notes",
    "study_cell_index",
    "summarize",
]

logger = logging.getLogger(__name__)

#: Area shares at which hit rate, PAI and PEI are reported (1, 5 and 10 % of cells).
COVERAGES: tuple[float, ...] = (0.01, 0.05, 0.10)
#: Area shares of the hit-rate curve: every 0.5 % up to 20 %, and geometric steps from 0.01 %
#: below 0.5 %, where a patrol plan's few cells lie (the plot has a logarithmic axis).
CURVE: npt.NDArray[np.float64] = np.unique(
    np.round(np.concatenate([np.geomspace(1e-4, 0.005, 12), np.arange(0.0, 0.2001, 0.005)]), 6)
)

#: Rankings that are not forecasts: they see every other month of the file, later ones too
#: (:func:`backtest`), to show how far any ranking stable across months could go.
HINDSIGHT: dict[str, str] = {"hindsight_count": "count", "hindsight_kde": "kde"}
#: Measures averaged over the test months (:func:`summarize`).
MEASURES: tuple[str, ...] = (
    *(f"{kind}_{round(c * 100)}" for kind in ("pai", "hit", "pei") for c in COVERAGES),
    "hit_plan",
    "pai_plan",
)
#: Per-month measures kept in the JSON report (:func:`summarize`).
MONTH_COLUMNS: tuple[str, ...] = ("hit_5", "pai_1", "pai_5", "pai_10", "pei_5", "hit_plan")
#: Cells a week's patrol plan can visit: two hours hold five stops of 15 min with the drive from
#: Örebro (the plans for weeks 48–50 of 2026 have five each; at most 120 ÷ 15 = 8 with no driving,
#: :class:`geo.patrol.PlanSettings`). Design §6 asks for the coverage a plan can actually visit.
PLAN_CELLS = 5
#: Largest grid (cells in the points' bounding box) a backtest builds, checked by
#: :func:`geo.grid.check_grid_size` as an analysis's grid is (against its own limit).
MAX_CELLS = 4_000_000

FloatArray = npt.NDArray[np.float64]


# ---------------------------------------------------------------------------- measures


def hit_rates(
    risk: npt.ArrayLike, actual: npt.ArrayLike, coverages: npt.ArrayLike
) -> npt.NDArray[np.float64]:
    """Hit rates at several area shares from one ranking (see :func:`hit_rate`).

    Parameters
    ----------
    risk
        Predicted risk per cell.
    actual
        Observed events per cell in the test period, aligned with ``risk``.
    coverages
        Shares of cells flagged (0–1).

    Returns
    -------
    numpy.ndarray
        One hit rate per coverage (NaN when there are no actual events). The cells are sorted
        once: cells tied in risk form groups; ``k = coverage × n_cells`` cells take the
        groups above the cut-off whole and the boundary group's events in proportion.
    """
    r = np.asarray(risk, dtype=float)
    a = np.asarray(actual, dtype=float)
    cov = np.asarray(coverages, dtype=float)
    total = a.sum()
    if total <= 0:
        return np.full(cov.shape, np.nan)
    values, group = np.unique(-r, return_inverse=True)  # groups from the highest risk down
    size = np.bincount(group, minlength=values.size).astype(float)
    hits = np.bincount(group, weights=a, minlength=values.size)
    cells_before = np.concatenate([[0.0], np.cumsum(size)])
    hits_before = np.concatenate([[0.0], np.cumsum(hits)])
    k = np.clip(cov * r.size, 0.0, float(r.size))
    g = np.clip(np.searchsorted(cells_before, k, side="right") - 1, 0, values.size - 1)
    part = np.minimum(k - cells_before[g], size[g]) / size[g]
    return np.asarray((hits_before[g] + part * hits[g]) / total, dtype=float)


def hit_rate(risk: npt.ArrayLike, actual: npt.ArrayLike, coverage: float) -> float:
    """Share of the actual events inside the ``coverage`` share of cells with the highest risk.

    Parameters
    ----------
    risk, actual
        As for :func:`hit_rates`.
    coverage
        Share of cells flagged (0–1); ``k = coverage × n_cells`` cells, fractional allowed.

    Returns
    -------
    float
        Hit rate in 0–1 (NaN when there are no actual events). Cells tied at the cut-off
        count with their average, i.e. the expectation over random tie-breaking.
    """
    return float(hit_rates(risk, actual, [coverage])[0])


def pai(risk: npt.ArrayLike, actual: npt.ArrayLike, coverage: float) -> float:
    """Predictive accuracy index: hit rate divided by the area share (Chainey et al. 2008).

    Parameters
    ----------
    risk, actual, coverage
        As for :func:`hit_rate`.

    Returns
    -------
    float
        ``hit_rate / coverage``.
    """
    return hit_rate(risk, actual, coverage) / coverage


def pei(risk: npt.ArrayLike, actual: npt.ArrayLike, coverage: float) -> float:
    """Predictive efficiency index: PAI over the best PAI possible at that area share.

    Parameters
    ----------
    risk, actual, coverage
        As for :func:`hit_rate`.

    Returns
    -------
    float
        In 0–1; 1 means no other choice of cells would have caught more events
        (Hunt 2016).
    """
    best = hit_rate(actual, actual, coverage)
    return hit_rate(risk, actual, coverage) / best if best > 0 else float("nan")


# ---------------------------------------------------------------------------- backtest


#: Points this close to qhull's hull (metres) go on to GEOS, which makes the hull itself.
HULL_MARGIN_M = 1.0


def _convex_hull(xy: FloatArray) -> BaseGeometry:
    """Return the convex hull of points, as GEOS makes it, from the few points near its edge.

    GEOS builds its hull from a shapely point per point (4 s for two million); qhull finds
    the hull's facets in a fraction of that, and only the points within
    :data:`HULL_MARGIN_M` of them, far more than qhull's rounding, can be vertices of
    GEOS's hull: GEOS gets those alone and returns the same polygon.

    Parameters
    ----------
    xy
        Points, one row each (metres).

    Returns
    -------
    shapely.geometry.base.BaseGeometry
        The hull (a point or line when the points are).
    """
    try:
        facets = ConvexHull(xy).equations  # unit normal (a, b) and offset c: ax + by + c <= 0
    except (QhullError, ValueError):  # fewer than three points off one line
        return shapely.convex_hull(shapely.MultiPoint(xy))
    depth = np.full(len(xy), -np.inf)  # signed distance beyond the facet lines, < 0 inside
    for a, b, c in facets:
        np.maximum(depth, a * xy[:, 0] + b * xy[:, 1] + c, out=depth)
    return shapely.convex_hull(shapely.MultiPoint(xy[depth >= -HULL_MARGIN_M]))


def _study_cells(
    points: pd.DataFrame, cell_size_m: float, area: shapely.Geometry | None
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Return the study cells and the cell of each point (see :func:`study_cell_index`)."""
    if area is not None:
        bounds = area_bounds(area)
    else:
        x, y = points["x"], points["y"]
        bounds = (float(x.min()), float(y.min()), float(x.max()), float(y.max()))
    try:
        check_grid_size(bounds, cell_size_m=cell_size_m, max_cells=MAX_CELLS)
    except DataError as err:
        msg = f"{err} Or keep one city or county with --where or --max-distance-km."
        pile = points.attrs.get("distant_pile")
        if pile and area is None:  # what stretches the span, as read_points found it
            msg += (
                f" {pile} (given coordinates) lie over {MIN_FAR_KM:g} km from the median "
                "point: a code for an unknown location? --max-distance-km leaves them out."
            )
        raise DataError(msg) from None
    if area is None:
        area = _convex_hull(points[["x", "y"]].to_numpy())
    grid = make_grid(area, cell_size_m=cell_size_m)
    # a cell that only touches the area can hold no event and would only add area
    covered = ~shapely.touches(area, grid.geometry.to_numpy())
    # a point on a cell's lower or left edge lies in a cell the area may only touch
    point_cells = cell_ids(points["x"], points["y"], cell_size_m=cell_size_m)
    cells = np.union1d(grid["cell_id"].to_numpy()[covered], point_cells).astype(np.int64)
    return cells, point_cells


def study_cell_index(
    points: pd.DataFrame, cell_size_m: float, area: shapely.Geometry | None = None
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.intp]]:
    """Return the study cells of a backtest and each point's position among them.

    Parameters
    ----------
    points
        ``x``, ``y`` in metres.
    cell_size_m
        Grid cell side.
    area
        The study area (:func:`geo.studyarea.read_area`, the points inside it); default the
        points' convex hull.

    Returns
    -------
    tuple of numpy.ndarray
        The cell ids, sorted: the cells the area covers (more than their boundary) and every
        cell holding a point; per point, the index of its cell in them.
    """
    cells, ids = _study_cells(points, cell_size_m, area)
    return cells, pd.Index(cells).get_indexer(pd.Index(ids))


#: Study cells below which 1 % of the area is less than one cell: PAI@1 % then scores part
#: of a cell (its events in proportion), and a warning says so.
FEW_CELLS = 100
#: Study cells below which 5 % of the area is less than one cell too: PAI at 1 % and 5 %
#: both score part of one cell, and the warning says so.
MIN_CELLS = 20
#: Events a block of the empty-area check would hold if the events were spread evenly over
#: the study area: at ten, chance leaves a block empty once in 20,000 (Poisson), so an empty
#: block is empty land (water, a park, countryside between two towns), not a quiet street.
#: On SF 2012 the blocks without an event are 13 % (vandalism) to 25 % (robbery) of the area.
BLOCK_EVENTS = 10
#: Share of the study area in empty blocks above which a warning says PAI is inflated.
EMPTY_AREA_SHARE = 0.5
#: Blocks the events must fill at :data:`BLOCK_EVENTS` each for the check to say anything.
MIN_BLOCKS = 10


def _nice_size(size_m: float) -> float:
    """Round a cell size down to a multiple of 50 m (of 10 m below 100 m), at least 10 m."""
    step = 50.0 if size_m >= 100 else 10.0
    return max(step * float(np.floor(size_m / step)), 10.0)


def _empty_block_share(
    cells: npt.NDArray[np.int64], pos: npt.NDArray[np.intp], cell_size_m: float
) -> tuple[float, float]:
    """Return the share of study cells in blocks holding no event, and the block side (m).

    The blocks are squares of whole cells, of the side that would hold
    :data:`BLOCK_EVENTS` events each were the events spread evenly; NaN when the events
    fill fewer than :data:`MIN_BLOCKS` such blocks.
    """
    n_blocks = pos.size / BLOCK_EVENTS
    if n_blocks < MIN_BLOCKS:
        return float("nan"), float("nan")
    k = max(int(np.ceil(np.sqrt(cells.size / n_blocks))), 1)  # cells per block side
    block = (cells // ID_STRIDE // k) * ID_STRIDE + (cells % ID_STRIDE) // k
    empty = ~np.isin(block, block[pos])
    return float(empty.mean()), k * cell_size_m


def study_area_notes(
    points: pd.DataFrame, cell_size_m: float, area: shapely.Geometry | None = None
) -> list[str]:
    """Warn of a study area that makes PAI mean little: too few cells, or much of it empty.

    PAI is the hit rate over the share of area flagged. Under :data:`FEW_CELLS` study cells
    1 % of the area is less than one cell; under :data:`MIN_CELLS` 5 % is too. Both are
    warned of, not refused: the shares are still scored (a part of a cell counts its events
    in proportion) and a small town's sample should run. Where more than
    :data:`EMPTY_AREA_SHARE` of the area lies in blocks with no event in the whole file
    (:data:`BLOCK_EVENTS`), flagging 5 % of it takes cells that hold a larger share of where
    events happen, and every method's PAI grows with the empty area, not with its skill.

    Parameters
    ----------
    points
        ``x``, ``y`` in metres (those scored).
    cell_size_m
        Grid cell side.
    area
        The study area given (``--area``); default the points' convex hull.

    Returns
    -------
    list of str
        The warnings (empty when there is none).
    """
    cells, pos = study_cell_index(points, cell_size_m, area)
    n = cells.size
    notes = []
    if n < FEW_CELLS:
        below, scored = ("5 %", "PAI at 1 % and 5 %") if n < MIN_CELLS else ("1 %", "PAI@1 %")
        suggested = _nice_size(cell_size_m * np.sqrt(n / FEW_CELLS))
        notes.append(
            f"the study area holds {n} cell{'s' if n > 1 else ''} of {cell_size_m:g} m: "
            f"{below} of it is less than one cell, so {scored} rests on part of a cell (its "
            f"events in proportion) and means little; --cell-size-m {suggested:g} gives about "
            f"{FEW_CELLS} cells"
        )
    share, block_m = _empty_block_share(cells, pos, cell_size_m)
    if share > EMPTY_AREA_SHARE:
        fix = (
            "check that --area is the study area"
            if area is not None
            else "give the real study area with --area BOUNDARY (the city's boundary)"
        )
        notes.append(
            f"{share:.0%} of the study area lies in blocks of {block_m:g} m with no event in "
            f"the whole file (spread evenly, the {pos.size:,} events would put {BLOCK_EVENTS} "
            "in each): PAI grows with empty area, as 5 % of a larger area takes more of the "
            f"cells where events happen, so every method's PAI is inflated; {fix}"
        )
    return notes


#: Test steps of a backtest: calendar months, or ISO weeks (Monday–Sunday) as the patrol plan uses.
STEPS: tuple[str, ...] = ("month", "week")


@dataclass(frozen=True)
class BacktestPeriod:
    """One step of a rolling-origin backtest.

    Forecasts train on ``[train_start, origin)`` and are scored on ``[origin, end)``.
    """

    label: str
    train_start: pd.Timestamp
    origin: pd.Timestamp
    end: pd.Timestamp


#: Events enough to tell a file of months only (every event on one day of its month) from chance.
MONTHS_ONLY_MIN = 30


def backtest_periods(
    times: pd.Series, *, train_months: int, step: str = "month"
) -> list[BacktestPeriod]:
    """Return the test steps of a backtest over ``times``.

    Every step has ``train_months`` calendar months of history before its origin, all within
    the data: the first test month is the ``train_months``-th after the first month with
    data; the first test week is the first that starts on or after that month's start. A
    last week the data cover for less than half (an export ending on a Monday or Tuesday)
    is left out: too little of it to score. (A month is kept: in sparse data the last
    event may fall early in a month the export covers in full.)

    Parameters
    ----------
    times
        The events' times.
    train_months
        Months of history each forecast may use.
    step
        ``"month"`` (calendar months, labelled ``2012-10``) or ``"week"`` (ISO weeks,
        labelled ``2012-W40``).

    Returns
    -------
    list of BacktestPeriod
        In time order; empty if the data are too short for one.

    Raises
    ------
    DataError
        On an unknown ``step``, or weekly steps over dates that stand for months (every
        event on the same day of its month).
    """
    if step not in STEPS:
        msg = f"step must be one of {STEPS}, got {step!r}."
        raise DataError(msg)
    t = pd.to_datetime(times)
    days = t.dt.day.unique()
    if step == "week" and len(t) >= MONTHS_ONLY_MIN and len(days) == 1:
        msg = (
            f"Every event falls on day {days[0]} of its month: the dates stand for months (as "
            "police.uk's do), so weekly steps would put each month's events in one week. "
            "Use --step month."
        )
        raise DataError(msg)
    first = t.min().to_period("M")
    start, last_day = (first + train_months).start_time, t.max()
    out: list[BacktestPeriod] = []
    if step == "month":
        out = [
            BacktestPeriod(str(m), (m - train_months).start_time, m.start_time, (m + 1).start_time)
            for m in pd.period_range(first + train_months, last_day.to_period("M"), freq="M")
        ]
    else:
        monday = start + pd.Timedelta(days=(7 - start.weekday()) % 7)
        for origin in pd.date_range(monday, last_day, freq="7D"):
            out.append(
                BacktestPeriod(
                    week_label(origin),
                    origin - pd.DateOffset(months=train_months),
                    origin,
                    origin + pd.Timedelta(days=7),
                )
            )
        covered_until = last_day.normalize() + pd.Timedelta(days=1)
        if out and covered_until - out[-1].origin < pd.Timedelta(days=3.5):
            out.pop()
    return out


def without_missing(
    periods: Sequence[BacktestPeriod], missing: Sequence[pd.Period]
) -> tuple[list[BacktestPeriod], list[BacktestPeriod]]:
    """Split the test steps into those to score and those touching a month of missing data.

    A step whose training months or test period include a missing month
    (:func:`geo.pointperiod.missing_months`) would score a forecast trained on an outage (every
    method then ranks alike: PAI 1) or a test period without its events, and pull the means.

    Parameters
    ----------
    periods
        From :func:`backtest_periods`.
    missing
        The file's missing months.

    Returns
    -------
    tuple of list
        The steps to score, and the steps left out, in order.
    """
    gaps = [(m.start_time, (m + 1).start_time) for m in missing]
    kept: list[BacktestPeriod] = []
    left: list[BacktestPeriod] = []
    for p in periods:
        touched = any(lo < p.end and p.train_start < hi for lo, hi in gaps)
        (left if touched else kept).append(p)
    return kept, left


def check_methods(methods: Sequence[str], train_months: int | None = None) -> None:
    """Check every method name before a backtest starts (forecasts and :data:`HINDSIGHT`).

    Parameters
    ----------
    methods
        Method names as :func:`backtest` takes them.
    train_months
        The training window: a count over a longer window would see only this one, the same
        numbers under another name.

    Raises
    ------
    DataError
        On an empty list, an unknown name (the message lists the methods there are) or a
        count longer than ``train_months``.
    """
    if not methods:
        msg = "No method to backtest; name some, e.g. --methods count_3m,default."
        raise DataError(msg)
    for name in methods:
        if name not in HINDSIGHT:
            check_method(name)
        months = count_months(name)
        if train_months is not None and months is not None and months > train_months + 1e-9:
            msg = (
                f"{name!r} counts more than the {train_months} training month(s) a forecast "
                f"may see (--train-months); it would be count_{train_months}m under another "
                f"name. Raise --train-months or name count_{train_months}m."
            )
            raise DataError(msg)


def backtest(
    points: pd.DataFrame,
    *,
    methods: Sequence[str] = ("count_3m", "kde", "prospective", "default"),
    cell_size_m: float = 150.0,
    train_months: int = 3,
    seed: int | None = 0,
    progress: Callable[[str], None] | None = None,
    plan_cells: int = PLAN_CELLS,
    step: str = "month",
    area: shapely.Geometry | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Backtest forecast methods with a rolling monthly (or weekly) origin.

    For each calendar month (or ISO week, :func:`backtest_periods`) with ``train_months`` full
    months of data before it, each method sees only the events of those months (test-period
    events are cut off before the method is called), predicts every cell of the study area,
    and is scored on the period's events.

    Parameters
    ----------
    points
        ``x``, ``y`` (metres) and ``t`` as returned by :func:`geo.pointfile.read_points`.
    methods
        Method names (see :func:`geo.forecast.predict_counts`); ``default`` is reported
        under that name. ``hindsight_count`` and ``hindsight_kde`` (:data:`HINDSIGHT`) are
        not forecasts: they rank the cells by the counts (or the 1-cell KDE) of every month
        of the file except the test month, later months included, a ceiling for any
        forecast that ranks the same places month after month.
    cell_size_m
        Grid cell side.
    train_months
        Months of history each forecast may use.
    seed
        Seed for the learned method.
    progress
        Called with ``"<method> <label>"`` before each forecast.
    plan_cells
        Cells a patrol plan visits (:data:`PLAN_CELLS`): ``hit_plan`` is the share of the
        period's events in the method's top ``plan_cells`` cells.
    step
        ``"month"`` or ``"week"`` (:data:`STEPS`); the forecasts are for that horizon.
    area
        The study area (points inside it); default the points' convex hull
        (:func:`study_cell_index`).

    Returns
    -------
    tuple of pandas.DataFrame
        Per method and test period: ``method``, ``month`` (or ``week``: the period's label),
        ``n_test``, ``n_train``,
        ``n_cells`` (study cells), ``hit_<p>``, ``pai_<p>``, ``pei_<p>`` for p in 1, 5, 10,
        ``plan_cells``, ``hit_plan`` and ``pai_plan``; and the hit-rate curve:
        ``method``, ``month`` (or ``week``), ``coverage``, ``hit``.

    Raises
    ------
    DataError
        If the data span too few months for one test month, or the grid would have more
        than :data:`MAX_CELLS` cells.
    """
    if train_months < 1:
        msg = f"train_months must be at least 1, got {train_months!r}."
        raise DataError(msg)
    if plan_cells < 1:
        msg = f"plan_cells must be at least 1, got {plan_cells!r}."
        raise DataError(msg)
    check_methods(methods, train_months)
    cells, pos = study_cell_index(points, cell_size_m, area)
    ev_cells = cells[pos]  # the study cells hold every point
    t = pd.to_datetime(points["t"]).to_numpy()
    file_start, file_end = pd.Timestamp(t.min()), pd.Timestamp(t.max()) + pd.Timedelta(days=1)
    every = backtest_periods(points["t"], train_months=train_months, step=step)
    tests, left_out = without_missing(every, missing_months(points["t"]))
    if left_out:
        logger.info("%d test steps touch months of missing data, left out", len(left_out))
    if not every:
        first, last = (pd.Timestamp(v).to_period("M") for v in (t.min(), t.max()))
        if t.min() == t.max() and len(t) > 1:
            msg = (
                f"Every event has the same time, {pd.Timestamp(t.min())}: the time column is "
                "likely not the events' (an update or export date, such as Chicago's 'Updated "
                "On'); pass the column of when each event happened as --time-col."
            )
        else:
            msg = (
                f"The data span {first}–{last}: too few months for {train_months} training "
                f"months plus one test {step}; lower --train-months."
            )
        raise DataError(msg)
    if not tests:
        gaps = ", ".join(str(m) for m in missing_months(points["t"]))
        msg = (
            f"Every test {step} trains on or falls in a month of missing data ({gaps}: almost no "
            "events where a typical month has many); pass the months on one side of it with "
            "--period FROM:TO."
        )
        raise DataError(msg)
    span_days = (file_end - file_start) / pd.Timedelta(days=1)  # of the hindsight rankings
    share = min(plan_cells / cells.size, 1.0)
    rows, curve_rows = [], []
    for period in tests:
        month, origin, end = period.label, period.origin, period.end
        train = (t >= np.datetime64(period.train_start)) & (t < np.datetime64(origin))
        test = (t >= np.datetime64(origin)) & (t < np.datetime64(end))
        actual = np.bincount(pos[test], minlength=cells.size).astype(float)
        best = hit_rates(actual, actual, COVERAGES)  # the best any ranking could do (PEI)
        for name in methods:
            if progress:
                progress(f"{name} {month}")
            if name in HINDSIGHT:  # every other month, the later ones too: not a forecast
                kind = HINDSIGHT[name]
                risk = predict_counts(
                    ev_cells[~test], t[~test], cells, origin=file_end, horizon_days=30.0,
                    method=f"count_{int(np.ceil(span_days))}d" if kind == "count" else kind,
                    cell_size_m=cell_size_m, history_start=file_start,
                )  # fmt: skip
            else:
                risk = predict_counts(
                    ev_cells[train], t[train], cells, origin=origin,
                    horizon_days=(end - origin) / pd.Timedelta(days=1),
                    method=name, cell_size_m=cell_size_m, history_start=period.train_start,
                    seed=seed,
                )  # fmt: skip
            row: dict[str, object] = {
                "method": name, step: month, "n_test": int(actual.sum()),
                "n_train": int(train.sum()), "n_cells": int(cells.size),
            }  # fmt: skip
            hits = hit_rates(risk, actual, [*COVERAGES, share, *CURVE])  # one sort for all
            for cov, hit, best_hit in zip(COVERAGES, hits[: len(COVERAGES)], best, strict=True):
                p = round(cov * 100)
                row[f"hit_{p}"] = hit
                row[f"pai_{p}"] = hit / cov
                row[f"pei_{p}"] = hit / best_hit if best_hit > 0 else float("nan")
            row["plan_cells"] = plan_cells
            row["hit_plan"] = hits[len(COVERAGES)]
            row["pai_plan"] = hits[len(COVERAGES)] / share
            rows.append(row)
            for cov, hit in zip(CURVE, hits[len(COVERAGES) + 1 :], strict=True):
                curve_rows.append(
                    {"method": name, step: month, "coverage": float(cov),
                     "hit": float(hit) if cov > 0 else 0.0}
                )  # fmt: skip
        logger.info(
            "backtest %s: %d test events, %d training events",
            month,
            int(actual.sum()),
            int(train.sum()),
        )
    return pd.DataFrame(rows), pd.DataFrame(curve_rows)


def _number(value: object) -> float | None:
    """Return a finite float, or ``None`` for NaN (JSON has no NaN)."""
    v = float(value)  # type: ignore[arg-type]
    return v if np.isfinite(v) else None


def _cell(value: object, spec: str) -> str:
    return "–" if value is None else format(value, spec)


def summarize(
    results: pd.DataFrame, *, cell_size_m: float, train_months: int, n_cells: int | None = None
) -> dict[str, object]:
    """Average the per-period results into the JSON report of ``geo evaluate``.

    Parameters
    ----------
    results
        First output of :func:`backtest`.
    cell_size_m, train_months
        The backtest's settings (reported).
    n_cells
        Number of study cells; default the ``n_cells`` of ``results`` (when it has them).

    Returns
    -------
    dict
        ``{"methods": {name: {"pai_1", "pai_5", "pai_10", "hit_1", "hit_5", "hit_10",
        "pei_1", "pei_5", "pei_10", "hit_plan", "pai_plan", "pai_5_sd", "months"}},
        "per_month": {name: [{"month", "n_test", "n_train", "hit_5", "pai_1", "pai_5",
        "pai_10", "pei_5", "hit_plan"}, ...]}, "default_method", "cell_size_m",
        "train_months", "step", "test_months", "n_cells", "plan_cells"}``;
        ``methods`` holds the means over the test months with events (``months`` counts
        them); a month without events has ``null`` measures in ``per_month``, as has any
        mean over no month, so the JSON stays valid (no ``NaN``). A weekly backtest
        (``step`` ``"week"``) says ``weeks``, ``per_week``, ``week`` and ``test_weeks``.
    """
    unit = "week" if "week" in results else "month"
    out: dict[str, dict[str, float | int | None]] = {}
    per_period: dict[str, list[dict[str, object]]] = {}
    for name, g in results.groupby("method", sort=False):
        scored = g[g["n_test"] > 0]  # a period without events cannot be scored
        entry: dict[str, float | int | None] = {
            col: _number(scored[col].mean()) for col in MEASURES
        }
        # one scored period has no spread to show (null, "–" in the tables)
        entry["pai_5_sd"] = _number(scored["pai_5"].std(ddof=1)) if len(scored) > 1 else None
        entry[f"{unit}s"] = len(scored)
        out[str(name)] = entry
        per_period[str(name)] = [
            {unit: str(r[unit]), "n_test": int(r["n_test"]), "n_train": int(r["n_train"])}
            | {c: _number(r[c]) for c in MONTH_COLUMNS}
            for _, r in g.iterrows()
        ]
    return {
        "methods": out,
        f"per_{unit}": per_period,
        "default_method": DEFAULT_METHOD,
        "cell_size_m": cell_size_m,
        "train_months": train_months,
        "step": unit,
        f"test_{unit}s": sorted(results[unit].unique().tolist()) if unit in results else [],
        "n_cells": n_cells
        if n_cells is not None or "n_cells" not in results or results.empty
        else int(results["n_cells"].iloc[0]),
        "plan_cells": int(results["plan_cells"].iloc[0])
        if "plan_cells" in results and not results.empty
        else None,
    }


def baseline_of(summary: dict[str, object]) -> str:
    """Return the count baseline the tables compare with: ``count_<train months>m`` if run.

    Falls back to ``count_3m`` (the issue's baseline) when the training window's own count
    was not among the methods.
    """
    methods = summary.get("methods", {})
    own = f"count_{summary.get('train_months', 3)}m"
    return own if isinstance(methods, dict) and own in methods else "count_3m"


def markdown_table(summary: dict[str, object], *, baseline: str | None = None) -> str:
    """Return a Markdown table of the summary: one row per method, ratios to the baseline.

    Parameters
    ----------
    summary
        Output of :func:`summarize`.
    baseline
        Method the PAI@5 ratio is taken against; default :func:`baseline_of`.

    Returns
    -------
    str
        The table.
    """
    baseline = baseline or baseline_of(summary)
    methods = summary["methods"]
    assert isinstance(methods, dict)
    base = methods.get(baseline, {}).get("pai_5")
    lines = [
        "| method | hit@1% | hit@5% | hit@10% | PAI@1% | PAI@5% (sd) | PAI@10% | PEI@5% "
        f"| PAI@5% / {baseline} |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, m in methods.items():
        ratio = f"{m['pai_5'] / base:.3f}" if base and m["pai_5"] is not None else "–"
        hits = " | ".join(_cell(m[k], ".3f") for k in ("hit_1", "hit_5", "hit_10"))
        lines.append(
            f"| {name} | {hits} | {_cell(m['pai_1'], '.2f')} "
            f"| {_cell(m['pai_5'], '.2f')} ({_cell(m['pai_5_sd'], '.2f')}) "
            f"| {_cell(m['pai_10'], '.2f')} | {_cell(m['pei_5'], '.3f')} | {ratio} |"
        )
    return "\n".join(lines)


#: Fewer events than this in a test period on average, and the tables get a caution.
FEW_EVENTS = 30
#: A scored period with fewer events than this is named under the table (:func:`few_events_note`).
FEW_IN_ONE_PERIOD = 10


def few_events_note(summary: dict[str, object]) -> str:
    """Return a caution when the test periods hold few events, else ``""``.

    With about ten events a month one event more or less in the top cells moves PAI@5 % by
    two, so the means and ratios swing with chance. Every scored period weighs the same in
    the means, so one nearly empty period (one event: PAI 0 or 20) is named even when the
    others are full.

    Parameters
    ----------
    summary
        Output of :func:`summarize`.

    Returns
    -------
    str
        The sentences, or an empty string.
    """
    unit = str(summary.get("step", "month"))
    periods = summary.get(f"per_{unit}")
    if not isinstance(periods, dict) or not periods:
        return ""
    rows = [r for r in next(iter(periods.values())) if r["n_test"] > 0]
    if not rows:
        return ""
    mean = float(np.mean([r["n_test"] for r in rows]))
    if mean < FEW_EVENTS:
        return (
            f"Few events: {mean:.0f} a {unit} on average in the test {unit}s (under "
            f"{FEW_EVENTS}); PAI swings with one event more or less in the top cells, so read "
            f"the means and ratios with their spread (sd) and the {unit}s in the JSON."
        )
    thin = [r for r in rows if r["n_test"] < FEW_IN_ONE_PERIOD]
    if not thin:
        return ""
    named = ", ".join(f"{r[unit]} ({r['n_test']})" for r in thin)
    return (
        f"Few events in {len(thin)} test {unit}{'s' if len(thin) > 1 else ''}: {named}. Every "
        f"{unit} weighs the same in the means, and there one event more or less in the top "
        f"cells moves PAI@5 % by more than {20 / FEW_IN_ONE_PERIOD:g}; compare the "
        f"means without {'them' if len(thin) > 1 else 'it'} in the JSON (per_{unit})."
    )


def default_fit_note(periods: Sequence[BacktestPeriod], methods: Sequence[str]) -> str:
    """Say in how many test periods the default had too little history to fit its weights.

    The default (``blend``) fits its mixture on inner origins inside the training window
    (:func:`geo.forecast.blend_fit_origins`); with one training month there is none, and it
    forecasts as ``kde``; with two, some months have one.

    Parameters
    ----------
    periods
        The backtest's test periods (:func:`backtest_periods`).
    methods
        The methods run; the note is only for ``default`` or ``blend``.

    Returns
    -------
    str
        The sentence, or ``""`` when every period had at least two inner origins.
    """
    blends = {"blend"} | ({"default"} if DEFAULT_METHOD == "blend" else set())
    if not blends & set(methods):
        return ""
    day = pd.Timedelta(days=1)
    n = [blend_fit_origins(p.train_start, p.origin, (p.end - p.origin) / day) for p in periods]
    none, one = n.count(0), n.count(1)
    if not none and not one:
        return ""
    parts = []
    if none:
        parts.append(f"in {none} of {len(n)} it forecast as kde (no inner origin to fit on)")
    if one:
        parts.append(f"in {one} it fitted its weights on one inner origin only")
    return (
        f"The default had little history for its weights: {'; '.join(parts)}. Its row shows "
        "the blend at its weakest; --train-months 3 or more gives it two or more."
    )


def plan_sentence(summary: dict[str, object]) -> str:
    """Say what share of a month's events lay in the few cells a patrol plan can visit.

    Parameters
    ----------
    summary
        Output of :func:`summarize` (with ``n_cells`` and ``plan_cells``).

    Returns
    -------
    str
        One sentence, e.g. "The top 5 cells (as many as a week's patrol plan can visit;
        0.0558 % of the 8,955 cells) held on average count_3m 31.2 %, default 35.0 % of each
        test month's events."
    """
    methods, k, n = summary["methods"], summary.get("plan_cells"), summary.get("n_cells")
    assert isinstance(methods, dict)
    if not isinstance(k, int) or not isinstance(n, int) or n == 0:
        return ""
    shares = ", ".join(
        f"{name} {m['hit_plan'] * 100:.1f} %"
        for name, m in methods.items()
        if m.get("hit_plan") is not None
    )
    return (
        f"The top {k} cells (as many as a week's patrol plan can visit; "
        f"{min(k / n, 1.0) * 100:.3g} % of the {n:,} cells) held on average {shares} of each "
        f"test {summary.get('step', 'month')}'s events."
    )


def monthly_table(summary: dict[str, object], *, baseline: str | None = None) -> str:
    """Return a Markdown table of PAI@5 % per test month (ratio to the baseline in brackets).

    Parameters
    ----------
    summary
        Output of :func:`summarize`.
    baseline
        Method the ratios are taken against; default :func:`baseline_of`.

    Returns
    -------
    str
        One row per method, one column per test month.
    """
    baseline = baseline or baseline_of(summary)
    per_month = summary["per_month"]
    months = summary["test_months"]
    assert isinstance(per_month, dict)
    assert isinstance(months, list)
    base = {r["month"]: r["pai_5"] for r in per_month.get(baseline, [])}
    lines = [
        "| PAI@5% per month | " + " | ".join(months) + " |",
        "|---|" + "---|" * len(months),
    ]
    for name, rows in per_month.items():
        cells = []
        for r in rows:
            b, v = base.get(r["month"]), r["pai_5"]
            if v is None:
                cells.append("– (no events)")
                continue
            ratio = f" ({v / b:.2f})" if b and name != baseline else ""
            cells.append(f"{v:.2f}{ratio}")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def plot_hit_rates(
    curves: pd.DataFrame, *, title: str = "", plan_share: float | None = None
) -> Figure:
    """Plot the mean hit rate against the share of area flagged, one line per method.

    The area axis is logarithmic (0.01–20 %), so that the few cells a patrol plan visits
    show beside the 1/5/10 % shares of the tables.

    Parameters
    ----------
    curves
        Second output of :func:`backtest`.
    title
        Plot title.
    plan_share
        Share of the cells a week's patrol plan visits (``plan_cells / n_cells``); drawn as
        a dashed line when given.

    Returns
    -------
    matplotlib.figure.Figure
        The figure (not saved; the caller writes it).
    """
    from matplotlib.ticker import FuncFormatter

    fig = Figure(figsize=(6.4, 4), dpi=100)
    ax = fig.add_subplot()
    for name, g in curves[curves["coverage"] > 0].groupby("method", sort=False):
        mean = g.groupby("coverage")["hit"].mean()
        ax.plot(mean.index * 100, mean.to_numpy() * 100, label=str(name))
    for cov in COVERAGES:
        ax.axvline(cov * 100, color="0.85", lw=0.8, zorder=0)
    if plan_share is not None and plan_share > 0:
        ax.axvline(plan_share * 100, color="0.4", lw=0.9, ls="--", zorder=0)
        ax.annotate(
            "a week's plan", (plan_share * 100, 97), rotation=90, fontsize=8, color="0.3",
            xytext=(3, 0), textcoords="offset points", va="top",
        )  # fmt: skip
    ax.set_xscale("log")
    ax.set_xlim(CURVE[CURVE > 0][0] * 100, CURVE[-1] * 100)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.set_ylim(0, 100)
    ax.set_xlabel("Share of the area (%, logarithmic scale)")
    ax.set_ylabel("Hit rate (%)")
    ax.set_title(title)
    ax.legend()
    fig.tight_layout()
    return fig
