"""Named places (``data/platser``) and the kommun boundary: load, validate, geocode, associate."""

from __future__ import annotations

import json
import logging
import re
import warnings
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyogrio.errors import DataSourceError

from geo import settings
from geo.errors import SiteError
from geo.model import THEMES, normalize_text

logger = logging.getLogger(__name__)

#: Columns of the places GeoDataFrame (besides ``geometry``).
PLACE_COLUMNS: tuple[str, ...] = (
    "place_id",
    "name",
    "kind",
    "themes",
    "season_months",
    "aliases",
    "source",
    "precision_m",
    "radius_m",
    "drawing",
    "population",
    "lofte",
)
_LIST_COLUMNS = ("themes", "season_months", "aliases")
_REQUIRED = ("place_id", "name", "kind", "themes", "source", "precision_m")
#: The kinds of place the maps, the plan and the report know (``data/platser/README.md``).
PLACE_KINDS: tuple[str, ...] = ("badplats", "centrum", "ort")


def places_path() -> Path:
    """Return the default places file, ``<data_dir>/platser/platser.geojson``."""
    return settings.data_dir / "platser" / "platser.geojson"


def boundary_path() -> Path:
    """Return the default kommun boundary file, ``<data_dir>/kommun/lekeberg_1814.geojson``."""
    return settings.data_dir / "kommun" / "lekeberg_1814.geojson"


def _read(path: Path, what: str) -> gpd.GeoDataFrame:
    try:
        with warnings.catch_warnings():
            # a property typed by the other features and text in one (precision_m "ca 50") is
            # read as text; validate_places names the place and the fix, pyogrio's warning not
            warnings.filterwarnings("ignore", "Could not parse column", UserWarning)
            gdf = gpd.read_file(path)
    except (DataSourceError, OSError) as e:
        msg = f"Cannot read the {what} file {str(path)!r}: {e}. Check that it is valid GeoJSON."
        raise SiteError(msg) from e
    if gdf.crs is None:
        msg = f"The {what} file {str(path)!r} has no CRS; GeoJSON must be WGS84 (EPSG:4326)."
        raise SiteError(msg)
    return gdf.to_crs(settings.working_crs)


def load_boundary(path: Path | None = None) -> shapely.Polygon | shapely.MultiPolygon:
    """Load the kommun boundary as one (multi)polygon in the working CRS.

    Parameters
    ----------
    path
        A GeoJSON/GeoPackage with the boundary; default :func:`boundary_path`.

    Returns
    -------
    shapely.Polygon or shapely.MultiPolygon
        The boundary in the working CRS (EPSG:3006 metres).

    Raises
    ------
    SiteError
        If the file cannot be read or holds no polygon.
    """
    return _load_boundary_cached(path or boundary_path())


@lru_cache(maxsize=8)
def _load_boundary_cached(path: Path) -> shapely.Polygon | shapely.MultiPolygon:
    gdf = _read(path, "kommun boundary")
    geom = gdf.geometry.union_all()
    if not isinstance(geom, shapely.Polygon | shapely.MultiPolygon) or geom.is_empty:
        msg = (
            f"The kommun boundary file {str(path)!r} holds no polygon; it needs one (Multi)Polygon."
        )
        raise SiteError(msg)
    return geom


def inside_kommun(
    geometry: gpd.GeoSeries, *, buffer_m: float | None = None, boundary_file: Path | None = None
) -> pd.Series:
    """Tell which geometries lie inside the kommun boundary, buffered because it is coarse.

    Parameters
    ----------
    geometry
        Geometries in the working CRS.
    buffer_m
        Tolerance outside the boundary; default ``settings.boundary_buffer_m``.
    boundary_file
        Boundary file; default :func:`boundary_path`.

    Returns
    -------
    pandas.Series
        Booleans aligned with ``geometry``.
    """
    buf = settings.boundary_buffer_m if buffer_m is None else buffer_m
    area = load_boundary(boundary_file).buffer(buf)
    shapely.prepare(area)
    return pd.Series(shapely.intersects(area, geometry.to_numpy()), index=geometry.index)


