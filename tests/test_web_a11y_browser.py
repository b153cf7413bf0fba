"""WCAG 2.1 AA (lagen om tillgänglighet till digital offentlig service) in a real browser.

Every page of the marking app, for each kind of account that sees it differently, on a
desktop and on a phone (390 × 844), and with a form's errors shown: axe-core runs in
Debian's Chromium with the WCAG 2.0/2.1 A and AA rules, and any violation fails the test
with its rule, impact and element.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from _web_fixtures import FJUGESTA, NEAR_FJUGESTA, login, make_store, running_server, spot_payload

from geo.web.passes import this_week
from geo.weeks import shift_week
from tests._axe import axe_violations, describe
from tests._browser import wait_until
from tests._pass_fixtures import add_police, pass_payload, store_plan
from tests.test_web_browser import PHONE, app_page

pytestmark = pytest.mark.browser

DESKTOP: dict[str, Any] = {"viewport": {"width": 1280, "height": 900}}
#: The status changes that bring a new spot to each status but "ny".
STATUS_PATHS: dict[str, tuple[str, ...]] = {
    "bedomd": ("bedomd",),
    "atgard_planerad": ("bedomd", "atgard_planerad"),
    "atgardad": ("bedomd", "atgardad"),
    "avvisad": ("avvisad",),
}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A server whose pages all have something to show.

    A point, a stretch, a spot in each status (each status has its own colour), last week's
    plan and a pass logged in it.
    """
    folder = tmp_path_factory.mktemp("a11y-browser")
    path = make_store(folder)
    add_police(path)
    week = shift_week(this_week(), -1)
    stops = store_plan(path, week)
    point, stretch = str(uuid.uuid4()), str(uuid.uuid4())
    with running_server(path, folder / "server.log") as base:
        with httpx.Client(base_url=base) as client:
            login(client, "anna")
            line = {"type": "LineString", "coordinates": [list(FJUGESTA), list(NEAR_FJUGESTA)]}
            for sid, payload in ((point, spot_payload()), (stretch, spot_payload(geometry=line))):
                assert client.put(f"/api/spots/{sid}", json=payload).status_code == 201
            moved = {s: str(uuid.uuid4()) for s in STATUS_PATHS}
            for sid in moved.values():
                assert client.put(f"/api/spots/{sid}", json=spot_payload()).status_code == 201
        with httpx.Client(base_url=base) as client:
            login(client, "per")
            for status, sid in moved.items():
                for step in STATUS_PATHS[status]:
                    body = {"status": step, "owner": "kommun", "comment": "Bedömd på plats."}
                    r = client.post(f"/api/spots/{sid}/status", json=body)
                    assert r.status_code == 200, r.text
            day = f"{stops['start'][0]:%Y-%m-%d}"
            r = client.put(f"/api/pass/{uuid.uuid4()}", json=pass_payload(date=day))
            assert r.status_code == 201, r.text
        yield base, {"point": point, "stretch": stretch, "week": week, **moved}


# ---------------------------------------------------------------- the pages and their states


def _map_ready(pg):
    wait_until(pg, "document.getElementById('karta').dataset.antal !== undefined")
    pg.wait_for_timeout(400)  # the first fit to the kommun is animated


def _open_form(pg):
    """The marking page with a point placed and the form open."""
    _map_ready(pg)
    pg.click("#markera-plats")
    box = pg.locator("#karta").bounding_box()
    pg.mouse.click(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.45)
    pg.wait_for_selector("#spotform:not([hidden])")


def _form_errors(pg):
    """The marking form sent empty: the server's messages by the fields."""
    _open_form(pg)
    pg.click("#spara")
    pg.wait_for_selector("#category[aria-invalid=true]")


def _drawing(pg):
    """'Markera plats' pressed: the map waits for a click (Leaflet.draw's hint showing)."""
    _map_ready(pg)
    pg.click("#markera-plats")
    box = pg.locator("#karta").bounding_box()
    pg.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.5)
    pg.wait_for_selector("#karta.ritar .leaflet-mouse-marker", state="attached")


