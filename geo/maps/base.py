"""Shared building blocks of every map: the base map, vector background, legend, info box, popups.

Other map makers (the weekly patrol plan, the monthly report) build on :func:`base_map`
and :func:`finish_map` and save with :func:`geo.maps.io.save_map`. All geometry arrives
in the working CRS (EPSG:3006); this module alone converts it to EPSG:4326 for Leaflet.
Popups and tooltips are built in the browser from GeoJSON properties with
``textContent``, so text from the data (descriptions, names) is shown as text and never
runs as HTML.
"""

from __future__ import annotations

import html
import json
import logging
import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import (  # type: ignore[attr-defined]
    Element,
    Figure,
    MacroElement,
    Template,
)
from folium import plugins
from folium.utilities import JsCode

from geo import settings
from geo.maps.search import PlaceSearch
from geo.model import THEMES
from geo.network import road_labels
from geo.privacy import span_label
from geo.sites import naming_order
from geo.weeks import DAY_ABBR

logger = logging.getLogger(__name__)

#: One colour per löfte theme (used for layers, legend and hotspot outlines). Each stands out
#: 3:1 from the map's background (WCAG 1.4.11: a hotspot's or a shared cell's edge): T was
#: #e66101, 2.6:1, now ColorBrewer PuOr's darker orange.
THEME_COLORS: dict[str, str] = {"N": "#7b3294", "T": "#b35806", "B": "#0571b0", "S": "#1b7837"}

#: One colour per category, a shade of its theme's colour (consistent across all maps):
#: the upper half of ColorBrewer's sequential palettes (Purples, Oranges, Greens; Cynthia
#: Brewer, colorbrewer2.org), written out so drawing a map needs no matplotlib.
CATEGORY_COLORS: dict[str, str] = {
    "narkotika": "#9e9ac8",
    "alkohol": "#470f84",
    "hastighet": "#fd8c3b",
    "vardslos_korning": "#f67723",
    "rattfylleri": "#ec620f",
    "motorburen": "#de4e05",
    "buller": "#c54102",
    "trafikfarlig_plats": "#a53603",
    "trafikolycka": "#8e2d04",
    "nedskrapning": "#73c476",
    "skadegorelse": "#55b567",
    "ordningsstorning": "#3ba458",
    "inbrott": "#29914a",
    "stold": "#157f3b",
    "otrygg_plats": "#006c2c",
    "parkering": "#a1d99b",
    "ovrigt": "#005321",
}

#: Swedish labels and colours of the Gi* classes.
GI_CLASSES: dict[str, tuple[str, str]] = {
    "hot_99": ("Het ruta (99 % säkerhet)", "#b2182b"),
    "hot_95": ("Het ruta (95 % säkerhet)", "#ef8a62"),
    "hot_90": ("Het ruta (90 % säkerhet)", "#fddbc7"),
    "cold_99": ("Kall ruta (99 % säkerhet)", "#2166ac"),
    "cold_95": ("Kall ruta (95 % säkerhet)", "#67a9cf"),
    "cold_90": ("Kall ruta (90 % säkerhet)", "#d1e5f0"),
    "ej_signifikant": ("Ej signifikant", "#bbbbbb"),
    "för_få_händelser": ("För få händelser för slutsats", "#eeeeee"),
    "för_få_rutor": ("För få rutor för slutsats (mindre rutor behövs)", "#eeeeee"),
}


#: Smallest width (px) the internal map draws an analysis cell at (Gi*, emerging hot spots,
#: forecast): smaller than the shared map's, since neighbouring cells are drawn too.
MIN_ANALYSIS_CELL_PX = 8