def _as_list(value: object) -> list[object]:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return []
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            parsed = json.loads(text)
            return list(parsed) if isinstance(parsed, list) else [parsed]
        return [v.strip() for v in re.split(r"[;,]", text) if v.strip()]
    if isinstance(value, np.ndarray):
        return list(value.tolist())
    if isinstance(value, list | tuple):
        return list(value)
    return list(value) if hasattr(value, "__iter__") else [value]


def load_places(path: Path | None = None, *, validate: bool = True) -> gpd.GeoDataFrame:
    """Load the named places.

    Parameters
    ----------
    path
        Places file (GeoJSON FeatureCollection); default :func:`places_path`.
    validate
        Check the places (see :func:`validate_places`) and raise on the first problem.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per place, columns :data:`PLACE_COLUMNS` and ``geometry`` (Polygon,
        EPSG:3006); ``themes``, ``season_months`` and ``aliases`` hold lists, ``population``
        a tätort's inhabitants (missing elsewhere), ``lofte`` whether the medborgarlöfte
        names the place (``False`` where not given).

    Raises
    ------
    SiteError
        If the file is unreadable or, with ``validate``, a place is invalid.
    """
    path = path or places_path()
    gdf = _read(path, "places")
    for col in PLACE_COLUMNS:
        if col not in gdf.columns:
            gdf[col] = None
    for col in _LIST_COLUMNS:
        gdf[col] = [_as_list(v) for v in gdf[col]]
    gdf["season_months"] = [[int(m) for m in months] for months in gdf["season_months"]]
    gdf["lofte"] = [False if _missing(v) else v for v in gdf["lofte"]]
    gdf = gdf[[*PLACE_COLUMNS, "geometry"]].reset_index(drop=True)
    if validate:
        problems = validate_places(gdf)
        if problems:
            msg = f"{str(path)!r}: " + "; ".join(problems)
            raise SiteError(msg)
    logger.info("%d places from %s", len(gdf), path)
    return gdf


def validate_places(places: gpd.GeoDataFrame, *, boundary_file: Path | None = None) -> list[str]:
    """Return every problem found in the places, as sentences naming the place and the fix.

    Checks: required fields present, unique ids, a known kind (:data:`PLACE_KINDS`),
    known themes (B on bathing sites only, :func:`bathing_sites`), months 1–12, a
    precision in metres (a number ≥ 0), a population that is a whole number ≥ 0 where
    given, ``lofte`` true or false, valid non-empty geometry, and the place inside
    the kommun (boundary buffered by ``settings.boundary_buffer_m``).

    Parameters
    ----------
    places
        Places as returned by :func:`load_places` with ``validate=False``.
    boundary_file
        Boundary file; default :func:`boundary_path`.

    Returns
    -------
    list of str
        Empty when all places are valid.
    """
    problems: list[str] = []
    seen: set[str] = set()
    inside = inside_kommun(places.geometry, boundary_file=boundary_file)
    for i, row in places.iterrows():
        label = f"place {i + 1} ({row['name']!r})"
        for field in _REQUIRED:
            value = row[field]
            if value is None or (isinstance(value, float) and pd.isna(value)) or value in ("", []):
                problems.append(f"{label} lacks {field!r}; add it to the feature's properties")
        pid = str(row["place_id"])
        if pid in seen:
            problems.append(f"{label} repeats place_id {pid!r}; give each place its own id")
        seen.add(pid)
        problems += _kind_and_precision_problems(label, row["kind"], row["precision_m"])
        problems += _population_and_lofte_problems(label, row["population"], row["lofte"])
        bad_themes = [t for t in row["themes"] if t not in THEMES]
        if bad_themes:
            problems.append(f"{label} has unknown themes {bad_themes!r}; use N, T, B or S")
        elif "B" in row["themes"] and row["kind"] != "badplats":
            problems.append(
                f"{label} has theme B but kind {row['kind']!r}; theme B is the bathing sites' "
                "theme: set kind 'badplats' or take B off"
            )
        bad_months = [m for m in row["season_months"] if not 1 <= m <= 12]
        if bad_months:
            problems.append(f"{label} has season months {bad_months!r}; use numbers 1–12")
        geom = row.geometry
        if geom is None or geom.is_empty or not geom.is_valid:
            problems.append(f"{label} has no valid geometry; draw a polygon around the place")
        elif not inside[i]:
            problems.append(
                f"{label} lies outside kommun {settings.kommunkod} ({settings.kommun_name}); "
                "remove it or fix its coordinates"
            )
    return problems


