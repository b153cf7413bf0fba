"""Time the placing of the lägesbild's place names in headless Chromium (labels.js).

Run: .venv/bin/python bench/bench_labels.py [LAGESBILD_HTML]
Without a map it builds the main job's (`geo run` on the embedded data, about 1,500 incidents)
in a temporary folder. At 1366 × 768 it opens the map, looks at the whole kommun and at
Fjugesta centrum closer and closer (the bubbles split into single incidents), and times a
placing of every name at each view (the median and the fastest of 25), with the counts of
names, bubbles and single markers (circles) in view. Target: a median under 50 ms, so zooming
stays smooth. On a busy machine the medians swing; the fastest runs compare code.
"""

from __future__ import annotations

import sys
import tempfile
from datetime import date
from pathlib import Path

from geo.report._pdf import CHROMIUM_ARGS, chromium_path

#: JS: the page's Leaflet map.
_MAP = "window[Object.keys(window).find(k => k.startsWith('map_') && window[k] instanceof L.Map)]"

#: JS, given the number of runs: time that many placings; return the median in ms and what
#: is in view.
_TIME_JS = f"""runs => {{
  const map = {_MAP}, place = geoPlaceLabels(map), times = [];
  for (let i = 0; i < runs; i++) {{
    const t0 = performance.now(); place(); times.push(performance.now() - t0);
  }}
  times.sort((a, b) => a - b);
  const view = map.getContainer().getBoundingClientRect(), counts = {{circles: 0, bubbles: 0}};
  const inView = r => r.width && r.left < view.right && r.right > view.left
    && r.top < view.bottom && r.bottom > view.top;
  map.eachLayer(l => {{
    if (l instanceof L.CircleMarker && l._path && inView(l._path.getBoundingClientRect()))
      counts.circles++;
    if (l instanceof L.Marker && l._icon && /\\S/.test(l._icon.textContent)
        && inView(l._icon.getBoundingClientRect())) counts.bubbles++;
  }});
  return {{ms: times[Math.floor(runs / 2)], min: times[0], names: document.querySelectorAll(
    '.leaflet-tooltip.geo-label').length, ...counts}};
}}"""

#: The views: (name, zoom steps in from the fitted kommun, centred on Fjugesta centrum).
_VIEWS = [("hela kommunen", 0), ("Fjugesta +2", 2), ("Fjugesta +4", 4), ("Fjugesta +6", 6)]
_FJUGESTA = [59.1733, 14.8705]
#: Placings timed at each view.
RUNS = 25


def build_map(out: Path) -> Path:
    """Run the main job on the embedded data into ``out``; return its lägesbild."""
    from geo.pipeline import run_main_job

    run_main_job(store_path=out / "store.gpkg", maps_dir=out / "maps", end=date(2026, 12, 7))
    return out / "maps" / "lagesbild.html"


def time_views(path: Path, *, runs: int = RUNS) -> list[tuple[str, dict[str, float]]]:
    """Open the map at each view of :data:`_VIEWS`; return the timing and counts of each."""
    from playwright.sync_api import sync_playwright

    rows = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        page.route(
            "**/*", lambda r: r.abort() if r.request.url.startswith("http") else r.continue_()
        )
        page.goto(path.as_uri(), wait_until="load")
        page.wait_for_timeout(1000)
        start = page.evaluate(f"() => {_MAP}.getZoom()")
        for name, steps in _VIEWS:
            if steps:
                page.evaluate(
                    f"z => {_MAP}.setView({_FJUGESTA}, z, {{animate: false}})", start + steps
                )
                page.wait_for_timeout(1200)
            rows.append((name, page.evaluate(_TIME_JS, runs)))
        browser.close()
    return rows


def main() -> None:
    """Print the table of placing times per view."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else build_map(Path(tmp))
        rows = time_views(path)
    print(f"{'view':<16} {'median ms':>9} {'min ms':>7} {'names':>6} {'bubbles':>8} {'circles':>8}")
    for name, r in rows:
        print(
            f"{name:<16} {r['ms']:9.1f} {r['min']:7.1f} {r['names']:6.0f} {r['bubbles']:8.0f}"
            f" {r['circles']:8.0f}"
        )
    print(f"(placings at 1366 × 768, {RUNS} at each view; target: median < 50 ms)")


if __name__ == "__main__":
    main()