#: JS body of ``function (MIN) {…}`` run for a polygon ``layer``: below ``MIN`` px wide it is
#: drawn as a square of ``MIN`` px around its centre (a minimum symbol size: a 250 m cell is 4 px
#: wide with the whole kommun in view and was lost to the eye), its own shape again once zoomed
#: in. The feature's data are unchanged. No percent sign: it goes into %-formatted templates.
MIN_SIZE_JS = """
  var own = layer.getLatLngs(), map = null;
  var fit = function () {
    if (!map) { return; }
    var b = L.latLngBounds(own[0] || own);
    var sw = map.latLngToLayerPoint(b.getSouthWest());
    var ne = map.latLngToLayerPoint(b.getNorthEast());
    if (ne.x - sw.x >= MIN) { layer.setLatLngs(own); return; }
    var mid = sw.add(ne).divideBy(2), h = MIN / 2;
    layer.setLatLngs([[-h, -h], [h, -h], [h, h], [-h, h]].map(function (d) {
      return map.layerPointToLatLng(mid.add(L.point(d[0], d[1])));
    }));
  };
  layer.on('add', function () { map = layer._map; map.on('zoomend', fit); fit(); });
  layer.on('remove', function () { if (map) { map.off('zoomend', fit); } map = null; });
"""

#: Leaflet ``onEachFeature``: popups/tooltips from ``_title``, ``_rows``, ``_img`` (with its
#: ``[width, height]`` in ``_img_size``) and ``_tooltip`` properties, written with textContent
#: (never innerHTML), and ``_color``; a permanent label sits by ``_label_dir``/
#: ``_label_offset`` (default centred) with the extra CSS class ``_label_class``, placed in the
#: order ``_label_rank`` (0 first) and, with ``_label_on_rings``, set on a cluster bubble's ring
#: rather than hidden (labels.js); a polygon
#: with ``_min_px`` is drawn at least that wide (:data:`MIN_SIZE_JS`).
SAFE_FEATURE_JS = JsCode(
    """
function (feature, layer) {
  var p = feature.properties || {};
  if (p._color && layer.setStyle) {
    layer.setStyle({color: p._color, fillColor: p._fill || p._color});
  }
  if (p._min_px && layer.getLatLngs) { (function (MIN) {"""
    + MIN_SIZE_JS
    + """  })(p._min_px); }
  if (p._rows || p._title) {
    layer.bindPopup(function () {
      var box = document.createElement('div');
      box.className = 'geo-popup';
      if (p._title) {
        var h = document.createElement('strong');
        h.textContent = String(p._title);
        box.appendChild(h);
      }
      var table = document.createElement('table');
      (p._rows || []).forEach(function (r) {
        var tr = table.insertRow();
        var a = tr.insertCell(); a.textContent = String(r[0]); a.className = 'geo-key';
        var b = tr.insertCell(); b.textContent = String(r[1]);
      });
      box.appendChild(table);
      if (typeof p._img === 'string' && p._img.indexOf('data:image/svg+xml;base64,') === 0) {
        var img = document.createElement('img');
        // its size known before it decodes, so the popup is laid out and panned at its height
        if (p._img_size) { img.width = p._img_size[0]; img.height = p._img_size[1]; }
        img.src = p._img; img.alt = String(p._img_alt || ''); img.className = 'geo-chart';
        box.appendChild(img);
      }
      return box;
    }, {maxWidth: 380});
  }
  if (p._tooltip) {
    layer.bindTooltip(function () {
      var s = document.createElement('span');
      s.textContent = String(p._tooltip);
      return s;
    }, {permanent: !!p._permanent, direction: p._label_dir || 'center',
        offset: p._label_offset || [0, 0], geoRank: p._label_rank,
        geoOnRings: !!p._label_on_rings,
        className: 'geo-label' + (p._label_class ? ' ' + p._label_class : '')});
  }
}
"""
)

