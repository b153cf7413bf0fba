"""Benchmark: grid, KDE, Gi*, clusters and a weekly forecast on synthetic county-sized data.

Run: .venv/bin/python bench/bench_analysis.py [--n 1000000] [--side-km 80]
Prints one row per stage (seconds) and the peak RSS of the process. Targets (issue 8): grid +
clusters + Gi* + forecast < 120 s and < 6 GiB on the 2-core machine.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from geo import forecast, hotspots

X0, Y0 = 420_000.0, 6_500_000.0
CATEGORIES = [
    "narkotika",
    "alkohol",
    "hastighet",
    "motorburen",
    "skadegorelse",
    "inbrott",
    "stold",
    "ovrigt",
]
THEME = {"narkotika": "N", "alkohol": "N", "hastighet": "T", "motorburen": "T"}


def synthetic(n: int, side_m: float, seed: int) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(seed)
    n_spot = int(0.3 * n)
    centres = rng.uniform(0, side_m, (50, 2))
    which = rng.integers(0, 50, n_spot)
    spots = centres[which] + rng.normal(0, 150, (n_spot, 2))
    towns = rng.uniform(0, side_m, (20, 2))
    n_town = int(0.3 * n)
    town = towns[rng.integers(0, 20, n_town)] + rng.normal(0, 1_500, (n_town, 2))
    back = rng.uniform(0, side_m, (n - n_spot - n_town, 2))
    xy = np.clip(np.vstack([spots, town, back]), 0, side_m)
    t = pd.Timestamp("2024-12-02") + pd.to_timedelta(rng.uniform(0, 730 * 24, n), unit="h")
    cat = rng.choice(CATEGORIES, n)
    return gpd.GeoDataFrame(
        {
            "occurred_at": pd.DatetimeIndex(t).tz_localize(
                "Europe/Stockholm", nonexistent="shift_forward", ambiguous="NaT"
            ),
            "category": cat,
            "theme": [THEME.get(c, "S") for c in cat],
            "source": "syntetisk",
            "location_precision_m": 10.0,
        },
        geometry=gpd.points_from_xy(X0 + xy[:, 0], Y0 + xy[:, 1]),
        crs="EPSG:3006",
    ).dropna(subset=["occurred_at"])


def peak_rss_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2  # Linux: kB


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument(
        "--side-km",
        type=float,
        default=80.0,
        help="square study area side (Örebro län ≈ 8,500 km²)",
    )
    ap.add_argument("--cell-size-m", type=float, default=250.0)
    ap.add_argument("--permutations", type=int, default=999)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    side = args.side_km * 1000
    area = (X0, Y0, X0 + side, Y0 + side)
    times: list[tuple[str, float]] = []

    def stage(name: str, t0: float) -> float:
        now = time.perf_counter()
        times.append((name, now - t0))
        print(
            f"  {name:<28} {now - t0:7.1f} s   peak RSS {peak_rss_gib():5.2f} GiB", file=sys.stderr
        )
        return now

    t = time.perf_counter()
    inc = synthetic(args.n, side, args.seed)
    t = stage(f"synthetic data ({len(inc):,})", t)
    start = time.perf_counter()
    grid = hotspots.grid_counts(inc, cell_size_m=args.cell_size_m, area=area)
    grid["risk_kde"] = hotspots.risk_surface(grid, cell_size_m=args.cell_size_m)
    t = stage(f"grid + KDE ({len(grid):,} cells)", t)
    gi = hotspots.gi_star(grid, permutations=args.permutations, seed=args.seed)
    t = stage(f"Gi* ({args.permutations} perm.)", t)
    clusters = hotspots.find_clusters(inc)
    t = stage(f"clusters ({len(clusters)} found)", t)
    fc = forecast.forecast_week(
        inc, week="2026-W49", cell_size_m=args.cell_size_m, seed=args.seed, area=area
    )
    t = stage(f"forecast {forecast.DEFAULT_METHOD} ({len(fc):,} cells)", t)
    total = time.perf_counter() - start
    print("| stage | seconds |")
    print("|---|---|")
    for name, sec in times:
        print(f"| {name} | {sec:.1f} |")
    print(f"| **analysis total (grid + Gi* + clusters + forecast)** | **{total:.1f}** |")
    print(f"| peak RSS | {peak_rss_gib():.2f} GiB |")
    print(
        f"\nhot cells: {int(gi['hotspot_class'].str.startswith('hot').sum()):,}; "
        "targets: < 120 s, < 6 GiB"
    )


if __name__ == "__main__":
    main()
