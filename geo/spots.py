"""Traffic spots marked by kommun staff: validation, storage with an audit trail, export.

Spots live in the store's GeoPackage: the feature table ``spots`` (Point or LineString,
EPSG:3006), the audit table ``spot_changes`` (one row per change: who, when, before/after)
and nothing is ever deleted. A spot is written with an idempotent "put by UUID": the same
UUID with the same content changes nothing, so a browser may retry until it is acknowledged.
Kommun EST observations from the same app go into the ``incidents`` table through
:func:`geo.store.write_import`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import re
import sqlite3
import threading
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from shapely.geometry import mapping, shape

from geo import _gpkg, settings, store
from geo.errors import DataError, GeoError
from geo.model import CATEGORIES, INCIDENT_COLUMNS, theme_of
from geo.projection import transformer
from geo.sites import Gazetteer, assign_places, inside_kommun, load_places
from geo.users import User
from geo.weeks import DAY_ABBR, DAY_NAMES

logger = logging.getLogger(__name__)

#: Spot categories (ids are :data:`geo.model.CATEGORIES` ids) → Swedish label in the form.
SPOT_CATEGORIES: dict[str, str] = {
    "hastighet": "Hastighet",
    "motorburen": "Motorburen trafik (buskörning/EPA/A-traktor/moped)",
    "buller": "Buller/hög musik/varvning",
    "vardslos_korning": "Olämplig körning/parkering",
    "trafikfarlig_plats": "Trafikfarlig utformning/sikt",
    "rattfylleri": "Misstänkt rattfylleri",
    "ovrigt": "Annat",
}

#: Status workflow: id → Swedish label.
STATUSES: dict[str, str] = {
    "ny": "Ny",
    "bedomd": "Bedömd",
    "atgard_planerad": "Åtgärd planerad",
    "atgardad": "Åtgärdad",
    "avvisad": "Avvisad",
}

#: Allowed status changes (a closed spot can be reopened as ``ny``).
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "ny": ("bedomd", "avvisad"),
    "bedomd": ("atgard_planerad", "atgardad", "avvisad"),
    "atgard_planerad": ("atgardad", "avvisad"),
    "atgardad": ("ny",),
    "avvisad": ("ny",),
}

#: Who owns the next step: id → Swedish label.
OWNERS: dict[str, str] = {"kommun": "Kommunen", "polis": "Polisen", "trafikverket": "Trafikverket"}

#: ISO weekday number → Swedish name.
WEEKDAYS: dict[int, str] = {i + 1: name for i, name in enumerate(DAY_NAMES)}


@dataclass(frozen=True)
class TimeBand:
    """A band of the day when a problem happens.

    Attributes
    ----------
    label
        Swedish label.
    start_hour, end_hour
        Local hours, ``start_hour <= h < end_hour``.
    """

    label: str
    start_hour: int
    end_hour: int


#: Time bands: id → band.
TIME_BANDS: dict[str, TimeBand] = {
    "natt": TimeBand("natt 00–06", 0, 6),
    "morgon": TimeBand("morgon 06–09", 6, 9),
    "dag": TimeBand("dag 09–15", 9, 15),
    "eftermiddag": TimeBand("eftermiddag 15–18", 15, 18),
    "kvall": TimeBand("kväll 18–22", 18, 22),
    "sen_kvall": TimeBand("sen kväll 22–24", 22, 24),
}


def when_text(days: Sequence[int], bands: Sequence[str]) -> str:
    """Return when a spot's problem happens, in Swedish: "fre, lör kväll 18–22".

    Parameters
    ----------
    days
        Weekdays, Monday = 0 (a spot stores ISO days, Monday = 1); all seven or none name
        no day.
    bands
        Keys of :data:`TIME_BANDS` (others are skipped).

    Returns
    -------
    str
        Days, then bands; empty when the spot names neither.
    """
    parts = []
    if 0 < len(set(days)) < 7:
        parts.append(", ".join(DAY_ABBR[d % 7] for d in sorted(set(days))))
    labels = [TIME_BANDS[b].label for b in bands if b in TIME_BANDS]
    if labels:
        parts.append(", ".join(labels))
    return " ".join(parts)


#: Organisations whose editors may create spots.
CREATING_ORGS: tuple[str, ...] = ("kommun",)

MAX_TEXT_CHARS = 2000
MAX_UNIT_CHARS = 200
NEARBY_RADIUS_M = 50.0
MIN_LINE_LENGTH_M = 5.0
MAX_LINE_LENGTH_M = 30_000.0
_PERSONNUMMER_RE = re.compile(r"(?<!\d)(?:19|20)?\d{6}[-+ ]?\d{4}(?!\d)")
_REGNR_RE = re.compile(r"(?<![A-ZÅÄÖ])[A-Z]{3} ?\d{2}[A-Z0-9](?![A-Za-z0-9])")
#: Endings of Swedish street names (``Storgatan``, ``Ekkroken``, ``Lindallén`` …). ``väg`` and
#: ``led`` alone are not here: ``väg 204``, ``riksväg 50`` and ``E18`` are road numbers.
STREET_SUFFIXES: tuple[str, ...] = (
    "gatan",
    "gata",
    "vägen",
    "gränden",
    "gränd",
    "stigen",
    "backen",
    "torget",
    "torg",
    "allén",
    "allé",
    "leden",
    "platsen",
    "gången",
    "slingan",
    "liden",
    "ringen",
    "kroken",
)
#: Numbers after a street name that count something rather than name a house.
_NOT_HOUSE_NUMBER = (
    r"km|m|meter|gånger|ggr|st|stycken|bilar|fordon|mopeder|personer|min|minuter|timmar"
    r"|dagar|kvällar|nätter|veckor|år|kr|procent"
)
#: A street name (at least one letter before the ending, so "på vägen 3 gånger" is not one)
#: followed by a house number of 1–3 digits: ``Storgatan 5``, ``kungsvägen 12B``. The road
#: names ``riksvägen``, ``länsvägen``, ``europavägen`` and ``motorvägen`` are road numbers.
_ADDRESS_RE = re.compile(
    r"(?<![^\W\d_])(?!(?:riks|läns|europa|motor)vägen(?![^\W\d_]))"
    r"[^\W\d_][^\W\d_-]*?(?:-[^\W\d_]+)*?"
    rf"-?(?:{'|'.join(STREET_SUFFIXES)})(?![^\W\d_])"
    r"\s*\d{1,3}(?!\d)(?![.:,]\d)"
    rf"(?!\s*(?:%|(?:{_NOT_HOUSE_NUMBER})(?!\w)))",
    re.IGNORECASE,
)
_CONTENT_FIELDS = ("category", "weekdays", "time_bands", "since", "description", "unit", "geometry")

#: Columns of the ``spots`` table that make up a spot (besides ``geom``), as selected.
_ROW_KEYS: tuple[str, ...] = (
    "spot_id",
    "category",
    "status",
    "owner",
    "org",
    "unit",
    "weekdays",
    "time_bands",
    "since",
    "description",
    "created_by",
    "created_at",
    "updated_by",
    "updated_at",
    "version",
)
#: Columns of :func:`read_spots` (besides ``geometry``): the stored ones with the category's
#: label, without ``updated_by`` and ``version``.
SPOT_COLUMNS: tuple[str, ...] = (
    "spot_id",
    "category",
    "category_label",
    *(k for k in _ROW_KEYS[2:] if k not in ("updated_by", "version")),
)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS spots (
  fid INTEGER PRIMARY KEY AUTOINCREMENT,
  geom GEOMETRY,
  spot_id TEXT NOT NULL UNIQUE,
  category TEXT NOT NULL,
  status TEXT NOT NULL,
  owner TEXT NOT NULL,
  org TEXT NOT NULL,
  unit TEXT NOT NULL DEFAULT '',
  weekdays TEXT NOT NULL,
  time_bands TEXT NOT NULL,
  since DATE,
  description TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at DATETIME NOT NULL,
  updated_by TEXT NOT NULL,
  updated_at DATETIME NOT NULL,
  version INTEGER NOT NULL,
  min_x REAL NOT NULL, min_y REAL NOT NULL, max_x REAL NOT NULL, max_y REAL NOT NULL);
CREATE INDEX IF NOT EXISTS spots_min_x ON spots (min_x);
CREATE TABLE IF NOT EXISTS spot_changes (
  fid INTEGER PRIMARY KEY AUTOINCREMENT,
  spot_id TEXT NOT NULL,
  version INTEGER NOT NULL,
  changed_at DATETIME NOT NULL,
  changed_by TEXT NOT NULL,
  action TEXT NOT NULL,
  before TEXT,
  after TEXT NOT NULL,
  comment TEXT NOT NULL DEFAULT '');
CREATE INDEX IF NOT EXISTS spot_changes_spot ON spot_changes (spot_id);
"""
# One writer at a time within a process: SQLite allows one anyway, and waiting on a lock is
# fairer and faster than SQLite's busy-wait back-off (which gave multi-second tail latencies).
_write_lock = threading.Lock()


