"""A week's candidate stops: named places, hot cells, road control points, marked spots."""

from __future__ import annotations

import json
import logging
import math
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from geo import settings
from geo.model import THEMES, theme_of
from geo.patrol.priorities import PlanSettings, load_priorities
from geo.patrol.profiles import (
    FloatArray,
    as_profile,
    hours_profile,
    spot_profile,
    weighted_profile,
)
from geo.spots.vocabulary import STATUSES, for_police
from geo.weeks import week_monday
from geo.words import mid_sentence

logger = logging.getLogger(__name__)


#: Most characters of a spot's description quoted in a stop's reason (the plan's line stays
#: short; the whole text is on the spot's page).
SPOT_WORDS = 160


#: Columns of :func:`plan_candidates` (besides ``geometry``, the stop point on the road).
CANDIDATE_COLUMNS: tuple[str, ...] = (
    "candidate_id",
    "name",
    "kind",
    "place_id",
    "theme",
    "activity",
    "risk_week",
    "risk_N",
    "risk_T",
    "risk_B",
    "risk_S",
    "how_profile",
    "source_note",
    "area",
)


def _in_season(place: pd.Series, month: int) -> bool:
    months = place.get("season_months")
    values = list(months) if months is not None and not isinstance(months, str) else []
    if isinstance(months, str) and months.strip():
        values = json.loads(months)
    return not values or month in [int(m) for m in values]


def _themes_of(place: pd.Series) -> list[str]:
    themes = place.get("themes")
    if isinstance(themes, str):
        return [str(t) for t in json.loads(themes)] if themes.startswith("[") else [themes]
    return [str(t) for t in themes] if themes is not None else []


def _cell_risks(cells: gpd.GeoDataFrame) -> FloatArray:
    return np.asarray(cells[[f"risk_{t}" for t in THEMES]].to_numpy(dtype=float))


def _road_name(G: nx.MultiDiGraph, u: int, v: int, key: int) -> str:
    data = G.get_edge_data(u, v, key) or {}
    ref = data.get("ref")
    ref = ref[0] if isinstance(ref, list) else ref
    if ref:
        text = str(ref)
        return text if text.upper().startswith("E") else f"väg {text}"
    name = data.get("name")
    name = name[0] if isinstance(name, list) else name
    if name:
        return str(name)
    return "lokalväg"


def _label_points(
    points: gpd.GeoSeries, G: nx.MultiDiGraph, places: gpd.GeoDataFrame
) -> tuple[list[str], gpd.GeoSeries]:
    """Return a human name ("väg 204 vid Hidinge") and the road point of each point."""
    from geo import network  # network is a sibling at the same level; imported lazily

    snap = network.snap_to_edges(G, points, tolerance_m=5000.0)
    names: list[str] = []
    road_pts = []
    centroids = places.geometry.representative_point()
    for idx, pt in points.items():
        row = snap.loc[idx]
        if pd.isna(row["u"]):
            road, snapped = "", pt
        else:
            road = _road_name(G, int(row["u"]), int(row["v"]), int(row["key"]))
            snapped = row["snapped"]
        road_pts.append(snapped)
        if places.empty:
            names.append(road or "okänd plats")
            continue
        dist = centroids.distance(pt)
        near = places.loc[dist.idxmin(), "name"]
        word = "vid" if float(dist.min()) <= 2500 else "nära"
        names.append(f"{road} {word} {near}".strip() if road else f"{word} {near}")
    return names, gpd.GeoSeries(road_pts, index=points.index, crs=points.crs)


