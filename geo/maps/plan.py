"""The map of a weekly patrol plan: route on the roads, numbered stops, popups with the reasons."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import folium
import geopandas as gpd
import pandas as pd

from geo import settings
from geo.errors import GeoError
from geo.maps.base import THEME_COLORS, add_legend, base_map, finish_map, geojson_layer
from geo.model import THEMES
from geo.weeks import DAY_NAMES

if TYPE_CHECKING:
    import networkx as nx

    from geo.patrol import Plan

logger = logging.getLogger(__name__)

_TRIP_COLORS = ("#c51b7d", "#2166ac")


def _stop_features(plan: Plan) -> gpd.GeoDataFrame:
    rows = []
    for _, s in plan.stops.iterrows():
        start = pd.Timestamp(s["start"])
        end = pd.Timestamp(s["end"])
        theme = str(s["theme"])
        rows.append(
            {
                "_title": f"{int(s['order'])}. {s['place']}",
                "_rows": [
                    ["Dag", f"{DAY_NAMES[start.day_of_week]} {start:%Y-%m-%d}"],
                    ["Tid", f"{start:%H:%M}–{end:%H:%M} ({round(float(s['dwell_min']))} min)"],
                    ["Åtgärd", str(s["activity"])],
                    ["Tema", THEMES.get(theme, theme)],
                    ["Tur", str(int(s["trip"]))],
                    ["Skäl", str(s["reason"])],
                ],
                "_tooltip": str(int(s["order"])),
                "_permanent": True,
                "_label_dir": "top",  # a badge above the stop, clear of the place's name
                "_label_offset": [0, -8],
                "_label_class": "geo-badge",
                "_color": THEME_COLORS.get(theme, "#333333"),
            }
        )
    return gpd.GeoDataFrame(rows, geometry=plan.stops.geometry.to_numpy(), crs=plan.stops.crs)


def plan_map(plan: Plan, *, G: nx.MultiDiGraph | None = None) -> folium.Map:
    """Return the plan's interactive map (save it with :func:`geo.maps.io.save_map`).

    Parameters
    ----------
    plan
        The plan (:func:`geo.patrol.make_plan`).
    G
        Road graph for the road background; default :func:`geo.network.load_graph`.

    Returns
    -------
    folium.Map
        Kommun boundary, roads ("schematiskt vägnät" when schematic), places, one route layer
        per trip and numbered stops whose popups carry day, time, activity, theme and reason.
    """
    from geo import network
    from geo.sites import load_boundary, load_places

    roads = None
    schematic = bool(plan.meta.get("schematic"))
    try:
        graph = G if G is not None else network.load_graph()
        edges = network.graph_edges(graph)
        keep = [c for c in ("ref", "name", "highway") if c in edges.columns]
        roads = edges[[*keep, "geometry"]].reset_index(drop=True)
        schematic = bool(graph.graph.get("schematic", schematic))
    except GeoError as e:
        logger.warning("plan map without roads: %s", e)
    year, num = plan.week.split("-W")
    notes = [f"Planerat {plan.total_min:.0f} av {plan.budget_min:.0f} min inkl. körning"]
    notes.append("Arbetsmaterial – ej för spridning")
    m = base_map(
        title=f"Patrullplan vecka {int(num)} {year}",
        period=str(plan.meta.get("data_period", "")),
        boundary=load_boundary(),
        roads=roads,
        schematic_roads=schematic,
        places=load_places(),
        generated_at=pd.Timestamp(plan.meta["generated_at"]).to_pydatetime(),
        notes=notes,
    )
    for _, r in plan.routes.iterrows():
        trip = int(r["trip"])
        color = _TRIP_COLORS[(trip - 1) % len(_TRIP_COLORS)]
        day = plan.stops.loc[plan.stops["trip"] == trip, "start"].min()
        label = f"Rutt {trip}" + (
            f" ({DAY_NAMES[pd.Timestamp(day).day_of_week]})" if pd.notna(day) else ""
        )
        gdf = gpd.GeoDataFrame(
            {"_tooltip": [f"{label}: {float(r['drive_min']):.0f} min körning"]},
            geometry=[r.geometry],
            crs=plan.routes.crs,
        )
        geojson_layer(gdf, name=label, style={"color": color, "weight": 5, "opacity": 0.85}).add_to(
            m
        )
    geojson_layer(
        _stop_features(plan),
        name="Stopp (numrerade)",
        style={"color": "#111111", "weight": 2, "fillOpacity": 0.9},
        point_radius=11,
    ).add_to(m)
    items = [
        (THEME_COLORS[t], f"Stopp: {THEMES[t]}", "fill") for t in sorted(set(plan.stops["theme"]))
    ]
    items += [
        (_TRIP_COLORS[(int(t) - 1) % 2], f"Rutt {int(t)}", "line") for t in plan.routes["trip"]
    ]
    legend_notes = ["schematiskt vägnät"] if schematic else []
    add_legend(m, items, title="Veckans plan", notes=legend_notes)
    minx, miny, maxx, maxy = plan.stops.to_crs(settings.display_crs).total_bounds
    # the stops fill the view clear of the boxes: search and tools on the left, the info box
    # and the legend along the bottom (the layer list folds into its button)
    m.fit_bounds(
        [[miny, minx], [maxy, maxx]], padding_top_left=(180, 50), padding_bottom_right=(60, 170)
    )
    return finish_map(m, collapsed_layers=True, fit_kommun=False)
