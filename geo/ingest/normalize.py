"""Validate raw rows into incidents (EPSG:3006, Europe/Stockholm) or quarantine them."""

from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd

from geo import settings
from geo.errors import ImportFileError
from geo.ingest._columns import describe_aliases, resolve_columns
from geo.ingest._coords import Located, locate, to_number
from geo.ingest._times import ParsedTimes, combine, parse_times
from geo.ingest.readers import RawTable
from geo.model import CATEGORIES, INCIDENT_COLUMNS, SOURCES, category_from_text
from geo.quarantine import fix_key, fix_keys, row_key
from geo.sites import Gazetteer, assign_places, inside_kommun, load_boundary

logger = logging.getLogger(__name__)

#: Quarantine reasons and what they mean (shown by ``geo import``).
REASONS: dict[str, str] = {
    "no_time": "no date/time that can be read",
    "time_in_future": "the time lies in the future",
    "no_location": "no coordinates and no place name found in the gazetteer",
    "bad_coordinates": "coordinates that are not numbers in any accepted CRS",
    "outside_kommun": "the location lies outside the kommun",
    "summary_not_incident": "a police shift summary, not an incident",
    "malformed_row": "a record that does not split into the header's fields",
}
QUARANTINE_COLUMNS = ("line", "reason", "detail", "raw", "key", "fix_key")
#: Fields read from the date and time columns; a row is known by the one time they give.
_TIME_FIELDS = ("datetime", "date", "time")


@dataclass(frozen=True)
class Normalized:
    """The result of validating one file's rows.

    Attributes
    ----------
    incidents
        Rows to store: :data:`geo.model.INCIDENT_COLUMNS` plus ``content_hash``.
    quarantine
        Rows not stored: ``line``, ``reason``, ``detail``, ``raw``, ``key`` and ``fix_key``
        (:mod:`geo.quarantine`). Each ``detail`` says what is wrong with the row and how to
        fix it.
    crs
        EPSG code the coordinate columns were read in (``None`` without coordinates, 0 when
        no accepted CRS fits them).
    crs_detected
        ``crs`` was detected from the values, not given with ``--crs`` or by the file.
    swapped_file
        x and y were swapped in the whole file (fixed).
    swapped_rows
        ``line → incident_id`` of rows to store whose own x and y were swapped (fixed).
    fixes
        The :func:`geo.quarantine.fix_keys` of the rows to store: quarantined rows of
        earlier imports with one of these keys are mended by this file.
    unread
        The file's columns no field reads (:func:`_unread_columns`), for a warning.
    dates
        How the dates of numbers alone were read (:func:`geo.ingest._times.date_order`),
        with lines: ``month_first``, and ``(line, text)`` of the first date only day first
        reads, of the first only month first reads, and the lines of dates that read either
        way in a file that mixes the orders.
    """

    incidents: gpd.GeoDataFrame
    quarantine: pd.DataFrame
    crs: int | None = None
    crs_detected: bool = False
    swapped_file: bool = False
    swapped_rows: dict[int, str] = field(default_factory=dict)
    fixes: frozenset[str] = frozenset()
    dates: DateLines | None = None
    unread: tuple[str, ...] = ()


@dataclass(frozen=True)
class DateLines:
    """How a file's dates of numbers alone were read, by line (:class:`Normalized` ``dates``)."""

    month_first: bool
    day_only: tuple[int, str] | None
    month_only: tuple[int, str] | None
    either: tuple[int, ...]


def _date_lines(table: RawTable, text: pd.Series, times: ParsedTimes) -> DateLines:
    """Return where a file's dates show their order, as lines and the text written there."""
    position = {label: i for i, label in enumerate(text.index)}

    def at(label: object | None) -> tuple[int, str] | None:
        if label is None:
            return None
        i = position[label]
        return int(table.lines[i]), str(text.iloc[i])

    order = times.order
    return DateLines(
        order.month_first,
        at(order.day_only),
        at(order.month_only),
        tuple(int(table.lines[position[label]]) for label in order.either),
    )


#: The name of an unnamed header cell (:func:`geo.ingest.readers.header_names`).
_UNNAMED = re.compile(r"kolumn \d+")


def _unread_columns(rows: pd.DataFrame, cols: dict[str, str]) -> tuple[str, ...]:
    """Return a file's named columns that no field reads.

    A description under a name of its own was dropped without a word, and with it the
    category its keywords give (every row ``ovrigt``); a warning names such columns.
    """
    read = set(cols.values())
    return tuple(
        str(c)
        for c in rows.columns
        if str(c) not in read and not str(c).startswith("__") and not _UNNAMED.fullmatch(str(c))
    )


