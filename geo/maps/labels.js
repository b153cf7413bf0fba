/* Trygghetskartan: keep permanent map labels (place names, a plan's stop numbers) off each other
 * and off the markers that show a number.
 *
 * geoPlaceLabels(map) places the labels one by one around the map's controls (stop badges
 * first, then localities, then bathing sites): each keeps its own place if that box is free,
 * else takes the first free one of right, left, top, bottom and half a line above or below
 * right and left. Markers are obstacles too: another stop's circle (a plan's stop), and every
 * visible marker icon with text in it, such as a marker-cluster bubble with its count (icons
 * drawn on the very same spot count once; a single incident's plain circle is no obstacle).
 * If none of those places is free, each is also tried moved just past the markers it covers
 * (a bubble on the place itself, as when incidents are geocoded to the place, covers them all)
 * or back inside the map, and once more, at most REACH px either way; then the one that covers
 * the least wins, the one moved least among equals. A label reaching beyond the map's edge
 * counts as covering what is cut off; so a name covers a count, another label or a box only
 * where every place it may take covers as much.
 *
 * It places them once the page and its fonts are loaded, after every move or zoom ('moveend',
 * which Leaflet fires after 'zoomend'), when a layer is switched in the layer list
 * ('overlayadd', 'overlayremove'), when a cluster group's zoom animation ends
 * (Leaflet.markercluster's 'animationend': at 'moveend' its bubbles are still gliding) and,
 * once per burst, when the bubbles' CSS glide ends (it may outlast 'animationend' by a few
 * px, enough for a name placed just past a bubble to cover its count) and when markers come or
 * go ('layeradd', 'layerremove': clusters rebuilt by the week slider or the category boxes,
 * which move nothing). It waits while the map or a cluster group is mid-zoom; the events
 * above follow. It returns the placing function, to call again
 * after adding labels. Used inline by the folium maps (geo.maps.base) and served to the
 * marking app (geo.web).
 */
