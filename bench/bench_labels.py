"""Time the placing of the maps' place names in headless Chromium (labels.js).

Run: .venv/bin/python bench/bench_labels.py [LAGESBILD_HTML [PLAN_HTML]]
Without maps it builds the main job's (`geo run` on the embedded data, about 1,500 incidents,
and next week's plan) in a temporary folder. At 1366 × 768 it opens the lägesbild, looks at the
whole kommun and at Fjugesta centrum closer and closer (the bubbles split into single
incidents), then the plan map as it opens and closer, and times a placing of every name at each
view (the median, the fastest and the first of 25: the first lays out each name at each side it
tries, the others reuse those sizes, as every placing after the map opens does), with the counts
of names, bubbles, single markers (circles) and segments of the lines names keep off (the
lägesbild's road stretches, the plan's routes and its stops' leaders) in view. The last view adds
to the plan a route of 3,000 vertices winding across the map, as a route on OSM's real roads has
(the embedded network's are straight lines). Target: a median under 50 ms, so zooming stays
smooth. On a busy machine the medians swing; the fastest runs compare code.
"""

from __future__ import annotations

import sys
import tempfile
from datetime import date
from pathlib import Path

from geo.report._pdf import CHROMIUM_ARGS, chromium_path

#: JS: the page's Leaflet map.
_MAP = "window[Object.keys(window).find(k => k.startsWith('map_') && window[k] instanceof L.Map)]"

#: JS, given the number of runs: time that many placings with a new placer (the first lays each
#: name out at each side it tries; the others move those boxes); return the median, the fastest
#: and the first in ms and what is in view.
_TIME_JS = f"""runs => {{
  const map = {_MAP}, place = geoPlaceLabels(map), times = [];
  for (let i = 0; i < runs; i++) {{
    const t0 = performance.now(); place(); times.push(performance.now() - t0);
  }}
  const first = times[0];
  times.sort((a, b) => a - b);
  const view = map.getContainer().getBoundingClientRect();
  const counts = {{circles: 0, bubbles: 0, segments: 0}};
  const inView = r => r.width && r.left < view.right && r.right > view.left
    && r.top < view.bottom && r.bottom > view.top;
  map.eachLayer(l => {{
    if (l instanceof L.CircleMarker && l._path && inView(l._path.getBoundingClientRect()))
      counts.circles++;
    if (l instanceof L.Marker && l._icon && /\\S/.test(l._icon.textContent)
        && inView(l._icon.getBoundingClientRect())) counts.bubbles++;
    if (l instanceof L.Polyline && l.options.geoObstacle && l._parts)
      l._parts.forEach(p => {{ counts.segments += Math.max(p.length - 1, 0); }});
  }});
  return {{ms: times[Math.floor(runs / 2)], min: times[0], first, names: document.querySelectorAll(
    '.leaflet-tooltip.geo-label').length, ...counts}};
}}"""

#: JS, given a seed: add to the map a route of 3,000 vertices winding across the view (a random
#: walk in 8 px steps, kept in view), drawn as the plan draws its routes.
_WINDING_ROUTE_JS = f"""seed => {{
  const map = {_MAP}, size = map.getSize(), pts = [];
  let x = size.x / 2, y = size.y / 2, a = 0, s = seed;
  const rand = () => (s = (s * 16807) % 2147483647) / 2147483647;
  for (let i = 0; i < 3000; i++) {{
    a += (rand() - 0.5) * 0.8;
    x += 8 * Math.cos(a); y += 8 * Math.sin(a);
    if (x < 0 || x > size.x) {{ a = Math.PI - a; x = Math.min(Math.max(x, 0), size.x); }}
    if (y < 0 || y > size.y) {{ a = -a; y = Math.min(Math.max(y, 0), size.y); }}
    pts.push(map.containerPointToLatLng([x, y]));
  }}
  L.polyline(pts, {{color: '#c51b7d', weight: 5, opacity: 0.9, geoObstacle: true}}).addTo(map);
}}"""

#: The views of the lägesbild: (name, zoom steps in from the fitted kommun, centred on
#: Fjugesta centrum) ...
_VIEWS = [("hela kommunen", 0), ("Fjugesta +2", 2), ("Fjugesta +4", 4), ("Fjugesta +6", 6)]
#: ... and of the plan map: (name, zoom steps in from its fitted stops, same centre); the one
#: named :data:`_WINDING` adds the winding route.
_WINDING = "plan +2, slinga"
_PLAN_VIEWS = [("plan", 0), ("plan +2", 2), (_WINDING, 2)]
_FJUGESTA = [59.1733, 14.8705]
#: Placings timed at each view.
RUNS = 25


def build_maps(out: Path) -> tuple[Path, Path]:
    """Run the main job on the embedded data into ``out``; return its lägesbild and plan map."""
    from geo.pipeline import run_main_job

    result = run_main_job(
        store_path=out / "store.gpkg", maps_dir=out / "maps", end=date(2026, 12, 7)
    )
    return out / "maps" / "lagesbild.html", Path(result.outputs["plan_map"])


def time_views(
    path: Path, views: list[tuple[str, int]] = _VIEWS, *, runs: int = RUNS
) -> list[tuple[str, dict[str, float]]]:
    """Open the map at each of ``views``; return the timing and counts of each."""
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
        for name, steps in views:
            if steps:
                page.evaluate(
                    f"z => {_MAP}.setView({_FJUGESTA}, z, {{animate: false}})", start + steps
                )
                page.wait_for_timeout(1200)
            if name == _WINDING:
                page.evaluate(_WINDING_ROUTE_JS, 1814)
                page.wait_for_timeout(300)
            rows.append((name, page.evaluate(_TIME_JS, runs)))
        browser.close()
    return rows


def main() -> None:
    """Print the table of placing times per view."""
    with tempfile.TemporaryDirectory() as tmp:
        if len(sys.argv) > 1:
            lagesbild = Path(sys.argv[1]).resolve()
            plan = Path(sys.argv[2]).resolve() if len(sys.argv) > 2 else None
        else:
            lagesbild, plan = build_maps(Path(tmp))
        rows = time_views(lagesbild) + (time_views(plan, _PLAN_VIEWS) if plan else [])
    print(
        f"{'view':<16} {'median ms':>9} {'min ms':>7} {'first ms':>8} {'names':>6} {'bubbles':>8}"
        f" {'circles':>8} {'segments':>9}"
    )
    for name, r in rows:
        print(
            f"{name:<16} {r['ms']:9.1f} {r['min']:7.1f} {r['first']:8.1f} {r['names']:6.0f}"
            f" {r['bubbles']:8.0f} {r['circles']:8.0f} {r['segments']:9.0f}"
        )
    print(f"(placings at 1366 × 768, {RUNS} at each view; target: median < 50 ms)")


if __name__ == "__main__":
    main()
