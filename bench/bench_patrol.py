"""Benchmark the patrol solver: heuristic/MILP value ratio, and the heuristic's time when large.

Run: .venv/bin/python bench/bench_patrol.py [--instances 50] [--large-runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import time

from geo.patrol_instances import random_instance, week_instance
from geo.patrol_solver import check_solution, solve_heuristic, solve_milp


def ratio_table(label: str, n: int, **kw: object) -> None:
    """Print the heuristic/MILP ratio and times over ``n`` instances."""
    ratios, t_h, t_m, proven = [], [], [], 0
    for seed in range(n):
        inst = random_instance(seed, **kw)  # type: ignore[arg-type]
        t0 = time.perf_counter()
        heur = solve_heuristic(inst)
        t1 = time.perf_counter()
        exact = solve_milp(inst, start=heur, gap_rel=1e-4, time_limit_s=60)
        t2 = time.perf_counter()
        assert not check_solution(inst, heur.trips)
        assert not check_solution(inst, exact.trips)
        ratios.append(heur.value / exact.value if exact.value > 0 else 1.0)
        t_h.append(t1 - t0)
        t_m.append(t2 - t1)
        proven += exact.optimal
    print(
        f"{label:34s} {n:4d} {min(ratios):8.4f} {statistics.mean(ratios):8.4f} "
        f"{statistics.mean(t_h) * 1000:9.1f} {statistics.mean(t_m):8.2f} {proven:5d}"
    )


def large(runs: int) -> None:
    """Print the heuristic's time on 300 candidates × 168 hourly windows (target < 2 s)."""
    times = []
    for seed in range(runs):
        inst = week_instance(100 + seed)
        t0 = time.perf_counter()
        sol = solve_heuristic(inst)
        times.append(time.perf_counter() - t0)
        assert not check_solution(inst, sol.trips)
    print(
        f"heuristic 300 candidates x 168 h: runs {runs}, median {statistics.median(times):.2f} s, "
        f"max {max(times):.2f} s (target < 2 s)"
    )


def main() -> None:
    """Run the benchmarks and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--instances", type=int, default=50)
    parser.add_argument("--large-runs", type=int, default=3)
    args = parser.parse_args()
    print(
        f"{'instances':34s} {'n':>4s} {'min':>8s} {'mean':>8s} {'heur ms':>9s} "
        f"{'milp s':>8s} {'opt':>5s}"
    )
    ratio_table(
        "test-sized (windows 25-35 min)", args.instances
    )  # the test's instances: the defaults
    ratio_table(
        "longer trips (windows 30-50 min)", args.instances, n_max=40, windows=(2, 4),
        window_len=(30, 40, 50), budgets=(50, 70, 90),
    )  # fmt: skip
    large(args.large_runs)


if __name__ == "__main__":
    main()