class SpotValidationError(DataError):
    """A spot or observation failed validation; ``errors`` maps each field to a Swedish sentence.

    Parameters
    ----------
    errors
        Field name → Swedish message shown next to the field.
    """

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.errors.items()))


class SpotPermissionError(GeoError, PermissionError):
    """The account may not make this change (the message is Swedish, for the user)."""


class SpotNotFoundError(GeoError, LookupError):
    """No spot has this id."""


@dataclass(frozen=True)
class SpotDraft:
    """A validated spot, ready to store.

    Attributes
    ----------
    category, weekdays, time_bands, since, description, unit
        The form's fields, cleaned.
    geometry
        Point or LineString in the working CRS.
    """

    category: str
    weekdays: tuple[int, ...]
    time_bands: tuple[str, ...]
    since: date | None
    description: str
    unit: str
    geometry: shapely.Point | shapely.LineString

    def content(self) -> dict[str, Any]:
        """Return the fields as stored (JSON-able, geometry as WKT rounded to centimetres)."""
        return {
            "category": self.category,
            "weekdays": list(self.weekdays),
            "time_bands": list(self.time_bands),
            "since": self.since.isoformat() if self.since else None,
            "description": self.description,
            "unit": self.unit,
            "geometry": shapely.to_wkt(self.geometry, rounding_precision=2),
        }


@dataclass(frozen=True)
class SaveResult:
    """What a put did.

    Attributes
    ----------
    spot
        The spot as :func:`get_spot` returns it.
    created
        The spot was new.
    changed
        Something was written (``False`` for a repeated identical put).
    hints
        Swedish hints for the user (e.g. other spots within 50 m).
    """

    spot: dict[str, Any]
    created: bool
    changed: bool
    hints: list[str] = field(default_factory=list)


