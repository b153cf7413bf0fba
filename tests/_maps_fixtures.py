"""Synthetic data for the map and privacy tests, built to tempt the maps into leaking."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.model import CATEGORIES, INCIDENT_COLUMNS

HOSTILE = '<script>window.__pwned=1</script>"><img src=x onerror="window.__pwned=2">'
#: An isolated farm north of Lanna, far from every place (EPSG:3006).
FARM_XY = (466_300.0, 6_577_400.0)
#: Fjugesta centrum and Badplats Leken: the centres of their circles in data/platser/, where the
#: gazetteer puts incidents geocoded to them (EPSG:3006).
FJUGESTA_XY = (492_666.0, 6_559_628.0)
LEKEN_XY = (487_609.0, 6_570_873.0)
N_HOTSPOTS = 3


def incidents(n: int = 240, *, seed: int = 7) -> gpd.GeoDataFrame:
    """Return ``n`` incidents around Fjugesta and Leken plus one at an isolated farm.

    The farm incident has a hostile description and an exact time; everything else is
    spread over 2024–2025 with a few categories per theme.
    """
    rng = np.random.default_rng(seed)
    cats = ["narkotika", "hastighet", "motorburen", "skadegorelse", "inbrott", "alkohol"]
    centres = [FJUGESTA_XY, LEKEN_XY]
    rows: list[dict[str, Any]] = []
    geoms = []
    for i in range(n):
        cx, cy = centres[i % 2]
        cat = cats[i % len(cats)]
        rows.append(
            {
                "incident_id": f"t{i}",
                "source": "kommun" if i % 3 else "polis",
                "reporter_org": "Lekebergs kommun",
                "occurred_at": pd.Timestamp("2024-01-01 08:00", tz="Europe/Stockholm")
                + pd.Timedelta(minutes=int(rng.integers(0, 729 * 24 * 60))),
                "occurred_until": pd.NaT,
                "time_precision": "exact",
                "time_flag": None,
                "category": cat,
                "theme": CATEGORIES[cat].theme,
                "place_id": "fjugesta_centrum" if i % 2 == 0 else "leken",
                "place_name": "Fjugesta centrum" if i % 2 == 0 else "Badplats Leken",
                "location_precision_m": 25.0,
                "description": f"Observation {i}: {HOSTILE}" if i == 1 else f"Observation {i}",
                "reported_to_police": "nej",
                "weight": 1.0,
                "kommunkod": "1814",
                "import_id": None,
            }
        )
        geoms.append(shapely.Point(cx + rng.normal(0, 60), cy + rng.normal(0, 60)))
    rows.append(
        {
            **rows[0],
            "incident_id": "farm",
            "occurred_at": pd.Timestamp("2025-03-04 02:17", tz="Europe/Stockholm"),
            "category": "narkotika",
            "theme": "N",
            "place_id": None,
            "place_name": None,
            "description": f"Ensam gård: {HOSTILE}",
        }
    )
    geoms.append(shapely.Point(*FARM_XY))
    gdf = gpd.GeoDataFrame(rows, geometry=geoms, crs="EPSG:3006")
    for col in INCIDENT_COLUMNS:
        if col not in gdf.columns:
            gdf[col] = None
    return gdf[list(INCIDENT_COLUMNS)]


def incidents_at_places(
    places: gpd.GeoDataFrame, place_ids: list[str], per_place: int = 30, *, seed: int = 11
) -> gpd.GeoDataFrame:
    """Return ``per_place`` incidents in each named place, within 15 m of its centre.

    Incidents geocoded to a place lie on the place itself, so the place's cluster bubble sits
    where its name is anchored; the categories cycle through themes N, T and S.
    """
    cats = ["narkotika", "hastighet", "skadegorelse", "alkohol", "motorburen", "inbrott"]
    mix = {pid: Counter(cats[i % len(cats)] for i in range(per_place)) for pid in place_ids}
    return incidents_by_place(places, mix, seed=seed)


def incidents_by_place(
    places: gpd.GeoDataFrame, mix: Mapping[str, Mapping[str, int]], *, seed: int = 11
) -> gpd.GeoDataFrame:
    """Return incidents at named places, within 15 m of each place's centre.

    Parameters
    ----------
    places
        Places as from :func:`geo.sites.load_places`.
    mix
        ``{place_id: {category: number of incidents}}``.
    seed
        Seed of the times (in 2025) and the positions.

    Returns
    -------
    geopandas.GeoDataFrame
        The incidents in :data:`geo.model.INCIDENT_COLUMNS`, each naming its place.
    """
    rng = np.random.default_rng(seed)
    by_id = places.set_index("place_id")
    base = incidents(2).iloc[0].drop("geometry").to_dict()
    rows: list[dict[str, Any]] = []
    geoms = []
    for pid, counts in mix.items():
        centre = by_id.loc[pid].geometry.centroid
        for cat, n in counts.items():
            for _ in range(n):
                rows.append(
                    {
                        **base,
                        "incident_id": f"{pid}-{len(rows)}",
                        "occurred_at": pd.Timestamp("2025-01-01 08:00", tz="Europe/Stockholm")
                        + pd.Timedelta(hours=int(rng.integers(0, 300 * 24))),
                        "category": cat,
                        "theme": CATEGORIES[cat].theme,
                        "place_id": pid,
                        "place_name": str(by_id.loc[pid, "name"]),
                        "description": f"Observation {len(rows)}",
                    }
                )
                geoms.append(
                    shapely.Point(centre.x + rng.uniform(-15, 15), centre.y + rng.uniform(-15, 15))
                )
    return gpd.GeoDataFrame(rows, geometry=geoms, crs=places.crs)[list(INCIDENT_COLUMNS)]


def incidents_over_kommun(
    places: gpd.GeoDataFrame, boundary: shapely.Geometry, n: int = 600, *, seed: int = 3
) -> gpd.GeoDataFrame:
    """Return 15 incidents at each named place and ``n`` strewn over the kommun.

    As in the main job's sample, bubbles then lie all over the kommun, beside and under the
    place names: on a phone, whose whole-kommun view is a third as wide as a laptop's, some
    place always has bubbles on every side of its name.
    """
    at_places = incidents_by_place(
        places, {pid: Counter({"hastighet": 10, "narkotika": 5}) for pid in places["place_id"]}
    )
    rng = np.random.default_rng(seed)
    left, bottom, right, top = boundary.bounds
    points = [
        p
        for p in shapely.points(rng.uniform(left, right, 5 * n), rng.uniform(bottom, top, 5 * n))
        if boundary.contains(p)
    ][:n]
    strewn = at_places.iloc[np.arange(len(points)) % len(at_places)].copy()
    strewn["incident_id"] = [f"strewn-{i}" for i in range(len(points))]
    strewn["place_id"] = None
    strewn["place_name"] = None
    strewn = strewn.set_geometry(gpd.GeoSeries(points, index=strewn.index, crs=places.crs))
    return gpd.GeoDataFrame(pd.concat([at_places, strewn], ignore_index=True), crs=places.crs)


def hotspots(*, as_json_strings: bool = False) -> gpd.GeoDataFrame:
    """Return ``N_HOTSPOTS`` hotspot polygons in the contract's columns."""
    profile = [0] * 168
    profile[4 * 24 + 21] = 6  # Friday 21–22
    profile[5 * 24 + 22] = 4
    rows = []
    geoms = []
    for i, (x, y) in enumerate([FJUGESTA_XY, LEKEN_XY, (480_000.0, 6_566_000.0)]):
        value = {
            "hotspot_id": f"H{i + 1}",
            "theme": "T" if i != 1 else "B",
            "category": "alla" if i == 0 else "motorburen",
            "n_events": 12 - i,
            "categories": ["motorburen", "hastighet"],
            "sources": ["kommun", "polis"],
            "first_seen": pd.Timestamp("2024-05-01", tz="Europe/Stockholm"),
            "last_seen": pd.Timestamp("2025-09-01", tz="Europe/Stockholm"),
            "places": ["Fjugesta centrum"] if i == 0 else ["Badplats Leken"],
            "how_profile": profile,
            "month_profile": [1] * 12,
            "trend": "ökande",
        }
        if as_json_strings:
            for key in ("categories", "sources", "places", "how_profile", "month_profile"):
                value[key] = json.dumps(value[key], ensure_ascii=False)
        rows.append(value)
        geoms.append(shapely.Point(x, y).buffer(220))
    return gpd.GeoDataFrame(rows, geometry=geoms, crs="EPSG:3006")


