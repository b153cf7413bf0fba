"""Traffic hotspots on roads: events per km per road segment, network density and control points."""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from typing import Any, Protocol

import geopandas as gpd
import networkx as nx
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
import shapely.ops
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from geo import network, settings
from geo.errors import CRSError
from geo.model import ACTIVITIES, CATEGORIES, CHECKS, VEHICLE_CHECK, has_clock_time, short_label
from geo.projection import require_projected
from geo.spots import for_police
from geo.weeks import DAY_ABBR
from geo.words import and_list

logger = logging.getLogger(__name__)

#: Columns of the ``road_segments`` layer (besides ``geometry``).
SEGMENT_COLUMNS: tuple[str, ...] = (
    "segment_id",
    "ref",
    "name",
    "highway",
    "maxspeed",
    "length_m",
    "n_events",
    "n_incidents",
    "n_spots",
    "n_speed",
    "n_vehicle",
    "n_sobriety",
    "check_counts",
    "events_per_km",
    "density_per_km",
    "how_profile",
    "peak",
    "few_events",
    "rank",
    "label",
)
#: Columns of the ``control_points`` layer (besides ``geometry``).
CONTROL_COLUMNS: tuple[str, ...] = (
    "segment_id",
    "rank",
    "label",
    "activity",
    "reason",
    "n_events",
    "peak",
    "straight",
)
#: The segment columns counting the events of each check, in the order a reason says them.
#: Which categories a check is for is the plan's (``data/prioriteringar.toml``
#: ``[aktiviteter]``, :class:`TrafficChecks`): until 2026-11-29 the roads kept lists of their
#: own, and a planner who moved a category in the file changed the plan's stops but not the
#: road control points.
CHECK_COLUMNS: tuple[tuple[str, str], ...] = (
    ("n_speed", CHECKS[1]),
    ("n_vehicle", VEHICLE_CHECK),
    ("n_sobriety", CHECKS[0]),
)
#: The checks in the order a tie between them is settled: speed, sobriety, vehicle.
_TIE_ORDER: tuple[str, ...] = ("n_speed", "n_sobriety", "n_vehicle")


class TrafficChecks(Protocol):
    """The plan's settings as the roads read them: which check a traffic category calls for.

    :class:`geo.patrol.PlanSettings` (``data/prioriteringar.toml``, ``[aktiviteter]``
    ``nykterhet``, ``fordonskontroll``, ``narvaro``) is one; the roads sit beside the plan
    and do not read its file, so the caller passes the settings the plan uses.
    """

    def traffic_activity(self, category: str) -> str:
        """Return the activity a traffic event of ``category`` calls for."""
        ...

    def activity_categories(self, activity: str) -> frozenset[str]:
        """Return the traffic categories whose events call for ``activity``."""
        ...


def check_categories(checks: TrafficChecks) -> dict[str, frozenset[str]]:
    """Return the traffic categories each segment column counts (:data:`CHECK_COLUMNS`).

    Parameters
    ----------
    checks
        The plan's settings (:class:`TrafficChecks`).

    Returns
    -------
    dict
        ``{"n_speed": {"hastighet", "vardslos_korning", …}, "n_vehicle": …, "n_sobriety": …}``.
    """
    return {col: checks.activity_categories(check) for col, check in CHECK_COLUMNS}


def checked_categories(checks: TrafficChecks) -> frozenset[str]:
    """Return the categories a check on the road answers.

    A marked spot counts on its road segment only with one of them: by the project's file
    not a trafikfarlig plats (it calls for presence at the place) nor "övrigt" (no traffic
    matter); counted, either made a control point of its segment, and the spot's page listed
    that check as planned for it.

    Parameters
    ----------
    checks
        The plan's settings (:class:`TrafficChecks`).

    Returns
    -------
    frozenset of str
        Category ids of theme ``T`` whose events call for a speed, vehicle or sobriety check.
    """
    return frozenset().union(*check_categories(checks).values())


