"""Benchmark: `geo evaluate` on a large open-data export of another city.

Run: .venv/bin/python bench/bench_evaluate.py [--rows 1000000] [--months 24]
Writes a synthetic city CSV (lat/lon, US dates with AM/PM, eight categories, a free-text column,
a few rows without coordinates or at (0, 0)) to a temporary folder, then times reading it with a
category filter and the rolling-origin backtest of `count_3m` and the default forecast on that
category (150 m cells, 3 training months), and weekly steps on 50 m cells over its last nine
months (the patrol plan's scale). Prints one row per stage and the peak RSS. Goal: a
year's-worth city export (1M rows) evaluated in a few minutes within a few GiB.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from geo import evaluate as ev
from geo.pointfile import read_points

CATEGORIES = [
    "THEFT",
    "BATTERY",
    "NARCOTICS",
    "ASSAULT",
    "BURGLARY",
    "ROBBERY",
    "VANDALISM",
    "OTHER",
]


def city_csv(path: Path, rows: int, months: int, seed: int) -> None:
    """Write a city export: 60 % of events at 300 fixed places (blocks), the rest spread out."""
    rng = np.random.default_rng(seed)
    places = np.column_stack([rng.normal(-87.68, 0.06, 300), rng.normal(41.84, 0.08, 300)])
    at_place = rng.random(rows) < 0.6
    which = rng.integers(0, 300, rows)
    lon = np.where(at_place, places[which, 0], rng.uniform(-87.85, -87.52, rows))
    lat = np.where(at_place, places[which, 1], rng.uniform(41.64, 42.02, rows))
    lon = lon + rng.normal(0, 0.0008, rows)
    lat = lat + rng.normal(0, 0.0006, rows)
    bad = rng.choice(rows, rows // 500, replace=False)
    lon[bad[::2]], lat[bad[::2]] = np.nan, np.nan
    lon[bad[1::2]], lat[bad[1::2]] = 0.0, 0.0
    t = pd.Timestamp("2019-01-01") + pd.to_timedelta(rng.uniform(0, months * 30.4, rows), unit="D")
    pd.DataFrame(
        {
            "ID": np.arange(rows),
            "Date": t.strftime("%m/%d/%Y %I:%M:%S %p"),
            "Block": [f"0{i % 100}XX W STREET {i % 977}" for i in range(rows)],
            "Primary Type": rng.choice(CATEGORIES, rows),
            "Description": "free text of the report",
            "Arrest": rng.choice(["true", "false"], rows),
            "Latitude": lat,
            "Longitude": lon,
        }
    ).to_csv(path, index=False)


def peak_rss_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2  # Linux: kB


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--months", type=int, default=24)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    stages: list[tuple[str, float, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "city.csv"
        t0 = time.perf_counter()
        city_csv(path, args.rows, args.months, args.seed)
        size = f"{path.stat().st_size / 1e6:.0f} MB, {args.rows:,} rows"
        stages.append(("write the CSV (setup)", time.perf_counter() - t0, size))
        t0 = time.perf_counter()
        points = read_points(
            path, x_col="Longitude", y_col="Latitude", time_col="Date", crs="EPSG:4326",
            where=["Primary Type=NARCOTICS"],
        )  # fmt: skip
        rows = points.attrs["rows"]
        stages.append(
            ("read + filter + clean", time.perf_counter() - t0,
             f"{rows['used']:,} used, {sum(rows['dropped'].values()):,} dropped")
        )  # fmt: skip
    t0 = time.perf_counter()
    results, _ = ev.backtest(points, methods=["count_3m", "default"], cell_size_m=150.0)
    mean = results.groupby("method")["pai_5"].mean()
    ratio = mean["default"] / mean["count_3m"]
    stages.append(
        ("backtest count_3m + default", time.perf_counter() - t0,
         f"{results['month'].nunique()} months, PAI@5 % ratio {ratio:.3f}")
    )  # fmt: skip
    # the patrol plan's scale: weekly steps on fine cells (a review's slowest case), last 9 months
    recent = points[points["t"] >= points["t"].max() - pd.DateOffset(months=9)]
    t0 = time.perf_counter()
    weekly, _ = ev.backtest(recent, methods=["count_3m", "default"], cell_size_m=50.0, step="week")
    stages.append(
        ("backtest weekly, 50 m cells", time.perf_counter() - t0,
         f"{weekly['week'].nunique()} weeks, {int(weekly['n_cells'].iloc[0]):,} cells, "
         f"{len(recent):,} points")
    )  # fmt: skip
    print("| stage | seconds | notes |\n|---|---|---|")
    for name, secs, note in stages:
        print(f"| {name} | {secs:.1f} | {note} |")
    print(f"| peak RSS | {peak_rss_gib():.2f} GiB | |")


if __name__ == "__main__":
    main()
