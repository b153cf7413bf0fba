"""Interactive lägesbild maps: pure folium builders, one writer that inlines the JS/CSS offline."""

from __future__ import annotations

from geo.maps.base import (
    CATEGORY_COLORS,
    THEME_COLORS,
    add_legend,
    base_map,
    finish_map,
    geojson_layer,
    period_label,
)
from geo.maps.build import build_all
from geo.maps.io import render_map, save_map
from geo.maps.lagesbild import lagesbild_map, peak_hours_chart, shared_map

__all__ = [
    "CATEGORY_COLORS",
    "THEME_COLORS",
    "add_legend",
    "base_map",
    "build_all",
    "finish_map",
    "geojson_layer",
    "lagesbild_map",
    "peak_hours_chart",
    "period_label",
    "render_map",
    "save_map",
    "shared_map",
]
