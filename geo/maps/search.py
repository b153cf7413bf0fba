"""The maps' place search box: any part of a name or alias, in Swedish, for the keyboard too."""

from __future__ import annotations

from pathlib import Path

import folium
from branca.element import Template  # type: ignore[attr-defined]
from folium import plugins

#: The script that makes the search box and its hits a combobox and a list box.
SEARCH_JS = Path(__file__).with_name("search.js")


class PlaceSearch(plugins.Search):
    """The place search box in Swedish: any part of a name or an alias, with or without å/ä/ö.

    folium's own template matches only the start of a name (so "leken" did not find "Badplats
    Leken", nor "badgruvan" Lanna badgruva), says "Location not found", and zooms to a
    bathing site's 120 m circle; this one searches each place's ``_search`` text (name and
    aliases, folded), answers in Swedish, and stops at a village's scale. Its box and hits
    are a combobox and a list box for a screen reader (:data:`SEARCH_JS`).

    Parameters
    ----------
    layer
        The places' layer (:func:`geo.maps.base.places_layer`).
    max_zoom
        The closest zoom a found place is shown at.
    """

    _template = Template(
        """
{% macro script(this, kwargs) %}
{{ this.js }}
(function () {
  var map = {{ this._parent.get_name() }}, layer = {{ this.layer.get_name() }};
  function fold(s) {
    return String(s).normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().trim();
  }
  var ctl = new L.Control.Search({
    layer: layer, propertyName: 'name', position: 'topleft', collapsed: false,
    initial: false, marker: false, autoCollapse: false,
    textPlaceholder: {{ this.placeholder|tojson }}, textErr: 'Ingen plats med det namnet',
    textCancel: 'Töm', textSearch: 'Sök',
    filterData: function (text, records) {
      var q = fold(text), out = {};
      for (var key in records) {
        var p = records[key].layer && records[key].layer.feature
          ? records[key].layer.feature.properties : {};
        if (fold(p._search || key).indexOf(q) !== -1) out[key] = records[key];
      }
      return out;
    },
    moveToLocation: function (latlng, title, m) {
      m.closePopup();
      m.flyTo(latlng, Math.min(m.getBoundsZoom(latlng.layer.getBounds()), {{ this.max_zoom }}));
    }
  });
  // Enter on a part of a name goes to the first place the list shows (the plugin wants the
  // whole name as written)
  var exact = ctl._getLocation;
  ctl._getLocation = function (text) {
    var loc = exact.call(this, text);
    if (loc !== false) return loc;
    if (!Object.keys(this._recordsCache).length) this._recordsCache = this._recordsFromLayer();
    var hits = this.options.filterData.call(this, text, this._recordsCache);
    for (var key in hits) { this._input.value = key; return hits[key]; }
    return false;
  };
  ctl.on('search:locationfound', function (e) { if (e.layer._popup) e.layer.openPopup(); });
  map.addControl(ctl);
  geoPlaceSearchAria(ctl);
})();
{% endmacro %}
"""
    )

    def __init__(self, layer: folium.GeoJson, *, max_zoom: int = 14) -> None:
        super().__init__(  # type: ignore[no-untyped-call]
            layer, search_label="name", geom_type="Polygon", placeholder="Sök plats…"
        )
        self._name = "PlaceSearch"
        self.max_zoom = max_zoom
        self.js = SEARCH_JS.read_text(encoding="utf-8")
