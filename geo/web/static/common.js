/* Shared code of the marking app: config, the localStorage outbox, safe text helpers. */
"use strict";

const CFG = JSON.parse(document.getElementById("cfg").textContent);
const OUTBOX_KEY = "geo-utkorg-v1";
/* The logged-in account (null on the login page). Every report in the outbox and in the
   refused list carries the account that wrote it (`user`): a phone shared in a patrol car
   sends, shows and mends only the reports of the account logged in on it. */
const ACCOUNT = CFG.user ? CFG.user.name : null;
const ownReport = (item) => ACCOUNT !== null && item.user === ACCOUNT;
L.Icon.Default.imagePath = "/vendor/leaflet/images/";

/* Leaflet and Leaflet.draw in Swedish: the zoom buttons, the popups' close button, the
   attribution and the tooltips while marking. */
L.Control.Zoom.prototype.options.zoomInTitle = "Zooma in";
L.Control.Zoom.prototype.options.zoomOutTitle = "Zooma ut";
L.Control.Attribution.prototype.options.prefix =
  '<a href="https://leafletjs.com" title="Ett JavaScript-bibliotek för interaktiva kartor">Leaflet</a>';
const leafletPopupLayout = L.Popup.prototype._initLayout;
L.Popup.include({
  _initLayout() {
    leafletPopupLayout.call(this);
    if (this._closeButton) {
      this._closeButton.setAttribute("aria-label", "Stäng");
      this._closeButton.title = "Stäng";
    }
  },
});
/* A Leaflet marker is a tab stop with role=button (its `keyboard` option). One with neither a
   title nor an image's alt text has no name to read out: Leaflet.draw's invisible marker
   that follows the mouse to catch clicks while marking (`leaflet-mouse-marker`) and a
   stretch's corners while it is drawn (axe: aria-command-name), the first a tab stop that
   shows nothing (WCAG 2.4.7). Enter on the map marks with the keyboard (karta.js), so such
   a marker is left out of the tab order and hidden from screen readers. An image marker
   says "Markerad plats" (Leaflet's own alt text is the English "Marker"). */
L.Marker.prototype.options.alt = "Markerad plats";
const leafletMarkerInitIcon = L.Marker.prototype._initIcon;
L.Marker.include({
  _initIcon() {
    leafletMarkerInitIcon.call(this);
    const icon = this._icon;
    if (icon && !this.options.title && icon.tagName !== "IMG" && !icon.getAttribute("aria-label")) {
      icon.removeAttribute("tabindex");
      icon.removeAttribute("role");
      icon.setAttribute("aria-hidden", "true");
    }
  },
});
/* A finger taps ("Tryck"), a mouse clicks ("Klicka"): every hint that speaks of the map
   says what the user does. Imperative and infinitive, as the sentences need them. */
const TOUCH = !!(window.matchMedia && window.matchMedia("(pointer: coarse)").matches);
const KLICKA = TOUCH ? "Tryck" : "Klicka";
const KLICKA_INF = TOUCH ? "trycka" : "klicka";
if (L.drawLocal) {
  const h = L.drawLocal.draw.handlers;
  h.marker.tooltip.start = `${KLICKA} i kartan där problemet finns – eller tryck Enter för att markera kartans mitt.`;
  h.polyline.tooltip.start = `${KLICKA} där sträckan börjar (eller Enter: kartans mitt).`;
  h.polyline.tooltip.cont = `${KLICKA} längs vägen (eller Enter: kartans mitt).`;
  h.polyline.tooltip.end = `${KLICKA} på sista punkten igen (eller Enter två gånger) för att avsluta.`;
  h.polyline.error = "<strong>Fel:</strong> sträckan får inte korsa sig själv.";
  const t = L.drawLocal.draw.toolbar;
  t.actions = { title: "Avbryt markeringen", text: "Avbryt" };
  t.finish = { title: "Avsluta markeringen", text: "Avsluta" };
  t.undo = { title: "Ta bort den senaste punkten", text: "Ta bort senaste punkten" };
}

/* The pages' own words for a click, marked <span data-tryck="…">: the touch word instead. */
if (TOUCH) document.querySelectorAll("[data-tryck]").forEach((e) => { e.textContent = e.dataset.tryck; });
/* the keyboard's way, said only where there is a keyboard (a phone has no arrow keys) */
if (TOUCH) document.querySelectorAll(".tangentbord").forEach((e) => { e.hidden = true; });

