"""Kommun EST observations from the marking app, stored as incidents."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from geo import settings, store
from geo.model import CATEGORIES, INCIDENT_COLUMNS, theme_of
from geo.sites import Gazetteer, assign_places, load_places
from geo.spots.validation import (
    MAX_TEXT_CHARS,
    SpotValidationError,
    check_text,
    parse_geometry,
)
from geo.spots.writing import (
    SpotPermissionError,
)
from geo.users import User


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
    if not isinstance(category, str) or category not in CATEGORIES:
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
        geom = parse_geometry(payload.get("geometry"), payload.get("crs"), geom_errors)
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
    description = check_text(
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
