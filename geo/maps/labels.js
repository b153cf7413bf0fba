/* Trygghetskartan: keep permanent map labels (place names, a plan's stop numbers) whole on the
 * map, off each other and off the markers one reads or clicks.
 *
 * geoPlaceLabels(map) places the labels one by one around the map's controls, the more important
 * first where they compete for room (stop badges, then the names by their tooltip option
 * geoRank: the places the medborgarlöfte names, then localities by size, then the rest; names
 * without it last, localities before bathing sites): each keeps its own place if that box is free,
 * else takes the first free one of right, left, top, bottom and half a line above or below
 * right and left. Markers in view are obstacles too: every visible plain circle marker (a
 * single incident, a kommun-marked traffic spot, a plan's stop; not the label's own), every
 * visible marker icon with text in it, such as a marker-cluster bubble with its count (icons
 * drawn on the very same spot count once), and the legs of a spiderfied cluster. So are the
 * lines drawn with the path option geoObstacle: true, where a name on top hides what one reads
 * (a plan's routes and its stops' leaders, the lägesbild's road stretches coloured by their
 * rate, stretches marked in the app; not the grey road network, which runs through every
 * place): a label keeps LINE_GAP px off a line's stroke, tested segment by segment against
 * its box (a segment's part inside the box, times the stroke's width, is what it covers).
 * Markers, and lines CHUNK segments at a time, are looked up in a grid of CELL px squares, so
 * each label weighs only those near it. A label is laid out and its box read once per side it
 * is tried at (when the map opens, or a side is first tried), and that box then moves with its
 * point and offset; a label is written to the page only where its place changed (with the
 * main job's 1,500 incidents a placing of its 14 names took 32-62 ms, most of it the browser
 * laying the labels out again for every box read, and now takes a few ms, the whole kommun's
 * 10-30: bench/bench_labels.py). Once all are written, the shown labels' boxes are read back
 * (one layout for them all); a label not where its kept box said (its size changed since: a
 * late font, larger text) is measured anew and placed again at once, and its leader line is
 * drawn to where it is.
 * If none of those places is free, each is also tried moved just past what it covers (a
 * bubble on the place itself, as when incidents are geocoded to the place, covers them all;
 * of a line, the part under the label) or back inside the map, and once more, at most REACH
 * px either way. A place is first judged by how much of the words, or of a number one reads,
 * cannot be read there: beyond the map's edge, under a box, on another label or on a bubble's
 * count; then by how much of the other markers and lines it covers, then by how far it moved.
 * A label that cannot be whole and off every count anywhere (its place at or past the edge, as
 * on a phone zoomed in on a plan's stops; bubbles all around it, as on a phone's whole-kommun
 * view of the lägesbild) is hidden (class geo-hidden) until a later placing finds it room; so
 * a name is never cut off, never covers a count, and covers another marker or a line only
 * where every whole place covers as much. A name with the option geoOnRings (the löfte's
 * places: Fjugesta centrum on a phone's whole-kommun view, with bubbles all around it) is
 * searched for once more before it is hidden, with only the white disc holding a bubble's
 * number unreadable and the bubble's coloured ring a marker it covers. A name set more than LEADER
 * px further from its own point than its own place puts it is tied to the point by a thin
 * line (class geo-leader, data-label its name):
 * moved around a bubble, it could stand nearer another place's point than its own and read
 * as that place's (Fjugesta centrum's name beside Knista's).
 *
 * It places them once the page and its fonts are loaded, after every move or zoom ('moveend',
 * which Leaflet fires after 'zoomend'), when a layer is switched in the layer list
 * ('overlayadd', 'overlayremove'), when a cluster group's zoom or spiderfy animation ends
 * (Leaflet.markercluster's 'animationend': at 'moveend' its bubbles are still gliding) and,
 * once per burst, when the bubbles' CSS glide ends (it may outlast 'animationend' by a few
 * px, enough for a name placed just past a bubble to cover its count) and when markers or
 * circles or obstacle lines come or go ('layeradd', 'layerremove': clusters rebuilt by the
 * week slider or the category boxes, which move nothing; a plan's stops set apart anew, with
 * new leaders). It waits while the map or a cluster group is mid-zoom; the events above
 * follow. It returns the placing function, to call again after adding labels. The map keeps
 * when it last began to move (_geoLabelsMovedAt) and when a placing last ended
 * (_geoLabelsPlacedAt, performance.now() ms), so a test can wait for the names to settle. Used inline by
 * the folium maps (geo.maps.base) and served to the marking app (geo.web).
 */