/* A text box with a limit counts its characters, and says when a paste was cut to the limit
   (a kommun officer's review: 2,500 pasted characters became 2,000 without a word). */
document.querySelectorAll("textarea[maxlength]").forEach((box) => {
  const max = Number(box.getAttribute("maxlength"));
  const count = document.createElement("span");
  count.className = "raknare";
  count.id = `${box.id}-raknare`;
  count.setAttribute("aria-live", "polite");
  box.after(count);
  let cut = false;
  const show = () => {
    count.textContent = `${box.value.length} av ${max} tecken` +
      (cut ? ` – den inklistrade texten var för lång och kortades till ${max} tecken.` : "");
    count.classList.toggle("fel", cut);
  };
  box.addEventListener("paste", (e) => {
    const pasted = (e.clipboardData || window.clipboardData).getData("text") || "";
    const kept = box.value.length - (box.selectionEnd - box.selectionStart);
    cut = kept + pasted.length > max;
  });
  box.addEventListener("input", () => { if (box.value.length < max) cut = false; show(); });
  if (box.form) box.form.addEventListener("reset", () => setTimeout(() => { cut = false; show(); }));
  show();
});

function newId() {
  if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/* Build an element whose content is plain text (never HTML). */
function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  if (cls) e.className = cls;
  return e;
}

/* The form's controls for a field: by name (a group of checkboxes gives several). */
function fieldControls(form, field) {
  return [...form.elements].filter((c) => c.name === field && c.type !== "hidden");
}

/* Show the server's Swedish messages next to their fields, mark those fields
   aria-invalid with aria-describedby pointing at the message (after the field's own
   description, such as the warning above a text box) and move the focus to the first
   invalid field. An empty `errors` clears every mark. */
function showErrors(form, errors) {
  form.querySelectorAll("[data-fel]").forEach((s) => { s.textContent = ""; });
  form.querySelectorAll("[aria-invalid]").forEach((c) => {
    c.removeAttribute("aria-invalid");
    const own = c.dataset.beskrivning;
    if (own) c.setAttribute("aria-describedby", own); else c.removeAttribute("aria-describedby");
  });
  const invalid = [];
  for (const [field, said] of Object.entries(errors || {})) {
    /* the server's messages say "klicka på kartan"; a finger taps */
    const message = TOUCH ? String(said).replace(/\bklicka\b/g, "tryck") : said;
    const slot = form.querySelector(`[data-fel="${field}"]`);
    if (!slot) { setMessage(message, true); continue; }
    slot.textContent = message;
    if (!slot.id) slot.id = `${form.id || "form"}-fel-${field}`;
    for (const c of fieldControls(form, field)) {
      if (c.dataset.beskrivning === undefined) c.dataset.beskrivning = c.getAttribute("aria-describedby") || "";
      c.setAttribute("aria-invalid", "true");
      c.setAttribute("aria-describedby", `${c.dataset.beskrivning} ${slot.id}`.trim());
      invalid.push(c);
    }
  }
  const order = [...form.elements];
  invalid.sort((a, b) => order.indexOf(a) - order.indexOf(b));
  if (invalid.length) invalid[0].focus();
}

function setMessage(text, isError) {
  const m = document.getElementById("meddelande");
  if (!m) return;
  m.textContent = text;
  m.classList.toggle("fel", !!isError);
}

