// geoSpreadStops(layer): on every zoom, the plan map's stop markers that would cover each
// other or each other's number badge (a place visited on both trips, stops a few hundred
// metres apart) are set side by side on screen, each with a thin line back to its true
// place; the badges stay above their own stops. Inlined by geo/maps/plan.py.
function geoSpreadStops(layer) {
  var map = layer._map;
  if (!map) { return; }
  var GAP = 4;
  var stops = layer.getLayers().filter(function (l) {
    return l instanceof L.CircleMarker && l.feature;
  });
  stops.forEach(function (s) { s._geoHome = s.getLatLng(); });
  var leaders = [];
  function badge(s) {  // the number badge's width and height in px
    var t = s.getTooltip && s.getTooltip();
    var r = t && t._container ? t._container.getBoundingClientRect() : null;
    return r && r.width ? [r.width, r.height] : [2 * s.getRadius(), 2 * s.getRadius()];
  }
  function spread() {
    leaders.forEach(function (l) { layer.removeLayer(l); });
    leaders = [];
    var home = stops.map(function (s) { return map.latLngToLayerPoint(s._geoHome); });
    var xs = home.map(function (p) { return p.x; });
    var size = stops.map(badge);
    for (var round = 0; round < 200; round++) {
      var moved = false;
      for (var i = 0; i < stops.length; i++) {
        for (var j = i + 1; j < stops.length; j++) {
          var ri = stops[i].getRadius(), rj = stops[j].getRadius();
          // side by side: neither the circles nor a badge and the other's circle may meet
          var wide = Math.max(ri + rj, (size[i][0] + size[j][0]) / 2) + GAP;
          var high = Math.max(ri, rj) + Math.max(size[i][1], size[j][1]) + 16;
          var dx = xs[j] - xs[i], dy = Math.abs(home[j].y - home[i].y);
          if (dy >= high || Math.abs(dx) >= wide) { continue; }
          var side = dx > 0 || (dx === 0 && j > i) ? 1 : -1;
          var push = (wide - Math.abs(dx)) / 2 + 0.25;
          xs[i] -= side * push;
          xs[j] += side * push;
          moved = true;
        }
      }
      if (!moved) { break; }
    }
    stops.forEach(function (s, i) {
      var at = map.layerPointToLatLng(L.point(xs[i], home[i].y));
      s.setLatLng(at);
      if (Math.abs(xs[i] - home[i].x) > 1) {
        // an obstacle to the labels (labels.js), as a spiderfied marker's leg is
        var line = L.polyline([s._geoHome, at], {color: '#111111', weight: 1.5, opacity: 0.8,
                                                 interactive: false, geoObstacle: true});
        leaders.push(line);
        layer.addLayer(line);
      }
    });
    stops.forEach(function (s) { s.bringToFront(); });
  }
  spread();
  map.on('zoomend viewreset', spread);
  setTimeout(spread, 0);  // after geoLayout has fitted the stops
}