def _drawing_stretch(pg):
    """'Markera sträcka' pressed and two corners placed: the stretch is under way."""
    _map_ready(pg)
    pg.click("#markera-stracka")  # the focus is on the map: Enter marks its centre
    pg.keyboard.press("Enter")
    pg.keyboard.press("ArrowRight")
    pg.wait_for_timeout(400)  # the pan is animated
    pg.keyboard.press("Enter")
    pg.wait_for_selector(".leaflet-editing-icon >> nth=1", state="attached")


def _search_hits(pg):
    """The place search with its hits listed."""
    _map_ready(pg)
    pg.fill("#sok", "Fjug")
    pg.wait_for_selector("#sokresultat button")


def _popup(pg):
    """A marked spot's popup open on the map."""
    wait_until(pg, "Number(document.getElementById('karta').dataset.antal) >= 1")
    pg.wait_for_timeout(400)
    pg.evaluate(
        "() => { let done = false; map.eachLayer((l) => { if (!done && l.getPopup && "
        "l.getPopup() && l.feature) { l.openPopup(); done = true; } }); }"
    )
    pg.wait_for_selector(".leaflet-popup")


def _spot_by_keys(pg):
    """A spot reached with Tab from the map and opened with Enter: the focus in its popup."""
    _map_ready(pg)
    pg.focus("#karta")
    pg.keyboard.press("Tab")
    assert pg.evaluate("document.activeElement.getAttribute('role')") == "button"
    pg.keyboard.press("Enter")
    pg.wait_for_selector(".leaflet-popup [role=dialog]:focus")


def _refused(pg):
    """A report the server refused after it waited offline, listed at the top to mend."""
    _map_ready(pg)
    pg.evaluate(
        """() => { Refused.add({ id: "a11y-avvisad", kind: "spot", url: "/api/spots/a11y-avvisad",
          user: ACCOUNT, body: { category: "hastighet", description: "Kör fort förbi skolan" } },
          { errors: { description: "Texten ser ut att innehålla en gatuadress." } }); }"""
    )
    pg.wait_for_selector("#avvisade:not([hidden]) li.avvisad")


def _edit_open(pg):
    pg.click("details.redigera summary")


def _pass_errors(pg):
    """The police's pass form sent with its end before its start."""
    pg.fill("#pass-date", "2025-12-02")
    pg.fill("#pass-start", "18:00")
    pg.fill("#pass-end", "17:30")
    pg.click("#spara-pass")
    pg.wait_for_selector("#pass-end[aria-invalid=true]")


def _observation_errors(pg):
    pg.click("#obsform button[type=submit]")
    pg.wait_for_selector("#obs-category[aria-invalid=true]")


def _login_error(pg):
    pg.fill("input[name=name]", "anna")
    pg.fill("input[name=password]", "fel-lösenord")
    pg.click("button[type=submit]")
    pg.wait_for_selector("[role=alert]")


def _activity_errors(pg):
    form = pg.locator("form.aktivitetsform").first
    form.locator("input[name=times]").fill("-1")
    form.locator("button[type=submit]").click()
    pg.wait_for_selector("form.aktivitetsform input[aria-invalid=true]")


@dataclass(frozen=True)
class Case:
    """A page in a state: who is logged in, the address and what is done before the check."""

    account: str | None
    path: str
    then: Callable[[Any], None] | None = None


