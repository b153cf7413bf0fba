"""Measure what variety costs: plan consecutive weeks, each with the plans stored before it.

Run (from outside a checkout, on a copy of a store; the copy gets the plans):
PYTHONPATH=<checkout> python bench/bench_plan_variety.py [STORE] --first 2026-W20 --weeks 20
Without STORE (as ``make bench`` runs it) ``geo run`` first builds one from the embedded data in
a temporary folder.

Prints the mean share of the best plan's expected events, the distinct (weekday, hour band)
of the stops and of the weeks' patterns, the distinct places, the stops repeating a
(place, weekday, band) of the four weeks before, the weeks with a place on both trips and
the stops longer than 16 min. Uses only ``read_plan_inputs``, ``plan_from_inputs`` and
``save_plan``, so it also runs on older checkouts.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd

from geo import store
from geo.network import load_graph
from geo.patrol import plan_from_inputs, read_plan_inputs, save_plan
from geo.weeks import shift_week

DAYS = ["mån", "tis", "ons", "tor", "fre", "lör", "sön"]
BANDS = ((0, 6, "natt"), (6, 9, "morgon"), (9, 15, "dag"), (15, 18, "eftermiddag"),
         (18, 22, "kväll"), (22, 24, "sen kväll"))  # fmt: skip


def slot(t: pd.Timestamp) -> tuple[str, str]:
    """Return the weekday and hour band of a stop's start."""
    return DAYS[t.day_of_week], next(b for a, e, b in BANDS if a <= t.hour < e)


def main() -> None:
    """Plan the weeks and print the numbers."""
    ap = argparse.ArgumentParser()
    ap.add_argument("store", type=Path, nargs="?")
    ap.add_argument("--first", default="2026-W20")
    ap.add_argument("--weeks", type=int, default=20)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.store is None:  # the embedded data, as geo run stores them
            args.store = Path(tmp) / "lagesbild.gpkg"
            command = [sys.executable, "-m", "geo", "-q", "run", "--store", str(args.store)]
            subprocess.run([*command, "--out", f"{tmp}/maps"], check=True, capture_output=True)
        measure(args)


def measure(args: argparse.Namespace) -> None:
    """Plan ``args.weeks`` weeks from ``args.first`` in ``args.store`` and print the numbers."""
    incidents, G = store.read_incidents(args.store), load_graph()
    week, shares, slots, patterns, places = args.first, [], set(), set(), set()
    recent: list[set[tuple[str, str, str]]] = []
    repeats = both = longer = n_stops = 0
    for _ in range(args.weeks):
        plan = plan_from_inputs(
            read_plan_inputs(week, store_path=args.store, incidents=incidents, G=G)
        )
        save_plan(plan, args.store)
        shares.append(plan.meta["value"] / plan.meta["best_value"])
        now = {(str(s["place"]), *slot(s["start"])) for _, s in plan.stops.iterrows()}
        repeats += len(now & set().union(*recent[-4:]))
        recent.append(now)
        slots |= {k[1:] for k in now}
        places |= {k[0] for k in now}
        patterns.add(frozenset(k[1:] for k in now))
        trips = [set(g["place"]) for _, g in plan.stops.groupby("trip")]
        both += len(trips) == 2 and bool(trips[0] & trips[1])
        longer += int((plan.stops["dwell_min"] > 16).sum())
        n_stops += len(plan.stops)
        print(week, f"{shares[-1]:.3f}", " | ".join(
            f"{' '.join(slot(s['start']))} {s['start']:%H:%M} {s['place']}"
            for _, s in plan.stops.iterrows()))  # fmt: skip
        week = shift_week(week, 1)
    print(f"expected events: mean {sum(shares) / len(shares):.1%} of the best plan's "
          f"(min {min(shares):.1%})")  # fmt: skip
    print(f"distinct (weekday, band): {len(slots)}; weekly patterns: {len(patterns)}; "
          f"places: {len(places)}")  # fmt: skip
    print(
        f"stops repeating a (place, weekday, band) of the 4 weeks before: {repeats} of "
        f"{n_stops}; weeks with a place on both trips: {both}; stops over 16 min: {longer}"
    )


if __name__ == "__main__":
    main()
