"""Write a weekly patrol plan: CSV, GeoJSON, .ics, map and the A4 one-pager (HTML and PDF)."""

from __future__ import annotations

import base64
import html
import io
import itertools
import logging
import math
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import icalendar
import pandas as pd
import shapely

from geo import settings
from geo.errors import GeoError
from geo.holidays import holiday_name
from geo.model import THEMES
from geo.outputfile import write_atomically
from geo.patrol.stored import save_plan
from geo.patrol.trips import plan_trips
from geo.report._labels import MapLabel, place_labels
from geo.report._spread import spread_markers
from geo.weeks import DAY_ABBR, DAY_NAMES, week_monday
from geo.words import mid_sentence

if TYPE_CHECKING:
    from collections.abc import Callable

    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.legend import Legend
    from matplotlib.lines import Line2D
    from matplotlib.transforms import Transform

    from geo.patrol import Plan

logger = logging.getLogger(__name__)

#: Columns of the plan CSV (Swedish headers, as printed on the one-pager).
CSV_COLUMNS: dict[str, str] = {
    "order": "nr",
    "place": "plats",
    "day": "dag",
    "start_time": "start",
    "end_time": "slut",
    "dwell_min": "min",
    "activity": "åtgärd",
    "theme": "tema",
    "reason": "skäl",
    "lat": "lat",
    "lon": "lon",
    "place_id": "plats_id",
    "trip": "tur",
    "drive_min_before": "körning_före",
    "trip_leave": "tur_avfärd",
    "trip_back": "tur_åter",
    "trip_drive_min": "tur_körning",
}
#: iCalendar trip slots: ``PlanSettings.max_trips`` is 1 or 2, so a week has at most two trips;
#: a re-planned week with fewer trips cancels the rest by their UIDs.
TRIP_SLOTS = 2
#: Origin of an event's ``SEQUENCE``: the seconds from here to the plan's generation time grow
#: with every re-plan, as RFC 5545 §3.8.7.4 asks of a revised event, without a stored counter.
_SEQUENCE_EPOCH = pd.Timestamp("2020-01-01", tz="UTC")
HANDLING_NOTE = "Arbetsmaterial – ej för spridning"
#: A sentence's end where a reason's next part begins ("… händelser. Hela vägavsnittet: …").
_SENTENCE_END = re.compile(r"\.\s+(?=[A-ZÅÄÖ])")
#: Control characters, which iCalendar text may not hold (a lone CR would break the line).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


#: A date as the reasons write it; printed, a line never breaks inside it ("2026-" | "11-22").
_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


def _unbroken_dates(text: str) -> str:
    """Return ``text`` HTML-escaped, each ISO date in a span no line break splits."""
    return _DATE.sub(lambda m: f"<span class='date'>{m[0]}</span>", html.escape(text))


def _trip_holiday(trip: pd.Series) -> str | None:
    """Return the Swedish holiday or eve a trip (a :func:`plan_trips` row) falls on, if any."""
    return holiday_name(pd.Timestamp(trip["leave"]).date())


def _entry_name(plan: Plan) -> str:
    """Return the entry point's name as a sentence continues it ("infart från Örebro")."""
    entry = str(plan.meta.get("entry") or "infarten")
    return mid_sentence(entry)


def trip_line(plan: Plan, trip: pd.Series) -> str:
    """Return a trip's line for the one-pager: when to leave the entry, the stops, when out.

    Parameters
    ----------
    plan
        The plan.
    trip
        A row of :func:`plan_trips`.

    Returns
    -------
    str
        E.g. "Tur 1 fredag 4/12: start vid infart från Örebro 20:11 → 1 20:19 → 2 20:37 →
        tillbaka vid infarten 21:03 (körning 16 min)": the entry is where the kommun begins,
        so the time is not when to leave Örebro (a planner's review read it so); the map's
        trip box and the calendar say "tillbaka" too (it said "tillbaka där" here, "ut" there).
    """
    leave = pd.Timestamp(trip["leave"])
    back = pd.Timestamp(trip["back"])
    stops = " → ".join(
        f"{o} {pd.Timestamp(t):%H:%M}" for o, t in zip(trip["orders"], trip["starts"], strict=True)
    )
    holiday = _trip_holiday(trip)
    when = f" ({holiday})" if holiday else ""  # a planner's review: juldagen went unsaid
    return (
        f"Tur {int(trip['trip'])} {DAY_NAMES[leave.day_of_week]} {leave.day}/{leave.month}{when}: "
        f"start vid {_entry_name(plan)} {leave:%H:%M} → {stops} → "
        f"tillbaka vid infarten {back:%H:%M} (körning {round(float(trip['drive_min']))} min)"
    )


def plan_table(plan: Plan) -> pd.DataFrame:
    """Return the plan's stops as the table of the CSV and the one-pager (Swedish headers).

    Parameters
    ----------
    plan
        The plan.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`CSV_COLUMNS` values, one row per stop: besides the stop's own
        (``tur`` its trip, ``körning_före`` the minutes driven to it), its trip's time of
        leaving the entry point (``tur_avfärd``), of being back out there (``tur_åter``) and
        its driving (``tur_körning``), from :func:`plan_trips`.
    """
    s = plan.stops
    start = pd.to_datetime(s["start"])
    end = pd.to_datetime(s["end"])
    trips = {int(t["trip"]): t for _, t in plan_trips(plan).iterrows()}
    trip = s["trip"].astype(int)
    df = pd.DataFrame(
        {
            "order": s["order"].astype(int),
            "place": s["place"],
            "day": [f"{DAY_NAMES[t.day_of_week]} {t:%Y-%m-%d}" for t in start],
            "start_time": [f"{t:%H:%M}" for t in start],
            "end_time": [f"{t:%H:%M}" for t in end],
            "dwell_min": s["dwell_min"].astype(float).round().astype(int),
            "activity": s["activity"],
            "theme": s["theme"].map(lambda t: THEMES.get(str(t), str(t))),  # "Trafik", not "T"
            "reason": s["reason"],
            "lat": s["lat"],
            "lon": s["lon"],
            # a road check, hot cell or marked spot has no place: its stop's id instead
            "place_id": s["place_id"].where(
                s["place_id"].notna() & (s["place_id"] != ""), s["candidate_id"]
            ),
            "trip": trip,
            "drive_min_before": s["drive_min_before"].astype(float).round().astype(int),
            "trip_leave": [f"{pd.Timestamp(trips[k]['leave']):%H:%M}" for k in trip],
            "trip_back": [f"{pd.Timestamp(trips[k]['back']):%H:%M}" for k in trip],
            "trip_drive_min": [round(float(trips[k]["drive_min"])) for k in trip],
        }
    )
    return df.rename(columns=CSV_COLUMNS)