def _now_text() -> str:
    now = datetime.now(UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def _today() -> date:
    return pd.Timestamp.now(tz=settings.timezone).date()


_TABLES = store.ExtraTables(
    _SCHEMA,
    (
        ("spots", "GEOMETRY", "Traffic spots marked by kommun staff (points and road stretches)"),
        ("spot_changes", None, "Audit trail of the spots: who changed what, when, before/after"),
    ),
)


def ensure_schema(path: Path | None = None) -> Path:
    """Create the ``spots`` and ``spot_changes`` tables in the store if needed.

    Takes and returns the store path as :func:`geo.store.ensure_tables` does.
    """
    return store.ensure_tables(_TABLES, path)


def _connect(path: Path | None) -> sqlite3.Connection:
    """Return this thread's connection to the store (kept open: closing checkpoints the WAL)."""
    return store.thread_connection(ensure_schema(path))


def _release(conn: sqlite3.Connection) -> None:
    if conn.in_transaction:
        conn.execute("ROLLBACK")


@contextmanager
def _writing(path: Path | None) -> Iterator[sqlite3.Connection]:
    """Hold the write lock and an immediate transaction: committed unless the block raises.

    A block may end the transaction itself (``ROLLBACK`` when there is nothing to write).
    """
    conn = _connect(path)
    _write_lock.acquire()
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
            if conn.in_transaction:
                conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    finally:
        _write_lock.release()
        _release(conn)


# --------------------------------------------------------------------------- validation


def _parse_geometry(
    value: object, crs: object, errors: dict[str, str]
) -> shapely.Point | shapely.LineString | None:
    if not isinstance(value, Mapping):
        errors["geometry"] = "Markera en plats eller en sträcka på kartan."
        return None
    try:
        geom = shape(dict(value))
    except (ValueError, TypeError, KeyError, AttributeError, shapely.errors.GEOSException):
        errors["geometry"] = "Geometrin går inte att läsa; markera platsen på kartan igen."
        return None
    if geom.geom_type not in ("Point", "LineString") or geom.is_empty:
        errors["geometry"] = "Markera en punkt (Markera plats) eller en linje (Markera sträcka)."
        return None
    coords = shapely.get_coordinates(geom)
    if not all(math.isfinite(float(v)) for v in coords.ravel()):
        errors["geometry"] = "Koordinaterna är inte tal; markera platsen på kartan igen."
        return None
    crs_text = str(crs or "EPSG:4326").upper()
    if crs_text not in ("EPSG:4326", "EPSG:3006"):
        errors["geometry"] = (
            f"Koordinatsystemet {crs_text} stöds inte; använd EPSG:4326 eller EPSG:3006."
        )
        return None
    epsg = int(crs_text.split(":")[1])
    if epsg == 4326 and not ((abs(coords[:, 0]) <= 180).all() and (abs(coords[:, 1]) <= 90).all()):
        errors["geometry"] = (
            "Koordinaterna ligger utanför jorden (longitud ±180, latitud ±90); "
            "är de i SWEREF 99 TM? Ange då crs EPSG:3006."
        )
        return None
    tr = transformer(epsg, settings.working_crs)
    projected = shapely.transform(geom, lambda xy: _stack(tr.transform(xy[:, 0], xy[:, 1])))
    swapped = shapely.transform(geom, lambda xy: _stack(tr.transform(xy[:, 1], xy[:, 0])))
    inside = inside_kommun(gpd.GeoSeries([projected, swapped], crs=settings.working_crs))
    if not bool(inside.iloc[0]):
        if bool(inside.iloc[1]):
            what = "latitud och longitud" if epsg == 4326 else "nordlig och östlig koordinat"
            errors["geometry"] = (
                f"Koordinaterna ser omkastade ut: med {what} i omvänd ordning hamnar platsen i "
                f"{settings.kommun_name}. Byt plats på dem eller markera platsen på kartan."
            )
        else:
            errors["geometry"] = (
                f"Platsen ligger utanför {settings.kommun_name}s kommun; "
                "markera en plats inom kommunen."
            )
        return None
    if isinstance(projected, shapely.LineString):
        if projected.length < MIN_LINE_LENGTH_M:
            errors["geometry"] = (
                f"Sträckan är kortare än {MIN_LINE_LENGTH_M:.0f} m; markera en plats i stället."
            )
            return None
        if projected.length > MAX_LINE_LENGTH_M:
            errors["geometry"] = (
                f"Sträckan är längre än {MAX_LINE_LENGTH_M / 1000:.0f} km; "
                "dela upp den i kortare delar."
            )
            return None
    if not isinstance(projected, shapely.Point | shapely.LineString) or not projected.is_valid:
        errors["geometry"] = "Geometrin är ogiltig; markera platsen eller sträckan igen."
        return None
    return projected


def _stack(xy: tuple[Any, Any]) -> npt.NDArray[np.float64]:
    return np.column_stack([np.asarray(xy[0], dtype=float), np.asarray(xy[1], dtype=float)])


def _check_text(
    value: object, name: str, errors: dict[str, str], *, required: bool, max_chars: int
) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors[name] = "Fältet ska vara text."
        return ""
    text = value.strip()
    if required and not text:
        errors[name] = "Fältet måste fyllas i."
    elif len(text) > max_chars:
        errors[name] = f"Texten är {len(text)} tecken; högst {max_chars} tecken är tillåtet."
    elif _PERSONNUMMER_RE.search(text):
        errors[name] = "Texten ser ut att innehålla ett personnummer; ta bort det."
    elif _REGNR_RE.search(text):
        errors[name] = "Texten ser ut att innehålla ett registreringsnummer; ta bort det."
    elif _ADDRESS_RE.search(text):
        errors[name] = (
            "Texten ser ut att innehålla en gatuadress med husnummer; beskriv platsen utan "
            "adresser till bostäder, t.ex. ”korsningen vid skolan”."
        )
    return text


def has_street_address(text: str) -> bool:
    """Tell whether a text names a street address with a house number.

    Parameters
    ----------
    text
        Free text from a form.

    Returns
    -------
    bool
        True for e.g. ``Storgatan 5`` or ``kungsvägen 12B``; False for road numbers
        (``väg 204``, ``E18``), streets without a number and counts after a street
        (``Storgatan 3 gånger``).
    """
    return _ADDRESS_RE.search(text) is not None


def _check_date(value: object, name: str, errors: dict[str, str]) -> date | None:
    if value in (None, ""):
        return None
    try:
        day = date.fromisoformat(str(value))
    except ValueError:
        errors[name] = f"{str(value)[:40]!r} är inget datum; skriv det som ÅÅÅÅ-MM-DD."
        return None
    if day > _today():
        errors[name] = (
            f"Datumet {day.isoformat()} ligger i framtiden; ange ett datum bakåt i tiden."
        )
        return None
    if day.year < 1950:
        errors[name] = f"Datumet {day.isoformat()} är för gammalt; kontrollera årtalet."
        return None
    return day


def validate_spot(payload: Mapping[str, Any]) -> SpotDraft:
    """Check a spot sent by the form and return it cleaned.

    Parameters
    ----------
    payload
        ``geometry`` (GeoJSON Point/LineString, lon/lat unless ``crs`` is ``EPSG:3006``),
        ``category`` (a key of :data:`SPOT_CATEGORIES`), ``weekdays`` (ISO numbers 1–7),
        ``time_bands`` (keys of :data:`TIME_BANDS`), ``since`` (``YYYY-MM-DD`` or empty),
        ``description`` (≤ 2,000 characters, no personnummer, registration numbers or street
        addresses with a house number) and
        ``unit`` (the reporting organisation, free text).

    Returns
    -------
    SpotDraft
        The cleaned spot with its geometry in EPSG:3006.

    Raises
    ------
    SpotValidationError
        With one Swedish sentence per field that is wrong.
    """
    errors: dict[str, str] = {}
    geom = _parse_geometry(payload.get("geometry"), payload.get("crs"), errors)
    category = payload.get("category")
    if category not in SPOT_CATEGORIES:
        errors["category"] = "Välj en kategori i listan."
    weekdays_raw = payload.get("weekdays") or []
    weekdays: list[int] = []
    if not isinstance(weekdays_raw, list) or not all(
        isinstance(d, int) and not isinstance(d, bool) and d in WEEKDAYS for d in weekdays_raw
    ):
        errors["weekdays"] = "Välj veckodagar i listan (måndag–söndag)."
    else:
        weekdays = sorted(set(weekdays_raw))
    bands_raw = payload.get("time_bands") or []
    bands: list[str] = []
    if not isinstance(bands_raw, list) or not all(b in TIME_BANDS for b in bands_raw):
        errors["time_bands"] = "Välj tider på dygnet i listan."
    else:
        bands = [b for b in TIME_BANDS if b in bands_raw]
    since = _check_date(payload.get("since"), "since", errors)
    description = _check_text(
        payload.get("description"), "description", errors, required=True, max_chars=MAX_TEXT_CHARS
    )
    unit = _check_text(
        payload.get("unit"), "unit", errors, required=False, max_chars=MAX_UNIT_CHARS
    )
    if errors or geom is None:
        raise SpotValidationError(errors)
    return SpotDraft(
        category=str(category),
        weekdays=tuple(weekdays),
        time_bands=tuple(bands),
        since=since,
        description=description,
        unit=unit,
        geometry=geom,
    )


# --------------------------------------------------------------------------- storage

_SELECT = f"SELECT {', '.join(_ROW_KEYS)}, geom FROM spots"


def _row_to_spot(row: Sequence[Any]) -> dict[str, Any]:
    spot = dict(zip(_ROW_KEYS, row[:-1], strict=True))
    spot["weekdays"] = json.loads(spot["weekdays"])
    spot["time_bands"] = json.loads(spot["time_bands"])
    spot["category_label"] = SPOT_CATEGORIES.get(spot["category"], spot["category"])
    spot["status_label"] = STATUSES.get(spot["status"], spot["status"])
    spot["owner_label"] = OWNERS.get(spot["owner"], spot["owner"])
    spot["geometry"] = _gpkg.from_blobs([row[-1]])[0]
    return spot


def _content_row(draft: SpotDraft, content: Mapping[str, Any]) -> tuple[Any, ...]:
    """Return the values of ``geom, category, weekdays, time_bands, since, description, unit``.

    ``content`` is ``draft.content()``.
    """
    return (
        _gpkg.to_blob(draft.geometry, store.SRS_ID),
        draft.category,
        json.dumps(content["weekdays"]),
        json.dumps(content["time_bands"]),
        content["since"],
        draft.description,
        draft.unit,
    )


def _content_of(spot: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "category": spot["category"],
        "weekdays": list(spot["weekdays"]),
        "time_bands": list(spot["time_bands"]),
        "since": spot["since"],
        "description": spot["description"],
        "unit": spot["unit"],
        "geometry": shapely.to_wkt(spot["geometry"], rounding_precision=2),
    }


def _fetch(conn: sqlite3.Connection, spot_id: str) -> dict[str, Any] | None:
    row = conn.execute(f"{_SELECT} WHERE spot_id = ?", (spot_id,)).fetchone()
    return _row_to_spot(row) if row else None


def _nearby(
    conn: sqlite3.Connection,
    geom: shapely.Point | shapely.LineString,
    *,
    radius_m: float,
    exclude: str | None,
) -> list[tuple[dict[str, Any], float]]:
    minx, miny, maxx, maxy = geom.bounds
    rows = conn.execute(
        f"{_SELECT} WHERE max_x >= ? AND min_x <= ? AND max_y >= ? AND min_y <= ?",
        (minx - radius_m, maxx + radius_m, miny - radius_m, maxy + radius_m),
    ).fetchall()
    found = []
    for row in rows:
        spot = _row_to_spot(row)
        if spot["spot_id"] == exclude:
            continue
        dist = float(spot["geometry"].distance(geom))
        if dist <= radius_m:
            found.append((spot, dist))
    return sorted(found, key=lambda t: t[1])


def nearby_hint(nearby: Sequence[tuple[Mapping[str, Any], float]]) -> str | None:
    """Return the Swedish "samma plats?" hint for spots found near a new one.

    Parameters
    ----------
    nearby
        ``(spot, distance_m)`` pairs, nearest first.

    Returns
    -------
    str or None
        The hint, or ``None`` when nothing is near.
    """
    if not nearby:
        return None
    parts = [
        f"{s['category_label']} ({STATUSES.get(s['status'], s['status']).lower()}, {d:.0f} m)"
        for s, d in nearby[:5]
    ]
    word = "markering" if len(nearby) == 1 else "markeringar"
    return (
        f"Samma plats? Det finns redan {len(nearby)} {word} inom {NEARBY_RADIUS_M:.0f} m: "
        + "; ".join(parts)
        + "."
    )


def check_location(
    geometry: Mapping[str, Any],
    *,
    crs: str | None = None,
    path: Path | None = None,
    exclude: str | None = None,
) -> list[str]:
    """Validate a marked location without storing anything and return hints.

    Parameters
    ----------
    geometry
        GeoJSON Point or LineString (lon/lat unless ``crs`` is ``EPSG:3006``).
    crs
        ``EPSG:4326`` (default) or ``EPSG:3006``.
    path
        The store.
    exclude
        The spot being edited (not its own neighbour).

    Returns
    -------
    list of str
        Swedish hints, e.g. "Samma plats? …" when other spots lie within 50 m.

    Raises
    ------
    SpotValidationError
        When the geometry is invalid or outside the kommun (key ``geometry``).
    """
    errors: dict[str, str] = {}
    geom = _parse_geometry(geometry, crs, errors)
    if errors or geom is None:
        raise SpotValidationError(errors)
    conn = _connect(path)
    try:
        hint = nearby_hint(_nearby(conn, geom, radius_m=NEARBY_RADIUS_M, exclude=exclude))
    finally:
        _release(conn)
    return [hint] if hint else []


def put_spot(
    spot_id: str, payload: Mapping[str, Any], *, user: User, path: Path | None = None
) -> SaveResult:
    """Create or update the spot with this UUID (idempotent), writing an audit row per change.

    Parameters
    ----------
    spot_id
        The UUID the browser gave the report.
    payload
        As for :func:`validate_spot`.
    user
        Who saves: an editor of an organisation in :data:`CREATING_ORGS`; only the
        spot's own organisation may change its content.
    path
        The store.

    Returns
    -------
    SaveResult
        The stored spot, whether it was created or changed, and hints.

    Raises
    ------
    SpotValidationError
        When the payload or the id is invalid.
    SpotPermissionError
        When the account may not write this spot.
    """
    try:
        sid = str(uuid.UUID(str(spot_id)))
    except ValueError as e:
        raise SpotValidationError({"spot_id": "Markeringens id är inte ett UUID."}) from e
    if not user.can_write or user.org not in CREATING_ORGS:
        msg = "Ditt konto får inte markera platser (bara kommunens redigerare får det)."
        raise SpotPermissionError(msg)
    draft = validate_spot(payload)
    content = draft.content()
    with _writing(path) as conn:
        existing = _fetch(conn, sid)
        now = _now_text()
        if existing is not None:
            if existing["org"] != user.org:
                msg = "Markeringen tillhör en annan organisation och kan inte ändras av dig."
                raise SpotPermissionError(msg)
            before = _content_of(existing)
            if before == content:
                conn.execute("ROLLBACK")
                return SaveResult(existing, created=False, changed=False)
            version = int(existing["version"]) + 1
            conn.execute(
                "UPDATE spots SET geom=?, category=?, weekdays=?, time_bands=?, since=?,"
                " description=?, unit=?, updated_by=?, updated_at=?, version=?,"
                " min_x=?, min_y=?, max_x=?, max_y=? WHERE spot_id=?",
                (
                    *_content_row(draft, content),
                    user.name,
                    now,
                    version,
                    *draft.geometry.bounds,
                    sid,
                ),
            )
            _audit(conn, sid, version, now, user.name, "ändrad", before, content, "")
            created = False
        else:
            version = 1
            conn.execute(
                "INSERT INTO spots (geom, category, weekdays, time_bands, since, description,"
                " unit, spot_id, status, owner, org, created_by, created_at, updated_by,"
                " updated_at, version, min_x, min_y, max_x, max_y)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    *_content_row(draft, content),
                    sid,
                    "ny",
                    "kommun",
                    user.org,
                    user.name,
                    now,
                    user.name,
                    now,
                    version,
                    *draft.geometry.bounds,
                ),
            )
            after = {**content, "status": "ny", "owner": "kommun", "org": user.org}
            _audit(conn, sid, version, now, user.name, "skapad", None, after, "")
            created = True
        near = _nearby(conn, draft.geometry, radius_m=NEARBY_RADIUS_M, exclude=sid)
        spot = _fetch(conn, sid)
    assert spot is not None
    hint = nearby_hint(near)
    logger.info("spot %s %s by %s", sid, "created" if created else "updated", user.name)
    return SaveResult(spot, created=created, changed=True, hints=[hint] if hint else [])


