"""Build every lägesbild map from what the store holds (the I/O side of the map builders)."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import geopandas as gpd
import pandas as pd

from geo import privacy, settings, sites, store
from geo.errors import GeoError, StoreError
from geo.maps.io import save_map
from geo.maps.lagesbild import lagesbild_map, shared_map
from geo.model import SYNTHETIC_SOURCE
from geo.spots import read_spots

logger = logging.getLogger(__name__)

#: Store layers the maps draw when they exist (written by the analysis commands and the app).
LAYERS: dict[str, str] = {
    "hotspots": "hotspots",
    "gi_grid": "gi_grid",
    "road_segments": "road_segments",
    "emerging": "emerging",
    "forecast": "forecast",
}

#: Place kinds treated as tätorter (250 m cells in the shared map).
URBAN_KINDS: tuple[str, ...] = ("centrum", "ort")


def _layer(name: str, path: Path) -> gpd.GeoDataFrame | None:
    if name not in store.list_layers(path):
        logger.info("no layer %r in %s; skipped on the maps", name, path)
        return None
    try:
        gdf = store.read_layer(name, path)
    except StoreError as e:
        logger.info("layer %r unreadable (%s); skipped on the maps", name, e)
        return None
    if gdf.crs is None:
        gdf = gdf.set_crs(settings.working_crs)
    return gdf.to_crs(settings.working_crs)


def load_roads() -> tuple[gpd.GeoDataFrame | None, bool]:
    """Return the road lines for the map background and whether they are schematic.

    Returns
    -------
    tuple
        ``(roads, schematic)``: edges of :func:`geo.network.load_graph` in the working CRS,
        or ``(None, False)`` when no road network is available (logged, not an error).
    """
    try:
        from geo import network  # type: ignore[attr-defined, unused-ignore]

        G: Any = network.load_graph()
    except (ImportError, AttributeError, GeoError, OSError) as e:
        logger.info("no road network for the map background (%s)", e)
        return None, False
    edges = network.graph_edges(G).to_crs(settings.working_crs)
    cols = [c for c in ("ref", "name", "highway") if c in edges.columns]
    return edges[[*cols, "geometry"]].reset_index(drop=True), bool(G.graph.get("schematic"))


def build_all(
    *,
    store_path: Path | None,
    out_dir: Path | None,
    k: int | None = None,
    forecast: gpd.GeoDataFrame | None = None,
) -> list[Path]:
    """Build ``lagesbild.html`` (internal) and ``lagesbild-delad.html`` (shared) from the store.

    Analysis layers (:data:`LAYERS`) are drawn when the store has them; a missing layer
    is skipped with a log line. Kommun-marked traffic spots come from :func:`geo.spots.read_spots`.

    Parameters
    ----------
    store_path
        The GeoPackage store; default ``settings.store_path``.
    out_dir
        Output folder; default ``settings.maps_dir``.
    k
        Suppression threshold of the shared map; default ``settings.privacy_k``. The shared
        map counts the months before the current one (Europe/Stockholm): made again within
        a month it shows the same cells, so two versions do not tell a new event apart.
    forecast
        A week's forecast to draw instead of the store's layer ``forecast`` (``geo run``
        draws the plan week's without storing it: its hour profiles are some 17 MB).

    Returns
    -------
    list of pathlib.Path
        The maps written.
    """
    path = store_path or settings.store_path
    out = out_dir or settings.maps_dir
    k = privacy.shared_k(k)
    generated_at = datetime.now(ZoneInfo(settings.timezone))
    incidents = store.read_incidents(path)
    places = sites.load_places()
    boundary = sites.load_boundary()
    roads, schematic = load_roads()
    layers = {key: _layer(name, path) for key, name in LAYERS.items()}
    if forecast is not None:
        layers["forecast"] = forecast
    internal = lagesbild_map(
        incidents,
        places=places,
        boundary=boundary,
        roads=roads,
        schematic_roads=schematic,
        hotspots=layers["hotspots"],
        gi_grid=layers["gi_grid"],
        road_segments=layers["road_segments"],
        emerging=layers["emerging"],
        forecast=layers["forecast"],
        spots=read_spots(path),
        generated_at=generated_at,
    )
    urban = places.loc[places["kind"].isin(URBAN_KINDS), "geometry"]
    # whole months only: a map made again within a month shows the same counts, so two of
    # them do not tell a single new event by difference
    month_start = generated_at.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    done = incidents[pd.to_datetime(incidents["occurred_at"]) < pd.Timestamp(month_start)]
    cells = privacy.aggregate_for_sharing(
        done,
        k=k,
        urban_areas=urban,
        at_bathing_site=sites.at_bathing_site(done, places),
    )
    shared = shared_map(
        cells,
        k=k,
        period=privacy.shared_period_label(done["occurred_at"]),
        places=places,
        boundary=boundary,
        roads=roads,
        schematic_roads=schematic,
        generated_at=generated_at,
        synthetic=bool((done["source"].astype(str) == SYNTHETIC_SOURCE).any()),
    )
    return [
        save_map(internal, out / "lagesbild.html"),
        save_map(shared, out / "lagesbild-delad.html"),
    ]
