"""Benchmark the lägesbild maps at scale: page size and first frame in headless Chromium.

Run: .venv/bin/python bench/bench_maps.py [N_INCIDENTS]   (default 1,000,000)
Targets (issue 5): each map < 10 MB and first frame < 3 s.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import privacy, sites
from geo.maps import lagesbild_map, save_map, shared_map
from geo.model import CATEGORIES
from geo.report._pdf import CHROMIUM_ARGS, chromium_path


def synthetic(n: int, seed: int = 1) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(seed)
    places = sites.load_places()
    centres = np.array([(g.centroid.x, g.centroid.y) for g in places.geometry])
    which = rng.integers(0, len(centres), n)
    x = centres[which, 0] + rng.normal(0, 900, n)
    y = centres[which, 1] + rng.normal(0, 900, n)
    cats = np.array(list(CATEGORIES))[rng.integers(0, len(CATEGORIES), n)]
    themes = np.array([CATEGORIES[c].theme for c in CATEGORIES])[
        pd.Categorical(cats, categories=list(CATEGORIES)).codes
    ]
    start = pd.Timestamp("2024-01-01", tz="Europe/Stockholm")
    t = start + pd.to_timedelta(rng.integers(0, 730 * 24 * 3600, n), unit="s")
    return gpd.GeoDataFrame(
        {
            "incident_id": np.arange(n).astype(str),
            "source": "syntetisk",
            "category": cats,
            "theme": themes,
            "occurred_at": t,
            "place_id": places["place_id"].to_numpy()[which],
            "place_name": places["name"].to_numpy()[which],
            "description": "Syntetisk händelse",
            "weight": 1.0,
        },
        geometry=gpd.points_from_xy(x, y),
        crs="EPSG:3006",
    )


def first_frame_s(path: Path) -> float:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.route(
            "**/*", lambda r: r.abort() if r.request.url.startswith("http") else r.continue_()
        )
        t0 = time.perf_counter()
        page.goto(path.as_uri(), wait_until="load")
        page.evaluate(
            "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"
        )
        elapsed = time.perf_counter() - t0
        browser.close()
    return elapsed


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    rows = []
    t = time.perf_counter()
    incidents = synthetic(n)
    rows.append(("synthetic incidents", time.perf_counter() - t, None, None))
    places, boundary = sites.load_places(), sites.load_boundary()
    out = Path(tempfile.mkdtemp(prefix="bench_maps_"))
    t = time.perf_counter()
    internal = save_map(
        lagesbild_map(incidents, places=places, boundary=boundary), out / "lagesbild.html"
    )
    rows.append(("internal map build+save", time.perf_counter() - t, internal, None))
    t = time.perf_counter()
    urban = places.loc[places["kind"].isin(["ort", "centrum"]), "geometry"]
    cells = privacy.aggregate_for_sharing(incidents, k=5, urban_areas=urban)
    shared = save_map(
        shared_map(
            cells,
            k=5,
            period=privacy.shared_period_label(incidents["occurred_at"]),
            places=places,
            boundary=boundary,
        ),
        out / "lagesbild-delad.html",
    )
    rows.append(("shared map build+save", time.perf_counter() - t, shared, None))
    print(f"{'stage':<28} {'seconds':>8} {'size MB':>8} {'first frame s':>14}")
    for stage, secs, path, _ in rows:
        size = f"{path.stat().st_size / 1e6:8.2f}" if path else f"{'':>8}"
        frame = f"{first_frame_s(path):14.2f}" if path else ""
        print(f"{stage:<28} {secs:8.2f} {size} {frame}")
    print(f"({n:,} incidents; targets: < 10 MB, first frame < 3 s; files in {out})")


if __name__ == "__main__":
    main()
