/* The map page: existing spots, "Markera plats"/"Markera sträcka", the form, place search. */
"use strict";

const map = L.map("karta", { zoomControl: true }).setView([59.17, 15.03], 11);
/* The shown spots on the map, by keyboard too, as the maps' points are (/mapkeys.js, the
   maps' own script): one tab stop, the arrow keys from spot to spot over every shown spot
   (one out of view is brought into it), Enter opens a spot's popup with the focus in it and
   Escape comes back; each a button named in the list's words (spotName) and "3 av 12". */
let spotsShown = null;  /* the group of spots on the map */
const redrawSpots = geoKeyPoints(map, {
  each: (fn) => { if (spotsShown) spotsShown.eachLayer(fn); },
  name: (layer) => spotName(layer.feature),
  key: (layer) => layer.feature.id,  /* the same spot when the spots are drawn anew */
  all: true,
  help: "markeringhjalp",
});
/* `group` (an L.GeoJSON of spots) on the map in place of the last; the focus stays on its spot */
const showSpots = (group) => redrawSpots(() => {
  if (spotsShown) map.removeLayer(spotsShown);
  spotsShown = group.addTo(map);
});
let drawn = null;
let drawer = null;

let spotsData = null;  /* the last /api/spots answer, drawn again when "Visa avslutade" changes */

async function loadSpots() {
  let r;
  try {
    r = await fetch("/api/spots", { credentials: "same-origin" });
  } catch (e) {
    window.addEventListener("online", loadSpots, { once: true });
    return;
  }
  if (!r.ok) return;
  spotsData = await r.json();
  drawSpots();
}

/* the open problems; the closed ones (solved, rejected) when asked for (a kommun officer's
   review: a rejected duplicate stayed on the map with the rest); open as geo.spots.OPEN_STATUSES */
function drawSpots() {
  if (!spotsData) return;
  const isOpen = (f) => CFG.open_statuses.includes(f.properties.status);
  const closed = spotsData.features.filter((f) => !isOpen(f));
  const shown = document.getElementById("visa-avslutade").checked
    ? spotsData.features
    : spotsData.features.filter(isOpen);
  showSpots(spotLayer({ ...spotsData, features: shown }));
  document.getElementById("karta").dataset.antal = String(spotsData.features.length);
  document.getElementById("karta").dataset.visade = String(shown.length);
  document.getElementById("antal-avslutade").textContent = `(${closed.length})`;
}
document.getElementById("visa-avslutade").addEventListener("change", drawSpots);
document.querySelectorAll(".fargprov").forEach((e) => {
  e.style.background = STATUS_COLOURS[e.dataset.status] || "#333";
});

let background = null;  /* /api/background: the kommun and its 500 m margin ("area") */
addBackground(map).then((bg) => { background = bg; loadSpots(); });

/* Does the point (lon, lat) lie in a GeoJSON (Multi)Polygon collection? Even-odd rays over
   every ring, so a hole is outside. */
function insideArea(collection, lon, lat) {
  const polygons = [];
  for (const f of collection.features || []) {
    if (f.geometry.type === "Polygon") polygons.push(f.geometry.coordinates);
    else if (f.geometry.type === "MultiPolygon") polygons.push(...f.geometry.coordinates);
  }
  return polygons.some((rings) => {
    let inside = false;
    for (const ring of rings) {
      for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
        const [xi, yi] = ring[i];
        const [xj, yj] = ring[j];
        if ((yi > lat) !== (yj > lat) && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
      }
    }
    return inside;
  });
}

/* "Min position": the browser's position (Geolocation API) centres the map, drawn with its
   accuracy as a circle, and for a kommun editor becomes the point to mark, which can be
   dragged until it is saved. The position stays in this page: it is tested against the
   kommun here and sent nowhere (not even to the place check) unless the report is saved. */
const POSITION_ROUGH_M = 100;
const POSITION_ERRORS = {
  1: "Webbläsaren fick inte använda din position. Tillåt platsåtkomst för den här sidan i webbläsarens inställningar och försök igen – eller markera platsen i kartan.",
  2: "Din position gick inte att bestämma just nu. Försök igen om en stund, gärna under bar himmel – eller markera platsen i kartan.",
  3: "Det tog för lång tid att få fram din position. Försök igen – eller markera platsen i kartan.",
};
let positionCircle = null;
let onPosition = null;  /* what the marking form does with a position inside the kommun */

