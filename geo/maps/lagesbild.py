"""The lägesbild maps: the internal map for the police planner and the shared (aggregated) map."""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import branca
import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import Element, MacroElement, Template  # type: ignore[attr-defined]
from folium import plugins
from folium.utilities import JsCode

from geo import privacy, settings
from geo.errors import DataError
from geo.maps.analysis_layers import (
    FORECAST_RAMP,
    emerging_features,
    forecast_features,
    forecast_week_label,
)
from geo.maps.base import (
    CATEGORY_COLORS,
    GI_CLASSES,
    MAPKEYS_JS,
    MIN_ANALYSIS_CELL_PX,
    MIN_SIZE_JS,
    THEME_COLORS,
    MapScript,
    add_legend,
    base_map,
    busiest_hours,
    finish_map,
    format_time,
    geojson_layer,
    list_value,
    period_label,
    to_display,
)
from geo.model import CATEGORIES, SOURCES, SYNTHETIC_SOURCE, THEMES, synthetic_note
from geo.projection import require_projected
from geo.sites import bathing_site_ids, bathing_site_of
from geo.spots import OPEN_STATUSES, SPOT_CATEGORIES, STATUSES, when_text
from geo.weeks import DAY_ABBR, week_range

logger = logging.getLogger(__name__)

#: Colours of the open statuses of kommun-marked spots (:data:`geo.spots.OPEN_STATUSES`):
#: a new one darkest; teal, apart from the hot cells' red and the traffic events' orange.
#: Each stands out 3:1 from the map's background (WCAG 1.4.11; a marked stretch is a line
#: in its colour alone): the lighter two were 2.6:1 and 1.35:1, "åtgärd planerad" barely seen.
SPOT_COLORS: dict[str, str] = {"ny": "#003c30", "bedomd": "#01665e", "atgard_planerad": "#307c74"}

#: The ring of an incident's circle (its fill is the category's colour).
MARKER_EDGE = "#333333"


#: The cluster bubbles' icon: one bubble per place for every theme, its ring split by theme ...
CLUSTERS_JS = Path(__file__).with_name("clusters.js")
#: ... and its styles.
CLUSTERS_CSS = Path(__file__).with_name("clusters.css")


#: The weeks the slider can show up to the chosen one: that week alone first, or the last 2, 4
#: or 6 (domain research §1.3: traffic and motorburen problems are read over 2–6 weeks).
WEEK_SPANS: tuple[int, ...] = (1, 2, 4, 6)


class WeekSlider(MacroElement):
    """A week slider and category check boxes that filter the clustered incident layers.

    A filter empties the cluster groups the themes feed and adds back, for each theme
    switched on in the layer list, its markers that pass; each theme's GeoJSON layer keeps
    just those, so a theme switched on later brings only them.

    Parameters
    ----------
    pairs
        ``(sub_group, geojson)`` per theme: a ``FeatureGroupSubGroup`` of a marker-cluster
        group and the theme's GeoJSON layer in it; each GeoJSON feature has a ``w`` property
        holding its ISO week (``"2025-W23"``) and a ``c`` property holding its category id.
    weeks
        Every week of the data period, in order.
    counts
        Events per week (all incidents, not only the drawn markers).
    categories
        ``(id, Swedish label, colour, number of events)`` per category shown; each gets a
        check box (all ticked at first) in the same colour as its markers.
    category_counts
        Events per week and category, ``{"2025-W23": {"hastighet": 3}}``: a chosen week's
        check boxes show that week's counts (all incidents).

    A list beside the slider shows the chosen week alone or with the weeks before it
    (:data:`WEEK_SPANS`); label, markers and check boxes count those weeks together.
    """

    _template = Template(
        """
{% macro script(this, kwargs) %}
(function () {
  var map = {{ this._parent.get_name() }};
  var pairs = [
    {% for c, g in this.pairs %}[{{ c }}, {{ g }}]{{ "," if not loop.last }}{% endfor %}
  ];
  var every = pairs.map(function (pr) { return pr[1].getLayers(); });  // each theme's markers
  var groups = [];  // the cluster groups the themes feed (one)
  pairs.forEach(function (pr) {
    var g = pr[0].getParentGroup();
    if (groups.indexOf(g) === -1) { groups.push(g); }
  });
  var weeks = {{ this.weeks|tojson }};
  var counts = {{ this.counts|tojson }};
  var total = {{ this.total|tojson }};
  var cats = {{ this.categories|tojson }};
  var perWeek = {{ this.category_counts|tojson }};
  var on = {}, catText = {};
  cats.forEach(function (c) { on[c[0]] = true; });
  var ctl = L.control({position: 'bottomleft'});
  ctl.onAdd = function () {
    var div = L.DomUtil.create('div', 'geo-box geo-week');
    var label = L.DomUtil.create('div', 'geo-week-label', div);
    var input = L.DomUtil.create('input', 'geo-week-input', div);
    input.type = 'range'; input.min = 0; input.max = weeks.length; input.step = 1; input.value = 0;
    input.setAttribute('aria-label', 'Välj vecka');
    // how many weeks up to the chosen one: one, or the last 2-6 weeks a traffic or motorburen
    // problem is read over (domain research §1.3)
    var span = L.DomUtil.create('select', 'geo-week-span', div);
    span.setAttribute('aria-label', 'Antal veckor');
    {{ this.spans|tojson }}.forEach(function (n) {
      var o = L.DomUtil.create('option', '', span);
      o.value = n; o.textContent = n === 1 ? '1 vecka' : n + ' veckor';
    });
    span.value = {{ this.spans[0]|tojson }};
    var box = L.DomUtil.create('details', 'geo-cats', div);
    L.DomUtil.create('summary', '', box).textContent = 'Kategorier';
    function chosen() {  // the weeks shown: null for all, else the span ending at the slider's
      var i = parseInt(input.value, 10), n = parseInt(span.value, 10);
      return i === 0 ? null : weeks.slice(Math.max(0, i - n), i);
    }
    function sum(wks, of) {
      return wks.reduce(function (a, w) { return a + (of(w) || 0); }, 0);
    }
    function text(wks) {
      if (wks === null) return 'Vecka: alla (' + total + ' händelser); dra för att välja vecka';
      var n = sum(wks, function (w) { return counts[w]; });
      var name = wks.length === 1 ? 'Vecka ' + wks[0]
                                  : 'Veckor ' + wks[0] + '–' + wks[wks.length - 1].slice(5);
      return name + ': ' + n + ' händelser';
    }
    function show() {
      var wks = chosen();
      label.textContent = text(wks);
      cats.forEach(function (c) {
        var n = wks === null ? c[3]
                             : sum(wks, function (w) { return (perWeek[w] || {})[c[0]]; });
        catText[c[0]].nodeValue = c[1] + ' (' + n + ')';
      });
      // rebuilt at once (a marker at a time is slow): the groups emptied, each theme's
      // passing markers kept in its GeoJSON layer and added if the theme is switched on
      groups.forEach(function (g) { g.clearLayers(); });
      pairs.forEach(function (pr, i) {
        var keep = every[i].filter(function (l) {
          var p = l.feature.properties;
          return (wks === null || wks.indexOf(p.w) !== -1) && on[p.c] !== false;
        });
        pr[1].clearLayers();
        keep.forEach(function (l) { pr[1].addLayer(l); });
        if (map.hasLayer(pr[0])) { pr[0].getParentGroup().addLayers(keep); }
      });
    }
    cats.forEach(function (c) {
      var row = L.DomUtil.create('label', 'geo-cat', box);
      var tick = L.DomUtil.create('input', '', row);
      tick.type = 'checkbox'; tick.checked = true; tick.value = c[0];
      var swatch = L.DomUtil.create('span', 'geo-swatch', row);
      swatch.style.background = c[2];
      catText[c[0]] = row.appendChild(document.createTextNode(c[1] + ' (' + c[3] + ')'));
      L.DomEvent.on(tick, 'change', function () { on[c[0]] = tick.checked; show(); });
    });
    label.textContent = text(null);
    L.DomEvent.on(input, 'input', show);
    L.DomEvent.on(span, 'change', show);
    L.DomEvent.disableClickPropagation(div);
    L.DomEvent.disableScrollPropagation(div);
    return div;
  };
  ctl.addTo(map);
})();
{% endmacro %}
"""
    )

    def __init__(
        self,
        pairs: Sequence[tuple[plugins.FeatureGroupSubGroup, folium.GeoJson]],
        *,
        weeks: Sequence[str],
        counts: dict[str, int],
        categories: Sequence[tuple[str, str, str, int]] = (),
        category_counts: dict[str, dict[str, int]] | None = None,
    ) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "WeekSlider"
        self._pairs = list(pairs)
        self.weeks = list(weeks)
        self.counts = counts
        self.category_counts = category_counts or {}
        self.total = int(sum(counts.values()))
        self.categories = [list(c) for c in categories]
        self.spans = list(WEEK_SPANS)

    @property
    def pairs(self) -> list[tuple[str, str]]:
        """Return the JS variable names of each (sub-group, GeoJSON) pair."""
        return [(c.get_name(), g.get_name()) for c, g in self._pairs]


