"""What one import tells its user: the first quarantined rows per reason and coordinate fixes."""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from geo import store
from geo.ingest._columns import describe_aliases
from geo.ingest.normalize import Normalized
from geo.quarantine import FIRST_ROWS, QuarantinedRow
from geo.store import ImportResult

logger = logging.getLogger("geo.ingest")


@dataclass(frozen=True)
class FileImportResult(ImportResult):
    """Counts of one file's import plus its first quarantined rows per reason.

    ``examples`` holds up to :data:`FIRST_ROWS` rows per reason, by line; all of them are
    in the store's ``quarantine`` table. A file imported before has none.
    """

    file: str = ""
    examples: tuple[QuarantinedRow, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """Return the counts and ``examples`` (``file, line, reason, detail`` objects)."""
        out = super().as_dict()
        out["examples"] = [asdict(e) for e in self.examples]
        return out


def _lines(lines: list[int]) -> str:
    shown = ", ".join(str(n) for n in lines[:FIRST_ROWS])
    more = len(lines) - FIRST_ROWS
    word = "line" if len(lines) == 1 else "lines"
    return f"{word} {shown}" + (f" and {more} more" if more > 0 else "")


def _stored_now(store_path: Path | None, sha256: str, ids: list[str]) -> set[str]:
    """Return which of ``ids`` this file's import stored (not duplicates of earlier rows)."""
    if not ids:
        return set()
    found: set[str] = set()
    with store.connect(store_path) as conn:
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            rows = conn.execute(
                "SELECT i.incident_id FROM incidents i JOIN imports m ON i.import_id = m.fid"
                f" WHERE m.file_sha256 = ? AND i.incident_id IN ({','.join('?' * len(chunk))})",
                [sha256, *chunk],
            ).fetchall()
            found.update(str(r[0]) for r in rows)
    return found


def report_coordinates(
    file: str,
    normalized: Normalized,
    result: ImportResult,
    *,
    sha256: str,
    store_path: Path | None,
) -> None:
    """Log, naming the file, a detected CRS and rows whose x and y were swapped and fixed.

    Nothing is logged for a file imported before, and swapped rows that were duplicates of
    stored ones are not named again (their fix was reported when they were stored).

    Parameters
    ----------
    file
        The file's name as the user gave it.
    normalized
        The file's validated rows.
    result
        The counts the store returned.
    sha256
        The file's hash (its import in the store).
    store_path
        The store; default :func:`geo.store.default_path`.
    """
    if result.already_imported or result.stored + result.quarantined == 0:
        return
    code = normalized.crs
    if normalized.crs_detected:
        axes = " with x and y swapped (fixed)" if normalized.swapped_file else ""
        logger.warning(
            "%s: coordinates read as EPSG:%d%s, detected from their values; pass --crs EPSG:%d"
            " to say so, or --crs with the file's real CRS if that is wrong",
            file,
            code,
            axes,
            code,
        )
    if normalized.swapped_file and not normalized.crs_detected and result.stored:
        logger.warning(
            "%s: x and y are swapped in the whole file (lat under lon, or N under E); read as"
            " EPSG:%d with the axes exchanged",
            file,
            code,
        )
    swapped = normalized.swapped_rows
    if not swapped:
        return
    stored = _stored_now(store_path, sha256, list(swapped.values()))
    lines = sorted(line for line, iid in swapped.items() if iid in stored)
    if lines:
        rows = "1 row" if len(lines) == 1 else f"{len(lines)} rows"
        logger.warning(
            "%s %s: x and y were swapped (%s); fixed and flagged location_flag = xy_swapped",
            file,
            _lines(lines),
            rows,
        )


def report_dates(file: str, normalized: Normalized, result: ImportResult) -> None:
    """Log, naming the file and lines, dates read month first or in a file mixing the orders.

    A file whose dates are all written month first (``11/25/2026``, as an Excel set to
    English (United States) writes them) is read so; one that writes both orders is read day
    first, and the lines whose dates read either way (``05/11/2026``) are named to be
    checked. Nothing is logged for a file imported before.

    Parameters
    ----------
    file
        The file's name as the user gave it.
    normalized
        The file's validated rows.
    result
        The counts the store returned.
    """
    dates = normalized.dates
    if dates is None or dates.month_only is None or result.already_imported:
        return
    month_line, month_text = dates.month_only
    if dates.month_first:
        logger.warning(
            "%s: dates read month first, as Excel set to English (United States) writes them:"
            " line %d has %r, which only month first reads; write dates year first"
            " (2026-11-25) to be sure",
            file,
            month_line,
            month_text,
        )
    elif dates.day_only is not None and dates.either:
        day_line, day_text = dates.day_only
        logger.warning(
            "%s: dates written both day first (line %d: %r) and month first (line %d: %r);"
            " the dates on %s read either way and were read day first: check them, and"
            " write dates year first (2026-11-05)",
            file,
            day_line,
            day_text,
            month_line,
            month_text,
            _lines(list(dates.either)),
        )


def report_columns(file: str, normalized: Normalized, result: ImportResult) -> None:
    """Log, naming the file, the columns no field reads (nothing for a file imported before).

    A column of the incidents' description or place under a name of its own is not read;
    the warning says which to rename. Up to twelve are named.
    """
    unread = normalized.unread
    if not unread or result.already_imported:
        return
    more = f" and {len(unread) - 12} more" if len(unread) > 12 else ""
    named = ", ".join(map(repr, unread[:12])) + more
    logger.warning(
        "%s: columns not read (no field has their name): %s; if one holds the incidents'"
        " time, place, category or description, rename it (accepted names: %s)",
        file,
        named,
        describe_aliases(),
    )