/* Show `bounds`; Leaflet drops a new view while it animates a zoom (such as the first fit to
   the kommun), so wait for that zoom to end. */
function showBounds(bounds, options) {
  if (map._animatingZoom) map.once("zoomend", () => map.fitBounds(bounds, options));
  else map.fitBounds(bounds, options);
}

function clearPosition() {
  if (positionCircle) map.removeLayer(positionCircle);
  positionCircle = null;
}

function locate() {
  if (!window.isSecureContext) {
    setMessage("Din position kan bara hämtas när sidan öppnas med https://. Kommunens server måste använda HTTPS för att webbläsaren ska lämna ut positionen – kontakta den som sköter servern. Markera platsen i kartan så länge.", true);
    return;
  }
  if (!navigator.geolocation) {
    setMessage("Den här webbläsaren kan inte ge din position. Markera platsen i kartan.", true);
    return;
  }
  setMessage("Hämtar din position …");
  navigator.geolocation.getCurrentPosition((pos) => {
    const { latitude: lat, longitude: lon, accuracy } = pos.coords;
    const metres = Math.max(1, Math.round(accuracy));
    clearPosition();
    /* the accuracy as a circle, and a dot that stays visible when the map shows the kommun */
    positionCircle = L.featureGroup([
      L.circle([lat, lon], { radius: accuracy, color: "#1d70b8", weight: 2, fillOpacity: 0.12, interactive: false, className: "min-position" }),
      L.circleMarker([lat, lon], { radius: 6, color: "#fff", weight: 2, fillColor: "#1d70b8", fillOpacity: 1, interactive: false }),
    ]).addTo(map);
    const area = background && background.area;
    if (area && !insideArea(area, lon, lat)) {
      showBounds(L.geoJSON(area).getBounds().extend(positionCircle.getBounds()), { padding: [8, 8] });
      setMessage(`Du är utanför ${CFG.kommun}s kommun (position ungefär ±${metres} m), så ingen punkt läggs ut. Markera platsen i kartan i stället.`, true);
      map.getContainer().scrollIntoView({ block: "end" });  /* the message lies just above */
      return;
    }
    showBounds(positionCircle.getBounds(), { maxZoom: 17 });
    const rough = accuracy > POSITION_ROUGH_M;
    const said = `Position ungefär ±${metres} m.` + (area ? "" : " (Kommungränsen är inte hämtad än; servern kontrollerar platsen när du sparar.)");
    if (onPosition && onPosition(L.latLng(lat, lon))) {
      setMessage(rough
        ? `${said} Det är osäkert: kontrollera punkten i kartan och dra den till rätt ställe innan du sparar.`
        : `${said} Punkten ligger där du står; dra den om den ska flyttas.`, rough);
      /* a rough point is checked on the map first (the message just above it), a good one
         goes on to the form like a tapped point */
      if (rough) map.getContainer().scrollIntoView({ block: "end" });
      else document.getElementById("category").focus();
    } else {
      setMessage(`${said} Kartan visar var du är.` + (rough ? " Det är osäkert; positionen kan ligga en bit bort." : ""), rough);
    }
  }, (err) => {
    setMessage(POSITION_ERRORS[err.code] || POSITION_ERRORS[2], true);
  }, { enableHighAccuracy: true, timeout: 20000, maximumAge: 0 });
}
document.getElementById("min-position").addEventListener("click", locate);

/* Place search over the names and aliases of data/platser: the keyboard's way to the place
   to mark. What it found is said to a screen reader too (#sokstatus, WCAG 4.1.3); a chosen
   place is shown and the focus goes on to "Markera plats" (the map for an account that does
   not mark): the chosen button goes away with the list, and the focus with it to the top of
   the page. */
