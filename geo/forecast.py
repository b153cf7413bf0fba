"""Forecast risk per grid cell and hour of the week for a target ISO week."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from scipy import ndimage

from geo import seasonal, settings
from geo.errors import DataError
from geo.grid import (
    Raster,
    area_bounds,
    cell_ids,
    cell_polygons,
    check_grid_size,
    make_grid,
    neighbour_matrix,
)
from geo.model import THEMES, has_clock_time
from geo.projection import require_projected
from geo.sites import at_bathing_site, bathing_sites
from geo.weeks import parse_week, week_monday

__all__ = [
    "DEFAULT_METHOD",
    "FORECAST_COLUMNS",
    "blend_fit_origins",
    "check_method",
    "count_months",
    "forecast_week",
    "method_names",
    "predict_counts",
]

logger = logging.getLogger(__name__)

#: The method ``"default"`` stands for (chosen on the evidence in docs/evaluation.md).
DEFAULT_METHOD = "blend"
#: Incidents located less precisely than this are not used for forecast cells.
MAX_PRECISION_M = 1000.0

FORECAST_COLUMNS: tuple[str, ...] = (
    "cell_id",
    "risk_week",
    *(f"risk_{t}" for t in THEMES),
    "how_profile",
    "week",
    "method",
    "cell_size_m",
    "history_end",
    "geometry",
)
#: Days without any event after which the data, at their own rate, are taken to end (not the
#: events): the chance of so long a quiet spell must be below 1 in this many, and it must
#: last longer than :data:`MIN_DATA_GAP_DAYS`.
DATA_GAP_ODDS = 1000.0
MIN_DATA_GAP_DAYS = 7.0
#: A forecast whose history ends more than this many days before its week is warned about.
STALE_HISTORY_DAYS = 56.0

FloatArray = npt.NDArray[np.float64]
_DAY = pd.Timedelta(days=1)


@dataclass(frozen=True)
class History:
    """Events known at a forecast origin.

    Attributes
    ----------
    cell
        Cell id of each event (int64).
    t
        Event times, naive local time (``datetime64[ns]``), all before ``origin``.
    start
        Beginning of the observed history (no data before it is known).
    origin
        The forecast origin (first instant of the target period).
    """

    cell: npt.NDArray[np.int64]
    t: npt.NDArray[np.datetime64]
    start: pd.Timestamp
    origin: pd.Timestamp

    def window(self, begin: pd.Timestamp, end: pd.Timestamp) -> npt.NDArray[np.int64]:
        """Return the cell ids of the events with ``begin <= t < end``."""
        sel = (self.t >= np.datetime64(begin)) & (self.t < np.datetime64(end))
        return self.cell[sel]

    def age_days(self) -> FloatArray:
        """Return the age of each event at the origin, in days."""
        return np.asarray(
            (np.datetime64(self.origin) - self.t) / np.timedelta64(1, "D"), dtype=float
        )


@dataclass(frozen=True)
class Target:
    """What a forecast method predicts: expected counts per cell over a horizon.

    Attributes
    ----------
    cells
        Cells to predict for (the study area).
    horizon_days
        Length of the target period, starting at the history's origin.
    cell_size_m
        Cell side in metres.
    seed
        Seed for the learned method.
    """

    cells: npt.NDArray[np.int64]
    horizon_days: float
    cell_size_m: float
    seed: int | None


Method = Callable[[History, Target], FloatArray]


def _counts(
    ids: npt.NDArray[np.int64], cells: npt.NDArray[np.int64], weights: FloatArray | None = None
) -> FloatArray:
    pos = pd.Index(cells).get_indexer(pd.Index(ids))
    ok = pos >= 0
    w = np.ones(ids.shape) if weights is None else weights
    return np.bincount(pos[ok], weights=w[ok], minlength=cells.size).astype(float)


def _smooth(
    values: FloatArray, cells: npt.NDArray[np.int64], sigma_cells: float, cell_size_m: float
) -> FloatArray:
    raster = Raster.covering(cells, cell_size_m=cell_size_m, pad=int(4 * sigma_cells) + 1)
    dense = raster.rasterize(cells, values)
    return raster.sample(ndimage.gaussian_filter(dense, sigma=sigma_cells, mode="constant"), cells)


def _count_method(window: pd.Timedelta | pd.DateOffset) -> Method:
    """Return the counts of the ``window`` before the origin (``count_3m``: 3 calendar months)."""

    def run(h: History, q: Target) -> FloatArray:
        begin = max(h.origin - window, h.start)
        span = max((h.origin - begin) / _DAY, 1.0)
        return _counts(h.window(begin, h.origin), q.cells) * q.horizon_days / span

    return run


def _kde_method(bandwidth_m: float | None) -> Method:
    def run(h: History, q: Target) -> FloatArray:
        span = max((h.origin - h.start) / _DAY, 1.0)
        sigma = (bandwidth_m or q.cell_size_m) / q.cell_size_m
        smooth = _smooth(_counts(h.cell, q.cells), q.cells, sigma, q.cell_size_m)
        return smooth * q.horizon_days / span

    return run


def _prospective(h: History, q: Target) -> FloatArray:
    """Bowers, Johnson & Pease (2004): weights 1/(1 + distance in cells) × 1/(1 + age in weeks)."""
    cells, cell_size_m = q.cells, q.cell_size_m
    weeks = np.floor(h.age_days() / 7.0)
    keep = weeks < 8
    weighted = _counts(h.cell[keep], cells, 1.0 / (1.0 + weeks[keep]))
    reach = max(int(np.floor(400.0 / cell_size_m)), 1)
    yy, xx = np.mgrid[-reach : reach + 1, -reach : reach + 1]
    dist = np.hypot(yy, xx)
    kernel = np.where(dist * cell_size_m <= max(400.0, cell_size_m * 1.5), 1.0 / (1.0 + dist), 0.0)
    raster = Raster.covering(cells, cell_size_m=cell_size_m, pad=reach + 1)
    dense = raster.rasterize(cells, weighted)
    return raster.sample(ndimage.convolve(dense, kernel, mode="constant"), cells)


def _features(
    h: History,
    cells: npt.NDArray[np.int64],
    horizon_days: float,
    cell_size_m: float,
    *,
    use_season: bool,
) -> FloatArray:
    """Multi-scale, multi-recency rates per cell (events per day) at the history's origin."""
    age = h.age_days()
    hist_days = max((h.origin - h.start) / _DAY, 1.0)
    cols: list[FloatArray] = []
    long_days = min(hist_days, 365.0)
    long_rate = _counts(h.cell[age <= long_days], cells) / long_days
    cols.append(long_rate)
    for half_life in (7.0, 28.0, 91.0):
        weight = np.exp(-np.log(2) * age / half_life)
        norm = half_life / np.log(2) * (1 - np.exp(-np.log(2) * hist_days / half_life))
        decayed = _counts(h.cell, cells, weight) / norm
        cols.append(decayed)
        if half_life == 28.0:
            for sigma in (1.0, 2.0, 4.0):
                cols.append(_smooth(decayed, cells, sigma, cell_size_m))
    for sigma in (1.0, 2.0, 4.0):
        cols.append(_smooth(long_rate, cells, sigma, cell_size_m))
    if use_season:
        ly_begin = h.origin - pd.Timedelta(days=364)
        season = _counts(
            h.window(
                ly_begin - pd.Timedelta(days=14), ly_begin + pd.Timedelta(days=horizon_days + 14)
            ),
            cells,
        ) / (horizon_days + 28)
        cols.append(season)
        cols.append(_smooth(season, cells, 1.0, cell_size_m))
    recent_total = float(np.sum(age <= 28.0)) / min(28.0, hist_days) / max(cells.size, 1)
    cols.append(np.full(cells.size, recent_total))
    return np.column_stack(cols)