def _kind_and_precision_problems(label: str, kind: object, precision: object) -> list[str]:
    """Say what is wrong with a place's ``kind`` and ``precision_m`` (nothing when missing)."""
    problems: list[str] = []
    if kind not in (None, "") and kind not in PLACE_KINDS:
        problems.append(f"{label} has kind {kind!r}; use one of {', '.join(PLACE_KINDS)}")
    if precision in (None, "") or (isinstance(precision, float) and pd.isna(precision)):
        return problems
    try:
        metres = float(precision)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        metres = float("nan")
    if isinstance(precision, bool) or not metres >= 0 or metres == float("inf"):
        problems.append(
            f"{label} has precision_m {precision!r}; give how far the point may be off, "
            "in metres, as a number ≥ 0 (e.g. 50)"
        )
    return problems


def _missing(value: object) -> bool:
    """Tell whether a property is left out (absent, null or NaN as read)."""
    return value is None or (isinstance(value, float) and pd.isna(value))


def _population_and_lofte_problems(label: str, population: object, lofte: object) -> list[str]:
    """Say what is wrong with a place's ``population`` and ``lofte`` (nothing when missing)."""
    problems: list[str] = []
    number = isinstance(population, (int, float, np.number)) and not isinstance(
        population, (bool, np.bool_)
    )
    if not _missing(population) and not (
        number and float(population) >= 0 and float(population).is_integer()  # type: ignore[arg-type]
    ):
        problems.append(
            f"{label} has population {population!r}; give the tätort's inhabitants as a whole "
            "number ≥ 0 (e.g. 2422), or leave it out"
        )
    if not isinstance(lofte, (bool, np.bool_)):
        problems.append(f"{label} has lofte {lofte!r}; write true or false")
    return problems


def naming_order(places: gpd.GeoDataFrame) -> list[int]:
    """Rank the places for naming on a map where names compete for room, 0 first.

    The places the medborgarlöfte names come first (``lofte``), then the other localities
    (kind ``centrum`` or ``ort``) by their population, largest first and those without one
    last, then the remaining places (bathing sites); within each, localities before bathing
    sites, then larger before smaller, then the order of the places file. Fjugesta centrum,
    Lanna badgruva and Badplats Leken are thus named before Vintrosa, and the tätorter
    before the småorter.

    Parameters
    ----------
    places
        Places as returned by :func:`load_places` (a frame without ``lofte`` or
        ``population`` ranks by kind and order alone).

    Returns
    -------
    list of int
        Each place's rank, in the order of ``places``.
    """
    keys = [
        (
            _missing(p.get("lofte")) or not p.get("lofte"),
            p.get("kind") == "badplats",
            1.0 if _missing(p.get("population")) else -float(p["population"]),
            i,
        )
        for i, (_, p) in enumerate(places.iterrows())
    ]
    order = sorted(range(len(keys)), key=keys.__getitem__)
    ranks = [0] * len(keys)
    for rank, i in enumerate(order):
        ranks[i] = rank
    return ranks


@dataclass(frozen=True)
class PlaceMatch:
    """A place found by name.

    Attributes
    ----------
    place_id, name
        The place.
    point
        Its representative point (working CRS).
    precision_m
        How far the true spot may be from ``point``: the place's radius plus its source precision.
    """

    place_id: str
    name: str
    point: shapely.Point
    precision_m: float


