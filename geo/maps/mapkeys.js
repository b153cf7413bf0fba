/* Trygghetskartan: the points and shapes of a map reached with the keyboard (WCAG 2.1.1
 * keyboard, 2.4.3 focus order), each layer's as one tab stop together. One script for every
 * map: inlined by geo.maps (the lägesbild, the shared map, the plan) and served to the
 * marking app as /mapkeys.js (geo.web.app).
 *
 * Leaflet made each of the lägesbild's bubbles a tab stop, tens of them between the map and its
 * zoom buttons, and Enter on one did nothing (Leaflet 1.9 no longer turns Enter on a marker
 * into a click); a single event, a plan's stop, a hotspot, a cell or a road stretch, drawn as
 * SVG shapes, had no tab stop. Here the items of a layer are one tab stop (a roving tabindex):
 * Tab reaches the one last visited while it is in view, else the first in view; the arrow keys
 * go to the next and the previous one (Home, End: the first and the last). Enter or Space does
 * what a click does: an item with a popup opens it (a dialog named as the item) with the focus
 * in it, and Escape closes it and puts the focus back on the item; a bubble zooms in to its
 * events, or spreads them out where no zoom parts them, and the focus goes to the bubble or
 * event nearest to where it was. Each item is a button named for a screen reader with what it
 * is and its number in the order. A focused SVG shape is drawn again on top over a wider line
 * in the focus colour (an outline around an SVG shape is only its box, flat along a level
 * stretch). A click on an item leaves the focus where it was (the map's arrow keys still move
 * the map).
 *
 * geoBubbleKeys(group, places): the lägesbild's marker-cluster group, its bubbles and events
 * from north to south, a bubble named with what it holds and the nearest named place within
 * NEAR_M metres ([[name, lat, lng], ...]): "487 händelser nära Fjugesta centrum: 250 Narkotika
 * och alkohol, … (12 av 40)", an event "Rattfylleri, vecka 2026-W47 (3 av 40)".
 * geoStopKeys(layer): the plan's stops in the plan's order, "Stopp 2. Vintrosa (2 av 5)".
 * geoLayerKeys(map, layers, places): each of the layers (hotspots, Gi* cells, road stretches,
 * the shared map's cells) one tab stop over its features with a popup, from north to south,
 * each named by its feature's _name ("Hotspot vid Lanna badgruva: 23 händelser, …") and, with
 * _near, the nearest named place before its first colon: "Het ruta (99 % säkerhet) nära
 * Fjugesta centrum: 12 händelser i rutan (2 av 9)".
 */
var GEO_KEY_STEPS = {ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1};
/* The focus colour (the marking app's :focus-visible) and its width around a shape, px. */
var GEO_FOCUS_COLOUR = '#1d3557';
var GEO_FOCUS_WIDTH = 5;

/* The focused shape drawn again on top of the others over a wider line in the focus colour,
   which shows as a ring around a circle or an area and along a stretch; returns the layer. */
function geoFocusRing(map, layer) {
  var pane = 'fokus';
  if (!map.getPane(pane)) { map.createPane(pane).style.zIndex = 450; }  // over the shapes
  // the shape's own look; not in the way of the place names (labels.js)
  var own = L.extend({}, layer.options, {pane: pane, interactive: false, geoObstacle: false});
  var ring = L.extend({}, own, {fill: false, color: GEO_FOCUS_COLOUR, opacity: 1,
    weight: (own.weight || 0) + 2 * GEO_FOCUS_WIDTH, className: 'fokusring'});
  function copy(options) {
    if (layer.getLatLng) { return L.circleMarker(layer.getLatLng(), options); }
    return layer instanceof L.Polygon ? L.polygon(layer.getLatLngs(), options)
      : L.polyline(layer.getLatLngs(), options);
  }
  return L.layerGroup([copy(ring), copy(own)]).addTo(map);
}