#: Every page of the app (geo/web/app.py, passes.py, activities.py), and the states that add
#: something to it. ``{point}``, ``{stretch}``, ``{week}`` and a status's ``{bedomd}`` … are
#: the server fixture's.
CASES: dict[str, Case] = {
    "login": Case(None, "/login"),
    "login-fel": Case(None, "/login", _login_error),
    "karta-kommun": Case("anna", "/", _map_ready),
    "karta-ritar": Case("anna", "/", _drawing),
    "karta-ritar-stracka": Case("anna", "/", _drawing_stretch),
    "karta-sok": Case("anna", "/", _search_hits),
    "karta-formular": Case("anna", "/", _open_form),
    "karta-formular-fel": Case("anna", "/", _form_errors),
    "karta-popup": Case("anna", "/", _popup),
    "karta-markering-tangentbord": Case("ulla", "/", _spot_by_keys),
    "karta-avvisad": Case("anna", "/", _refused),
    "karta-lasare": Case("ulla", "/", _map_ready),
    "karta-polis": Case("per", "/", _map_ready),
    "observation": Case("anna", "/observation"),
    "observation-fel": Case("anna", "/observation", _observation_errors),
    "observation-lasare": Case("ulla", "/observation"),
    "lista": Case("anna", "/lista"),
    "lista-filter": Case("anna", "/lista?status=ny&q=skolan"),
    "markering-kommun": Case("anna", "/markering/{point}", _edit_open),
    "markering-stracka": Case("anna", "/markering/{stretch}", _edit_open),
    "markering-polis": Case("per", "/markering/{point}"),
    "markering-bedomd": Case("anna", "/markering/{bedomd}"),
    "markering-atgard-planerad": Case("per", "/markering/{atgard_planerad}"),
    "markering-atgardad": Case("per", "/markering/{atgardad}"),
    "markering-avvisad": Case("anna", "/markering/{avvisad}"),
    "pass-polis": Case("per", "/pass?vecka={week}"),
    "pass-fel": Case("per", "/pass?vecka={week}", _pass_errors),
    "pass-kommun": Case("anna", "/pass?vecka={week}"),
    "aktiviteter-kommun": Case("anna", "/aktiviteter"),
    "aktiviteter-polis": Case("per", "/aktiviteter"),
    "aktiviteter-fel": Case("anna", "/aktiviteter", _activity_errors),
    "saknas-404": Case("anna", "/markering/finns-inte"),
    "okand-sida-404": Case("anna", "/ingen-sadan-sida"),
    "utloggad-404": Case(None, "/ingen-sadan-sida"),
    "metod-405": Case("anna", "/logout"),
}

VIEWPORTS: dict[str, dict[str, Any]] = {"dator": DESKTOP, "telefon": PHONE}


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("case", list(CASES))
def test_every_page_meets_wcag_21_aa(browser, server, case, viewport):
    base, ids = server
    c = CASES[case]
    pg = app_page(browser, base, name=c.account, **VIEWPORTS[viewport])
    try:
        pg.goto(c.path.format(**ids))
        pg.wait_for_load_state("load")
        if c.then:
            c.then(pg)
        violations = axe_violations(pg)
        assert violations == [], f"{case} ({viewport}):\n{describe(violations)}"
        assert pg.errors == []
    finally:
        pg.context.close()


# ---------------------------------------------------------------- keyboard alone


def _focused(pg) -> dict[str, str]:
    return pg.evaluate(
        "() => { const e = document.activeElement;"
        " return {id: e.id, name: e.name || '', value: e.value || '', tag: e.tagName}; }"
    )


def _tab_to(pg, test: Callable[[dict[str, str]], bool], what: str, limit: int = 80) -> None:
    """Press Tab until the focused element passes ``test`` (keyboard only)."""
    for _ in range(limit):
        if test(_focused(pg)):
            return
        pg.keyboard.press("Tab")
    msg = f"Tab never reached {what}"
    raise AssertionError(msg)


