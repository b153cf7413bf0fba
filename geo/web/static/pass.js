/* The pass page: tick planned stops to fill the form, log a pass, correct or remove one's own. */
"use strict";

const passform = document.getElementById("passform");
const WEEK = document.querySelector(".pass").dataset.vecka;

/* the form's body as the API takes it: a pass past midnight gets its end date in `end` */
function passBody(form) {
  const fd = new FormData(form);
  const endDate = String(fd.get("end_date") || "");
  const end = String(fd.get("end") || "");
  return {
    date: fd.get("date"),
    start: fd.get("start"),
    end: endDate && end ? `${endDate} ${end}` : end,
    places: fd.get("places"),
    activity: fd.get("activity"),
    results: fd.get("results"),
  };
}

/* the body's fields as the form holds them (the end's date in its own field) */
function formFields(body) {
  const end = String(body.end || "");
  const dated = end.includes(" ");
  return { ...body, end: dated ? end.split(" ").pop() : end, end_date: dated ? end.split(" ")[0] : "" };
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

/* the ticked stops fill the form: their day, the first start, the last end, places and activities */
function fillFromStops() {
  const ticked = [...document.querySelectorAll("input[name=stopp]:checked")].map((c) => c.dataset);
  if (!ticked.length) return;
  ticked.sort((a, b) => `${a.date} ${a.start}`.localeCompare(`${b.date} ${b.start}`));
  const unique = (values) => [...new Set(values)].join("; ");
  fillForm(passform, {
    date: ticked[0].date,
    start: ticked[0].start,
    end: ticked[ticked.length - 1].end,
    end_date: "",
    places: unique(ticked.map((s) => s.place)),
    activity: unique(ticked.map((s) => s.activity)),
  });
  setMessage(`${ticked.length} stopp ifyllda i formuläret – kontrollera tiderna och spara.`);
}

if (passform) {
  document.querySelectorAll("input[name=stopp]").forEach((c) => c.addEventListener("change", fillFromStops));
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
    window.location.assign(`/pass?vecka=${encodeURIComponent(e.detail.data.week)}&sparad=1`);
  });
  document.addEventListener("utkorg:avvisad", (e) => {
    if (e.detail.item.kind !== "pass") return;
    refusedInForm(passform, e, "Passet sparades inte – rätta fälten och spara igen.", "Servern tog inte emot passet.");
  });
  Refused.mend.pass = (item) => {
    mendInForm(passform, { ...item, body: formFields(item.body) });
    startEditing(item.id, "Rätta passet och spara igen");
  };
  document.querySelectorAll("button.ratta").forEach((b) => b.addEventListener("click", () => {
    const d = b.dataset;
    passform.reset();
    showErrors(passform, {});
    fillForm(passform, {
      date: d.date, start: d.start, end: d.end, end_date: d.endDate,
      places: d.places, activity: d.activity, results: d.results,
    });
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
