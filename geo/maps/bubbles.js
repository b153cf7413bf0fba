/* Trygghetskartan: the lägesbild's bubbles and single events reached with the keyboard
 * (WCAG 2.1.1 keyboard, 2.4.3 focus order).
 *
 * Leaflet makes every bubble of the marker-cluster group a tab stop, tens of them between the
 * map and its zoom buttons, and Enter on one did nothing (Leaflet 1.9 no longer turns Enter on
 * a marker into a click); a single event, drawn as an SVG circle, had no tab stop at all.
 * Here what the group shows in the map's view is one tab stop together (a roving tabindex):
 * Tab reaches the bubble or event last visited while it is in view, else the first from the
 * north; the arrow keys go to the next and the previous one from north to south (Home, End:
 * the first and the last). Enter or Space does what a click does: a bubble zooms in to its
 * events, or spreads them out where no zoom parts them, and the focus goes to the bubble or
 * event nearest to where it was; an event opens its popup with the focus in it, and Escape
 * closes it and puts the focus back on the event. Each is a button named for a screen reader
 * with what it holds, the nearest named place within NEAR_M metres and its number in the
 * order: "487 händelser nära Fjugesta centrum: 250 Narkotika och alkohol, … (12 av 40)".
 * Inlined by geo.maps.lagesbild; geoBubbleKeys(group, places) is called with the
 * marker-cluster group and the places [[name, lat, lng], ...].
 */
