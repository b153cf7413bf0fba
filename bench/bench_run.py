"""Time the main job (`geo run`) on the embedded data (target: `make run` < 15 s in all).

Run: .venv/bin/python bench/bench_run.py [--runs 2]
First the whole command as a user runs it (`python -m geo run` in a fresh process: imports,
both processes, interpreter exit), then in-process runs stage by stage. The first run of each
builds a fresh store; later runs re-use it (re-imports add nothing).
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from geo.pipeline import run_main_job


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        command = [sys.executable, "-m", "geo", "-q", "run", "--store", f"{tmp}/cli.gpkg"]
        command += ["--out", f"{tmp}/cli-maps"]
        print(f"{'run':>4} {'geo run (fresh process) s':>26} {'target':>7}")
        for run in range(args.runs):
            start = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True)
            total = time.perf_counter() - start
            print(f"{run + 1:>4} {total:26.2f} {'< 15':>7} {'ok' if total < 15 else 'MISSED'}")
        store = Path(tmp) / "lagesbild.gpkg"
        rows = []
        for run in range(args.runs):
            start = time.perf_counter()
            result = run_main_job(store_path=store, maps_dir=Path(tmp) / "maps")
            total = time.perf_counter() - start
            rows.append((run + 1, result.stage_s, total))
    stages = list(rows[0][1])
    print(f"{'run':>4} " + " ".join(f"{s:>10}" for s in stages) + f" {'in-process s':>12}")
    for run, stage_s, total in rows:
        cells = " ".join(f"{stage_s.get(s, float('nan')):10.2f}" for s in stages)
        print(f"{run:>4} {cells} {total:12.2f}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak:.0f} MiB")


if __name__ == "__main__":
    main()