/* The outbox: every report waits in localStorage until the server acknowledges it. */
const Outbox = {
  running: null,
  again: false,
  timer: null,
  delayMs: 2000,
  items() {
    try { return JSON.parse(localStorage.getItem(OUTBOX_KEY) || "[]"); } catch (e) { return []; }
  },
  save(items) { localStorage.setItem(OUTBOX_KEY, JSON.stringify(items)); this.render(); },
  /* the logged-in account's reports: the only ones sent, the others wait for their account */
  mine() { return this.items().filter(ownReport); },
  /* add a report of the logged-in account, or replace its unsent one with the same id */
  add(item) {
    const items = this.items().filter((i) => i.id !== item.id);
    items.push({ ...item, user: ACCOUNT });
    this.save(items);
  },
  has(id) { return this.items().some((i) => i.id === id); },
  /* drop a report the server has answered, unless it was replaced while on its way */
  done(item) {
    const sent = JSON.stringify(item.body);
    this.save(this.items().filter((i) => i.id !== item.id || JSON.stringify(i.body) !== sent));
  },
  render() {
    const s = document.getElementById("utkorg");
    if (!s) return;
    const n = this.mine().length;
    const waiting = {};
    for (const i of this.items()) if (!ownReport(i)) waiting[i.user] = (waiting[i.user] || 0) + 1;
    const parts = n ? [`${n} osänd(a) rapport(er) – skickas när anslutningen finns`] : [];
    for (const [name, k] of Object.entries(waiting)) {
      parts.push(`${k} rapport(er) väntar på ${name} – skickas när ${name} loggar in här`);
    }
    s.textContent = parts.join(" · ");
  },
  schedule() {
    if (this.timer) return;
    this.timer = setTimeout(() => { this.timer = null; this.flush(); }, this.delayMs);
    this.delayMs = Math.min(this.delayMs * 2, 30000);
  },
  async refreshToken() {
    const r = await fetch("/api/me", { credentials: "same-origin" });
    if (r.ok) { CFG.csrf = (await r.json()).csrf; return true; }
    return false;
  },
  /* Send every waiting report. A call while sending waits for that round and one more, so
     a report added meanwhile is sent now rather than on the next page load. */
  async flush() {
    if (this.running) { this.again = true; return this.running; }
    this.running = (async () => {
      do { this.again = false; await this.sendAll(); } while (this.again);
    })();
    try { await this.running; } finally { this.running = null; }
  },
  /* The server refused `item` for good (its fields, its permission, a removed pass): drop it
     from the outbox and let the page whose open form sent it show why (it cancels the
     event); otherwise (sent after a wait, a reload, from another page) keep it to mend. */
  refuse(item, data) {
    this.done(item);
    const ev = new CustomEvent("utkorg:avvisad", { detail: { item, data }, cancelable: true });
    if (document.dispatchEvent(ev) && !this.has(item.id)) Refused.add(item, data);
  },
  async sendAll() {
    let retry = false;
    try {
      for (const item of this.mine()) {
        let r;
        try {
          r = await fetch(item.url, {
            method: "PUT",
            credentials: "same-origin",
            headers: { "Content-Type": "application/json", "X-CSRF-Token": CFG.csrf },
            body: JSON.stringify(item.body),
          });
        } catch (e) { retry = true; break; }
        if (r.ok) {
          const data = await r.json();
          this.done(item);
          document.dispatchEvent(new CustomEvent("utkorg:klar", { detail: { item, data } }));
        } else if ([400, 404, 409, 422].includes(r.status)) {
          this.refuse(item, await r.json().catch(() => ({})));
        } else if (r.status === 403) {
          /* 403 is a permission ("forbidden": sending again cannot help) or a stale CSRF
             token ("csrf": fetch a new one and send again later) */
          const data = await r.json().catch(() => ({}));
          if (data.code === "forbidden") this.refuse(item, data);
          else { await this.refreshToken().catch(() => false); retry = true; }
        } else if (r.status === 401) {
          setMessage("Du är utloggad. Logga in igen – osända rapporter finns kvar och skickas sedan.", true);
          retry = true; break;
        } else { retry = true; }
      }
    } finally {
      this.render();
    }
    if (retry) this.schedule(); else this.delayMs = 2000;
  },
};
/* Reports the server refused after they waited in the outbox, kept in localStorage with the
   server's Swedish messages until the user mends and resends them or throws them away: the
   typed text is never lost. A page that has the form for a kind registers
   `Refused.mend[kind] = (item) => …`, which puts the report back in the form. */
