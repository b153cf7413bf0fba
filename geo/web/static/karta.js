/* The map page: existing spots, "Markera plats"/"Markera sträcka", the form, place search. */
"use strict";

const map = L.map("karta", { zoomControl: true }).setView([59.17, 15.03], 11);
let spotsLayer = null;
let drawn = null;
let drawer = null;

async function loadSpots() {
  let r;
  try {
    r = await fetch("/api/spots", { credentials: "same-origin" });
  } catch (e) {
    window.addEventListener("online", loadSpots, { once: true });
    return;
  }
  if (!r.ok) return;
  const data = await r.json();
  if (spotsLayer) map.removeLayer(spotsLayer);
  spotsLayer = spotLayer(data).addTo(map);
  document.getElementById("karta").dataset.antal = String(data.features.length);
}

addBackground(map).then(loadSpots);

/* Place search over the names and aliases of data/platser. */
const sok = document.getElementById("sok");
const sokresultat = document.getElementById("sokresultat");
let sokTimer = null;
sok.addEventListener("input", () => {
  clearTimeout(sokTimer);
  sokTimer = setTimeout(async () => {
    sokresultat.replaceChildren();
    const q = sok.value.trim();
    if (!q) return;
    let r;
    try {
      r = await fetch(`/api/places?q=${encodeURIComponent(q)}`, { credentials: "same-origin" });
    } catch (e) { sokresultat.appendChild(el("li", "Ingen anslutning – sök igen senare.")); return; }
    if (!r.ok) return;
    const hits = await r.json();
    if (!hits.length) sokresultat.appendChild(el("li", "Ingen plats med det namnet."));
    for (const p of hits) {
      const li = el("li");
      const b = el("button", p.name);
      b.type = "button";
      b.addEventListener("click", () => { map.setView([p.lat, p.lon], 15); sokresultat.replaceChildren(); });
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
    setMessage(kind === "plats"
      ? `${KLICKA} i kartan där problemet finns. Med tangentbordet: flytta kartan med piltangenterna och tryck Enter för att markera kartans mitt.`
      : `${KLICKA} längs vägen; avsluta med att ${KLICKA_INF} på sista punkten igen. Med tangentbordet: flytta kartan med piltangenterna, Enter lägger en punkt i kartans mitt, Enter igen på samma ställe avslutar.`);
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

  map.on(L.Draw.Event.CREATED, async (e) => {
    if (form.dataset.pending) {  /* the last report waits in the outbox: this is a new one */
      form.dataset.pending = "";
      form.reset();
    }
    if (drawn) map.removeLayer(drawn);
    drawn = e.layer.addTo(map);
    form.hidden = false;
    form.dataset.geometry = JSON.stringify(drawn.toGeoJSON().geometry);
    showErrors(form, {});
    setMessage("");
    const tips = document.getElementById("tips");
    tips.replaceChildren();
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
    form.reset();
    form.dataset.pending = "";
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
      form.dataset.pending = "";
      showErrors(form, errors);
      setMessage("Markeringen sparades inte – rätta fälten och spara igen.", true);
    } else {
      setMessage(`En väntande markering avvisades: ${Object.values(errors).join(" ") || e.detail.data.detail || ""}`, true);
    }
  });
}
