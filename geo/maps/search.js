/* The maps' place search (leaflet-search) for a screen reader and the keyboard (Trygghetskartan).

   geoPlaceSearchAria(ctl), on the control once it is on the map, makes its box and its hits a
   combobox with a list box (WAI-ARIA 1.2): the plugin's box was an <input role="search"> (a
   landmark's role, not a field's) named only by its placeholder, its hits a plain <ul>, and
   which hit the arrow keys had chosen was only a colour. Now the box is a "Sök plats"
   combobox that says whether its list is open (aria-expanded) and which hit is chosen
   (aria-activedescendant; the hit aria-selected), the hits are options of the list box
   "Platser som hittades", and a status line says how many were found (or none) and which place
   the map shows (WCAG 4.1.2, 4.1.3). The keys are the plugin's: the arrows walk the hits
   (up from the first goes back to the typed text), Enter chooses; Escape empties the box and
   keeps the focus in it (the plugin also took the focus away, to the page's start). */
function geoPlaceSearchAria(ctl) {
  var input = ctl._input, list = ctl._tooltip;
  var status = L.DomUtil.create('span', 'geo-sr-only', ctl._container);
  status.setAttribute('role', 'status');
  ctl._container.setAttribute('role', 'search');
  input.setAttribute('role', 'combobox');
  input.setAttribute('aria-label', 'Sök plats');
  input.setAttribute('aria-autocomplete', 'list');
  input.setAttribute('aria-expanded', 'false');
  list.id = input.id + '-traffar';
  list.setAttribute('role', 'listbox');
  list.setAttribute('aria-label', 'Platser som hittades');
  input.setAttribute('aria-controls', list.id);
  ctl._cancel.setAttribute('aria-label', ctl.options.textCancel);

  function markChosen() {
    var tips = list.children, at = list.currentSelection;
    for (var i = 0; i < tips.length; i++) tips[i].setAttribute('aria-selected', String(i === at));
    if (at >= 0 && tips[at]) input.setAttribute('aria-activedescendant', tips[at].id);
    else input.removeAttribute('aria-activedescendant');
  }

  var show = ctl.showTooltip;
  ctl.showTooltip = function (records) {
    var n = show.call(this, records);
    Array.prototype.forEach.call(list.children, function (tip, i) {
      tip.id = list.id + '-' + i;
      tip.setAttribute('role', 'option');
    });
    input.setAttribute('aria-expanded', String(n > 0));
    markChosen();
    status.textContent = n === 0 ? ctl.options.textErr
      : (n === 1 ? '1 plats hittades' : n + ' platser hittades') +
        ', välj med pil upp och ned och Enter';
    return n;
  };
  var hide = ctl._hideTooltip;
  ctl._hideTooltip = function () {
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
    return hide.call(this);
  };
  var arrow = ctl._handleArrowSelect;
  ctl._handleArrowSelect = function (velocity) {
    arrow.call(this, velocity);
    markChosen();
  };
  var alert = ctl.showAlert;
  ctl.showAlert = function (text) {
    status.textContent = text || ctl.options.textErr;
    return alert.call(this, text);
  };
  ctl.on('search:locationfound', function (e) { status.textContent = 'Visar ' + e.text; });
  ctl.collapse = function () {  // Escape
    this.hideAlert();
    this.cancel();  // empties the box, closes the hits, the focus in the box
    status.textContent = '';
    return this.fire('search:collapsed');
  };
}
