"""Read a file of dated points (CSV, spreadsheet, GeoJSON, GPKG) for a backtest, not the store.

Every row read is accounted for: it is used, left out by a ``--where`` filter, a further row
of an incident already counted (``id_col``), or dropped with a reason (no location, an
impossible location, no time, far from all the others, outside the file's main period).
Open data from other cities carry such rows (missing coordinates, ``(0, 0)`` for "not
geocoded", a few points geocoded to another state); left in, one far point would stretch
the study area over hundreds of kilometres of empty grid and dilute every PAI.
"""

from __future__ import annotations

import logging
import re
import zoneinfo
from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd

from geo.errors import DataError, ImportFileError
from geo.pointarea import check_area
from geo.pointcoords import (
    FAR_FACTOR,
    FAR_QUANTILE,
    MIN_FAR_KM,
    check_axes,
    check_units,
    coordinates,
    crs_text,
    far_from_median,
    few_places,
    own_crs_fix,
    project,
    shared_coordinate,
    source_crs,
)
from geo.pointperiod import (
    MAX_GAP_MONTHS,
    MAX_OUTSIDE_SHARE,
    MIN_MONTH_SHARE,
    empty_months_note,
    main_period,
    outside_period,
    parse_period,
)
from geo.pointtable import missing_columns, no_geometry, read_table
from geo.timeformat import ParsedColumn, TimesRefusedError, parse_time_column
from geo.timeparts import all_years, joined_text, parse_time_parts, time_columns

__all__ = [
    "DROP_REASONS",
    "FAR_FACTOR",
    "FAR_QUANTILE",
    "MAX_GAP_MONTHS",
    "MAX_OUTSIDE_SHARE",
    "MIN_FAR_KM",
    "MIN_MONTH_SHARE",
    "main_period",
    "parse_period",
    "read_points",
]

logger = logging.getLogger(__name__)

#: Why a row is dropped, in the order the reasons are checked (a row gets the first that fits).
DROP_REASONS: tuple[str, ...] = (
    "repeated header",
    "no location",
    "impossible location",
    "no time",
    "far from the others",
    "outside the period",
)
#: More of a time column's written values than this share unread, and the file is refused.
MAX_UNREAD_SHARE = 0.1


def _parse_where(where: Sequence[str]) -> list[tuple[str, str]]:
    """Split the ``--where`` filters into ``(column, value)``, ends stripped."""
    out = []
    for cond in where:
        col, sep, value = cond.partition("=")
        if not sep or not col.strip():
            msg = f'Filter {cond!r} must be COLUMN=VALUE, e.g. --where "Primary Type=NARCOTICS".'
            raise ImportFileError(msg)
        out.append((col.strip(), value.strip()))
    return out


#: Combining marks, which NFKD splits off accented letters (``Í`` → ``I`` + ``´``).
_ACCENTS = re.compile(r"[\u0300-\u036f]")