def _raw_json(row: pd.Series) -> str:
    def clean(v: object) -> object:
        if v is None or (isinstance(v, float) and np.isnan(v)):
            return None
        if isinstance(v, str | int | float | bool | dict | list):
            return v
        return str(v)

    return json.dumps({str(k): clean(v) for k, v in row.items()}, ensure_ascii=False, default=str)


def _sources(rows: pd.DataFrame, cols: dict[str, str], source: str) -> pd.Series:
    """Return each row's source: its source column's when a known one, else ``source``."""
    src = _text(_col(rows, cols, "source"), len(rows), rows.index)
    src = src.map(lambda s: s if s in SOURCES else "")
    return src.where(src != "", source)


def _when(text: pd.Series, times: ParsedTimes) -> pd.Series:
    """Return the time each row's date and time columns give (ISO 8601), else their text."""
    read_at: pd.Series = times.at.dt.strftime("%Y-%m-%dT%H:%M:%S%z")
    return read_at.where(times.at.notna(), text)


def _identity_fields(
    rows: pd.DataFrame, cols: dict[str, str], when: pd.Series, source: pd.Series
) -> list[dict[str, object]]:
    """Return each row's values by field, as :mod:`geo.quarantine` knows a row.

    The date and time columns give one field, ``when`` (:func:`_when`: a date Excel saved
    as a date cell is the text it was). ``source`` is the row's source as stored, the
    file's geometry gives ``x`` and ``y``.
    """
    frame = pd.DataFrame(
        {f: rows[c] for f, c in cols.items() if f not in _TIME_FIELDS}, index=rows.index
    )
    if "__x" in rows:
        frame["x"], frame["y"] = rows["__x"], rows["__y"]
    frame["when"] = when
    frame["source"] = source
    return [{str(k): v for k, v in rec.items()} for rec in frame.to_dict("records")]


def row_fields(rows: pd.DataFrame, source: str = "kommun") -> list[dict[str, object]]:
    """Return each raw row's values by field, as :mod:`geo.quarantine` knows a row.

    For rows known only by their raw values (the ``raw`` of a row quarantined before rows
    had keys): the header gives the fields as :func:`normalize_table` reads them.

    Parameters
    ----------
    rows
        Raw rows, one column per column of their file.
    source
        Source of rows without a source column.

    Returns
    -------
    list of dict
        One ``{field: value}`` per row, for :func:`geo.quarantine.row_key`.
    """
    cols = resolve_columns(rows.columns)
    if any(f in cols for f in ("date", "datetime")):
        text = combine(
            _col(rows, cols, "date"), _col(rows, cols, "time"), _col(rows, cols, "datetime")
        )
    else:
        text = pd.Series("", index=rows.index, dtype=object)
    when = _when(text, parse_times(text))
    return _identity_fields(rows, cols, when, _sources(rows, cols, source))


def _hash(*parts: object) -> str:
    return hashlib.sha256(
        "\x1f".join("" if p is None else str(p) for p in parts).encode()
    ).hexdigest()


#: An example number per coordinate field, for the fix in a ``bad_coordinates`` detail.
_COORD_EXAMPLE = {"lat": "59,2449", "lon": "14,9234", "x": "483000", "y": "6570000"}


def _not_numbers(
    rows: pd.DataFrame, cols: dict[str, str], numbers: dict[str, npt.NDArray[np.float64]]
) -> pd.Series:
    """Return, per row, why a coordinate cell holds text that is not a number (else "").

    ``numbers`` holds the two coordinate fields as already read by ``to_number``.
    """
    why = pd.Series("", index=rows.index, dtype=object)
    fields = list(numbers)
    for name, values in numbers.items():
        column = cols[name]
        text = _text(rows[column], len(rows), rows.index)
        bad = (text != "") & ~np.isfinite(values)
        other = fields[1] if name == fields[0] else fields[0]
        why[bad & (why == "")] = (
            f"column {column!r} holds "
            + text[bad].map(repr)
            + f", which is not a number; write it as a number such as {_COORD_EXAMPLE[name]}"
            f" (decimal comma or point), or leave {column!r} and {cols[other]!r} empty and"
            " name the place"
        )
    return why