def _audit(
    conn: sqlite3.Connection,
    spot_id: str,
    version: int,
    when: str,
    who: str,
    action: str,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any],
    comment: str,
) -> None:
    conn.execute(
        "INSERT INTO spot_changes (spot_id, version, changed_at, changed_by, action, before, after,"
        " comment) VALUES (?,?,?,?,?,?,?,?)",
        (
            spot_id,
            version,
            when,
            who,
            action,
            json.dumps(before, ensure_ascii=False) if before is not None else None,
            json.dumps(after, ensure_ascii=False),
            comment,
        ),
    )


def set_status(
    spot_id: str,
    *,
    status: str,
    owner: str | None = None,
    comment: str,
    user: User,
    path: Path | None = None,
) -> dict[str, Any]:
    """Move a spot along the status workflow, with a comment and an audit row.

    Police editors may change the status of every spot; other editors only of their
    organisation's spots.

    Parameters
    ----------
    spot_id
        The spot.
    status
        The new status (a key of :data:`STATUSES` allowed by :data:`TRANSITIONS`), or the
        current one to change only the owner.
    owner
        The new owner (a key of :data:`OWNERS`); ``None`` keeps it.
    comment
        Why (required, ≤ 2,000 characters).
    user
        Who changes it.
    path
        The store.

    Returns
    -------
    dict
        The spot after the change.

    Raises
    ------
    SpotNotFoundError
        If no spot has this id.
    SpotPermissionError
        If the account may not change it.
    SpotValidationError
        If the status, owner or comment is not acceptable.
    """
    with _writing(path) as conn:
        spot = _fetch(conn, str(spot_id))
        if spot is None:
            msg = f"Ingen markering har id {str(spot_id)[:40]!r}."
            raise SpotNotFoundError(msg)
        if not user.can_write or (user.org != "polis" and user.org != spot["org"]):
            msg = "Ditt konto får inte ändra status på den här markeringen."
            raise SpotPermissionError(msg)
        errors: dict[str, str] = {}
        new_owner = spot["owner"] if owner in (None, "") else owner
        if new_owner not in OWNERS:
            errors["owner"] = "Välj ansvarig i listan (kommunen, polisen eller Trafikverket)."
        if status not in STATUSES:
            errors["status"] = "Välj en status i listan."
        elif status != spot["status"] and status not in TRANSITIONS[spot["status"]]:
            allowed = ", ".join(STATUSES[s].lower() for s in TRANSITIONS[spot["status"]])
            errors["status"] = (
                f"Status kan inte gå från {STATUSES[spot['status']].lower()} till "
                f"{STATUSES[status].lower()}; välj {allowed}."
            )
        elif status == spot["status"] and new_owner == spot["owner"]:
            errors["status"] = "Välj en ny status eller en ny ansvarig."
        text = _check_text(comment, "comment", errors, required=True, max_chars=MAX_TEXT_CHARS)
        if errors:
            raise SpotValidationError(errors)
        now = _now_text()
        version = int(spot["version"]) + 1
        conn.execute(
            "UPDATE spots SET status=?, owner=?, updated_by=?, updated_at=?, version=?"
            " WHERE spot_id=?",
            (status, new_owner, user.name, now, version, spot["spot_id"]),
        )
        _audit(
            conn,
            spot["spot_id"],
            version,
            now,
            user.name,
            "status",
            {"status": spot["status"], "owner": spot["owner"]},
            {"status": status, "owner": new_owner},
            text,
        )
        after = _fetch(conn, spot["spot_id"])
    assert after is not None
    logger.info("spot %s status %s by %s", spot_id, status, user.name)
    return after