def gi_grid() -> gpd.GeoDataFrame:
    """Return four Gi* cells: one hot, one cold, one not significant, one too few."""
    classes = ["hot_99", "cold_95", "ej_signifikant", "för_få_händelser"]
    x0, y0 = FJUGESTA_XY
    geoms = [shapely.box(x0 + i * 250, y0 + 400, x0 + (i + 1) * 250, y0 + 650) for i in range(4)]
    return gpd.GeoDataFrame(
        {
            "cell_id": [f"c{i}" for i in range(4)],
            "n_events": [14, 0, 3, 1],
            "local_events": [40, 2, 9, 1],
            "gi_z": [3.4, -2.1, 0.3, np.nan],
            "p_sim": [0.001, 0.03, 0.4, np.nan],
            "p_fdr": [0.0004, 0.045, 0.6, np.nan],
            "hotspot_class": classes,
        },
        geometry=geoms,
        crs="EPSG:3006",
    )


def emerging() -> gpd.GeoDataFrame:
    """Return five emerging-hot-spot cells: new, intensifying, a cold one, two without pattern."""
    patterns = ["ny", "intensifierande", "ihållande kall", "inget mönster", "för få händelser"]
    x0, y0 = FJUGESTA_XY
    geoms = [shapely.box(x0 + i * 250, y0 - 900, x0 + (i + 1) * 250, y0 - 650) for i in range(5)]
    return gpd.GeoDataFrame(
        {
            "cell_id": [f"e{i}" for i in range(5)],
            "pattern": patterns,
            "n_events": [6, 40, 0, 2, 1],
            "hot_steps": [1, 14, 0, 0, 0],
            "cold_steps": [0, 0, 12, 0, 0],
            "n_steps": [23] * 5,
        },
        geometry=geoms,
        crs="EPSG:3006",
    )