def test_a_kommun_officer_marks_a_spot_with_the_keyboard_alone(browser, server):
    """Search the place, mark it, fill every field and save: Tab, Enter, arrows and Space."""
    base, _ids = server
    pg = app_page(browser, base, name="anna", locale="sv-SE", **DESKTOP)
    try:
        _map_ready(pg)
        _tab_to(pg, lambda f: f["id"] == "sok", "the place search")
        pg.keyboard.type("Fjugesta")
        pg.wait_for_selector("#sokresultat button")
        assert "hittades" in pg.locator("#sokstatus").inner_text()  # said to a screen reader
        _tab_to(pg, lambda f: f["tag"] == "BUTTON" and f["id"] == "", "the first hit")
        place = pg.evaluate("document.activeElement.textContent")
        pg.keyboard.press("Enter")
        # the list is gone with the button pressed: the focus goes on to marking, not to the
        # top of the page
        assert _focused(pg)["id"] == "markera-plats"
        assert pg.locator("#meddelande").inner_text().startswith(f"Kartan visar {place}.")
        pg.wait_for_timeout(400)  # the move to the place is animated
        centre = pg.evaluate("[map.getCenter().lng, map.getCenter().lat]")
        pg.keyboard.press("Enter")
        assert _focused(pg)["id"] == "karta"
        pg.keyboard.press("Enter")  # marks the map's centre
        pg.wait_for_selector("#spotform:not([hidden])")
        wait_until(pg, "document.activeElement.id === 'category'")
        pg.keyboard.press("ArrowDown")
        pg.keyboard.press("ArrowDown")  # the second problem in the list
        category = pg.evaluate("document.getElementById('category').value")
        assert category != ""
        for day in ("6", "7"):  # Saturday and Sunday
            _tab_to(pg, lambda f, d=day: f["name"] == "weekdays" and f["value"] == d, day)
            pg.keyboard.press("Space")
        _tab_to(pg, lambda f: f["name"] == "time_bands" and f["value"] == "kvall", "kväll")
        pg.keyboard.press("Space")
        _tab_to(pg, lambda f: f["id"] == "since", "the date")
        # Debian's Chromium lays the date out as its own language says (mm/dd/yyyy here,
        # whatever the page's locale); each part moves on to the next when it is full
        pg.keyboard.type("04012025")
        assert pg.input_value("#since") == "2025-04-01"
        text = f"Buskörning vid torget på helgkvällar {uuid.uuid4().hex[:4]}".translate(
            str.maketrans("0123456789", "ghijklmnop")
        )
        _tab_to(pg, lambda f: f["id"] == "description", "the description")
        pg.keyboard.type(text)
        _tab_to(pg, lambda f: f["id"] == "unit", "the unit")
        pg.keyboard.type("Samhällsbyggnad")
        _tab_to(pg, lambda f: f["id"] == "spara", "Spara")
        pg.keyboard.press("Enter")
        wait_until(pg, "document.getElementById('meddelande').textContent.startsWith('Sparad.')")
        assert _focused(pg)["id"] == "markera-plats"  # ready for the next mark
    finally:
        pg.context.close()
    with httpx.Client(base_url=base) as client:
        login(client, "anna")
        saved = [
            f
            for f in client.get("/api/spots").json()["features"]
            if f["properties"]["description"] == text
        ]
    assert len(saved) == 1
    props = saved[0]["properties"]
    assert props["category"] == category and props["weekdays"] == [6, 7]
    assert props["time_bands"] == ["kvall"] and props["since"] == "2025-04-01"
    assert props["unit"] == "Samhällsbyggnad"
    assert saved[0]["geometry"]["coordinates"] == pytest.approx(centre, abs=1e-5)


#: JS: the focused element's tag, id or text, and whether it shows where the focus is (an
#: outline or a shadow, with a size on screen). A date or time field that is the active
#: element but not :focus has the focus on its calendar button, inside Chromium's own shadow
#: tree, which Chromium rings itself (a screenshot shows it). A spot on the map (an SVG
#: shape, whose box is flat for a level stretch) shows it as a ring drawn around it in the
#: map's view: a line under the spot's copy, at least 3 px wider on each side than its own.
FOCUS_SHOWN_JS = """() => {
  const e = document.activeElement, s = getComputedStyle(e), r = e.getBoundingClientRect();
  if (e instanceof SVGElement) {
    const ring = document.querySelector('.leaflet-fokus-pane .fokusring');
    const map = e.closest('.leaflet-container').getBoundingClientRect();
    const rs = ring && getComputedStyle(ring), rr = ring && ring.getBoundingClientRect();
    const shown = !!ring && parseFloat(rs.strokeWidth) >= parseFloat(s.strokeWidth) + 6
      && parseFloat(rs.strokeOpacity) > 0 && rs.stroke !== "none"
      && rr.right > map.left && rr.left < map.right && rr.bottom > map.top && rr.top < map.bottom;
    return [e.tagName, e.getAttribute('aria-label') || '', shown];
  }
  const outline = s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0;
  const picker = e.tagName === "INPUT" && !e.matches(":focus");
  const shown = (outline || s.boxShadow !== "none" || picker) && r.width > 0 && r.height > 0
    && s.opacity !== "0";
  return [e.tagName, e.id || e.name || e.textContent.trim().slice(0, 30), shown];
}"""


