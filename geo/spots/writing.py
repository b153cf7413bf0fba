"""Creating and changing spots: idempotent puts by UUID, status changes, the audit trail."""

from __future__ import annotations

import json
import logging
import sqlite3
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import shapely

from geo import _gpkg, store
from geo.errors import GeoError
from geo.spots.table import (
    SELECT_SPOTS,
    connect,
    fetch,
    now_text,
    release,
    row_to_spot,
    writing,
)
from geo.spots.validation import (
    MAX_TEXT_CHARS,
    SpotDraft,
    SpotValidationError,
    check_text,
    parse_geometry,
    validate_spot,
)
from geo.spots.vocabulary import (
    CREATING_ORGS,
    OWNERS,
    STATUSES,
    TRANSITIONS,
)
from geo.users import User

logger = logging.getLogger(__name__)


NEARBY_RADIUS_M = 50.0


class SpotPermissionError(GeoError, PermissionError):
    """The account may not make this change (the message is Swedish, for the user)."""


class SpotNotFoundError(GeoError, LookupError):
    """No spot has this id."""


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


def _nearby(
    conn: sqlite3.Connection,
    geom: shapely.Point | shapely.LineString,
    *,
    radius_m: float,
    exclude: str | None,
) -> list[tuple[dict[str, Any], float]]:
    minx, miny, maxx, maxy = geom.bounds
    rows = conn.execute(
        f"{SELECT_SPOTS} WHERE max_x >= ? AND min_x <= ? AND max_y >= ? AND min_y <= ?",
        (minx - radius_m, maxx + radius_m, miny - radius_m, maxy + radius_m),
    ).fetchall()
    found = []
    for row in rows:
        spot = row_to_spot(row)
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
    geom = parse_geometry(geometry, crs, errors)
    if errors or geom is None:
        raise SpotValidationError(errors)
    conn = connect(path)
    try:
        hint = nearby_hint(_nearby(conn, geom, radius_m=NEARBY_RADIUS_M, exclude=exclude))
    finally:
        release(conn)
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
    with writing(path) as conn:
        existing = fetch(conn, sid)
        now = now_text()
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
        spot = fetch(conn, sid)
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
    with writing(path) as conn:
        spot = fetch(conn, str(spot_id))
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
        text = check_text(comment, "comment", errors, required=True, max_chars=MAX_TEXT_CHARS)
        if errors:
            raise SpotValidationError(errors)
        now = now_text()
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
        after = fetch(conn, spot["spot_id"])
    assert after is not None
    logger.info("spot %s status %s by %s", spot_id, status, user.name)
    return after