def forecast(week: str | None = "2026-W49") -> gpd.GeoDataFrame:
    """Return a forecast of ten cells with 10 expected events: 4, 3, 1, then 2 spread over 7.

    The cells with 4 and 3 hold 70 % of the week (the three riskiest 80 %); the busiest
    cell's profile peaks on Friday 21–22 (hour of week 117).
    """
    x0, y0 = FJUGESTA_XY
    risk = [4.0, 3.0, 1.0] + [2.0 / 7] * 7
    peak = [0.0] * 168
    peak[117], peak[118] = 0.7, 0.3
    flat = [1 / 168] * 168
    frame = gpd.GeoDataFrame(
        {
            "cell_id": list(range(10)),
            "risk_week": risk,
            "how_profile": [json.dumps(peak)] + [json.dumps(flat)] * 9,
        },
        geometry=[shapely.box(x0 + i * 250, y0, x0 + (i + 1) * 250, y0 + 250) for i in range(10)],
        crs="EPSG:3006",
    )
    if week is not None:
        frame["week"] = week
    return frame.sample(frac=1.0, random_state=3)  # not in risk order


def road_segments() -> gpd.GeoDataFrame:
    """Return two road segments with rates."""
    x0, y0 = FJUGESTA_XY
    return gpd.GeoDataFrame(
        {
            "segment_id": ["s1", "s2"],
            "ref": ["204", "E18"],
            "name": ["Fjugestavägen", ""],
            "highway": ["primary", "trunk"],
            "length_m": [1200.0, 3000.0],
            "n_events": [9, 2],
            "n_incidents": [7, 2],
            "n_spots": [2, 0],
            "n_speed": [6, 2],
            "n_vehicle": [3, 0],
            "n_sobriety": [0, 0],
            # as geo.roads.road_segments names the counts by the checks it counted with
            "check_counts": [
                "6 hastighet/vårdslös körning, 3 motorburen problematik/buller",
                "2 hastighet/vårdslös körning",
            ],
            "peak": ["tis 15–18", ""],
            "maxspeed": ["50", None],
            "events_per_km": [7.5, 0.7],
            "rank": [1, 2],
            "label": ["Väg 204 genom Fjugesta", "E18 vid Lekhyttan"],
        },
        geometry=[
            shapely.LineString([(x0 - 600, y0), (x0 + 600, y0)]),
            shapely.LineString([(x0 - 9000, y0 + 12000), (x0 - 11000, y0 + 10000)]),
        ],
        crs="EPSG:3006",
    )


def spots() -> gpd.GeoDataFrame:
    """Return one marked point spot, one marked stretch and a point the kommun rejected."""
    x0, y0 = FJUGESTA_XY
    return gpd.GeoDataFrame(
        {
            "spot_id": [1, 2, 3],
            "category": ["hastighet", "trafikfarlig_plats", "hastighet"],
            "status": ["ny", "bedomd", "avvisad"],
        },
        geometry=[
            shapely.Point(x0 + 300, y0 - 300),
            shapely.LineString([(x0, y0 - 500), (x0 + 400, y0 - 500)]),
            shapely.Point(x0 + 320, y0 - 310),
        ],
        crs="EPSG:3006",
    )


def embedded_geojson(html: str) -> list[dict[str, Any]]:
    """Return every GeoJSON FeatureCollection embedded in a saved map page."""
    decoder = json.JSONDecoder()
    found = []
    for m in re.finditer(r'\{"features": \[', html):
        obj, _ = decoder.raw_decode(html, m.start())
        found.append(obj)
    return found