@pytest.mark.parametrize(
    ("account", "path", "then"),
    [
        ("anna", "/", None),
        ("anna", "/", _drawing),
        ("anna", "/", _drawing_stretch),
        ("anna", "/observation", None),
        ("anna", "/markering/{point}", None),
        ("per", "/markering/{point}", None),
        ("per", "/pass?vecka={week}", None),
        ("anna", "/aktiviteter", None),
        ("anna", "/lista", None),
    ],
)
def test_every_tab_stop_shows_where_the_focus_is(browser, server, account, path, then):
    # WCAG 2.4.7: a keyboard user sees which control Tab reached; while marking, Tab from
    # the map went on to Leaflet.draw's invisible marker that follows the mouse
    base, ids = server
    pg = app_page(browser, base, name=account, **DESKTOP)
    try:
        pg.goto(path.format(**ids))
        pg.wait_for_load_state("load")
        if then:
            then(pg)
        pg.locator("details").evaluate_all("ds => ds.forEach((d) => { d.open = true; })")
        stops = []
        for _ in range(80):
            pg.keyboard.press("Tab")
            tag, name, shown = pg.evaluate(FOCUS_SHOWN_JS)
            if tag == "BODY":
                break  # round the page once
            stops.append((tag, name, shown))
        assert len(stops) >= 3  # the map's zoom buttons and link at least
        assert [s for s in stops if not s[2]] == []
    finally:
        pg.context.close()


def test_a_point_placed_wrong_is_moved_with_the_arrow_keys_on_its_page(browser, server):
    # a misplaced point could be moved on its page only by dragging it (WCAG 2.1.1)
    base, _ids = server
    sid = str(uuid.uuid4())
    with httpx.Client(base_url=base) as client:
        login(client, "anna")
        assert client.put(f"/api/spots/{sid}", json=spot_payload()).status_code == 201
    pg = app_page(browser, base, name="anna", **DESKTOP)
    try:
        pg.goto(f"/markering/{sid}")
        pg.wait_for_load_state("load")
        _tab_to(pg, lambda f: f["tag"] == "SUMMARY", "Ändra uppgifterna")
        pg.keyboard.press("Enter")
        assert "piltangenterna" in pg.locator("#flytta-hjalp").inner_text()
        pg.wait_for_selector("#minikarta .leaflet-marker-draggable")
        pg.wait_for_timeout(400)  # the map's first view is animated
        _tab_to(pg, lambda f: f["tag"] == "IMG", "the point on the map")
        centre = pg.evaluate("[mini.getCenter().lng, mini.getCenter().lat]")
        for _ in range(6):
            pg.keyboard.press("ArrowRight")
        # the point moved, not the map
        assert pg.evaluate("[mini.getCenter().lng, mini.getCenter().lat]") == centre
        for _ in range(40):
            if pg.evaluate("document.activeElement.textContent") == "Spara ändringar":
                break
            pg.keyboard.press("Shift+Tab")
        pg.keyboard.press("Enter")
        wait_until(pg, "document.querySelectorAll('#historik tbody tr').length >= 2")
    finally:
        pg.context.close()
    with httpx.Client(base_url=base) as client:
        login(client, "anna")
        lon, lat = client.get(f"/api/spots/{sid}").json()["geometry"]["coordinates"]
    # 60 px east at the page's zoom: some 100 m or more, and not north or south
    assert lon - FJUGESTA[0] > 0.0015 and abs(lat - FJUGESTA[1]) < 0.0002


