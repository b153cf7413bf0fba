"""The one writer of maps: render a folium map, inline its JS/CSS and save self-contained HTML."""

from __future__ import annotations

import logging
from pathlib import Path

import folium

from geo.maps._assets import inline_assets
from geo.outputfile import write_atomically

logger = logging.getLogger(__name__)


def render_map(m: folium.Map) -> str:
    """Return the map as one self-contained HTML page (no network needed to open it).

    Parameters
    ----------
    m
        A map from one of the builders.

    Returns
    -------
    str
        The HTML with every Leaflet/plugin script and stylesheet inlined from ``node_modules``.

    Raises
    ------
    geo.maps._assets.AssetError
        If an asset has no pinned npm package or is not installed (run ``npm ci``).
    """
    html = m.get_root().render()
    return inline_assets(html)


def save_map(m: folium.Map, path: Path) -> Path:
    """Write a map as self-contained HTML (atomically: a half-written map is never left).

    The file gets the usual permissions (:func:`geo.outputfile.write_atomically`).

    Parameters
    ----------
    m
        A map from one of the builders.
    path
        Output file, e.g. ``maps/lagesbild.html``; its folder is created.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    GeoError
        If the file cannot be written, or an asset is missing (see :func:`render_map`).
    """
    data = render_map(m).encode("utf-8")
    write_atomically(path, data, fix="Choose a writable folder with --out.")
    logger.info("map %s (%.1f MB)", path, len(data) / 1e6)
    return path
