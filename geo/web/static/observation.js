/* The EST observation form: category, place (name or map click), time, description. */
"use strict";

const map = L.map("karta").setView([59.17, 15.03], 11);
addBackground(map);
const obsform = document.getElementById("obsform");
let point = null;
let marker = null;

function nowLocal() {
  const d = new Date();
  d.setMinutes(d.getMinutes() - d.getTimezoneOffset());
  return d.toISOString().slice(0, 16);
}

if (obsform) {
  document.getElementById("obs-when").value = nowLocal();
  map.on("click", (e) => {
    point = { type: "Point", coordinates: [e.latlng.lng, e.latlng.lat] };
    if (marker) map.removeLayer(marker);
    marker = L.marker(e.latlng).addTo(map);
    document.getElementById("obs-place").value = "";
    setMessage("Plats vald i kartan.");
  });
  document.getElementById("obs-place").addEventListener("input", () => {
    if (marker) map.removeLayer(marker);
    marker = null;
    point = null;
  });
  obsform.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const fd = new FormData(obsform);
    const body = {
      category: fd.get("category"),
      place: fd.get("place"),
      geometry: point,
      occurred_at: fd.get("occurred_at"),
      description: fd.get("description"),
    };
    queueReport(obsform, "observation", (id) => `/api/observations/${id}`, body);
  });
  document.addEventListener("utkorg:klar", (e) => {
    if (e.detail.item.kind !== "observation") return;
    showErrors(obsform, {});
    if (obsform.dataset.pending === e.detail.item.id) {
      obsform.reset();
      document.getElementById("obs-when").value = nowLocal();
      if (marker) map.removeLayer(marker);
      marker = null; point = null;
    }
    setMessage("Observationen är mottagen. Tack!");
  });
  document.addEventListener("utkorg:avvisad", (e) => {
    if (e.detail.item.kind !== "observation" || obsform.dataset.pending !== e.detail.item.id) return;
    e.preventDefault();  /* the form still holds it: mended right here */
    obsform.dataset.pending = "";
    showErrors(obsform, (e.detail.data && e.detail.data.errors) || {});
    setMessage("Observationen sparades inte – rätta fälten och skicka igen.", true);
  });
  Refused.mend.observation = (item) => {
    if (marker) map.removeLayer(marker);
    marker = null;
    point = item.body.geometry || null;
    mendInForm(obsform, item);
    if (point) marker = L.marker([point.coordinates[1], point.coordinates[0]]).addTo(map);
  };
}