#: JS: the focused spot on the map (a drawn shape that is a button) as its name, else null.
FOCUSED_SPOT_JS = """() => {
  const e = document.activeElement;
  return e && e.closest('.leaflet-overlay-pane') && e.getAttribute('role') === 'button'
    ? e.getAttribute('aria-label') : null;
}"""


#: JS: whether the focused spot lies inside the map's box on the screen.
SPOT_IN_VIEW_JS = """() => {
  const r = document.activeElement.getBoundingClientRect();
  const m = document.getElementById('karta').getBoundingClientRect();
  return r.left >= m.left && r.right <= m.right && r.top >= m.top && r.bottom <= m.bottom;
}"""


def test_a_keyboard_user_reaches_the_spots_on_the_map_and_opens_one(browser, server):
    # WCAG 2.1.1: the marked spots were drawn shapes the keyboard did not reach; the list
    # was the only way to them
    base, _ids = server
    text = f"Varvning på parkeringen om kvällarna {uuid.uuid4().hex[:4]}".translate(
        str.maketrans("0123456789", "ghijklmnop")
    )
    north = {"type": "Point", "coordinates": [FJUGESTA[0], 59.22]}
    stretch = {"type": "LineString", "coordinates": [[14.86, 59.205], [14.87, 59.205]]}
    sids = {"buller": str(uuid.uuid4()), "stretch": str(uuid.uuid4())}
    with httpx.Client(base_url=base) as client:
        login(client, "anna")
        for sid, payload in (
            (sids["buller"], spot_payload(geometry=north, category="buller", description=text)),
            (sids["stretch"], spot_payload(geometry=stretch, category="trafikfarlig_plats")),
        ):
            assert client.put(f"/api/spots/{sid}", json=payload).status_code == 201
        features = client.get("/api/spots").json()["features"]
    near = {f["id"]: f["properties"]["near"] for f in features}
    shown = sum(f["properties"]["status"] not in ("atgardad", "avvisad") for f in features)
    pg = app_page(browser, base, name="anna", **DESKTOP)
    try:
        _map_ready(pg)
        _tab_to(pg, lambda f: f["id"] == "karta", "the map")
        pg.keyboard.press("Tab")  # the next tab stop: the spots, the northernmost first
        first = f"Buller/hög musik/varvning nära {near[sids['buller']]}, status Ny (1 av {shown})"
        assert pg.evaluate(FOCUSED_SPOT_JS) == first
        assert pg.locator(":focus").aria_snapshot() == f'- button "{first}"'
        assert pg.evaluate(FOCUS_SHOWN_JS)[2]  # a ring shows which spot it is
        pg.keyboard.press("ArrowDown")  # the next one south: the stretch
        second = f"Trafikfarlig plats (sträcka) nära {near[sids['stretch']]}, status Ny"
        assert pg.evaluate(FOCUSED_SPOT_JS) == f"{second} (2 av {shown})"
        pg.keyboard.press("ArrowUp")
        assert pg.evaluate(FOCUSED_SPOT_JS) == first
        pg.keyboard.press("ArrowUp")  # the first stays the first
        assert pg.evaluate(FOCUSED_SPOT_JS) == first
        pg.keyboard.press("End")
        assert pg.evaluate(FOCUSED_SPOT_JS).endswith(f"({shown} av {shown})")
        pg.keyboard.press("Home")
        # Enter opens the spot's popup, as a click does, with the focus in it
        pg.keyboard.press("Enter")
        popup = pg.locator(".leaflet-popup")
        popup.wait_for()
        assert text in popup.inner_text() and "Status: Ny" in popup.inner_text()
        assert pg.evaluate("!!document.activeElement.closest('.leaflet-popup')")
        dialog = pg.locator(":focus").aria_snapshot()
        assert dialog.startswith(f'- dialog "{first.removesuffix(f" (1 av {shown})")}"')
        pg.keyboard.press("Tab")
        assert pg.evaluate("document.activeElement.textContent") == "Visa och ändra status"
        # Escape closes it and the focus is back on the spot
        pg.keyboard.press("Escape")
        popup.wait_for(state="detached")
        assert pg.evaluate(FOCUSED_SPOT_JS) == first
        # the spots are one tab stop: Tab leaves them, Shift+Tab comes back to the same one
        pg.keyboard.press("ArrowDown")
        pg.keyboard.press("Tab")
        assert pg.evaluate(FOCUSED_SPOT_JS) is None
        pg.keyboard.press("Shift+Tab")
        assert pg.evaluate(FOCUSED_SPOT_JS) == f"{second} (2 av {shown})"
        # Space opens it too; the popup's close button takes the focus back to the spot
        pg.keyboard.press("Space")
        popup.wait_for()
        pg.keyboard.press("Tab")  # the link
        pg.keyboard.press("Tab")  # the close button
        assert pg.evaluate("document.activeElement.getAttribute('aria-label')") == "Stäng"
        pg.keyboard.press("Enter")
        popup.wait_for(state="detached")
        assert pg.evaluate(FOCUSED_SPOT_JS) == f"{second} (2 av {shown})"
        # the spots drawn again (a report sent, "Visa avslutade"): the focus stays on the spot
        pg.evaluate("drawSpots()")
        assert pg.evaluate(FOCUSED_SPOT_JS) == f"{second} (2 av {shown})"
        # the map moved to Fjugesta: Tab from the map reaches the first spot in view there
        pg.keyboard.press("Shift+Tab")
        assert _focused(pg)["id"] == "karta"
        pg.evaluate(f"map.setView([{FJUGESTA[1]}, {FJUGESTA[0]}], 15, {{animate: false}})")
        pg.keyboard.press("Tab")
        name = pg.evaluate(FOCUSED_SPOT_JS)
        assert name is not None and name not in (first, f"{second} (2 av {shown})")
        assert pg.evaluate(SPOT_IN_VIEW_JS)
        assert pg.errors == []
    finally:
        pg.context.close()


