/* Trygghetskartan: the points of a map reached with the keyboard (WCAG 2.1.1 keyboard, 2.4.3
 * focus order), as one tab stop together.
 *
 * Leaflet made each of the lägesbild's bubbles a tab stop, tens of them between the map and its
 * zoom buttons, and Enter on one did nothing (Leaflet 1.9 no longer turns Enter on a marker
 * into a click); a single event and a plan's stop, drawn as SVG circles, had no tab stop. Here
 * the points a layer shows in the map's view are one tab stop (a roving tabindex): Tab reaches
 * the one last visited while it is in view, else the first; the arrow keys go to the next and
 * the previous one (Home, End: the first and the last). Enter or Space does what a click does:
 * a point with a popup opens it (a dialog named as the point) with the focus in it, and Escape
 * closes it and puts the focus back on the point; a bubble zooms in to its events, or spreads
 * them out where no zoom parts them, and the focus goes to the bubble or event nearest to
 * where it was. Each point is a button named for a screen reader with what it is and its
 * number in the order.
 *
 * geoBubbleKeys(group, places): the lägesbild's marker-cluster group, its bubbles and events
 * from north to south, a bubble named with what it holds and the nearest named place within
 * NEAR_M metres ([[name, lat, lng], ...]): "487 händelser nära Fjugesta centrum: 250 Narkotika
 * och alkohol, … (12 av 40)", an event "Rattfylleri, vecka 2026-W47 (3 av 40)".
 * geoStopKeys(layer): the plan's stops in the plan's order, "Stopp 2. Vintrosa (2 av 5)".
 * Inlined by geo.maps.lagesbild and geo.maps.plan.
 */
var GEO_KEY_STEPS = {ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1};

/* The roving tab stop over the points of one layer.
   spec.each(fn): calls fn on every layer that may be a point now;
   spec.name(layer): its words; spec.order(a, b): the points' order (default north to south);
   spec.press(layer, ev): Enter or Space on a point without a popup, returning the point a
     zoom or spreading was asked at (the focus goes to the point nearest to it after), or null.
   Returns later(): survey the points again at the next frame. */
function geoKeyPoints(map, spec) {
  var items = [];       // {layer, el, at} in view, in order
  var stop = null;      // the layer that is the tab stop
  var after = null;     // the point a keyboard zoom or spreading was asked at ...
  var from = null;      // ... and the point it was asked on
  var opened = null;    // the point whose popup the keyboard opened
  var queued = false;
  var northToSouth = function (a, b) { return a.at.y - b.at.y || a.at.x - b.at.x; };

  function elementOf(layer) {
    return layer._icon || (layer.getElement ? layer.getElement() : null);
  }
  function popupOf(layer) { return layer.getPopup ? layer.getPopup() : null; }
  function survey() {
    queued = false;
    var size = map.getSize(), found = [];
    spec.each(function (layer) {
      var el = elementOf(layer);
      if (!el || !el.isConnected) { return; }
      var at = map.latLngToContainerPoint(layer.getLatLng());
      el.setAttribute('role', 'button');
      if (at.x < 0 || at.y < 0 || at.x > size.x || at.y > size.y) {  // drawn, out of view
        el.setAttribute('tabindex', '-1');
        el.setAttribute('aria-label', spec.name(layer));
        return;
      }
      found.push({layer: layer, el: el, at: at});
    });
    found.sort(spec.order || northToSouth);
    items = found;
    items.forEach(function (it, i) {
      var el = it.el;
      el.setAttribute('aria-label', spec.name(it.layer) + ' (' + (i + 1) + ' av ' + items.length + ')');
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
      }
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
  function press(it, ev) {
    if (popupOf(it.layer)) {
      opened = it.layer;
      it.layer.openPopup();
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
    if (next) {  // past the first or the last the focus stays
      setStop(next);
      next.el.focus({preventScroll: true});
    }
  }
  function inPopup(layer, el) {
    var box = popupOf(layer) && popupOf(layer).getElement();
    return !!box && box.contains(el);
  }
  map.on('popupopen', function (e) {
    var it = items.filter(function (o) { return o.layer === e.popup._source; })[0];
    if (it) {  // the popup its button says it opens: a dialog named as the point
      it.el.setAttribute('aria-expanded', 'true');
      e.popup.getElement().setAttribute('role', 'dialog');
      e.popup.getElement().setAttribute('aria-label', spec.name(it.layer));
    }
    if (opened && e.popup._source === opened) {
      // after the popup's other handlers, which may draw its content anew (a scrolling popup's
      // shadows): the focus put in the content drawn first would be lost with it
      setTimeout(function () {
        var popup = e.popup.getElement();
        if (!popup || !popup.isConnected) { return; }
        var box = popup.querySelector('.geo-popup') || popup;
        box.setAttribute('tabindex', '-1');
        box.focus({preventScroll: true});
      }, 0);
    }
  });
  map.on('popupclose', function (e) {
    var layer = e.popup._source, el = layer ? elementOf(layer) : null;
    if (el && el._geoKeys) { el.setAttribute('aria-expanded', 'false'); }
    if (!layer || layer !== opened) { return; }
    opened = null;
    var at = document.activeElement;  // closed from inside it: back to the point
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
  document.addEventListener('focusin', function (ev) {  // Tab or a click to one: it is the stop
    var it = itemOf(ev.target);
    if (it) { setStop(it); }
  });
  map.on('moveend zoomend layeradd layerremove', later);
  later();
  return later;
}

function geoBubbleKeys(group, places) {
  var NEAR_M = 1500;
  function near(latlng) {  // the nearest named place, if it is near
    var best = null, dist = NEAR_M;
    places.forEach(function (p) {
      var d = latlng.distanceTo(L.latLng(p[1], p[2]));
      if (d <= dist) { best = p[0]; dist = d; }
    });
    return best;
  }
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
  group.on('animationend spiderfied unspiderfied', later);
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