/* The roving tab stop over the items of one layer.
   spec.each(fn): calls fn on every layer that may be an item now;
   spec.name(layer): its words; spec.order(a, b): the items' order (default north to south);
   spec.press(layer, ev): Enter or Space on an item without a popup, returning the point a
     zoom or spreading was asked at (the focus goes to the item nearest to it after), or null;
   spec.key(layer): what stays the same when the layer is drawn anew (default the layer);
   spec.all: every item drawn is walked, one out of view brought into it (default: those in
     the map's view only); spec.help: the id of an element that says the keys.
   Returns refresh(change): survey the items again at the next frame; with a function, call
   it (it draws the items anew) and survey them at once, the focus kept on the same item. */
function geoKeyPoints(map, spec) {
  var items = [];       // {layer, el, at, shown} in order
  var stop = null;      // the key of the item that is the tab stop
  var after = null;     // the point a keyboard zoom or spreading was asked at ...
  var from = null;      // ... and the item it was asked on
  var opened = null;    // the item whose popup the keyboard opened
  var ring = null;      // the focused shape's ring (geoFocusRing) and its element
  var queued = false;
  var northToSouth = function (a, b) { return a.at.y - b.at.y || a.at.x - b.at.x; };
  var keyOf = function (layer) { return spec.key ? spec.key(layer) : layer; };

  function elementOf(layer) {
    return layer._icon || (layer.getElement ? layer.getElement() : null);
  }
  function popupOf(layer) { return layer.getPopup ? layer.getPopup() : null; }
  function placeOf(layer) { return layer.getLatLng ? layer.getLatLng() : layer.getCenter(); }
  function inView(layer) {  // a point in the map's view, or part of a shape
    var view = map.getBounds();
    return layer.getLatLng ? view.contains(layer.getLatLng()) : view.intersects(layer.getBounds());
  }
  function unring() {
    if (ring) { map.removeLayer(ring.layer); }
    ring = null;
  }
  function survey() {
    queued = false;
    if (!map._loaded) { return; }
    var found = [];
    spec.each(function (layer) {
      var el = elementOf(layer);
      if (!el || !el.isConnected) { return; }
      var shown = inView(layer);
      el.setAttribute('role', 'button');
      if (!shown && !spec.all) {  // drawn, out of view
        el.setAttribute('tabindex', '-1');
        el.setAttribute('aria-label', spec.name(layer));
        return;
      }
      found.push({layer: layer, el: el, at: map.latLngToContainerPoint(placeOf(layer)),
        shown: shown});
    });
    found.sort(spec.order || northToSouth);
    items = found;
    if (ring && !items.some(function (it) { return it.el === ring.el; })) { unring(); }
    items.forEach(function (it, i) {
      var el = it.el;
      el.setAttribute('aria-label', spec.name(it.layer) + ' (' + (i + 1) + ' av ' + items.length + ')');
      if (spec.help) { el.setAttribute('aria-describedby', spec.help); }
      if (popupOf(it.layer)) {
        el.setAttribute('aria-haspopup', 'dialog');
        el.setAttribute('aria-expanded', it.layer.isPopupOpen() ? 'true' : 'false');
      }
      if (!el._geoKeys) {
        el._geoKeys = true;
        el.addEventListener('keydown', onKey);
        // Leaflet opens a popup again on Enter's keypress, drawing its content anew and
        // dropping the focus put in it: the keydown above has done what Enter does
        el.addEventListener('keypress', function (ev) {
          if (ev.key === 'Enter') { ev.stopPropagation(); }
        });
        // a click does not take the focus from the map (its arrow keys still move it)
        el.addEventListener('mousedown', function (ev) { ev.preventDefault(); });
        el.addEventListener('focus', onFocus);
        el.addEventListener('blur', function () { if (ring && ring.el === el) { unring(); } });
      }
    });
    var kept = items.filter(function (it) {
      return keyOf(it.layer) === stop && (it.shown || it.el === document.activeElement);
    })[0];
    var others = items.filter(function (it) { return it.layer !== from && it.shown; });
    if (after && others.length) {  // a keyboard zoom or spreading: the nearest to where it was
      var to = map.latLngToContainerPoint(after);
      kept = others.reduce(function (a, b) { return b.at.distanceTo(to) < a.at.distanceTo(to) ? b : a; });
    }
    setStop(kept || items.filter(function (it) { return it.shown; })[0] || items[0] || null);
    if (after && !map._animatingZoom) {  // the zoom or spreading done: the focus there
      if (kept && kept.layer !== from) { kept.el.focus({preventScroll: true}); }
      after = null;
      from = null;
    }
  }
  function later() {
    if (!queued) { queued = true; requestAnimationFrame(survey); }
  }
  function refresh(change) {
    if (typeof change !== 'function') { later(); return; }
    var had = itemOf(document.activeElement);
    unring();
    change();
    survey();
    if (had) {  // drawn anew under the focus: the same item keeps it
      var same = items.filter(function (it) { return keyOf(it.layer) === keyOf(had.layer); })[0];
      if (same) { same.el.focus({preventScroll: true}); }
    }
  }
  function setStop(it) {
    stop = it ? keyOf(it.layer) : null;
    items.forEach(function (o) { o.el.setAttribute('tabindex', o === it ? '0' : '-1'); });
  }
  function itemOf(el) { return items.filter(function (it) { return it.el === el; })[0]; }
  function onFocus(ev) {  // Tab, an arrow key or a script to one: it is the stop, ringed
    var it = itemOf(ev.currentTarget);
    if (!it) { return; }
    setStop(it);
    if (spec.all && !inView(it.layer)) { map.panTo(placeOf(it.layer)); }
    if (it.el instanceof SVGElement && it.layer.options) {
      unring();
      ring = {layer: geoFocusRing(map, it.layer), el: it.el};
    }
  }
  function go(it) {
    setStop(it);
    if (spec.all && inView(it.layer)) {  // one by the view's edge comes in a little
      map.panInside(placeOf(it.layer), {padding: [40, 40]});
    }
    it.el.focus({preventScroll: true});  // the map is moved, not the page around it
  }
  function dialogOf(popup) {  // the content's own dialog, else the popup is one
    var box = popup.getElement();
    return box && box.querySelector('[role=dialog]');
  }
  function focusIn(popup) {
    var box = popup.getElement();
    if (!box || !box.isConnected) { return; }
    var target = dialogOf(popup) || box.querySelector('.geo-popup') || box;
    target.setAttribute('tabindex', '-1');
    target.focus({preventScroll: true});
  }
  function press(it, ev) {
    if (popupOf(it.layer)) {
      opened = it.layer;
      if (it.layer.isPopupOpen()) { focusIn(popupOf(it.layer)); }  // a click opened it
      else { it.layer.openPopup(); }
    } else if (spec.press) {
      after = spec.press(it.layer, ev);
      from = after ? it.layer : null;
      later();
    }
  }
  function onKey(ev) {
    var it = itemOf(ev.currentTarget);
    if (!it || ev.altKey || ev.ctrlKey || ev.metaKey) { return; }
    var i = items.indexOf(it), next = null;
    if (ev.key in GEO_KEY_STEPS) { next = items[i + GEO_KEY_STEPS[ev.key]]; }
    else if (ev.key === 'Home') { next = items[0]; }
    else if (ev.key === 'End') { next = items[items.length - 1]; }
    else if (ev.key === 'Enter' || ev.key === ' ') {
      ev.preventDefault();
      ev.stopPropagation();
      press(it, ev);
      return;
    } else { return; }
    ev.preventDefault();
    if (next) { go(next); }  // past the first or the last the focus stays
  }
  function inPopup(layer, el) {
    var box = popupOf(layer) && popupOf(layer).getElement();
    return !!box && box.contains(el);
  }
  map.on('popupopen', function (e) {
    var it = items.filter(function (o) { return o.layer === e.popup._source; })[0];
    if (it) {  // the popup its button says it opens: a dialog named as the item
      it.el.setAttribute('aria-expanded', 'true');
      if (!dialogOf(e.popup)) {
        e.popup.getElement().setAttribute('role', 'dialog');
        e.popup.getElement().setAttribute('aria-label', spec.name(it.layer));
      }
    }
    if (opened && e.popup._source === opened) {
      // after the popup's other handlers, which may draw its content anew (a scrolling popup's
      // shadows): the focus put in the content drawn first would be lost with it
      setTimeout(function () { focusIn(e.popup); }, 0);
    }
  });
  map.on('popupclose', function (e) {
    var layer = e.popup._source, el = layer ? elementOf(layer) : null;
    if (el && el._geoKeys) { el.setAttribute('aria-expanded', 'false'); }
    if (!layer || layer !== opened) { return; }
    opened = null;
    var at = document.activeElement;  // closed from inside it: back to the item
    if (el && el.isConnected && (!at || at === document.body || inPopup(layer, at))) {
      el.focus({preventScroll: true});
    }
  });
  document.addEventListener('keydown', function (ev) {
    if (ev.key !== 'Escape' || !opened || !opened.isPopupOpen()) { return; }
    if (!(ev.target === elementOf(opened) || inPopup(opened, ev.target))) { return; }
    ev.preventDefault();
    opened.closePopup();
    // this Escape was the popup's: its keyup cancels nothing else (Leaflet.draw cancels a
    // marking under way on an Escape keyup anywhere in the map)
    window.addEventListener('keyup', function (up) {
      if (up.key === 'Escape') { up.stopPropagation(); }
    }, {capture: true, once: true});
  });
  map.on('moveend zoomend layeradd layerremove', later);
  map.whenReady(later);
  return refresh;
}