class Gazetteer:
    """Look places up by name or alias, case- and diacritics-insensitively.

    Parameters
    ----------
    places
        Places as returned by :func:`load_places`.
    """

    def __init__(self, places: gpd.GeoDataFrame) -> None:
        self._by_name: dict[str, PlaceMatch] = {}
        for _, row in places.iterrows():
            radius = float(row["radius_m"]) if pd.notna(row["radius_m"]) else 0.0
            match = PlaceMatch(
                place_id=str(row["place_id"]),
                name=str(row["name"]),
                point=row.geometry.representative_point()
                if row.geometry.geom_type != "Polygon"
                else row.geometry.centroid,
                precision_m=radius + float(row["precision_m"]),
            )
            for key in (row["name"], row["place_id"], *row["aliases"]):
                self._by_name.setdefault(normalize_text(str(key)), match)
        keys = sorted(self._by_name, key=len, reverse=True)
        self._pattern = re.compile(
            r"(?<![\w-])(" + "|".join(re.escape(k) for k in keys) + r")(?![\w-])"
        )
        self._by_exact: dict[str, PlaceMatch] = {}
        for _, row in places.iterrows():
            for key in (row["name"], *row["aliases"]):
                self._by_exact.setdefault(str(key), self._by_name[normalize_text(str(key))])
        exact = sorted(self._by_exact, key=len, reverse=True)
        self._exact_pattern = re.compile(
            r"(?<![\w-])(" + "|".join(re.escape(k) for k in exact) + r")(?![\w-])"
        )

    def lookup(self, name: str) -> PlaceMatch | None:
        """Return the place with this name or alias, or ``None``."""
        return self._by_name.get(normalize_text(name))

    def find_in_text(self, text: str, *, case_sensitive: bool = False) -> PlaceMatch | None:
        """Return the first (longest-named) place mentioned in free text, or ``None``.

        Parameters
        ----------
        text
            Free text such as a description or a police event summary.
        case_sensitive
            Match names and aliases exactly as written in the places file (``"Gropen"``
            but not ``"gropen"``, a common Swedish word); otherwise match case- and
            diacritics-insensitively.

        Returns
        -------
        PlaceMatch or None
            The place mentioned first in the text.
        """
        found = self.find_all_in_text(text, case_sensitive=case_sensitive)
        return found[0] if found else None

    def find_all_in_text(self, text: str, *, case_sensitive: bool = False) -> list[PlaceMatch]:
        """Return every place mentioned in free text, in the order the text names them.

        Parameters
        ----------
        text
            Free text.
        case_sensitive
            As in :meth:`find_in_text`.

        Returns
        -------
        list of PlaceMatch
            Each place once, the first mention first (the longest name where names overlap).
        """
        if case_sensitive:
            hits = [self._by_exact[m.group(1)] for m in self._exact_pattern.finditer(text)]
        else:
            hits = [self._by_name[m.group(1)] for m in self._pattern.finditer(normalize_text(text))]
        first: dict[str, PlaceMatch] = {}
        for hit in hits:
            first.setdefault(hit.place_id, hit)
        return list(first.values())


def assign_places(points: gpd.GeoSeries, places: gpd.GeoDataFrame) -> pd.DataFrame:
    """Find the place each point lies in (the smallest place when several overlap).

    Parameters
    ----------
    points
        Points in the working CRS.
    places
        Places as returned by :func:`load_places`.

    Returns
    -------
    pandas.DataFrame
        Aligned with ``points``: ``place_id`` and ``place_name`` (``None`` outside all places).
    """
    out = pd.DataFrame({"place_id": None, "place_name": None}, index=points.index, dtype=object)
    if points.empty or places.empty:
        return out
    ordered = places.assign(_area=places.geometry.area).sort_values("_area", ascending=False)
    for _, row in ordered.iterrows():
        hit = points.within(row.geometry)
        out.loc[hit, "place_id"] = row["place_id"]
        out.loc[hit, "place_name"] = row["name"]
    return out