def get_spot(spot_id: str, *, path: Path | None = None) -> dict[str, Any] | None:
    """Return one spot (geometry in EPSG:3006), or ``None``.

    Parameters
    ----------
    spot_id
        The spot's UUID.
    path
        The store.

    Returns
    -------
    dict or None
        Keys of :data:`SPOT_COLUMNS` plus ``status_label``, ``owner_label``, ``updated_by``,
        ``version`` and ``geometry``.
    """
    conn = _connect(path)
    try:
        return _fetch(conn, str(spot_id))
    finally:
        _release(conn)


def list_spots(
    *,
    path: Path | None = None,
    status: Sequence[str] | None = None,
    category: Sequence[str] | None = None,
    org: Sequence[str] | None = None,
    owner: Sequence[str] | None = None,
    text: str | None = None,
) -> list[dict[str, Any]]:
    """Return spots matching the filters, newest first (geometry in EPSG:3006).

    Parameters
    ----------
    path
        The store.
    status, category, org, owner
        Keep only these values (``None`` or empty: all).
    text
        Keep spots whose description or unit contains this text (case-insensitive).

    Returns
    -------
    list of dict
        As :func:`get_spot` returns them.
    """
    where: list[str] = []
    params: list[Any] = []
    for col, values in (("status", status), ("category", category), ("org", org), ("owner", owner)):
        if values:
            where.append(f"{col} IN ({','.join('?' * len(values))})")
            params.extend(values)
    if text:
        where.append(
            "(instr(lower(description), lower(?)) > 0 OR instr(lower(unit), lower(?)) > 0)"
        )
        params.extend([text, text])
    sql = _SELECT + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY created_at DESC"
    conn = _connect(path)
    try:
        rows = conn.execute(sql, params).fetchall()
    finally:
        _release(conn)
    return [_row_to_spot(r) for r in rows]


