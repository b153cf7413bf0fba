"""How far could any forecast beat ``count_3m`` if every cell kept its rate? A simulated ceiling.

The backtest (:mod:`geo.evaluate`) compares methods on the months (or weeks) of a file. This
module asks a different question of the same file: in a world where each cell's count in a month
(or week) is drawn afresh from a fixed rate (the cell's mean over all months of the file) with
the month-to-month swings the file shows, how much better than ``count_<n>m`` is a forecast
that *knows* every cell's rate exactly? No forecast built from the past can know the rates
better than that, so the ratio bounds what any method can gain over counting in such a world;
only swings that are predictable from the past (trends, seasons, moving places) could take a
method beyond it.

The swings are a gamma–Poisson (negative-binomial) mixture: each month a cell's rate is its
mean times a gamma factor of mean 1 and shape ``k``, fitted by moments on the cells with at
least one event a month (a week); ``k = ∞`` (pure Poisson) when the counts vary no more than
Poisson. Weekly, the count baseline sums the weeks of ``train_months`` (13 for three months),
as the weekly backtest's ``count_3m`` counts the three calendar months before each Monday.

The ceiling is generous: the rates are the file's own means, so chance makes some cells look
busier than they are, and the simulated world is more uneven than the real one, which favours
the rate-knowing forecast. (Where every cell truly has the same rate, knowing it is worth
nothing, yet six months of means give a ceiling near 1.2.) A target above the ceiling is
therefore out of reach for any ranking of places that stay the same.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

from geo.errors import DataError
from geo.evaluate import pai, study_cell_index
from geo.timespan import covered_span, whole_steps
from geo.weeks import week_labels, week_range

__all__ = ["Ceiling", "simulate_pai", "stationary_ceiling"]


@dataclass(frozen=True)
class Ceiling:
    """The simulated ceiling of one file.

    Attributes
    ----------
    ratio
        Mean PAI of the rate-knowing forecast ÷ mean PAI of ``count_<n>m``, at ``coverage``.
    pai_oracle, pai_count
        The two mean PAIs.
    shape_k
        The fitted gamma shape of the swings between steps (``inf``: none beyond Poisson).
    step
        ``"month"`` or ``"week"``: the time step counted and forecast.
    steps
        Whole months (or weeks) of the file the rates were taken from, empty ones included.
    train_steps
        Months (or weeks) the count baseline sums.
    coverage
        Share of the cells the PAI is taken at.
    simulations
        Simulated (training window + test month) draws.
    """

    ratio: float
    pai_oracle: float
    pai_count: float
    shape_k: float
    step: str
    steps: int
    train_steps: int
    coverage: float
    simulations: int


def _swing_shape(per_month: np.ndarray, rate: np.ndarray) -> float:
    """Fit the gamma shape ``k`` by moments (var = λ + λ²/k) on cells with λ ≥ 1."""
    busy = rate >= 1.0
    if busy.sum() == 0 or per_month.shape[0] < 2:
        return float("inf")
    lam = rate[busy]
    excess = per_month[:, busy].var(axis=0, ddof=1) - lam
    inv_k = float(np.mean(excess / lam**2))
    return 1.0 / inv_k if inv_k > 0 else float("inf")


def simulate_pai(
    rate: np.ndarray,
    shape_k: float,
    *,
    train_steps: int,
    coverage: float,
    simulations: int,
    seed: int,
) -> tuple[float, float]:
    """Return mean PAIs of ranking by ``rate`` and by ``train_steps`` of simulated counts.

    Parameters
    ----------
    rate
        Mean events per cell and month (or week).
    shape_k
        Gamma shape of the swings between months (``inf``: Poisson counts).
    train_steps
        Months (weeks) the count ranking sums.
    coverage, simulations, seed
        As in :func:`stationary_ceiling`.

    Returns
    -------
    tuple of float
        Mean PAI at ``coverage`` of the rate ranking and of the count ranking, scored on a
        simulated month (week) after the counted ones.
    """
    rng = np.random.default_rng(seed)
    oracle, count = [], []
    for _ in range(simulations):
        draw = np.broadcast_to(rate, (train_steps + 1, rate.size))
        if np.isfinite(shape_k):
            draw = draw * rng.gamma(shape_k, 1.0 / shape_k, size=draw.shape)
        sim = rng.poisson(draw).astype(float)
        oracle.append(pai(rate, sim[-1], coverage))
        count.append(pai(sim[:-1].sum(axis=0), sim[-1], coverage))
    return float(np.nanmean(oracle)), float(np.nanmean(count))


def stationary_ceiling(
    points: pd.DataFrame,
    *,
    cell_size_m: float = 150.0,
    train_months: int = 3,
    step: str = "month",
    coverage: float = 0.05,
    simulations: int = 300,
    seed: int = 0,
    area: shapely.Geometry | None = None,
) -> Ceiling:
    """Simulate how far a forecast that knows each cell's rate beats ``count_<n>m``.

    Parameters
    ----------
    points
        ``x``, ``y`` (metres) and ``t``, as from :func:`geo.pointfile.read_points`.
    cell_size_m
        Grid cell side (the study cells of :func:`geo.evaluate.backtest`).
    train_months
        Months the count baseline sums (weekly: the weeks in as many months, rounded).
    step
        ``"month"``: calendar months, leaving out a first and a last month the data cover in
        part (:mod:`geo.timespan`); ``"week"``: ISO weeks, leaving out a first and a last
        week the data begin or end within (their counts would be too low).
    coverage
        Share of the cells at which PAI is measured.
    simulations
        Number of simulated worlds (each: ``train_months`` + 1 months of counts).
    seed
        Random seed.
    area
        The study area, as given to :func:`geo.evaluate.backtest`.

    Returns
    -------
    Ceiling
        The ratio and its parts.

    Raises
    ------
    DataError
        If the file spans fewer than two months (weeks), or on an unknown ``step``.
    """
    cells, pos = study_cell_index(points, cell_size_m, area)
    t = pd.Series(pd.to_datetime(points["t"]))
    if step not in ("month", "week"):
        msg = f"Unknown step {step!r}; use 'month' or 'week'."
        raise DataError(msg)
    if step == "month":
        label = t.dt.to_period("M").astype(str)
        labels = [str(m) for m in whole_steps(*covered_span(t), "M")]
        train_steps = train_months
    else:
        label = week_labels(t)
        labels = week_range(label.min(), label.max())
        # a file that begins after a Monday or ends before a Sunday has a part week at that end
        labels = labels[int(t.min().weekday() > 0) : len(labels) - int(t.max().weekday() < 6)]
        train_steps = round(train_months * 52 / 12)
    if len(labels) < 2:
        msg = f"A ceiling needs at least two {step}s of data (to see how counts swing)."
        raise DataError(msg)
    at = label.to_numpy()
    counts = np.stack(
        [np.bincount(pos[(at == m) & (pos >= 0)], minlength=cells.size) for m in labels]
    ).astype(float)
    rate = counts.mean(axis=0)
    k = _swing_shape(counts, rate)
    p_oracle, p_count = simulate_pai(
        rate, k, train_steps=train_steps, coverage=coverage, simulations=simulations, seed=seed
    )
    return Ceiling(
        ratio=p_oracle / p_count if p_count > 0 else float("nan"),
        pai_oracle=p_oracle,
        pai_count=p_count,
        shape_k=k,
        step=step,
        steps=len(labels),
        train_steps=train_steps,
        coverage=coverage,
        simulations=simulations,
    )