const sok = document.getElementById("sok");
const sokresultat = document.getElementById("sokresultat");
const sokstatus = document.getElementById("sokstatus");
let sokTimer = null;
const sokSagt = (text) => { sokstatus.textContent = text; };
sok.addEventListener("input", () => {
  clearTimeout(sokTimer);
  sokTimer = setTimeout(async () => {
    sokresultat.replaceChildren();
    const q = sok.value.trim();
    if (!q) { sokSagt(""); return; }
    let r;
    try {
      r = await fetch(`/api/places?q=${encodeURIComponent(q)}`, { credentials: "same-origin" });
    } catch (e) {
      sokresultat.appendChild(el("li", "Ingen anslutning – sök igen senare."));
      sokSagt("Ingen anslutning – sök igen senare.");
      return;
    }
    if (!r.ok) return;
    const hits = await r.json();
    if (!hits.length) sokresultat.appendChild(el("li", "Ingen plats med det namnet."));
    sokSagt(hits.length
      ? `${hits.length} ${hits.length === 1 ? "plats" : "platser"} hittades; välj med Tab och Enter.`
      : "Ingen plats med det namnet.");
    for (const p of hits) {
      const li = el("li");
      const b = el("button", p.name);
      b.type = "button";
      b.addEventListener("click", () => {
        map.setView([p.lat, p.lon], 15);
        sokresultat.replaceChildren();
        const next = document.getElementById("markera-plats") || map.getContainer();
        next.focus();
        setMessage(`Kartan visar ${p.name}.` + (next.id === "markera-plats" && !TOUCH
          ? " Tryck Enter på Markera plats och sedan Enter i kartan för att markera dess mitt (flytta den först med piltangenterna om det behövs)."
          : ""));
        sokSagt("");
      });
      li.appendChild(b);
      sokresultat.appendChild(li);
    }
  }, 200);
});