def test_a_click_on_a_spot_still_opens_it_and_leaves_the_arrow_keys_to_the_map(browser, server):
    base, _ids = server
    pg = app_page(browser, base, name="anna", **DESKTOP)
    try:
        _map_ready(pg)
        spot = pg.locator(".leaflet-overlay-pane [role=button]").first
        box = spot.bounding_box()
        pg.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        pg.locator(".leaflet-popup").wait_for()
        assert _focused(pg)["id"] == "karta"  # not the spot: the arrow keys move the map
        before = pg.evaluate("map.getCenter().lng")
        pg.keyboard.press("ArrowRight")
        wait_until(pg, f"map.getCenter().lng > {before}")
    finally:
        pg.context.close()


def test_escape_in_a_spots_popup_while_marking_closes_only_the_popup(browser, server):
    # a kommun officer marking a spot looks at one already on the map: Escape there closes
    # its popup and leaves the marking under way (Leaflet.draw cancels on any Escape in the map)
    base, _ids = server
    pg = app_page(browser, base, name="anna", **DESKTOP)
    try:
        _map_ready(pg)
        _tab_to(pg, lambda f: f["id"] == "markera-plats", "Markera plats")
        pg.keyboard.press("Enter")  # the focus moves to the map, which waits for the mark
        pg.keyboard.press("Tab")
        spot = pg.evaluate(FOCUSED_SPOT_JS)
        assert spot is not None
        pg.keyboard.press("Enter")
        pg.locator(".leaflet-popup").wait_for()
        pg.keyboard.press("Escape")
        pg.locator(".leaflet-popup").wait_for(state="detached")
        assert pg.evaluate(FOCUSED_SPOT_JS) == spot
        assert "ritar" in pg.locator("#karta").get_attribute("class")
    finally:
        pg.context.close()
