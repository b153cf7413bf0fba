"""Write a weekly patrol plan: CSV, GeoJSON, .ics, map and the A4 one-pager (HTML and PDF)."""

from __future__ import annotations

import base64
import html
import io
import logging
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import icalendar
import pandas as pd

from geo import settings
from geo.errors import GeoError
from geo.model import THEMES
from geo.outputfile import write_atomically
from geo.report._spread import spread_markers
from geo.weeks import DAY_NAMES, week_monday

if TYPE_CHECKING:
    from collections.abc import Callable

    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

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


#: Columns of :func:`plan_trips`.
TRIP_COLUMNS: tuple[str, ...] = (
    "trip", "leave", "back", "drive_min", "drive_out_min", "drive_back_min", "orders", "starts",
)  # fmt: skip


def plan_trips(plan: Plan) -> pd.DataFrame:
    """Return each trip's times at the entry point: when to leave it and when back out.

    A trip leaves the entry point (``plan.meta["entry"]``, "Infart från Örebro"), drives
    ``drive_min_before`` to its first stop, visits its stops and drives back; the route's
    ``drive_min`` is all its driving. The leaving time is rounded down and the return up to
    the minute, so the trip's minutes on the road are never understated.

    Parameters
    ----------
    plan
        The plan.

    Returns
    -------
    pandas.DataFrame
        One row per trip, by trip number, columns :data:`TRIP_COLUMNS`: ``leave`` and
        ``back`` (local, tz-aware), ``drive_min`` (the trip's driving), ``drive_out_min``
        (to the first stop), ``drive_back_min`` (from the last stop), ``orders`` and
        ``starts`` (the stops' numbers and start times, in visiting order).
    """
    rows = []
    for trip, group in plan.stops.groupby("trip", sort=True):
        s = group.sort_values("start")
        before = (
            s["drive_min_before"].astype(float)
            if "drive_min_before" in s
            else pd.Series(0.0, index=s.index)
        )
        drives = plan.routes.loc[plan.routes["trip"] == trip, "drive_min"]
        drive = float(drives.iloc[0]) if len(drives) else float(before.sum())
        out_min = float(before.iloc[0])
        back_min = max(drive - float(before.sum()), 0.0)
        first = pd.Timestamp(s["start"].iloc[0])
        last = pd.Timestamp(s["end"].max() if "end" in s else s["start"].max())
        rows.append(
            {
                "trip": int(trip),
                "leave": (first - pd.Timedelta(minutes=out_min)).floor("min"),
                "back": (last + pd.Timedelta(minutes=back_min)).ceil("min"),
                "drive_min": drive,
                "drive_out_min": out_min,
                "drive_back_min": back_min,
                "orders": [int(o) for o in s["order"]],
                "starts": [pd.Timestamp(t) for t in s["start"]],
            }
        )
    return pd.DataFrame(rows, columns=list(TRIP_COLUMNS))


