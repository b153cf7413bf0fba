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
}
HANDLING_NOTE = "Arbetsmaterial – ej för spridning"
#: A sentence's end where a reason's next part begins ("… händelser. Hela vägavsnittet: …").
_SENTENCE_END = re.compile(r"\.\s+(?=[A-ZÅÄÖ])")
#: Control characters, which iCalendar text may not hold (a lone CR would break the line).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def plan_table(plan: Plan) -> pd.DataFrame:
    """Return the plan's stops as the table of the CSV and the one-pager (Swedish headers).

    Parameters
    ----------
    plan
        The plan.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`CSV_COLUMNS` values, one row per stop.
    """
    s = plan.stops
    start = pd.to_datetime(s["start"])
    end = pd.to_datetime(s["end"])
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
            "trip": s["trip"].astype(int),
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
    """Return a stop's calendar text: each part of its reason on a line of its own.

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
        The text, ending with the theme and the handling note.
    """
    text = _SENTENCE_END.sub(".\n", _CONTROL.sub(" ", reason.strip()))
    return f"{text}\nTema: {THEMES.get(theme, theme)}. {HANDLING_NOTE}."


def plan_calendar(plan: Plan) -> icalendar.Calendar:
    """Return the plan as an iCalendar with one VEVENT per stop (stable UIDs).

    Parameters
    ----------
    plan
        The plan.

    Returns
    -------
    icalendar.Calendar
        ``DTSTART``/``DTEND`` with ``TZID=Europe/Stockholm``, ``LOCATION``, ``GEO``,
        ``DESCRIPTION`` (the reason, :func:`event_description`); ``UID`` = week + stop
        number, so a re-export of the same week updates the events instead of adding new ones.
    """
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(settings.timezone)
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Trygghetskartan//geo patrol plan//SV")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"Polisens trygghetsvandring {plan.week}")
    cal.add("x-wr-timezone", settings.timezone)
    generated = pd.Timestamp(plan.meta["generated_at"]).to_pydatetime()
    for _, s in plan.stops.iterrows():
        ev = icalendar.Event()
        ev.add("uid", f"{plan.week}-stopp-{int(s['order'])}@trygghetskartan.{settings.kommunkod}")
        ev.add("summary", f"{int(s['order'])}. {s['place']}: {s['activity']}")
        ev.add("dtstart", pd.Timestamp(s["start"]).to_pydatetime().astimezone(tz))
        ev.add("dtend", pd.Timestamp(s["end"]).to_pydatetime().astimezone(tz))
        ev.add("dtstamp", generated)
        ev.add("location", str(s["place"]))
        ev.add("geo", (float(s["lat"]), float(s["lon"])))
        theme = THEMES.get(str(s["theme"]), str(s["theme"]))
        ev.add("description", event_description(str(s["reason"]), str(s["theme"])))
        ev.add("categories", [theme])
        ev.add("class", "CONFIDENTIAL")
        cal.add_component(ev)
    cal.add_missing_timezones()
    return cal


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
    entry = str(plan.meta.get("entry") or "infarten")
    table = plan_table(plan)
    rows = []
    for _, r in table.iterrows():  # a stop's reason on a row of its own, as wide as the page
        theme = str(r["tema"])
        rows.append(
            "<tbody class='stop'><tr>"
            f"<td class='nr' rowspan='2'>{int(r['nr'])}</td>"
            f"<td>{html.escape(str(r['plats']))}</td>"
            f"<td class='day'>{html.escape(str(r['dag']))}</td>"
            f"<td class='time'>{html.escape(str(r['start']))}–{html.escape(str(r['slut']))}</td>"
            f"<td class='nr'>{int(r['min'])}</td><td>{html.escape(str(r['åtgärd']))}</td>"
            f"<td>{html.escape(THEMES.get(theme, theme))}</td>"
            "<td class='tick'>☐ genomförd<br>tid: ______</td>"
            f"</tr><tr><td class='why' colspan='7'>{html.escape(str(r['skäl']))}</td></tr>"
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
.note {{ color: #8a1c1c; font-size: 8pt; margin: 4px 0; }}
footer {{ margin-top: 6px; font-size: 8pt; color: #333; border-top: 1px solid #999;
  padding-top: 3px; }}
footer strong {{ color: #8a1c1c; }}
</style></head>
<body>
<h1>Patrullplan vecka {int(num)} ({monday:%Y-%m-%d} – {sunday:%Y-%m-%d})</h1>
<p class="sub">{html.escape(settings.kommun_name)}s kommun, medborgarlöftet: minst två timmar
i veckan. Planerat {int(plan.total_min)} av {plan.budget_min:.0f} min, körningen från och till
{html.escape(entry[:1].lower() + entry[1:])} inräknad.</p>
<img class="map" alt="Karta över veckans stopp" src="data:image/png;base64,{img}">
<table>
<thead><tr><th rowspan="2">nr</th><th>plats</th><th>dag</th><th>tid</th><th>min</th><th>åtgärd</th>
<th>tema</th><th>✓ genomförd</th></tr><tr><th class="why" colspan="7">skäl</th></tr></thead>
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