def _match_keys(values: pd.Series) -> pd.Series:
    """Return what ``--where`` compares of each value.

    Spaces at the ends are ignored, text is compared without case and accents
    (``Narcotics`` is ``NARCOTICS``, ``VIA`` is ``VÍA``) and a number by its value (``3``
    is ``3.0``, as a GeoJSON property with nulls is read). Missing values stay missing.
    """
    codes, uniques = pd.factorize(values.astype("string").str.strip())
    text = pd.Series(uniques, dtype="string")
    plain = text.str.normalize("NFKD").str.replace(_ACCENTS, "", regex=True)
    keys = np.array(plain.str.casefold().astype(object), dtype=object)
    number = pd.to_numeric(text, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    for i in np.flatnonzero(np.isfinite(number)):
        keys[i] = repr(float(number[i]) + 0.0)  # -0.0 is 0.0
    found = codes >= 0
    out = np.full(len(values), None, dtype=object)
    out[found] = keys[codes[found]]
    return pd.Series(out, index=values.index, dtype="string")


def _common_values(values: pd.Series, n: int = 8) -> str:
    """Name the ``n`` most common values, writing variants compared alike together.

    ``'NARCOTICS'/'Narcotics' (7,563)``: what a filter value must match, and how often.
    """
    counts = values.astype("string").str.strip().value_counts()
    if counts.empty:
        return "none (the column is empty)"
    keys = _match_keys(pd.Series(counts.index, dtype="string")).to_numpy()
    groups = pd.Series(counts.to_numpy(), index=keys).groupby(level=0, sort=False)
    said = []
    for key, total in groups.sum().sort_values(ascending=False, kind="stable").head(n).items():
        variants = "/".join(repr(str(v)) for v in counts.index[keys == key])
        said.append(f"{variants} ({total:,})")
    return ", ".join(said)


def _incident_lines(
    ids: pd.Series, *, usable: npt.NDArray[np.bool_]
) -> tuple[npt.NDArray[np.bool_], int]:
    """Return which rows stand for their incident, and how many rows have no id.

    An incident's rows (its charges or offences) are one event: its first row with a location
    and a time stands for it, or its first row when none has both, so that an incident whose
    first line lacks coordinates is not lost when a later line has them. Rows without an id
    each stand for themselves.

    Parameters
    ----------
    ids
        The id column.
    usable
        Rows with a location and a time.

    Returns
    -------
    tuple
        The rows to keep (a mask) and the number of rows without an id.
    """
    text = ids.astype("string").str.strip()
    has_id = (text.notna() & (text != "")).to_numpy(dtype=bool)
    order = np.lexsort((np.arange(len(text)), ~usable))  # usable rows first, each in file order
    first = ~text.iloc[order].duplicated().to_numpy(dtype=bool)
    keep = ~has_id
    keep[order[first & has_id[order]]] = True
    return keep, int((~has_id).sum())


def _filter(df: pd.DataFrame, where: Sequence[tuple[str, str]], path: Path) -> pd.DataFrame:
    """Keep the rows that match every column's filters: one of its values (``A=x``, ``A=y``).

    Values are compared as :func:`_match_keys` says; the columns must exist.
    """
    wanted: dict[str, list[str]] = {}
    for col, value in where:
        wanted.setdefault(col, []).append(value)
    for col, values in wanted.items():
        want = set(_match_keys(pd.Series(values, dtype="string")).dropna())
        kept = df[_match_keys(df[col]).isin(want).fillna(value=False).to_numpy(dtype=bool)]
        if kept.empty:
            said = repr(values[0]) if len(values) == 1 else f"any of {values!r}"
            msg = (
                f"No row of {str(path)!r} has {col} = {said} (compared without case, accents, "
                "spaces at the ends and how a number is written; after the filters before "
                "it); its "
                f"most common values are {_common_values(df[col])}."
            )
            raise ImportFileError(msg)
        df = kept
    return df


def _shown(value: object) -> str:
    """Write a cell's value for a message: ``= '0.0'``, or ``missing``.

    A CSV's ``NULL``, ``N/A`` and ``NA`` are read as missing, as a blank cell is: both are
    ``missing``, not ``empty``, which a cell holding ``NULL`` is not.
    """
    try:
        missing = bool(pd.isna(value))  # type: ignore[call-overload]  # None, NaN, NA, NaT
    except (TypeError, ValueError):  # an array-like value
        missing = False
    if missing:
        return "missing"
    return f"= {str(value)!r}"


def _data_row(label: int, members: Sequence[tuple[str, int]]) -> str:
    """Name a row by the reader's label: ``data row 5``, in its own file of a zip of several."""
    row, where = label + 1, ""
    if len(members) > 1:
        ends = np.cumsum([n for _, n in members])
        k = int(np.searchsorted(ends, row))  # the file holding global row `row`
        row, where = row - int(ends[k - 1] if k else 0), f" of {members[k][0]}"
    return f"data row {row}{where}"


def _repeated_headers(df: pd.DataFrame, names: Sequence[str]) -> npt.NDArray[np.bool_]:
    """Tell the rows that repeat the header: each named column holds its own name.

    Exports concatenated into one file (``cat`` of monthly CSVs) carry each file's header
    line as a row.
    """
    same = np.full(len(df), bool(names))
    for col in names:
        text = df[col].astype("string").str.strip().str.casefold()
        same &= (text == str(col).strip().casefold()).fillna(value=False).to_numpy(dtype=bool)
    return same


def _first_examples(
    df: pd.DataFrame,
    reason: npt.NDArray[np.object_],
    *,
    x_col: str | None,
    y_col: str | None,
    time: pd.Series,
    members: Sequence[tuple[str, int]] = (),
) -> dict[str, str]:
    """Name the first dropped row of each reason: its data row (1-based) and the values.

    ``time`` is the time column as written, named as ``--time-col`` names it (its parts
    joined by spaces for a split time). Of a zip of several CSV files the row is counted in
    its own file, which is named.
    """
    out: dict[str, str] = {}
    for why in DROP_REASONS:
        hits = np.flatnonzero(reason == why)
        if hits.size == 0:
            continue
        i = int(hits[0])
        row = _data_row(int(df.index[i]), members)  # the reader's labels survive the filters
        if why in ("no time", "outside the period"):
            said = f"{time.name} {_shown(time.iloc[i])}"
        elif x_col and x_col == y_col:  # one column holding whole points
            said = f"{x_col} {_shown(df[x_col].iloc[i])}"
        elif x_col and y_col:
            said = f"{x_col} {_shown(df[x_col].iloc[i])}, {y_col} {_shown(df[y_col].iloc[i])}"
        else:
            said = f"geometry {_shown(df.geometry.iloc[i])}"
        out[why] = f"{row}: {said}"
    return out


def _check_not_years(values: pd.Series, path: Path, time_col: str) -> None:
    """Refuse a time column that holds years alone (Vancouver's ``YEAR``), naming the fix."""
    if all_years(values):
        msg = (
            f"Column {time_col!r} of {str(path)!r} holds years alone (e.g. "
            f"{str(values.dropna().iloc[0])!r}): every event would fall on 1 January. Name the "
            "columns of the date in order, separated by commas: --time-col YEAR,MONTH,DAY "
            "(with the file's names; HOUR,MINUTE may follow)."
        )
        raise ImportFileError(msg)


def _check_not_numbers(values: pd.Series, path: Path, time_col: str) -> None:
    """Refuse a time column of whole numbers 0-53 alone: days, months or weeks, no dates."""
    text = values.astype("string").str.strip()
    written = text[text.notna() & (text != "")]
    number = pd.to_numeric(written.head(_SMALL_SAMPLE), errors="coerce").astype("float64")
    if written.empty or not bool(((number % 1 == 0) & number.between(0, 53)).all()):
        return
    number = pd.to_numeric(written, errors="coerce").astype("float64")
    if bool(((number % 1 == 0) & number.between(0, 53)).all()):
        msg = (
            f"Column {time_col!r} of {str(path)!r} holds small whole numbers alone (e.g. "
            f"{str(written.iloc[0])!r}, data row {int(written.index[0]) + 1}): a day, month or "
            "week number is no date. Name the columns of the date in order, separated by "
            "commas: --time-col YEAR,MONTH,DAY, or YEAR,WEEK for ISO weeks (with the file's "
            "names)."
        )
        raise ImportFileError(msg)


#: Values of a time column looked at before the whole of it (:func:`_check_not_numbers`).
_SMALL_SAMPLE = 100

#: Words an export writes for a time it does not know, in any case: a row holding one has no
#: time (dropped and counted as such), not a date the format failed to read. So is a value of
#: only zeros and separators (``0000-00-00``, ``00/00/0000 00:00``).
NO_TIME_WORDS: frozenset[str] = frozenset(
    {"unknown", "n/a", "na", "nan", "nat", "null", "none", "-", "--", "?", "#n/a", "missing",
     "okänd", "okänt", "saknas", "uppgift saknas", "ej känd", "unbekannt", "inconnu"}
)  # fmt: skip
_ZEROS = re.compile(r"[0\W_]+")


def _check_times_read(
    values: pd.Series, times: ParsedColumn, path: Path, time_col: str, *, split: bool = False
) -> None:
    """Refuse a time column of which more than :data:`MAX_UNREAD_SHARE` of the values is unread.

    Dropping them as *no time* would leave months and weeks with holes (month names in a
    language :data:`geo.timeformat.MONTH_NAMES` lacks read only where they are spelt as in
    English), and every PAI after them wrong. ``split``: the time is written over several
    columns (``values`` their parts joined), so the message names their order as the fix.
    """
    text = values.astype("string").str.strip().fillna("")
    written = values.notna().to_numpy(dtype=bool) & ~no_time_written(text).to_numpy(dtype=bool)
    unread = written & times.at.isna().to_numpy(dtype=bool)
    n_written, n_unread = int(written.sum()), int(unread.sum())
    if n_written == 0 or n_unread <= MAX_UNREAD_SHARE * n_written:
        return
    examples = ", ".join(repr(str(v)) for v in pd.unique(values[unread])[:3])
    if split:  # several columns: how each was read is what to check
        others, fix = (
            f"columns read as {times.format!r}",
            (
                "Name the columns in the order year,month,day[,hour,minute,second], "
                "year,week[,weekday,hour,minute,second] (ISO weeks, days 1 Monday … 7 Sunday) "
                "or date,time."
            ),
        )
    else:
        others = (
            f"the others were read as {times.format!r}; months cut from them would have holes"
            if n_unread < n_written
            else "no format reads any"
        )
        fix = (
            "Write the dates as 2019-01-31 or 2019-01-31 21:15 (ISO 8601); a date split over "
            "several columns is named by them in order: --time-col YEAR,MONTH,DAY."
        )
    msg = (
        f"{n_unread:,} of the {n_written:,} dates in column {time_col!r} of {str(path)!r} "
        f"({100 * n_unread / n_written:.0f} %) cannot be read, e.g. {examples} ({others}). "
        f"{fix} Month names are read in English, Swedish, German, French, Spanish, Dutch and "
        "Italian."
    )
    raise ImportFileError(msg)


def _spaced_headers_named(df: pd.DataFrame, names: Sequence[str]) -> pd.DataFrame:
    """Rename a header written with spaces around it (``" Date "``) to the name asked for.

    Only where the name is no column itself and exactly one column is it but for the spaces.
    """
    renames = {}
    for name in dict.fromkeys(names):
        if name in df.columns:
            continue
        spaced = [c for c in df.columns if isinstance(c, str) and c.strip() == name.strip()]
        if len(spaced) == 1:
            renames[spaced[0]] = name
    return df.rename(columns=renames) if renames else df


def no_time_written(text: pd.Series) -> pd.Series:
    """Tell which stripped texts of a time column say there is no time (blank or a placeholder).

    Parameters
    ----------
    text
        The column's values as stripped strings (missing as ``""``).

    Returns
    -------
    pandas.Series
        Booleans: blank, a word of :data:`NO_TIME_WORDS` in any case, or only zeros and
        separators.
    """
    lowered = text.str.lower()
    return (
        (text == "")
        | lowered.isin(NO_TIME_WORDS)
        | text.str.fullmatch(_ZEROS.pattern).fillna(value=False).astype(bool)
    )


def _times_refused(
    error: TimesRefusedError, df: pd.DataFrame, parts: Sequence[str], path: Path, time_col: str
) -> ImportFileError:
    """Make the error for a time column :mod:`geo.timeformat` refuses, naming a row at fault."""
    at = pd.Series(False, index=df.index)
    for col in parts:
        at |= (df[col].astype("string").str.strip() == error.value).fillna(value=False)
    hits = np.flatnonzero(at.to_numpy(dtype=bool))
    row = f", data row {int(df.index[hits[0]]) + 1}" if hits.size else ""
    return ImportFileError(f"Column {time_col!r} of {str(path)!r}{row}: {error}")


def check_zone(tz: str | None) -> None:
    """Raise :class:`DataError` unless ``tz`` is ``None`` or an IANA time zone name."""
    if tz is None:
        return
    try:
        zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as e:
        msg = (
            f"Unknown time zone {tz!r}; give an IANA name such as Europe/Stockholm, "
            "America/Chicago or Europe/London."
        )
        raise DataError(msg) from e


def read_points(
    path: Path,
    *,
    x_col: str | None,
    y_col: str | None,
    time_col: str,
    crs: str | None,
    where: Sequence[str] = (),
    max_distance_km: float | None = None,
    period: str | None = None,
    layer: str | None = None,
    id_col: str | None = None,
    tz: str | None = None,
) -> pd.DataFrame:
    """Read a point file into metres for a backtest, accounting for every row.

    Parameters
    ----------
    path
        The file: CSV with any of ``,``/``;``/tab as delimiter (also ``.csv.gz``, ``.bz2``,
        ``.xz`` or ``.zip``) in UTF-8 (a few bad bytes replaced), UTF-16 with its byte-order
        mark or Windows-1252, an Excel workbook (``.xlsx``, or ``.xls`` of Excel 97-2003) or
        OpenDocument spreadsheet (``.ods``), GeoJSON, GeoPackage or another file GDAL reads;
        of a file without geometry (a lone ``.dbf``) ``x_col`` and ``y_col`` must be named.
    x_col, y_col
        Coordinate columns (``x`` = easting/longitude; a decimal comma or thousands
        separators are read, the two columns alike: :func:`geo.pointtext.read_pair`); one
        column named for both holds whole points, WKT ``POINT (x y)`` or Socrata's ``(lat,
        lon)`` (:func:`geo.pointtext.read_whole_points`); ``None`` to use the file's
        geometry (a point on the surface of lines and polygons).
    time_col
        Date or datetime column, read with one format for the whole column
        (:func:`geo.timeformat.parse_time_column`); or several, separated by commas: year,
        month, day (hour, minute, second), or a date and a time of day
        (:func:`geo.timeparts.parse_time_parts`).
    crs
        CRS of ``x_col``/``y_col`` (e.g. ``"EPSG:4326"``); default the file's own CRS.
    where
        Filters ``"COLUMN=VALUE"``: a row is kept when, for every column named, its value is
        one of those given for that column (``Type=A``, ``Type=B`` keeps both kinds); values
        are compared without case, spaces at the ends ignored, and numbers by their value
        (``district=3`` keeps ``3.0``).
    max_distance_km
        Drop points farther than this from the median point; default
        ``max(6 × the distance holding 90 % of the points, 10 km)``; rows sharing one
        exact coordinate among them (a placeholder such as ``-1,-1``) are counted in the
        example (``1,186 rows at (-1, -1)``).
    period
        Months to keep, ``"FROM:TO"`` (:func:`parse_period`); default the file's main period
        (:func:`main_period`), which leaves off thinly filled months at either end.
    layer
        The layer of a GeoPackage (or other multi-layer file) or the sheet of an Excel
        workbook to read; default the first.
    id_col
        Incident id column: rows sharing an id (the offence or charge lines of one incident,
        as SFPD's exports have them) count once, as the first of them (after the filters).
        Rows without an id count each. Default: every row is an event.
    tz
        IANA time zone of the place (``"America/Chicago"``): times written with a UTC offset
        (``…Z``, ``…+01:00``) or as Unix times are moved to its wall clock before months and
        weeks are cut. Default: every time is kept as written (Unix times as UTC).

    Returns
    -------
    pandas.DataFrame
        ``x``, ``y`` (ground metres, not below zero: as given in a projected CRS counting
        metres, else in the UTM zone of the median point: degrees, feet, Web Mercator,
        whose metres are 1.35 ground metres at 42°N, and metres below zero, as US Albers
        gives west of its centre, are projected rather than shifted, so that the CRS
        named is the points' own) and ``t`` (naive datetime, the wall-clock time as
        written). ``attrs["crs"]`` names the CRS; ``attrs["rows"]`` the account ``read``,
        ``not matching --where``, ``repeated incident`` and ``without an id`` (rows of
        ``id_col`` left empty, each counted; with ``id_col``), ``used`` and
        ``dropped`` (rows per reason of
        :data:`DROP_REASONS`); ``attrs["dropped_examples"]`` the first dropped row of each
        reason (data row, 1-based, and its values; data row 1 is the first row below the
        header, which is on line or sheet row ``attrs["header_line"]``, 1 but for an Excel
        ``sep=`` line or title lines above it; blank lines of a CSV are not counted);
        ``attrs["time_format"]`` the date format;
        ``attrs["far_km"]`` the distance limit; ``attrs["period"]`` the months kept
        (``"2019-01:2019-12"``) and whether they were ``"given"`` or ``"found"``
        (``attrs["period_source"]``); ``attrs["layer"]`` the layer or sheet read (empty for
        a CSV) and ``attrs["layer_kind"]`` which of the two;
        ``attrs["files"]`` the number of CSV files read (several from a zip);
        ``attrs["tz"]`` the time zone given, ``attrs["times_converted"]`` how many times
        were moved to it and ``attrs["times_with_offset"]`` how many were written with a UTC
        offset; ``attrs["bad_lines"]`` how many lines of a UTF-8 CSV had bytes that are not
        UTF-8 (read as "�"); ``attrs["warnings"]`` what to check about the coordinates
        (points outside the area of use of their CRS, :func:`geo.pointarea.check_area`;
        thousands separators read because the CRS is projected; points on a few places
        only, :func:`geo.pointcoords.few_places`) and the times (most months empty,
        :func:`geo.pointperiod.empty_months_note`).

    Raises
    ------
    DataError
        If ``tz`` is not a time zone name.
    ImportFileError
        If the file cannot be read, a column is missing, a file without geometry is read
        without ``x_col``/``y_col`` (the message names its columns), a filter matches
        nothing or no row is left (the message counts the rows per reason).
    CRSError
        If the CRS is missing or unknown, longitude and latitude look swapped (by the
        columns' names or by latitudes beyond ±90°), the points lie more than
        :data:`geo.pointarea.FAR_OUTSIDE_KM` outside the CRS's area of use, or where no
        UTM zone is defined.
    """
    check_zone(tz)
    conditions = _parse_where(where)
    others = {c for c in (x_col, y_col, id_col) if c} | {c for c, _ in conditions}
    wanted_period = parse_period(period) if period else None
    table = read_table(path, others | set(time_columns(time_col)), layer)
    parts = time_columns(time_col, list(table.df.columns))
    if parts == [time_col] and "," in time_col and table.df.empty:  # a name with a comma
        table = read_table(path, others | {time_col}, layer)  # a CSV gave its header alone
    df = table.df
    members = list(df.attrs.get("members", []))
    bad_lines = int(df.attrs.get("bad_lines", 0))
    header_line = int(df.attrs.get("header_line", 1))
    n_read = len(df)
    named = (x_col, y_col, *parts, id_col, *(c for c, _ in conditions))
    df = _spaced_headers_named(df, [c for c in named if c is not None])
    missing = [c for c in dict.fromkeys(named) if c is not None and c not in df.columns]
    if missing:
        raise missing_columns(table, path, missing, conditions)
    if not (x_col and y_col) and not isinstance(df, gpd.GeoDataFrame):
        raise no_geometry(table, path)
    header_rows = _repeated_headers(df, [c for c in dict.fromkeys(named) if c is not None])
    n_headers = int(header_rows.sum())
    header_example = _data_row(int(df.index[header_rows][0]), members) if n_headers else ""
    df = df[~header_rows]
    df = _filter(df, conditions, path)
    n_matching = len(df)
    src = source_crs(crs, table.crs, path)
    x, y, warnings = coordinates(df, x_col, y_col, path, src)
    # the file's own CRS describes its geometry, not columns: a --crs over it may be the fault
    own = own_crs_fix(x, y, src, table.crs) if crs and not (x_col and y_col) else ""
    check_axes(x, y, src, path, x_col, y_col)
    check_units(x, y, src, path, fix=own)
    warnings += [w for w in (check_area(x, y, src, path, fix=own),) if w]
    if len(parts) == 1:
        _check_not_years(df[time_col], path, time_col)
        _check_not_numbers(df[time_col], path, time_col)
    written = df[time_col] if len(parts) == 1 else joined_text(df, parts).rename(time_col)
    try:
        times = (
            parse_time_column(df[time_col], tz)
            if len(parts) == 1
            else parse_time_parts(df, parts, tz)
        )
    except TimesRefusedError as e:
        raise _times_refused(e, df, parts, path, time_col) from e
    _check_times_read(written, times, path, time_col, split=len(parts) > 1)
    reason = np.full(len(df), "", dtype=object)
    no_loc = ~(np.isfinite(x) & np.isfinite(y))
    impossible = (x == 0) & (y == 0)
    if src.is_geographic:
        impossible |= (np.abs(x) > 180) | (np.abs(y) > 90)
    for why, mask in (
        ("no location", no_loc),
        ("impossible location", impossible),
        ("no time", times.at.isna().to_numpy()),
    ):
        reason[(reason == "") & mask] = why
    at = times.at.to_numpy()
    no_id = 0
    if id_col is not None:  # one row per incident (charges, offences): its first usable line
        keep, no_id = _incident_lines(df[id_col], usable=reason == "")
        df, x, y, at, reason, written = (
            df[keep],
            x[keep],
            y[keep],
            at[keep],
            reason[keep],
            written[keep],
        )
    ok = reason == ""
    far_km, kept_period, pile = float("nan"), "", ""
    if ok.any():
        px, py, used_crs = project(x[ok], y[ok], src, path)
        far, far_km = far_from_median(px, py, max_distance_km)
        reason[np.flatnonzero(ok)[far]] = "far from the others"
        pile = shared_coordinate(x[ok][far], y[ok][far])
        t = pd.DatetimeIndex(at[ok])
        outside, kept_period, period_note = outside_period(t.to_period("M"), far, wanted_period)
        warnings += [period_note] if period_note else []
        reason[np.flatnonzero(ok)[outside]] = "outside the period"
        use = ~far & ~outside
        out = pd.DataFrame({"x": px[use], "y": py[use], "t": t[use]})
        # kept, yet distant: a placeholder shared by too many rows for the far rule to drop
        distant = use & (np.hypot(px - np.median(px), py - np.median(py)) > MIN_FAR_KM * 1000.0)
        out.attrs["distant_pile"] = shared_coordinate(x[ok][distant], y[ok][distant])
    else:
        out, used_crs = pd.DataFrame({"x": [], "y": [], "t": pd.to_datetime([])}), src
    dropped = {why: int((reason == why).sum()) for why in DROP_REASONS}
    dropped["repeated header"] = n_headers
    examples = _first_examples(df, reason, x_col=x_col, y_col=y_col, time=written, members=members)
    if n_headers:
        examples["repeated header"] = f"{header_example}: the header line again"
    if pile:
        examples["far from the others"] += f"; {pile}"
    if out.empty:
        counts = ", ".join(f"{n} {why} (first {examples[why]})" for why, n in dropped.items() if n)
        example = written.dropna().astype(str).head(1).tolist()
        msg = (
            f"No point with a location and a time left in {str(path)!r} "
            f"(filters {list(where)!r}; {len(df)} rows: {counts}; {time_col} values like "
            f"{example} read with format {times.format!r}). Check --x-col/--y-col/--crs, "
            "--time-col and --period."
        )
        raise ImportFileError(msg)
    out.attrs["crs"] = crs_text(used_crs)
    out.attrs["warnings"] = [
        *warnings,
        *(w for w in (few_places(out["x"].to_numpy(), out["y"].to_numpy()),) if w),
        *(w for w in (empty_months_note(out["t"], times.format),) if w),
    ]
    out.attrs["rows"] = {
        "read": n_read,
        "not matching --where": n_read - n_headers - n_matching,
        "repeated incident": n_matching - len(df),
        "without an id": no_id,
        "used": len(out),
        "dropped": dropped,
    }
    out.attrs["dropped_examples"] = examples
    out.attrs["time_format"] = times.format
    out.attrs["far_km"] = far_km
    out.attrs["period"] = kept_period
    out.attrs["period_source"] = "given" if wanted_period else "found"
    out.attrs["layer"] = table.label
    out.attrs["layer_kind"] = table.kind
    out.attrs["files"] = max(len(members), 1)
    out.attrs["tz"] = tz
    out.attrs["times_converted"] = times.converted
    out.attrs["times_with_offset"] = times.with_offset
    out.attrs["bad_lines"] = bad_lines
    out.attrs["header_line"] = header_line
    logger.info("%s: %s (time format %s)", path, out.attrs["rows"], times.format)
    return out