def _csv_bytes(plan: Plan) -> bytes:
    """Return the stops as CSV for a Swedish Excel: ``;`` between fields, decimal commas.

    UTF-8 with BOM so Excel shows å, ä, ö; opened by a double click in a Swedish Excel a comma
    file put each row in column A (a planner's review), and the monthly report's tables were
    already written with ``;``. The GeoJSON is the file for programs.
    """
    return plan_table(plan).to_csv(index=False, sep=";", decimal=",").encode("utf-8-sig")


def _geojson_bytes(plan: Plan) -> bytes:
    """Return the stops (Points) and trip routes (LineStrings) as one GeoJSON in EPSG:4326."""
    stops = plan.stops.copy()
    stops["feature"] = "stopp"
    stops["start"] = [pd.Timestamp(t).isoformat() for t in stops["start"]]
    stops["end"] = [pd.Timestamp(t).isoformat() for t in stops["end"]]
    routes = plan.routes.copy()
    routes["feature"] = "rutt"
    both = pd.concat([stops, routes], ignore_index=True)
    gdf = gpd.GeoDataFrame(both, geometry="geometry", crs=plan.stops.crs).to_crs(
        settings.display_crs
    )
    gdf["week"] = plan.week
    text: str = gdf.to_json(drop_id=True, na="drop")
    return text.encode("utf-8")


def event_description(reason: str, theme: str) -> str:
    """Return a stop's part of its trip's calendar text: each part of its reason on a line.

    A calendar app shows ``DESCRIPTION`` as it is; a reason of 750 characters in one
    paragraph is hard to read on a phone, so each sentence ("Hela vägavsnittet: …",
    "Löfte: …", "Tid: …") starts a line. Control characters become spaces.

    Parameters
    ----------
    reason
        The stop's reason (:func:`geo.patrol.explain_stop`).
    theme
        The stop's theme (a code of :data:`geo.model.THEMES` or its name).

    Returns
    -------
    str
        The text, ending with the theme.
    """
    text = _SENTENCE_END.sub(".\n", _CONTROL.sub(" ", reason.strip()))
    return f"{text}\nTema: {THEMES.get(theme, theme)}."


def _clean(text: object) -> str:
    return " ".join(_CONTROL.sub(" ", str(text)).split())


def trip_description(plan: Plan, trip: pd.Series) -> str:
    """Return a trip's calendar text: leaving the entry, each stop, back out, then the reasons.

    Parameters
    ----------
    plan
        The plan.
    trip
        A row of :func:`plan_trips`.

    Returns
    -------
    str
        On a holiday or its eve its name first ("Juldagen."), then lines "Start vid infart
        från Örebro 20:11 (körning 8 min)", "1. 20:19–20:37 <plats>:
        <åtgärd>", …, "Tillbaka vid infart från Örebro 21:03 (körning 8 min). Körning i turen:
        16 min.", then
        each stop's reason (:func:`event_description`) under its number, and the handling note.
    """
    entry = _entry_name(plan)
    stops = plan.stops.set_index("order").loc[list(trip["orders"])]
    holiday = _trip_holiday(trip)
    lines = [f"{holiday[0].upper()}{holiday[1:]}."] if holiday else []
    lines.append(
        f"Start vid {entry} {pd.Timestamp(trip['leave']):%H:%M} "
        f"(körning {round(float(trip['drive_out_min']))} min)"
    )
    for order, s in stops.iterrows():
        lines.append(
            f"{order}. {pd.Timestamp(s['start']):%H:%M}–{pd.Timestamp(s['end']):%H:%M} "
            f"{_clean(s['place'])}: {_clean(s['activity'])}"
        )
    lines.append(
        f"Tillbaka vid {entry} {pd.Timestamp(trip['back']):%H:%M} "
        f"(körning {round(float(trip['drive_back_min']))} min). "
        f"Körning i turen: {round(float(trip['drive_min']))} min."
    )
    for order, s in stops.iterrows():
        lines.append("")
        lines.append(f"{order}. {_clean(s['place'])}")
        lines.append(event_description(str(s["reason"]), str(s["theme"])))
    lines.append("")
    if plan.meta.get("synthetic_note"):
        lines.append(str(plan.meta["synthetic_note"]))
    lines.append(f"{HANDLING_NOTE}.")
    return "\n".join(lines)


def calendar_sequence(plan: Plan) -> int:
    """Return the ``SEQUENCE`` of the plan's events: seconds from 2020 to its generation.

    A re-planned week is generated later, so its events carry a higher ``SEQUENCE`` (and a
    later ``DTSTAMP``) than those already imported, as RFC 5545 §3.8.7.4 asks of a revision.

    Parameters
    ----------
    plan
        The plan; ``plan.meta["generated_at"]`` is when it was made.

    Returns
    -------
    int
        Non-negative, below 2³¹ until 2088.
    """
    generated = pd.Timestamp(plan.meta["generated_at"])
    return max(int((generated - _SEQUENCE_EPOCH).total_seconds()), 0)