def iso_weeks(occurred_at: pd.Series) -> pd.Series:
    """Return the ISO week label (``"2025-W23"``) of each time, in local time.

    Parameters
    ----------
    occurred_at
        Tz-aware times.

    Returns
    -------
    pandas.Series
        Labels aligned with ``occurred_at``.
    """
    return privacy.time_band_labels(occurred_at, "week")


def _bathing_sites(
    incidents: gpd.GeoDataFrame, places: gpd.GeoDataFrame | None
) -> gpd.GeoDataFrame:
    """Return the bathing sites with events, each with a popup of its counts (theme B).

    The events at a bathing site are drawn as points in their own theme (N, T, S), once;
    this layer shows the sites themselves, with how many events, of which themes and
    categories, and the last one's date, so the map's clusters do not count them twice.
    """
    none = gpd.GeoDataFrame({"_n": []}, geometry=gpd.GeoSeries([]))
    bathing = bathing_site_ids(places)
    if places is None or not bathing:
        return none
    rows, geoms = [], []
    at = bathing_site_of(incidents, places)
    for _, p in places[places["place_id"].astype(str).isin(bathing)].iterrows():
        sub = incidents[at == str(p["place_id"])]
        if sub.empty:
            continue
        themes = sub["theme"].astype(str).value_counts()
        cats = sub["category"].astype(str).value_counts().head(3)
        last = pd.Timestamp(sub["occurred_at"].max()).tz_convert(settings.timezone)
        rows.append(
            {
                "_n": len(sub),
                "_title": f"{p['name']}: {len(sub)} händelser",
                "_name": f"{p['name']}: {len(sub)} händelser vid badplatsen",
                "_rows": [
                    ["Teman", ", ".join(f"{n} {t}" for t, n in themes.items())],
                    [
                        "Vanligast",
                        ", ".join(
                            f"{n} {CATEGORIES[c].label.lower() if c in CATEGORIES else c}"
                            for c, n in cats.items()
                        ),
                    ],
                    ["Senaste", f"{last:%Y-%m-%d}"],
                ],
                "_color": THEME_COLORS["B"],
            }
        )
        geoms.append(p.geometry)
    return gpd.GeoDataFrame(rows, geometry=geoms, crs=places.crs) if rows else none


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return str(value)


