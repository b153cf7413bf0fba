/* Keep a map's boxes apart and its area clear of them (Trygghetskartan).

   geoLayout(map) does four things at load (the first again whenever the window changes size;
   the fit is not redone then, so entering full screen keeps the user's view):
   1. The legend (bottom right) may grow only up to the boxes above it (the layer list, top
      right); beyond that it scrolls, and only then is it a tab stop (the arrow keys scroll
      it). On a 1366 × 768 laptop the legend used to cover the lower half of the layer list,
      so themes could not be switched off.
   2. If map.options.geoFitBounds is set ([[south, west], [north, east]], the kommun), the map
      is fitted to it inside the part of the map the boxes leave free (a column between the
      boxes on the left and right, or the part above the boxes at the bottom left, whichever
      shows the kommun larger), with quarter-zoom steps, so that no village sits under the
      layer list or the legend. Where the boxes leave less than 40 % of the width or height
      (a phone), the full width above the boxes at the bottom is used; with
      map.options.geoFitClearOfTop (a plan's stops, which must not sit under a button) the
      band below the boxes at the top, or the column right of the tools, whichever is larger.
   3. On a narrow map (under 600 px, a phone) the layer list folds into its button (a tap opens
      it, a tap on the map folds it again) and the legend into its title under that button (a
      tap opens it), so that the map is not covered by them.
   4. A popup is never wider than the map, and on a phone it opens in the part of the map the
      boxes leave free (they are drawn above popups), scrolling if it is taller than that: a
      stop's long reason was cut off at the screen's right edge and under the buttons. */