def plan_calendar(plan: Plan) -> icalendar.Calendar:
    """Return the plan as an iCalendar with one VEVENT per trip, driving included.

    Each trip's event runs from leaving the entry point to being back out there
    (:func:`plan_trips`), so the calendar shows the officer busy while driving; its text
    lists the stops and their reasons (:func:`trip_description`). ``UID`` is the week and
    the trip number, stable when the week is planned again; ``SEQUENCE`` and ``DTSTAMP``
    come from the generation time (:func:`calendar_sequence`), so a re-imported file
    revises the events. A trip slot the plan no longer has (of :data:`TRIP_SLOTS`) is sent
    as ``STATUS:CANCELLED``, an all-day free entry on the week's Monday, so an event left
    from an earlier plan of the week is cancelled rather than kept.

    Parameters
    ----------
    plan
        The plan.

    Returns
    -------
    icalendar.Calendar
        ``METHOD:PUBLISH``; ``DTSTART``/``DTEND`` with ``TZID=Europe/Stockholm``,
        ``SUMMARY``, ``LOCATION`` (the trip's places), ``GEO`` (its first stop),
        ``DESCRIPTION``, ``SEQUENCE``, ``DTSTAMP``, ``STATUS``.
    """
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(settings.timezone)
    year, num = plan.week.split("-W")
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Trygghetskartan//geo patrol plan//SV")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", f"Medborgarlöftet – polisens närvaro v{int(num)} {year}")
    cal.add("x-wr-timezone", settings.timezone)
    stamp = pd.Timestamp(plan.meta["generated_at"]).tz_convert("UTC").to_pydatetime()
    sequence = calendar_sequence(plan)
    trips = plan_trips(plan)
    stops = plan.stops.set_index("order")
    for _, trip in trips.iterrows():
        k = int(trip["trip"])
        places = list(dict.fromkeys(_clean(p) for p in stops.loc[list(trip["orders"]), "place"]))
        first = stops.loc[int(trip["orders"][0])]
        themes = {THEMES.get(str(t), str(t)) for t in stops.loc[list(trip["orders"]), "theme"]}
        ev = _event(plan, k, stamp, sequence)
        holiday = _trip_holiday(trip)
        on = f" ({holiday})" if holiday else ""  # seen in the calendar's week view
        ev.add("summary", f"Medborgarlöftet tur {k}{on}: {', '.join(places)}")
        ev.add("dtstart", pd.Timestamp(trip["leave"]).to_pydatetime().astimezone(tz))
        ev.add("dtend", pd.Timestamp(trip["back"]).to_pydatetime().astimezone(tz))
        ev.add("location", ", ".join(places))
        ev.add("geo", (float(first["lat"]), float(first["lon"])))
        ev.add("description", trip_description(plan, trip))
        ev.add("categories", sorted(themes))
        ev.add("status", "CONFIRMED")
        ev.add("transp", "OPAQUE")
        cal.add_component(ev)
    monday = week_monday(plan.week).date()
    for k in range(len(trips) + 1, TRIP_SLOTS + 1):
        ev = _event(plan, k, stamp, sequence)
        ev.add("summary", f"Inställd: medborgarlöftet tur {k} (ingen tur {k} denna vecka)")
        ev.add("dtstart", monday)
        ev.add("dtend", monday + pd.Timedelta(days=1).to_pytimedelta())
        ev.add("status", "CANCELLED")
        ev.add("transp", "TRANSPARENT")
        cal.add_component(ev)
    cal.add_missing_timezones()
    return cal


def _event(plan: Plan, trip: int, stamp: object, sequence: int) -> icalendar.Event:
    """Return a trip slot's event with its stable ``UID``, ``SEQUENCE`` and ``DTSTAMP``."""
    ev = icalendar.Event()
    ev.add("uid", f"{plan.week}-tur-{trip}@trygghetskartan.{settings.kommunkod}")
    ev.add("sequence", sequence)
    ev.add("dtstamp", stamp)
    ev.add("class", "CONFIDENTIAL")
    return ev


#: A stop marker's outer diameter on the printed map, in points (its circle and edge).
MARKER_PT = 14.5
#: Free space between two stop markers set apart, in points.
_MARKER_GAP_PT = 1.5
#: The printed map's size in inches: printed about 190 mm wide on the one-pager, so its fonts
#: print near their size.
_FIGSIZE_IN = (7.4, 2.9)
#: Without a zoom, the kommun alone: as tall, only as wide as its panel.
_KOMMUN_FIGSIZE_IN = (3.2, 2.9)
#: Panels as (left, bottom, width, height) of the figure: the kommun alone, or the kommun
#: and a zoom on the crowded stops beside it (room above the zoom for its title).
_WHOLE_PANEL = (0.005, 0.01, 0.99, 0.98)
_KOMMUN_PANEL = (0.005, 0.01, 0.43, 0.98)
_ZOOM_PANEL = (0.45, 0.01, 0.545, 0.9)
#: Stops whose markers on the kommun panel would lie closer than this many diameters crowd:
#: the largest such group gets the zoom.
_CROWD_MARKERS = 2.5
#: Margin of the zoom around its stops: a share of their extent, and at least these metres.
_ZOOM_MARGIN = 0.35
_ZOOM_MARGIN_MIN_M = 500.0
#: Stops nearer each other than this are one point: a place visited twice needs no zoom.
_SAME_POINT_M = 30.0
#: Margin around the kommun on its panel, as a share of its extent.
_KOMMUN_MARGIN = 0.03
_ZOOM_COLOR = "#555555"
_ENTRY_COLOR = "#ffd400"
#: The names drawn, most important first, and their look.
_NAME_STYLES: dict[str, dict[str, object]] = {
    "centrum": {"fontsize": 6.5, "color": "#222222", "fontweight": "bold"},
    "ort": {"fontsize": 6.0, "color": "#444444"},
    "badplats": {"fontsize": 5.5, "color": "#1f5f8b", "fontstyle": "italic"},
}


@dataclass(frozen=True)
class StopMarker:
    """Where the printed map draws a stop's numbered marker.

    Attributes
    ----------
    order
        The stop's number.
    true_pt, drawn_pt
        The stop's true point and the marker's centre, in points from the figure's lower left.
    leader
        The thin line from the true point to a marker set apart (``None`` if not moved).
    """

    order: int
    true_pt: tuple[float, float]
    drawn_pt: tuple[float, float]
    leader: Line2D | None