const REFUSED_KEY = "geo-avvisade-v1";
const REFUSED_KINDS = {
  spot: "Markering", edit: "Ändring av en markering", observation: "Observation", pass: "Pass",
  aktivitet: "Aktivitet",
};
const Refused = {
  mend: {},
  items() {
    try { return JSON.parse(localStorage.getItem(REFUSED_KEY) || "[]"); } catch (e) { return []; }
  },
  save(items) { localStorage.setItem(REFUSED_KEY, JSON.stringify(items)); this.render(); },
  /* the logged-in account's refused reports: another account's are not shown (they may hold
     the police's notes) */
  mine() { return this.items().filter(ownReport); },
  add(item, data) {
    const errors = (data && data.errors) || {};
    const detail = (data && data.detail) || "";
    const kept = { ...item, errors, detail, refusedAt: new Date().toISOString() };
    this.save([...this.items().filter((i) => i.id !== item.id), kept]);
  },
  remove(id) { this.save(this.items().filter((i) => i.id !== id)); },
  /* the page where a report is mended: the map, the observation form, the spot's page, the
     pass page or the activity page */
  pageFor(item) {
    if (item.kind === "edit") return item.url.replace(/^\/api\/spots\//, "/markering/");
    if (item.kind === "pass") return "/pass";
    if (item.kind === "aktivitet") return "/aktiviteter";
    return item.kind === "observation" ? "/observation" : "/";
  },
  mendHere(item) { return !!this.mend[item.kind] && this.pageFor(item) === window.location.pathname; },
  render() {
    const box = document.getElementById("avvisade");
    if (!box) return;
    const list = box.querySelector("ul");
    list.replaceChildren();
    const items = this.mine();
    box.hidden = !items.length;
    for (const item of items) {
      const li = el("li", null, "avvisad");
      const category = CFG.categories[item.body.category] || CFG.observation_categories[item.body.category];
      li.appendChild(el("strong", [REFUSED_KINDS[item.kind] || "Rapport", category].filter(Boolean).join(": ")));
      const text = item.body.description || [item.body.date, item.body.places].filter(Boolean).join(" · ")
        || (item.kind === "aktivitet" ? `${item.id.split("/").join(" ")}: ${item.body.times}` : "");
      if (text) li.appendChild(el("div", text, "beskrivning"));
      const messages = Object.values(item.errors || {});
      const errs = el("ul", null, "fel");
      for (const m of messages.length ? messages : [item.detail || "Servern tog inte emot rapporten."]) errs.appendChild(el("li", m));
      li.appendChild(errs);
      const buttons = el("div", null, "knappar");
      if (this.mendHere(item)) {
        const b = el("button", "Rätta och skicka igen", "stor");
        b.type = "button";
        b.addEventListener("click", () => this.mend[item.kind](item));
        buttons.appendChild(b);
      } else {
        const a = el("a", "Öppna och rätta");
        a.href = `${this.pageFor(item)}?ratta=${encodeURIComponent(item.id)}`;
        buttons.appendChild(a);
      }
      const drop = el("button", "Släng");
      drop.type = "button";
      drop.addEventListener("click", () => {
        if (window.confirm("Släng rapporten? Texten går förlorad.")) this.remove(item.id);
      });
      buttons.appendChild(drop);
      li.appendChild(buttons);
      list.appendChild(li);
    }
  },
  /* after a link "Öppna och rätta" (?ratta=<id>): put that report in this page's form */
  mendFromAddress() {
    const id = new URLSearchParams(window.location.search).get("ratta");
    const item = id && this.mine().find((i) => i.id === id);
    if (item && this.mendHere(item)) this.mend[item.kind](item);
  },
};

/* Fill a form's fields from a report's body (checkbox groups from lists, a radio group by
   its value). */
function fillForm(form, body) {
  for (const c of form.elements) {
    if (!c.name || c.type === "hidden" || !(c.name in body)) continue;
    const v = body[c.name];
    if (c.type === "checkbox") c.checked = Array.isArray(v) && v.map(String).includes(c.value);
    else if (c.type === "radio") c.checked = v !== null && v !== undefined && String(v) === c.value;
    else c.value = v === null || v === undefined ? "" : String(v);
  }
}

/* Put a report the server refused back in `form`: its fields, the server's messages next to
   them (the focus on the first), and a note; it leaves the list of refused reports when
   it is sent again (`queueReport`). */
function mendInForm(form, item) {
  form.reset();
  fillForm(form, item.body);
  form.hidden = false;
  form.dataset.pending = "";
  form.dataset.mending = item.id;
  showErrors(form, item.errors || {});
  setMessage("Rapporten är tillbaka i formuläret. Rätta det som står i rött och spara igen.", true);
  if (!form.contains(document.activeElement)) {
    const first = [...form.elements].find((c) => c.name && c.type !== "hidden");
    if (first) first.focus();
  }
}

/* The outbox's `utkorg:avvisad` event for the report `form` is waiting for: show the server's
   messages in the form (it still holds the report, so it is mended right there) and tell
   it in `message` (or the server's detail, or `failed`). Returns whether it was the form's. */
function refusedInForm(form, e, message, failed) {
  if (form.dataset.pending !== e.detail.item.id) return false;
  e.preventDefault();
  form.dataset.pending = "";
  const data = e.detail.data || {};
  showErrors(form, data.errors || {});
  setMessage(data.errors ? message : (data.detail || failed), true);
  return true;
}

/* Put a form's report in the outbox and send it. While the form's last report is unsent
   (offline), pressing the button again replaces that report (the same UUID, stored once by
   the server) instead of adding a second one. `url(id)` gives the report's address; `fixedId`
   (a stored record being corrected) is used instead of a new UUID. */
function queueReport(form, kind, url, body, fixedId) {
  const id = fixedId || (form.dataset.pending && Outbox.has(form.dataset.pending) ? form.dataset.pending : newId());
  Outbox.add({ id, kind, url: url(id), body });
  form.dataset.pending = id;
  if (form.dataset.mending) { Refused.remove(form.dataset.mending); form.dataset.mending = ""; }
  setMessage("Sparad i webbläsaren – skickas till servern …");
  Outbox.flush().then(() => {
    if (form.dataset.pending === id && Outbox.has(id)) {
      setMessage("Ingen anslutning just nu. Rapporten är sparad i webbläsaren och skickas av sig själv när anslutningen är tillbaka – du behöver inte spara igen.");
    }
  });
  return id;
}

/* Remove an account's reports from the browser: its waiting ones and its refused ones (and
   any from before reports carried their account). Run when the account logs out, so that the
   next user of a shared phone neither sends nor reads them. */
function forgetAccount(name) {
  const kept = (items) => items.filter((i) => i.user && i.user !== name);
  Outbox.save(kept(Outbox.items()));
  Refused.save(kept(Refused.items()));
}

/* Reports saved before they carried their account belong to the first account logged in
   after the update (the one that was using the browser then). */
function claimUnowned() {
  if (ACCOUNT === null) return;
  for (const list of [Outbox, Refused]) {
    const items = list.items();
    if (items.some((i) => !i.user)) list.save(items.map((i) => (i.user ? i : { ...i, user: ACCOUNT })));
  }
}

/* "Logga ut": send what can be sent, ask before throwing away what cannot, then remove the
   account's reports from the browser and log out. The login page clears them once more
   (CFG.logged_out), for a logout from another tab. */
function guardLogout() {
  const form = document.getElementById("logga-ut");
  if (!form) return;
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    await Promise.race([Outbox.flush(), new Promise((ok) => { setTimeout(ok, 5000); })]);
    const unsent = Outbox.mine().length;
    const refused = Refused.mine().length;
    if (unsent || refused) {
      const what = [unsent && `${unsent} osänd(a) rapport(er)`, refused && `${refused} avvisad(e) rapport(er)`]
        .filter(Boolean).join(" och ");
      const ask = `Du har ${what} i webbläsaren. Loggar du ut raderas de från den här enheten, så att nästa användare inte ser eller skickar dem. Logga ut ändå?`;
      if (!window.confirm(ask)) return;
    }
    forgetAccount(ACCOUNT);
    form.submit();
  });
}

