"""Random patrol-planning instances, for checking the solvers and timing them (tests, bench/)."""

from __future__ import annotations

import numpy as np

from geo.patrol_solver import Instance


def random_instance(
    seed: int,
    *,
    n_max: int = 40,
    windows: tuple[int, int] = (2, 4),
    window_len: tuple[float, ...] = (25, 30, 35),
    budgets: tuple[float, ...] = (40, 50, 60),
) -> Instance:
    """Return a small random instance: Euclidean driving minutes, sparse gamma values.

    Parameters
    ----------
    seed
        Seed of the instance.
    n_max
        Most candidates (at least 5 are drawn).
    windows
        Half-open range of the number of trip windows.
    window_len, budgets
        Window lengths and budgets (minutes) to draw from.

    Returns
    -------
    Instance
        Points uniform in a 15 × 15 square (distance = driving minutes), values
        gamma(0.7) with 30 % zeros, dwell 10–16 min, one or two trips, repeat factor 0.5.
    """
    rng = np.random.default_rng(seed)
    n = int(rng.integers(5, n_max + 1))
    w = int(rng.integers(*windows))
    pts = rng.uniform(0, 15, size=(n + 1, 2))
    return Instance(
        values=rng.gamma(0.7, 1.0, size=(n, w)) * (rng.random((n, w)) < 0.7),
        travel_min=np.linalg.norm(pts[:, None] - pts[None], axis=2),
        window_day=rng.integers(0, 3, size=w),
        window_len_min=float(rng.choice(window_len)),
        dwell_min=float(rng.integers(10, 17)),
        budget_min=float(rng.choice(budgets)),
        max_trips=int(rng.choice([1, 2])),
        repeat_factor=0.5,
    )


def week_instance(seed: int, *, n: int = 300, hours: int = 168) -> Instance:
    """Return a week-sized instance: ``n`` candidates × one 2-hour window per hour of the week.

    Parameters
    ----------
    seed
        Seed of the instance.
    n
        Candidates (points uniform in a 30 × 30 square, distance = driving minutes).
    hours
        Windows (start hours), 24 per day.

    Returns
    -------
    Instance
        Values gamma(0.5), 120-minute budget and windows, dwell 15 min, up to two trips.
    """
    rng = np.random.default_rng(seed)
    pts = rng.uniform(0, 30, size=(n + 1, 2))
    return Instance(
        values=rng.gamma(0.5, 1.0, size=(n, hours)),
        travel_min=np.linalg.norm(pts[:, None] - pts[None], axis=2),
        window_day=np.arange(hours) // 24,
        window_len_min=120,
        dwell_min=15,
        budget_min=120,
        max_trips=2,
    )