def plan_figure(plan: Plan) -> tuple[Figure, list[StopMarker]]:
    """Draw the static map of the plan: the kommun, and a zoom on where the stops crowd.

    The left panel shows the kommun (boundary, places, each trip's route, the numbered stops
    and the entry point every trip leaves from and comes back to, marked and named). When
    stops lie so close that their markers crowd at the kommun's scale (Fjugesta's stops made
    one blob), a right panel zooms on the largest such group, framed on the left panel. In
    both, stop markers that would cover each other are set apart around their places
    (:func:`geo.report._spread.spread_markers`), each with a thin leader line to a dot on its
    true point, where the route goes; the names of the entry point, the centre, the villages
    and the bathing sites are placed clear of the markers, leader lines, routes, legend and
    each other, and left out where they find no room (:func:`geo.report._labels.place_labels`).

    Parameters
    ----------
    plan
        The plan.

    Returns
    -------
    Figure
        The map (matplotlib, no tiles: works offline); the caller closes it. ``fig.axes[0]``
        is the kommun, ``fig.axes[1]`` (gid ``zoom``) the zoom when there is one; stop
        markers have the gid ``stop-<nr>``, names ``label-<place_id>`` (``label-entry``).
    list of StopMarker
        Each stop's marker on the kommun panel, in the order of ``plan.stops``.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    from geo.sites import load_boundary, load_places

    boundary: shapely.Geometry | None = None
    places: gpd.GeoDataFrame | None = None
    try:
        boundary = load_boundary()
        places = load_places()
    except GeoError as e:
        logger.warning("no background for the plan image: %s", e)
    entry = _route_start(plan)
    xy = [(float(s.geometry.x), float(s.geometry.y)) for s in plan.stops.itertuples()]
    orders = [int(o) for o in plan.stops["order"]]
    extent = _kommun_extent(boundary, xy, entry)
    zoom = _zoom_box(xy, extent, entry)
    fig = plt.figure(figsize=_FIGSIZE_IN if zoom is not None else _KOMMUN_FIGSIZE_IN, dpi=150)
    ax = fig.add_axes(_KOMMUN_PANEL if zoom is not None else _WHOLE_PANEL)
    _draw_background(ax, boundary, places)
    _draw_routes(ax, plan)
    _set_view(ax, extent)
    obstacles = _route_obstacles(ax, plan) + _draw_entry(ax, entry)
    markers, drawn = _draw_stops(ax, orders, xy)
    obstacles += drawn
    if zoom is not None:
        zoomed = fig.add_axes(_ZOOM_PANEL, gid="zoom")
        _draw_background(zoomed, boundary, places)
        _draw_routes(zoomed, plan)
        _set_view(zoomed, zoom)
        (zx0, zx1), (zy0, zy1) = zoomed.get_xlim(), zoomed.get_ylim()
        frame = shapely.box(zx0, zy0, zx1, zy1)
        ax.add_patch(
            Rectangle(
                (zx0, zy0), zx1 - zx0, zy1 - zy0, fill=False, edgecolor=_ZOOM_COLOR,
                linewidth=0.9, zorder=3, gid="zoom-frame",
            )
        )  # fmt: skip
        obstacles.append(_line_pt(ax, frame.exterior.coords, 0.9))
        for spine in zoomed.spines.values():
            spine.set_edgecolor(_ZOOM_COLOR)
            spine.set_linewidth(0.9)
        inside = [i for i, p in enumerate(xy) if frame.contains(shapely.Point(p))]
        zoomed.set_title(
            f"Utsnitt: {_places_of_stops(places, [xy[i] for i in inside])}", fontsize=7,
            loc="left", pad=2, color=_ZOOM_COLOR,
        )  # fmt: skip
        zoom_obstacles = _route_obstacles(zoomed, plan) + _draw_entry(zoomed, entry)
        zoom_obstacles += _draw_stops(zoomed, [orders[i] for i in inside], [xy[i] for i in inside])[
            1
        ]
        _name_places(zoomed, plan, places, entry, zoom_obstacles)
    legend = _legend(ax, plan, entry)
    if legend is not None:
        renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
        x0, y0, x1, y1 = legend.get_window_extent(renderer).extents
        k = 72 / fig.dpi
        obstacles.append(shapely.box(x0 * k, y0 * k, x1 * k, y1 * k))
    _name_places(ax, plan, places, entry, obstacles)
    return fig, markers


def _route_start(plan: Plan) -> tuple[float, float] | None:
    """Return the entry point: where the first trip's route starts (and every route ends)."""
    if plan.routes.empty:
        return None
    x, y = plan.routes.geometry.iloc[0].coords[0][:2]
    return float(x), float(y)


def _kommun_extent(
    boundary: shapely.Geometry | None,
    xy: list[tuple[float, float]],
    entry: tuple[float, float] | None,
) -> tuple[float, float, float, float]:
    """Return the kommun panel's view: the kommun, the stops and the entry, with a margin."""
    parts: list[shapely.Geometry] = [shapely.MultiPoint([*xy, *([entry] if entry else [])])]
    if boundary is not None:
        parts.append(boundary)
    x0, y0, x1, y1 = shapely.GeometryCollection(parts).bounds
    pad = _KOMMUN_MARGIN * max(x1 - x0, y1 - y0, 1000.0)
    return x0 - pad, y0 - pad, x1 + pad, y1 + pad


def _panel_pt(panel: tuple[float, float, float, float]) -> tuple[float, float]:
    """Return a panel's width and height in points, on the map with the zoom."""
    w_in, h_in = _FIGSIZE_IN
    return panel[2] * w_in * 72, panel[3] * h_in * 72


def _fit(box: tuple[float, float, float, float], w: float, h: float) -> tuple[float, ...]:
    """Return ``box`` widened or heightened about its middle to the ratio ``w`` : ``h``."""
    x0, y0, x1, y1 = box
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    half_w, half_h = (x1 - x0) / 2, (y1 - y0) / 2
    if half_w / half_h < w / h:
        half_w = half_h * w / h
    else:
        half_h = half_w * h / w
    return cx - half_w, cy - half_h, cx + half_w, cy + half_h