_CSS = """
<style>
.geo-box {background: rgba(255,255,255,0.93); padding: 6px 9px; border-radius: 5px;
  box-shadow: 0 1px 4px rgba(0,0,0,0.35); font: 12px/1.35 system-ui, sans-serif; max-width: 300px;}
main.geo-page {position: absolute; inset: 0;}
.geo-box h1, .geo-box h2 {margin: 0 0 4px 0; font-size: 14px;}
.geo-legend {max-height: 60vh; overflow-y: auto;}
.geo-folded > :not(h1):not(h2):not(.geo-keep) {display: none;}
.geo-folded h1, .geo-folded h2 {margin: 0;}
.geo-box button.geo-fold {font: inherit; color: inherit; background: none; border: 0;
  padding: 0; cursor: pointer; text-align: left;}
.geo-folded button.geo-fold::after {content: " ▸";}
.geo-box .geo-sw {display: inline-block; width: 12px; height: 12px; margin-right: 5px;
  vertical-align: -2px; border: 1px solid #555;}
.geo-box .geo-sw-ring {border-radius: 50%; border: 0;}
.geo-box .geo-line {display: inline-block; width: 16px; height: 0; margin-right: 5px;
  vertical-align: 3px; border-top: 3px solid;}
.geo-box .geo-note {color: #8a1c1c; font-weight: 600;}
/* read by a screen reader, not shown (the place search's status line) */
.geo-sr-only {position: absolute; width: 1px; height: 1px; overflow: hidden;
  clip: rect(0 0 0 0); clip-path: inset(50%); white-space: nowrap;}
/* a popup taller than its room scrolls: a shadow at the edge where more is (covered by the
   white that moves with the content once scrolled to that end) */
.leaflet-popup-scrolled {background:
  linear-gradient(#fff 30%, rgba(255,255,255,0)) top / 100% 24px no-repeat local,
  linear-gradient(rgba(255,255,255,0), #fff 70%) bottom / 100% 24px no-repeat local,
  radial-gradient(farthest-side at 50% 0, rgba(0,0,0,.45), rgba(0,0,0,0))
    top / 100% 14px no-repeat scroll,
  radial-gradient(farthest-side at 50% 100%, rgba(0,0,0,.45), rgba(0,0,0,0))
    bottom / 100% 14px no-repeat scroll;}
.geo-popup table {border-collapse: collapse; margin-top: 3px;}
.geo-popup td {padding: 1px 6px 1px 0; vertical-align: top;}
.geo-popup td.geo-key {color: #555;}
.geo-popup img.geo-chart {display: block; margin-top: 4px; max-width: 340px;}
.geo-week input.geo-week-input {width: 220px;}
.geo-week select.geo-week-span {margin-left: 4px; font: inherit;}
.geo-week {min-width: 240px;}
.geo-cats summary {cursor: pointer; margin-top: 4px;}
.geo-cats label.geo-cat {display: block; max-width: 300px; cursor: pointer;}
.geo-cats label.geo-cat input {margin: 0 2px 0 0; vertical-align: -2px;}
.geo-cats .geo-swatch {display: inline-block; width: 10px; height: 10px; margin: 0 4px;
  border-radius: 50%;}
</style>
"""


class _MapPage(Figure):
    """The HTML page around a map: Swedish, titled, the map its main landmark, zoomable.

    branca's page has no ``lang``, puts the map outside any landmark, and folium's header
    forbids zooming (``maximum-scale=1.0, user-scalable=no``), which WCAG 1.4.4 does not
    allow; the map itself still zooms with two fingers as before.
    """

    _template = Template(
        "<!DOCTYPE html>\n"
        '<html lang="sv">\n'
        "<head>\n"
        "<title>{{ this.title|e }}</title>\n"
        "    {{ this.header.render(**kwargs) }}\n"
        "</head>\n"
        "<body>\n"
        '<main class="geo-page">{{ this.html.render(**kwargs) }}</main>\n'
        "</body>\n"
        "<script>\n"
        "    {{ this.script.render(**kwargs) }}\n"
        "</script>\n"
        "</html>\n",
    )

    def __init__(self, title: str) -> None:
        super().__init__(title=title)
        self._name = "MapPage"

    def render(self, **kwargs: object) -> str:
        """Return the page, zooming allowed (folium's viewport forbids it)."""
        page: str = super().render(**kwargs)
        return _VIEWPORT.sub(_ZOOMABLE, page, count=1)


#: folium's viewport tag, and the one the page gets instead.
_VIEWPORT = re.compile(r'<meta name="viewport"[^>]*>')
_ZOOMABLE = '<meta name="viewport" content="width=device-width, initial-scale=1.0">'