def _origins_before(
    start: pd.Timestamp, origin: pd.Timestamp, horizon_days: float, *, step_days: float, n: int
) -> list[pd.Timestamp]:
    """Return up to ``n`` origins ``origin - horizon - j × step`` after ``start``.

    Each has at least one horizon (and 28 days) of history behind it and a whole horizon of
    known events after it.
    """
    horizon = pd.Timedelta(days=horizon_days)
    step = pd.Timedelta(days=step_days)
    min_hist = pd.Timedelta(days=max(28.0, horizon_days))
    origins = []
    for j in range(n):
        o = origin - horizon - j * step
        if o - min_hist < start:
            break
        origins.append(o)
    return origins


def _inner_origins(
    h: History, horizon_days: float, *, step_days: float, n: int
) -> tuple[list[pd.Timestamp], bool]:
    """Return the inner origins of a history (:func:`_origins_before`) and a season flag.

    The flag says whether every origin also has a year (and two weeks) behind it, as
    same-season features need.
    """
    origins = _origins_before(h.start, h.origin, horizon_days, step_days=step_days, n=n)
    use_season = bool(origins) and min(origins) - pd.Timedelta(days=364 + 14) >= h.start
    return origins, use_season


def blend_fit_origins(start: pd.Timestamp, origin: pd.Timestamp, horizon_days: float) -> int:
    """Return on how many inner origins the default (``blend``) fits its weights.

    Parameters
    ----------
    start, origin
        The history the forecast may use: ``[start, origin)``.
    horizon_days
        Length of the forecast period.

    Returns
    -------
    int
        0 when the history is too short for one (a horizon and at least 28 days before an
        origin, a horizon after it): the default then forecasts as ``kde``.
    """
    steps = _blend_step_days(horizon_days)
    return len(_origins_before(start, origin, horizon_days, step_days=steps, n=BLEND_FOLDS))