def _zoom_box(
    xy: list[tuple[float, float]],
    extent: tuple[float, float, float, float],
    entry: tuple[float, float] | None,
) -> tuple[float, float, float, float] | None:
    """Return the zoom panel's view on the largest group of crowded stops, if any.

    Stops closer than :data:`_CROWD_MARKERS` marker diameters at the kommun panel's scale
    are linked; the largest linked group (the first such on a tie) of stops at two points
    or more is zoomed on with a margin, the entry point too when it lies by them, widened to
    the zoom panel's shape.
    """
    if len(xy) < 2:
        return None
    w_pt, h_pt = _panel_pt(_KOMMUN_PANEL)
    x0, y0, x1, y1 = extent
    m_per_pt = max((x1 - x0) / w_pt, (y1 - y0) / h_pt)
    near_m = _CROWD_MARKERS * MARKER_PT * m_per_pt
    group = list(range(len(xy)))  # union-find over the stops
    for i, j in itertools.combinations(range(len(xy)), 2):
        if math.dist(xy[i], xy[j]) < near_m:
            a, b = _root(group, i), _root(group, j)
            group[max(a, b)] = min(a, b)
    members: dict[int, list[int]] = {}
    for i in range(len(xy)):
        members.setdefault(_root(group, i), []).append(i)
    best = max(members.values(), key=len)
    if all(math.dist(xy[best[0]], xy[i]) < _SAME_POINT_M for i in best):
        return None  # one stop, or one place visited twice: the markers set apart suffice
    pts = [xy[i] for i in best]
    if entry is not None and min(math.dist(entry, p) for p in pts) < near_m:
        pts.append(entry)  # where the trips start, when it lies by the stops
    bx0, by0, bx1, by1 = shapely.MultiPoint(pts).bounds
    margin = max(_ZOOM_MARGIN * max(bx1 - bx0, by1 - by0), _ZOOM_MARGIN_MIN_M)
    box = (bx0 - margin, by0 - margin, bx1 + margin, by1 + margin)
    zx0, zy0, zx1, zy1 = _fit(box, *_panel_pt(_ZOOM_PANEL))
    return zx0, zy0, zx1, zy1


def _root(group: list[int], i: int) -> int:
    while group[i] != i:
        i = group[i]
    return i


def _set_view(ax: Axes, box: tuple[float, float, float, float]) -> None:
    """Fix an axes' view on ``box`` (metres), equal scales, no frame ticks; position settled."""
    ax.set_xlim(box[0], box[2])
    ax.set_ylim(box[1], box[3])
    ax.set_aspect("equal")
    ax.autoscale(enable=False)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    if ax.get_gid() != "zoom":
        ax.set_axis_off()
    ax.apply_aspect()


def _draw_background(
    ax: Axes, boundary: shapely.Geometry | None, places: gpd.GeoDataFrame | None
) -> None:
    if boundary is not None:
        gpd.GeoSeries([boundary], crs=settings.working_crs).boundary.plot(
            ax=ax, color="#222222", linewidth=1.0, linestyle="--"
        )
    if places is not None:
        places.plot(ax=ax, color="#cccccc", edgecolor="#888888", linewidth=0.5, alpha=0.5)


def _route_width_pt(trip: int, n_trips: int) -> float:
    from geo.maps.plan import _trip_weight

    return 0.5 * _trip_weight(trip, n_trips)


def _draw_routes(ax: Axes, plan: Plan) -> None:
    from geo.maps.plan import _trip_color

    n_trips = len(plan.routes)
    for _, r in plan.routes.sort_values("trip").iterrows():  # the first, widest, underneath
        trip = int(r["trip"])
        gpd.GeoSeries([r.geometry], crs=plan.routes.crs).plot(
            ax=ax, color=_trip_color(trip), linewidth=_route_width_pt(trip, n_trips),
            gid=f"route-{trip}",
        )  # fmt: skip


def _to_pt(ax: Axes) -> Transform:
    """Return the transform from an axes' data to points from the figure's lower left."""
    import matplotlib.transforms

    fig = ax.get_figure()
    assert fig is not None
    return ax.transData + matplotlib.transforms.Affine2D().scale(72 / fig.dpi)


def _line_pt(ax: Axes, coords: object, width_pt: float) -> shapely.Geometry:
    """Return a line (data coordinates) as drawn: in points, buffered by half its width."""
    import numpy as np

    pts = _to_pt(ax).transform(np.asarray(coords, dtype=float)[:, :2])
    return shapely.LineString(pts).simplify(0.2).buffer(width_pt / 2 + 0.5)


def _route_obstacles(ax: Axes, plan: Plan) -> list[shapely.Geometry]:
    n_trips = len(plan.routes)
    return [
        _line_pt(ax, r.geometry.coords, _route_width_pt(int(r["trip"]), n_trips))
        for _, r in plan.routes.iterrows()
    ]


def _draw_entry(ax: Axes, entry: tuple[float, float] | None) -> list[shapely.Geometry]:
    """Mark the entry point (a yellow diamond) if in view; return what it covers, in points."""
    if entry is None:
        return []
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    if not (x0 <= entry[0] <= x1 and y0 <= entry[1] <= y1):
        return []
    ax.plot(*entry, "D", ms=6, mfc=_ENTRY_COLOR, mec="#111111", mew=1.0, zorder=5,
            gid="entry")  # fmt: skip
    return [shapely.Point(_to_pt(ax).transform(entry)).buffer(5.0)]