function geoBubbleKeys(group, places) {
  var NEAR_M = 1500;
  var STEP = {ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1};
  var map = group._map;
  var items = [];       // {layer, el} in view, north to south, then west to east
  var stop = null;      // the layer that is the tab stop
  var after = null;     // the point a keyboard zoom or spreading was asked at ...
  var from = null;      // ... and the bubble it was asked on
  var opened = null;    // the event whose popup the keyboard opened
  var queued = false;

  function elementOf(layer) {
    return layer._icon || (layer.getElement ? layer.getElement() : null);
  }
  function near(latlng) {  // the nearest named place, if it is near
    var best = null, dist = NEAR_M;
    places.forEach(function (p) {
      var d = latlng.distanceTo(L.latLng(p[1], p[2]));
      if (d <= dist) { best = p[0]; dist = d; }
    });
    return best;
  }
  function what(layer) {
    var p = layer.feature ? layer.feature.properties : null;
    if (p) { return (p._title || 'Händelse') + (p.w ? ', vecka ' + p.w : ''); }
    var ring = layer._icon && layer._icon.querySelector('.geo-ring');
    var title = ring ? ring.title : layer.getChildCount() + ' händelser';
    var place = near(layer.getLatLng());
    return place ? title.replace(':', ' nära ' + place + ':') : title;
  }
  function survey() {  // the bubbles and events shown, each named and in order
    queued = false;
    var size = map.getSize(), found = [];
    group._featureGroup.eachLayer(function (layer) {  // what the group shows at this zoom
      var el = elementOf(layer);
      if (!el || !el.isConnected) { return; }
      var at = map.latLngToContainerPoint(layer.getLatLng());
      if (at.x < 0 || at.y < 0 || at.x > size.x || at.y > size.y) {  // drawn, out of view
        el.setAttribute('tabindex', '-1');
        el.setAttribute('aria-label', what(layer));
        return;
      }
      found.push({layer: layer, el: el, at: at});
    });
    found.sort(function (a, b) { return a.at.y - b.at.y || a.at.x - b.at.x; });
    items = found;
    items.forEach(function (it, i) {
      var el = it.el;
      el.setAttribute('role', 'button');
      el.setAttribute('aria-label', what(it.layer) + ' (' + (i + 1) + ' av ' + items.length + ')');
      if (it.layer.getPopup && it.layer.getPopup()) {
        el.setAttribute('aria-haspopup', 'dialog');
        el.setAttribute('aria-expanded', it.layer.isPopupOpen() ? 'true' : 'false');
      }
      if (!el._geoKeys) { el._geoKeys = true; el.addEventListener('keydown', onKey); }
    });
    var kept = items.filter(function (it) { return it.layer === stop; })[0];
    var others = items.filter(function (it) { return it.layer !== from; });
    if (after && others.length) {  // a keyboard zoom or spreading: the nearest to where it was
      var to = map.latLngToContainerPoint(after);
      kept = others.reduce(function (a, b) { return b.at.distanceTo(to) < a.at.distanceTo(to) ? b : a; });
    }
    setStop(kept || items[0] || null);
    if (after && !map._animatingZoom) {  // the zoom or spreading done: the focus there
      if (kept && kept.layer !== from) { kept.el.focus({preventScroll: true}); }
      after = null;
      from = null;
    }
  }
  function later() {
    if (!queued) { queued = true; requestAnimationFrame(survey); }
  }
  function setStop(it) {
    stop = it ? it.layer : null;
    items.forEach(function (o) { o.el.setAttribute('tabindex', o === it ? '0' : '-1'); });
  }
  function itemOf(el) { return items.filter(function (it) { return it.el === el; })[0]; }
  function onKey(ev) {
    var it = itemOf(ev.currentTarget);
    if (!it || ev.altKey || ev.ctrlKey || ev.metaKey) { return; }
    var i = items.indexOf(it), next = null;
    if (ev.key in STEP) { next = items[i + STEP[ev.key]]; }
    else if (ev.key === 'Home') { next = items[0]; }
    else if (ev.key === 'End') { next = items[items.length - 1]; }
    else if (ev.key === 'Enter' || ev.key === ' ') {
      ev.preventDefault();
      ev.stopPropagation();
      if (it.layer.getPopup && it.layer.getPopup()) {
        opened = it.layer;
        it.layer.openPopup();
      } else {  // a bubble: as its click (markercluster zooms in or spreads the events out;
        // the group fires a click on a bubble to its listeners as 'clusterclick')
        after = it.layer.getLatLng();
        from = it.layer;
        group.fire('click', {layer: it.layer, latlng: after, originalEvent: ev});
        later();
      }
      return;
    } else { return; }
    ev.preventDefault();
    if (next) {  // past the first or the last the focus stays
      setStop(next);
      next.el.focus({preventScroll: true});
    }
  }
  function inPopup(layer, el) {
    var box = layer.getPopup() && layer.getPopup().getElement();
    return !!box && box.contains(el);
  }
  group.on('popupopen', function (e) {
    var el = elementOf(e.layer || e.popup._source);
    if (el) { el.setAttribute('aria-expanded', 'true'); }
    if (opened && e.popup._source === opened) {
      var box = e.popup.getElement().querySelector('.geo-popup') || e.popup.getElement();
      box.setAttribute('tabindex', '-1');
      box.focus({preventScroll: true});
    }
  });
  group.on('popupclose', function (e) {
    var layer = e.popup._source, el = elementOf(layer);
    if (el) { el.setAttribute('aria-expanded', 'false'); }
    if (layer !== opened) { return; }
    opened = null;
    var at = document.activeElement;  // closed from inside it: back to the event
    if (el && el.isConnected && (!at || at === document.body || inPopup(layer, at))) {
      el.focus({preventScroll: true});
    }
  });
  document.addEventListener('keydown', function (ev) {
    if (ev.key !== 'Escape' || !opened || !opened.isPopupOpen()) { return; }
    if (!(ev.target === elementOf(opened) || inPopup(opened, ev.target))) { return; }
    ev.preventDefault();
    opened.closePopup();
  });
  map.on('moveend zoomend layeradd layerremove', later);
  group.on('animationend spiderfied unspiderfied', later);
  document.addEventListener('focusin', function (ev) {  // Tab or a click to one: it is the stop
    var it = itemOf(ev.target);
    if (it) { setStop(it); }
  });
  later();
}