class _BoxControl(MacroElement):
    """A Leaflet control showing a box of trusted HTML built by this module."""

    _template = Template(
        """
{% macro script(this, kwargs) %}
(function () {
  var ctl = L.control({position: {{ this.position|tojson }}});
  ctl.onAdd = function () {
    var div = L.DomUtil.create('div', 'geo-box {{ this.css_class }}');
    div.innerHTML = {{ this.html|tojson }};
    {%- if this.label %}
    // a named region; layout.js makes it a tab stop while it scrolls, so the keys scroll it
    div.setAttribute('role', 'region');
    div.setAttribute('aria-label', {{ this.label|tojson }});
    {%- endif %}
    L.DomEvent.disableClickPropagation(div);
    L.DomEvent.disableScrollPropagation(div);
    return div;
  };
  ctl.addTo({{ this._parent.get_name() }});
})();
{% endmacro %}
"""
    )

    def __init__(self, html_text: str, *, position: str, css_class: str, label: str = "") -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "BoxControl"
        self.html = html_text
        self.label = label
        self.position = position
        self.css_class = css_class


class _SwedishControls(MacroElement):
    """Zoom buttons, a metric scale bar and the layer button in Swedish.

    Leaflet's titles are English, and its scale shows miles and feet too.
    """

    _template = Template(
        """
{% macro script(this, kwargs) %}
L.control.zoom({position: 'topleft', zoomInTitle: 'Zooma in', zoomOutTitle: 'Zooma ut'})
  .addTo({{ this._parent.get_name() }});
L.control.scale({imperial: false, position: 'bottomleft'}).addTo({{ this._parent.get_name() }});
setTimeout(function () {  // the layer control is added later, with an English title
  document.querySelectorAll('.leaflet-control-layers-toggle').forEach(function (a) {
    a.title = 'Lager'; a.setAttribute('aria-label', 'Lager');
  });
}, 0);
{% endmacro %}
"""
    )

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "SwedishControls"


#: The label placement script shared by the folium maps and the marking app ...
LABELS_JS = Path(__file__).with_name("labels.js")
#: ... and the labels' styles.
LABELS_CSS = Path(__file__).with_name("labels.css")
#: The script that keeps the legend off the layer list and fits the kommun clear of the boxes.
LAYOUT_JS = Path(__file__).with_name("layout.js")
#: The script that sets the plan map's overlapping stops side by side.
SPREAD_JS = Path(__file__).with_name("spread.js")
#: The points of a layer as one tab stop, walked with the arrow keys (bubbles, events, stops,
#: hotspots, cells, road stretches; the marking app's spots, which it serves as /mapkeys.js).
MAPKEYS_JS = Path(__file__).with_name("mapkeys.js")
#: Lines with only a hover tooltip (roads, the boundary) out of the tab order.
TABSTOPS_JS = Path(__file__).with_name("tabstops.js")


class MapScript(MacroElement):
    """Inline one of this package's map scripts and run its function on the map or a layer.

    The call waits until every script of the page has run (folium adds the layer list
    last), so the function sees all the boxes.

    Parameters
    ----------
    path : Path
        The script (:data:`LAYOUT_JS`, :data:`LABELS_JS`, :data:`SPREAD_JS`).
    function : str
        The JS function the script defines, called with the target.
    target : folium.map.Layer, optional
        The layer the function works on; default the map the element is added to.
    args : Sequence, optional
        More arguments of the function after the target, as JSON.
    layers : Sequence of folium.map.Layer, optional
        Layers the function works on too, given as one array after the target (before
        ``args``); none: no array.
    """

    _template = Template(
        """
{% macro script(this, kwargs) %}
{{ this.js }}
setTimeout(function () {
  {{ this.function }}({{ this.target.get_name() if this.target else this._parent.get_name() }}
    {%- if this.layers %}, [{% for l in this.layers %}{{ l.get_name() }}
    {%- if not loop.last %}, {% endif %}{% endfor %}]{% endif %}
    {%- for a in this.args %}, {{ a|tojson }}{% endfor %});
}, 0);
{% endmacro %}
"""
    )

    def __init__(
        self,
        path: Path,
        function: str,
        target: folium.map.Layer | None = None,
        args: Sequence[Any] = (),
        layers: Sequence[folium.map.Layer] = (),
    ) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "MapScript"
        self.js = path.read_text(encoding="utf-8")
        self.function = function
        self.target = target
        self.args = list(args)
        self.layers = list(layers)