def _draw_stops(
    ax: Axes, orders: list[int], xy: list[tuple[float, float]]
) -> tuple[list[StopMarker], list[shapely.Geometry]]:
    """Draw numbered markers, set apart where they would meet; return them and their room."""
    to_pt = _to_pt(ax)
    true_pt = [(float(x), float(y)) for x, y in to_pt.transform(xy)] if xy else []
    drawn_pt = spread_markers(true_pt, diameter=MARKER_PT, gap=_MARKER_GAP_PT)
    markers = []
    room: list[shapely.Geometry] = []
    for order, (x, y), tp, at_pt in zip(orders, xy, true_pt, drawn_pt, strict=True):
        at_x, at_y = to_pt.inverted().transform(at_pt)
        at = (float(at_x), float(at_y))
        leader = None
        if math.dist(tp, at_pt) > 0.5:
            ax.plot(x, y, "o", ms=3, color="#111111", zorder=4, clip_on=False)
            (leader,) = ax.plot(
                [x, at[0]], [y, at[1]], color="#111111", linewidth=0.8, zorder=4, clip_on=False,
                gid=f"leader-{order}",
            )  # fmt: skip
            room.append(shapely.LineString([tp, at_pt]).buffer(1.0))
            room.append(shapely.Point(tp).buffer(2.0))
        ax.plot(*at, "o", ms=13, color="white", mec="#111111", mew=1.5, zorder=5, clip_on=False,
                gid=f"stop-{order}")  # fmt: skip
        ax.annotate(
            str(order), at, ha="center", va="center", fontsize=8, fontweight="bold",
            zorder=6, annotation_clip=False, gid=f"stopnr-{order}",
        )  # fmt: skip
        room.append(shapely.Point(at_pt).buffer(MARKER_PT / 2 + 0.5))
        markers.append(StopMarker(order, tp, at_pt, leader))
    return markers, room


def _legend(ax: Axes, plan: Plan, entry: tuple[float, float] | None) -> Legend | None:
    """Add the legend (each trip's route with its day, the entry point) in the lower left."""
    from matplotlib.lines import Line2D

    from geo.maps.plan import _trip_color

    n_trips = len(plan.routes)
    handles: list[Artist] = []
    for _, r in plan.routes.sort_values("trip").iterrows():
        trip = int(r["trip"])
        day = plan.stops.loc[plan.stops["trip"] == trip, "start"].min()
        when = f" ({DAY_NAMES[pd.Timestamp(day).day_of_week]})" if pd.notna(day) else ""
        handles.append(
            Line2D([], [], color=_trip_color(trip), linewidth=_route_width_pt(trip, n_trips),
                   label=f"Tur {trip}{when}")
        )  # fmt: skip
    if entry is not None:
        handles.append(
            Line2D([], [], marker="D", ms=6, mfc=_ENTRY_COLOR, mec="#111111", linestyle="none",
                   label=f"{plan.meta.get('entry') or 'Infart'} (start och slut)")
        )  # fmt: skip
    if not handles:
        return None
    return ax.legend(handles=handles, loc="lower left", fontsize=6, frameon=True,
                     facecolor="white", edgecolor="none", framealpha=0.85, handlelength=1.5,
                     borderaxespad=0.2)  # fmt: skip


def _nearest_place(places: gpd.GeoDataFrame | None, at: shapely.Point) -> str:
    """Return the name of the place nearest ``at`` (a town's centre before its village)."""
    if places is None or places.empty:
        return "stoppen"
    near = places.assign(_d=places.distance(at), _k=places["kind"] != "centrum")
    return str(near.sort_values(["_d", "_k"]).iloc[0]["name"])


def _places_of_stops(places: gpd.GeoDataFrame | None, xy: list[tuple[float, float]]) -> str:
    """Name the places of the stops, the most visited first (the zoom's title).

    The zoom was named after the place nearest its middle: Kvistbro for a zoom holding three
    stops in Fjugesta and one in Gropen, none in Kvistbro.
    """
    names = Counter(_nearest_place(places, shapely.Point(p)) for p in xy)
    ranked = [name for name, _ in names.most_common(3)]  # ties in the order of the stops
    if not ranked:
        return "stoppen"
    if len(names) > len(ranked):
        return ", ".join(ranked) + " m.fl."
    return ranked[0] if len(ranked) == 1 else ", ".join(ranked[:-1]) + " och " + ranked[-1]


def _name_places(
    ax: Axes,
    plan: Plan,
    places: gpd.GeoDataFrame | None,
    entry: tuple[float, float] | None,
    obstacles: list[shapely.Geometry],
) -> None:
    """Name the entry point, the centre, the villages and the bathing sites where there is room."""
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    view = shapely.box(x0, y0, x1, y1)
    labels = []
    if entry is not None and view.contains(shapely.Point(entry)):
        labels.append(
            MapLabel(str(plan.meta.get("entry") or "Infart"), entry, "label-entry",
                     {"fontsize": 6.5, "fontweight": "bold", "color": "#111111"}, centred=False)
        )  # fmt: skip
    if places is not None:
        for kind, style in _NAME_STYLES.items():
            for _, p in places[places["kind"] == kind].sort_values("name").iterrows():
                c = p.geometry.representative_point()
                if view.contains(c):
                    labels.append(
                        MapLabel(str(p["name"]), (c.x, c.y), f"label-{p['place_id']}", style)
                    )
    place_labels(ax, labels, obstacles=shapely.union_all(obstacles))


def plan_image_png(plan: Plan) -> bytes:
    """Draw the plan's static map (:func:`plan_figure`) as PNG.

    Parameters
    ----------
    plan
        The plan.

    Returns
    -------
    bytes
        A PNG (matplotlib, no tiles: works offline).
    """
    import matplotlib.pyplot as plt

    fig, _ = plan_figure(plan)
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()


#: The stop table's head: a stop's row under the first row of heads, its reason (a row of its
#: own, under "tur" … "✓ genomförd") under "skäl". The two rows alone would give each cell
#: from "tur" on both heads above it, and a reason all nine, so each cell names its own
#: head (``headers``) by these ids.
_THEAD = (
    "<thead><tr>"
    '<th id="h-nr" scope="col" rowspan="2">nr</th><th id="h-tur" scope="col">tur</th>'
    '<th id="h-plats" scope="col">plats</th><th id="h-dag" scope="col">dag</th>'
    '<th id="h-tid" scope="col">tid</th><th id="h-min" scope="col">min</th>'
    '<th id="h-atgard" scope="col">åtgärd</th><th id="h-tema" scope="col">tema</th>'
    '<th id="h-klar" scope="col">✓ genomförd</th></tr>'
    '<tr><th id="h-skal" class="why" scope="col" colspan="8">skäl</th></tr>'
    "</thead>"
)