const form = document.getElementById("spotform");
if (form) {
  const kartan = map.getContainer();
  const startDraw = (kind) => {
    if (drawer) drawer.disable();
    drawer = kind === "plats"
      ? new L.Draw.Marker(map, { repeatMode: false })
      : new L.Draw.Polyline(map, { shapeOptions: { color: "#d7301f", weight: 6 } });
    drawer.enable();  /* Leaflet.draw moves the focus to the map */
    /* the keyboard's way is said where there is a keyboard (a phone's user has no arrow keys) */
    setMessage(kind === "plats"
      ? `${KLICKA} i kartan där problemet finns.` + (TOUCH ? "" : " Med tangentbordet: flytta kartan med piltangenterna och tryck Enter för att markera kartans mitt.")
      : `${KLICKA} längs vägen; avsluta med att ${KLICKA_INF} på sista punkten igen.` + (TOUCH ? "" : " Med tangentbordet: flytta kartan med piltangenterna, Enter lägger en punkt i kartans mitt, Enter igen på samma ställe avslutar."));
    /* on a phone the map lies below the buttons (and the message above): bring it up, or
       the finger finds no map */
    const top = kartan.getBoundingClientRect().top;
    if (top < 0 || top > window.innerHeight / 4) kartan.scrollIntoView({ block: "start" });
  };
  document.getElementById("markera-plats").addEventListener("click", () => startDraw("plats"));
  document.getElementById("markera-stracka").addEventListener("click", () => startDraw("stracka"));
  map.on(L.Draw.Event.DRAWSTART, () => kartan.classList.add("ritar"));
  map.on(L.Draw.Event.DRAWSTOP, () => kartan.classList.remove("ritar"));

  /* The keyboard's way to mark: the map's centre (the cross while marking). A stretch gets
     a point at the centre; the same point again finishes it. Without a stretch under way
     the centre becomes a point. */
  const markCentre = () => {
    const centre = map.getCenter();
    if (drawer && drawer.enabled() && drawer.type === L.Draw.Polyline.TYPE) {
      const points = drawer._markers || [];
      const last = points.length ? points[points.length - 1].getLatLng() : null;
      if (last && map.latLngToContainerPoint(last).distanceTo(map.latLngToContainerPoint(centre)) < 3) {
        drawer.completeShape();
      } else {
        drawer.addVertex(centre);
        setMessage(`Punkt ${points.length} lagd. Flytta kartan och tryck Enter för nästa punkt; Enter igen på samma ställe avslutar sträckan.`);
      }
      return;
    }
    if (drawer) drawer.disable();
    drawer = null;
    map.fire(L.Draw.Event.CREATED, { layer: L.marker(centre), layerType: "marker" });
  };
  kartan.addEventListener("keydown", (ev) => {
    if (ev.target !== kartan || !(ev.key === "Enter" || ev.key === " ")) return;
    if (!drawer || !drawer.enabled()) return;
    ev.preventDefault();
    markCentre();
  });
  document.getElementById("markera-mitten").addEventListener("click", markCentre);

  /* A position inside the kommun: a point to mark there, unless a stretch is being drawn
     (then the map only shows where the user is). */
  onPosition = (here) => {
    if (drawer && drawer.enabled() && drawer.type === L.Draw.Polyline.TYPE) return false;
    if (drawer) drawer.disable();
    drawer = null;
    const marker = L.marker(here, { draggable: true, title: "Din position – dra punkten om den ska flyttas" });
    marker.on("dragend", () => { form.dataset.geometry = JSON.stringify(marker.toGeoJSON().geometry); });
    map.fire(L.Draw.Event.CREATED, { layer: marker, layerType: "marker", fromPosition: true });
    return true;
  };

  map.on(L.Draw.Event.CREATED, async (e) => {
    if (form.dataset.pending) {  /* the last report waits in the outbox: this is a new one */
      form.dataset.pending = "";
      form.reset();
    }
    if (drawn) map.removeLayer(drawn);
    if (!e.fromPosition) clearPosition();
    drawn = e.layer.addTo(map);
    form.hidden = false;
    form.dataset.geometry = JSON.stringify(drawn.toGeoJSON().geometry);
    showErrors(form, {});
    setMessage("");
    const tips = document.getElementById("tips");
    tips.replaceChildren();
    /* the user's own position is not sent to the check: the server checks it on saving */
    if (e.fromPosition) return;
    try {
      const r = await fetch("/api/spots/check", {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": CFG.csrf },
        body: JSON.stringify({ geometry: JSON.parse(form.dataset.geometry) }),
      });
      const data = await r.json();
      if (r.status === 422) showErrors(form, data.errors);
      for (const h of data.hints || []) tips.appendChild(el("li", h));
    } catch (err) { /* offline: the server checks again when the report arrives */ }
    document.getElementById("category").focus();
  });

  document.getElementById("avbryt").addEventListener("click", () => {
    if (drawn) map.removeLayer(drawn);
    drawn = null;
    clearPosition();
    form.reset();
    form.dataset.pending = "";
    form.dataset.mending = "";  /* a refused report stays in its list */
    showErrors(form, {});
    form.hidden = true;
    document.getElementById("markera-plats").focus();
  });

  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    if (!form.dataset.geometry) { showErrors(form, { geometry: "Markera en plats eller en sträcka på kartan." }); return; }
    const fd = new FormData(form);
    const body = {
      geometry: JSON.parse(form.dataset.geometry),
      category: fd.get("category"),
      weekdays: fd.getAll("weekdays").map(Number),
      time_bands: fd.getAll("time_bands"),
      since: fd.get("since") || null,
      description: fd.get("description"),
      unit: fd.get("unit"),
    };
    queueReport(form, "spot", (id) => `/api/spots/${id}`, body);
  });

  document.addEventListener("utkorg:klar", (e) => {
    if (e.detail.item.kind !== "spot") return;
    if (form.dataset.pending === e.detail.item.id) {
      form.dataset.pending = "";
      if (drawn) map.removeLayer(drawn);
      drawn = null;
      clearPosition();
      form.reset();
      showErrors(form, {});
      form.dataset.geometry = "";
      const inForm = form.contains(document.activeElement);
      form.hidden = true;
      if (inForm) document.getElementById("markera-plats").focus();  /* the form is gone */
      const hints = (e.detail.data.hints || []).join(" ");
      setMessage(`Sparad. ${hints}`.trim());
    } else {
      setMessage("En rapport som väntade har nu skickats.");
    }
    loadSpots();
  });

  document.addEventListener("utkorg:avvisad", (e) => {
    if (e.detail.item.kind !== "spot") return;
    const errors = (e.detail.data && e.detail.data.errors) || {};
    if (form.dataset.pending === e.detail.item.id) {
      e.preventDefault();  /* the form still holds it: mended right here */
      form.dataset.pending = "";
      showErrors(form, errors);
      setMessage("Markeringen sparades inte – rätta fälten och spara igen.", true);
    } else {
      setMessage("En väntande markering avvisades av servern. Den finns kvar överst på sidan – rätta den och skicka igen.", true);
    }
  });

  /* a refused report back in the form: its place on the map, its fields and the messages */
  Refused.mend.spot = (item) => {
    if (drawer) drawer.disable();
    drawer = null;
    if (drawn) map.removeLayer(drawn);
    clearPosition();
    drawn = L.geoJSON(item.body.geometry, { style: { color: "#d7301f", weight: 6 } }).addTo(map);
    showBounds(drawn.getBounds(), { maxZoom: 16 });
    form.dataset.geometry = JSON.stringify(item.body.geometry);
    document.getElementById("tips").replaceChildren();
    mendInForm(form, item);
  };
}