def _blend_step_days(horizon_days: float) -> float:
    """Days between the blend's inner origins: half the horizon, at least a week."""
    return max(7.0, horizon_days / 2)


def _multiscale(h: History, q: Target) -> FloatArray:
    """Poisson gradient boosting on multi-scale, multi-recency and same-season cell rates.

    Trained on pseudo-origins inside the history (features before, counts after, all before the
    real origin), then applied at the real origin.
    """
    cells, horizon_days, cell_size_m, seed = q.cells, q.horizon_days, q.cell_size_m, q.seed
    horizon = pd.Timedelta(days=horizon_days)
    active = np.isin(cells, h.cell)
    if active.sum() < 10:
        return _kde_method(None)(h, q)
    # train on active cells and their neighbourhood; the rest are all-zero rows the model ignores
    near = np.asarray(neighbour_matrix(cells, rings=2) @ active.astype(float)).ravel() > 0
    train_cells = cells[active | near]
    rng = np.random.default_rng(seed)
    max_rows = 20_000  # a light model: it is not the default (docs/evaluation.md)
    # same-season features only when every pseudo-origin has a year of history behind it
    origins, use_season = _inner_origins(
        h, horizon_days, step_days=max(7.0, horizon_days / 4), n=12
    )
    X_parts, y_parts = [], []
    for o in origins:
        sub = History(h.cell[h.t < np.datetime64(o)], h.t[h.t < np.datetime64(o)], h.start, o)
        X_parts.append(
            _features(sub, train_cells, horizon_days, cell_size_m, use_season=use_season)
        )
        y_parts.append(_counts(h.window(o, o + horizon), train_cells))
    if not X_parts:
        logger.info("multiscale: history too short for pseudo-origins; using kde")
        return _kde_method(None)(h, q)
    X = np.vstack(X_parts)
    y = np.concatenate(y_parts)
    if y.sum() == 0:
        return _kde_method(None)(h, q)
    if len(y) > max_rows:
        keep = rng.choice(len(y), max_rows, replace=False)
        X, y = X[keep], y[keep]
    from sklearn.ensemble import HistGradientBoostingRegressor  # 1 s to import; only here

    model = HistGradientBoostingRegressor(
        loss="poisson",
        max_iter=100,
        learning_rate=0.08,
        early_stopping=False,
        max_leaf_nodes=15,
        min_samples_leaf=50,
        l2_regularization=1.0,
        random_state=seed,
    )
    model.fit(X, y)
    pred = np.asarray(
        model.predict(_features(h, cells, horizon_days, cell_size_m, use_season=use_season)),
        dtype=float,
    )
    logger.debug("multiscale: %d training rows from %d origins", len(y), len(X_parts))
    return pred


#: Recency half-lives (days) of the blend's components; ``None`` = the whole history, undecayed.
BLEND_HALF_LIVES_D: tuple[float | None, ...] = (14.0, 56.0, None)
#: Spatial scales of the blend's components: Gaussian σ in cells (0 = the cell itself).
BLEND_SIGMAS_CELLS: tuple[float, ...] = (0.0, 1.0, 2.0, 4.0)
#: Inner validation origins the blend's weights are fitted on (at most).
BLEND_FOLDS = 8
#: Spatial scale (Gaussian σ in cells) of a place's season (:mod:`geo.seasonal`).
SEASON_SIGMA_CELLS = 1.0


