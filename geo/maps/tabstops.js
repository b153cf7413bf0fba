/* Trygghetskartan: lines that only name themselves on hover are no tab stops.
 *
 * Leaflet listens for the focus of a line with a hover tooltip (a road's name, the kommun's
 * boundary), and Chromium then makes the SVG line a tab stop of its own: 44 road pieces
 * without a name to read stood between the lägesbild's bubbles and the zoom buttons. They do
 * nothing a keyboard user can act on, so each is taken out of the tab order (tabindex -1)
 * when it is drawn; a feature with a popup stays where the popup can be opened.
 * Inlined by geo.maps.base.finish_map; geoLinesOutOfTabOrder(map) is called with the map.
 */
function geoLinesOutOfTabOrder(map) {
  function quiet(layer) {
    var popup = layer.getPopup && layer.getPopup();
    if (layer._path && layer.getTooltip && layer.getTooltip() && !popup) {
      layer._path.setAttribute('tabindex', '-1');
    }
  }
  map.eachLayer(quiet);
  map.on('layeradd', function (e) { quiet(e.layer); });
}
