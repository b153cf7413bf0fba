"""Helpers for the tests that open generated maps in Chromium (Playwright)."""

from __future__ import annotations

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


def real_errors(errors: list[str]) -> list[str]:
    """Drop the errors of blocked tile requests (expected offline); keep everything else."""
    return [e for e in errors if not ("ERR_FAILED" in e and "tile.openstreetmap.org" in e)]
