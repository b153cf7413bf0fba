"""The embedded default data: a seeded, clearly labelled synthetic incident set for Lekeberg.

Every event has ``source = syntetisk`` and lies on a real place of ``data/platser`` or on a
real road line; the patterns follow the löfte's lägesbild (see ``docs/sample-data.md``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import settings
from geo.errors import DataError
from geo.network import graph_edges, load_graph, schematic_osm_path
from geo.sites import load_boundary, load_places

logger = logging.getLogger(__name__)

#: Columns of the sample CSV (Swedish headers, as a kommun export would have them).
SAMPLE_COLUMNS = (
    "id",
    "tidpunkt",
    "kategori",
    "plats",
    "latitud",
    "longitud",
    "beskrivning",
    "källa",
    "rapportör",
)

# Traffic stretches: (name, road ref, place the stretch is around, radius m, events). The lines
# come from the embedded schematic road network, so the events lie on the roads the tool snaps to.
_STRETCHES = (
    ("väg 204 genom Fjugesta", "204", "fjugesta_centrum", 1500.0, 120),
    ("väg 204 Hidinge–Lanna", "204", "hidinge", 3000.0, 100),
    ("E18 vid Lekhyttan", "E18", "leken", 3000.0, 90),
)
# Gathering spots for motorburen problematik, by year of the period (they move).
_GATHERING = (("fjugesta_centrum", "gropen"), ("vintrosa", "mullhyttan"))

_TEXTS = {
    "narkotika": "Misstänkt försäljning av narkotika vid busshållplatsen",
    "alkohol": "Berusade ungdomar, langning misstänks",
    "nedskrapning": "Mycket skräp och glas kvar efter helgen",
    "skadegorelse": "Skadegörelse på omklädningsrum och bänkar",
    "ordningsstorning": "Stökigt sällskap, hög musik sent",
    "hastighet": "Bilar kör mycket fort genom samhället",
    "vardslos_korning": "Omkörningar på farliga ställen",
    "rattfylleri": "Misstänkt påverkad förare",
    "motorburen": "EPA-traktorer och mopeder samlas och kör runt",
    "buller": "Varvning och hög musik från bilar",
    "inbrott": "Inbrott i förråd/garage",
    "stold": "Stöld av diesel och verktyg",
    "otrygg_plats": "Dålig belysning, upplevs otryggt",
    "trafikfarlig_plats": "Skymd sikt vid utfart",
}
_REPORTERS = (
    "Kommunen, fritid",
    "Kommunen, gata/park",
    "Polisen, LPO Örebro",
    "Bevakningsbolag",
    "Medborgare",
)


@dataclass(frozen=True)
class _Pattern:
    n: int
    categories: Sequence[tuple[str, float]]
    months: Sequence[float]  # weight per month 1..12
    weekdays: Sequence[float]  # weight Monday..Sunday
    hours: Sequence[float]  # weight per hour 0..23


def _weights(spec: dict[int, float], size: int, default: float = 0.0) -> list[float]:
    return [spec.get(i, default) for i in range(size)]


_ALL_MONTHS = [1.0] * 12
_EVENING = _weights({17: 0.5, 18: 1, 19: 2, 20: 3, 21: 4, 22: 4, 23: 3, 0: 2, 1: 1}, 24)
_WEEKEND = [0.3, 0.3, 0.3, 0.6, 3, 3, 0.8]
_SUMMER = _weights({4: 0.6, 5: 2, 6: 4, 7: 3, 8: 1.2}, 12)  # index 0 = January
_AFTERNOON = _weights(
    {12: 1, 13: 2, 14: 3, 15: 3, 16: 3, 17: 3, 18: 3, 19: 3, 20: 2.5, 21: 2, 22: 1.5, 23: 1}, 24
)


def default_end(today: date | None = None) -> date:
    """Return the Monday of the current ISO week: the sample ends with the full week before it."""
    today = today or date.today()
    return today - timedelta(days=today.weekday())


def _times(rng: np.random.Generator, p: _Pattern, start: date, end: date) -> pd.DatetimeIndex:
    days = pd.date_range(start, end - timedelta(days=1), freq="D")
    w = np.asarray(p.months)[days.month - 1] * np.asarray(p.weekdays)[days.day_of_week]
    if w.sum() <= 0:
        msg = "A sample pattern has no days with weight in the period."
        raise DataError(msg)
    day = rng.choice(len(days), size=p.n, p=w / w.sum())
    hours = np.asarray(p.hours, dtype=float)
    hour = rng.choice(24, size=p.n, p=hours / hours.sum())
    minute = rng.integers(0, 60, size=p.n)
    # Hours after midnight belong to the evening before (a Friday night ends on Saturday).
    night = np.where(hour < 5, 1, 0)
    naive = (
        days[day]
        + pd.to_timedelta(night * 24 + hour, unit="h")
        + pd.to_timedelta(minute, unit="min")
    )
    keep = naive < pd.Timestamp(end)
    return pd.DatetimeIndex(naive.where(keep, naive - pd.Timedelta(days=1)))


def _in_polygon(
    rng: np.random.Generator, poly: shapely.Polygon, n: int, *, sd_m: float | None = None
) -> np.ndarray:
    """Sample n points in a polygon: normal around its centroid (sd_m) or uniform."""
    out: list[shapely.Point] = []
    minx, miny, maxx, maxy = poly.bounds
    c = poly.centroid
    while len(out) < n:
        k = (n - len(out)) * 3
        if sd_m is None:
            xs, ys = rng.uniform(minx, maxx, k), rng.uniform(miny, maxy, k)
        else:
            xs, ys = rng.normal(c.x, sd_m, k), rng.normal(c.y, sd_m, k)
        pts = np.asarray(shapely.points(xs, ys), dtype=object)
        out.extend(pts[shapely.contains(poly, pts)][: n - len(out)])
    return np.asarray(out, dtype=object)


def _road_lines(
    edges: gpd.GeoDataFrame, ref: str, around: shapely.Point, radius_m: float
) -> shapely.Geometry:
    """Return the road ``ref`` of ``edges`` within ``radius_m`` of a point, as one geometry."""
    mask = edges["ref"].astype(str).str.contains(ref, regex=False, na=False)
    near = edges[mask].geometry.intersection(around.buffer(radius_m))
    return shapely.line_merge(shapely.union_all(near.to_numpy()))


def _on_road(rng: np.random.Generator, lines: shapely.Geometry, n: int) -> np.ndarray:
    parts = [p for p in shapely.get_parts(lines) if p.length > 0]
    lengths = np.asarray([p.length for p in parts])
    which = rng.choice(len(parts), size=n, p=lengths / lengths.sum())
    dist = rng.uniform(0, 1, n) * lengths[which]
    pts = shapely.line_interpolate_point(np.asarray(parts, dtype=object)[which], dist)
    off = rng.normal(0, 8, (n, 2))
    moved = shapely.points(shapely.get_x(pts) + off[:, 0], shapely.get_y(pts) + off[:, 1])
    return np.asarray(moved, dtype=object)


def make_sample(*, end: date | None = None, weeks: int = 104, seed: int = 1814) -> pd.DataFrame:
    """Generate the synthetic Lekeberg incident set.

    Parameters
    ----------
    end
        First day after the data (a Monday); default :func:`default_end` of today, so the
        set ends with the last full ISO week and ``geo run`` plans a real next week.
    weeks
        Length of the period in weeks (default two years).
    seed
        Random seed; the same seed and end give the same rows.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`SAMPLE_COLUMNS` (WGS84 latitud/longitud, ISO local times), about
        1,500 rows sorted by time; ``källa`` is always ``syntetisk``.

    Raises
    ------
    DataError
        If ``end`` is not a Monday.
    """
    end = end or default_end()
    if end.weekday() != 0:
        msg = (
            f"The sample must end on a Monday (the start of an ISO week), got {end.isoformat()!r}."
        )
        raise DataError(msg)
    start = end - timedelta(weeks=weeks)
    rng = np.random.default_rng(seed)
    places = load_places().set_index("place_id")
    boundary = load_boundary()
    frames: list[pd.DataFrame] = []

    def add(p: _Pattern, points: np.ndarray, place: str | Sequence[str]) -> None:
        cats = [c for c, _ in p.categories]
        w = np.asarray([w for _, w in p.categories])
        frames.append(
            pd.DataFrame(
                {
                    "at": _times(rng, p, start, end),
                    "kategori": rng.choice(cats, size=p.n, p=w / w.sum()),
                    "plats": place if isinstance(place, str) else list(place),
                    "geometry": points,
                }
            )
        )

    # Narcotics and alcohol in Fjugesta centrum, Friday-Saturday evenings.
    centrum = places.loc["fjugesta_centrum", "geometry"]
    p = _Pattern(
        300,
        [("narkotika", 0.45), ("alkohol", 0.4), ("ordningsstorning", 0.15)],
        _ALL_MONTHS,
        _WEEKEND,
        _EVENING,
    )
    add(p, _in_polygon(rng, centrum, p.n, sd_m=110), "Fjugesta centrum")
    # Littering and vandalism at the bathing sites on warm weekend afternoons and evenings.
    for pid, n in (("lanna_badgruva", 230), ("leken", 130)):
        p = _Pattern(
            n,
            [
                ("nedskrapning", 0.55),
                ("skadegorelse", 0.25),
                ("ordningsstorning", 0.1),
                ("alkohol", 0.1),
            ],
            _SUMMER,
            [0.4, 0.4, 0.4, 0.5, 1.5, 3, 2.5],
            _AFTERNOON,
        )
        add(p, _in_polygon(rng, places.loc[pid, "geometry"], n, sd_m=70), places.loc[pid, "name"])
    # Speeding and reckless driving on väg 204 and E18.
    commute = _weights(
        {6: 1, 7: 3, 8: 2, 15: 2, 16: 3, 17: 3, 18: 1.5, 21: 1, 22: 1.5, 23: 1.5, 0: 1, 1: 0.8},
        24,
        0.3,
    )
    roads = graph_edges(load_graph(path=schematic_osm_path()))
    for name, ref, around, radius_m, n in _STRETCHES:
        p = _Pattern(
            n,
            [("hastighet", 0.6), ("vardslos_korning", 0.3), ("rattfylleri", 0.1)],
            _ALL_MONTHS,
            [1, 1, 1, 1, 1.4, 1.3, 1],
            commute,
        )
        lines = _road_lines(roads, ref, places.loc[around, "geometry"].centroid, radius_m)
        add(p, _on_road(rng, shapely.intersection(lines, boundary.buffer(-50)), n), name)
    # Motorburen problematik and noise at gathering spots, spring–autumn evenings; spots move.
    motor_months = _weights({3: 1, 4: 2, 5: 3, 6: 3, 7: 3, 8: 3, 9: 2}, 12)
    half = start + timedelta(weeks=weeks // 2)
    for spots, (s, e) in zip(_GATHERING, ((start, half), (half, end)), strict=True):
        for pid in spots:
            p = _Pattern(
                50, [("motorburen", 0.6), ("buller", 0.4)], motor_months, _WEEKEND, _EVENING
            )
            geom = places.loc[pid, "geometry"]
            frames.append(
                pd.DataFrame(
                    {
                        "at": _times(rng, p, s, e),
                        "kategori": rng.choice(["motorburen", "buller"], size=p.n, p=[0.6, 0.4]),
                        "plats": places.loc[pid, "name"],
                        "geometry": _in_polygon(rng, geom, p.n, sd_m=60),
                    }
                )
            )
    # Burglaries and thefts scattered in the countryside, more in the dark months.
    dark = _weights({0: 2, 1: 1.6, 2: 1.2, 9: 1.4, 10: 2, 11: 2.2}, 12, 0.8)
    p = _Pattern(110, [("inbrott", 0.6), ("stold", 0.4)], dark, [1] * 7, [1] * 24)
    add(p, _in_polygon(rng, boundary.buffer(-300), p.n), "")
    # Background: anything, anywhere, any time.
    cats = [
        (c, 1.0)
        for c in (
            "otrygg_plats",
            "trafikfarlig_plats",
            "skadegorelse",
            "nedskrapning",
            "stold",
            "ordningsstorning",
            "buller",
            "hastighet",
        )
    ]
    p = _Pattern(210, cats, _ALL_MONTHS, [1] * 7, _weights({}, 24, 1.0))
    add(p, _in_polygon(rng, boundary.buffer(-300), p.n), "")

    df = (
        pd.concat(frames, ignore_index=True).sort_values("at", kind="stable").reset_index(drop=True)
    )
    pts = gpd.GeoSeries(df["geometry"], crs=settings.working_crs).to_crs(4326)
    local = df["at"].dt.tz_localize(settings.timezone, nonexistent="shift_forward", ambiguous=True)
    out = pd.DataFrame(
        {
            "id": [f"syn-{i:05d}" for i in range(len(df))],
            "tidpunkt": local.map(lambda t: t.isoformat()),
            "kategori": df["kategori"],
            "plats": df["plats"],
            "latitud": pts.y.round(6),
            "longitud": pts.x.round(6),
            "beskrivning": df["kategori"].map(_TEXTS).fillna("Observation"),
            "källa": "syntetisk",
            "rapportör": rng.choice(_REPORTERS, size=len(df)),
        }
    )
    logger.info("%d synthetic incidents %s – %s", len(out), start, end - timedelta(days=1))
    return out