def bathing_sites(places: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return the bathing sites, theme B's places: those of kind ``badplats``.

    Every count for theme B, the bathing-site tables and the plan's reasons take the sites
    from here, so that they agree on which places they are.

    Parameters
    ----------
    places
        Places as returned by :func:`load_places`.

    Returns
    -------
    geopandas.GeoDataFrame
        The bathing-site rows of ``places``, in their order.
    """
    if places.empty or "kind" not in places.columns:
        return places.iloc[:0]
    return places[(places["kind"] == "badplats").to_numpy()]


def bathing_site_ids(places: gpd.GeoDataFrame | None) -> set[str]:
    """Return the ids of the bathing sites (:func:`bathing_sites`).

    Parameters
    ----------
    places
        Places as returned by :func:`load_places`, or ``None``.

    Returns
    -------
    set of str
        Place ids; empty without places.
    """
    if places is None:
        return set()
    return set(bathing_sites(places)["place_id"].astype(str))


def bathing_site_of(incidents: pd.DataFrame, places: gpd.GeoDataFrame | None) -> pd.Series:
    """Name the bathing site each incident is at: every count for theme B asks this.

    An incident is at a bathing site when its ``place_id`` names one or, in a
    GeoDataFrame, its point lies inside one (an incident stored before the place was
    drawn has no ``place_id``).

    Parameters
    ----------
    incidents
        Incidents, ``place_id`` and geometry (working CRS) each optional.
    places
        Places as returned by :func:`load_places`, or ``None``.

    Returns
    -------
    pandas.Series
        The bathing site's ``place_id``, aligned with ``incidents``; ``None`` elsewhere.
    """
    out = pd.Series(None, index=incidents.index, dtype=object)
    if incidents.empty or places is None or bathing_sites(places).empty:
        return out
    baths = bathing_sites(places)
    ids = set(baths["place_id"].astype(str))
    if "place_id" in incidents.columns:
        pid = incidents["place_id"]
        named = pid.notna() & pid.astype(str).isin(ids)
        out.loc[named] = pid[named].astype(str)
    geom_col = getattr(incidents, "_geometry_column_name", None)
    if isinstance(incidents, gpd.GeoDataFrame) and geom_col in incidents.columns:
        x0, y0, x1, y1 = baths.total_bounds
        geom = incidents.geometry
        rest = out.isna() & geom.notna() & ~geom.is_empty
        x = geom.x.where(rest)
        y = geom.y.where(rest)
        rest &= x.between(x0, x1) & y.between(y0, y1)  # a box first: a store is large
        if rest.any():
            out.loc[rest] = assign_places(geom[rest], baths)["place_id"]
    return out.astype(object).where(out.notna(), None)


def at_bathing_site(incidents: pd.DataFrame, places: gpd.GeoDataFrame | None) -> np.ndarray:
    """Tell which incidents are at a bathing site (:func:`bathing_site_of`).

    Parameters
    ----------
    incidents, places
        As for :func:`bathing_site_of`.

    Returns
    -------
    numpy.ndarray
        Booleans aligned with ``incidents``.
    """
    return np.asarray(bathing_site_of(incidents, places).notna().to_numpy(), dtype=bool)


def theme_mask(
    incidents: pd.DataFrame, theme: str, places: gpd.GeoDataFrame, *, shared: bool = False
) -> pd.Series:
    """Tell which incidents count for a löfte theme.

    B (badplatser) is a place theme: an incident at a bathing-site place counts for B as
    well as for its category's theme (design §3). In a shared output (``shared=True``) the
    themes part the incidents instead: one at a bathing site counts for B only. Were it
    counted twice, B less the other themes at the same place or cell would give a count that
    suppression hid (a narcotics event at Lanna badgruva as ``B 7`` beside ``S 6``).

    Parameters
    ----------
    incidents
        Incidents with ``theme`` and ``place_id`` columns.
    theme
        ``N``, ``T``, ``B`` or ``S``.
    places
        Places as returned by :func:`load_places`.
    shared
        Count each incident for one theme only (the report's and the shared map's rule).

    Returns
    -------
    pandas.Series
        Booleans aligned with ``incidents``.
    """
    at_bath = pd.Series(at_bathing_site(incidents, places), index=incidents.index)
    mask = incidents["theme"] == theme
    if theme == "B":
        return mask | at_bath
    return mask & ~at_bath if shared else mask


def nearest_place_names(points: gpd.GeoSeries, places: gpd.GeoDataFrame) -> list[str]:
    """Return the name of the named place nearest each point (``"–"`` without places).

    Parameters
    ----------
    points
        Points in the places' CRS (EPSG:3006).
    places
        Named places (``name``, geometry).

    Returns
    -------
    list of str
        One name per point, for a table's "nära" column.
    """
    if places.empty:
        return ["–"] * len(points)
    anchors = places.geometry.representative_point().to_numpy()
    names = places["name"].to_numpy()
    out = []
    for p in points.to_numpy():
        d = shapely.distance(anchors, p)
        out.append(str(names[int(np.argmin(d))]))
    return out