def _entry_name(plan: Plan) -> str:
    """Return the entry point's name as a sentence continues it ("infart från Örebro")."""
    entry = str(plan.meta.get("entry") or "infarten")
    return entry[:1].lower() + entry[1:]


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
        E.g. "Tur 1 fredag 4/12: infart från Örebro 20:11 → 1 20:19 → 2 20:37 → ut 21:03
        (körning 16 min)".
    """
    leave = pd.Timestamp(trip["leave"])
    back = pd.Timestamp(trip["back"])
    stops = " → ".join(
        f"{o} {pd.Timestamp(t):%H:%M}" for o, t in zip(trip["orders"], trip["starts"], strict=True)
    )
    return (
        f"Tur {int(trip['trip'])} {DAY_NAMES[leave.day_of_week]} {leave.day}/{leave.month}: "
        f"{_entry_name(plan)} {leave:%H:%M} → {stops} → ut {back:%H:%M} "
        f"(körning {round(float(trip['drive_min']))} min)"
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
            "theme": s["theme"],
            "reason": s["reason"],
            "lat": s["lat"],
            "lon": s["lon"],
            "place_id": s["place_id"],
            "trip": trip,
            "drive_min_before": s["drive_min_before"].astype(float).round().astype(int),
            "trip_leave": [f"{pd.Timestamp(trips[k]['leave']):%H:%M}" for k in trip],
            "trip_back": [f"{pd.Timestamp(trips[k]['back']):%H:%M}" for k in trip],
            "trip_drive_min": [round(float(trips[k]["drive_min"])) for k in trip],
        }
    )
    return df.rename(columns=CSV_COLUMNS)


def _csv_bytes(plan: Plan) -> bytes:
    """Return the stops as CSV (UTF-8 with BOM so Excel shows å, ä, ö)."""
    return plan_table(plan).to_csv(index=False).encode("utf-8-sig")


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
        Lines "Infart från Örebro 20:11 (körning 8 min)", "1. 20:19–20:37 <plats>: <åtgärd>",
        …, "Ut 21:03 vid infart från Örebro (körning 8 min). Körning i turen: 16 min.", then
        each stop's reason (:func:`event_description`) under its number, and the handling note.
    """
    entry = _entry_name(plan)
    stops = plan.stops.set_index("order").loc[list(trip["orders"])]
    lines = [
        f"{entry[:1].upper()}{entry[1:]} {pd.Timestamp(trip['leave']):%H:%M} "
        f"(körning {round(float(trip['drive_out_min']))} min)"
    ]
    for order, s in stops.iterrows():
        lines.append(
            f"{order}. {pd.Timestamp(s['start']):%H:%M}–{pd.Timestamp(s['end']):%H:%M} "
            f"{_clean(s['place'])}: {_clean(s['activity'])}"
        )
    lines.append(
        f"Ut {pd.Timestamp(trip['back']):%H:%M} vid {entry} "
        f"(körning {round(float(trip['drive_back_min']))} min). "
        f"Körning i turen: {round(float(trip['drive_min']))} min."
    )
    for order, s in stops.iterrows():
        lines.append("")
        lines.append(f"{order}. {_clean(s['place'])}")
        lines.append(event_description(str(s["reason"]), str(s["theme"])))
    lines.append("")
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
        ev.add("summary", f"Medborgarlöftet tur {k}: {', '.join(places)}")
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
    """Draw a static map of the plan (boundary, roads, route, numbered stops).

    Stop markers that would cover each other at the map's scale (one place visited on both
    trips, stops a few hundred metres apart) are set apart around their places
    (:func:`geo.report._spread.spread_markers`), each with a thin leader line to a dot on its
    true point, where the route goes.

    Parameters
    ----------
    plan
        The plan.

    Returns
    -------
    Figure
        The map (matplotlib, no tiles: works offline); the caller closes it.
    list of StopMarker
        Each stop's marker, in the order of ``plan.stops``.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from geo.maps.plan import _trip_color, _trip_weight
    from geo.sites import load_boundary, load_places

    fig, ax = plt.subplots(figsize=(6.2, 3.6), dpi=150)
    try:
        gpd.GeoSeries([load_boundary()], crs=settings.working_crs).boundary.plot(
            ax=ax, color="#222222", linewidth=1.0, linestyle="--"
        )
        places = load_places()
        places.plot(ax=ax, color="#cccccc", edgecolor="#888888", linewidth=0.5, alpha=0.5)
        for _, p in places[places["kind"].isin(["centrum", "ort"])].iterrows():
            c = p.geometry.representative_point()
            ax.annotate(str(p["name"]), (c.x, c.y), fontsize=6, color="#444444", ha="center")
    except GeoError as e:
        logger.warning("no background for the plan image: %s", e)
    n_trips = len(plan.routes)
    for _, r in plan.routes.sort_values("trip").iterrows():  # the first, widest, underneath
        trip = int(r["trip"])
        day = plan.stops.loc[plan.stops["trip"] == trip, "start"].min()
        when = f" ({DAY_NAMES[pd.Timestamp(day).day_of_week]})" if pd.notna(day) else ""
        gpd.GeoSeries([r.geometry], crs=plan.routes.crs).plot(
            ax=ax, color=_trip_color(trip), linewidth=0.5 * _trip_weight(trip, n_trips),
            label=f"Rutt {trip}{when}",
        )  # fmt: skip
    if n_trips > 1:
        ax.legend(loc="lower left", fontsize=6, frameon=False, handlelength=1.5)
    xy = [(s.geometry.x, s.geometry.y) for s in plan.stops.itertuples()]
    if xy:  # the stops in view even without a background; then fix the scale to spread at
        ax.update_datalim(xy)
        ax.autoscale_view()
    ax.set_axis_off()
    ax.set_aspect("equal")
    fig.tight_layout(pad=0.2)
    ax.autoscale(enable=False)
    ax.apply_aspect()
    to_pt = ax.transData + matplotlib.transforms.Affine2D().scale(72 / fig.dpi)
    true_pt = [(float(x), float(y)) for x, y in to_pt.transform(xy)] if xy else []
    drawn_pt = spread_markers(true_pt, diameter=MARKER_PT, gap=_MARKER_GAP_PT)
    markers = []
    for order, (x, y), at_pt in zip(plan.stops["order"], xy, drawn_pt, strict=True):
        at_x, at_y = to_pt.inverted().transform(at_pt)
        at = (float(at_x), float(at_y))
        leader = None
        if math.dist(to_pt.transform((x, y)), at_pt) > 0.5:
            ax.plot(x, y, "o", ms=3, color="#111111", zorder=4, clip_on=False)
            (leader,) = ax.plot(
                [x, at[0]], [y, at[1]], color="#111111", linewidth=0.8, zorder=4, clip_on=False,
                gid=f"leader-{int(order)}",
            )  # fmt: skip
        ax.plot(*at, "o", ms=13, color="white", mec="#111111", mew=1.5, zorder=5, clip_on=False)
        ax.annotate(
            str(int(order)), at, ha="center", va="center", fontsize=8, fontweight="bold",
            zorder=6, annotation_clip=False,
        )  # fmt: skip
        tx, ty = to_pt.transform((x, y))
        markers.append(StopMarker(int(order), (float(tx), float(ty)), at_pt, leader))
    return fig, markers


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
    for _, r in table.iterrows():  # a stop's reason on a row of its own, as wide as the page
        theme = str(r["tema"])
        trip = int(r["tur"])
        if trip not in shown:  # the trip's line before its first stop: leave, stops, out
            shown.add(trip)
            rows.append(
                "<tbody class='trip'><tr><td class='trip' colspan='9'>"
                f"{html.escape(trip_line(plan, trips[trip]))}</td></tr></tbody>"
            )
        rows.append(
            "<tbody class='stop'><tr>"
            f"<td class='nr' rowspan='2'>{int(r['nr'])}</td>"
            f"<td class='nr'>{trip}</td>"
            f"<td>{html.escape(str(r['plats']))}</td>"
            f"<td class='day'>{html.escape(str(r['dag']))}</td>"
            f"<td class='time'>{html.escape(str(r['start']))}–{html.escape(str(r['slut']))}</td>"
            f"<td class='nr'>{int(r['min'])}</td><td>{html.escape(str(r['åtgärd']))}</td>"
            f"<td>{html.escape(THEMES.get(theme, theme))}</td>"
            "<td class='tick'>☐ genomförd<br>tid: ______</td>"
            f"</tr><tr><td class='why' colspan='8'>{html.escape(str(r['skäl']))}</td></tr>"
            "</tbody>"
        )
    generated = pd.Timestamp(plan.meta["generated_at"]).tz_convert(settings.timezone)
    notes = []
    if plan.meta.get("schematic"):
        notes.append(str(plan.meta.get("network_note") or "Schematiskt vägnät."))
    note_html = "".join(f"<p class='note'>{html.escape(n)}</p>" for n in notes)
    return f"""<!DOCTYPE html>
