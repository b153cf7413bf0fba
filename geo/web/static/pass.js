/* The pass page: tick planned stops to fill the form, log a pass, correct or remove one's own. */
"use strict";

const passform = document.getElementById("passform");
const WEEK = document.querySelector(".pass").dataset.vecka;

/* the names of the control counts' fields (the form lists them) */
const COUNTS = passform ? [...passform.querySelectorAll("#pass-antal input")].map((c) => c.name) : [];

/* the form's body as the API takes it: a pass past midnight gets its end date in `end`; a
   cancelled pass sends no end and no counts (hidden, they may still hold what was typed) */
function passBody(form) {
  const fd = new FormData(form);
  const cancelled = String(fd.get("cancelled") || "");
  const endDate = String(fd.get("end_date") || "");
  const end = cancelled ? "" : String(fd.get("end") || "");
  const body = {
    date: fd.get("date"),
    start: fd.get("start"),
    end: endDate && end ? `${endDate} ${end}` : end,
    places: fd.get("places"),
    activity: fd.get("activity"),
    results: fd.get("results"),
    cancelled,
    /* which time it was, when October's clock change repeats it (the form asked) */
    start_offset: String(fd.get("start_offset") || ""),
    end_offset: cancelled ? "" : String(fd.get("end_offset") || ""),
  };
  for (const name of COUNTS) body[name] = cancelled ? "" : String(fd.get(name) || "");
  return body;
}

/* a cancelled pass hides the end and the control results, and says what it counts */
function showCancelled() {
  passform.classList.toggle("installt", Boolean(passform.elements.cancelled.value));
}

/* the body's fields as the form holds them (the end's date in its own field) */
function formFields(body) {
  const end = String(body.end || "");
  const dated = end.includes(" ");
  return { ...body, end: dated ? end.split(" ").pop() : end, end_date: dated ? end.split(" ")[0] : "" };
}

/* A start or end October's clock change repeats (02:00–03:00 comes twice): its choice of the
   first or the second time shows when the server asks for it or one is chosen (a pass
   corrected), and the focus goes to the first field the server refused once it is shown. */
function showOffsets() {
  passform.querySelectorAll("fieldset.tidszon").forEach((f) => {
    f.hidden = !f.querySelector("[data-fel]").textContent && !f.querySelector("input:checked");
  });
  const first = passform.querySelector("[aria-invalid=true]");
  const focused = document.activeElement;
  if (first && first.type === "radio" && !(focused && focused.getAttribute("aria-invalid"))) first.focus();
}

function startEditing(id, heading) {
  passform.dataset.editing = id;
  document.getElementById("form-rubrik").textContent = heading;
  document.getElementById("avbryt-ratta").hidden = false;
}

function stopEditing() {
  passform.dataset.editing = "";
  document.getElementById("form-rubrik").textContent = "Logga ett pass";
  document.getElementById("avbryt-ratta").hidden = true;
}

/* the ticked stops fill the form with their trip: its day, its times from leaving the entry
   point to being back out (the minutes the löfte counts), its places and activities. A pass is
   one trip: ticking a stop of another trip unticks the stops of the first. */
function fillFromStops(ev) {
  const boxes = [...document.querySelectorAll("input[name=stopp]")];
  const changed = ev && ev.target;
  let unticked = 0;
  if (changed && changed.checked) {
    boxes.filter((c) => c.checked && c.dataset.trip !== changed.dataset.trip).forEach((c) => {
      c.checked = false;
      unticked += 1;
    });
  }
  const ticked = boxes.filter((c) => c.checked).map((c) => c.dataset);
  if (!ticked.length) return;
  ticked.sort((a, b) => `${a.date} ${a.start}`.localeCompare(`${b.date} ${b.start}`));
  const unique = (values) => [...new Set(values)].join("; ");
  const first = ticked[0];
  const last = ticked.reduce((a, b) => (`${a.tripEndDate || a.tripDate} ${a.tripEnd}` >= `${b.tripEndDate || b.tripDate} ${b.tripEnd}` ? a : b));
  const endDate = last.tripEndDate || last.tripDate;
  fillForm(passform, {
    date: first.tripDate,
    start: first.tripStart,
    end: last.tripEnd,
    end_date: endDate !== first.tripDate ? endDate : "",
    places: unique(ticked.map((s) => s.place)),
    activity: unique(ticked.map((s) => s.activity)),
  });
  const what = first.tripNumber ? `Tur ${first.tripNumber} (${ticked.length} stopp)` : `${ticked.length} stopp`;
  const other = unticked ? ` Stopp i en annan tur kryssades ur: logga varje tur som ett eget pass.` : "";
  setMessage(`${what} i formuläret: ${first.tripStart}–${last.tripEnd} – kontrollera tiderna och spara.${other}`);
}