def segment_kinds(checks: TrafficChecks) -> tuple[tuple[str, str], ...]:
    """Return the segment columns counting a check's events and what a reason calls them.

    Parameters
    ----------
    checks
        The plan's settings (:class:`TrafficChecks`).

    Returns
    -------
    tuple
        ``(column, label)`` pairs, e.g. ``("n_speed", "hastighet/vårdslös körning")``, the
        label the check's categories in :data:`geo.model.CATEGORIES` order; a check no
        category calls for is left out.
    """
    out = []
    for col, cats in check_categories(checks).items():
        named = [short_label(c) for c in CATEGORIES if c in cats]
        if named:
            out.append((col, "/".join(named)))
    return tuple(out)


def check_counts(counts: Mapping[str, Any], kinds_of: tuple[tuple[str, str], ...]) -> list[str]:
    """Say a segment's events of each check, each named by the categories it counts.

    Parameters
    ----------
    counts
        A segment's counts by column (a row of :func:`road_segments`).
    kinds_of
        :func:`segment_kinds` of the settings the counts were made with.

    Returns
    -------
    list of str
        E.g. ``["3 hastighet/vårdslös körning", "1 rattfylleri"]``; a check without events
        is left out.
    """
    return [f"{int(n)} {what}" for col, what in kinds_of if (n := counts[col])]


def unchecked_text(n: int, checks: TrafficChecks) -> str:
    """Say in Swedish a segment's traffic events that call for no check on the road, and why.

    Until 2026-11-29 a road whose events were accidents or reports of a trafikfarlig plats
    alone got a control point anyway, a sobriety or speed check by its speed limit; beside
    other events they went unnamed in a check's "varav".

    Parameters
    ----------
    n
        How many of the segment's events call for no check.
    checks
        The plan's settings (:class:`TrafficChecks`).

    Returns
    -------
    str
        E.g. ``"2 trafikfarlig plats/trafikolycka (de kallar på närvaro/synlighet, ingen
        kontroll)"``; empty for none.
    """
    if not n:
        return ""
    checked = checked_categories(checks)
    others = [c for c, cat in CATEGORIES.items() if cat.theme == "T" and c not in checked]
    calls = sorted({checks.traffic_activity(c) for c in others}, key=ACTIVITIES.index)
    what = "/".join(short_label(c) for c in others) or "andra kategorier"
    return f"{n} {what} (de kallar på {and_list(calls) or 'annat'}, ingen kontroll)"


#: Events and marked spots farther than this from every road count on no segment (metres).
SNAP_M = 50.0
#: Fewer events than this on a segment: say "för få händelser" rather than claim a hotspot.
MIN_EVENTS_FOR_CLAIM = 3
_HIGHWAY_SV = {
    "motorway": "motorväg",
    "trunk": "huvudväg",
    "primary": "huvudväg",
    "secondary": "länsväg",
    "tertiary": "lokalväg",
    "unclassified": "lokalväg",
    "residential": "gata",
    "living_street": "gångfartsområde",
    "service": "tillfartsväg",
}


def _first(value: object) -> object:
    if isinstance(value, list):
        return value[0] if value else None
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _text(value: object) -> str | None:
    value = _first(value)
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    text = str(value).strip()
    return text or None


def _road_label(ref: object, name: object, highway: object) -> str:
    ref_text, name_text = _text(ref), _text(name)
    if ref_text:
        text = ref_text.split(";")[0].strip()
        return text if text[:1].upper() == "E" else f"väg {text}"
    if name_text:
        return name_text
    return _HIGHWAY_SV.get(str(_text(highway)), "väg")


def _undirected_edges(G: nx.MultiDiGraph) -> gpd.GeoDataFrame:
    edges = network.graph_edges(G).reset_index()
    key = [tuple(sorted((int(u), int(v)))) for u, v in zip(edges["u"], edges["v"], strict=True)]
    edges["_pair"] = key
    edges["_wkb"] = shapely.to_wkb(shapely.normalize(edges.geometry.to_numpy()))
    edges = edges.drop_duplicates(subset=["_pair", "_wkb"]).drop(columns=["_wkb"])
    for col in ("ref", "name", "highway", "maxspeed"):
        edges[col] = [_first(v) for v in edges[col]] if col in edges else None
    return edges


