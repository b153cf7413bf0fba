"""GeoPackage plumbing: the core metadata tables and the geometry blob (OGC 12-128r18 §2.1.3)."""

from __future__ import annotations

import sqlite3
import struct
from collections.abc import Iterable

import numpy as np
import shapely

APPLICATION_ID = 0x47504B47  # "GPKG"
USER_VERSION = 10400  # GeoPackage 1.4

_CORE_SQL = """
CREATE TABLE IF NOT EXISTS gpkg_spatial_ref_sys (
  srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, organization TEXT NOT NULL,
  organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT);
CREATE TABLE IF NOT EXISTS gpkg_contents (
  table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE,
  description TEXT DEFAULT '', last_change DATETIME NOT NULL DEFAULT
  (strftime('%Y-%m-%dT%H:%M:%fZ','now')), min_x DOUBLE, min_y DOUBLE, max_x DOUBLE,
  max_y DOUBLE, srs_id INTEGER, CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id)
  REFERENCES gpkg_spatial_ref_sys(srs_id));
CREATE TABLE IF NOT EXISTS gpkg_geometry_columns (
  table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL,
  srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
  CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
  CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
  CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));
"""
_SRS_ROWS = (
    (
        "Undefined cartesian SRS",
        -1,
        "NONE",
        -1,
        "undefined",
        "undefined cartesian coordinate reference system",
    ),
    (
        "Undefined geographic SRS",
        0,
        "NONE",
        0,
        "undefined",
        "undefined geographic coordinate reference system",
    ),
)


def init_core(conn: sqlite3.Connection) -> None:
    """Create the GeoPackage core tables (idempotent) and set the file's identity pragmas."""
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute(f"PRAGMA user_version = {USER_VERSION}")
    conn.executescript(_CORE_SQL)
    conn.executemany("INSERT OR IGNORE INTO gpkg_spatial_ref_sys VALUES (?,?,?,?,?,?)", _SRS_ROWS)


def register_srs(conn: sqlite3.Connection, epsg: int) -> None:
    """Add an EPSG CRS to ``gpkg_spatial_ref_sys`` (with its WKT) if it is not there."""
    from pyproj import CRS

    crs = CRS.from_epsg(epsg)
    conn.execute(
        "INSERT OR IGNORE INTO gpkg_spatial_ref_sys VALUES (?,?,?,?,?,?)",
        (crs.name, epsg, "EPSG", epsg, crs.to_wkt("WKT1_GDAL"), ""),
    )


def register_table(
    conn: sqlite3.Connection,
    table: str,
    *,
    geometry_type: str | None,
    srs_id: int,
    description: str = "",
) -> None:
    """Register a feature (``geometry_type`` given) or attribute table in ``gpkg_contents``."""
    data_type = "features" if geometry_type else "attributes"
    conn.execute(
        "INSERT OR IGNORE INTO gpkg_contents"
        " (table_name, data_type, identifier, description, srs_id)"
        " VALUES (?,?,?,?,?)",
        (table, data_type, table, description, srs_id if geometry_type else None),
    )
    if geometry_type:
        conn.execute(
            "INSERT OR IGNORE INTO gpkg_geometry_columns VALUES (?,?,?,?,0,0)",
            (table, "geom", geometry_type, srs_id),
        )


def to_blob(geom: shapely.Geometry | None, srs_id: int) -> bytes | None:
    """Encode a geometry as a GeoPackage binary blob (little-endian header, no envelope)."""
    if geom is None:
        return None
    flags = 0b00000001 | (0b00010000 if shapely.is_empty(geom) else 0)
    return b"GP" + struct.pack("<BBi", 0, flags, srs_id) + shapely.to_wkb(geom, byte_order=1)


_ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}


def from_blobs(blobs: Iterable[bytes | None]) -> np.ndarray:
    """Decode GeoPackage geometry blobs into an array of shapely geometries (``None`` stays)."""
    wkbs: list[bytes | None] = []
    for blob in blobs:
        if blob is None:
            wkbs.append(None)
            continue
        flags = blob[3]
        offset = 8 + _ENVELOPE_BYTES[(flags >> 1) & 0b111]
        wkbs.append(bytes(blob[offset:]))
    return np.asarray(shapely.from_wkb(wkbs), dtype=object)