/* The nearest named place to a point within NEAR_M metres, else null; places as
   [[name, lat, lng], ...]. */
function geoNearPlace(places) {
  var NEAR_M = 1500;
  return function (latlng) {
    var best = null, dist = NEAR_M;
    places.forEach(function (p) {
      var d = latlng.distanceTo(L.latLng(p[1], p[2]));
      if (d <= dist) { best = p[0]; dist = d; }
    });
    return best;
  };
}

function geoBubbleKeys(group, places) {
  var near = geoNearPlace(places);
  var later = geoKeyPoints(group._map, {
    each: function (fn) { group._featureGroup.eachLayer(fn); },  // what it shows at this zoom
    name: function (layer) {
      var p = layer.feature ? layer.feature.properties : null;
      if (p) { return (p._title || 'Händelse') + (p.w ? ', vecka ' + p.w : ''); }
      var ring = layer._icon && layer._icon.querySelector('.geo-ring');
      var title = ring ? ring.title : layer.getChildCount() + ' händelser';
      var place = near(layer.getLatLng());
      return place ? title.replace(':', ' nära ' + place + ':') : title;
    },
    press: function (layer, ev) {  // a bubble: as its click (markercluster zooms in or spreads
      // the events out; the group fires a click on a bubble to its listeners as 'clusterclick')
      group.fire('click', {layer: layer, latlng: layer.getLatLng(), originalEvent: ev});
      return layer.getLatLng();
    },
  });
  group.on('animationend spiderfied unspiderfied', function () { later(); });
}

function geoStopKeys(layer) {
  function number(l) { return parseInt(l.feature.properties._title, 10) || 0; }
  geoKeyPoints(layer._map, {
    each: function (fn) {
      layer.eachLayer(function (l) { if (l.feature && l.getLatLng) { fn(l); } });
    },
    name: function (l) { return 'Stopp ' + l.feature.properties._title; },
    order: function (a, b) { return number(a.layer) - number(b.layer); },
  });
}

function geoLayerKeys(map, layers, places) {
  var near = geoNearPlace(places);
  layers.forEach(function (layer) {
    geoKeyPoints(map, {
      each: function (fn) {
        layer.eachLayer(function (l) { if (l.feature && l.getPopup && l.getPopup()) { fn(l); } });
      },
      name: function (l) {
        var p = l.feature.properties, name = String(p._name || p._title || 'Område');
        var place = p._near ? near(l.getLatLng ? l.getLatLng() : l.getCenter()) : null;
        return place ? name.replace(':', ' nära ' + place + ':') : name;
      },
    });
  });
}
