"""Checking a spot from the form: its place in the kommun, its fields, and no personal data."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from shapely.geometry import shape

from geo import settings
from geo.errors import FieldsError
from geo.projection import transformer
from geo.sensitive_text import find_identifying
from geo.sites import inside_kommun
from geo.spots.vocabulary import (
    SPOT_CATEGORIES,
    TIME_BANDS,
    WEEKDAYS,
)

MAX_TEXT_CHARS = 2000


MAX_UNIT_CHARS = 200


MIN_LINE_LENGTH_M = 5.0


MAX_LINE_LENGTH_M = 30_000.0

#: Most points of a marked stretch: one at each bend of 30 km of road drawn by hand. A stretch
#: of 100,000 points (5 MB, under the body limit) went into every map page's spots, for every
#: phone to draw.
MAX_LINE_POINTS = 1000


class SpotValidationError(FieldsError):
    """A spot or observation failed validation; ``errors`` maps each field to a Swedish sentence."""


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


def _today() -> date:
    return pd.Timestamp.now(tz=settings.timezone).date()


def parse_geometry(
    value: object, crs: object, errors: dict[str, str]
) -> shapely.Point | shapely.LineString | None:
    """Read a marked geometry and return it in EPSG:3006, or record why not.

    Parameters
    ----------
    value
        A GeoJSON Point or LineString.
    crs
        ``EPSG:4326`` (default) or ``EPSG:3006``.
    errors
        Field name → Swedish message; ``geometry`` is set when the value is refused
        (unreadable, not a number, swapped axes, outside the kommun, too short or too long).

    Returns
    -------
    shapely.Point or shapely.LineString or None
        The projected geometry, or ``None`` when refused.
    """
    if not isinstance(value, Mapping):
        errors["geometry"] = "Markera en plats eller en sträcka på kartan."
        return None
    try:
        geom = shape(dict(value))
    except (
        ValueError,
        TypeError,
        KeyError,
        AttributeError,
        OverflowError,  # a coordinate no float holds (10**400)
        shapely.errors.GEOSException,
    ):
        errors["geometry"] = "Geometrin går inte att läsa; markera platsen på kartan igen."
        return None
    if geom.geom_type not in ("Point", "LineString") or geom.is_empty:
        errors["geometry"] = "Markera en punkt (Markera plats) eller en linje (Markera sträcka)."
        return None
    if len(geom.coords) > MAX_LINE_POINTS:
        errors["geometry"] = (
            f"Sträckan har {len(geom.coords)} punkter; högst {MAX_LINE_POINTS} tas emot. "
            "Markera den med färre klick, ett vid varje krök."
        )
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
    projected = shapely.transform(geom, lambda xy: stack_xy(tr.transform(xy[:, 0], xy[:, 1])))
    swapped = shapely.transform(geom, lambda xy: stack_xy(tr.transform(xy[:, 1], xy[:, 0])))
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


def stack_xy(xy: tuple[Any, Any]) -> npt.NDArray[np.float64]:
    """Return a transformer's ``(x, y)`` output as an ``(n, 2)`` array for ``shapely.transform``."""
    return np.column_stack([np.asarray(xy[0], dtype=float), np.asarray(xy[1], dtype=float)])


def check_text(
    value: object, name: str, errors: dict[str, str], *, required: bool, max_chars: int
) -> str:
    """Return a free-text field stripped, or record why it is refused.

    Parameters
    ----------
    value
        The field's value.
    name
        The field's name (the key in ``errors``).
    errors
        Field name → Swedish message.
    required
        Whether an empty text is refused.
    max_chars
        Longest text allowed.

    Returns
    -------
    str
        The stripped text (also when refused: personnummer, registration numbers and street
        addresses with a house number are refused so they are never stored;
        :func:`geo.sensitive_text.find_identifying`).
    """
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
    elif found := find_identifying(text):
        errors[name] = found.sentence()
    return text


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
    geom = parse_geometry(payload.get("geometry"), payload.get("crs"), errors)
    category = payload.get("category")
    if not isinstance(category, str) or category not in SPOT_CATEGORIES:
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
    description = check_text(
        payload.get("description"), "description", errors, required=True, max_chars=MAX_TEXT_CHARS
    )
    unit = check_text(payload.get("unit"), "unit", errors, required=False, max_chars=MAX_UNIT_CHARS)
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