<html lang="sv"><head><meta charset="utf-8">
<title>Patrullplan vecka {int(num)} {year}</title>
<style>
@page {{ size: A4; margin: 10mm; }}
body {{ font: 8pt/1.25 system-ui, "DejaVu Sans", sans-serif; color: #111; margin: 0; }}
h1 {{ font-size: 14pt; margin: 0 0 2px 0; }}
.sub {{ margin: 0 0 6px 0; color: #333; }}
img.map {{ display: block; max-width: 100%; max-height: 62mm; margin: 0 auto 6px auto; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ border: 1px solid #999; padding: 2px 4px; vertical-align: top; text-align: left; }}
th {{ background: #eee; }}
td.nr {{ text-align: right; }}
tbody.stop {{ break-inside: avoid; }}
td.why {{ font-size: 7.5pt; color: #222; }}
th.why {{ font-weight: normal; font-style: italic; }}
td.tick, td.day, td.time {{ white-space: nowrap; font-size: 8pt; }}
td.trip {{ background: #f4f4f4; font-weight: bold; border-top: 2px solid #555; }}
.note {{ color: #8a1c1c; font-size: 8pt; margin: 4px 0; }}
footer {{ margin-top: 6px; font-size: 8pt; color: #333; border-top: 1px solid #999;
  padding-top: 3px; }}
footer strong {{ color: #8a1c1c; }}
</style></head>
<body>
<h1>Patrullplan vecka {int(num)} ({monday:%Y-%m-%d} – {sunday:%Y-%m-%d})</h1>
<p class="sub">{html.escape(settings.kommun_name)}s kommun, medborgarlöftet: minst två timmar
i veckan. Planerat {int(plan.total_min)} av {plan.budget_min:.0f} min, körningen från och till
{html.escape(entry)} inräknad: varje tur börjar och slutar där (tider under "Tur").</p>
<img class="map" alt="Karta över veckans stopp" src="data:image/png;base64,{img}">
<table>
<thead><tr><th rowspan="2">nr</th><th>tur</th><th>plats</th><th>dag</th><th>tid</th><th>min</th>
<th>åtgärd</th><th>tema</th><th>✓ genomförd</th></tr><tr><th class="why" colspan="8">skäl</th></tr>
</thead>
{"".join(rows)}
</table>
{note_html}
<footer>Dataperiod: {html.escape(str(plan.meta.get("data_period", "")))} ·
Skapad: {generated:%Y-%m-%d %H:%M} · <strong>{HANDLING_NOTE}</strong></footer>
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


def print_one_pager(html: Path, *, week: str) -> Path:
    """Print the A4 one-pager ``plan-<week>-a4.html`` to ``plan-<week>.pdf`` beside it.

    A week of many stops with long reasons may take a second page: no stop is split between
    pages, the table's head is repeated and every page's foot names the week, the handling
    note and the page ("sida 2 av 2").

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
    return html_to_pdf(html, pdf, footer=footer)