def _coordinate_fields(cols: dict[str, str]) -> tuple[str, str]:
    """Return the coordinate fields a table has: ``lat`` and ``lon``, else ``x`` and ``y``."""
    return ("lat", "lon") if "lat" in cols and "lon" in cols else ("x", "y")


def _half_detail(rows: pd.DataFrame, cols: dict[str, str]) -> pd.Series:
    """Return, per row, which coordinate column is empty while the other holds a value."""
    fields = _coordinate_fields(cols)
    a, b = (_text(rows[cols[f]], len(rows), rows.index) for f in fields)
    value = b.where(a == "", a)  # the value beside the empty cell
    name_empty = pd.Series(cols[fields[0]], index=rows.index).where(a == "", cols[fields[1]])
    name_other = pd.Series(cols[fields[1]], index=rows.index).where(a == "", cols[fields[0]])
    return (
        "column "
        + name_empty.map(repr)
        + " is empty while "
        + name_other.map(repr)
        + " holds "
        + value.map(repr)
        + "; give both coordinates, or neither and a place name that geo places lists"
    )


def _columns_said(cols: dict[str, str], fields: tuple[str, ...]) -> tuple[str, bool]:
    """Return ``column 'Datum'`` or ``columns 'Datum' + 'Tid'`` for the fields found, and plural."""
    names = [repr(cols[f]) for f in fields if f in cols]
    if len(names) == 1:
        return f"column {names[0]}", False
    return f"columns {' + '.join(names)}", True


def _where_read(
    rows: pd.DataFrame, cols: dict[str, str], index: pd.Index, located: Located | None, fmt: str
) -> pd.Series:
    """Return, for the rows ``index``, where their point was read: columns, values and CRS.

    ``the point in 'Latitud' 59,2753 / 'Longitud' 15,2134 (read as EPSG:4326)``, or the
    feature's geometry of a GeoJSON or GeoPackage; without a CRS when none was found.
    """
    crs = f" (read as EPSG:{located.epsg})" if located is not None and located.epsg else ""
    if "__x" in rows:
        return pd.Series(f"the {fmt} feature's geometry{crs}", index=index)
    names = [cols[f] for f in _coordinate_fields(cols)]
    return pd.Series(
        [
            f"the point in {names[0]!r} {a} / {names[1]!r} {b}{crs}"
            for a, b in zip(
                _text(rows.loc[index, names[0]], len(index), index),
                _text(rows.loc[index, names[1]], len(index), index),
                strict=True,
            )
        ],
        index=index,
        dtype=object,
    )


def _outside_detail(
    rows: pd.DataFrame,
    cols: dict[str, str],
    points: gpd.GeoSeries,
    outside: pd.Series,
    located: Located | None,
    fmt: str,
) -> pd.Series:
    """Return, for rows located outside the kommun, where they were read and how far out.

    A point a digit wrong or in another CRS lies tens or hundreds of km out; one just over
    the border, a few hundred metres. The detail names the columns and values read (or the
    feature's geometry), the CRS and the distance, so the row can be found and mended.
    """
    with np.errstate(all="ignore"):  # a value such as 1e154 is far beyond any distance
        far = points[outside].distance(load_boundary())
    where = _where_read(rows, cols, far.index, located, fmt)
    distance = far.map(
        lambda m: (
            "far" if not np.isfinite(m) else f"{m / 1000:.1f} km" if m >= 1000 else f"{m:.0f} m"
        )
    )
    detail: pd.Series = (
        where
        + " lies "
        + distance
        + f" outside kommun {settings.kommunkod} ({settings.kommun_name}), beyond its"
        f" {settings.boundary_buffer_m:.0f} m margin; correct the coordinates or pass --crs"
        " with the file's CRS, or leave the row out if it happened elsewhere"
    )
    return detail.reindex(rows.index, fill_value="")


#: A whole number written as a float (``1001.0``), as a number column with an empty cell
#: leaves a GeoPackage, a GeoJSON or pandas' CSV.
_FLOAT_WHOLE = re.compile(r"^(\d+)\.0+$")


def _id_text(series: pd.Series | None, n: int, index: pd.Index) -> pd.Series:
    """Return the source ids as text, a whole number without ``.0``.

    The same report is ``1001`` in a CSV and ``1001.0`` in a GeoPackage whose integer id
    column has a NULL (read as floats); both are ``1001``, so the two files store it once.
    """
    return _text(series, n, index).str.replace(_FLOAT_WHOLE, r"\1", regex=True)


def _col(rows: pd.DataFrame, cols: dict[str, str], field: str) -> pd.Series | None:
    return rows[cols[field]] if field in cols else None


