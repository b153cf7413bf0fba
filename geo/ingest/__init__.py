"""Ingest: read files, validate and geocode rows, then store or quarantine each with a reason."""

from __future__ import annotations

import logging
from dataclasses import fields
from pathlib import Path

import pandas as pd

from geo import settings, store
from geo.ingest._rekey import key_earlier_quarantine
from geo.ingest._report import (
    FileImportResult,
    report_columns,
    report_coordinates,
    report_dates,
)
from geo.ingest.normalize import REASONS, normalize_table
from geo.ingest.polisen import fetch_events, normalize_events
from geo.ingest.readers import read_file
from geo.quarantine import QuarantinedRow, first_rows
from geo.sites import load_places
from geo.store import ImportBatch, ImportResult

logger = logging.getLogger(__name__)

__all__ = [
    "REASONS",
    "FileImportResult",
    "ImportResult",
    "QuarantinedRow",
    "import_file",
    "import_polisen_api",
]


def import_file(
    path: Path,
    *,
    store_path: Path | None = None,
    crs: int | None = None,
    source: str = "kommun",
    now: pd.Timestamp | None = None,
    replace_source: str | None = None,
    layer: str | None = None,
) -> FileImportResult:
    """Import one file into the store: every row is stored, quarantined, a duplicate or a repeat.

    A bad row already quarantined by an earlier import (the same row in a file saved again,
    :func:`geo.quarantine.row_key`) is a repeat, not quarantined again; a row stored now
    resolves the quarantined rows it mends (:func:`geo.quarantine.fix_key`). Rows a store
    holds from before rows had keys are given theirs first
    (:func:`geo.ingest._rekey.key_earlier_quarantine`).

    A detected CRS, rows whose x and y were swapped, dates read month first (or in a file
    that writes both orders) and columns no field reads are logged as warnings naming the
    file (and the rows' lines); a file imported before logs none of them.

    Parameters
    ----------
    path
        CSV, XLSX, XLS, ODS, GeoJSON, GeoPackage or police open-API JSON.
    store_path
        The store; default ``settings.store_path``.
    crs
        EPSG code of coordinate columns; ``None`` detects it from the values.
    source
        Source id for rows without a source column.
    now
        The present (tests pin it); default the current time.
    replace_source
        Delete the stored incidents of this source in the same transaction (used by
        ``geo run`` to replace last week's synthetic set); ignored for a file imported before.
    layer
        The layer of a GeoPackage, or the sheet of a workbook, of several; default the only
        one with features (a table). Each is imported once (its import is named by the
        file's and the layer's hash; a workbook's first sheet by the file's alone).

    Returns
    -------
    FileImportResult
        ``read == stored + quarantined + duplicates + repeats``, with the first newly
        quarantined rows per reason (file, line, detail with the fix). A file imported
        before stores nothing.

    Raises
    ------
    geo.errors.ImportFileError
        If the whole file cannot be used.
    """
    table = read_file(path, layer=layer)
    places = load_places()
    if table.format == "polisen":
        result = normalize_events(list(table.rows["__event"]), table.lines, places)
    else:
        result = normalize_table(table, places, crs=crs, source=source, now=now)
    quarantine = (
        pd.concat([result.quarantine, table.malformed], ignore_index=True)
        if len(table.malformed)
        else result.quarantine
    )
    batch = ImportBatch(
        file=str(path),
        file_sha256=table.sha256,
        format=table.format,
        incidents=result.incidents,
        quarantine=quarantine,
        n_read=table.n_read,
        update_existing=table.format == "polisen",
        replace_source=replace_source,
        fixes=result.fixes,
    )
    key_earlier_quarantine(store_path, source)
    counts = store.write_import(batch, store_path)
    new = quarantine[~quarantine["line"].astype(int).isin(counts.repeat_lines)]
    report_coordinates(str(path), result, counts, sha256=table.sha256, store_path=store_path)
    report_dates(str(path), result, counts)
    report_columns(str(path), result, counts)
    return FileImportResult(
        **{f.name: getattr(counts, f.name) for f in fields(ImportResult)},
        file=str(path),
        examples=() if counts.already_imported else first_rows(str(path), new),
    )


def import_polisen_api(
    *,
    store_path: Path | None = None,
    location_names: list[str] | None = None,
    base_url: str | None = None,
    archive_dir: Path | None = None,
) -> FileImportResult:
    """Fetch current events from the police open API and import them like a dump.

    Parameters
    ----------
    store_path
        The store; default ``settings.store_path``.
    location_names
        Police location names; default the kommun and its län.
    base_url
        API URL; default ``settings.polisen_api_url``.
    archive_dir
        Where responses are archived; default ``<data_dir>/polisen/api``.

    Returns
    -------
    FileImportResult
        Counts; events already stored and unchanged count as duplicates, changed ones are updated.
    """
    names = location_names or [settings.kommun_name, settings.lan_name]
    out = archive_dir or settings.data_dir / "polisen" / "api"
    archived = fetch_events(location_names=names, out_dir=out, base_url=base_url)
    return import_file(archived, store_path=store_path)