window.addEventListener("online", () => { Outbox.delayMs = 2000; Outbox.flush(); });
document.addEventListener("DOMContentLoaded", () => {
  if (CFG.logged_out) forgetAccount(CFG.logged_out);
  claimUnowned();
  guardLogout();
  Outbox.render();
  Refused.render();
  Refused.mendFromAddress();
  Outbox.flush();
});

const STATUS_COLOURS = { ny: "#d7301f", bedomd: "#fc8d59", atgard_planerad: "#2b8cbe", atgardad: "#31a354", avvisad: "#777777" };

/* A spot's name, in the list's words (Kategori, "(sträcka)", Nära, Status) and without its
   free text: "Hastighet (sträcka) nära Fjugesta centrum, status Ny". */
function spotName(feature) {
  const p = feature.properties;
  const line = feature.geometry && feature.geometry.type === "LineString" ? " (sträcka)" : "";
  return `${p.category_label}${line}${p.near ? ` nära ${p.near}` : ""}, status ${p.status_label}`;
}

/* A spot's popup: a dialog named as the spot, which takes the focus when the keyboard opens
   it (/mapkeys.js). */
function spotPopup(feature) {
  const p = feature.properties;
  const box = el("div", null, "popup");
  box.setAttribute("role", "dialog");
  box.setAttribute("aria-label", spotName(feature));
  box.tabIndex = -1;
  box.appendChild(el("strong", p.category_label));
  box.appendChild(el("div", `Status: ${p.status_label} · Ansvarig: ${p.owner_label}`));
  box.appendChild(el("div", p.description, "beskrivning"));
  if (p.unit) box.appendChild(el("div", p.unit, "enhet"));
  const a = el("a", "Visa och ändra status");
  a.href = `/markering/${encodeURIComponent(p.spot_id)}`;
  box.appendChild(a);
  return box;
}

