"""The weekly patrol plan: candidate stops, their hourly value, the solved plan and its reasons."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import logging
import math
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from pyproj import Transformer

from geo import patrol_solver, settings
from geo.errors import DataError, GeoError
from geo.model import CATEGORIES, SOURCES, THEMES
from geo.weeks import DAY_ABBR, parse_week, shift_week, week_label, week_monday

logger = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float64]

#: Activities a stop can have.
ACTIVITIES: tuple[str, ...] = (
    "närvaro/synlighet",
    "nykterhetskontroll",
    "hastighetskontroll",
    "riktad narkotikainsats",
)
#: Spot statuses that are still open problems.
OPEN_SPOT_STATUSES: tuple[str, ...] = ("ny", "bedomd", "atgard_planerad")
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
#: Columns of a plan's stops (besides ``geometry``).
STOP_COLUMNS: tuple[str, ...] = (
    "order",
    "trip",
    "candidate_id",
    "place",
    "place_id",
    "kind",
    "theme",
    "activity",
    "start",
    "end",
    "dwell_min",
    "drive_min_before",
    "value",
    "reason",
    "lon",
    "lat",
)


@dataclass(frozen=True)
class PlanSettings:
    """Rules and priorities of the plan (``data/prioriteringar.toml``).

    Attributes
    ----------
    budget_min
        Minutes per ISO week inside the kommun, driving included.
    dwell_min
        Minutes per stop, 10–16 (Koper curve).
    max_trips
        1, or 2 trips on different days.
    allowed_days
        Days (Monday = 0) a trip may be made.
    allowed_hours
        ``(start, end)`` local hours; a trip lies inside ``[start, end)``.
    theme_priority, category_priority
        Weight of one expected event per theme, and overrides per category.
    activities
        Activity per theme; ``sobriety_categories`` call for a sobriety check.
    sobriety_categories
        Traffic categories that make a stop a nykterhetskontroll.
    repeat_factor
        Value share of a second visit to the same place in the week.
    last_week_factor
        Value share kept by last week's place in last week's hour.
    near_optimal
        A randomised plan is used when it is worth at least this share of the best.
    forecast_method
        Method of :func:`geo.forecast.forecast_week`.
    max_hot_cells, hot_cell_spacing_m
        Hot grid cells outside named places that become candidates, and their spacing.
    max_control_points
        Road control points that become candidates.
    spot_risk_week
        Expected events per week assumed at an open kommun-marked spot.
    place_prior_week
        Expected events per week assumed at a named place without data.
    entry_name, entry_lonlat
        The entry point from Örebro: a node name of the road graph, else these coordinates.
    kind_hours
        Typical ``(days, (start, end))`` per place kind, used as a prior profile.
    """

    budget_min: float = 120.0
    dwell_min: float = 15.0
    max_trips: int = 2
    allowed_days: tuple[int, ...] = (0, 1, 2, 3, 4, 5, 6)
    allowed_hours: tuple[int, int] = (8, 24)
    theme_priority: dict[str, float] = field(
        default_factory=lambda: {"N": 1.0, "T": 0.85, "B": 0.8, "S": 0.5}
    )
    category_priority: dict[str, float] = field(default_factory=dict)
    activities: dict[str, str] = field(
        default_factory=lambda: {
            "N": "riktad narkotikainsats",
            "T": "hastighetskontroll",
            "B": "närvaro/synlighet",
            "S": "närvaro/synlighet",
        }
    )
    sobriety_categories: tuple[str, ...] = ("rattfylleri",)
    repeat_factor: float = 0.5
    last_week_factor: float = 0.3
    near_optimal: float = 0.95
    forecast_method: str = "default"
    max_hot_cells: int = 20
    hot_cell_spacing_m: float = 750.0
    max_control_points: int = 8
    spot_risk_week: float = 0.25
    place_prior_week: float = 0.05
    entry_name: str = "Infart från Örebro"
    entry_lonlat: tuple[float, float] = (14.92830, 59.25626)
    kind_hours: dict[str, tuple[tuple[int, ...], tuple[int, int]]] = field(default_factory=dict)

    def validated(self) -> PlanSettings:
        """Return ``self`` after checking the values.

        Returns
        -------
        PlanSettings
            The same settings.

        Raises
        ------
        DataError
            On a dwell outside 10–16 min, a non-positive budget, bad hours or trips.
        """
        problems = []
        if not 10 <= self.dwell_min <= 16:
            problems.append(f"dwell_min {self.dwell_min!r} is outside 10-16 min (Koper curve)")
        if self.budget_min <= 0:
            problems.append(f"budget_min {self.budget_min!r} must be > 0")
        start, end = self.allowed_hours
        if not 0 <= start < end <= 24:
            problems.append(f"allowed_hours {self.allowed_hours!r} must be 0 <= start < end <= 24")
        if self.max_trips not in (1, 2):
            problems.append(f"max_trips {self.max_trips!r} must be 1 or 2")
        if not self.allowed_days or not set(self.allowed_days) <= set(range(7)):
            problems.append(f"allowed_days {self.allowed_days!r} must be days 0-6")
        bad = set(self.activities.values()) - set(ACTIVITIES)
        if bad:
            problems.append(f"unknown activities {sorted(bad)!r}; use {list(ACTIVITIES)!r}")
        if problems:
            fix = "data/prioriteringar.toml, or the --budget/--dwell/--trips given to geo plan"
            msg = f"Invalid plan settings: {'; '.join(problems)}. Fix {fix}."
            raise DataError(msg)
        return self


def priorities_path() -> Path:
    """Return ``<data_dir>/prioriteringar.toml``."""
    return settings.data_dir / "prioriteringar.toml"


def load_priorities(path: Path | None = None) -> PlanSettings:
    """Read the plan's priorities and rules from ``prioriteringar.toml``.

    Parameters
    ----------
    path
        The file; default :func:`priorities_path`. A missing default file gives the defaults.

    Returns
    -------
    PlanSettings
        Validated settings.

    Raises
    ------
    DataError
        If the file is not valid TOML or holds invalid values.
    """
    file = path or priorities_path()
    if not file.exists() and path is None:
        return PlanSettings().validated()
    try:
        raw = tomllib.loads(file.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as e:
        msg = f"Cannot read the priorities file {str(file)!r}: {e}. Fix the TOML syntax."
        raise DataError(msg) from e
    base = PlanSettings()
    plan = raw.get("plan", {})
    acts = dict(raw.get("aktiviteter", {}))
    sobriety = tuple(acts.pop("nykterhet", base.sobriety_categories))
    entry = raw.get("infart", {})
    try:
        days = tuple(
            DAY_ABBR.index(str(d)) if not isinstance(d, int) else d
            for d in plan.get("allowed_days", DAY_ABBR)
        )
        kind_hours = {
            str(kind): (tuple(int(d) for d in v["days"]), (int(v["hours"][0]), int(v["hours"][1])))
            for kind, v in raw.get("tider", {}).items()
        }
        out = replace(
            base,
            budget_min=float(plan.get("budget_min", base.budget_min)),
            dwell_min=float(plan.get("dwell_min", base.dwell_min)),
            max_trips=int(plan.get("max_trips", base.max_trips)),
            allowed_days=days,
            allowed_hours=tuple(int(h) for h in plan.get("allowed_hours", base.allowed_hours)),  # type: ignore[arg-type]
            theme_priority={**base.theme_priority, **raw.get("teman", {})},
            category_priority=dict(raw.get("kategorier", {})),
            activities={**base.activities, **acts},
            sobriety_categories=sobriety,
            repeat_factor=float(plan.get("repeat_factor", base.repeat_factor)),
            last_week_factor=float(plan.get("last_week_factor", base.last_week_factor)),
            near_optimal=float(plan.get("near_optimal", base.near_optimal)),
            forecast_method=str(plan.get("forecast_method", base.forecast_method)),
            max_hot_cells=int(plan.get("max_hot_cells", base.max_hot_cells)),
            hot_cell_spacing_m=float(plan.get("hot_cell_spacing_m", base.hot_cell_spacing_m)),
            max_control_points=int(plan.get("max_control_points", base.max_control_points)),
            spot_risk_week=float(plan.get("spot_risk_week", base.spot_risk_week)),
            place_prior_week=float(plan.get("place_prior_week", base.place_prior_week)),
            entry_name=str(entry.get("name", base.entry_name)),
            entry_lonlat=(
                float(entry.get("lon", base.entry_lonlat[0])),
                float(entry.get("lat", base.entry_lonlat[1])),
            ),
            kind_hours=kind_hours,
        )
    except (KeyError, ValueError, TypeError, IndexError) as e:
        msg = f"Invalid value in {str(file)!r}: {e!r}. Compare with docs/patrol-plan.md."
        raise DataError(msg) from e
    return out.validated()


# ----------------------------------------------------------------------------- weeks


def week_seed(week: str, seed: int | None = None) -> int:
    """Return a stable seed for an ISO week (and an optional user seed)."""
    text = f"{week}:{seed if seed is not None else ''}"
    return int(hashlib.sha256(text.encode()).hexdigest()[:12], 16)


# ----------------------------------------------------------------------------- candidates


def _profile(value: object) -> FloatArray:
    if isinstance(value, str):
        value = json.loads(value)
    arr = np.asarray(value, dtype=float).ravel()
    if arr.size != 168 or not np.isfinite(arr).all() or arr.sum() <= 0:
        return np.full(168, 1 / 168)
    return np.asarray(arr / arr.sum())


def _hours_profile(days: tuple[int, ...] | list[int], hours: tuple[int, int]) -> FloatArray:
    prof = np.zeros(168)
    for d in days:
        prof[d * 24 + hours[0] : d * 24 + hours[1]] = 1.0
    return prof / prof.sum() if prof.sum() > 0 else np.full(168, 1 / 168)


def _weighted_profile(profiles: list[FloatArray], weights: FloatArray) -> FloatArray:
    if not profiles or weights.sum() <= 0:
        return np.full(168, 1 / 168)
    stack = np.vstack(profiles)
    out = (stack * weights[:, None]).sum(axis=0)
    return np.asarray(out / out.sum())


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
        Kommun-marked spots (:func:`geo.spots.read_spots`); open ones become candidates.
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
    profiles = [_profile(p) for p in fc["how_profile"]] if len(fc) else []
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
        prof = _weighted_profile(
            [profiles[i] for i in np.flatnonzero(inside)], risks[inside].sum(axis=1)
        )
        themes = _themes_of(place)
        prior_days, prior_hours = opts.kind_hours.get(kind, (opts.allowed_days, opts.allowed_hours))
        prior = _hours_profile(list(prior_days), prior_hours)
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
            prof = _weighted_profile([profiles[i] for i in np.flatnonzero(near)], risks[near, 1])
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

        open_spots = spots[spots["status"].astype(str).isin(OPEN_SPOT_STATUSES)]
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
            prof = _spot_profile(days, [str(b) for b in _list(spot.get("time_bands"))])
            r = np.zeros(4)
            r[1] = max(float(risks[near, 1].sum()) if near.any() else 0.0, opts.spot_risk_week)
            category = str(spot.get("category") or "ovrigt")
            label = str(spot.get("category_label") or category)
            since = spot.get("since")
            created = pd.Timestamp(spot.get("created_at"))
            note = f"Markerad av kommunen {created:%Y-%m-%d}: {label.lower()}"
            if since is not None and not (isinstance(since, float) and np.isnan(since)):
                note += f", sedan {since}"
            when = spot_when(days, [str(b) for b in _list(spot.get("time_bands"))])
            note += f"; {when}" if when else ""
            note += f" (status: {spot.get('status')})."
            rows.append(
                {
                    "candidate_id": f"markering:{spot['spot_id']}",
                    "name": "",
                    "kind": "markerad plats",
                    "place_id": None,
                    "risk": r,
                    "how_profile": prof,
                    "source_note": note,
                    "activity": (
                        "nykterhetskontroll"
                        if category in opts.sobriety_categories
                        else "hastighetskontroll"
                    ),
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


def _spot_profile(days: list[int], bands: list[str]) -> FloatArray:
    from geo.spots import TIME_BANDS  # spots sits beside patrol; only its vocabulary is used

    hours = [(TIME_BANDS[b].start_hour, TIME_BANDS[b].end_hour) for b in bands if b in TIME_BANDS]
    prof = np.zeros(168)
    for d in days:
        for start, end in hours or [(0, 24)]:
            prof[d * 24 + start : d * 24 + end] = 1.0
    return np.asarray(prof / prof.sum(), dtype=float)


# ----------------------------------------------------------------------------- value


@dataclass(frozen=True)
class Windows:
    """The trip windows of a week: day, start hour and length."""

    day: npt.NDArray[np.int64]
    start_hour: npt.NDArray[np.int64]
    length_h: int

    @property
    def how(self) -> npt.NDArray[np.int64]:
        """Hour of the week each window starts."""
        return np.asarray(self.day * 24 + self.start_hour, dtype=np.int64)


def trip_windows(options: PlanSettings) -> Windows:
    """Return every window a trip can be made in (hourly starts inside the allowed hours).

    Parameters
    ----------
    options
        Plan settings (budget, allowed days and hours).

    Returns
    -------
    Windows
        Windows of ``ceil(budget / 60)`` hours (at most the allowed span).

    Raises
    ------
    DataError
        If the allowed hours are shorter than one stop.
    """
    start, end = options.allowed_hours
    length = min(math.ceil(options.budget_min / 60), end - start)
    if (end - start) * 60 < options.dwell_min:
        msg = f"Allowed hours {options.allowed_hours!r} leave no time for a stop; widen them."
        raise DataError(msg)
    days, starts = [], []
    for d in sorted(options.allowed_days):
        for h in range(start, end - length + 1):
            days.append(d)
            starts.append(h)
    return Windows(np.array(days, dtype=np.int64), np.array(starts, dtype=np.int64), length)


def stop_values(
    candidates: gpd.GeoDataFrame,
    windows: Windows,
    *,
    options: PlanSettings,
    avoid: set[tuple[str, int]] | None = None,
) -> FloatArray:
    """Return the value of a stop at each candidate in each window.

    Parameters
    ----------
    candidates
        :func:`plan_candidates`.
    windows
        :func:`trip_windows`.
    options
        Plan settings (theme priorities, dwell, last week's factor).
    avoid
        ``(candidate_id, hour of week)`` pairs of last week's plan; a window covering that
        hour at that candidate keeps ``options.last_week_factor`` of its value.

    Returns
    -------
    numpy.ndarray
        ``(n candidates, n windows)``: priority-weighted expected events during one stop,
        i.e. ``sum_t priority_t * risk_t`` × the share of the week's risk in the window's
        hours × ``dwell / window length``.
    """
    n = len(candidates)
    prio = np.array([options.theme_priority.get(t, 0.5) for t in THEMES])
    risk = candidates[[f"risk_{t}" for t in THEMES]].to_numpy(dtype=float)
    rate = risk @ prio
    prof = np.vstack([_profile(p) for p in candidates["how_profile"]]) if n else np.zeros((0, 168))
    cum = np.concatenate([np.zeros((n, 1)), np.cumsum(prof, axis=1)], axis=1)
    how = windows.how
    share = cum[:, how + windows.length_h] - cum[:, how]
    values = rate[:, None] * share * options.dwell_min / (windows.length_h * 60.0)
    if avoid:
        ids = list(candidates["candidate_id"])
        for cid, hour in avoid:
            if cid in ids:
                covered = (how <= hour) & (hour < how + windows.length_h)
                values[ids.index(cid), covered] *= options.last_week_factor
    return np.asarray(np.maximum(values, 0.0))


# ----------------------------------------------------------------------------- the plan


@dataclass
class Plan:
    """A week's plan.

    Attributes
    ----------
    week
        ISO week.
    budget_min, total_min
        The budget and the minutes planned (driving included).
    stops
        Columns :data:`STOP_COLUMNS`, Point geometry (EPSG:3006), in visiting order.
    routes
        One LineString per trip along the roads (``trip``, ``drive_min``), EPSG:3006.
    meta
        ``method``, ``value``, ``best_value``, ``data_period``, ``generated_at``,
        ``schematic``, ``network_note``, ``entry``, ``n_candidates``.
    """

    week: str
    budget_min: float
    total_min: float
    stops: gpd.GeoDataFrame
    routes: gpd.GeoDataFrame
    meta: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        """Return the plan as the ``geo plan --json`` object."""
        return {
            "week": self.week,
            "budget_min": _num(self.budget_min),
            "total_min": _num(self.total_min),
            "stops": [
                {
                    "order": int(s["order"]),
                    "place": str(s["place"]),
                    "place_id": None if pd.isna(s["place_id"]) else str(s["place_id"]),
                    "lon": round(float(s["lon"]), 6),
                    "lat": round(float(s["lat"]), 6),
                    "start": pd.Timestamp(s["start"]).isoformat(),
                    "dwell_min": _num(s["dwell_min"]),
                    "theme": str(s["theme"]),
                    "activity": str(s["activity"]),
                    "reason": str(s["reason"]),
                }
                for _, s in self.stops.iterrows()
            ],
        }


def _num(value: float) -> int | float:
    v = float(value)
    return round(v) if abs(v - round(v)) < 1e-6 else round(v, 1)


def _perturbed(values: FloatArray, rng: np.random.Generator, sigma: float = 0.3) -> FloatArray:
    return np.asarray(values * np.exp(rng.normal(0.0, sigma, size=values.shape)))


def choose_solution(
    inst: patrol_solver.Instance,
    *,
    seed: int,
    near_optimal: float = 0.95,
    method: str = "auto",
    tries: int = 3,
) -> tuple[patrol_solver.Solution, float]:
    """Solve, then pick a near-optimal plan at random (seeded) so patrols are not predictable.

    Parameters
    ----------
    inst
        The instance.
    seed
        Seed (from the ISO week).
    near_optimal
        A plan solved on randomly perturbed values is used when it is worth at least this
        share of the best plan's value (on the true values).
    method
        Solver method, see :func:`geo.patrol_solver.solve`.
    tries
        Perturbed solves tried before falling back to the best plan.

    Returns
    -------
    tuple
        The chosen solution (its ``value`` on the true values) and the best value found.
    """
    best = patrol_solver.solve(inst, method=method)
    rng = np.random.default_rng(seed)
    for _ in range(tries):
        noisy = replace(inst, values=_perturbed(inst.values, rng))
        sol = patrol_solver.solve(noisy, method=method)
        true_value = patrol_solver.plan_value(inst, sol.trips)
        if true_value >= near_optimal * best.value - 1e-12 and sol.trips:
            return replace(sol, value=true_value), best.value
    return best, best.value


def make_plan(
    incidents: gpd.GeoDataFrame,
    *,
    week: str,
    places: gpd.GeoDataFrame,
    G: nx.MultiDiGraph,
    forecast: gpd.GeoDataFrame,
    control_points: gpd.GeoDataFrame | None = None,
    spots: gpd.GeoDataFrame | None = None,
    previous: pd.DataFrame | None = None,
    options: PlanSettings | None = None,
    seed: int | None = None,
    method: str = "auto",
    generated_at: pd.Timestamp | None = None,
) -> Plan:
    """Plan a week's patrol: candidates, values, solve, times, routes and reasons.

    Parameters
    ----------
    incidents
        Incidents (for the reasons; EPSG:3006, ``occurred_at`` tz-aware).
    week
        ISO week, ``YYYY-Www``.
    places
        :func:`geo.sites.load_places`.
    G
        Road graph (travel times, routes).
    forecast
        :func:`geo.forecast.forecast_week` for ``week``.
    control_points, spots
        See :func:`plan_candidates`.
    previous
        Last week's stops (``candidate_id``, ``start``) to avoid repeating place and hour.
    options
        Plan settings; default :func:`load_priorities`.
    seed
        Extra seed; the ISO week always seeds the choice.
    method
        Solver method (``auto``, ``milp``, ``heuristic``).
    generated_at
        Generation time shown on the outputs (default now).

    Returns
    -------
    Plan
        The plan.

    Raises
    ------
    InfeasiblePatrolError
        If the budget cannot reach any candidate (e.g. a 5-minute budget).
    DataError
        If there is no candidate at all.
    """
    from geo import network

    opts = (options or load_priorities()).validated()
    monday = week_monday(week)
    candidates = plan_candidates(
        forecast, week=week, places=places, G=G, control_points=control_points, spots=spots,
        options=opts,
    )  # fmt: skip
    if candidates.empty:
        msg = f"No candidate stops for {week}: no places, forecast or spots. Run `geo run` first."
        raise DataError(msg)
    windows = trip_windows(opts)
    avoid: set[tuple[str, int]] = set()
    if previous is not None and len(previous):
        for cid, start in zip(previous["candidate_id"], previous["start"], strict=True):
            t = pd.Timestamp(start).tz_convert(settings.timezone)
            avoid.add((str(cid), int(t.day_of_week * 24 + t.hour)))
    values = stop_values(candidates, windows, options=opts, avoid=avoid)
    entry = _entry_point(G, opts)
    pts = gpd.GeoSeries([entry, *candidates.geometry], crs=settings.working_crs)
    travel_min = network.travel_time_matrix(G, pts) / 60.0
    inst = patrol_solver.Instance(
        values=values,
        travel_min=travel_min,
        window_day=windows.day,
        window_len_min=float(windows.length_h * 60),
        dwell_min=opts.dwell_min,
        budget_min=opts.budget_min,
        max_trips=opts.max_trips,
        repeat_factor=opts.repeat_factor,
    )
    rng_seed = week_seed(week, seed)
    solution, best_value = choose_solution(
        inst, seed=rng_seed, near_optimal=opts.near_optimal, method=method
    )
    if not solution.trips:
        msg = (
            f"No stop in {week} has any value (empty forecast and no places in season); "
            "import incidents or mark spots, then plan again."
        )
        raise DataError(msg)
    rng = np.random.default_rng(rng_seed)
    stop_rows: list[dict[str, Any]] = []
    route_rows: list[dict[str, Any]] = []
    trips = sorted(solution.trips, key=lambda t: int(windows.how[t.window]))
    dwell = _fill_budget(trips, values, solution.total_min, opts)
    order = 0
    total_min = 0.0
    for k, trip in enumerate(trips, start=1):
        length = patrol_solver.trip_minutes(inst, trip.stops)
        length += sum(dwell[k - 1]) - opts.dwell_min * len(trip.stops)
        total_min += length
        slack = int(windows.length_h * 60 - math.ceil(length))
        offset = int(rng.integers(0, slack // 5 + 1)) * 5 if slack > 0 else 0
        t = monday + pd.Timedelta(hours=int(windows.how[trip.window]), minutes=offset)
        prev = 0
        path_pts = [entry]
        for s, stay in zip(trip.stops, dwell[k - 1], strict=True):
            drive = float(travel_min[prev, s + 1])
            t = t + pd.Timedelta(minutes=drive)
            start = _local(t.ceil("min"))
            end = start + pd.Timedelta(minutes=stay)
            cand = candidates.iloc[s]
            order += 1
            stop_rows.append(
                {
                    "order": order,
                    "trip": k,
                    "candidate_id": cand["candidate_id"],
                    "place": cand["name"],
                    "place_id": cand["place_id"],
                    "kind": cand["kind"],
                    "theme": cand["theme"],
                    "activity": cand["activity"],
                    "start": start,
                    "end": end,
                    "dwell_min": stay,
                    "drive_min_before": round(drive, 1),
                    "value": float(values[s, trip.window]),
                    "reason": explain_stop(cand, incidents, week=week, places=places)
                    + " "
                    + explain_time(cand["how_profile"], int(windows.how[trip.window]), windows),
                    "geometry": cand.geometry,
                }
            )
            path_pts.append(cand.geometry)
            t = end
            prev = s + 1
        path_pts.append(entry)
        lines = [network.route(G, a, b) for a, b in itertools.pairwise(path_pts)]
        coords: list[tuple[float, float]] = []
        for line in lines:
            coords.extend((float(c[0]), float(c[1])) for c in line.coords)
        route_rows.append(
            {"trip": k, "drive_min": round(length - sum(dwell[k - 1]), 1),
             "geometry": shapely.LineString(coords)}
        )  # fmt: skip
    stops = gpd.GeoDataFrame(stop_rows, geometry="geometry", crs=settings.working_crs)
    lonlat = stops.to_crs(settings.display_crs).geometry
    stops["lon"], stops["lat"] = lonlat.x.round(6), lonlat.y.round(6)
    stops = stops[[*STOP_COLUMNS, "geometry"]]
    routes = gpd.GeoDataFrame(route_rows, geometry="geometry", crs=settings.working_crs)
    times = pd.to_datetime(incidents["occurred_at"]) if len(incidents) else pd.Series([])
    before = times[times < monday] if len(times) else times
    meta = {
        "method": solution.method,
        "value": solution.value,
        "best_value": best_value,
        "data_period": (
            f"{before.min():%Y-%m-%d} – {before.max():%Y-%m-%d}" if len(before) else "inga data"
        ),
        "generated_at": (generated_at or pd.Timestamp.now(tz=settings.timezone)).isoformat(),
        "schematic": bool(G.graph.get("schematic", False)),
        "network_note": network.SCHEMATIC_NOTE if G.graph.get("schematic") else "",
        "entry": opts.entry_name,
        "n_candidates": len(candidates),
    }
    logger.info(
        "plan %s: %d stops in %d trips, %.0f of %.0f min (%s)", week, len(stops), len(trips),
        total_min, opts.budget_min, solution.method,
    )  # fmt: skip
    return Plan(week, opts.budget_min, total_min, stops, routes, meta)


def _share_text(share: float) -> str:
    return f"{share * 100:.0f} %"


def _window_text(how: int, length_h: int) -> str:
    day, hour = divmod(how, 24)
    return f"{DAY_ABBR[day % 7]} {hour:02d}–{(hour + length_h) % 24 or 24:02d}"


def explain_time(profile: object, how: int, windows: Windows) -> str:
    """Say in Swedish why a stop is at its trip's time, from the place's weekly forecast profile.

    A stop's reason counts the busiest hours of the last year ("flest lör 14–17"); the trip's
    time is chosen for all its stops within the allowed days and hours. This sentence says
    how much of the place's forecast for the week falls in the trip's window, and, when
    another allowed window holds clearly more, which.

    Parameters
    ----------
    profile
        The candidate's 168-hour forecast profile (Monday 00:00 first).
    how
        Hour of the week the trip's window starts.
    windows
        The week's allowed trip windows.

    Returns
    -------
    str
        E.g. "Tid: 14 % av platsens prognos för veckan faller fre 20–22, turens tid (mest lör
        14–16: 21 %; tiden väljs för alla turens stopp)."
    """
    prof = _profile(profile)
    hours = np.arange(windows.length_h)
    shares = np.array([prof[(h + hours) % 168].sum() for h in windows.how])
    here = float(prof[(how + hours) % 168].sum())
    text = (
        f"Tid: {_share_text(here)} av platsens prognos för veckan faller "
        f"{_window_text(how, windows.length_h)}, turens tid"
    )
    best = int(np.argmax(shares)) if len(shares) else -1
    if best >= 0 and shares[best] > 1.2 * here and int(windows.how[best]) != how:
        text += (
            f" (mest {_window_text(int(windows.how[best]), windows.length_h)}: "
            f"{_share_text(float(shares[best]))}; tiden väljs för alla turens stopp)"
        )
    return text + "."


def _fill_budget(
    trips: list[patrol_solver.Trip],
    values: FloatArray,
    planned_min: float,
    opts: PlanSettings,
) -> list[list[float]]:
    """Return each stop's minutes, the budget's spare minutes spread over the stops.

    The solver fits whole stops of ``dwell_min`` with their drives in the budget; what it
    leaves is less than one more stop and its drive (107 of 120 minutes on the default data).
    The löfte promises *at least* two hours, so those minutes, rounded up to whole minutes, go
    to the stops, the most valuable first, evenly, and no stop more than doubles. The plan
    then lasts the budget and less than a minute more; its stops stay in their trip windows.

    Parameters
    ----------
    trips
        The solution's trips, in the order they are written.
    values
        Value per candidate and window (:func:`stop_values`).
    planned_min
        Minutes of the solution (driving and ``dwell_min`` per stop).
    opts
        Plan settings (``budget_min``, ``dwell_min``).

    Returns
    -------
    list of list of float
        Minutes at each stop, per trip.
    """
    stops = [(float(values[s, trip.window]), k, j)
             for k, trip in enumerate(trips) for j, s in enumerate(trip.stops)]  # fmt: skip
    dwell = [[opts.dwell_min] * len(trip.stops) for trip in trips]
    # whole minutes, rounded up: the promise is *at least* the budget (120.4 of 120, not 119.6)
    spare = max(0, math.ceil(opts.budget_min - planned_min - 1e-6))
    if not stops or not spare:
        return dwell
    share, rest = divmod(spare, len(stops))
    for rank, (_value, k, j) in enumerate(sorted(stops, key=lambda v: -v[0])):
        dwell[k][j] += min(share + (rank < rest), opts.dwell_min)
    return dwell


def _local(t: pd.Timestamp) -> pd.Timestamp:
    return t.tz_convert(settings.timezone)


def _entry_point(G: nx.MultiDiGraph, opts: PlanSettings) -> shapely.Point:
    for node, name in G.nodes(data="name"):
        if name == opts.entry_name:
            return shapely.Point(G.nodes[node]["x"], G.nodes[node]["y"])
    lon, lat = opts.entry_lonlat
    x, y = Transformer.from_crs(4326, settings.working_crs, always_xy=True).transform(lon, lat)
    logger.info("no node named %r; entry point at %.5f, %.5f", opts.entry_name, lon, lat)
    return shapely.Point(x, y)


# ----------------------------------------------------------------------------- reasons


def _peak(times: pd.Series) -> str | None:
    """Return the busiest 3-hour band of the week, e.g. ``"fre 21–24"``."""
    if len(times) < 3:
        return None
    local = pd.to_datetime(times).dt.tz_convert(settings.timezone)
    how = (local.dt.day_of_week * 24 + local.dt.hour).to_numpy()
    counts = np.bincount(how, minlength=168).astype(float)
    window = counts + np.roll(counts, -1) + np.roll(counts, -2)
    best = int(np.argmax(window))
    day, hour = divmod(best, 24)
    end = (hour + 3) % 24 or 24
    days = local.dt.day_of_week.value_counts()
    top_days = [DAY_ABBR[int(d)] for d in days.index[:2] if days[d] >= 0.25 * len(local)]
    text = f"{DAY_ABBR[day]} {hour:02d}–{end:02d}"
    if len(top_days) == 2 and DAY_ABBR[day] in top_days:
        text += f" (mest {top_days[0]} och {top_days[1]})"
    return text


def _vs_last_year(times: pd.Series, end: pd.Timestamp) -> str:
    """Say how the 90 days before ``end`` compare with the same 90 days a year earlier."""
    recent = int(((times >= end - pd.Timedelta(days=90)) & (times < end)).sum())
    ly_end = end - pd.DateOffset(years=1)
    last_year = int(((times >= ly_end - pd.Timedelta(days=90)) & (times < ly_end)).sum())
    if recent + last_year < 5:
        return "för få händelser för att jämföra med i fjol"
    diff = recent - last_year
    if (last_year and abs(diff) / last_year < 0.2) or diff == 0:
        word = "ungefär lika många som"
    else:
        word = "fler än" if diff > 0 else "färre än"
    return f"{word} samma 90 dagar i fjol ({recent} mot {last_year})"


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


def _source_group(source: str) -> str:
    if source.startswith("polis"):
        return "polisen"
    if source.startswith("kommun"):
        return "kommunen"
    return SOURCES.get(source, source).lower()


def explain_stop(
    candidate: pd.Series,
    incidents: gpd.GeoDataFrame,
    *,
    week: str,
    places: gpd.GeoDataFrame,
    lookback_days: int = 365,
) -> str:
    """Explain in Swedish why a stop is in the plan, from the data and the löfte theme.

    Parameters
    ----------
    candidate
        A row of :func:`plan_candidates`.
    incidents
        Incidents (EPSG:3006); those in the candidate's ``area`` in the ``lookback_days``
        before the week, located within 1000 m (or tied to its place), are counted.
    week
        The plan's ISO week.
    places
        Places (bathing-site incidents count for theme B).
    lookback_days
        Days of history the reason speaks about.

    Returns
    -------
    str
        Counts, period, categories, peak weekday/hours, trend, forecast, löfte theme and
        sources; no free text from incidents and no names.
    """
    end = week_monday(week)
    begin = end - pd.Timedelta(days=lookback_days)
    kind = str(candidate["kind"])
    parts: list[str] = []
    if len(incidents):
        t = pd.to_datetime(incidents["occurred_at"])
        precise = (
            pd.to_numeric(incidents["location_precision_m"], errors="coerce").fillna(0) <= 1000
        )
        in_area = incidents.geometry.within(candidate["area"]) & precise
        if str(candidate["kind"]) in ("kontrollpunkt", "markerad plats"):
            in_area &= incidents["theme"].astype(str) == "T"
        if candidate.get("place_id") and "place_id" in incidents.columns:
            in_area |= incidents["place_id"].astype(str) == str(candidate["place_id"])
        mask = in_area & (t >= begin) & (t < end)
        sub = incidents[mask]
        hist_mask = in_area & (t < end)
        before = t[t < end]
        # the data may end before the plan week (an import a week ago): say up to where
        last = min(end - pd.Timedelta(days=1), before.max()) if len(before) else end
        period = f"{begin:%Y-%m-%d} – {last:%Y-%m-%d}"
        if len(sub):
            cats = sub["category"].value_counts()
            cat_text = ", ".join(
                f"{n} {CATEGORIES[c].label.split(' (')[0].split('/')[0].lower()}"
                if c in CATEGORIES else f"{n} {c}"
                for c, n in cats.head(3).items()
            )  # fmt: skip
            noun = "händelse" if len(sub) == 1 else "händelser"
            scope = "inom 300 m: " if kind in ("kontrollpunkt", "markerad plats") else ""
            parts.append(f"{scope}{len(sub)} {noun} {period} ({cat_text})")
            peak = _peak(sub["occurred_at"])
            if peak and len(sub) >= 3:
                parts.append(f"flest {peak}")
            elif len(sub) < 3:
                parts.append("för få händelser för säkra slutsatser")
            parts.append(_vs_last_year(t[hist_mask], end))
            srcs = sub["source"].astype(str).map(_source_group).value_counts()
            src_text = ", ".join(f"{s} {n}" for s, n in srcs.items())
        else:
            parts.append(f"inga registrerade händelser {period}")
            src_text = ""
    else:
        parts.append("inga registrerade händelser")
        src_text = ""
    risk = float(candidate["risk_week"])
    _year, num = parse_week(week)
    risk_text = f"{risk:.1f}".replace(".", ",")
    parts.append(f"prognos vecka {num}: {risk_text} händelser")
    text = "; ".join(parts) + "."
    text = text[0].upper() + text[1:]
    if kind == "plats" and str(candidate.get("place_id")) in set(
        places.loc[places["kind"] == "badplats", "place_id"].astype(str)
    ):
        text += " Badplats under badsäsongen."
    note = str(candidate.get("source_note") or "")
    if kind == "kontrollpunkt" and note:
        text += f" Hela vägavsnittet: {note}"
    elif kind == "markerad plats" and note:
        text += f" {note}"
    theme = str(candidate["theme"])
    text += f" Löfte: {THEMES.get(theme, theme)}."
    sources = [src_text] if src_text else []
    if kind == "markerad plats":
        sources.append("markerad plats (kommunen)")
    if sources:
        text += " Källor: " + ", ".join(sources) + "."
    return text


# ----------------------------------------------------------------------------- store + outputs

_PLAN_TABLE = """
CREATE TABLE IF NOT EXISTS patrol_plan (
  week TEXT NOT NULL,
  stop_order INTEGER NOT NULL,
  candidate_id TEXT NOT NULL,
  place TEXT NOT NULL,
  start TEXT NOT NULL,
  dwell_min REAL NOT NULL,
  theme TEXT NOT NULL,
  activity TEXT NOT NULL,
  generated_at TEXT NOT NULL,
  PRIMARY KEY (week, stop_order));