def plan_candidates(
    forecast: gpd.GeoDataFrame,
    *,
    week: str,
    places: gpd.GeoDataFrame,
    G: nx.MultiDiGraph,
    control_points: gpd.GeoDataFrame | None = None,
    spots: gpd.GeoDataFrame | None = None,
    options: PlanSettings | None = None,
) -> gpd.GeoDataFrame:
    """Collect the candidate stops of a week, each on the road network with a Swedish name.

    Parameters
    ----------
    forecast
        :func:`geo.forecast.forecast_week` for ``week`` (EPSG:3006).
    week
        ISO week, ``YYYY-Www``.
    places
        :func:`geo.sites.load_places`; bathing sites count only in season.
    G
        Road graph (:func:`geo.network.load_graph`).
    control_points
        The ``control_points`` layer (sobriety/speed checks on ranked road segments).
    spots
        Kommun-marked spots (:func:`geo.spots.read_spots`); open ones become candidates,
        except those of the kommun's own matters (:func:`geo.spots.for_police`: parking).
        A spot counts for its category's theme and takes the activity its category calls
        for (:meth:`PlanSettings.category_activity`): a speed, vehicle or sobriety check,
        presence at a trafikfarlig plats, the theme's own for "övrigt" (S).
    options
        Plan settings; default :func:`load_priorities`.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns :data:`CANDIDATE_COLUMNS`: ``kind`` is ``plats``, ``het ruta``,
        ``kontrollpunkt`` or ``markerad plats``; ``risk_*`` expected events in the week;
        ``how_profile`` 168 floats (Monday 00:00 = 0) summing to 1; ``area`` the polygon
        whose incidents explain the stop; ``geometry`` the stop Point on the road (EPSG:3006).
    """
    opts = options or load_priorities()
    month = (week_monday(week) + pd.Timedelta(days=3)).month
    rows: list[dict[str, Any]] = []
    fc = forecast.reset_index(drop=True)
    centroids = fc.geometry.centroid if len(fc) else gpd.GeoSeries([], crs=settings.working_crs)
    used = np.zeros(len(fc), dtype=bool)
    cell_half = math.sqrt(float(fc.geometry.area.iloc[0])) / 2 if len(fc) else 125.0
    risks = _cell_risks(fc) if len(fc) else np.zeros((0, 4))
    profiles = [as_profile(p) for p in fc["how_profile"]] if len(fc) else []
    places = places.reset_index(drop=True)
    owner = _cell_owners(centroids, places, cell_half)
    own_area = _own_areas(places)
    for k, place in places.iterrows():
        area = own_area.iloc[k]
        inside = owner == k
        used |= inside
        kind = str(place.get("kind", ""))
        if kind == "badplats" and not _in_season(place, month):
            logger.debug("%s out of season in %s", place["name"], week)
            continue
        r = risks[inside].sum(axis=0) if inside.any() else np.zeros(4)
        prof = weighted_profile(
            [profiles[i] for i in np.flatnonzero(inside)], risks[inside].sum(axis=1)
        )
        themes = _themes_of(place)
        prior_days, prior_hours = opts.kind_hours.get(kind, (opts.allowed_days, opts.allowed_hours))
        prior = hours_profile(list(prior_days), prior_hours)
        prior_w = opts.place_prior_week
        total = float(r.sum())
        prof = (prof * total + prior * prior_w) / (total + prior_w)
        if kind == "badplats":
            r = r.copy()
            r[list(THEMES).index("B")] = total + prior_w
        elif total == 0:
            main = themes[0] if themes else "S"
            r = r.copy()
            r[list(THEMES).index(main)] += prior_w
        rows.append(
            {
                "candidate_id": f"plats:{place['place_id']}",
                "name": str(place["name"]),
                "kind": "plats",
                "place_id": str(place["place_id"]),
                "risk": r,
                "how_profile": prof,
                "source_note": "",
                "area": area,
                "point": point
                if (point := place.geometry.representative_point()).within(area)
                else area.representative_point(),
            }
        )
    # hot cells outside named places, best first, spaced apart
    free = np.flatnonzero(~used)
    if len(free):
        weights = np.array([opts.theme_priority.get(t, 0.5) for t in THEMES])
        score = risks[free] @ weights
        order = free[np.argsort(-score)]
        chosen: list[int] = []
        for i in order:
            if len(chosen) >= opts.max_hot_cells or score[np.searchsorted(free, i)] <= 0:
                break
            c = centroids.iloc[i]
            if all(c.distance(centroids.iloc[j]) >= opts.hot_cell_spacing_m for j in chosen):
                chosen.append(int(i))
        for i in chosen:
            rows.append(
                {
                    "candidate_id": f"ruta:{int(fc.at[i, 'cell_id'])}",
                    "name": "",
                    "kind": "het ruta",
                    "place_id": None,
                    "risk": risks[i],
                    "how_profile": profiles[i],
                    "source_note": "",
                    "area": fc.geometry.iloc[i].buffer(cell_half),
                    "point": centroids.iloc[i],
                }
            )
    if control_points is not None and len(control_points):
        cps = control_points.sort_values("rank").head(opts.max_control_points)
        for _, cp in cps.iterrows():
            near = (
                np.asarray(centroids.distance(cp.geometry) <= 300.0)
                if len(fc)
                else np.zeros(0, dtype=bool)
            )
            r_t = float(risks[near, 1].sum()) if near.any() else 0.0
            prof = weighted_profile([profiles[i] for i in np.flatnonzero(near)], risks[near, 1])
            r = np.zeros(4)
            r[1] = max(r_t, opts.place_prior_week)
            rows.append(
                {
                    "candidate_id": f"kontroll:{cp['segment_id']}",
                    "name": str(cp["label"]),
                    "kind": "kontrollpunkt",
                    "place_id": None,
                    "risk": r,
                    "how_profile": prof,
                    "source_note": str(cp.get("reason") or ""),
                    "activity": str(cp["activity"]),
                    "area": cp.geometry.buffer(300.0),
                    "point": cp.geometry,
                }
            )
    if spots is not None and len(spots):
        from geo.spots import when_text as spot_when  # spots sits beside patrol (vocabulary)

        open_spots = for_police(spots)
        for _, spot in open_spots.iterrows():
            geom = spot.geometry
            point = (
                geom.interpolate(0.5, normalized=True) if geom.geom_type == "LineString" else geom
            )
            near = (
                np.asarray(centroids.distance(point) <= 300.0)
                if len(fc)
                else np.zeros(0, dtype=bool)
            )
            days = [int(d) - 1 for d in _list(spot.get("weekdays"))] or list(range(7))
            prof = spot_profile(days, [str(b) for b in _list(spot.get("time_bands"))])
            category = str(spot.get("category") or "ovrigt")
            # the spot counts for its category's theme: an "övrigt" one is no traffic matter
            j = list(THEMES).index(theme_of(category, default="S"))
            r = np.zeros(4)
            r[j] = max(float(risks[near, j].sum()) if near.any() else 0.0, opts.spot_risk_week)
            label = str(spot.get("category_label") or category)
            since = spot.get("since")
            created = pd.Timestamp(spot.get("created_at"))
            # the kommun's words as a sentence goes on ("… EPA/A-traktor …" keeps its capitals)
            note = f"Markerad av kommunen {created:%Y-%m-%d}: {mid_sentence(label)}"
            if since is not None and not (isinstance(since, float) and np.isnan(since)):
                note += f", sedan {since}"
            when = spot_when(days, [str(b) for b in _list(spot.get("time_bands"))])
            note += f"; {when}" if when else ""
            status = str(spot.get("status"))
            note += f" (status: {STATUSES.get(status, status).lower()})."
            described = " ".join(str(spot.get("description") or "").split())
            if described:  # what the kommun saw, in its words (checked for personal data)
                cut = (
                    described if len(described) <= SPOT_WORDS else described[: SPOT_WORDS - 1] + "…"
                )
                note += f" Kommunen skriver: ”{cut}”"
            rows.append(
                {
                    "candidate_id": f"markering:{spot['spot_id']}",
                    "name": "",
                    "kind": "markerad plats",
                    "place_id": None,
                    "risk": r,
                    "how_profile": prof,
                    "source_note": note,
                    "activity": opts.category_activity(category),
                    "area": geom.buffer(300.0),
                    "point": point,
                }
            )
    if not rows:
        return gpd.GeoDataFrame(
            {c: [] for c in CANDIDATE_COLUMNS}, geometry=gpd.GeoSeries([], crs=settings.working_crs)
        )
    points = gpd.GeoSeries([r["point"] for r in rows], crs=settings.working_crs)
    names, road_pts = _label_points(points, G, places)
    out_rows = []
    for i, r in enumerate(rows):
        risk = np.asarray(r["risk"], dtype=float)
        weighted = risk * np.array([opts.theme_priority.get(t, 0.5) for t in THEMES])
        theme = list(THEMES)[int(np.argmax(weighted))] if weighted.sum() > 0 else "S"
        activity = r.get("activity") or opts.activities.get(theme, "närvaro/synlighet")
        out_rows.append(
            {
                "candidate_id": r["candidate_id"],
                "name": r["name"] or names[i],
                "kind": r["kind"],
                "place_id": r["place_id"],
                "theme": theme,
                "activity": activity,
                "risk_week": float(risk.sum()),
                **{f"risk_{t}": float(risk[j]) for j, t in enumerate(THEMES)},
                "how_profile": [float(v) for v in r["how_profile"]],
                "source_note": r["source_note"],
                "area": r["area"],
                "geometry": road_pts.iloc[i],
            }
        )
    out = gpd.GeoDataFrame(out_rows, geometry="geometry", crs=settings.working_crs)
    out["name"] = _distinct_names(out["name"], out["kind"])
    logger.info(
        "%d patrol candidates for %s (%s)", len(out), week, out["kind"].value_counts().to_dict()
    )
    return out[[*CANDIDATE_COLUMNS, "geometry"]]