def read_changes(spot_id: str | None = None, *, path: Path | None = None) -> pd.DataFrame:
    """Return the audit trail, oldest first.

    Parameters
    ----------
    spot_id
        One spot's changes; ``None`` for all.
    path
        The store.

    Returns
    -------
    pandas.DataFrame
        ``spot_id, version, changed_at, changed_by, action, before, after, comment``;
        ``before``/``after`` are JSON texts.
    """
    sql = (
        "SELECT spot_id, version, changed_at, changed_by, action, before, after, comment"
        " FROM spot_changes"
    )
    params: list[Any] = []
    if spot_id is not None:
        sql += " WHERE spot_id = ?"
        params.append(str(spot_id))
    conn = _connect(path)
    try:
        return pd.read_sql_query(sql + " ORDER BY fid", conn, params=params)
    finally:
        _release(conn)


def read_spots(
    path: Path | None = None, *, status: Sequence[str] | str | None = None
) -> gpd.GeoDataFrame:
    """Read the marked spots for the analysis, the plan and the maps.

    Parameters
    ----------
    path
        The store; default :func:`geo.store.default_path`.
    status
        Keep only these statuses (e.g. ``["ny", "bedomd", "atgard_planerad"]`` for open spots).

    Returns
    -------
    geopandas.GeoDataFrame
        Columns :data:`SPOT_COLUMNS` and ``geometry`` (Point or LineString, EPSG:3006):
        ``weekdays`` holds lists of ISO weekday numbers (1 = måndag), ``time_bands`` lists of
        :data:`TIME_BANDS` keys, ``since`` a ``datetime.date`` or ``None``, ``created_at`` and
        ``updated_at`` tz-aware Europe/Stockholm timestamps. Empty with these columns when
        there are no spots.
    """
    statuses = [status] if isinstance(status, str) else status
    spots = list_spots(path=path, status=statuses)
    spots.reverse()
    df = pd.DataFrame(spots, columns=[*SPOT_COLUMNS, "geometry"])
    df["since"] = pd.Series(
        [date.fromisoformat(v) if isinstance(v, str) and v else None for v in df["since"]],
        index=df.index,
        dtype=object,
    )
    for col in ("created_at", "updated_at"):
        df[col] = pd.to_datetime(df[col], utc=True, format="ISO8601").dt.tz_convert(
            settings.timezone
        )
    geoms = gpd.GeoSeries(list(df.pop("geometry")), crs=settings.working_crs)
    return gpd.GeoDataFrame(df, geometry=geoms.values, crs=settings.working_crs)