def _segments_from_edges(
    edges: gpd.GeoDataFrame, *, min_segment_m: float, max_segment_m: float
) -> gpd.GeoDataFrame:
    rows: list[dict[str, Any]] = []
    group_cols = ["ref", "name", "highway"]
    keyed = edges.assign(**{c: edges[c].fillna("") for c in group_cols})
    for (ref, name, highway), group in keyed.groupby(group_cols, sort=True):
        merged = shapely.line_merge(shapely.MultiLineString(list(group.geometry)))
        chains = list(merged.geoms) if hasattr(merged, "geoms") else [merged]
        maxspeed = next((m for m in group["maxspeed"] if m), None)
        for chain in sorted(chains, key=lambda c: (c.coords[0], c.length)):
            length = chain.length
            n_max = max(1, math.floor(length / min_segment_m))
            n = min(n_max, max(1, math.ceil(length / max_segment_m)))
            for i in range(n):
                piece = shapely.ops.substring(chain, i * length / n, (i + 1) * length / n)
                rows.append(
                    {
                        "ref": _text(ref),
                        "name": _text(name),
                        "highway": _text(highway),
                        "maxspeed": None if maxspeed is None else str(maxspeed),
                        "length_m": float(piece.length),
                        "geometry": piece,
                    }
                )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=edges.crs)


def spot_points(geoms: npt.ArrayLike) -> npt.NDArray[np.object_]:
    """Return the point each marked spot counts at on the roads.

    A point is itself, a marked stretch its middle along the line, anything else a point on
    its surface.

    Parameters
    ----------
    geoms
        Shapely geometries (EPSG:3006).

    Returns
    -------
    numpy.ndarray
        Shapely points, one per geometry.
    """
    pts = np.asarray(geoms, dtype=object).copy()
    is_line = np.isin(shapely.get_type_id(pts), [1, 5])
    is_line &= ~shapely.is_empty(pts)
    pts[is_line] = shapely.line_interpolate_point(pts[is_line], 0.5, normalized=True)
    other = shapely.get_type_id(pts) != 0
    pts[other] = shapely.point_on_surface(pts[other])
    return pts


def segment_of_spot(
    segments: gpd.GeoDataFrame, geometry: shapely.Geometry, *, tolerance_m: float = SNAP_M
) -> str | None:
    """Return the ``segment_id`` of the road segment a marked spot counts on, if any.

    Parameters
    ----------
    segments
        The ``road_segments`` layer (:func:`road_segments`, EPSG:3006).
    geometry
        The spot (point or stretch, EPSG:3006).
    tolerance_m
        A spot farther than this from every segment counts on none, as in
        :func:`road_segments`.

    Returns
    -------
    str or None
        The nearest segment's id, or ``None``.
    """
    if segments.empty:
        return None
    point = spot_points(np.array([geometry], dtype=object))[0]
    distance = segments.distance(point)
    nearest = distance.idxmin()
    return str(segments.at[nearest, "segment_id"]) if distance[nearest] <= tolerance_m else None


def _traffic_events(
    incidents: gpd.GeoDataFrame,
    spots: gpd.GeoDataFrame | None,
    *,
    checked: frozenset[str],
    max_precision_m: float | None,
) -> gpd.GeoDataFrame:
    traffic = incidents[incidents["theme"] == "T"]
    if max_precision_m is not None and "location_precision_m" in traffic:
        precision = pd.to_numeric(traffic["location_precision_m"], errors="coerce")
        vague = precision > max_precision_m
        if vague.any():
            logger.info("%d traffic incidents located too vaguely for a road", int(vague.sum()))
        traffic = traffic[~vague]
    parts = [
        gpd.GeoDataFrame(
            {
                "kind": "incident",
                "category": traffic["category"].to_numpy(),
                "occurred_at": traffic["occurred_at"].to_numpy(),
                "time_precision": traffic["time_precision"].to_numpy()
                if "time_precision" in traffic
                else "exact",
            },
            geometry=traffic.geometry.to_numpy(),
            crs=incidents.crs,
        )
    ]
    if spots is not None and len(spots):
        require_projected(spots)
        open_spots = for_police(spots)
        if "category" in open_spots:
            open_spots = open_spots[open_spots["category"].astype(str).isin(checked)]
        pts = spot_points(open_spots.geometry.to_numpy())
        parts.append(
            gpd.GeoDataFrame(
                {
                    "kind": "spot",
                    "category": open_spots["category"].to_numpy()
                    if "category" in open_spots
                    else None,
                    "occurred_at": pd.NaT,
                    "time_precision": None,
                },
                geometry=pts,
                crs=incidents.crs,
            )
        )
    return pd.concat(parts, ignore_index=True)