def one_pager_html(plan: Plan) -> str:
    """Return the A4 one-pager (Swedish): heading, map image, the stop table, footer.

    Parameters
    ----------
    plan
        The plan.

    Returns
    -------
    str
        Self-contained HTML (the map is an embedded PNG), printable on one A4 page.
    """
    monday = week_monday(plan.week)
    sunday = monday + pd.Timedelta(days=6)
    year, num = plan.week.split("-W")
    img = base64.b64encode(plan_image_png(plan)).decode("ascii")
    entry = _entry_name(plan)
    table = plan_table(plan)
    trips = {int(t["trip"]): t for _, t in plan_trips(plan).iterrows()}
    rows = []
    shown: set[int] = set()
    starts = [pd.Timestamp(t) for t in plan.stops["start"]]
    for (_, r), start in zip(table.iterrows(), starts, strict=True):  # reason on a row below
        trip = int(r["tur"])
        if trip not in shown:  # the trip's line before its first stop: leave, stops, out
            shown.add(trip)
            rows.append(
                # under no column: headers='' (else it was read with all nine heads)
                "<tbody class='trip'><tr><td class='trip' colspan='9' headers=''>"
                f"{html.escape(trip_line(plan, trips[trip]))}</td></tr></tbody>"
            )
        rows.append(
            # data-label: on a phone each stop is a card, each cell a line named by its column;
            # headers: each cell's own column head (see _THEAD)
            "<tbody class='stop'><tr>"
            f"<td class='nr stopnr' rowspan='2' headers='h-nr' data-label='Stopp'>"
            f"{int(r['nr'])}</td>"
            f"<td class='nr' headers='h-tur' data-label='tur'>{trip}</td>"
            f"<td class='place' headers='h-plats'>{html.escape(str(r['plats']))}</td>"
            f"<td class='day' headers='h-dag' data-label='dag'>"
            f"{DAY_ABBR[start.day_of_week]} {start.day}/{start.month}</td>"
            f"<td class='time' headers='h-tid' data-label='tid'>"
            f"{html.escape(str(r['start']))}–{html.escape(str(r['slut']))}</td>"
            f"<td class='nr' headers='h-min' data-label='min'>{int(r['min'])}</td>"
            f"<td headers='h-atgard' data-label='åtgärd'>{html.escape(str(r['åtgärd']))}</td>"
            f"<td headers='h-tema' data-label='tema'>{html.escape(str(r['tema']))}</td>"
            "<td class='tick' headers='h-klar'>☐ genomförd<br>tid: ______</td>"
            f"</tr><tr><td class='why' colspan='8' headers='h-skal' data-label='skäl'>"
            f"{_unbroken_dates(str(r['skäl']))}</td></tr>"
            "</tbody>"
        )
    generated = pd.Timestamp(plan.meta["generated_at"]).tz_convert(settings.timezone)
    # a printed plan is passed around: made from the synthetic sample, its first lines say so
    # ("helt eller delvis": a map reviewer read "inga verkliga händelser" beside real police
    # events in the reasons' sources); <b>, not <strong>: Chromium tags <strong> in the PDF
    # as PDF 2.0's Strong, which readers of its PDF 1.4 do not know and drop with its text
    marker = (
        f" <b class='synthetic'>{html.escape(str(plan.meta['synthetic_note']))}</b>"
        if plan.meta.get("synthetic_note")
        else ""
    )
    # a week planned after passes were logged says what is logged: "54 av 54 min" alone
    # read as a week short of the promise
    logged = f" {html.escape(plan.logged_text())}" if plan.logged_text() else ""
    # the minutes the drives take are said, and how sure they are (a planner's review: 42 of
    # 120 minutes were driving on straight lines between villages, not said on the page)
    driving = round(sum(float(t["drive_min"]) for t in trips.values()))
    notes = [str(plan.meta["repeat_note"])] if plan.meta.get("repeat_note") else []
    if plan.meta.get("schematic"):
        # for the patrol: what the drives rest on; how to get real roads is the planner's
        # (the map's box and the README), not an instruction on a patrol's sheet
        notes.append(
            "Schematiskt vägnät: vägarna är raka linjer mellan orter, så körningens "
            f"{driving} min är ungefärliga."
        )
    note_html = "".join(f"<p class='note'>{html.escape(n)}</p>" for n in notes)
    # what the map shows, for a screen reader (the page, its PDF): the stops are the table's
    map_alt = (
        f"Karta över {settings.kommun_name}s kommun: veckans {len(table)} stopp numrerade som "
        "i tabellen, och vägen för varje tur från och till infarten."
    )
    return f"""<!DOCTYPE html>
<html lang="sv"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Patrullplan vecka {int(num)} {year}</title>
<style>
@page {{ size: A4; margin: 10mm; }}
body {{ font: 8pt/1.25 system-ui, "DejaVu Sans", sans-serif; color: #111; margin: 0; }}
h1 {{ font-size: 14pt; margin: 0 0 2px 0; }}
.sub {{ margin: 0 0 6px 0; color: #333; }}
img.map {{ display: block; max-width: 100%; max-height: 55mm; margin: 0 auto 3px auto; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ border: 1px solid #999; padding: 2px 4px; vertical-align: top; text-align: left; }}
th {{ background: #eee; }}
td.nr {{ text-align: right; }}
tbody.stop {{ break-inside: avoid; }}
td.why {{ font-size: 7.5pt; color: #222; }}
span.date {{ white-space: nowrap; }}
th.why {{ font-weight: normal; font-style: italic; }}
td.tick, td.day, td.time {{ white-space: nowrap; font-size: 8pt; }}
td.trip {{ background: #f4f4f4; font-weight: bold; padding: 1px 4px; }}
.note {{ color: #8a1c1c; font-size: 8pt; margin: 4px 0; }}
footer {{ margin-top: 6px; font-size: 8pt; color: #333; border-top: 1px solid #999;
  padding-top: 3px; }}
footer b {{ color: #8a1c1c; }}
.sub .synthetic {{ color: #8a1c1c; }}
/* a phone (a planner's review: at 390 px the theme, the tick box and the reasons were cut
   off): each stop is a card of named lines, as wide as the screen; print keeps the table */
@media screen and (max-width: 700px) {{
  body {{ margin: 6px; font-size: 11pt; }}
  img.map {{ max-height: none; }}
  table, tbody, tr, td {{ display: block; width: auto; }}
  thead {{ display: none; }}
  td {{ border: 0; padding: 1px 0; text-align: left; }}
  td[data-label]::before {{ content: attr(data-label) ": "; color: #555; }}
  tbody.stop {{ border: 1px solid #999; margin: 0 0 8px 0; padding: 4px 6px; }}
  td.stopnr, td.place {{ font-weight: bold; }}
  td.nr {{ text-align: left; }}
  td.tick, td.day, td.time {{ font-size: inherit; }}
  td.why, .note, footer {{ font-size: 10pt; }}
  td.trip {{ margin: 10px 0 4px 0; padding: 4px 6px; }}
}}
</style></head>
<body>
<h1>Patrullplan vecka {int(num)} ({monday:%Y-%m-%d} – {sunday:%Y-%m-%d})</h1>
<p class="sub">{html.escape(settings.kommun_name)}s kommun, medborgarlöftet: minst två timmar
i veckan. Planerat {int(plan.total_min)} av {plan.budget_min:.0f} min, varav {driving} min
körning från och till {html.escape(entry)}.{logged}{marker}</p>
<img class="map" alt="{html.escape(map_alt)}" src="data:image/png;base64,{img}">
<table>
{_THEAD}
{"".join(rows)}
</table>
{note_html}
<footer>Dataperiod: {html.escape(str(plan.meta.get("data_period", "")))} ·
Skapad: {generated:%Y-%m-%d %H:%M} · <b>{HANDLING_NOTE}</b></footer>
</body></html>
"""