def _text(series: pd.Series | None, n: int, index: pd.Index) -> pd.Series:
    if series is None:
        return pd.Series([""] * n, index=index, dtype=object)
    return series.map(
        lambda v: "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v).strip()
    )


def empty_incidents() -> gpd.GeoDataFrame:
    """Return an empty incidents frame with every column, in the working CRS."""
    cols = [c for c in INCIDENT_COLUMNS if c != "geometry"]
    return gpd.GeoDataFrame(
        {c: pd.Series(dtype=object) for c in [*cols, "content_hash"]},
        geometry=gpd.GeoSeries([], crs=settings.working_crs),
        crs=settings.working_crs,
    )


def empty_quarantine() -> pd.DataFrame:
    """Return an empty quarantine frame."""
    return pd.DataFrame({c: pd.Series(dtype=object) for c in QUARANTINE_COLUMNS})


def normalize_table(
    table: RawTable,
    places: gpd.GeoDataFrame,
    *,
    crs: int | None = None,
    source: str = "kommun",
    now: pd.Timestamp | None = None,
) -> Normalized:
    """Validate the rows of a CSV/XLSX/GeoJSON/GeoPackage table.

    Each row is located (coordinates in any accepted CRS, detected when not given, or
    the place column / description through the gazetteer), timed (Europe/Stockholm,
    DST flagged) and categorised (category column, else the description, else
    ``ovrigt``). Rows without a usable time, without a location, or outside the kommun
    (boundary buffered by ``settings.boundary_buffer_m``) are quarantined with the reason.

    Parameters
    ----------
    table
        Rows from :func:`geo.ingest.readers.read_file`.
    places
        The gazetteer's places (:func:`geo.sites.load_places`).
    crs
        EPSG code of the coordinate columns, or ``None`` to detect it.
    source
        Source id stored when the file has no source column (see :data:`geo.model.SOURCES`).
    now
        The present, for the "time in the future" check; default the current time.

    Returns
    -------
    Normalized
        Incidents to store and rows to quarantine; together they hold every row.

    Raises
    ------
    ImportFileError
        If the file has no column with a time, or none with a location.
    """
    rows = table.rows
    n = len(rows)
    index = rows.index
    cols = resolve_columns(rows.columns)
    has_xy = ("lon" in cols and "lat" in cols) or ("x" in cols and "y" in cols) or "__x" in rows
    has_time = any(f in cols for f in ("datetime", "date"))
    if not has_time or not (has_xy or "place" in cols or "description" in cols):
        missing = "a date/time column" if not has_time else "coordinates or a place column"
        msg = (
            f"{table.file}: no usable columns — missing {missing} (columns found: "
            f"{', '.join(map(str, rows.columns[:12]))}). Rename the columns; accepted names: "
            f"{describe_aliases()}."
        )
        raise ImportFileError(msg)
    reason = pd.Series(None, index=index, dtype=object)
    detail = pd.Series("", index=index, dtype=object)

    def reject(mask: pd.Series, why: str, text: str | pd.Series) -> None:
        new = mask & reason.isna()
        reason[new] = why
        detail[new] = text if isinstance(text, str) else text[new]

    # --- time
    text = combine(_col(rows, cols, "date"), _col(rows, cols, "time"), _col(rows, cols, "datetime"))
    times = parse_times(text)
    now = now or pd.Timestamp.now(tz=settings.timezone)
    held, plural = _columns_said(cols, ("datetime", "date", "time"))
    reject(
        times.at.isna() & (text == ""),
        "no_time",
        f"{held} {'are' if plural else 'is'} empty; give the date (and time) the incident"
        " happened, e.g. 2026-05-31 18:30",
    )
    holds = f"{held} {'hold' if plural else 'holds'} "
    reject(
        times.at.isna(),
        "no_time",
        holds
        + text.map(repr)
        + ", which is not a date/time that can be read; write it as 2026-05-31 18:30 (or"
        " 31.05.2026 18.30)",
    )
    future = times.at.notna() & (times.at > now + pd.Timedelta(days=1))
    reject(
        future,
        "time_in_future",
        holds
        + text.map(repr)
        + f", which is after the import ({now:%Y-%m-%d}); check the year and the day/month order",
    )
    until = None
    if "until" in cols:
        until = parse_times(_text(_col(rows, cols, "until"), n, index)).at

    # --- location
    x = np.full(n, np.nan)
    y = np.full(n, np.nan)
    loc_flag = pd.Series(None, index=index, dtype=object)
    precision = pd.Series(10.0, index=index)
    located = None
    half = pd.Series(False, index=index)
    zero = pd.Series(False, index=index)
    if has_xy:
        if "__x" in rows:
            rx, ry, epsg, named = (
                rows["__x"].to_numpy(float),
                rows["__y"].to_numpy(float),
                table.epsg,
                True,
            )
            epsg = crs or epsg
        elif "lon" in cols:
            rx, ry = to_number(rows[cols["lon"]]), to_number(rows[cols["lat"]])
            epsg, named = crs, crs is None
            text_xy = _not_numbers(rows, cols, {"lat": ry, "lon": rx})
            reject(text_xy != "", "bad_coordinates", text_xy)
        else:
            rx, ry = to_number(rows[cols["x"]]), to_number(rows[cols["y"]])
            epsg, named = crs, False
            text_xy = _not_numbers(rows, cols, {"x": rx, "y": ry})
            reject(text_xy != "", "bad_coordinates", text_xy)
        # 0/0 is a system's placeholder for "no position" (null island, 6,600 km off): the
        # row is located by its place name, as a row without coordinates is
        zero = pd.Series((rx == 0) & (ry == 0), index=index)
        rx, ry = np.where(zero, np.nan, rx), np.where(zero, np.nan, ry)
        given = np.isfinite(rx) & np.isfinite(ry)
        half = pd.Series(np.isfinite(rx) != np.isfinite(ry), index=index)
        rx, ry = np.where(given, rx, np.nan), np.where(given, ry, np.nan)
        located = locate(rx, ry, epsg=epsg, lonlat_named=named and epsg in (None, 4326))
        if located is not None:
            x, y = located.x, located.y
            loc_flag[located.swapped_rows] = "xy_swapped"
            if located.swapped_file:
                loc_flag[given] = "xy_swapped"
        bad = pd.Series(given & ~np.isfinite(x), index=index)
        if bad.any():
            reject(
                bad,
                "bad_coordinates",
                (
                    _where_read(rows, cols, index[bad], located, table.format)
                    + " fits no accepted CRS (EPSG:4326, 3006–3018, 3021); correct the"
                    " coordinates, or pass --crs with the file's CRS, e.g. --crs EPSG:3006"
                ).reindex(index, fill_value=""),
            )
    gazetteer = Gazetteer(places)
    place_text = _text(_col(rows, cols, "place"), n, index)
    description = _text(_col(rows, cols, "description"), n, index)
    place_id = pd.Series(None, index=index, dtype=object)
    place_name = pd.Series(None, index=index, dtype=object)
    for i in np.flatnonzero(~np.isfinite(x)):
        key = index[int(i)]
        match = gazetteer.lookup(place_text[key]) if place_text[key] else None
        match = match or (gazetteer.find_in_text(place_text[key]) if place_text[key] else None)
        match = match or (gazetteer.find_in_text(description[key]) if description[key] else None)
        if match is not None:
            x[i], y[i] = match.point.x, match.point.y
            precision[key] = match.precision_m
            place_id[key], place_name[key] = match.place_id, match.name
            loc_flag[key] = "geocoded_place"
    no_loc = pd.Series(~np.isfinite(x), index=index)
    if half.any():  # one coordinate of two, and no place found instead
        reject(no_loc & half, "bad_coordinates", _half_detail(rows, cols))
    if zero.any():
        said = (
            f"the {table.format} feature's geometry is 0/0"
            if "__x" in rows
            else "columns {!r} and {!r} hold 0/0".format(
                *(cols[f] for f in _coordinate_fields(cols))
            )
        )
        reject(
            no_loc & zero & (place_text == ""),
            "no_location",
            f"{said}, which is no position (a system's placeholder), and the row names no"
            " place; give lat/lon or x/y, or a place name that geo places lists",
        )
    reject(
        no_loc,
        "no_location",
        place_text.map(
            lambda p: (
                f"no coordinates, and place {p!r} is not in data/platser; correct the name (geo"
                " places lists the known ones), add the place there, or give lat/lon or x/y"
                if p
                else "no coordinates and no place name; give lat/lon or x/y, or a place name"
                " that geo places lists"
            )
        ),
    )
    points = gpd.GeoSeries(gpd.points_from_xy(x, y), index=index, crs=settings.working_crs)
    ok_xy = pd.Series(np.isfinite(x), index=index)
    inside = pd.Series(False, index=index)
    if ok_xy.any():
        inside[ok_xy] = inside_kommun(points[ok_xy]).to_numpy()
    outside = ok_xy & ~inside
    if outside.any():
        reject(
            outside,
            "outside_kommun",
            _outside_detail(rows, cols, points, outside, located, table.format),
        )
    # --- what, who
    cat_text = _text(_col(rows, cols, "category"), n, index)
    category = pd.Series(
        [
            category_from_text(c) or (category_from_text(d) if d else None) or "ovrigt"
            for c, d in zip(cat_text, description, strict=True)
        ],
        index=index,
    )
    src = _sources(rows, cols, source)
    keep = reason.isna()
    assigned = assign_places(points[keep], places)
    pid = place_id[keep].where(place_id[keep].notna(), assigned["place_id"])
    pname = place_name[keep].where(place_name[keep].notna(), assigned["place_name"])
    ids = _id_text(_col(rows, cols, "id"), n, index)
    weight = to_number(rows[cols["weight"]]) if "weight" in cols else np.ones(n)
    out = pd.DataFrame(index=index[keep])
    out["source"] = src[keep]
    out["reporter_org"] = _text(_col(rows, cols, "reporter_org"), n, index)[keep].replace("", None)
    out["occurred_at"] = times.at[keep]
    out["occurred_until"] = until[keep] if until is not None else pd.NaT
    given_precision = _text(_col(rows, cols, "time_precision"), n, index)[keep]
    out["time_precision"] = given_precision.where(given_precision != "", times.precision[keep])
    out["time_flag"] = times.flag[keep]
    out["category"] = category[keep]
    out["theme"] = out["category"].map(lambda c: CATEGORIES[c].theme)
    out["place_id"] = pid
    out["place_name"] = pname
    out["location_precision_m"] = precision[keep]
    out["location_flag"] = loc_flag[keep]
    out["description"] = description[keep].replace("", None)
    out["reported_to_police"] = _text(_col(rows, cols, "reported_to_police"), n, index)[
        keep
    ].replace("", None)
    out["weight"] = np.where(np.isfinite(weight[keep.to_numpy()]), weight[keep.to_numpy()], 1.0)
    out["kommunkod"] = settings.kommunkod
    out["import_id"] = None
    geoms = points[keep]
    out["content_hash"] = [
        _hash(s, t, round(g.x, 1), round(g.y, 1), c, d, p)
        for s, t, g, c, d, p in zip(
            out["source"],
            out["occurred_at"],
            geoms,
            out["category"],
            out["description"],
            out["place_name"],
            strict=True,
        )
    ]
    out["incident_id"] = [
        f"{s}:{i}" if i else f"h:{h[:20]}"
        for s, i, h in zip(out["source"], ids[keep], out["content_hash"], strict=True)
    ]
    incidents = gpd.GeoDataFrame(out, geometry=geoms, crs=settings.working_crs)
    incidents = incidents[[*INCIDENT_COLUMNS, "content_hash"]]
    fields = _identity_fields(rows, cols, _when(text, times), src)
    rejected = np.flatnonzero(~keep.to_numpy())
    quarantine = pd.DataFrame(
        {
            "line": table.lines[~keep.to_numpy()],
            "reason": reason[~keep].to_numpy(),
            "detail": detail[~keep].to_numpy(),
            "raw": [_raw_json(rows.loc[k]) for k in index[~keep]],
            "key": [row_key(fields[i]) for i in rejected],
            "fix_key": [fix_key(fields[i], reason.iloc[i]) for i in rejected],
        }
    )
    fixes = frozenset(k for i in np.flatnonzero(keep.to_numpy()) for k in fix_keys(fields[i]))
    kept_lines = table.lines[keep.to_numpy()]
    swapped_rows = {}
    if located is not None:
        kept_swapped = located.swapped_rows[keep.to_numpy()]
        swapped_rows = {
            int(line): str(iid)
            for line, iid in zip(
                kept_lines[kept_swapped], incidents["incident_id"][kept_swapped], strict=True
            )
        }
    return Normalized(
        incidents.reset_index(drop=True),
        quarantine,
        crs=None if located is None else located.epsg,
        crs_detected=located is not None and located.detected and located.epsg != 0,
        swapped_file=located is not None and located.swapped_file,
        swapped_rows=swapped_rows,
        fixes=fixes,
        dates=_date_lines(table, text, times),
        unread=_unread_columns(rows, cols),
    )
