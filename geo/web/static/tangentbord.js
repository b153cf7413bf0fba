/* The marked spots drawn on the map, reached and opened with the keyboard (WCAG 2.1.1).
   Leaflet draws a spot as an SVG shape with no tab stop. Here the shown spots are one tab
   stop together (a roving tabindex; a stop each would be tens or hundreds of Tabs between
   the map and its zoom buttons): Tab reaches one spot (the one last visited while it is in
   the map's view, else the first in view), the arrow keys go to the next and the previous
   one from north to south (Home, End: the first and the last) and bring it into view, Enter
   or Space opens its popup as a click does, with the focus in it, and Escape closes the
   popup and puts the focus back on the spot. Each is a button named in the list's words and
   "3 av 12". A mouse uses them as before. */
"use strict";

/* The arrow keys' steps through the spots, in their order. */
const SPOT_STEPS = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 };
/* the pages' focus colour (app.css :focus-visible) and its width around a spot, in px */
const FOCUS_COLOUR = "#1d3557";
const FOCUS_WIDTH = 5;

/* The focused spot drawn again on top of the others over a wider line in the focus colour,
   which shows as a ring around a circle and along a stretch: an outline around an SVG shape
   is only its box (a line along a level stretch), and a spot under another is hidden. */
function focusRing(map, layer) {
  const pane = "fokus";
  if (!map.getPane(pane)) map.createPane(pane).style.zIndex = 450;  /* over the spots */
  /* the spot's own look; not in the way of the place names (labels.js) */
  const own = { ...layer.options, pane, interactive: false, geoObstacle: false };
  const ring = { ...own, fill: false, color: FOCUS_COLOUR, opacity: 1, weight: own.weight + 2 * FOCUS_WIDTH, className: "fokusring" };
  const copy = (options) => (layer.getLatLng
    ? L.circleMarker(layer.getLatLng(), options)
    : L.polyline(layer.getLatLngs(), options));
  return L.layerGroup([copy(ring), copy(own)]).addTo(map);
}

/* Keyboard access to the spots on `map`; `helpId` names the element that says the keys.
   Returns `show(group)`, which puts an L.GeoJSON of spots on the map in place of the last
   one (the tab stop, and the focus, stay on the same spot when the spots are drawn again). */
function spotsByKeyboard(map, helpId) {
  let shown = null;     /* the group on the map */
  let spots = [];       /* {layer, el, at, id} from north to south, then west to east */
  let stopId = null;    /* the spot that is the tab stop */
  let fromKeys = null;  /* the spot whose popup the keyboard opened */
  let ring = null;      /* the focused spot's ring (focusRing) */
  const unring = () => { if (ring) map.removeLayer(ring); ring = null; };

  /* a point, or a stretch's middle, in the map's view */
  const inView = (s) => map.getBounds().contains(s.at);
  /* a spot out of view to the map's middle; one by its edge in a little */
  const bring = (s) => {
    if (inView(s)) map.panInside(s.at, { padding: [40, 40] });
    else map.panTo(s.at);
  };
  const focused = () => spots.find((s) => s.el === document.activeElement);
  const setStop = (s) => {
    stopId = s ? s.id : null;
    for (const t of spots) t.el.setAttribute("tabindex", t === s ? "0" : "-1");
  };
  /* the spot to reach with Tab: the same as before while it is in view, else the first in
     view (the map was moved), else the first of all */
  const chooseStop = () => {
    const kept = spots.find((s) => s.id === stopId);
    setStop(kept && inView(kept) ? kept : spots.find(inView) || spots[0]);
  };
  const focusPopup = (popup) => popup.getElement().querySelector(".popup").focus({ preventScroll: true });
  const go = (s) => {
    setStop(s);
    bring(s);
    s.el.focus({ preventScroll: true });  /* the map is moved, not the page inside it */
  };

  map.on("moveend", () => { if (!focused()) chooseStop(); });
  /* Escape in a spot's popup or on the spot closes it; the focus goes back to the spot
     (the map's own Escape works only while the map itself has the focus) */
  document.addEventListener("keydown", (ev) => {
    if (ev.key !== "Escape") return;
    const s = spots.find((t) => t.layer.isPopupOpen());
    if (!s || !(ev.target === s.el || s.layer.getPopup().getElement().contains(ev.target))) return;
    ev.preventDefault();
    s.layer.closePopup();
    s.el.focus({ preventScroll: true });
    /* this Escape was the popup's: its keyup does not cancel a marking under way too
       (Leaflet.draw cancels on an Escape keyup anywhere in the map) */
    window.addEventListener("keyup", (up) => { if (up.key === "Escape") up.stopPropagation(); }, { capture: true, once: true });
  });

  return (group) => {
    const had = focused();
    unring();
    if (shown) map.removeLayer(shown);
    shown = group.addTo(map);
    spots = [];
    group.eachLayer((layer) => {
      const el = layer.getElement && layer.getElement();
      if (!el) return;
      const s = { layer, el, at: layer.getLatLng ? layer.getLatLng() : layer.getCenter(), id: layer.feature.id };
      spots.push(s);
      el.setAttribute("role", "button");
      el.setAttribute("aria-haspopup", "dialog");
      el.setAttribute("aria-expanded", "false");
      el.setAttribute("aria-describedby", helpId);
      /* a click does not take the focus from the map (its arrow keys still move the map) */
      el.addEventListener("mousedown", (ev) => ev.preventDefault());
      el.addEventListener("keydown", (ev) => {
        if (ev.altKey || ev.ctrlKey || ev.metaKey) return;
        if (ev.key === "Enter" || ev.key === " ") {
          ev.preventDefault();
          fromKeys = s;
          if (layer.isPopupOpen()) focusPopup(layer.getPopup());  /* a click opened it */
          else layer.openPopup();
        } else if (ev.key in SPOT_STEPS || ev.key === "Home" || ev.key === "End") {
          ev.preventDefault();
          const i = spots.indexOf(s);
          const next = ev.key === "Home" ? spots[0]
            : ev.key === "End" ? spots[spots.length - 1] : spots[i + SPOT_STEPS[ev.key]];
          if (next) go(next);  /* past the first or the last the focus stays */
        }
      });
      el.addEventListener("focus", () => {
        setStop(s);
        if (!inView(s)) bring(s);  /* Tab to a spot out of view: no spot is in view */
        unring();
        ring = focusRing(map, layer);
      });
      el.addEventListener("blur", unring);
      layer.on("popupopen", (e) => {
        el.setAttribute("aria-expanded", "true");
        if (fromKeys === s) focusPopup(e.popup);
      });
      layer.on("popupclose", (e) => {
        el.setAttribute("aria-expanded", "false");
        if (fromKeys !== s) return;
        fromKeys = null;
        /* closed from inside (its close button, Escape): back to the spot, not to the page's top */
        const at = document.activeElement;
        if ((!at || at === document.body || e.popup.getElement().contains(at)) && el.isConnected) {
          el.focus({ preventScroll: true });
        }
      });
    });
    spots.sort((a, b) => b.at.lat - a.at.lat || a.at.lng - b.at.lng);
    spots.forEach((s, i) => {
      s.el.setAttribute("aria-label", `${spotName(s.layer.feature)} (${i + 1} av ${spots.length})`);
    });
    chooseStop();
    if (had) {  /* drawn again under the focus: the same spot keeps it */
      const same = spots.find((s) => s.id === had.id);
      if (same) same.el.focus({ preventScroll: true });
    }
    return group;
  };
}