def _point_features(incidents: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    cats = incidents["category"].astype(str)
    rows = []
    weeks = iso_weeks(incidents["occurred_at"]) if len(incidents) else pd.Series(dtype=object)
    for rec, week in zip(incidents.to_dict("records"), weeks, strict=True):
        cat = str(rec.get("category"))
        label = CATEGORIES[cat].label if cat in CATEGORIES else cat
        theme = str(rec.get("theme"))
        source = _text(rec.get("source"))
        rows.append(
            {
                "_title": label,
                # a dark ring on the category's colour: the ring stands out from the map's
                # background (WCAG 1.4.11), as light categories' own colour did not (1.2:1)
                "_color": MARKER_EDGE,
                "_fill": CATEGORY_COLORS.get(cat, "#555555"),
                "_rows": [
                    ["Tid", format_time(rec.get("occurred_at"))],
                    ["Kategori", label],
                    ["Tema", f"{theme} – {THEMES.get(theme, theme)}"],
                    ["Källa", SOURCES.get(source, source)],
                    ["Plats", _text(rec.get("place_name")) or "–"],
                    ["Beskrivning", _text(rec.get("description")) or "–"],
                ],
                "w": week,
                "c": cat,
                "t": theme,
            }
        )
    return gpd.GeoDataFrame(
        rows, geometry=incidents.geometry.to_numpy(), crs=incidents.crs, index=cats.index
    )


def _incident_clusters(m: folium.Map, places: gpd.GeoDataFrame | None) -> plugins.MarkerCluster:
    """Add the one marker-cluster group that every incident theme's sub-group adds to.

    One group, so that the events of all the themes switched on at a place cluster into one
    bubble (a group per theme stacked one bubble per theme on the same spot, and only the
    top count could be read); its bubbles show their count inside a ring split by theme
    (``clusters.js``, ``clusters.css``). The group is not in the layer list: the themes are.
    It clusters at every zoom: events geocoded to a place share its very point, which no
    zoom separates, so at the closest zoom a click on their bubble spreads them out
    (Leaflet.markercluster's spiderfy) instead of leaving them drawn on top of each other.
    The bubbles and single events it shows are one tab stop, named with the nearest place
    (``mapkeys.js``).

    Parameters
    ----------
    m
        The map (changed in place: the group and the bubbles' styles are added).
    places
        The named places (any CRS), whose names the bubbles near them give; ``None``: none.

    Returns
    -------
    folium.plugins.MarkerCluster
        The group, the parent of each theme's ``FeatureGroupSubGroup``.
    """
    themes = [[t, label, THEME_COLORS[t]] for t, label in THEMES.items()]
    icon = (
        f"(function () {{\n{CLUSTERS_JS.read_text(encoding='utf-8')}\n"
        f"return geoClusterIcon({json.dumps(themes)});\n}})()"
    )
    root: Any = m.get_root()
    root.header.add_child(Element(f"<style>\n{CLUSTERS_CSS.read_text(encoding='utf-8')}</style>"))
    cluster = plugins.MarkerCluster(  # type: ignore[no-untyped-call]
        name="Händelser",
        control=False,
        icon_create_function=icon,
        options={"maxClusterRadius": 45, "chunkedLoading": True},
    )
    cluster.add_to(m)
    MapScript(MAPKEYS_JS, "geoBubbleKeys", cluster, args=[_place_points(places)]).add_to(m)
    return cluster


def _place_points(places: gpd.GeoDataFrame | None) -> list[list[Any]]:
    """Return ``[[name, lat, lng], ...]``: each place's name at a point inside it."""
    if places is None or places.empty:
        return []
    points = to_display(places.set_geometry(places.geometry.representative_point()))
    return [
        [str(name), round(pt.y, 6), round(pt.x, 6)]
        for name, pt in zip(points["name"], points.geometry, strict=True)
    ]


#: The heat map's weights, in full at every zoom.
HEAT_JS = Path(__file__).with_name("heat.js")


def _heat_data(
    incidents: gpd.GeoDataFrame, *, cell_size_m: float, max_cells: int
) -> list[list[float]]:
    if incidents.empty:
        return []
    x = incidents.geometry.x.to_numpy()
    y = incidents.geometry.y.to_numpy()
    w = (
        incidents["weight"].fillna(1.0).to_numpy(dtype=float)
        if "weight" in incidents
        else np.ones(len(x))
    )
    size = float(cell_size_m)
    while True:
        cells = pd.DataFrame({"cx": np.floor(x / size), "cy": np.floor(y / size), "w": w})
        agg = cells.groupby(["cx", "cy"], sort=False)["w"].sum().reset_index()
        if len(agg) <= max_cells:
            break
        size *= 2
    centers = gpd.GeoSeries(
        shapely.points((agg["cx"] + 0.5) * size, (agg["cy"] + 0.5) * size), crs=incidents.crs
    ).to_crs(settings.display_crs)
    weights = (agg["w"] / agg["w"].max()).round(3)
    return [
        [round(float(lat), 5), round(float(lon), 5), float(v)]
        for lon, lat, v in zip(centers.x, centers.y, weights, strict=True)
    ]


#: The hour-of-week chart's cell, left margin (day names) and bottom margin (hours), px.
_CHART_CELL, _CHART_LEFT, _CHART_BOTTOM = 11, 24, 14
#: Its width and height in pixels, given to the popup's image before it decodes.
CHART_SIZE: tuple[int, int] = (_CHART_LEFT + 24 * _CHART_CELL, 7 * _CHART_CELL + _CHART_BOTTOM)


def peak_hours_chart(how_profile: Sequence[float]) -> str:
    """Return a small 7 × 24 hour-of-week chart as an SVG data URI.

    Hand-built SVG rectangles rather than a plotting library: a map has one chart per
    hotspot, and this keeps each under 10 kB and takes microseconds.

    Parameters
    ----------
    how_profile
        168 counts, Monday 00:00 first.

    Returns
    -------
    str
        ``data:image/svg+xml;base64,…``: rows Monday–Sunday, columns hours 00–23, darker red
        for more events.

    Raises
    ------
    DataError
        If the profile does not have 168 values.
    """
    values = np.asarray(list(how_profile), dtype=float)
    if values.size != 168:
        msg = (
            f"An hour-of-week profile needs 168 values, got {values.size}; Monday 00:00 is index 0."
        )
        raise DataError(msg)
    from matplotlib import colormaps  # only for charts; the plan map never draws one
    from matplotlib.colors import to_hex

    top = float(values.max())
    shades = colormaps["Reds"](values / top if top > 0 else values)
    cell, left = _CHART_CELL, _CHART_LEFT
    width, height = CHART_SIZE
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" '
        f'height="{height}" font-family="sans-serif" font-size="8">'
    ]
    for day, name in enumerate(DAY_ABBR):
        parts.append(f'<text x="0" y="{day * cell + 8}">{name}</text>')
        for hour in range(24):
            parts.append(
                f'<rect x="{left + hour * cell}" y="{day * cell}" width="{cell}" height="{cell}" '
                f'fill="{to_hex(shades[day * 24 + hour])}"/>'
            )
    for hour in (0, 6, 12, 18, 23):
        parts.append(f'<text x="{left + hour * cell}" y="{7 * cell + 10}">{hour:02d}</text>')
    parts.append("</svg>")
    return "data:image/svg+xml;base64," + base64.b64encode("".join(parts).encode()).decode("ascii")


