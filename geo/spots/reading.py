"""Reading spots and their changes, as dicts, a GeoDataFrame, GeoJSON or a file."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry import mapping

from geo import settings, store
from geo.errors import DataError
from geo.projection import transformer
from geo.spots.table import (
    SELECT_SPOTS,
    SPOT_COLUMNS,
    read_connection,
    release,
    row_to_spot,
)
from geo.spots.validation import (
    stack_xy,
)

logger = logging.getLogger(__name__)

#: Columns of :func:`read_changes`.
_CHANGE_COLUMNS: tuple[str, ...] = (
    "spot_id", "version", "changed_at", "changed_by", "action", "before", "after", "comment",
)  # fmt: skip


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
    found = _spot_rows(" WHERE spot_id = ?", [str(spot_id)], path=path)
    return row_to_spot(found[0]) if found else None


def _spot_rows(where: str, params: Sequence[Any], *, path: Path | None) -> list[Any]:
    """Return the rows of :data:`SELECT_SPOTS` + ``where``; none when the store has no spots."""
    conn = read_connection(path)
    try:
        if not store.has_table(conn, "spots"):
            return []
        return conn.execute(SELECT_SPOTS + where, params).fetchall()
    finally:
        release(conn)


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
    sql = (
        (" WHERE " + " AND ".join(where) if where else "")
        + " ORDER BY created_at DESC, fid DESC"  # the later of two saved in one millisecond
    )
    return [row_to_spot(r) for r in _spot_rows(sql, params, path=path)]


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
    params = [] if spot_id is None else [str(spot_id)]
    conn = read_connection(path)
    try:
        return store.read_frame(
            conn,
            "spot_changes",
            _CHANGE_COLUMNS,
            where="spot_id = ?" if params else "",
            params=params,
            order="fid",
        )
    finally:
        release(conn)


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
            spot["geometry"], lambda xy: stack_xy(tr.transform(xy[:, 0], xy[:, 1]))
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


#: What a NUL character in a stored text becomes in the GeoPackage export (U+FFFD).
NUL_MARK = "\ufffd"


def _mark_nul(table: gpd.GeoDataFrame) -> None:
    r"""Replace each NUL in the table's texts by :data:`NUL_MARK`, in place.

    GDAL writes a text as a C string, which ends at a NUL: "Före\x00efter" was exported as
    "Före", the rest lost without a word. The app refuses a NUL since 2026-11-30; a text
    stored before keeps all its words in the export, the NUL shown as U+FFFD, the
    replacement character.
    """
    for col in table.columns.drop(table.geometry.name):
        values = table[col].tolist()
        if any(isinstance(v, str) and "\x00" in v for v in values):
            table[col] = [v.replace("\x00", NUL_MARK) if isinstance(v, str) else v for v in values]


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
        _mark_nul(table)
        table.to_file(out, layer="spots", driver="GPKG")
    else:
        collection = spots_geojson(list_spots(path=path))
        out.write_text(json.dumps(collection, ensure_ascii=False, default=str), encoding="utf-8")
    logger.info("%d spots to %s", len(spots), out)
    return len(spots)
