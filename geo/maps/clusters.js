/* Trygghetskartan: the lägesbild's marker-cluster bubbles, one per place for every theme.
 *
 * The incidents of each theme are a sub-group (Leaflet.FeatureGroup.SubGroup) of one
 * marker-cluster group, so the events of all the themes switched on cluster together and a
 * place has one bubble, not one per theme stacked on the same spot. geoClusterIcon(themes)
 * returns that group's iconCreateFunction: the bubble shows how many events it holds, inside a
 * ring split into the themes' shares in their colours (clockwise from the top, in the order
 * given), and names the counts, largest first, on hover: "23 händelser: 12 Trafik, 7 Narkotika
 * och alkohol, 4 Samverkan och övrigt" (mapkeys.js gives the bubble, a button, that name with
 * its place for a screen reader; the ring itself is hidden from one, which would read the name
 * twice). A marker's theme is the property t of its GeoJSON feature. Inlined by
 * geo.maps.lagesbild, styled by clusters.css.
 */
function geoClusterIcon(themes) {
  /* themes: [[id, Swedish name, CSS colour], ...] in the ring's order */
  function size(n) {  // px across: room for up to four digits inside the ring
    return n < 10 ? 34 : (n < 100 ? 40 : (n < 1000 ? 46 : 52));
  }
  return function (cluster) {
    var counts = {}, total = 0;
    cluster.getAllChildMarkers().forEach(function (m) {
      var t = m.feature && m.feature.properties.t;
      counts[t] = (counts[t] || 0) + 1;
      total += 1;
    });
    var arcs = [], parts = [], from = 0;
    themes.forEach(function (t) {
      var n = counts[t[0]] || 0;
      if (!n) { return; }
      var to = from + 360 * n / total;
      arcs.push(t[2] + ' ' + from.toFixed(2) + 'deg ' + to.toFixed(2) + 'deg');
      parts.push([n, t[1]]);
      from = to;
    });
    parts.sort(function (a, b) { return b[0] - a[0]; });  // stable: equal counts keep theme order
    var label = total + (total === 1 ? ' händelse: ' : ' händelser: ')
      + parts.map(function (p) { return p[0] + ' ' + p[1]; }).join(', ');
    var ring = document.createElement('div');
    ring.className = 'geo-ring';
    ring.style.backgroundImage = 'conic-gradient(' + arcs.join(', ') + ')';
    ring.setAttribute('aria-hidden', 'true');
    ring.title = label;
    ring.appendChild(document.createElement('span')).textContent = String(total);
    var px = size(total);
    return L.divIcon({html: ring, className: 'marker-cluster geo-cluster', iconSize: L.point(px, px)});
  };
}