function geoPlaceLabels(map) {
  /* where a label may go: [Leaflet direction, offset in px]; the last four sit half a line
     above or below the side positions, for crowded spots */
  var SPOTS = [['right', [6, 0]], ['left', [-6, 0]], ['top', [0, -4]], ['bottom', [0, 4]],
    ['right', [6, -12]], ['right', [6, 12]], ['left', [-6, -12]], ['left', [-6, 12]]];
  var GAP = 2;    // px between a label moved past a marker and the marker
  var REACH = 48; // px a label may move past markers, from the place it was tried at
  var CELL = 64;  // px: the squares markers are found by
  var LEG_STEP = 4;  // px between the boxes along a spider leg
  var LINE_GAP = 3;  // px a label keeps off a line that is an obstacle, beyond its stroke
  var CHUNK = 8;     // segments of a line looked up together in the grid
  var LEADER = 10;   // px: a name set this much further from its point than its own place puts
                     // it (below a village, right of a marker) gets a thin line to the point
  var pending = null;  // a placing asked for by markers coming and going
  var leaders = null;  // the SVG the leader lines are drawn in, in a pane of their own
  var drawnLeaders = '';  // the leader lines drawn, as their layer px and names
  var remeasuring = false;  // a placing again after finding a label's measured box stale
  var measured = {};  // by label: its words' box at each side laid out, from its point
  function boxOf(el) {
    // an element's box on the page as a plain object: a DOMRect's sides are read through the
    // browser's bindings, and the placing reads them some 100,000 times (most of the whole
    // kommun's placing once the names' sizes are known)
    var r = el.getBoundingClientRect();
    return {left: r.left, right: r.right, top: r.top, bottom: r.bottom};
  }
  function overlap(a, b) {
    var w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
    var h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
    return w > 0 && h > 0 ? w * h : 0;
  }
  function place(t, side, offset) {
    t.options.direction = side;
    t.options.offset = offset;
    t.update();
    return boxOf(wordsOf(t));
  }
  function wordsOf(t) {  // the words, not the padding; a stop's number with its badge
    return /geo-badge/.test(t.options.className || '') ? t._container
      : t._container.firstElementChild || t._container;
  }
  function pointOf(t, frame) {  // where the tooltip is pinned on the page
    var p = map.latLngToContainerPoint(t.getLatLng());
    return {x: p.x + frame.left, y: p.y + frame.top};
  }
  function wordsBox(t, side, offset, pin) {
    // the box of t's words at side and offset, pin its point on the page: laid out and read
    // once per label and side, then moved with its point and offset (a label's size and its
    // place beside its point do not change). Reading a box after each move made the browser
    // lay the page out again each time: most of a placing's time, 32-62 ms with 14 names
    var key = L.stamp(t), text = t._container.textContent, m = measured[key];
    if (!m || m.text !== text) { m = measured[key] = {text: text, sides: {}}; }
    var s = m.sides[side];
    if (!s) {
      L.DomUtil.removeClass(t._container, 'geo-hidden');
      var b = place(t, side, offset);
      s = m.sides[side] = {offset: offset, left: b.left - pin.x, right: b.right - pin.x,
                           top: b.top - pin.y, bottom: b.bottom - pin.y};
    }
    var dx = pin.x + offset[0] - s.offset[0], dy = pin.y + offset[1] - s.offset[1];
    return {left: s.left + dx, right: s.right + dx, top: s.top + dy, bottom: s.bottom + dy};
  }
  function show(t, best) {
    // set t at the place chosen, or hide it (best.cut > 0), writing to the page only what
    // changed: Leaflet keeps an unchanged label beside its point through zooms and pans
    var o = t.options, c = t._container, was = L.DomUtil.hasClass(c, 'geo-hidden');
    var moved = o.direction !== best.side || o.offset[0] !== best.offset[0]
      || o.offset[1] !== best.offset[1];
    o.direction = best.side;
    o.offset = best.offset;
    if (best.cut > 0) {  // not shown: placed again when it shows
      if (!was) { L.DomUtil.addClass(c, 'geo-hidden'); }
      return;
    }
    if (was) { L.DomUtil.removeClass(c, 'geo-hidden'); }
    if (moved || was) { t.update(); }
  }
  function rank(t) {
    // stop badges first; then the names by their option geoRank (0 first: the places the
    // medborgarlöfte names, then localities by size), so the more important take the room;
    // names without one after, localities before bathing sites
    var c = t.options.className || '', r = t.options.geoRank;
    if (/geo-badge/.test(c)) { return -1; }
    return typeof r === 'number' ? r : 1e6 + (/geo-bath/.test(c) ? 1 : 0);
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
  function circleBox(l, frame) {  // a circle marker's box on screen, from its drawn point
    var p = map.layerPointToContainerPoint(l._point);
    var r = l._radius + (l.options.stroke ? l.options.weight / 2 : 0);
    return {left: frame.left + p.x - r, right: frame.left + p.x + r,
            top: frame.top + p.y - r, bottom: frame.top + p.y + r};
  }
  function drawn(l) {  // a plain circle marker (an incident, a spot, a stop) that shows
    var o = l.options;
    return l instanceof L.CircleMarker && !(l instanceof L.Circle) && l._path && l._point
      && ((o.stroke && o.opacity > 0) || (o.fill && o.fillOpacity > 0));
  }
  function legBoxes(leg, frame) {  // a spiderfied marker's leg: small boxes along the line
    var ends = leg.getLatLngs().map(function (ll) { return map.latLngToContainerPoint(ll); });
    var a = ends[0], b = ends[ends.length - 1], h = (leg.options.weight || 1) / 2 + 1;
    var n = Math.max(1, Math.ceil(a.distanceTo(b) / LEG_STEP)), out = [];
    for (var i = 0; i <= n; i++) {
      var x = frame.left + a.x + (b.x - a.x) * i / n, y = frame.top + a.y + (b.y - a.y) * i / n;
      out.push({left: x - h, right: x + h, top: y - h, bottom: y + h});
    }
    return out;
  }
  function markerBoxes(l, frame, stacked) {
    // the boxes a label keeps off for layer l, as {box, count, text}: a marker icon showing
    // text (a cluster's count; count true, text the element holding the number) drawn and not
    // faded out by the cluster group, icons stacked on the very same spot counting once; a
    // plain circle marker; a spiderfied marker's leg
    var out = [];
    var icon = l instanceof L.Marker && l._icon;
    if (icon && icon.style.opacity !== '0' && /\S/.test(icon.textContent || '')) {
      var r = boxOf(icon), text = icon;
      var key = [r.left, r.top, r.right, r.bottom].map(Math.round).join();
      while (text.firstElementChild) { text = text.firstElementChild; }  // a bubble's white disc
      if (r.right > r.left && !stacked[key]) {
        stacked[key] = true;
        out.push({box: r, count: true, text: text});
      }
    } else if (drawn(l)) {
      out.push({box: circleBox(l, frame)});
    }
    var legs = l._spiderLeg && l._spiderLeg._map ? legBoxes(l._spiderLeg, frame) : [];
    return out.concat(legs.map(function (b) { return {box: b}; }));
  }
  function lineChunks(l, frame) {
    // a line drawn as an obstacle (a plan's route, a stop's leader, a road stretch's rate, a
    // marked stretch: option geoObstacle), as it is drawn now: its projected, clipped parts
    // (Leaflet's _parts, in layer px) as segments [x1, y1, x2, y2] in page px, CHUNK at a
    // time, each chunk with its box grown by the half stroke and LINE_GAP
    var o = l.options;
    if (!(l instanceof L.Polyline) || l instanceof L.Polygon || !o.geoObstacle || !l._parts
        || !o.stroke || !(o.opacity > 0)) { return []; }
    var at = map.layerPointToContainerPoint(L.point(0, 0));
    var dx = frame.left + at.x, dy = frame.top + at.y;
    var h = (o.weight || 1) / 2 + LINE_GAP, out = [];
    l._parts.forEach(function (ring) {
      for (var i = 1; i < ring.length; i += CHUNK) {
        var segs = [], box = {left: Infinity, right: -Infinity, top: Infinity, bottom: -Infinity};
        for (var k = i; k < Math.min(i + CHUNK, ring.length); k++) {
          var s = [ring[k - 1].x + dx, ring[k - 1].y + dy, ring[k].x + dx, ring[k].y + dy];
          segs.push(s);
          box.left = Math.min(box.left, s[0] - h, s[2] - h);
          box.right = Math.max(box.right, s[0] + h, s[2] + h);
          box.top = Math.min(box.top, s[1] - h, s[3] - h);
          box.bottom = Math.max(box.bottom, s[1] + h, s[3] + h);
        }
        out.push({box: box, segs: segs, h: h});
      }
    });
    return out;
  }
  function clip(s, h, b) {
    // the part of segment s inside box b grown by h (Liang-Barsky): [x1, y1, x2, y2], or null
    var x = s[0], y = s[1], dx = s[2] - x, dy = s[3] - y, t0 = 0, t1 = 1;
    var p = [-dx, dx, -dy, dy];
    var q = [x - b.left + h, b.right + h - x, y - b.top + h, b.bottom + h - y];
    for (var i = 0; i < 4; i++) {
      if (p[i] === 0) {
        if (q[i] < 0) { return null; }
      } else {
        var r = q[i] / p[i];
        if (p[i] < 0) { t0 = Math.max(t0, r); } else { t1 = Math.min(t1, r); }
      }
    }
    return t0 <= t1 ? [x + t0 * dx, y + t0 * dy, x + t1 * dx, y + t1 * dy] : null;
  }
  function grid(stones) {
    // stones ({box, layer}) by the CELL px squares they touch; returns near(box), the stones
    // that may meet a box: with 1,500 incidents a label looks at the few around it
    var cells = {};
    function keys(b, f) {
      for (var i = Math.floor(b.left / CELL); i <= Math.floor(b.right / CELL); i++) {
        for (var j = Math.floor(b.top / CELL); j <= Math.floor(b.bottom / CELL); j++) {
          f(i + ',' + j);
        }
      }
    }
    stones.forEach(function (s, k) {
      keys(s.box, function (key) { (cells[key] || (cells[key] = [])).push(k); });
    });
    return function near(b) {
      var seen = {}, out = [];
      keys(b, function (key) {
        (cells[key] || []).forEach(function (k) {
          if (!seen[k]) { seen[k] = true; out.push(stones[k]); }
        });
      });
      return out;
    };
  }
  function survey(frame) {
    // the permanent labels, and the stones in view by their layer: markers' boxes, and lines'
    // chunks of segments (with segs and h)
    var tips = [], stones = [], stacked = {};
    map.eachLayer(function (l) {
      var t = l.getTooltip && l.getTooltip();
      if (t && t.options.permanent && t._container && t._map) { tips.push(t); }
      markerBoxes(l, frame, stacked).forEach(function (m) {
        if (overlap(m.box, frame)) { m.layer = l; stones.push(m); }
      });
      lineChunks(l, frame).forEach(function (c) {
        if (overlap(c.box, frame)) { c.layer = l; stones.push(c); }
      });
    });
    tips.sort(function (a, b) { return rank(a) - rank(b); });
    return {tips: tips, near: grid(stones)};
  }
  function outside(b, frame) {  // the part of a box beyond the map's edge
    return (b.right - b.left) * (b.bottom - b.top) - overlap(b, frame);
  }
  function shift(c) { return Math.abs(c.shift[0]) + Math.abs(c.shift[1]); }
  function gap(b, p) {  // px from a point to the nearest part of a box
    var dx = Math.max(b.left - p.x, 0, p.x - b.right);
    var dy = Math.max(b.top - p.y, 0, p.y - b.bottom);
    return Math.sqrt(dx * dx + dy * dy);
  }
  var anchors = [];  // every name's own point on screen, at this placing
  function anchorOf(t, frame) {  // where the tooltip is pinned: a marker, a polygon's centre
    var ll = t.getLatLng && t.getLatLng();
    if (!ll || /geo-badge/.test(t.options.className || '')) { return null; }
    var p = pointOf(t, frame);
    return {tip: t, x: p.x, y: p.y};
  }
  function compare(a, b) {
    // the words whole, else less cut; then less covered; then nearer its own point than any
    // other name's (where the first two allow: a name is not hidden, nor set on a count,
    // for it); then moved less
    return (a.cut - b.cut) || (a.cover - b.cover) || ((a.mis || 0) - (b.mis || 0))
      || (shift(a) - shift(b));
  }
  function better(c, best) { return best === null || compare(c, best) < 0; }
  function placeLabel(t, near, placed, frame) {
    // place tooltip t as well as it goes; return its box, or null if it is hidden
    if (!t._geoHome) { t._geoHome = [t.options.direction, t.options.offset]; }
    var at = pointOf(t, frame);
    function boxAt(side, offset) { return wordsBox(t, side, offset, at); }
    var home = boxAt(t._geoHome[0], t._geoHome[1]);
    var pin = anchorOf(t, frame);  // how far its own place puts the words from the point
    t._geoHomeGap = pin === null ? 0 : gap(home, pin);
    var w = home.right - home.left + 24 + REACH, h = home.bottom - home.top + 32 + REACH;
    // every place tried lies within a label's size and REACH of its own
    var region = {left: home.left - w, right: home.right + w,
                  top: home.top - h, bottom: home.bottom + h};
    // markers' boxes (the counts' apart); lines' segments [x1, y1, x2, y2, h]
    var stones = [], counts = [], segs = [], bubbles = [];
    near(region).forEach(function (s) {
      if (s.layer === t._source) { return; }
      if (s.count) { counts.push(s.box); bubbles.push(s); return; }
      if (!s.segs) { stones.push(s.box); return; }
      s.segs.forEach(function (g) {  // only the segments that come near the region
        var h = s.h;
        if (Math.min(g[0], g[2]) - h < region.right && Math.max(g[0], g[2]) + h > region.left
            && Math.min(g[1], g[3]) - h < region.bottom && Math.max(g[1], g[3]) + h > region.top) {
          segs.push([g[0], g[1], g[2], g[3], h]);
        }
      });
    });
    var others = placed.filter(function (p) { return overlap(p, region); });
    // the other names' own points near by: a name moved closer to one of them than to its
    // own would read as that place's (Fjugesta centrum's name above Knista)
    var own = anchorOf(t, frame);
    var rivals = own === null ? [] : anchors.filter(function (a) {
      return a.tip !== t && a.x > region.left && a.x < region.right
        && a.y > region.top && a.y < region.bottom;
    });
    function pieces(b) {  // the parts of the lines a box meets, each with its box (grown by h)
      var out = [];
      segs.forEach(function (g) {
        var h = g[4];
        if (Math.min(g[0], g[2]) - h >= b.right || Math.max(g[0], g[2]) + h <= b.left
            || Math.min(g[1], g[3]) - h >= b.bottom || Math.max(g[1], g[3]) + h <= b.top) {
          return;
        }
        var p = clip(g, h, b);
        if (p) {
          out.push({length: Math.max(Math.sqrt((p[2] - p[0]) * (p[2] - p[0])
                                               + (p[3] - p[1]) * (p[3] - p[1])), 1), h: h,
                    box: {left: Math.min(p[0], p[2]) - h, right: Math.max(p[0], p[2]) + h,
                          top: Math.min(p[1], p[3]) - h, bottom: Math.max(p[1], p[3]) + h}});
        }
      });
      return out;
    }
    function misleads(b) {  // 1 if the box stands nearer another name's point than its own
      if (!rivals.length) { return 0; }
      var mine = gap(b, own);
      return rivals.some(function (a) { return gap(b, a) + 1 < mine; }) ? 1 : 0;
    }
    function search(unread, stones) {
      // the best place for the name where it may not lie on unread (names, counts) and keeps
      // off stones (markers) and the lines where it can
      function score(c) {
        // cut: beyond the edge or on a box, a name or a bubble's count (a name on a count hides
        // a number one reads: on a phone "Multen, Brogalandet" lay on a bubble's 15); cover: on
        // a marker, or on a line (as much as the line's stroke and gap it holds: the length
        // inside times the width)
        c.cut = unread.reduce(function (sum, p) { return sum + overlap(c.box, p); },
                              outside(c.box, frame));
        c.cover = stones.reduce(function (sum, p) { return sum + overlap(c.box, p); }, 0);
        c.mis = misleads(c.box);
        if (segs.length) {
          c.lines = pieces(c.box);
          c.cover = c.lines.reduce(function (sum, p) { return sum + p.length * 2 * p.h; }, c.cover);
        }
        return c;
      }
      var spots = [t._geoHome].concat(SPOTS);
      var best = null, tried = [];
      for (var i = 0; i < spots.length; i++) {
        var c = score({side: spots[i][0], offset: spots[i][1], shift: [0, 0],
                       box: boxAt(spots[i][0], spots[i][1])});
        tried.push(c);
        if (better(c, best)) { best = c; }
        if (c.cut + c.cover + c.mis === 0) { break; }
      }
      // every place covers something: try each moved past what it covers (or back inside the
      // map), then those moved once more in the same way
      var known = {}, walls = stones.concat(unread);
      for (var step = 0; step < 2 && best.cut + best.cover + best.mis > 0; step++) {
        var next = [];
        tried.forEach(function (c) {
          var lines = (c.lines || []).map(function (p) { return p.box; });
          moves(c, lines.length ? walls.concat(lines) : walls, frame).forEach(function (m) {
            var key = m.side + m.offset.join();
            if (!known[key]) { known[key] = true; next.push(score(m)); }
          });
        });
        next.forEach(function (c) { if (better(c, best)) { best = c; } });
        // moved once more: only the least covered ones, so crowded spots stay quick
        tried = next.sort(compare).slice(0, 12);
      }
      return best;
    }
    var best = search(others.concat(counts), stones);
    if (best.cut > 0 && t.options.geoOnRings && bubbles.length) {
      // a name the medborgarlöfte names (Fjugesta centrum on a phone, bubbles all around it)
      // lies on a bubble's ring, as on a marker, rather than be hidden; never on its number
      var numbers = bubbles.map(function (s) {
        return s.number || (s.number = boxOf(s.text));
      });
      var onRing = search(others.concat(numbers), stones.concat(counts));
      if (onRing.cut === 0) { best = onRing; }
    }
    // cut off, on another name or on a count wherever it goes: not shown
    show(t, best);
    return best.cut > 0 ? null : best.box;
  }
  function leaderSvg() {
    // drawn in a pane of the map (it moves with a drag), over the areas and under the markers
    // and names (a bubble on the place hides the line's end, not its count); no Leaflet
    // layer, so drawing it sets off no placing
    if (leaders) { return leaders; }
    var pane = map.getPane('geoLeaders') || map.createPane('geoLeaders');
    pane.style.zIndex = 450;
    pane.style.pointerEvents = 'none';
    leaders = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    leaders.setAttribute('class', 'geo-leaders');
    leaders.setAttribute('width', '1');
    leaders.setAttribute('height', '1');
    leaders.style.position = 'absolute';
    leaders.style.overflow = 'visible';
    pane.appendChild(leaders);
    return leaders;
  }
  function drawLeaders(lines, frame) {
    // a name moved off its own point (around a bubble, past a road) is tied to it by a thin
    // line: set nearer another place's point than its own, it read as that place's name
    var svg = leaderSvg();
    var ends = lines.map(function (l) {
      return [map.containerPointToLayerPoint([l.from.x - frame.left, l.from.y - frame.top]),
              map.containerPointToLayerPoint([l.to.x - frame.left, l.to.y - frame.top])];
    });
    var key = JSON.stringify([ends, lines.map(function (l) { return l.name; })]);
    if (key === drawnLeaders) { return; }  // the same lines: nothing to draw
    drawnLeaders = key;
    while (svg.firstChild) { svg.removeChild(svg.firstChild); }
    lines.forEach(function (l, i) {
      var a = ends[i][0], b = ends[i][1];
      var line = document.createElementNS('http://www.w3.org/2000/svg', 'line');
      line.setAttribute('x1', a.x); line.setAttribute('y1', a.y);
      line.setAttribute('x2', b.x); line.setAttribute('y2', b.y);
      line.setAttribute('class', 'geo-leader');
      line.setAttribute('data-label', l.name);
      svg.appendChild(line);
    });
  }
  function declutter() {
    if (animating()) { return; }  // boxes are moving; 'moveend' or 'animationend' comes after
    if (pending !== null) { clearTimeout(pending); pending = null; }  // this one sees all
    var frame = boxOf(map.getContainer());
    var found = survey(frame);
    var controls = map.getContainer().querySelectorAll('.leaflet-control');
    var placed = Array.prototype.map.call(controls, boxOf);
    anchors = found.tips.map(function (t) { return anchorOf(t, frame); })
      .filter(function (a) { return a !== null; });
    var shown = [], lines = [], stale = false;
    found.tips.forEach(function (t) {
      var box = placeLabel(t, found.near, placed, frame);
      if (box) { placed.push(box); shown.push({tip: t, box: box}); }
    });
    // each shown label's words read back once all are written (one layout for them all): a
    // label not where its measured box said (its size changed since: a late font, larger
    // text) is measured anew at a placing right after, and its leader drawn to where it is
    shown.forEach(function (s) {
      var t = s.tip, box = boxOf(wordsOf(t));
      if (['left', 'right', 'top', 'bottom'].some(function (k) {
        return Math.abs(box[k] - s.box[k]) > 1;
      })) {
        delete measured[L.stamp(t)];
        stale = true;
      }
      var own = anchorOf(t, frame);
      if (own && gap(box, own) > (t._geoHomeGap || 0) + LEADER) {  // to the words' nearest point
        lines.push({name: t._container.textContent, from: own,
                    to: {x: Math.min(Math.max(own.x, box.left), box.right),
                         y: Math.min(Math.max(own.y, box.top), box.bottom)}});
      }
    });
    drawLeaders(lines, frame);
    map._geoLabelsPlacedAt = performance.now();  // a test waits for a placing after a move
    if (stale && !remeasuring) {  // once: a box that moves on its own is not chased
      remeasuring = true;
      map._geoLabelsRemeasured = (map._geoLabelsRemeasured || 0) + 1;
      declutter();
      remeasuring = false;
    }
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
  function anew() { measured = {}; soon(); }  // the labels' sizes may have changed
  map.whenReady(soon);
  window.addEventListener('load', anew);  // every layer added, styles applied
  if (document.fonts && document.fonts.ready) { document.fonts.ready.then(anew); }
  map.on('moveend overlayadd overlayremove', declutter);
  map.on('movestart zoomstart', function () { map._geoLabelsMovedAt = performance.now(); });
  map.on('layeradd layerremove', function (e) {
    watch(e.layer);
    if (e.layer instanceof L.Marker || e.layer instanceof L.CircleMarker
        || (e.layer instanceof L.Polyline && e.layer.options.geoObstacle)) { once(); }
  });
  ['transitionend', 'transitioncancel'].forEach(function (type) {  // a bubble came to rest
    map.getPane('markerPane').addEventListener(type, once);
  });
  return declutter;
}