function spotLayer(geojson) {
  return L.geoJSON(geojson, {
    /* a marked stretch is kept free of place names (labels.js), as a marked point is */
    style: (f) => ({ color: STATUS_COLOURS[f.properties.status] || "#333", weight: 6, opacity: 0.8, geoObstacle: true }),
    pointToLayer: (f, latlng) => L.circleMarker(latlng, {
      radius: 9, color: "#222", weight: 1, fillColor: STATUS_COLOURS[f.properties.status] || "#333", fillOpacity: 0.9,
    }),
    onEachFeature: (f, layer) => { layer.bindPopup(() => spotPopup(f)); },
  });
}

async function addBackground(map) {
  let r;
  try {
    r = await fetch("/api/background", { credentials: "same-origin" });
  } catch (e) {
    /* offline: draw the background as soon as the connection is back */
    window.addEventListener("online", () => addBackground(map), { once: true });
    return null;
  }
  if (!r.ok) return null;
  const bg = await r.json();
  const boundary = L.geoJSON(bg.boundary, { style: { color: "#444", weight: 2, fill: false, dashArray: "6 4" }, interactive: false }).addTo(map);
  /* roads under everything, not clickable: a click on a road while marking goes to the map */
  L.geoJSON(bg.roads, { style: { color: "#777", weight: 2.5, opacity: 0.8 }, interactive: false, className: "vag" }).addTo(map);
  /* each numbered road's number on its longest stretch (a kommun officer looked for väg 204) */
  for (const r of bg.road_numbers || []) {
    L.marker([r.lat, r.lon], {
      interactive: false, keyboard: false,
      icon: L.divIcon({ className: "vagnummer", html: el("span", r.name.replace(/^väg /, "")), iconSize: [0, 0] }),
    }).addTo(map);
  }
  /* every place named on the map (bathing sites in blue), names moved apart by labels.js */
  L.geoJSON(bg.places, {
    style: { color: "#6a51a3", weight: 1, fillOpacity: 0.08 },
    onEachFeature: (f, layer) => layer.bindTooltip(() => el("span", f.properties.name), {
      permanent: ["ort", "centrum", "badplats"].includes(f.properties.kind),
      direction: "bottom", offset: [0, 4],
      geoRank: f.properties.rank, geoOnRings: f.properties.lofte === true,
      className: "geo-label" + (f.properties.kind === "badplats" ? " geo-bath" : ""),
    }),
  }).addTo(map);
  const note = document.getElementById("bakgrund");
  if (note) {
    note.textContent = "Bakgrund: kommungräns, vägar" + (bg.schematic_roads ? " (schematiskt vägnät: raka linjer mellan orter, inte exakta vägar)" : "") + " och namngivna platser. Ingen bakgrundskarta hämtas.";
  }
  map.options.zoomSnap = 0.25;  /* no tiles to keep whole: let the kommun fill the map */
  map.fitBounds(boundary.getBounds(), { padding: [8, 8] });
  if (typeof geoPlaceLabels === "function") geoPlaceLabels(map)();
  return bg;
}