#: Plan files besides the map: key → (file name suffix, content).
_FILES: dict[str, tuple[str, Callable[[Plan], bytes]]] = {
    "csv": (".csv", _csv_bytes),
    "geojson": (".geojson", _geojson_bytes),
    "ics": (".ics", lambda plan: plan_calendar(plan).to_ical()),
    "html": ("-a4.html", lambda plan: one_pager_html(plan).encode("utf-8")),
}


def write_outputs(plan: Plan, *, out_dir: Path, pdf: bool = True) -> dict[str, Path]:
    """Write every output of a plan into ``out_dir`` (default folder: ``maps/``).

    Parameters
    ----------
    plan
        The plan.
    out_dir
        Output folder.
    pdf
        Print the one-pager to PDF with Chromium too.

    Returns
    -------
    dict of str to Path
        ``map``, ``csv``, ``geojson``, ``ics``, ``html`` and (with ``pdf``) ``pdf``.
    """
    from geo.maps.io import save_map
    from geo.maps.plan import plan_map

    stem = f"plan-{plan.week}"
    paths: dict[str, Path] = {}
    paths["map"] = save_map(plan_map(plan), out_dir / f"{stem}.html")
    for key, (suffix, render) in _FILES.items():
        paths[key] = write_atomically(
            out_dir / f"{stem}{suffix}", render(plan), fix="Choose a writable folder with --out."
        )
    if pdf:
        paths["pdf"] = print_one_pager(paths["html"], week=plan.week)
    logger.info("plan %s written to %s", plan.week, out_dir)
    return paths


def write_plan_outputs(
    plan: Plan,
    *,
    out_dir: Path,
    store_path: Path | None,
    pdf: bool = True,
) -> dict[str, Path]:
    """Write a plan's map, CSV, GeoJSON, .ics and A4 one-pager, and store its stops (``geo plan``).

    Parameters
    ----------
    plan
        The plan.
    out_dir
        Folder of the outputs (``plan-<week>.html`` map, ``.csv``, ``.geojson``, ``.ics``,
        ``-a4.html``, ``.pdf``).
    store_path
        The store (the stops are saved so next week avoids their place and hour); ``None``
        is the default store (:data:`geo.settings.store_path`), said by the caller: a test
        that left it out wrote its made-up plan for 2026-W49 into the checkout's store, and
        ``geo plan`` for that week then read it as last week's plan of W50.
    pdf
        Also print the one-pager to PDF with Chromium.

    Returns
    -------
    dict of str to Path
        ``map``, ``csv``, ``geojson``, ``ics``, ``html``, ``pdf``.
    """
    paths = write_outputs(plan, out_dir=out_dir, pdf=pdf)
    save_plan(plan, store_path)
    return paths


#: The smallest scale the one-pager is printed at to keep a week on one sheet: five road
#: checks with every part of their reasons said run a few lines past one A4 page at full
#: size; at 85 % the reasons print at 6.4 pt.
ONE_PAGE_SCALE = 0.85


def print_one_pager(html: Path, *, week: str) -> Path:
    """Print the A4 one-pager ``plan-<week>-a4.html`` to ``plan-<week>.pdf`` beside it.

    A week a little longer than a page is printed smaller (down to :data:`ONE_PAGE_SCALE`)
    to stay on one sheet. A week of more stops with long reasons takes a second page: no
    stop is split between pages, the table's head is repeated and every page's foot names
    the week, the handling note and the page ("sida 2 av 2").

    Parameters
    ----------
    html
        The one-pager written by :func:`write_outputs`.
    week
        The plan's ISO week, for the foot of each page.

    Returns
    -------
    Path
        The PDF.
    """
    from geo.report._pdf import html_to_pdf

    year, num = week.split("-W")
    footer = f"Patrullplan vecka {int(num)} {year} · {HANDLING_NOTE}"
    pdf = html.with_name(html.name.removesuffix("-a4.html") + ".pdf")
    return html_to_pdf(html, pdf, footer=footer, fit_scale=ONE_PAGE_SCALE)
