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
/* A point placed wrong is moved by dragging it while the form is open (a kommun officer's
   review: the only way was to reject the spot and mark it again); null: not moved. */
let moved = null;
if (redigera && feature.geometry.type === "Point") {
  const [lon, lat] = feature.geometry.coordinates;
  let pin = null;
  const hint = document.getElementById("flytta-hjalp");
  redigera.closest("details").addEventListener("toggle", (ev) => {
    if (!ev.target.open || pin) return;
    pin = L.marker([lat, lon], { draggable: true, title: "Dra för att flytta punkten" });
    miniReady.then(() => pin.addTo(mini));
    pin.on("dragend", () => { moved = pin.toGeoJSON().geometry; });
    if (hint) hint.hidden = false;
  });
}
if (redigera) {
  redigera.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const fd = new FormData(redigera);
    const body = {
      /* lon/lat where it was dragged to, else the stored point as stored */
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