def _network_density(
    G: nx.MultiDiGraph,
    events: pd.DataFrame,
    mids: pd.DataFrame,
    *,
    bandwidth_m: float,
) -> npt.NDArray[np.float64]:
    """Gaussian kernel density along the network (events per km) at each segment midpoint."""
    density = np.zeros(len(mids))
    ev = events.dropna(subset=["u"])
    md = mids.dropna(subset=["u"])
    if ev.empty or md.empty:
        return density
    index, matrix = network.graph_matrix(G, weight="length")
    sym: csr_matrix = matrix.maximum(matrix.T)  # undirected lengths
    edge_len = {(int(u), int(v)): float(d) for u, v, d in G.edges(data="length")}

    def ends(
        frame: pd.DataFrame,
    ) -> tuple[
        npt.NDArray[np.int64],
        npt.NDArray[np.int64],
        npt.NDArray[np.float64],
        npt.NDArray[np.float64],
    ]:
        u = np.array([index[int(x)] for x in frame["u"]], dtype=np.int64)
        v = np.array([index[int(x)] for x in frame["v"]], dtype=np.int64)
        length = np.array(
            [edge_len[(int(a), int(b))] for a, b in zip(frame["u"], frame["v"], strict=True)]
        )
        off = np.clip(frame["offset_m"].to_numpy(dtype=float), 0, length)
        return u, v, off, length - off

    eu, ev_, eoff_u, eoff_v = ends(ev)
    mu, mv, moff_u, moff_v = ends(md)
    sources = np.unique(np.concatenate([eu, ev_]))
    dist = dijkstra(sym, directed=False, indices=sources, limit=4 * bandwidth_m)
    row = {int(s): i for i, s in enumerate(sources)}
    eu_r = np.array([row[int(x)] for x in eu])
    ev_r = np.array([row[int(x)] for x in ev_])
    best = np.full((len(ev), len(md)), np.inf)
    for e_rows, e_off in ((eu_r, eoff_u), (ev_r, eoff_v)):
        for m_cols, m_off in ((mu, moff_u), (mv, moff_v)):
            cand = e_off[:, None] + dist[np.ix_(e_rows, m_cols)] + m_off[None, :]
            np.minimum(best, cand, out=best)
    same_edge_fwd = (eu[:, None] == mu[None, :]) & (ev_[:, None] == mv[None, :])
    same_edge_rev = (eu[:, None] == mv[None, :]) & (ev_[:, None] == mu[None, :])
    direct_fwd = np.abs(eoff_u[:, None] - moff_u[None, :])
    direct_rev = np.abs(eoff_u[:, None] - moff_v[None, :])
    best = np.where(same_edge_fwd, np.minimum(best, direct_fwd), best)
    best = np.where(same_edge_rev, np.minimum(best, direct_rev), best)
    kernel = np.exp(-0.5 * (best / bandwidth_m) ** 2) / (bandwidth_m * math.sqrt(2 * math.pi))
    density[np.flatnonzero(mids["u"].notna().to_numpy())] = kernel.sum(axis=0) * 1000.0
    return density


def _peak_text(profile: list[int], *, window_h: int = 3) -> str | None:
    counts = np.asarray(profile)
    if counts.sum() < MIN_EVENTS_FOR_CLAIM:
        return None
    sums = np.array([counts[(np.arange(window_h) + s) % 168].sum() for s in range(168)])
    start = int(np.argmax(sums))
    day, hour = divmod(start, 24)
    end = hour + window_h
    return (
        f"{DAY_ABBR[day]} {hour:02d}–{end:02d}"
        if end <= 24
        else f"{DAY_ABBR[day]} {hour:02d}–{end - 24:02d}"
    )