def spots_geojson(spots: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Return spots as a GeoJSON FeatureCollection in EPSG:4326 (all fields as properties).

    Parameters
    ----------
    spots
        As :func:`list_spots` returns them.

    Returns
    -------
    dict
        The FeatureCollection.
    """
    tr = transformer(3006, settings.display_crs)
    features = []
    for spot in spots:
        geom = shapely.transform(
            spot["geometry"], lambda xy: _stack(tr.transform(xy[:, 0], xy[:, 1]))
        )
        props = {k: v for k, v in spot.items() if k != "geometry"}
        features.append(
            {
                "type": "Feature",
                "id": spot["spot_id"],
                "geometry": mapping(geom),
                "properties": props,
            }
        )
    return {"type": "FeatureCollection", "features": features}


def export_spots(out: Path, *, path: Path | None = None) -> int:
    """Write every spot to GeoJSON (EPSG:4326) or GeoPackage (EPSG:3006), by file suffix.

    Parameters
    ----------
    out
        ``.geojson``/``.json`` or ``.gpkg`` file to write (replaced if it exists).
    path
        The store.

    Returns
    -------
    int
        Number of spots written.

    Raises
    ------
    DataError
        If the suffix is neither GeoJSON nor GeoPackage.
    """
    suffix = out.suffix.lower()
    if suffix not in (".geojson", ".json", ".gpkg"):
        msg = f"Cannot export spots to {str(out)!r}; name the file *.geojson or *.gpkg."
        raise DataError(msg)
    spots = read_spots(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    table = spots.copy()
    for col in ("weekdays", "time_bands"):
        table[col] = [json.dumps(v) for v in table[col]]
    table["since"] = [d.isoformat() if d else None for d in table["since"]]
    for col in ("created_at", "updated_at"):
        table[col] = table[col].map(lambda t: t.isoformat())
    if suffix == ".gpkg":
        if out.exists():
            out.unlink()
        table.to_file(out, layer="spots", driver="GPKG")
    else:
        collection = spots_geojson(list_spots(path=path))
        out.write_text(json.dumps(collection, ensure_ascii=False, default=str), encoding="utf-8")
    logger.info("%d spots to %s", len(spots), out)
    return len(spots)


# --------------------------------------------------------------------------- EST observations


def validate_observation(
    payload: Mapping[str, Any], *, gazetteer: Gazetteer
) -> tuple[str, pd.Timestamp, shapely.Point, float, str | None, str]:
    """Check an EST observation from the form.

    Parameters
    ----------
    payload
        ``category`` (a key of :data:`geo.model.CATEGORIES`), ``occurred_at`` (local
        ``YYYY-MM-DDTHH:MM``), ``place`` (a place name or alias) and/or ``geometry`` (GeoJSON
        Point, lon/lat), ``description`` (≤ 2,000 characters).
    gazetteer
        The places to look ``place`` up in.

    Returns
    -------
    tuple
        ``(category, occurred_at, point, precision_m, place_name, description)``.

    Raises
    ------
    SpotValidationError
        With one Swedish sentence per field that is wrong.
    """
    errors: dict[str, str] = {}
    category = payload.get("category")
    if category not in CATEGORIES:
        errors["category"] = "Välj en kategori i listan."
    occurred: pd.Timestamp | None = None
    try:
        parsed = pd.Timestamp(str(payload.get("occurred_at") or ""))
        if pd.isna(parsed):
            raise ValueError
        localized = (
            parsed.tz_localize(settings.timezone, ambiguous="NaT", nonexistent="NaT")
            if parsed.tzinfo is None
            else parsed.tz_convert(settings.timezone)
        )
        if isinstance(localized, pd.Timestamp) and not pd.isna(localized):
            occurred = localized
        if occurred is None:
            errors["occurred_at"] = (
                "Tiden finns inte eller är tvetydig (sommartidsbyte); välj en annan."
            )
            occurred = None
        elif occurred > pd.Timestamp.now(tz=settings.timezone) + timedelta(minutes=5):
            errors["occurred_at"] = "Tiden ligger i framtiden; ange när det hände."
            occurred = None
        elif occurred.year < 2000:
            errors["occurred_at"] = "Tiden är för gammal; kontrollera årtalet."
            occurred = None
    except (ValueError, TypeError):
        errors["occurred_at"] = "Ange datum och klockslag, t.ex. 2026-05-01T21:30."
        occurred = None
    point: shapely.Point | None = None
    precision_m = 50.0
    place_name: str | None = None
    place = str(payload.get("place") or "").strip()
    if payload.get("geometry"):
        geom_errors: dict[str, str] = {}
        geom = _parse_geometry(payload.get("geometry"), payload.get("crs"), geom_errors)
        if geom_errors:
            errors["place"] = geom_errors["geometry"]
        elif geom is not None and geom.geom_type != "Point":
            errors["place"] = "Markera en punkt på kartan."
        elif geom is not None:
            point = shapely.Point(geom.coords[0])
    elif place:
        match = gazetteer.lookup(place)
        if match is None:
            errors["place"] = (
                f"Platsen {place[:60]!r} finns inte i platslistan; "
                "välj en plats i listan eller klicka på kartan."
            )
        else:
            point, precision_m, place_name = match.point, match.precision_m, match.name
    else:
        errors["place"] = "Ange en plats eller klicka på kartan."
    description = _check_text(
        payload.get("description"), "description", errors, required=False, max_chars=MAX_TEXT_CHARS
    )
    if errors or point is None or occurred is None:
        raise SpotValidationError(errors)
    return str(category), occurred, point, precision_m, place_name, description


def record_observation(
    observation_id: str,
    payload: Mapping[str, Any],
    *,
    user: User,
    path: Path | None = None,
    places: gpd.GeoDataFrame | None = None,
) -> bool:
    """Store an EST observation as one incident (idempotent by its UUID).

    Parameters
    ----------
    observation_id
        The UUID the browser gave the report; a retry with the same UUID stores nothing.
    payload
        As for :func:`validate_observation`.
    user
        Who reports: a kommun editor.
    path
        The store.
    places
        The places (default :func:`geo.sites.load_places`).

    Returns
    -------
    bool
        ``True`` when stored now, ``False`` when it was stored before.

    Raises
    ------
    SpotValidationError
        When the payload or the id is invalid.
    SpotPermissionError
        When the account may not report.
    """
    try:
        oid = str(uuid.UUID(str(observation_id)))
    except ValueError as e:
        raise SpotValidationError({"observation_id": "Rapportens id är inte ett UUID."}) from e
    if not user.can_write or user.org != "kommun":
        msg = "Ditt konto får inte rapportera observationer (bara kommunens redigerare får det)."
        raise SpotPermissionError(msg)
    places = load_places() if places is None else places
    category, occurred, point, precision_m, place_name, description = validate_observation(
        payload, gazetteer=Gazetteer(places)
    )
    points = gpd.GeoSeries([point], crs=settings.working_crs)
    assigned = assign_places(points, places)
    row: dict[str, Any] = dict.fromkeys(INCIDENT_COLUMNS)
    row.update(
        incident_id=f"webb-{oid}",
        source="kommun_est",
        reporter_org=user.org,
        occurred_at=occurred,
        time_precision="exact" if occurred.minute or occurred.hour else "day",
        category=category,
        theme=theme_of(category),
        place_id=assigned.iloc[0]["place_id"],
        place_name=place_name or assigned.iloc[0]["place_name"],
        location_precision_m=float(precision_m),
        description=description or None,
        weight=1.0,
        kommunkod=settings.kommunkod,
    )
    content = json.dumps({k: str(v) for k, v in row.items() if k != "geometry"}, sort_keys=True)
    row["content_hash"] = hashlib.sha256(content.encode()).hexdigest()
    row.pop("geometry", None)
    incidents = gpd.GeoDataFrame([row], geometry=[point], crs=settings.working_crs)
    batch = store.ImportBatch(
        file=f"webb:{user.name}",
        file_sha256=oid,
        format="web",
        incidents=incidents,
        quarantine=pd.DataFrame(columns=["line", "reason", "detail", "raw"]),
        n_read=1,
    )
    result = store.write_import(batch, path)
    return result.stored == 1
