/* Trygghetskartan: keep permanent map labels (place names, a plan's stop numbers) off each other.
 *
 * geoPlaceLabels(map) places the labels once the page and its fonts are loaded and after every
 * move, zoom or layer switch, one by one around the map's controls (stop badges first, then
 * localities, then bathing sites): each keeps its own place if that box is free, else takes
 * the first free one of right, left, top, bottom and half a line above or below right and
 * left; if none is free, the one that covers the least of the others (a label reaching
 * beyond the map's edge counts as covering what is cut off). A marker with a number badge
 * (a plan's stop) counts as a label too: a name covers it only where every place
 * would cover as much of another label, a box or the map's edge. It returns the placing
 * function, to call again after adding labels. Used inline by the folium maps
 * (geo.maps.base) and served to the marking app (geo.web).
 */
function geoPlaceLabels(map) {
  /* where a label may go: [Leaflet direction, offset in px]; the last four sit half a line
     above or below the side positions, for crowded spots */
  var SPOTS = [['right', [6, 0]], ['left', [-6, 0]], ['top', [0, -4]], ['bottom', [0, 4]],
    ['right', [6, -12]], ['right', [6, 12]], ['left', [-6, -12]], ['left', [-6, 12]]];
  function overlap(a, b) {
    var w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
    var h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
    return w > 0 && h > 0 ? w * h : 0;
  }
  function place(t, side, offset) {
    t.options.direction = side;
    t.options.offset = offset;
    t.update();
    // the words, not the padding; a stop's number with its badge
    var text = /geo-badge/.test(t.options.className || '') ? t._container
                                                              : t._container.firstElementChild;
    return (text || t._container).getBoundingClientRect();
  }
  function rank(t) {
    var c = t.options.className || '';
    return /geo-badge/.test(c) ? 0 : (/geo-bath/.test(c) ? 2 : 1);
  }
  function declutter() {
    if (map._animatingZoom) { return; }  // mid-zoom boxes are moving; 'moveend' comes after
    var tips = [];
    map.eachLayer(function (l) {
      var t = l.getTooltip && l.getTooltip();
      if (t && t.options.permanent && t._container && t._map) { tips.push(t); }
    });
    tips.sort(function (a, b) { return rank(a) - rank(b); });
    var frame = map.getContainer().getBoundingClientRect();
    function outside(b) {  // the part of a label beyond the map's edge, as bad as a cover
      return (b.right - b.left) * (b.bottom - b.top) - overlap(b, frame);
    }
    var controls = map.getContainer().querySelectorAll('.leaflet-control');
    var placed = Array.prototype.map.call(controls, function (c) {
      return c.getBoundingClientRect();
    });
    var markers = tips.filter(function (t) {  // [the tooltip, its marker's box on screen]
      return rank(t) === 0 && t._source instanceof L.CircleMarker && t._source._path;
    }).map(function (t) { return [t, t._source._path.getBoundingClientRect()]; });
    tips.forEach(function (t) {
      var others = markers.filter(function (m) { return m[0] !== t; }).map(function (m) {
        return m[1];
      });
      if (!t._geoHome) { t._geoHome = [t.options.direction, t.options.offset]; }
      var spots = [t._geoHome].concat(SPOTS);
      var best = null;
      for (var i = 0; i < spots.length; i++) {
        var b = place(t, spots[i][0], spots[i][1]);
        var cost = placed.concat(others).reduce(function (sum, p) {
          return sum + overlap(b, p);
        }, outside(b));
        if (best === null || cost < best.cost) {
          best = {side: spots[i][0], offset: spots[i][1], cost: cost};
        }
        if (cost === 0) { break; }
      }
      placed.push(place(t, best.side, best.offset));
    });
  }
  function soon() { setTimeout(declutter, 0); }
  map.whenReady(soon);
  window.addEventListener('load', soon);  // every layer added, styles applied
  if (document.fonts && document.fonts.ready) { document.fonts.ready.then(soon); }
  map.on('moveend overlayadd overlayremove', declutter);
  return declutter;
}
