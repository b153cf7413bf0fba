"""Helpers shared by the foundation tests (files and points built on the fly)."""

from __future__ import annotations

from pathlib import Path

from pyproj import Transformer

# Real points (WGS84) from data/platser: HaV point of Lanna badgruva, SCB point of Fjugesta.
LANNA = (14.9233684299016, 59.2449628670858)
FJUGESTA = (14.871689, 59.175736)
# Hallsbergs kommun, outside Lekeberg
VRETSTORP = (14.866557, 59.023984)


def project(lonlat: tuple[float, float], epsg: int) -> tuple[float, float]:
    """Return (x, y) of a WGS84 point in another CRS (x = easting)."""
    x, y = Transformer.from_crs(4326, epsg, always_xy=True).transform(*lonlat)
    return float(x), float(y)


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path
