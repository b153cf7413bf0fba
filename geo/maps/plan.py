"""The map of a weekly patrol plan: route on the roads, numbered stops, popups with the reasons."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import folium
import geopandas as gpd
import pandas as pd
import shapely

from geo import settings
from geo.errors import GeoError
from geo.maps.base import (
    MAPKEYS_JS,
    SPREAD_JS,
    THEME_COLORS,
    MapScript,
    add_legend,
    base_map,
    finish_map,
    geojson_layer,
)
from geo.model import THEMES
from geo.weeks import DAY_NAMES

if TYPE_CHECKING:
    import networkx as nx

    from geo.patrol import Plan

logger = logging.getLogger(__name__)

_TRIP_COLORS = ("#c51b7d", "#2166ac")
#: Line width of each trip's route in px, the first widest: the trips leave from the same
#: entry point and share roads, so a later (narrower) route is drawn on top of an earlier one
#: and both colours show where they run together.
_TRIP_WEIGHTS = (10, 4)
#: Radius of a stop's circle marker in px.
_STOP_RADIUS = 11
#: Radius of the entry point's marker in px.
_ENTRY_RADIUS = 7
#: Margin around the stops when the map is fitted to them, as a share of their extent (room
#: for the number badges above the stops and the names below) and at least this many metres.
_FIT_MARGIN = 0.15
_FIT_MARGIN_MIN_M = 400.0


def _stop_features(plan: Plan) -> gpd.GeoDataFrame:
    from geo.patrol.trips import plan_trips

    trips = {int(t["trip"]): t for _, t in plan_trips(plan).iterrows()}
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
                    ["Tur", _trip_text(trips[int(s["trip"])])],
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


def _trip_text(trip: pd.Series) -> str:
    """Return "1: från infarten 20:11, tillbaka 21:21, körning 34 min" (a :func:`plan_trips` row).

    "Tillbaka" as on the one-pager and in the calendar ("ut" read as a third time).
    """
    return (
        f"{int(trip['trip'])}: från infarten {pd.Timestamp(trip['leave']):%H:%M}, "
        f"tillbaka {pd.Timestamp(trip['back']):%H:%M}, "
        f"körning {round(float(trip['drive_min']))} min"
    )


def _entry_feature(plan: Plan) -> gpd.GeoDataFrame:
    """Return the entry point (where every route starts and ends), labelled, with the trips."""
    from geo.patrol.trips import plan_trips

    entry = str(plan.meta.get("entry") or "Infart")
    start = shapely.Point(plan.routes.geometry.iloc[0].coords[0])
    rows = [
        [f"Tur {int(t['trip'])}", f"{DAY_NAMES[pd.Timestamp(t['leave']).day_of_week]} "
         f"{_trip_text(t).split(': ', 1)[1]}"]
        for _, t in plan_trips(plan).iterrows()
    ]  # fmt: skip
    return gpd.GeoDataFrame(
        [
            {
                "_title": f"{entry}: turerna börjar och slutar här",
                "_rows": rows,
                "_tooltip": entry,
                "_permanent": True,
                "_label_dir": "right",
                "_label_offset": [8, 0],
                "_color": "#111111",
                "_fill": "#ffd400",
            }
        ],
        geometry=[start],
        crs=plan.routes.crs,
    )


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
        per trip, the entry point every trip leaves from and returns to (named, its popup
        giving each trip's times there and its driving) and numbered stops whose popups carry
        day, time, activity, theme, trip (leaving, out, driving) and reason.
        Where two trips share roads the first (wider) route shows on both sides of the second;
        stop markers that would cover each other are pushed apart on screen, each with a thin
        line to its true place. The stops are fitted clear of the boxes in the browser; on a
        phone the layer list and legend fold (``layout.js``).
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
    notes = [f"Planerat {int(plan.total_min)} av {plan.budget_min:.0f} min inkl. körning"]
    if plan.logged_text():
        notes.append(plan.logged_text().rstrip("."))
    notes.append("Arbetsmaterial – ej för spridning")
    if plan.meta.get("synthetic_note"):
        notes.append(str(plan.meta["synthetic_note"]))
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
    n_trips = len(plan.routes)
    labels: dict[int, str] = {}  # "Tur 1 (fredag)", in the layer list and the legend alike
    for _, r in plan.routes.sort_values("trip").iterrows():  # the first, widest, underneath
        trip = int(r["trip"])
        day = plan.stops.loc[plan.stops["trip"] == trip, "start"].min()
        label = labels[trip] = f"Tur {trip}" + (
            f" ({DAY_NAMES[pd.Timestamp(day).day_of_week]})" if pd.notna(day) else ""
        )
        gdf = gpd.GeoDataFrame(
            {"_tooltip": [f"{label}: {float(r['drive_min']):.0f} min körning"]},
            geometry=[r.geometry],
            crs=plan.routes.crs,
        )
        style = {
            "color": _trip_color(trip),
            "weight": _trip_weight(trip, n_trips),
            "opacity": 0.9,
            "geoObstacle": True,  # the route is what the planner reads: no name on it
        }
        geojson_layer(gdf, name=label, style=style).add_to(m)
    if not plan.routes.empty:  # where every trip leaves from and comes back to, named
        geojson_layer(
            _entry_feature(plan),
            name="Infart (start och slut)",
            style={"color": "#111111", "weight": 2, "fillOpacity": 1.0},
            point_radius=_ENTRY_RADIUS,
        ).add_to(m)
    stops = geojson_layer(
        _stop_features(plan),
        name="Stopp (numrerade)",
        style={"color": "#111111", "weight": 2, "fillOpacity": 0.9},
        point_radius=_STOP_RADIUS,
    )
    stops.add_to(m)
    MapScript(SPREAD_JS, "geoSpreadStops", target=stops).add_to(m)  # overlapping stops apart
    MapScript(MAPKEYS_JS, "geoStopKeys", target=stops).add_to(m)  # one tab stop, in order
    items = [
        (THEME_COLORS[t], f"Stopp: {THEMES[t]}", "fill") for t in sorted(set(plan.stops["theme"]))
    ]
    if not plan.routes.empty:
        items.append(("#ffd400", f"{plan.meta.get('entry') or 'Infart'} (start och slut)", "fill"))
    for t in sorted(int(t) for t in plan.routes["trip"]):
        width = "" if n_trips < 2 else (", bred linje" if t == 1 else ", smal linje ovanpå")
        items.append((_trip_color(t), f"{labels.get(t, f'Tur {t}')}{width}", "line"))
    legend_notes = ["schematiskt vägnät"] if schematic else []
    add_legend(m, items, title="Veckans plan", notes=legend_notes)
    # the stops (with room for their numbers and names) are fitted in the browser into the part
    # of the map the boxes leave free, as the lägesbild maps fit the kommun: beside the boxes on
    # a screen, above the info box on a phone, where the legend folds into its title
    if not plan.stops.empty:  # else the kommun, as base_map set it
        margin = max(_FIT_MARGIN * _extent(plan.stops), _FIT_MARGIN_MIN_M)
        box = shapely.box(*plan.stops.total_bounds).buffer(margin)
        area = gpd.GeoSeries([box], crs=plan.stops.crs)
        minx, miny, maxx, maxy = area.to_crs(settings.display_crs).total_bounds
        m.options["geoFitBounds"] = [[float(miny), float(minx)], [float(maxy), float(maxx)]]
        m.options["geoFitClearOfTop"] = True  # on a phone, no stop under the layer button
    return finish_map(m, collapsed_layers=True, fit_kommun=True)


def _trip_color(trip: int) -> str:
    return _TRIP_COLORS[(trip - 1) % len(_TRIP_COLORS)]


def _trip_weight(trip: int, n_trips: int) -> int:
    if n_trips < 2:
        return 5
    return _TRIP_WEIGHTS[min(trip - 1, len(_TRIP_WEIGHTS) - 1)]


def _extent(gdf: gpd.GeoDataFrame) -> float:
    minx, miny, maxx, maxy = gdf.total_bounds
    return float(max(maxx - minx, maxy - miny))