def _place_labels(
    segments: gpd.GeoDataFrame, places: gpd.GeoDataFrame, *, near_m: float
) -> list[str]:
    centres = places.geometry.centroid.to_numpy()
    names = places["name"].astype(str).to_numpy()
    labels: list[str] = []
    mids = shapely.line_interpolate_point(segments.geometry.to_numpy(), 0.5, normalized=True)
    for mid, row in zip(mids, segments.itertuples(index=False), strict=True):
        road = _road_label(row.ref, row.name, row.highway)
        if len(names) == 0:
            labels.append(road)
            continue
        d = shapely.distance(mid, centres)
        order = np.argsort(d, kind="stable")
        if d[order[0]] <= near_m or len(order) == 1:
            labels.append(f"{road} vid {names[order[0]]}")
        else:
            labels.append(f"{road} mellan {names[order[0]]} och {names[order[1]]}")
    # segments of one road by one place are told apart by where they are from it ("väg 204
    # 0,6 km norr om Fjugesta centrum"): "(del 2)" alone, with no "del 1" in the plan, told a
    # planner nothing
    counts = pd.Series(labels).value_counts()
    for i, (mid, label) in enumerate(zip(mids, labels, strict=True)):
        if counts[label] > 1 and " vid " in label:
            road, place = label.split(" vid ", 1)
            centre = centres[int(np.flatnonzero(names == place)[0])]
            km = f"{shapely.distance(mid, centre) / 1000:.1f}".replace(".", ",")
            labels[i] = f"{road} {km} km {_side_of(mid, centre)} om {place}"
    counts = pd.Series(labels).value_counts()
    seen: dict[str, int] = {}
    out = []
    for label in labels:
        if counts[label] > 1:
            seen[label] = seen.get(label, 0) + 1
            out.append(f"{label} (del {seen[label]})")
        else:
            out.append(label)
    return out


#: The eight sides of a place, clockwise from north, as "… om <place>" reads them.
_SIDES = ("norr", "nordost", "öster", "sydost", "söder", "sydväst", "väster", "nordväst")