class _CellRaster:
    """Cells of the study area on a dense raster, for fast counting and Gaussian smoothing.

    The raster is the cells' bounding box, unpadded: the filter (``mode="constant"``) reads
    zeros beyond its edges, the values a pad would hold, with the same arithmetic.
    """

    def __init__(self, cells: npt.NDArray[np.int64], cell_size_m: float) -> None:
        self.cells = cells
        self.raster = Raster.covering(cells, cell_size_m=cell_size_m)
        r, c = self.raster.positions(cells)
        self.flat = r * self.raster.n_cols + c
        self.index = pd.Index(cells)

    def positions(self, ids: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        """Return the position of each cell id in ``cells`` (-1 outside the study area)."""
        return np.asarray(self.index.get_indexer(pd.Index(ids)), dtype=np.int64)

    def smooth(self, values: FloatArray, sigma_cells: float) -> FloatArray:
        """Gaussian-smooth per-cell values (σ in cells; 0 returns them unchanged)."""
        if sigma_cells <= 0:
            return values
        dense = np.zeros(self.raster.n_rows * self.raster.n_cols)
        dense[self.flat] = values
        shape = (self.raster.n_rows, self.raster.n_cols)
        dense2 = ndimage.gaussian_filter(dense.reshape(shape), sigma=sigma_cells, mode="constant")
        return np.asarray(dense2.ravel()[self.flat], dtype=float)


def _blend_features(
    pos: npt.NDArray[np.int64],
    t: npt.NDArray[np.datetime64],
    start: pd.Timestamp,
    origin: pd.Timestamp,
    grid: _CellRaster,
    horizon_days: float,
    *,
    use_season: bool,
) -> FloatArray:
    """Return each blend component's expected counts per cell in ``[origin, origin + horizon)``.

    ``pos``/``t`` are the events' cell positions and times; only those in ``[start, origin)``
    are used. Components: for each recency half-life × spatial scale, the decayed event rate
    smoothed at that scale; the same weeks one year earlier (``use_season``); and the
    area-wide rate spread evenly over the cells. One row per component
    (:func:`_n_blend_components`), one column per cell: the caller lays them out as rows of
    its design matrix in one transposing copy.
    """
    sel = (t >= np.datetime64(start)) & (t < np.datetime64(origin)) & (pos >= 0)
    p, age = pos[sel], np.asarray((np.datetime64(origin) - t[sel]) / np.timedelta64(1, "D"))
    n = grid.cells.size
    hist_days = max((origin - start) / _DAY, 1.0)
    cols: list[FloatArray] = []
    for half_life in BLEND_HALF_LIVES_D:
        if half_life is None:
            rate = np.bincount(p, minlength=n) / hist_days
        else:
            k = np.log(2) / half_life
            norm = (1 - np.exp(-k * hist_days)) / k
            rate = np.bincount(p, weights=np.exp(-k * age), minlength=n) / norm
        cols.extend(grid.smooth(rate * horizon_days, s) for s in BLEND_SIGMAS_CELLS)
    if use_season:
        lo, hi = 364.0 - 14.0 - horizon_days, 364.0 + 14.0
        ly = (age > lo) & (age <= hi)
        season = np.bincount(p[ly], minlength=n) / (hi - lo) * horizon_days
        cols.append(grid.smooth(season, 1.0))
    cols.append(np.full(n, p.size / hist_days * horizon_days / max(n, 1)))
    return np.stack(cols)


def _n_blend_components(*, use_season: bool) -> int:
    """Return how many components :func:`_blend_features` returns."""
    return len(BLEND_HALF_LIVES_D) * len(BLEND_SIGMAS_CELLS) + int(use_season) + 1


def _blend_floor(y: FloatArray) -> float:
    """Return the small expected count every cell keeps (a millionth of the mean count)."""
    return 1e-6 * max(float(np.mean(y)), 1e-12)


def _fit_blend_weights(X: FloatArray, y: FloatArray) -> FloatArray:
    """Non-negative weights maximising the Poisson likelihood of ``y`` under ``X @ weights``.

    Rows with ``y = 0`` add only ``x · weights`` to the negative log-likelihood, so they
    enter through one column sum and the optimiser touches only the rows with events: the
    fit is exact and its cost grows with the events, not with the cells.

    The products run on one BLAS thread: at some 10⁵ rows × 13 columns, threads cost more
    than they give (five to nine times the time on two busy cores), and one thread sums in
    the same order on every machine, so the weights do not depend on its cores.
    """
    from scipy.optimize import minimize
    from threadpoolctl import threadpool_limits

    scale = X.mean(axis=0)
    scale[scale <= 0] = 1.0
    col_sum = X.sum(axis=0) / scale
    hit = y > 0
    Xh = X[hit] / scale  # columns of mean 1 overall: better conditioned
    yh = y[hit]
    floor = _blend_floor(y)

    def loss(wts: FloatArray) -> tuple[float, FloatArray]:
        mu = Xh @ wts + floor
        value = float(col_sum @ wts - yh @ np.log(mu))
        grad = col_sum - Xh.T @ (yh / mu)
        return value, np.asarray(grad, dtype=float)

    k = X.shape[1]
    start = np.full(k, float(y.sum()) / max(float(col_sum.sum()), 1e-12))
    with threadpool_limits(limits=1, user_api="blas"):
        res = minimize(loss, start, jac=True, method="L-BFGS-B", bounds=[(0.0, None)] * k)
    return np.asarray(res.x / scale, dtype=float)


def _blend(h: History, q: Target) -> FloatArray:
    """Forecast with a mixture of count and KDE surfaces at several recencies and scales.

    The weights are fitted only on the history: at inner origins ``origin - j × step`` (step =
    half the horizon, at least 7 days; each with at least one horizon of history behind it),
    the components are computed from the events before the inner origin and scored, by
    Poisson likelihood, on the events of the following horizon. The fitted mixture of the
    components at the real origin is the forecast.
    """
    cells, horizon_days, n = q.cells, q.horizon_days, q.cells.size
    grid = _CellRaster(cells, q.cell_size_m)
    pos = grid.positions(h.cell)
    horizon = pd.Timedelta(days=horizon_days)
    # the season component needs a year of history behind every inner origin
    origins, use_season = _inner_origins(
        h, horizon_days, step_days=_blend_step_days(horizon_days), n=BLEND_FOLDS
    )
    if not origins:
        logger.info("blend: history too short for inner origins; using kde")
        return _kde_method(None)(h, q)
    # one row per inner origin and cell, filled in place (no list of blocks to stack)
    X = np.empty((len(origins) * n, _n_blend_components(use_season=use_season)))
    y = np.empty(len(origins) * n)
    for i, o in enumerate(origins):
        rows = slice(i * n, (i + 1) * n)
        X[rows] = _blend_features(pos, h.t, h.start, o, grid, horizon_days, use_season=use_season).T
        target = (h.t >= np.datetime64(o)) & (h.t < np.datetime64(o + horizon)) & (pos >= 0)
        y[rows] = np.bincount(pos[target], minlength=n)
    if y.sum() == 0:
        return _kde_method(None)(h, q)
    weights = _fit_blend_weights(X, y)
    logger.debug("blend weights %s from %d inner origins", np.round(weights, 3), len(origins))
    X0 = np.ascontiguousarray(
        _blend_features(pos, h.t, h.start, h.origin, grid, horizon_days, use_season=use_season).T
    )
    out = np.asarray(X0 @ weights + _blend_floor(y), dtype=float)
    if not use_season:
        return out
    fitted = np.asarray(X @ weights + _blend_floor(y)).reshape(len(origins), n)
    return _with_places_season(out, fitted, y.reshape(len(origins), n), origins, pos, h, q, grid)


def _with_places_season(
    out: FloatArray,
    fitted: FloatArray,
    observed: FloatArray,
    origins: list[pd.Timestamp],
    pos: npt.NDArray[np.int64],
    h: History,
    q: Target,
    grid: _CellRaster,
) -> FloatArray:
    """Move the blend's expected events toward the cells whose season is ahead.

    See :mod:`geo.seasonal`. The trust in each cell's own season is chosen on the inner
    origins the weights were fitted on (their fitted and observed counts, one row per
    origin); the forecast is left as it is when no trust helps there or the history is too
    short.
    """
    # neighbours' events pooled with the cell's own at full weight: the counts stay events,
    # the unit the trust (a prior in events) is measured in
    impulse = np.zeros(int(8 * SEASON_SIGMA_CELLS) + 1)
    impulse[impulse.size // 2] = 1.0
    own = float(ndimage.gaussian_filter1d(impulse, SEASON_SIGMA_CELLS)[impulse.size // 2]) ** 2

    def counts(origin: pd.Timestamp) -> seasonal.SeasonCounts | None:
        return seasonal.season_counts(
            pos, h.t, h.start, origin, q.cells.size, q.horizon_days,
            lambda v: grid.smooth(v, SEASON_SIGMA_CELLS) / own,
        )  # fmt: skip

    now = counts(h.origin)
    inner = [counts(o) for o in origins]
    if now is None or any(c is None for c in inner):
        return out
    shrink = seasonal.choose_shrink(
        list(fitted), list(observed), [c for c in inner if c is not None]
    )
    logger.debug("blend: places' season %s", "not used" if shrink is None else f"prior {shrink}")
    return out if shrink is None else seasonal.redistribute(out, now.factor(shrink))


_NAMED: dict[str, Method] = {
    "kde": _kde_method(None),
    "prospective": _prospective,
    "multiscale": _multiscale,
    "blend": _blend,
}
_COUNT = re.compile(r"^count_(\d+)([dwm])$")
_KDE = re.compile(r"^kde_(\d+)$")


def method_names() -> list[str]:
    """Return the forecast methods (besides ``count_<n>d|w|m`` and ``kde_<bandwidth m>``)."""
    return ["default", "count_3m", "kde", "prospective", "multiscale", "blend"]


def count_months(method: str) -> float | None:
    """Return how many months a ``count_<n>d|w|m`` method counts (a month is 365.25 / 12 days).

    Parameters
    ----------
    method
        A method name.

    Returns
    -------
    float or None
        The window in months, or ``None`` when ``method`` is not a count.
    """
    m = _COUNT.match(method)
    if not m:
        return None
    n, unit = int(m.group(1)), m.group(2)
    return float(n) if unit == "m" else n * (7 if unit == "w" else 1) / (365.25 / 12)


def check_method(method: str) -> None:
    """Raise :class:`~geo.errors.DataError` naming the methods there are if ``method`` is unknown.

    Parameters
    ----------
    method
        A method name as :func:`predict_counts` takes it.
    """
    _resolve(method)


def _resolve(method: str) -> Method:
    name = DEFAULT_METHOD if method == "default" else method
    if name in _NAMED:
        return _NAMED[name]
    m = _COUNT.match(name)
    if m:
        n, unit = int(m.group(1)), m.group(2)
        if n < 1:
            msg = f"{method!r} counts no time at all; count at least one day, week or month."
            raise DataError(msg)
        if unit == "m":  # calendar months: from a month's first day, exactly the n months before
            return _count_method(pd.DateOffset(months=n))
        return _count_method(pd.Timedelta(days=n * (7 if unit == "w" else 1)))
    m = _KDE.match(name)
    if m:
        return _kde_method(float(m.group(1)))
    msg = (
        f"Unknown forecast method {method!r}; use one of {', '.join(method_names())}, "
        "count_<n>w, count_<n>m or kde_<bandwidth in m>."
    )
    raise DataError(msg)


def predict_counts(
    cells_of_events: npt.ArrayLike,
    times: npt.ArrayLike,
    cells: npt.ArrayLike,
    *,
    origin: pd.Timestamp,
    horizon_days: float,
    method: str = "default",
    cell_size_m: float,
    history_start: pd.Timestamp | None = None,
    seed: int | None = None,
) -> FloatArray:
    """Predict the number of events per cell in ``[origin, origin + horizon_days)``.

    Parameters
    ----------
    cells_of_events
        Cell id of each past event (see :func:`geo.grid.cell_ids`).
    times
        Time of each event, naive local time; events at or after ``origin`` are ignored.
    cells
        Cells to predict for (the study area).
    origin
        First instant of the target period (naive local time).
    horizon_days
        Length of the target period.
    method
        ``default``, ``count_3m`` (or any ``count_<n>d|w|m``), ``kde`` (or ``kde_<m>``),
        ``prospective`` or ``multiscale``.
    cell_size_m
        Cell side in metres.
    history_start
        Start of the observed history; default the first event.
    seed
        Seed for the learned method.

    Returns
    -------
    numpy.ndarray
        Non-negative expected counts aligned with ``cells``; the total is calibrated to the
        recent event rate for methods that only rank.

    Raises
    ------
    DataError
        If the method is unknown.
    """
    run = _resolve(method)
    ev_cells = np.asarray(cells_of_events, dtype=np.int64)
    t = np.asarray(pd.to_datetime(np.asarray(times)), dtype="datetime64[ns]")
    origin = pd.Timestamp(origin)
    before = t < np.datetime64(origin)
    start = (
        pd.Timestamp(history_start)
        if history_start is not None
        else (
            pd.Timestamp(t[before].min())
            if before.any()
            else origin - pd.Timedelta(days=horizon_days)
        )
    )
    keep = before & (t >= np.datetime64(start))
    h = History(ev_cells[keep], t[keep], start, origin)
    cell_arr = np.asarray(cells, dtype=np.int64)
    if h.cell.size == 0:
        return np.zeros(cell_arr.size)
    target = Target(cell_arr, float(horizon_days), float(cell_size_m), seed)
    score = np.clip(np.nan_to_num(run(h, target)), 0, None)
    if method.startswith(("count", "kde", "multiscale", "blend", "default")):
        return score
    recent_days = min(max((origin - start) / _DAY, 1.0), 3 * max(horizon_days, 28.0))
    expected_total = (
        h.window(origin - pd.Timedelta(days=recent_days), origin).size / recent_days * horizon_days
    )
    total = float(score.sum())
    return score / total * expected_total if total > 0 else score


#: Column of theme B (badplatser) in the forecast's theme shares.
THEME_B = list(THEMES).index("B")


def _may_hold_b(
    polygons: gpd.GeoSeries,
    pos: npt.NDArray[np.int64],
    theme_idx: npt.NDArray[np.int64],
    places: gpd.GeoDataFrame,
) -> npt.NDArray[np.bool_]:
    """Tell the cells where a theme-B event can happen: those meeting a bathing site.

    B is a place theme (everything at the bathing sites), so a cell away from every site
    has no B however its theme shares are smoothed: shrunk toward the area-wide mix, a
    village's cells read 19 % B in December, and a village stop became "Badplatser".
    A cell holding an event counted for B (tied to a site by its place id) keeps B too.
    """
    may = np.zeros(len(polygons), dtype=bool)
    may[pos[theme_idx == THEME_B]] = True
    sites = bathing_sites(places)
    if len(sites):
        union = sites.to_crs(polygons.crs).geometry.union_all()
        may |= np.asarray(polygons.intersects(union), dtype=bool)
    return may


def _profiles(
    pos: npt.NDArray[np.int64],
    how: npt.NDArray[np.int64],
    n_cells: int,
    adj_self: object,
    prior: FloatArray,
    k: float,
) -> FloatArray:
    counts = np.zeros((n_cells, prior.size))
    np.add.at(counts, (pos, how), 1.0)
    local = np.asarray(adj_self @ counts)  # type: ignore[operator]
    n = local.sum(axis=1, keepdims=True)
    return np.asarray((local + k * prior[None, :]) / (n + k))


def history_end(times: pd.Series, week_start: pd.Timestamp) -> pd.Timestamp:
    """Return where a week's forecast history ends: the week's Monday, or where the data end.

    Between the last event and the week, days without events are read as days without
    events, unless at the data's own rate so long a quiet spell is improbable (below 1 in
    :data:`DATA_GAP_ODDS` under a Poisson rate of the last year's events, and longer than
    :data:`MIN_DATA_GAP_DAYS`): then the data end there (imports not made yet, a plan for
    a week ahead of them), and the forecast is made from the midnight after the last event
    as if the week followed. Reading the gap as zero events made totals drop about 20 % a
    week and a week far ahead empty. A quiet kommun's police events (15 a year) are not cut:
    a month without events is what their rate expects.

    Parameters
    ----------
    times
        The usable events' times (tz-aware), all before ``week_start``.
    week_start
        Monday 00:00 of the target week (tz-aware).

    Returns
    -------
    pandas.Timestamp
        ``week_start``, or the midnight (local time) after the last event.
    """
    if times.empty:
        return week_start
    last = pd.Timestamp(times.max())
    gap_days = (week_start - last) / _DAY
    since = max(times.min(), last - pd.Timedelta(days=365))
    rate = float((times >= since).sum()) / max((last - since) / _DAY, 1.0)
    if gap_days <= MIN_DATA_GAP_DAYS or rate * gap_days <= np.log(DATA_GAP_ODDS):
        return week_start
    local = last.tz_convert(settings.timezone).tz_localize(None)
    return pd.Timestamp(local.normalize() + _DAY).tz_localize(settings.timezone)


def forecast_week(
    incidents: gpd.GeoDataFrame,
    *,
    week: str,
    method: str = "default",
    cell_size_m: float = 250.0,
    seed: int | None = None,
    area: shapely.Geometry | tuple[float, float, float, float] | None = None,
    shrink_events: float = 20.0,
    places: gpd.GeoDataFrame | None = None,
) -> gpd.GeoDataFrame:
    """Forecast the expected events per grid cell in an ISO week, per theme and hour of week.

    Parameters
    ----------
    incidents
        Incidents (EPSG:3006) with ``occurred_at`` (tz-aware) and ``theme``; only those
        before the week's Monday 00:00 Europe/Stockholm and located within 1000 m are used.
    week
        Target ISO week, e.g. ``"2026-W49"``.
    method
        See :func:`predict_counts`; ``default`` is :data:`DEFAULT_METHOD`.
    cell_size_m
        Grid cell side in metres.
    seed
        Seed for the learned method.
    area
        Polygon or bounds to forecast over; default the located incidents' bounds padded.
    shrink_events
        Weight (in events) of the area-wide profile when a cell's own theme mix and
        hour-of-week profile are estimated from its 3 × 3 neighbourhood.
    places
        Named places (:func:`geo.sites.load_places`): an event at a bathing site counts for
        theme B in the split, whatever its stored theme (the löfte's B is everything at the
        bathing sites, one theme per event as the monthly report counts it; no category is
        stored as B). Without them the split follows the stored themes.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per cell with nonzero risk: ``cell_id``, ``risk_week`` (expected events in
        the week), ``risk_N``, ``risk_T``, ``risk_B``, ``risk_S`` (split by the theme of
        the cell's events, B those at a bathing site when ``places`` are given, summing to
        ``risk_week``), ``how_profile`` (list of 168 floats summing to 1, Monday
        00:00 local time = 0), ``week`` (``YYYY-Www``), ``method`` (the method's own name,
        ``blend`` for ``default``), ``cell_size_m``, ``history_end`` (ISO date of the first
        day the history does not cover: the week's Monday, or the day after the data end,
        :func:`history_end`), ``geometry`` (cell Polygon, EPSG:3006). Empty (with these
        columns) when there is no usable history. ``attrs["history_end"]`` holds the
        timestamp, ``attrs["gap_days"]`` the days from it to the week, ``attrs["data_end"]``
        the local date of the last event used (``None`` without one) and
        ``attrs["warnings"]`` what a planner should be told (a forecast made more than
        :data:`STALE_HISTORY_DAYS` before its week).

    Raises
    ------
    DataError
        If the week is no ISO week, the method is unknown, or the grid would have more than
        :data:`geo.grid.MAX_GRID_CELLS` cells (the least cell size that fits is named).
    """
    require_projected(incidents)
    year, num = parse_week(week)
    week = f"{year}-W{num:02d}"
    start = week_monday(week)
    if area is not None:  # before the history is read (the default area is the events' own)
        check_grid_size(area_bounds(area), cell_size_m=cell_size_m)
    t_all = pd.to_datetime(incidents["occurred_at"])
    if t_all.dt.tz is None:
        # wall-clock times: the autumn hour that happens twice is no one time, the spring
        # hour that never happens is moved past the gap (a raw ValueError before)
        t_all = t_all.dt.tz_localize(
            settings.timezone, ambiguous="NaT", nonexistent="shift_forward"
        )
    usable = (t_all < start).to_numpy() & ~(
        incidents.geometry.is_empty | incidents.geometry.isna()
    ).to_numpy()
    if "location_precision_m" in incidents.columns:
        usable &= ~(
            pd.to_numeric(incidents["location_precision_m"], errors="coerce") > MAX_PRECISION_M
        ).to_numpy()
    ev = incidents.loc[usable]
    if ev.empty:
        logger.warning("för få händelser: no located incidents before %s; empty forecast", week)
        empty = gpd.GeoDataFrame(
            {c: [] for c in FORECAST_COLUMNS if c != "geometry"},
            geometry=gpd.GeoSeries([], crs=settings.working_crs),
        )
        empty.attrs.update(history_end=start, gap_days=0.0, data_end=None, warnings=[])
        return empty
    end = history_end(t_all[usable], start)
    gap_days = float((start.date() - end.date()).days)  # calendar days: whole across DST
    warnings = []
    if gap_days > STALE_HISTORY_DAYS:
        warnings.append(
            f"the data end {(end - _DAY).date()}, {gap_days / 7:.0f} weeks before {week}: the "
            "forecast is made from there as if the week followed (its season is that of the "
            "weeks after the data end); import newer data for a forecast of this week"
        )
        logger.warning("%s", warnings[-1])
    t_local = t_all[usable].dt.tz_convert(settings.timezone).dt.tz_localize(None)
    x, y = ev.geometry.x.to_numpy(), ev.geometry.y.to_numpy()
    if area is None:
        pad = 3 * cell_size_m
        area = (x.min() - pad, y.min() - pad, x.max() + pad, y.max() + pad)
        check_grid_size(area, cell_size_m=cell_size_m)
    cells = make_grid(area, cell_size_m=cell_size_m)["cell_id"].to_numpy()
    ev_cells = cell_ids(x, y, cell_size_m=cell_size_m)
    origin = end.tz_convert(settings.timezone).tz_localize(None)
    risk = predict_counts(
        ev_cells, t_local.to_numpy(), cells, origin=origin, horizon_days=7.0, method=method,
        cell_size_m=cell_size_m, seed=seed,
    )  # fmt: skip
    nonzero = risk > 1e-9
    cells, risk = cells[nonzero], risk[nonzero]
    pos = pd.Index(cells).get_indexer(ev_cells)
    ok = pos >= 0
    adj_self = neighbour_matrix(cells, rings=1)
    adj_self.setdiag(1.0)
    themes = (
        ev["theme"].astype("string").fillna("S").to_numpy()
        if "theme" in ev.columns
        else np.full(len(ev), "S")
    )
    theme_idx = np.array(
        [list(THEMES).index(v) if v in THEMES else 3 for v in themes], dtype=np.int64
    )
    if places is not None:
        theme_idx[at_bathing_site(ev, places)] = list(THEMES).index("B")
    theme_prior = np.asarray(
        (np.bincount(theme_idx, minlength=4) + 1.0) / (len(theme_idx) + 4.0), dtype=np.float64
    )
    shares = _profiles(pos[ok], theme_idx[ok], cells.size, adj_self, theme_prior, shrink_events)
    how = (t_local.dt.day_of_week.to_numpy() * 24 + t_local.dt.hour.to_numpy()).astype(np.int64)
    # only times with a clock hour: a report dated only is stored at midnight
    clock = has_clock_time(ev)
    how_prior = (
        ndimage.gaussian_filter1d(
            np.bincount(how[clock], minlength=168).astype(float), 1.5, mode="wrap"
        )
        + 0.1
    )
    how_prior /= how_prior.sum()
    timed = ok & clock
    prof = _profiles(pos[timed], how[timed], cells.size, adj_self, how_prior, shrink_events)
    prof /= prof.sum(axis=1, keepdims=True)
    out = gpd.GeoDataFrame(
        {"cell_id": cells, "risk_week": risk},
        geometry=cell_polygons(cells, cell_size_m=cell_size_m),
        crs=settings.working_crs,
    )
    if places is not None:
        shares[~_may_hold_b(out.geometry, pos[ok], theme_idx[ok], places), THEME_B] = 0.0
    shares /= shares.sum(axis=1, keepdims=True)
    for i, t in enumerate(THEMES):
        out[f"risk_{t}"] = risk * shares[:, i]
    out["how_profile"] = [row.tolist() for row in prof]
    out["week"] = week
    out["method"] = DEFAULT_METHOD if method == "default" else method
    out["cell_size_m"] = float(cell_size_m)
    out["history_end"] = end.date().isoformat()
    out = out[list(FORECAST_COLUMNS)]
    last = pd.Timestamp(t_all[usable].max()).tz_convert(settings.timezone)
    out.attrs.update(history_end=end, gap_days=gap_days, data_end=last.date(), warnings=warnings)
    logger.info(
        "forecast %s (%s): %d cells, %.1f expected events from %d incidents to %s",
        week, method, len(out), float(risk.sum()), len(ev), end.date(),
    )  # fmt: skip
    return out