"""


def save_plan(plan: Plan, path: Path | None = None) -> None:
    """Store a plan's stops in the store table ``patrol_plan`` (replacing that week's).

    Parameters
    ----------
    plan
        The plan.
    path
        The store; default :func:`geo.store.default_path`.
    """
    from geo import store

    with store.connect(path) as conn, conn:
        conn.executescript(_PLAN_TABLE)
        conn.execute("DELETE FROM patrol_plan WHERE week = ?", (plan.week,))
        conn.executemany(
            "INSERT INTO patrol_plan VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    plan.week,
                    int(s["order"]),
                    str(s["candidate_id"]),
                    str(s["place"]),
                    pd.Timestamp(s["start"]).isoformat(),
                    float(s["dwell_min"]),
                    str(s["theme"]),
                    str(s["activity"]),
                    str(plan.meta["generated_at"]),
                )
                for _, s in plan.stops.iterrows()
            ],
        )


def read_plan_stops(week: str, path: Path | None = None) -> pd.DataFrame:
    """Return a stored week's stops (``candidate_id``, ``place``, ``start`` …); empty if none.

    Parameters
    ----------
    week
        ISO week.
    path
        The store.

    Returns
    -------
    pandas.DataFrame
        Columns ``week, stop_order, candidate_id, place, start, dwell_min, theme, activity,
        generated_at``; ``start`` tz-aware.
    """
    from geo import store

    with store.connect(path) as conn:
        conn.executescript(_PLAN_TABLE)
        df = pd.read_sql_query(
            "SELECT * FROM patrol_plan WHERE week = ? ORDER BY stop_order", conn, params=[week]
        )
    df["start"] = pd.to_datetime(df["start"], utc=True, format="ISO8601").dt.tz_convert(
        settings.timezone
    )
    return df


@dataclass
class PlanInputs:
    """What a week's plan is made from, read from the store in one go.

    Reading is kept apart from planning so the main job can read in one process and plan
    in another while the first writes the analysis layers (see :mod:`geo.pipeline`).

    Attributes
    ----------
    week
        ISO week.
    incidents
        All stored incidents (EPSG:3006).
    places
        The named places.
    graph
        Road graph.
    spots
        Open kommun-marked spots (``None`` when they cannot be read).
    previous
        Last week's stored stops (:func:`read_plan_stops`).
    """

    week: str
    incidents: gpd.GeoDataFrame
    places: gpd.GeoDataFrame
    graph: nx.MultiDiGraph
    spots: gpd.GeoDataFrame | None
    previous: pd.DataFrame


def read_plan_inputs(
    week: str,
    *,
    store_path: Path | None = None,
    incidents: gpd.GeoDataFrame | None = None,
    G: nx.MultiDiGraph | None = None,
) -> PlanInputs:
    """Read everything :func:`plan_from_inputs` needs for ``week``.

    Parameters
    ----------
    week
        ISO week, ``YYYY-Www``.
    store_path
        The store; default :func:`geo.store.default_path`.
    incidents
        The stored incidents when the caller has read them already.
    G
        Road graph; default :func:`geo.network.load_graph`.

    Returns
    -------
    PlanInputs
        The inputs.
    """
    from geo import network, store
    from geo.sites import load_places

    parse_week(week)
    spots: gpd.GeoDataFrame | None = None
    try:
        from geo.spots import read_spots

        spots = read_spots(store_path, status=list(OPEN_SPOT_STATUSES))
    except GeoError as e:
        logger.warning("no marked spots: %s", e)
    return PlanInputs(
        week=week,
        incidents=store.read_incidents(store_path) if incidents is None else incidents,
        places=load_places(),
        graph=G if G is not None else network.load_graph(),
        spots=spots,
        previous=read_plan_stops(shift_week(week, -1), store_path),
    )


def plan_from_inputs(
    inputs: PlanInputs,
    *,
    options: PlanSettings | None = None,
    seed: int | None = None,
    method: str = "auto",
) -> Plan:
    """Plan a week from inputs already read: forecast, road control points, then the solver.

    Parameters
    ----------
    inputs
        :func:`read_plan_inputs`.
    options
        Plan settings; default :func:`load_priorities`.
    seed
        Extra seed.
    method
        Solver method.

    Returns
    -------
    Plan
        The plan (not yet written; see :func:`write_plan_outputs`).
    """
    from geo import forecast as fc_mod
    from geo import roads
    from geo.sites import load_boundary

    opts = (options or load_priorities()).validated()
    week, incidents, graph = inputs.week, inputs.incidents, inputs.graph
    fc = fc_mod.forecast_week(
        incidents, week=week, method=opts.forecast_method, seed=week_seed(week, seed) % 2**31,
        area=load_boundary().buffer(settings.boundary_buffer_m),
    )  # fmt: skip
    cps: gpd.GeoDataFrame | None = None
    try:
        segments = roads.road_segments(graph, incidents, places=inputs.places)
        cps = roads.control_points(segments, graph, top=opts.max_control_points)
    except GeoError as e:
        logger.warning("no road control points: %s", e)
    return make_plan(
        incidents, week=week, places=inputs.places, G=graph, forecast=fc, control_points=cps,
        spots=inputs.spots, previous=inputs.previous, options=opts, seed=seed, method=method,
    )  # fmt: skip


def write_plan_outputs(
    plan: Plan,
    *,
    out_dir: Path,
    store_path: Path | None = None,
    pdf: bool = True,
) -> dict[str, Path]:
    """Write a plan's map, CSV, GeoJSON, .ics and A4 one-pager, and store its stops.

    Parameters
    ----------
    plan
        The plan.
    out_dir
        Folder of the outputs (``plan-<week>.html`` map, ``.csv``, ``.geojson``, ``.ics``,
        ``-a4.html``, ``.pdf``).
    store_path
        The store (the stops are saved so next week avoids their place and hour).
    pdf
        Also print the one-pager to PDF with Chromium.

    Returns
    -------
    dict of str to Path
        ``map``, ``csv``, ``geojson``, ``ics``, ``html``, ``pdf``.
    """
    from geo.report.plan import write_outputs  # outputs sit above patrol; imported lazily

    paths = write_outputs(plan, out_dir=out_dir, pdf=pdf)
    save_plan(plan, store_path)
    return paths


def next_week(*, store_path: Path | None = None, today: dt.date | None = None) -> str:
    """Return the ISO week to plan: the coming week, never one the data has already covered.

    A planner on a Friday plans the coming Monday's week; when the store holds data
    past today (a test set, a clock that is off), the week after its last full week.

    Parameters
    ----------
    store_path
        The store.
    today
        Today's date (default the system date).

    Returns
    -------
    str
        ``YYYY-Www``.
    """
    from geo import store

    day = today or dt.date.today()
    coming = week_label(day + dt.timedelta(days=7 - day.weekday()))
    with store.connect(store_path) as conn:
        last = conn.execute("SELECT max(occurred_at) FROM incidents").fetchone()[0]
    if last is None:
        return coming
    last_day = pd.Timestamp(last).tz_convert(settings.timezone).date()
    # the week after the last complete week in the data
    monday = last_day - dt.timedelta(days=last_day.weekday())
    if last_day.weekday() == 6:
        monday += dt.timedelta(weeks=1)
    return max(coming, week_label(monday))  # "YYYY-Www" sorts in time order