def _distinct_names(names: pd.Series, kinds: pd.Series) -> list[str]:
    """Return the names with a number added where two candidates share one.

    Two hot cells by the same road near the same place were both "E18 vid Badplats Leken" in
    a plan; now "E18 vid Badplats Leken (het ruta 1)" and "(het ruta 2)".
    """
    counts = names.value_counts()
    seen: dict[tuple[str, str], int] = {}
    out = []
    for name, kind in zip(names.astype(str), kinds.astype(str), strict=True):
        if counts[name] > 1:
            seen[name, kind] = seen.get((name, kind), 0) + 1
            out.append(f"{name} ({kind} {seen[name, kind]})")
        else:
            out.append(name)
    return out


def _list(value: object) -> list[Any]:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return []
    if isinstance(value, str):
        return list(json.loads(value)) if value.startswith("[") else [value]
    return list(value) if isinstance(value, list | tuple | np.ndarray | pd.Series) else [value]


def _own_areas(places: gpd.GeoDataFrame) -> gpd.GeoSeries:
    """Return each place's area without the smaller places that lie in it.

    A village's circle can hold a bathing site (Vintrosa's 1.2 km circle holds most of Lanna
    badgruva); the events and forecast there belong to the smaller, more specific place.
    """
    geoms = list(places.geometry)
    size = [g.area for g in geoms]
    out = []
    for i, g in enumerate(geoms):
        smaller = [h for j, h in enumerate(geoms) if size[j] < size[i] and h.intersects(g)]
        out.append(g.difference(shapely.union_all(smaller)) if smaller else g)
    return gpd.GeoSeries(out, index=places.index, crs=places.crs)


def _cell_owners(
    centroids: gpd.GeoSeries, places: gpd.GeoDataFrame, margin: float
) -> npt.NDArray[np.int64]:
    """Return the position of the place each forecast cell belongs to (-1: none).

    A cell belongs to a place when its centroid is within ``margin`` of the place's area
    (half a cell, so a small place always has a cell); of several such places, to the
    smallest, as in :func:`_own_areas`.
    """
    owner = np.full(len(centroids), -1, dtype=np.int64)
    best = np.full(len(centroids), np.inf)
    for k, geom in enumerate(places.geometry):
        inside = np.asarray(centroids.within(geom.buffer(margin))) & (geom.area < best)
        owner[inside], best[inside] = k, geom.area
    return owner