def _side_of(point: shapely.Point, centre: shapely.Point) -> str:
    """Return which side of ``centre`` the point lies on: ``"norr"`` … ``"nordväst"``."""
    bearing = np.degrees(np.arctan2(point.x - centre.x, point.y - centre.y)) % 360
    return _SIDES[int((bearing + 22.5) // 45) % 8]


def road_segments(
    G: nx.MultiDiGraph,
    incidents: gpd.GeoDataFrame,
    *,
    checks: TrafficChecks,
    spots: gpd.GeoDataFrame | None = None,
    tolerance_m: float = SNAP_M,
    min_segment_m: float = 200,
    max_segment_m: float = 1000,
    bandwidth_m: float = 500,
    places: gpd.GeoDataFrame | None = None,
    near_place_m: float = 1500,
    max_precision_m: float | None = 250,
) -> gpd.GeoDataFrame:
    """Count traffic events per road segment and rank the segments.

    Parameters
    ----------
    G
        Projected road graph (:func:`geo.network.load_graph`).
    incidents
        Incidents (columns of :data:`geo.model.INCIDENT_COLUMNS`, EPSG:3006); only theme ``T``
        counts.
    checks
        The plan's settings (:class:`TrafficChecks`, :func:`geo.patrol.load_priorities`):
        which categories ``n_speed``, ``n_vehicle`` and ``n_sobriety`` count, and which marked
        spots count at all.
    spots
        Optional kommun-marked traffic spots (points or lines, EPSG:3006, columns ``spot_id``,
        ``category``, ``status``); only open ones of a category a check answers count
        (:func:`geo.spots.for_police`, :func:`checked_categories`: a parking spot is the
        kommun's, a trafikfarlig plats and "övrigt" call for no check).
    tolerance_m
        Events farther than this from every road are not counted.
    min_segment_m, max_segment_m
        Roads are merged into chains (same ``ref``/``name``/``highway``) and cut into equal
        segments at least ``min_segment_m`` (unless the whole chain is shorter) and at most
        ``max_segment_m`` long where the minimum allows.
    bandwidth_m
        Bandwidth of the Gaussian kernel of the network density.
    places
        Places for the labels; default :func:`geo.sites.load_places`.
    near_place_m
        A segment whose midpoint is this close to a place is "vid" it, else "mellan" the two
        nearest places.
    max_precision_m
        Incidents whose ``location_precision_m`` is larger (e.g. police events placed at the
        kommun centroid) are not put on a road; ``None`` keeps all.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per segment, EPSG:3006 LineStrings, columns :data:`SEGMENT_COLUMNS`:
        ``check_counts`` = ``n_speed``, ``n_vehicle`` and ``n_sobriety`` in Swedish, each
        named by the categories ``checks`` gave it (:func:`check_counts`, e.g. "3
        hastighet/vårdslös körning, 1 rattfylleri"; empty when none), so the map names the
        counts as they were counted; ``events_per_km`` = ``n_events`` / km;
        ``density_per_km`` = kernel density of events along the network at the segment's
        midpoint (events per km); ``how_profile`` = 168
        counts of incidents with an hour-precise time, Monday 00:00 = 0 (spots carry no time);
        ``peak`` = the busiest 3-hour window in Swedish (None with too few events);
        ``few_events`` = fewer than :data:`MIN_EVENTS_FOR_CLAIM` events; ``rank`` = 1 for the
        segment with the most events per km among those with at least
        :data:`MIN_EVENTS_FOR_CLAIM` events (those with fewer follow, also by events per km, so
        one event on a short stub is not ranked first); ties: more events, higher density,
        then shorter; ``label`` a Swedish name like "väg 204 vid Hidinge". The rows are
        returned in rank order.

    Raises
    ------
    CRSError
        If the incidents, spots or graph are not in a projected CRS.

    Notes
    -----
    The density is a simple network kernel density: distances are shortest paths along the
    undirected network (events and midpoints placed on their edges), and kernel mass is not
    split at junctions (Xie & Yan 2008, "Kernel density estimation of traffic accidents in a
    network space").
    """
    require_projected(incidents)
    if not gpd.GeoSeries([], crs=G.graph.get("crs")).crs.is_projected:
        msg = f"The road graph is in {G.graph.get('crs')!r}; load it with geo.network.load_graph()."
        raise CRSError(msg)
    if places is None:
        from geo.sites import load_places

        places = load_places()
    edges = _undirected_edges(G)
    segments = _segments_from_edges(edges, min_segment_m=min_segment_m, max_segment_m=max_segment_m)
    checked = checked_categories(checks)
    events = _traffic_events(incidents, spots, checked=checked, max_precision_m=max_precision_m)
    snapped = network.snap_to_edges(G, events.geometry, tolerance_m=tolerance_m)
    ok = snapped["snapped"].notna().to_numpy()
    seg_tree = shapely.STRtree(segments.geometry.to_numpy())
    seg_of = np.full(len(events), -1)
    if ok.any():
        seg_of[ok] = seg_tree.query_nearest(
            np.asarray(snapped["snapped"].to_numpy()[ok]), all_matches=False
        )[1]
    events = events.assign(segment=seg_of)
    counted = events[events["segment"] >= 0]
    n_seg = len(segments)

    def count(mask: pd.Series | npt.NDArray[np.bool_]) -> npt.NDArray[np.int64]:
        return np.bincount(counted["segment"][mask].to_numpy(dtype=np.int64), minlength=n_seg)

    segments["n_incidents"] = count(counted["kind"] == "incident")
    segments["n_spots"] = count(counted["kind"] == "spot")
    segments["n_events"] = segments["n_incidents"] + segments["n_spots"]
    for col, cats in check_categories(checks).items():
        segments[col] = count(counted["category"].isin(cats))
    # the counts named as they were counted: the map read the names from the priorities file
    # when it was drawn, and a file edited since put a count under another check's name
    kinds_of = segment_kinds(checks)
    segments["check_counts"] = [
        ", ".join(check_counts(rec, kinds_of))
        for rec in segments[[col for col, _ in CHECK_COLUMNS]].to_dict("records")
    ]
    segments["events_per_km"] = segments["n_events"] / (segments["length_m"] / 1000.0)
    timed = counted[(counted["kind"] == "incident").to_numpy() & has_clock_time(counted)]
    profiles = np.zeros((n_seg, 168), dtype=np.int64)
    if len(timed):
        ts = pd.DatetimeIndex(timed["occurred_at"]).tz_convert(settings.timezone)
        how = (ts.day_of_week * 24 + ts.hour).to_numpy()
        np.add.at(profiles, (timed["segment"].to_numpy(dtype=np.int64), how), 1)
    segments["how_profile"] = [p.tolist() for p in profiles]
    segments["peak"] = [_peak_text(p) for p in segments["how_profile"]]
    mids = gpd.GeoSeries(
        shapely.line_interpolate_point(segments.geometry.to_numpy(), 0.5, normalized=True),
        crs=segments.crs,
    )
    mid_snap = network.snap_to_edges(G, mids, tolerance_m=1.0)
    event_snap = snapped[ok]
    segments["density_per_km"] = _network_density(G, event_snap, mid_snap, bandwidth_m=bandwidth_m)
    segments["few_events"] = segments["n_events"] < MIN_EVENTS_FOR_CLAIM
    # rank: enough events first, then events per km, more events, denser, shorter
    order = segments.assign(
        _neg_rate=-segments["events_per_km"],
        _neg_n=-segments["n_events"],
        _neg_d=-segments["density_per_km"],
    ).sort_values(["few_events", "_neg_rate", "_neg_n", "_neg_d", "length_m"], kind="stable")
    segments.loc[order.index, "rank"] = np.arange(1, n_seg + 1)
    segments["rank"] = segments["rank"].astype(int)
    segments["segment_id"] = [f"seg{i:05d}" for i in range(n_seg)]
    segments["label"] = _place_labels(segments, places, near_m=near_place_m)
    logger.info(
        "%d road segments; %d of %d traffic events within %.0f m of a road",
        n_seg,
        len(counted),
        len(events),
        tolerance_m,
    )
    return segments[[*SEGMENT_COLUMNS, "geometry"]].sort_values("rank").reset_index(drop=True)


def _junctions(G: nx.MultiDiGraph) -> npt.NDArray[Any]:
    U = nx.Graph(G.to_undirected(as_view=True))
    nodes = [n for n, deg in U.degree() if deg >= 3]
    return np.asarray(
        shapely.points([G.nodes[n]["x"] for n in nodes], [G.nodes[n]["y"] for n in nodes]),
        dtype=object,
    )


def _control_spot(
    line: shapely.LineString,
    junctions: npt.NDArray[Any],
    *,
    half_window_m: float,
    junction_m: float,
) -> tuple[shapely.Point, bool]:
    length = line.length
    if length < 2 * half_window_m:
        return line.interpolate(0.5, normalized=True), False
    pos = np.arange(half_window_m, length - half_window_m + 1e-9, 25.0)
    a = shapely.line_interpolate_point(line, pos - half_window_m)
    b = shapely.line_interpolate_point(line, pos + half_window_m)
    straightness = shapely.distance(a, b) / (2 * half_window_m)
    pts = shapely.line_interpolate_point(line, pos)
    far = (
        np.ones(len(pos), dtype=bool)
        if len(junctions) == 0
        else shapely.distance(pts[:, None], junctions[None, :]).min(axis=1) >= junction_m
    )
    good = (straightness >= 0.99) & far
    if not good.any():
        return line.interpolate(0.5, normalized=True), False
    best = np.flatnonzero(good)[np.argmin(np.abs(pos[good] - length / 2))]
    return pts[best], True


def _events_text(n_incidents: int, n_spots: int, period: str | None) -> str:
    """Say a segment's events in Swedish, the kommun's open marked spots apart from them.

    A marked spot counts as one event on its segment, but it is a place the kommun reported,
    not a dated event: "12 trafikhändelser 2025-12-01 – 2026-11-30 och 2 platser som
    kommunen markerat" (a control point beside a marked spot did not say it was the kommun's).
    """
    noun = "trafikhändelse" if n_incidents == 1 else "trafikhändelser"
    text = f"{n_incidents} {noun}" + (f" {period}" if period and n_incidents else "")
    if not n_spots:
        return text
    spots = (
        "1 plats som kommunen markerat"
        if n_spots == 1
        else f"{n_spots} platser som kommunen markerat"
    )
    return f"{text} och {spots}" if n_incidents else spots


def control_points(
    segments: gpd.GeoDataFrame,
    G: nx.MultiDiGraph,
    *,
    checks: TrafficChecks,
    top: int = 10,
    half_window_m: float = 150,
    junction_m: float = 100,
    period: str | None = None,
) -> gpd.GeoDataFrame:
    """Suggest where to hold sobriety, vehicle or speed checks on the best-ranked road segments.

    Parameters
    ----------
    segments
        Output of :func:`road_segments`.
    G
        The road graph (junctions are avoided; a schematic graph is named in the reason).
    checks
        The plan's settings the segments were counted with (:func:`road_segments`): the
        reason names each check's categories as they do.
    top
        How many segments (those with events a check answers, best rank first) get a
        control point. A segment whose events call for no check (by the project's file a
        trafikfarlig plats, which calls for presence at the place, or accidents, no evidence
        of speeding) gets none, as a marked spot of those categories counts on no segment.
    half_window_m
        A spot is "straight" when the road ``half_window_m`` either side of it is straight
        (chord / length ≥ 0.99), so drivers see the control in time.
    junction_m
        A straight spot keeps at least this distance from junctions.
    period
        The period the segments' events were counted over, named in the reason
        ("50 trafikhändelser 2025-11-30 – 2026-11-22 på 1,0 km"); a plan counts the same
        months as its stops' other reasons (:func:`geo.patrol.stored.plan_from_inputs`).

    Returns
    -------
    geopandas.GeoDataFrame
        Columns :data:`CONTROL_COLUMNS`, Point geometry (EPSG:3006): ``activity`` is the
        check most of the segment's events call for (``n_speed``, ``n_sobriety``,
        ``n_vehicle``, as ``checks`` say; on a tie in that order); ``reason`` says why in
        Swedish, the events that call for no check apart (:func:`unchecked_text`);
        ``straight`` tells whether a straight stretch was found (else the midpoint).
    """
    n_checked = sum(segments[col] for col, _ in CHECK_COLUMNS)
    unchecked = segments[(segments["n_events"] > 0) & (n_checked == 0)]
    if len(unchecked):
        logger.info(
            "%d road segments with events none a check answers: no control point", len(unchecked)
        )
    chosen = segments[n_checked > 0].sort_values("rank").head(top)
    kinds_of = segment_kinds(checks)
    junctions = _junctions(G)
    schematic = bool(G.graph.get("schematic", False))
    rows: list[dict[str, Any]] = []
    for seg in chosen.itertuples(index=False):
        point, straight = _control_spot(
            seg.geometry, junctions, half_window_m=half_window_m, junction_m=junction_m
        )
        # the check most of its events call for; on a tie speed, then sobriety
        counted = [(getattr(seg, col), dict(CHECK_COLUMNS)[col]) for col in _TIE_ORDER]
        most = max(n for n, _ in counted)
        activity = next(a for n, a in counted if n == most)
        # two decimals under 10 km: "14 på 1,0 km (14,4 per km)" did not add up; 0,97 does
        length_km = seg.length_m / 1000
        km = f"{length_km:.{2 if length_km < 10 else 1}f}".replace(".", ",")
        per_km = f"{seg.events_per_km:.1f}".replace(".", ",")
        parts = [
            f"{_events_text(seg.n_incidents, seg.n_spots, period)} på {km} km ({per_km} per km)"
        ]
        kinds = check_counts(seg._asdict(), kinds_of)
        other = unchecked_text(int(seg.n_events) - sum(n for n, _ in counted), checks)
        kinds += [other] if other else []
        if kinds:
            parts.append("varav " + and_list(kinds))
        peak = _text(seg.peak)
        if peak:
            # "på sträckan": in a plan's reason it follows the 300 m circle's own busiest
            # hours, and two bare "flest händelser" read as a contradiction (a planner's review)
            parts.append(f"flest händelser på sträckan {peak}")
        if seg.few_events:
            parts.append("för få händelser för säkra slutsatser")
        where = (
            f"rak sträcka utan korsning inom {junction_m:.0f} m"
            if straight
            else "segmentets mittpunkt (ingen rak sträcka hittades; välj säker plats på plats)"
        )
        reason = "; ".join(parts) + f". Plats: {where}."
        if schematic:
            reason += f" Obs: {network.SCHEMATIC_LABEL}, kontrollera platsen."
        rows.append(
            {
                "segment_id": seg.segment_id,
                "rank": int(seg.rank),
                "label": seg.label,
                "activity": activity,
                "reason": reason,
                "n_events": int(seg.n_events),
                "peak": peak,
                "straight": straight,
                "geometry": point,
            }
        )
    if not rows:
        return gpd.GeoDataFrame({c: [] for c in CONTROL_COLUMNS}, geometry=[], crs=segments.crs)
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=segments.crs)[
        [*CONTROL_COLUMNS, "geometry"]
    ]
