"""Hotspot analysis: clusters, grid counts and KDE, Gi* with FDR, emerging hot spots, places.

One module per analysis (:mod:`~geo.hotspots.surface`, :mod:`~geo.hotspots.gistar`,
:mod:`~geo.hotspots.clusters`, :mod:`~geo.hotspots.emerging`, :mod:`~geo.hotspots.places`);
:func:`run_analysis` runs them all for the GeoPackage layers.
"""

from __future__ import annotations

from geo.grid import make_grid
from geo.hotspots._common import (
    MAX_PRECISION_M,
    MIN_EVENTS,
    TOO_FEW,
    covered_period,
    hour_of_week,
    local_wall_time,
    spatial_incidents,
)
from geo.hotspots.clusters import HOTSPOT_COLUMNS, find_clusters
from geo.hotspots.emerging import EMERGING_LABELS, NO_PATTERN, classify_emerging, emerging_hotspots
from geo.hotspots.gistar import GI_CLASSES, gi_star
from geo.hotspots.places import place_stats
from geo.hotspots.run import run_analysis
from geo.hotspots.surface import grid_counts, risk_surface

__all__ = [
    "EMERGING_LABELS",
    "GI_CLASSES",
    "HOTSPOT_COLUMNS",
    "MAX_PRECISION_M",
    "MIN_EVENTS",
    "NO_PATTERN",
    "TOO_FEW",
    "classify_emerging",
    "covered_period",
    "emerging_hotspots",
    "find_clusters",
    "gi_star",
    "grid_counts",
    "hour_of_week",
    "local_wall_time",
    "make_grid",
    "place_stats",
    "risk_surface",
    "run_analysis",
    "spatial_incidents",
]