function geoPlaceLabels(map) {
  /* where a label may go: [Leaflet direction, offset in px]; the last four sit half a line
     above or below the side positions, for crowded spots */
  var SPOTS = [['right', [6, 0]], ['left', [-6, 0]], ['top', [0, -4]], ['bottom', [0, 4]],
    ['right', [6, -12]], ['right', [6, 12]], ['left', [-6, -12]], ['left', [-6, 12]]];
  var GAP = 2;    // px between a label moved past a marker and the marker
  var REACH = 48; // px a label may move past markers, from the place it was tried at
  var pending = null;  // a placing asked for by markers coming and going
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
  function shifted(b, dx, dy) {
    return {left: b.left + dx, right: b.right + dx, top: b.top + dy, bottom: b.bottom + dy};
  }
  function moved(c, dx, dy) {  // candidate c moved by (dx, dy) px, its box with it
    return {side: c.side, offset: [c.offset[0] + dx, c.offset[1] + dy],
            shift: [c.shift[0] + dx, c.shift[1] + dy], box: shifted(c.box, dx, dy)};
  }
  function moves(c, stones, frame) {
    // c moved just clear of each marker it covers, on each side, and back inside the map
    // where it reaches beyond the edge (so that moving past a marker cuts off no name)
    var out = [], b = c.box;
    stones.forEach(function (p) {
      if (!overlap(b, p)) { return; }
      out.push([Math.ceil(p.right + GAP - b.left), 0], [Math.floor(p.left - GAP - b.right), 0],
               [0, Math.ceil(p.bottom + GAP - b.top)], [0, Math.floor(p.top - GAP - b.bottom)]);
    });
    var dx = Math.max(Math.ceil(frame.left - b.left), 0)
      || Math.min(Math.floor(frame.right - b.right), 0);
    var dy = Math.max(Math.ceil(frame.top - b.top), 0)
      || Math.min(Math.floor(frame.bottom - b.bottom), 0);
    if (dx || dy) { out.push([dx, dy]); }
    return out.map(function (d) { return moved(c, d[0], d[1]); }).filter(function (m) {
      return Math.abs(m.shift[0]) <= REACH && Math.abs(m.shift[1]) <= REACH;
    });
  }
  function animating() {
    return map._animatingZoom
      || L.DomUtil.hasClass(map.getPane('mapPane'), 'leaflet-cluster-anim');
  }
  function declutter() {
    if (animating()) { return; }  // boxes are moving; 'moveend' or 'animationend' comes after
    if (pending !== null) { clearTimeout(pending); pending = null; }  // this one sees all
    var tips = [], icons = [], stacked = {};
    var frame = map.getContainer().getBoundingClientRect();
    map.eachLayer(function (l) {
      var t = l.getTooltip && l.getTooltip();
      if (t && t.options.permanent && t._container && t._map) { tips.push(t); }
      // a marker showing text (a cluster's count), drawn and not faded out by the cluster group;
      // icons stacked on the very same spot count once
      var icon = l instanceof L.Marker && l._icon;
      if (icon && icon.style.opacity !== '0' && /\S/.test(icon.textContent || '')) {
        var r = icon.getBoundingClientRect();
        var key = [r.left, r.top, r.right, r.bottom].map(Math.round).join();
        if (r.width && overlap(r, frame) && !stacked[key]) { stacked[key] = true; icons.push(r); }
      }
    });
    tips.sort(function (a, b) { return rank(a) - rank(b); });
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
      var stones = markers.filter(function (m) { return m[0] !== t; }).map(function (m) {
        return m[1];
      }).concat(icons);
      var avoid = placed.concat(stones);
      function cost(b) {
        return avoid.reduce(function (sum, p) { return sum + overlap(b, p); }, outside(b));
      }
      function better(c, best) {  // less covered, else moved less
        return best === null || c.cost < best.cost || (c.cost === best.cost
          && Math.abs(c.shift[0]) + Math.abs(c.shift[1])
             < Math.abs(best.shift[0]) + Math.abs(best.shift[1]));
      }
      if (!t._geoHome) { t._geoHome = [t.options.direction, t.options.offset]; }
      var spots = [t._geoHome].concat(SPOTS);
      var best = null, tried = [], sides = {};
      function boxAt(side, offset) {  // laid out once per side: an offset only moves the box
        var m = sides[side] || (sides[side] = {offset: offset, box: place(t, side, offset)});
        return shifted(m.box, offset[0] - m.offset[0], offset[1] - m.offset[1]);
      }
      for (var i = 0; i < spots.length; i++) {
        var c = {side: spots[i][0], offset: spots[i][1], shift: [0, 0],
                 box: boxAt(spots[i][0], spots[i][1])};
        c.cost = cost(c.box);
        tried.push(c);
        if (better(c, best)) { best = c; }
        if (c.cost === 0) { break; }
      }
      // every place covers something: try each moved past the markers it covers (or back
      // inside the map), then those moved once more in the same way; only what lies within
      // REACH of the places tried can be met
      if (best.cost > 0) {
        var near = tried.reduce(function (r, c) {
          return {left: Math.min(r.left, c.box.left - REACH),
                  top: Math.min(r.top, c.box.top - REACH),
                  right: Math.max(r.right, c.box.right + REACH),
                  bottom: Math.max(r.bottom, c.box.bottom + REACH)};
        }, {left: Infinity, top: Infinity, right: -Infinity, bottom: -Infinity});
        var within = function (p) { return overlap(p, near) > 0; };
        avoid = avoid.filter(within);
        stones = stones.filter(within);
      }
      var known = {};
      for (var step = 0; step < 2 && best.cost > 0; step++) {
        var next = [];
        tried.forEach(function (c) {
          moves(c, stones, frame).forEach(function (m) {
            var key = m.side + m.offset.join();
            if (!known[key]) { known[key] = true; next.push(m); }
          });
        });
        next.forEach(function (c) {
          c.cost = cost(c.box);
          if (better(c, best)) { best = c; }
        });
        // moved once more: only the least covered ones, so crowded spots stay quick
        tried = next.sort(function (a, b) { return a.cost - b.cost; }).slice(0, 12);
      }
      placed.push(place(t, best.side, best.offset));
    });
  }
  function soon() { setTimeout(declutter, 0); }
  function once() {  // one placing after a burst of markers coming, going or settling
    if (pending === null) { pending = setTimeout(function () { pending = null; declutter(); }, 0); }
  }
  function watch(l) {  // a cluster group's bubbles settle at its 'animationend'
    if (L.MarkerClusterGroup && l instanceof L.MarkerClusterGroup && !l._geoLabels) {
      l._geoLabels = true;
      l.on('animationend', declutter);
    }
  }
  map.eachLayer(watch);
  map.whenReady(soon);
  window.addEventListener('load', soon);  // every layer added, styles applied
  if (document.fonts && document.fonts.ready) { document.fonts.ready.then(soon); }
  map.on('moveend overlayadd overlayremove', declutter);
  map.on('layeradd layerremove', function (e) {
    watch(e.layer);
    if (e.layer instanceof L.Marker) { once(); }
  });
  ['transitionend', 'transitioncancel'].forEach(function (type) {  // a bubble came to rest
    map.getPane('markerPane').addEventListener(type, once);
  });
  return declutter;
}