def _labels(values: Sequence[object], table: dict[str, str]) -> str:
    return ", ".join(table.get(str(v), str(v)) for v in values) or "–"


def _hotspot_features(hotspots: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    rows = []
    cat_labels = {c.id: c.label for c in CATEGORIES.values()}
    for rec in hotspots.to_dict("records"):
        theme = str(rec.get("theme"))
        cat = str(rec.get("category"))
        profile = list_value(rec.get("how_profile"))
        img = peak_hours_chart(profile) if len(profile) == 168 else ""
        peaks = busiest_hours(profile)
        what = (
            f"{THEMES.get(theme, theme)} (alla kategorier)"
            if cat == "alla"
            else cat_labels.get(cat, cat)
        )
        where = "".join(f" vid {p}" for p in list_value(rec.get("places"))[:1])
        rows.append(
            {
                "kind": "hotspot",
                "hotspot_id": _text(rec.get("hotspot_id")),
                # what and where, as a planner says it; the id is the store's, not theirs
                "_title": what + where,
                # its button's name: where, how many, what ("Hotspot vid Lanna badgruva: 23
                # händelser, Trafik (alla kategorier)"); without a place, the nearest one's
                "_name": f"Hotspot{where}: {_text(rec.get('n_events'))} händelser, {what}",
                "_near": not where,
                "_color": THEME_COLORS.get(theme, "#333333"),
                "_rows": [
                    ["Tema", f"{theme} – {THEMES.get(theme, theme)}"],
                    ["Antal händelser", _text(rec.get("n_events"))],
                    ["Kategorier", _labels(list_value(rec.get("categories")), cat_labels)],
                    ["Källor", _labels(list_value(rec.get("sources")), SOURCES)],
                    [
                        "Period",
                        f"{format_time(rec.get('first_seen'))[:10]} – "
                        f"{format_time(rec.get('last_seen'))[:10]}",
                    ],
                    ["Trend", _text(rec.get("trend")) or "–"],
                    ["Vanligaste timmar", peaks or "–"],
                    ["Platser", ", ".join(str(p) for p in list_value(rec.get("places"))) or "–"],
                ],
                "_img": img,
                "_img_size": list(CHART_SIZE),
                "_img_alt": "Händelser per veckodag och timme",
            }
        )
    return gpd.GeoDataFrame(rows, geometry=hotspots.geometry.to_numpy(), crs=hotspots.crs)


def _gi_features(gi_grid: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    sig = gi_grid[gi_grid["hotspot_class"].astype(str).str.match(r"(hot|cold)_")]
    rows = []
    for rec in sig.to_dict("records"):
        label, color = GI_CLASSES.get(
            str(rec["hotspot_class"]), (str(rec["hotspot_class"]), "#999")
        )
        local = _text(rec.get("local_events"))
        rows.append(
            {
                "_title": label,
                # its button's name, with the nearest place (mapkeys.js)
                "_name": f"{label}: {_text(rec.get('n_events'))} händelser i rutan"
                + (f", {local} med grannrutorna" if local else ""),
                "_near": True,
                "_color": color,
                "_min_px": MIN_ANALYSIS_CELL_PX,
                # a map reviewer: a cell of 2 events read as hot at 99 % unexplained, with
                # "p 0,000"; the neighbourhood's count is what Gi* weighs
                "_rows": [
                    ["Händelser i rutan", _cell_count(rec)],
                    ["Med grannrutorna", _text(rec.get("local_events")) or "–"],
                    ["Räknar", "alla teman"],
                    ["Gi*-z", _decimal(rec.get("gi_z"), 2)],
                    ["p (FDR-justerat)", _p_value(rec.get("p_fdr"))],
                ],
            }
        )
    return gpd.GeoDataFrame(rows, geometry=sig.geometry.to_numpy(), crs=gi_grid.crs)


#: The road stretches' ramp, few to many traffic events per km: greys to black, apart from
#: the traffic events' orange circles drawn on them (a map reviewer lost two of 13 events on
#: the earlier yellow-to-red stretches). Drawn at :data:`SEGMENT_OPACITY`, the lightest still
#: stands out 3:1 from the map's background (WCAG 1.4.11; it was #bdbdbd, 1.3:1).
SEGMENT_RAMP: tuple[str, ...] = ("#707070", "#404040", "#111111")
#: The road stretches' opacity.
SEGMENT_OPACITY = 0.9


def _segment_features(segments: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, float]:
    rate = segments["events_per_km"].astype(float).fillna(0.0)
    vmax = float(rate.max()) if len(rate) and rate.max() > 0 else 1.0
    cmap = branca.colormap.LinearColormap(list(SEGMENT_RAMP), vmin=0.0, vmax=vmax)
    if "check_counts" not in segments:
        logger.warning(
            "the road_segments layer predates its check_counts column: the road stretches' "
            "popups leave out what their events are; run `geo network roads` or `geo run`"
        )
    rows = []
    for rec, r in zip(segments.to_dict("records"), rate, strict=True):
        name = " ".join(x for x in (_text(rec.get("ref")), _text(rec.get("name"))) if x)
        # what and when, as the stretch's control point's reason says them; the names stored
        # with the counts (geo.roads.road_segments), not the priorities file as it reads now
        kinds = _text(rec.get("check_counts"))
        extra = [["Varav", kinds]] if kinds else []
        if pd.notna(rec.get("n_spots")) and int(rec["n_spots"]) > 0:
            # a marked spot counts as an event here; say which of them are the kommun's
            extra.insert(0, ["Varav kommunens markeringar", _text(rec.get("n_spots"))])
        if _text(rec.get("peak")):
            extra.append(["Flest händelser", _text(rec.get("peak"))])
        if _text(rec.get("maxspeed")):
            extra.append(["Hastighetsgräns", f"{_text(rec.get('maxspeed'))} km/h"])
        title = _text(rec.get("label")) or name
        rows.append(
            {
                "_title": title,
                # its button's name; a stretch without a label named by the nearest place
                "_name": f"Vägsträcka {title}".strip()
                + f": {_text(rec.get('n_events'))} trafikhändelser, {_decimal(r, 1)} per km",
                "_near": not _text(rec.get("label")),
                "_color": cmap(float(r)),
                "_rows": [
                    ["Väg", name or "utan nummer och namn"],
                    ["Längd", f"{_decimal(float(rec.get('length_m') or 0) / 1000, 1)} km"],
                    ["Trafikhändelser", _text(rec.get("n_events"))],
                    *extra,
                    ["Händelser per km", _decimal(r, 1)],
                    ["Rang", _text(rec.get("rank"))],
                ],
            }
        )
    return gpd.GeoDataFrame(rows, geometry=segments.geometry.to_numpy(), crs=segments.crs), vmax


def _decimal(value: object, digits: int) -> str:
    """Return a number with a Swedish decimal comma (``51,3``), or "–" when missing."""
    if value is None or pd.isna(value):  # type: ignore[call-overload]
        return "–"
    return f"{float(value):.{digits}f}".replace(".", ",")  # type: ignore[arg-type]


def _p_value(value: object) -> str:
    """Return a p-value as Swedish writes it, ``"< 0,001"`` below a thousandth (not 0,000)."""
    if value is not None and not pd.isna(value) and float(value) < 0.001:  # type: ignore[arg-type,call-overload]
        return "< 0,001"
    return _decimal(value, 3)


def _cell_count(rec: dict[str, Any]) -> str:
    """Return a Gi* cell's own count; a hot cell without events is hot by its neighbours."""
    n = _text(rec.get("n_events"))
    if n in ("0", "0.0") and str(rec.get("hotspot_class", "")).startswith("hot"):
        return "0 (het genom grannrutornas händelser)"
    return n


def _spot_features(spots: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    rows = []
    for rec in spots.to_dict("records"):
        cat = str(rec.get("category"))
        status = str(rec.get("status"))
        status_label = STATUSES.get(status, status)
        color = SPOT_COLORS.get(status, SPOT_COLORS["ny"])
        # the words the kommun marked it with, as in the marking app
        label = SPOT_CATEGORIES.get(cat, CATEGORIES[cat].label if cat in CATEGORIES else cat)
        rows.append(
            {
                "_title": f"Markerad trafikplats: {label}",
                # its button's name, in the marking app's words (no free text)
                "_name": f"Markerad trafikplats: {label}, status {status_label}",
                "_near": True,
                "_color": color,
                "_rows": [
                    ["Kategori", label],
                    ["Status", status_label],
                    [
                        "När",
                        when_text(
                            [int(d) - 1 for d in list_value(rec.get("weekdays"))],
                            [str(b) for b in list_value(rec.get("time_bands"))],
                        )
                        or "alla dagar och tider",
                    ],
                    ["Markerad", format_time(rec.get("created_at"))[:10] or "–"],
                    ["Beskrivning", str(rec.get("description") or "–")],
                ],
            }
        )
    return gpd.GeoDataFrame(rows, geometry=spots.geometry.to_numpy(), crs=spots.crs)


def _on_map(m: folium.Map, layer: folium.GeoJson) -> folium.GeoJson:
    """Add ``layer`` to ``m`` and return it (``add_to`` returns it as a plain element)."""
    layer.add_to(m)
    return layer


def _layer_keys(
    m: folium.Map, layers: list[folium.GeoJson], places: gpd.GeoDataFrame | None
) -> None:
    """Make each layer one tab stop over its features with a popup in view (``mapkeys.js``).

    Each is a button named by its feature's ``_name``, with the nearest named place when it
    has ``_near``; Enter opens its popup, Escape comes back.
    """
    if layers:
        MapScript(MAPKEYS_JS, "geoLayerKeys", layers=layers, args=[_place_points(places)]).add_to(m)


def lagesbild_map(
    incidents: gpd.GeoDataFrame,
    *,
    places: gpd.GeoDataFrame | None = None,
    boundary: shapely.Polygon | shapely.MultiPolygon | None = None,
    roads: gpd.GeoDataFrame | None = None,
    schematic_roads: bool = False,
    hotspots: gpd.GeoDataFrame | None = None,
    gi_grid: gpd.GeoDataFrame | None = None,
    road_segments: gpd.GeoDataFrame | None = None,
    spots: gpd.GeoDataFrame | None = None,
    emerging: gpd.GeoDataFrame | None = None,
    forecast: gpd.GeoDataFrame | None = None,
    max_markers: int = 2000,
    heat_cell_size_m: float = 100.0,
    max_heat_cells: int = 10000,
    generated_at: datetime | None = None,
) -> folium.Map:
    """Build the internal lägesbild map for the police planner (points allowed).

    Layers: incidents per löfte theme N, T, S (circle markers coloured by category, with
    popups: category, time, source, place, description; each theme a layer of its own, all
    clustered together, so a place has one bubble counting the themes switched on, its ring
    split by theme), theme B as the bathing sites with their counts, a heat map of all
    incidents, hotspot polygons (popups with counts, trend, peak hours and a 7 × 24 chart,
    places), significant Gi* cells, emerging hot spots (cells with a pattern, hidden at
    first), the forecast's riskiest cells holding half the week's expected events (hidden at
    first), road segments coloured by events per km, kommun-marked
    traffic spots, the named places and the kommun boundary; a weekly slider and category
    boxes filter the incident layers; place search, fullscreen, measuring and a layer control.

    Parameters
    ----------
    incidents
        Columns of :data:`geo.model.INCIDENT_COLUMNS`, Point geometry in a projected CRS.
    places, boundary, roads, schematic_roads
        Background, see :func:`geo.maps.base.base_map`.
    hotspots, gi_grid, road_segments, spots, emerging, forecast
        Analysis layers (see ``docs/maps.md`` for their columns); ``None`` skips a layer.
    max_markers
        Draw at most this many (the most recent) incidents as points; heat map, counts and
        the slider's counts use all incidents.
    heat_cell_size_m
        Incidents are summed to cells of this size before the heat map (doubled until at
        most ``max_heat_cells`` cells remain), so the page stays small.
    max_heat_cells
        Upper bound on heat-map points.
    generated_at
        Generation time shown on the map (default now).

    Returns
    -------
    folium.Map
        Save it with :func:`geo.maps.io.save_map`.

    Raises
    ------
    CRSError
        If the incidents are in a geographic CRS.
    """
    require_projected(incidents)
    n_total = len(incidents)
    notes = ["Internt arbetsmaterial – ej för spridning."]
    if "source" in incidents and (incidents["source"].astype(str) == SYNTHETIC_SOURCE).any():
        notes.append(synthetic_note("Kartan"))
    recent = incidents.sort_values("occurred_at", ascending=False, kind="stable").head(max_markers)
    if n_total > len(recent):
        notes.append(
            f"Punkterna visar de {len(recent):,} senaste av {n_total:,} händelser; "
            "värmekarta och veckoreglage räknar alla.".replace(",", " ")
        )
    m = base_map(
        title="Lägesbild – internt",
        period=period_label(incidents["occurred_at"]),
        boundary=boundary,
        roads=roads,
        schematic_roads=schematic_roads,
        places=places,
        generated_at=generated_at,
        notes=notes,
    )
    legend: list[tuple[str, str, str]] = []
    keyed: list[folium.GeoJson] = []  # the layers whose features the keyboard opens
    if gi_grid is not None and not gi_grid.empty:
        gi = _gi_features(gi_grid)
        keyed.append(
            _on_map(
                m,
                geojson_layer(
                    gi,
                    name=f"Gi*-rutor, signifikanta ({len(gi)})",
                    style={"weight": 0.5, "fillOpacity": 0.45},
                ),
            )
        )
        present = set(gi_grid["hotspot_class"].astype(str))
        legend += [
            (c, lbl, "fill")
            for k, (lbl, c) in GI_CLASSES.items()
            if k in present and k[:3] in ("hot", "col")
        ]
    if emerging is not None and not emerging.empty:
        em, em_legend = emerging_features(emerging)
        if len(em):
            keyed.append(
                _on_map(
                    m,
                    geojson_layer(
                        em,
                        name=f"Framväxande hot spots ({len(em)} rutor)",
                        style={"weight": 0.5, "fillOpacity": 0.5},
                        show=False,
                    ),
                )
            )
            legend += em_legend
    if forecast is not None and not forecast.empty:
        fc, held = forecast_features(forecast)
        if len(fc):
            week = forecast_week_label(forecast) or "kommande vecka"
            keyed.append(
                _on_map(
                    m,
                    geojson_layer(
                        fc,
                        name=f"Prognos {week} ({len(fc)} rutor, {round(100 * held)} % av väntade)",
                        style={"weight": 0.5, "fillOpacity": 0.55},
                        show=False,
                    ),
                )
            )
            legend += [
                (FORECAST_RAMP[1], f"Prognos {week}: få väntade", "fill"),
                (FORECAST_RAMP[-1], f"Prognos {week}: flest väntade (popup: antal)", "fill"),
            ]
    if road_segments is not None and not road_segments.empty:
        seg, vmax = _segment_features(road_segments)
        # a stretch's colour is its rate: no name is drawn over it (labels.js)
        keyed.append(
            _on_map(
                m,
                geojson_layer(
                    seg,
                    name="Vägsträckor (trafikhändelser per km)",
                    style={"weight": 5, "opacity": SEGMENT_OPACITY, "geoObstacle": True},
                ),
            )
        )
        legend += [
            (SEGMENT_RAMP[0], "Vägsträcka: få trafikhändelser per km", "line"),
            (SEGMENT_RAMP[-1], f"Vägsträcka: {_decimal(vmax, 1)} trafikhändelser per km", "line"),
        ]
    heat = _heat_data(incidents, cell_size_m=heat_cell_size_m, max_cells=max_heat_cells)
    if heat:
        heat_layer = plugins.HeatMap(  # type: ignore[no-untyped-call]
            heat,
            name="Värmekarta (alla händelser)",
            radius=18,
            blur=14,
            min_opacity=0.25,
            show=False,
        )
        heat_layer.add_to(m)
        # each cell weighed in full at every zoom, relative to the busiest (heat.js)
        MapScript(HEAT_JS, "geoHeatAtEveryZoom", heat_layer).add_to(m)
    if hotspots is not None and not hotspots.empty:
        # a theme's clusters shown, its categories' a click away: ten polygons lay on Fjugesta
        # centrum (each theme and each of its categories), a click opened the top one alone
        # and zoomed in the screen was a dark wash (a map reviewer)
        per_theme = hotspots["category"].astype(str) == "alla"
        for of_theme, name, shown in ((True, "per tema", True), (False, "per kategori", False)):
            part = hotspots[per_theme == of_theme]
            if part.empty:
                continue
            keyed.append(
                _on_map(
                    m,
                    geojson_layer(
                        _hotspot_features(part),
                        name=f"Hotspots {name} ({len(part)})",
                        style={"weight": 2.5, "fillOpacity": 0.2},
                        show=shown,
                    ),
                )
            )
        legend.append(("#333333", "Hotspot: kluster av händelser, kant i temats färg", "line"))
    pairs = []
    cluster: plugins.MarkerCluster | None = None
    themes = incidents["theme"].astype(str)
    bath_sites = _bathing_sites(incidents, places)
    for theme, theme_label in THEMES.items():
        if theme == "B" and len(bath_sites):
            # each event is drawn once, in its own theme; B shows the sites with their counts
            n_bath = int(bath_sites["_n"].sum())
            keyed.append(
                _on_map(
                    m,
                    geojson_layer(
                        bath_sites.drop(columns="_n"),
                        name=f"Händelser {theme} – {theme_label} ({n_bath} vid badplatserna)",
                        style={"color": THEME_COLORS[theme], "weight": 3, "fillOpacity": 0.25},
                    ),
                )
            )
            legend.append(
                (THEME_COLORS[theme], f"Tema B: {theme_label} (punkterna i sina teman)", "fill")
            )
            continue
        mask = themes == theme
        n_theme = int(mask.sum())
        if n_theme == 0:
            continue
        sel = recent[mask.loc[recent.index]]
        if cluster is None:
            cluster = _incident_clusters(m, places)
        sub = plugins.FeatureGroupSubGroup(  # type: ignore[no-untyped-call]
            cluster, name=f"Händelser {theme} – {theme_label} ({n_theme})"
        )
        sub.add_to(m)
        layer = geojson_layer(
            _point_features(sel),
            name=f"punkter {theme}",
            control=False,
            style={"weight": 1, "fillOpacity": 0.85},
            point_radius=6,
        )
        layer.add_to(sub)
        pairs.append((sub, layer))
        legend.append((THEME_COLORS[theme], f"Tema {theme}: {theme_label}", "line"))
    if pairs:  # the bubble's ring, in the theme colours listed just above
        shares = [THEME_COLORS[t] for t in ("N", "T", "S")]
        ring = (
            "radial-gradient(#fff 0 38%, transparent 40%), conic-gradient("
            f"{shares[0]} 0 33%, {shares[1]} 0 66%, {shares[2]} 0)"
        )
        legend.append((ring, "Bubbla: antal händelser; ringen visar temanas andelar", "ring"))
    cats_present = [c for c in CATEGORIES if c in set(incidents["category"].astype(str))]
    legend += [(CATEGORY_COLORS[c], CATEGORIES[c].label, "fill") for c in cats_present]
    # the problems still open; a spot the kommun rejected or the police solved is no longer one
    open_spots = (
        spots[spots["status"].astype(str).isin(OPEN_STATUSES)] if spots is not None else None
    )
    if open_spots is not None and not open_spots.empty:
        keyed.append(
            _on_map(
                m,
                geojson_layer(
                    _spot_features(open_spots),
                    name=f"Kommunens markerade trafikplatser, öppna ({len(open_spots)})",
                    # a stretch marked in the app is kept free of names, as a marked spot's circle
                    style={
                        "weight": 4,
                        "color": SPOT_COLORS["ny"],
                        "fillOpacity": 0.9,
                        "geoObstacle": True,
                    },
                    point_radius=7,
                ),
            )
        )
        legend.append(
            (
                SPOT_COLORS["ny"],
                "Kommunens markerade trafikplats: ny (ljusare: bedömd, åtgärd planerad)",
                "fill",
            )
        )
    if pairs and n_total:
        weeks = iso_weeks(incidents["occurred_at"])
        counts = {str(k): int(v) for k, v in weeks.value_counts().items()}
        n_cat = incidents["category"].astype(str).value_counts()
        categories = [
            (c, CATEGORIES[c].label, CATEGORY_COLORS.get(c, "#555555"), int(n_cat[c]))
            for c in cats_present
        ]
        span = week_range(weeks.min(), weeks.max())
        per_week: dict[str, dict[str, int]] = {}
        for (wk, cat), n in (
            incidents.groupby([weeks, incidents["category"].astype(str)]).size().items()
        ):
            per_week.setdefault(str(wk), {})[str(cat)] = int(n)
        m.add_child(
            WeekSlider(
                pairs, weeks=span, counts=counts, categories=categories, category_counts=per_week
            )
        )
    legend += [("#222222", "Kommungräns", "line"), ("#0571b0", "Badplats", "fill")]
    add_legend(m, legend)
    _layer_keys(m, keyed, places)
    logger.info("lägesbild map: %d incidents (%d points)", n_total, len(recent))
    return finish_map(m)


#: Smallest width (px) a published cell is drawn at on the shared map, whatever the zoom.
MIN_CELL_PX = 12
_SHARED_JS = (
    """
function (feature, layer) {
  var p = feature.properties || {};
  var n = p.n_events, steps = %(steps)s, colors = %(colors)s, c = colors[0];
  for (var i = 0; i < steps.length; i++) { if (n >= steps[i]) { c = colors[i]; } }
  layer.setStyle({fillColor: c, color: %(edge)s});
  // a 250 m cell is a few pixels wide when the whole kommun is in view: drawn at least MIN px
  // wide (MIN_SIZE_JS), so that no published cell is lost to the eye
  (function (MIN) {"""
    + MIN_SIZE_JS
    + """  })(%(min_px)s);
  // its button's name (mapkeys.js), from what its popup shows: theme, rounded count, time
  // band; the nearest named place is put before the colon
  p._name = String(p.theme_label || p.theme) + ': ' + p.n_events + '–' + (p.n_events + %(k)s - 1)
    + ' händelser' + (p.time_band && p.time_band !== 'hela perioden' ? ', ' + p.time_band : '');
  p._near = true;
  layer.bindPopup(function () {
    var box = document.createElement('div');
    box.className = 'geo-popup';
    var h = document.createElement('strong');
    h.textContent = String(p.theme_label || p.theme);
    box.appendChild(h);
    var rows = [['Antal händelser', p.n_events + '–' + (p.n_events + %(k)s - 1)],
                ['Tid', p.time_band],
                ['Rutstorlek', p.cell_size_m + ' m']];
    var t = document.createElement('table');
    rows.forEach(function (r) {
      var tr = t.insertRow();
      var a = tr.insertCell(); a.textContent = r[0]; a.className = 'geo-key';
      var b = tr.insertCell(); b.textContent = String(r[1]);
    });
    box.appendChild(t);
    return box;
  });
}
"""
)


def shared_map(
    cells: gpd.GeoDataFrame,
    *,
    k: int,
    period: str,
    time_band: str = "period",
    places: gpd.GeoDataFrame | None = None,
    boundary: shapely.Polygon | shapely.MultiPolygon | None = None,
    roads: gpd.GeoDataFrame | None = None,
    schematic_roads: bool = False,
    generated_at: datetime | None = None,
    synthetic: bool = False,
) -> folium.Map:
    """Build the shared lägesbild map from cells made by :func:`geo.privacy.aggregate_for_sharing`.

    The cells are checked with :func:`geo.privacy.assert_shareable` and drawn with only
    their shareable properties; the map has one layer per theme (and time band), the
    vector background and a legend. No points, free text or exact times are added.

    Parameters
    ----------
    cells
        Output of :func:`geo.privacy.aggregate_for_sharing`; drawn with their counts
        rounded down to a multiple of ``k`` (:func:`geo.privacy.rounded_to_k`).
    k
        The suppression threshold used (shown on the map and checked).
    period
        Data period, from :func:`geo.privacy.shared_period_label`.
    time_band
        The time band the cells were made with.
    places, boundary, roads, schematic_roads
        Background, see :func:`geo.maps.base.base_map`.
    generated_at
        Generation time shown on the map (default now).
    synthetic
        The cells count events of the synthetic sample: the map says so
        (:func:`geo.model.synthetic_note`), as the internal one does.

    Returns
    -------
    folium.Map
        Save it with :func:`geo.maps.io.save_map`.

    Raises
    ------
    DataError
        If ``cells`` is not shareable.
    """
    cells = privacy.rounded_to_k(cells, k=k)
    privacy.assert_shareable(cells, k=k, time_band=time_band, rounded=True)
    notes = [
        f"Delad version: rutor med färre än {k} händelser visas inte; inga enskilda "
        "händelser, fritexter eller exakta tider. Antalen är avrundade nedåt till "
        f"{k}-tal ({2 * k} betyder {2 * k}–{3 * k - 1}), så att två versioner av kartan inte "
        f"skiljer sig med färre än {k} händelser. En ruta för liten att se i skalan ritas "
        "som en liten fyrkant i sin mitt. En händelse vid en badplats räknas under "
        "Badplatser, inte under sitt eget tema. Visa ett tema i taget (lagerlistan): "
        "rutor av olika teman ligger på varandra."
    ]
    if synthetic:  # a council member would take the cells for real ones
        notes.insert(0, synthetic_note("Kartan"))
    m = base_map(
        title="Lägesbild – delad version",
        period=period,
        boundary=boundary,
        roads=roads,
        schematic_roads=schematic_roads,
        places=places,
        generated_at=generated_at,
        notes=notes,
    )
    steps = [k, 2 * k, 4 * k, 8 * k]
    colors = ["#fee5d9", "#fcae91", "#fb6a4a", "#cb181d"]
    # the löfte's first theme shown, the others a click away: the map opened on B, the first
    # in the alphabet, with 5 cells; and with all shown, a cell of Fjugesta with 140 narcotics
    # and 60 traffic events opened the top one's popup alone (the note says to show one)
    order = {theme: i for i, theme in enumerate(THEMES)}
    cells = cells.sort_values(
        ["theme", "time_band"], key=lambda c: c.map(order) if c.name == "theme" else c
    )
    first = True
    keyed: list[folium.GeoJson] = []
    for (theme, band), group in cells.groupby(["theme", "time_band"], sort=False):
        label = THEMES.get(str(theme), str(theme))
        name = f"{theme} – {label}" + ("" if band == "hela perioden" else f", {band}")
        js = JsCode(
            _SHARED_JS
            % {
                "steps": steps,
                "colors": colors,
                "edge": f'"{THEME_COLORS.get(str(theme), "#333")}"',
                "min_px": MIN_CELL_PX,
                "k": k,
            }
        )
        data = to_display(group[[*privacy.SHARED_COLUMNS, "geometry"]])
        layer = geojson_layer(
            data,
            # the shown cells' rounded sum, said to be so: the theme's total would give the
            # hidden rest
            name=f"{name} (minst {int(group['n_events'].sum())} händelser i visade rutor)",
            style={"weight": 1.5, "fillOpacity": 0.6},
            show=first,
            on_each_feature=js,
        )
        keyed.append(_on_map(m, layer))
        first = False
    legend = [(c, f"minst {s} händelser", "fill") for s, c in zip(steps, colors, strict=True)]
    legend += [
        (THEME_COLORS[t], f"Kant: tema {t} – {THEMES[t]}", "line")
        for t in THEMES
        if t in set(cells["theme"].astype(str))
    ]
    legend += [("#222222", "Kommungräns", "line"), ("#0571b0", "Badplats", "fill")]
    add_legend(m, legend, title="Händelser per ruta")
    _layer_keys(m, keyed, places)  # the cells by keyboard, each theme's one tab stop
    logger.info("shared map: %d cells", len(cells))
    return finish_map(m)