def to_display(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return ``gdf`` in the display CRS (EPSG:4326), the only conversion maps make.

    Parameters
    ----------
    gdf
        Any GeoDataFrame with a CRS.

    Returns
    -------
    geopandas.GeoDataFrame
        A copy in ``settings.display_crs``.
    """
    return gdf.to_crs(settings.display_crs)


def list_value(value: object) -> list[Any]:
    """Return a list column value that may arrive as a list, an array or a JSON string.

    Parameters
    ----------
    value
        A cell of a list column (the store returns lists as JSON text).

    Returns
    -------
    list
        The values; empty for missing values.
    """
    if value is None:
        return []
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return []
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError:
            return [text]
        return list(parsed) if isinstance(parsed, list) else [parsed]
    if isinstance(value, float) and pd.isna(value):
        return []
    if hasattr(value, "tolist"):
        return list(value.tolist())
    if isinstance(value, Iterable):
        return list(value)
    return [value]


def format_time(value: object) -> str:
    """Format a time for a Swedish reader: ``2025-06-03 21:40`` (local time).

    Parameters
    ----------
    value
        A timestamp (tz-aware or naive local), a string, or missing.

    Returns
    -------
    str
        The formatted time, or ``"okänd"``.
    """
    if value is None or value is pd.NaT or (isinstance(value, float) and np.isnan(value)):
        return "okänd"
    ts = pd.Timestamp(value)  # type: ignore[arg-type]
    if ts.tzinfo is not None:
        ts = ts.tz_convert(settings.timezone)
    return f"{ts:%Y-%m-%d %H:%M}"


def period_label(occurred_at: pd.Series) -> str:
    """Return the data period as ``2024-01-01 – 2025-12-31`` (internal maps).

    Parameters
    ----------
    occurred_at
        Tz-aware event times.

    Returns
    -------
    str
        The first and last date, or ``"inga händelser"``.
    """
    return span_label(occurred_at, "%Y-%m-%d")


def geojson_layer(
    gdf: gpd.GeoDataFrame,
    *,
    name: str,
    style: dict[str, Any],
    show: bool = True,
    control: bool = True,
    point_radius: float | None = None,
    on_each_feature: JsCode | None = None,
) -> folium.GeoJson:
    """Return a GeoJSON layer whose popups come from ``_title``/``_rows`` properties.

    Parameters
    ----------
    gdf
        Features in any CRS (converted to EPSG:4326); only plain JSON-able columns.
    name
        Layer name shown in the layer control (Swedish).
    style
        Leaflet path options for every feature (``_color`` properties override colours).
    show
        Draw the layer when the map opens.
    control
        List the layer in the layer control.
    point_radius
        Draw points as filled circle markers of this radius (pixels).
    on_each_feature
        JS ``onEachFeature``; default :data:`SAFE_FEATURE_JS`.

    Returns
    -------
    folium.GeoJson
        The layer, not yet added to a map.
    """
    data = json.loads(to_display(gdf).to_json(drop_id=True, na="drop"))
    # filled, as a polygon is: Leaflet's circle marker is, folium's only with a fill colour, so
    # an incident's category colour showed as a 1 px ring
    marker = (
        folium.CircleMarker(radius=point_radius, **{"fill": True, **style})
        if point_radius
        else None
    )
    layer = folium.GeoJson(
        data,
        name=name,
        show=show,
        control=control,
        marker=marker,
        on_each_feature=on_each_feature or SAFE_FEATURE_JS,
        style=style,
    )
    return layer


def _legend_html(title: str, items: Sequence[tuple[str, str, str]], notes: Sequence[str]) -> str:
    parts = [f"<h2>{html.escape(title)}</h2>"]
    for color, label, kind in items:
        css = {"line": "geo-line", "ring": "geo-sw geo-sw-ring"}.get(kind, "geo-sw")
        prop = "border-color" if kind == "line" else "background"
        parts.append(
            f'<div><span class="{css}" style="{prop}:{html.escape(color)}"></span>'
            f"{html.escape(label)}</div>"
        )
    parts.extend(f'<div class="geo-note">{html.escape(n)}</div>' for n in notes)
    return "".join(parts)


def add_legend(
    m: folium.Map,
    items: Sequence[tuple[str, str, str]],
    *,
    title: str = "Teckenförklaring",
    notes: Sequence[str] = (),
    position: str = "bottomright",
) -> None:
    """Add a legend box to a map.

    Parameters
    ----------
    m
        The map (changed in place).
    items
        ``(colour, Swedish label, kind)`` with kind ``"fill"`` or ``"line"``.
    title
        Heading of the box.
    notes
        Extra lines (e.g. ``"schematiskt vägnät"``), shown highlighted.
    position
        Leaflet control position.
    """
    _BoxControl(
        _legend_html(title, items, notes), position=position, css_class="geo-legend", label=title
    ).add_to(m)


def _info_html(title: str, period: str, generated_at: datetime, notes: Sequence[str]) -> str:
    lines = [
        f"<h1>{html.escape(title)}</h1>",
        f"<div>Dataperiod: {html.escape(period)}</div>",
        f"<div>Skapad: {generated_at.astimezone(ZoneInfo(settings.timezone)):%Y-%m-%d %H:%M}</div>",
    ]
    lines.extend(f'<div class="geo-note">{html.escape(n)}</div>' for n in notes)
    return "".join(lines)


def base_map(
    *,
    title: str,
    period: str,
    boundary: shapely.Polygon | shapely.MultiPolygon | None = None,
    roads: gpd.GeoDataFrame | None = None,
    schematic_roads: bool = False,
    places: gpd.GeoDataFrame | None = None,
    generated_at: datetime | None = None,
    notes: Sequence[str] = (),
    place_search: bool = True,
    icons: bool = False,
) -> folium.Map:
    """Return a map with the vector background, an info box and the OSM tile layer.

    The background works with no internet: the kommun boundary, the roads, the named
    places (bathing sites in blue, localities with permanent labels) and a search over
    place names and aliases. The OSM tiles are a bonus when online.

    Parameters
    ----------
    title
        Swedish title in the info box.
    period
        Data period text, e.g. from :func:`period_label`.
    boundary
        Kommun boundary in the working CRS; the map is fitted to it, clear of the boxes
        (:func:`finish_map`).
    roads
        Road lines in the working CRS (columns ``ref``, ``name``, ``highway`` used when present).
    schematic_roads
        The roads are the schematic network: say "schematiskt vägnät" on the map.
    places
        Places as from :func:`geo.sites.load_places`.
    generated_at
        Generation time (default now, local time).
    notes
        Extra lines in the info box (e.g. a handling note).
    place_search
        Add a search box over place names.
    icons
        Keep folium's icon stack (jQuery, Bootstrap, Font Awesome, awesome-markers, about
        1.5 MB inlined) for ``folium.Icon`` markers; without it the page loads faster.

    Returns
    -------
    folium.Map
        Call :func:`finish_map` after adding layers.
    """
    generated_at = generated_at or datetime.now(ZoneInfo(settings.timezone))
    # quarter zoom steps, so that a fit fills the free part of the map, not half of it
    m = folium.Map(
        location=[59.2, 14.85], zoom_start=10, tiles=None, zoom_control=False, zoom_snap=0.25
    )
    # the map's own zoom range (the clusters need one): no tile layer is drawn to lend it, and
    # without tiles folium passes none of its zoom arguments on
    m.options.update(minZoom=7, maxZoom=18)
    _MapPage(title).add_child(m)
    _SwedishControls().add_to(m)
    if not icons:
        m.default_js = [(k, v) for k, v in m.default_js if k == "leaflet"]
        m.default_css = [(k, v) for k, v in m.default_css if k == "leaflet_css"]
    # off until asked for: drawn at once it sent every view of an internal map (where the
    # planner looked) to the tile servers, and offline it filled the console with failed
    # requests (a map reviewer); the vector background above needs no network
    folium.TileLayer(
        "OpenStreetMap",
        name="OpenStreetMap-bakgrund (kräver internet)",
        control=True,
        overlay=True,
        show=False,
    ).add_to(m)
    root: Any = m.get_root()
    root.header.add_child(Element(_CSS))
    root.header.add_child(Element(f"<style>\n{LABELS_CSS.read_text(encoding='utf-8')}</style>"))
    all_notes = list(notes)
    if boundary is not None:
        gdf = gpd.GeoDataFrame(
            {"_tooltip": [f"{settings.kommun_name}s kommun"]},
            geometry=[boundary],
            crs=settings.working_crs,
        )
        geojson_layer(
            gdf,
            name="Kommungräns",
            style={"color": "#222222", "weight": 2.5, "fill": False, "dashArray": "6 4"},
        ).add_to(m)
        minx, miny, maxx, maxy = to_display(gdf).total_bounds
        # fitted in the browser clear of the boxes once they are drawn (layout.js,
        # finish_map); not also here: folium's animated fit would undo that one
        m.options["geoFitBounds"] = [[float(miny), float(minx)], [float(maxy), float(maxx)]]
    if roads is not None and not roads.empty:
        name = "Vägnät (schematiskt)" if schematic_roads else "Vägnät"
        road_layer(roads).add_to(folium.FeatureGroup(name=name).add_to(m))
        if schematic_roads:
            all_notes.append("Vägarna är ett schematiskt vägnät, inte exakta vägar.")
    if places is not None and not places.empty:
        layer = places_layer(places)
        layer.add_to(m)
        if place_search:
            PlaceSearch(layer).add_to(m)
    _BoxControl(
        _info_html(title, period, generated_at, all_notes),
        position="bottomleft",
        css_class="geo-info",
    ).add_to(m)
    return m


def road_layer(roads: gpd.GeoDataFrame) -> folium.GeoJson:
    """Return the road background as a grey line layer with the road number as tooltip.

    Parameters
    ----------
    roads
        Lines in the working CRS; optional columns ``ref``, ``name``, ``highway``.

    Returns
    -------
    folium.GeoJson
        The layer (not listed in the layer control on its own).
    """
    gdf = gpd.GeoDataFrame(
        {"_tooltip": road_labels(roads)}, geometry=roads.geometry.to_numpy(), crs=roads.crs
    )
    return geojson_layer(
        gdf, name="Vägar", style={"color": "#6b6b6b", "weight": 2.5, "opacity": 0.8}
    )


def places_layer(places: gpd.GeoDataFrame) -> folium.GeoJson:
    """Return the named places, each labelled: bathing sites in blue italics, localities in black.

    The names are placed in :func:`geo.sites.naming_order` (the medborgarlöfte's places first,
    then localities by size), and a name of the löfte's may lie on a cluster bubble's ring,
    never on its number, where it fits nowhere else (``labels.js``).

    Parameters
    ----------
    places
        Places as from :func:`geo.sites.load_places`.

    Returns
    -------
    folium.GeoJson
        A layer named "Platser" whose features carry ``name`` (for the search box).
    """
    rows = []
    for rank, (_, p) in zip(naming_order(places), places.iterrows(), strict=True):
        kind = str(p.get("kind") or "")
        color = "#0571b0" if kind == "badplats" else "#444444"
        aliases = ", ".join(str(a) for a in list_value(p.get("aliases")))
        themes = ", ".join(THEMES.get(str(t), str(t)) for t in list_value(p.get("themes")))
        rows.append(
            {
                "name": str(p["name"]),
                "_search": " | ".join([str(p["name"]), *map(str, list_value(p.get("aliases")))]),
                "_title": str(p["name"]),
                "_rows": [["Typ", kind], ["Teman", themes], ["Kallas även", aliases]],
                "_tooltip": str(p["name"]),
                "_permanent": kind in ("ort", "centrum", "badplats"),
                "_label_dir": "bottom",  # below the place: a plan's stop badge sits above
                "_label_offset": [0, 4],
                "_label_class": "geo-bath" if kind == "badplats" else "",
                "_label_rank": rank,
                "_label_on_rings": bool(p.get("lofte")),
                "_color": color,
            }
        )
    gdf = gpd.GeoDataFrame(rows, geometry=places.geometry.to_numpy(), crs=places.crs)
    return geojson_layer(
        gdf,
        name="Platser (orter, badplatser)",
        style={"color": "#444444", "weight": 1.5, "fillOpacity": 0.12},
    )


def finish_map(
    m: folium.Map,
    *,
    measure: bool = True,
    collapsed_layers: bool = False,
    fit_kommun: bool = True,
) -> folium.Map:
    """Add fullscreen, measuring, the layer control, the layout and label placement (call last).

    Parameters
    ----------
    m
        The map (changed in place).
    measure
        Add the distance/area measuring tool.
    collapsed_layers
        Fold the layer list into a button that opens on hover (for maps with few layers
        whose content reaches the corner).
    fit_kommun
        Fit the kommun (the boundary given to :func:`base_map`) into the part of the map
        the boxes leave free, in the browser once they are drawn; ``False`` keeps the view
        the caller set (a plan's stops).

    Returns
    -------
    folium.Map
        The same map.
    """
    plugins.Fullscreen(  # type: ignore[no-untyped-call]
        position="topleft",
        title="Helskärm",
        title_cancel="Avsluta helskärm",
        force_separate_button=True,
    ).add_to(m)
    if measure:
        plugins.MeasureControl(  # type: ignore[no-untyped-call]
            position="topleft",
            primary_length_unit="meters",
            secondary_length_unit="kilometers",
            primary_area_unit="hectares",
            localization="sv",
        ).add_to(m)
    folium.LayerControl(collapsed=collapsed_layers, position="topright").add_to(m)
    if not fit_kommun:
        m.options.pop("geoFitBounds", None)
    MapScript(LAYOUT_JS, "geoLayout").add_to(m)  # the boxes apart, the kommun clear of them
    MapScript(LABELS_JS, "geoPlaceLabels").add_to(m)  # names and stop numbers off each other
    MapScript(TABSTOPS_JS, "geoLinesOutOfTabOrder").add_to(m)  # roads need no tab stops
    return m


def busiest_hours(profile: Sequence[float], n: int = 3) -> str:
    """Return the ``n`` busiest hours of a 168-hour profile, busiest first (``fre 21–22, …``).

    Parameters
    ----------
    profile
        Hour-of-week shares or counts, Monday 00–01 first; anything but 168 values is no
        profile.
    n
        How many hours to name (hours with nothing are left out).

    Returns
    -------
    str
        The labels (:func:`hour_of_week_label`) joined by ", ", or "–" without a profile.
    """
    if len(profile) != 168:
        return "–"
    values = np.asarray(profile, dtype=float)
    order = np.argsort(-values, kind="stable")[:n]
    return ", ".join(hour_of_week_label(int(i)) for i in order if values[i] > 0) or "–"


def hour_of_week_label(index: int) -> str:
    """Return a Swedish label of an hour of the week (``0`` = Monday 00–01 → ``"mån 00–01"``).

    The last hour of a day ends at 24 (``"fre 23–24"``), as the plan's reasons write it.

    Parameters
    ----------
    index
        Hour of the week, 0–167.

    Returns
    -------
    str
        The label.
    """
    day, hour = divmod(int(index), 24)
    return f"{DAY_ABBR[day % 7]} {hour:02d}–{hour + 1:02d}"
