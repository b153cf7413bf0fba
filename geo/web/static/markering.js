/* The spot page: a small map of the spot and the status form. */
"use strict";

const feature = JSON.parse(document.getElementById("feature").textContent);
const mini = L.map("minikarta");
/* the map has its view once the background is drawn: nothing is added to it before */
const miniReady = addBackground(mini).then(() => {
  const layer = spotLayer({ type: "FeatureCollection", features: [feature] }).addTo(mini);
  mini.fitBounds(layer.getBounds(), { maxZoom: 15 });
});

const statusform = document.getElementById("statusform");
if (statusform) {
  statusform.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const fd = new FormData(statusform);
    const body = { status: fd.get("status"), owner: fd.get("owner"), comment: fd.get("comment") };
    let r;
    try {
      r = await fetch(`/api/spots/${encodeURIComponent(statusform.dataset.spot)}/status`, {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": CFG.csrf },
        body: JSON.stringify(body),
      });
    } catch (e) { setMessage("Ingen anslutning till servern; försök igen.", true); return; }
    const data = await r.json().catch(() => ({}));
    if (r.ok) { window.location.reload(); return; }
    if (r.status === 422) { showErrors(statusform, data.errors); return; }
    setMessage(data.detail || `Fel ${r.status}`, true);
  });
}

const redigera = document.getElementById("redigera");
/* A spot placed wrong is moved while the form is open: a point by dragging it, a stretch by
   dragging its corners (a kommun officer's review: the only way was to reject the spot and
   mark it again; a stretch could not be mended at all). null: not moved. */
let moved = null;
const kind = feature.geometry.type;
/* an arrow key's step on the screen, in px before its size */
const KEY_STEPS = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
if (redigera && (kind === "Point" || kind === "LineString")) {
  const hint = document.getElementById("flytta-hjalp");
  let started = false;
  redigera.closest("details").addEventListener("toggle", (ev) => {
    if (!ev.target.open || started) return;
    started = true;
    const corners = (kind === "Point" ? [feature.geometry.coordinates] : feature.geometry.coordinates)
      .map(([lon, lat]) => L.latLng(lat, lon));
    const line = kind === "LineString"
      ? L.polyline(corners, { color: "#045a8d", weight: 3, dashArray: "6 4", interactive: false })
      : null;
    const asGeometry = () => (kind === "Point"
      ? { type: "Point", coordinates: [corners[0].lng, corners[0].lat] }
      : { type: "LineString", coordinates: corners.map((c) => [c.lng, c.lat]) });
    const handles = corners.map((ll, i) => {
      const options = line
        ? { draggable: true, title: `Dra eller flytta med piltangenterna: sträckans punkt ${i + 1} av ${corners.length}`,
            icon: L.divIcon({ className: "hornpunkt", iconSize: [16, 16] }) }
        : { draggable: true, title: "Dra eller flytta med piltangenterna för att flytta punkten" };
      const handle = L.marker(ll, options);
      handle.on("drag", () => { corners[i] = handle.getLatLng(); if (line) line.setLatLngs(corners); });
      handle.on("dragend", () => { corners[i] = handle.getLatLng(); moved = asGeometry(); });
      /* the keyboard's way to drag (WCAG 2.1.1): Tab to the point, arrow keys move it 10 px
         (1 px with Shift); the map itself does not pan meanwhile */
      handle.on("add", () => {
        handle.getElement().addEventListener("keydown", (ev) => {
          const step = KEY_STEPS[ev.key];
          if (!step) return;
          ev.preventDefault();
          ev.stopPropagation();
          const size = ev.shiftKey ? 1 : 10;
          const at = mini.latLngToContainerPoint(handle.getLatLng()).add(L.point(step).multiplyBy(size));
          handle.setLatLng(mini.containerPointToLatLng(at));
          corners[i] = handle.getLatLng();
          if (line) line.setLatLngs(corners);
          moved = asGeometry();
        });
      });
      return handle;
    });
    miniReady.then(() => {
      if (line) line.addTo(mini);
      handles.forEach((h) => h.addTo(mini));
    });
    if (hint) hint.hidden = false;
  });
}
if (redigera) {
  redigera.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const fd = new FormData(redigera);
    const body = {
      /* lon/lat where it was dragged to, else the stored geometry as stored */
      geometry: moved || JSON.parse(document.getElementById("geom3006").textContent),
      crs: moved ? "EPSG:4326" : "EPSG:3006",
      category: fd.get("category"),
      weekdays: fd.getAll("weekdays").map(Number),
      time_bands: fd.getAll("time_bands"),
      since: fd.get("since") || null,
      description: fd.get("description"),
      unit: fd.get("unit"),
    };
    queueReport(redigera, "edit", () => `/api/spots/${encodeURIComponent(redigera.dataset.spot)}`, body);
  });
  document.addEventListener("utkorg:klar", (e) => {
    if (e.detail.item.id === redigera.dataset.pending) window.location.reload();
  });
  document.addEventListener("utkorg:avvisad", (e) => {
    if (e.detail.item.id !== redigera.dataset.pending) return;
    e.preventDefault();  /* the form still holds it: mended right here */
    redigera.dataset.pending = "";
    showErrors(redigera, (e.detail.data && e.detail.data.errors) || {});
    setMessage("Ändringen sparades inte – rätta fälten.", true);
  });
  Refused.mend.edit = (item) => {
    redigera.closest("details").open = true;
    mendInForm(redigera, item);
  };
}