if (passform) {
  document.querySelectorAll("input[name=stopp]").forEach((c) => c.addEventListener("change", fillFromStops));
  passform.elements.cancelled.addEventListener("change", showCancelled);
  passform.addEventListener("reset", () => setTimeout(() => { showCancelled(); showOffsets(); }));
  passform.addEventListener("submit", (ev) => {
    ev.preventDefault();
    showErrors(passform, {});
    queueReport(passform, "pass", (id) => `/api/pass/${id}`, passBody(passform), passform.dataset.editing || "");
  });
  document.getElementById("avbryt-ratta").addEventListener("click", () => {
    passform.reset();
    stopEditing();
    setMessage("");
  });
  document.addEventListener("utkorg:klar", (e) => {
    if (e.detail.item.kind !== "pass" || passform.dataset.pending !== e.detail.item.id) return;
    /* a pass that mends rows an import quarantined says so after the reload */
    const mended = (e.detail.data.mended || []).length;
    window.location.assign(`/pass?vecka=${encodeURIComponent(e.detail.data.week)}&sparad=1${mended ? `&rattade=${mended}` : ""}`);
  });
  document.addEventListener("utkorg:avvisad", (e) => {
    if (e.detail.item.kind !== "pass") return;
    refusedInForm(passform, e, "Passet sparades inte – rätta fälten och spara igen.", "Servern tog inte emot passet.");
    showOffsets();
  });
  Refused.mend.pass = (item) => {
    mendInForm(passform, { ...item, body: formFields(item.body) });
    showCancelled();
    showOffsets();
    startEditing(item.id, "Rätta passet och spara igen");
  };
  document.querySelectorAll("button.ratta").forEach((b) => b.addEventListener("click", () => {
    const d = b.dataset;
    passform.reset();
    showErrors(passform, {});
    fillForm(passform, {
      date: d.date, start: d.start, end: d.end, end_date: d.endDate,
      places: d.places, activity: d.activity, results: d.results,
      cancelled: d.cancelled, start_offset: d.startOffset, end_offset: d.endOffset,
      ...JSON.parse(d.counts || "{}"),
    });
    showCancelled();
    showOffsets();
    startEditing(d.pass, "Rätta passet");
    passform.scrollIntoView({ block: "start" });
    document.getElementById("pass-date").focus();
    setMessage("Passet är i formuläret: ändra och spara.");
  }));
  document.querySelectorAll("button.ta-bort").forEach((b) => b.addEventListener("click", async () => {
    if (!window.confirm("Ta bort passet? Dess minuter räknas inte längre.")) return;
    let r;
    try {
      r = await fetch(`/api/pass/${encodeURIComponent(b.dataset.pass)}`, {
        method: "DELETE",
        credentials: "same-origin",
        headers: { "X-CSRF-Token": CFG.csrf },
      });
    } catch (err) {
      setMessage("Ingen anslutning just nu – försök igen när anslutningen finns.", true);
      return;
    }
    if (r.ok) window.location.assign(`/pass?vecka=${encodeURIComponent(WEEK)}`);
    else setMessage((await r.json().catch(() => ({}))).detail || "Passet kunde inte tas bort.", true);
  }));
}
