/* The activity page: an editor sets its organisation's times for a plan line in the month. */
"use strict";

const MONTH = document.querySelector(".aktiviteter").dataset.manad;

/* the outbox id of a line's entry: month, line and executor (a set, so a retry replaces it) */
function entryId(form) {
  return `${MONTH}/${form.dataset.aktivitet}/${form.dataset.utforare}`;
}

function formFor(id) {
  const [, aid, who] = id.split("/");
  return document.getElementById(`form-${aid}-${who}`);
}

document.querySelectorAll("form.aktivitetsform").forEach((form) => {
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    showErrors(form, {});
    const fd = new FormData(form);
    const body = { times: String(fd.get("times") || "").trim(), comment: fd.get("comment") || "" };
    queueReport(form, "aktivitet", (id) => `/api/aktiviteter/${id}`, body, entryId(form));
  });
});

document.addEventListener("utkorg:klar", (e) => {
  if (e.detail.item.kind !== "aktivitet") return;
  const form = formFor(e.detail.item.id);
  if (!form || form.dataset.pending !== e.detail.item.id) return;
  const logged = e.detail.data.logged;
  const saved = `${logged.activity_id} ${CFG.orgs[logged.executor]} ${logged.times}`;
  window.location.assign(`/aktiviteter?manad=${encodeURIComponent(MONTH)}&sparad=${encodeURIComponent(saved)}#rad-${logged.activity_id}`);
});

document.addEventListener("utkorg:avvisad", (e) => {
  if (e.detail.item.kind !== "aktivitet") return;
  const form = formFor(e.detail.item.id);
  if (form) refusedInForm(form, e, "Inte sparat – rätta det som står i rött och spara igen.", "Servern tog inte emot det.");
});

/* a refused entry of this month comes back to its form; one of another month opens that month */
Refused.mend.aktivitet = (item) => {
  if (!item.id.startsWith(`${MONTH}/`)) {
    window.location.assign(`/aktiviteter?manad=${encodeURIComponent(item.id.split("/")[0])}&ratta=${encodeURIComponent(item.id)}`);
    return;
  }
  const form = formFor(item.id);
  if (form) { mendInForm(form, item); form.scrollIntoView({ block: "center" }); }
};
