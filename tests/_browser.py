"""Helpers for the tests that open generated maps in Chromium (Playwright)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

#: JS expression: the names of the page's Leaflet maps (folium names them ``map_<id>``).
MAP_JS = "Object.keys(window).filter(k => k.startsWith('map_') && window[k] instanceof L.Map)"


def open_map(page: Any, path: Path) -> list[str]:
    """Open a saved map from ``file://``, wait for Leaflet; return the console errors so far.

    The returned list keeps filling while the page lives (console errors and page errors).
    """
    errors: list[str] = []
    page.on(
        "console",
        lambda m: (
            errors.append(f"{m.text} @ {m.location.get('url', '')}") if m.type == "error" else None
        ),
    )
    page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
    page.goto(path.as_uri())
    page.wait_for_function(f"{MAP_JS}.length === 1")
    page.wait_for_timeout(300)
    return errors


def settle_labels(page: Any, *, quiet_ms: int = 400, timeout_ms: int = 15000) -> None:
    """Wait until the map's names were placed after its last move and then stayed put.

    ``geo/maps/labels.js`` stamps the map when it starts to move and when a placing ends; the
    names have settled once a placing ended after the last move, nothing is mid-zoom, and no
    placing followed for ``quiet_ms`` (a cluster's bubbles may glide on and ask for one
    more). A fixed wait after a zoom failed under load, when the glide outlasted it.

    Two animation frames pass first: Leaflet begins an animated zoom asked for just before
    (``setZoom``) in the next frame, and until it has begun the names of the view before
    look settled (a test read them 124 px off their places, mid-zoom, with no line yet).
    """
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    page.wait_for_function(
        f"""quiet => {{
          const m = window[{MAP_JS}[0]];
          const pane = m.getPane('mapPane');
          if (m._animatingZoom || pane.classList.contains('leaflet-cluster-anim')) return false;
          const placed = m._geoLabelsPlacedAt || 0;
          return placed >= (m._geoLabelsMovedAt || 0) && performance.now() - placed >= quiet;
        }}""",
        arg=quiet_ms,
        timeout=timeout_ms,
        polling=50,
    )


def real_errors(errors: list[str]) -> list[str]:
    """Drop the errors of blocked tile requests (expected offline); keep everything else."""
    return [e for e in errors if not ("ERR_FAILED" in e and "tile.openstreetmap.org" in e)]


#: JS function: the permanent labels (place names, stop badges) on screen and the pairs of
#: them whose words cover each other by more than 4 px² (text shadows may touch).
LABEL_OVERLAPS_JS = """() => {
  const els = [...document.querySelectorAll('.leaflet-tooltip.geo-label')];
  const boxes = els.map(e => [e.textContent, (e.firstElementChild || e).getBoundingClientRect()]);
  const pairs = [];
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const a = boxes[i][1], b = boxes[j][1];
    const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
    const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
    if (w > 0 && h > 0 && w * h > 4) pairs.push([boxes[i][0], boxes[j][0]]);
  }
  return {labels: boxes.map(b => b[0]), overlaps: pairs};
}"""

#: The computed style of each permanent label, by its text: ``{name: [fontStyle, color,
#: backgroundColor]}`` (bathing sites are drawn in blue italics, every name without a box).
LABEL_STYLES_JS = """() => Object.fromEntries(
  [...document.querySelectorAll('.leaflet-tooltip.geo-label')].map(e => {
    const s = getComputedStyle(e);
    return [e.textContent, [s.fontStyle, s.color, s.backgroundColor]];
  }))"""


def wait_until(page: Any, expression: str, arg: Any = None, *, timeout: float = 30000) -> None:
    """Wait until a JS expression, or a function of ``arg``, is truthy in ``page``.

    ``page.wait_for_function`` does the same with ``eval()`` inside the page, which the
    marking app's Content-Security-Policy forbids (no ``'unsafe-eval'``); ``page.evaluate``
    goes through the DevTools protocol, which the policy does not restrict, so this asks
    again from the test every 50 ms (Playwright's default ``timeout`` of 30 s), and across
    a navigation, as Playwright does.

    Raises
    ------
    TimeoutError
        If it is still false after ``timeout`` milliseconds.
    """
    check = (
        f"arg => {{ const v = ({expression}); "
        "return typeof v === 'function' ? Promise.resolve(v(arg)).then(Boolean) : Boolean(v); }"
    )
    from playwright.sync_api import Error

    deadline = time.monotonic() + timeout / 1000
    while True:
        try:
            if page.evaluate(check, arg):
                return
        except Error as e:  # a navigation under way: ask the next page, as Playwright does
            if "context was destroyed" not in str(e):
                raise
        if time.monotonic() > deadline:
            msg = f"still false after {timeout:.0f} ms: {expression}"
            raise TimeoutError(msg)
        page.wait_for_timeout(50)
