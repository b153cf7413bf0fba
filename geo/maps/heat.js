/* The heat map weighs a cell's events in full at every zoom.
 *
 * Leaflet.heat divides each weight by 2 for every zoom level below its maxZoom option (the
 * map's 18 by default): at the kommun's zoom every cell fell below the least opacity, and the
 * map showed where events were, not how many (Fjugesta centrum as pale as one farm). The
 * option cannot just be set lower: the layer list disables a layer zoomed in past its
 * maxZoom. So it is the current zoom while the layer draws, and its own value otherwise.
 */
function geoHeatAtEveryZoom(layer) {
  var draw = layer._redraw;
  layer._redraw = function () {
    var own = this.options.maxZoom;
    this.options.maxZoom = this._map.getZoom();
    try {
      draw.call(this);
    } finally {
      this.options.maxZoom = own;
    }
  };
}