function geoLayout(map) {
  var box = map.getContainer();

  function rect(selector) {
    var el = box.querySelector(selector);
    return el ? el.getBoundingClientRect() : null;
  }

  function widest(selector) {
    var w = 0;
    box.querySelectorAll(selector + ' > .leaflet-control').forEach(function (c) {
      w = Math.max(w, c.getBoundingClientRect().width);
    });
    return w;
  }

  function capLegend() {
    var legend = box.querySelector('.leaflet-bottom.leaflet-right .geo-legend');
    var above = rect('.leaflet-top.leaflet-right');
    if (!legend || !above) return;
    legend.style.maxHeight = '';
    var room = legend.getBoundingClientRect().bottom - above.bottom - 10;
    var full = legend.getBoundingClientRect().height;
    // max-height holds the content only: its padding and border come on top of it (else
    // the legend reached 2 px over the layer list once the list had two more layers)
    var cs = window.getComputedStyle(legend);
    var extra = ['paddingTop', 'paddingBottom', 'borderTopWidth', 'borderBottomWidth']
      .reduce(function (sum, k) { return sum + (parseFloat(cs[k]) || 0); }, 0);
    if (full > room) legend.style.maxHeight = Math.max(room - extra, 60) + 'px';
  }

  function fitClear() {
    var b = map.options.geoFitBounds;
    if (!b) return;
    var size = map.getSize();
    var mapTop = box.getBoundingClientRect().top;
    var topLeft = widest('.leaflet-top.leaflet-left');
    var bottomLeft = widest('.leaflet-bottom.leaflet-left');
    function high(selector) {  // how far a bottom corner's boxes reach up the map
      var c = rect(selector);
      return c && widest(selector) ? size.y - (c.top - mapTop) : 0;
    }
    function low(selector) {  // how far a top corner's boxes reach down the map
      var most = 0;
      box.querySelectorAll(selector + ' > .leaflet-control').forEach(function (c) {
        var r = c.getBoundingClientRect();
        if (r.height) most = Math.max(most, r.bottom - mapTop);
      });
      return most;
    }
    var bottomLeftHigh = high('.leaflet-bottom.leaflet-left');
    var bottomHigh = Math.max(bottomLeftHigh, high('.leaflet-bottom.leaflet-right'));
    var right = Math.max(widest('.leaflet-top.leaflet-right'),
                         widest('.leaflet-bottom.leaflet-right')) + 10;
    // the free part: a column between the boxes, or above the boxes at the bottom left
    var choices = [
      {tl: [Math.max(topLeft, bottomLeft) + 10, 10], br: [right, 10]},
      {tl: [topLeft + 10, 10], br: [right, bottomLeftHigh + 10]}
    ];
    var best = null, bestZoom = -Infinity;
    choices.forEach(function (c) {
      var freeX = size.x - c.tl[0] - c.br[0], freeY = size.y - c.tl[1] - c.br[1];
      if (freeX < 0.4 * size.x || freeY < 0.4 * size.y) return;
      var z = map.getBoundsZoom(b, false, L.point(c.tl).add(c.br));
      if (z > bestZoom) { best = c; bestZoom = z; }
    });
    if (!best && map.options.geoFitClearOfTop) {  // a phone, clear of every box
      var topHigh = Math.max(low('.leaflet-top.leaflet-left'), low('.leaflet-top.leaflet-right'));
      [{tl: [10, topHigh + 10], br: [10, bottomHigh + 10]},
       {tl: [topLeft + 20, low('.leaflet-top.leaflet-right') + 10], br: [10, bottomHigh + 10]}
      ].forEach(function (c) {
        var z = map.getBoundsZoom(b, false, L.point(c.tl).add(c.br));
        if (z > bestZoom) { best = c; bestZoom = z; }
      });
    }
    if (!best) {  // a phone: the full width above the boxes at the bottom, else the whole map,
      // with a little room at the sides for the names of places on the kommun's edge
      best = bottomHigh + 20 < 0.6 * size.y ? {tl: [25, 10], br: [25, bottomHigh + 10]}
                                            : {tl: [25, 10], br: [25, 10]};
    }
    map.fitBounds(b, {paddingTopLeft: best.tl, paddingBottomRight: best.br, animate: false});
  }

  function foldOnPhones() {
    if (map.getSize().x >= 600) return;
    var layers = box.querySelector('.leaflet-control-layers');
    if (layers) {
      layers.classList.remove('leaflet-control-layers-expanded');  // Leaflet's button opens it
      map.on('click', function () { layers.classList.remove('leaflet-control-layers-expanded'); });
    }
    // a box folds to its title, a tap on the title opens it
    // (a button in the heading: the heading stays a heading, the button is a tab stop)
    function fold(panel) {
      var title = panel && panel.querySelector('h1, h2');
      if (!title) return false;
      panel.classList.add('geo-folded');
      var button = document.createElement('button');
      button.type = 'button';
      button.className = 'geo-fold';
      button.textContent = title.textContent;
      button.setAttribute('aria-expanded', 'false');
      title.textContent = '';
      title.appendChild(button);
      button.addEventListener('click', function () {
        button.setAttribute('aria-expanded', String(!panel.classList.toggle('geo-folded')));
      });
      return true;
    }
    var legend = box.querySelector('.geo-legend');
    var topRight = box.querySelector('.leaflet-top.leaflet-right');
    // under the layer button, off the info box
    if (fold(legend) && topRight) topRight.appendChild(legend);
    // the info box too, to its title and its first note (how the map may be shared, or that
    // it counts synthetic events): with the week slider it took 40 % of a phone's screen
    var info = box.querySelector('.geo-info');
    var first = info && info.querySelector('.geo-note');
    if (first) first.classList.add('geo-keep');
    fold(info);
  }

  function fitPopups(e) {
    var popup = e.popup, size = map.getSize();
    var phone = size.x < 600;
    // Leaflet adds 46 px around a popup's content (margins, border) and 20 px for its tip
    var width = Math.min(380, size.x - 20 - 46);
    // the popup opens between the boxes at the top and at the bottom (layer list, info box,
    // legend), on a laptop as on a phone, and scrolls inside when it is taller than that room
    var top = 5, bottom = 5;
    var mapTop = box.getBoundingClientRect().top;
    box.querySelectorAll('.leaflet-top > .leaflet-control').forEach(function (c) {
      var r = c.getBoundingClientRect();
      if (r.height) top = Math.max(top, r.bottom - mapTop + 10);
    });
    box.querySelectorAll('.leaflet-bottom > .leaflet-control').forEach(function (c) {
      var r = c.getBoundingClientRect();
      if (r.height) bottom = Math.max(bottom, size.y - (r.top - mapTop) + 10);
    });
    if (size.y - top - bottom < 200) {  // boxes too tall to keep clear of: keep to the map
      top = 5;
      bottom = 5;
    }
    var height = Math.max(size.y - top - bottom - 26 - 20 - 10, 120);
    if (popup.options.maxWidth === width && popup.options.maxHeight === height) {
      return;
    }
    popup.options.maxWidth = width;
    popup.options.minWidth = Math.min(popup.options.minWidth || 50, width);
    popup.options.maxHeight = height;
    popup.options.autoPanPaddingTopLeft = L.point(10, top);
    popup.options.autoPanPaddingBottomRight = L.point(10, bottom);
    popup.update();  // laid out and panned again with these limits
  }

  // the legend is a tab stop while its content is taller than it (it scrolls), so the keys
  // scroll it, and only then: a tab stop that does nothing is one more Tab for nothing. It is
  // looked at again whenever it or its content changes size (folded, opened, the window
  // resized, capLegend) and when a layer is switched on or off
  function scrollStopWhileScrolling(el) {
    if (!el) return;
    var update = function () {
      if (el.scrollHeight > el.clientHeight) el.tabIndex = 0;
      else el.removeAttribute('tabindex');
    };
    var sizes = new ResizeObserver(update);
    var watch = function () {
      sizes.disconnect();
      sizes.observe(el);
      Array.prototype.forEach.call(el.children, function (c) { sizes.observe(c); });
      update();
    };
    new MutationObserver(watch).observe(el, {childList: true, subtree: true, attributes: true,
                                             attributeFilter: ['class', 'style']});
    map.on('overlayadd overlayremove resize', update);
    watch();
  }

  // a popup taller than its room scrolls: then it is a tab stop, so the keys scroll it too
  function scrollByKeys(e) {
    var content = e.popup.getElement().querySelector('.leaflet-popup-content');
    if (content.classList.contains('leaflet-popup-scrolled')) content.tabIndex = 0;
    else content.removeAttribute('tabindex');
  }

  // leaflet-measure puts its links straight in a <ul>, with no <li>: no list, but a row of
  // links, and said so to a screen reader (it draws them anew at each step of a measuring)
  function unlistMeasureLinks(control) {
    var unlist = function () {
      control.querySelectorAll('ul.tasks').forEach(function (u) {
        u.setAttribute('role', 'none');
      });
    };
    new MutationObserver(unlist).observe(control, {childList: true, subtree: true});
    unlist();
  }

  // while measuring, leaflet-measure lays an unseen marker over the map to catch the clicks:
  // a button with no name, named now for what it does
  map.on('measurestart', function () {
    map.eachLayer(function (l) {
      var el = l instanceof L.Marker && l.options.opacity === 0 && l.getElement();
      if (el) el.setAttribute('aria-label', 'Mätning: klicka i kartan för att sätta en punkt');
    });
  });

  map.on('popupopen', fitPopups);
  map.on('popupopen', scrollByKeys);
  box.querySelectorAll('.leaflet-control-measure').forEach(unlistMeasureLinks);
  foldOnPhones();
  capLegend();
  scrollStopWhileScrolling(box.querySelector('.geo-legend'));
  fitClear();
  var timer = null;
  window.addEventListener('resize', function () {
    clearTimeout(timer);
    timer = setTimeout(capLegend, 150);
  });
}
