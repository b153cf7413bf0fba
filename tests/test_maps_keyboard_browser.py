"""The lägesbild's bubbles, events and analysis layers with the keyboard alone, in a real browser.

On the map `geo run` draws: Tab reaches the map's buttons past one bubble (not past every
bubble) and one stop per analysis layer, the arrow keys walk the bubbles and events from north
to south, Enter on a bubble zooms in as a click does and leaves the focus on a bubble or event
there, Enter on a single event opens its popup with the focus in it and Escape puts the focus
back; each is a button named with what it holds and the place it lies near. The hotspots, the
Gi* cells and the road stretches (the shared map's cells) are reached and opened the same way,
one tab stop per layer shown (``geo/maps/mapkeys.js``).
"""

from __future__ import annotations

import itertools
import re

import pytest

from tests._browser import MAP_JS, open_map, real_errors, settle_labels
from tests.test_maps_browser import main_job_map  # noqa: F401  (the fixture, built once here)

pytestmark = pytest.mark.browser

#: The map's keyboard items: bubbles and events with a role of button in the map's panes.
_ITEMS = ".leaflet-map-pane [role=button]"

#: JS: the focused element's name, whether it is a map item, its centre and the map's zoom.
_FOCUS_JS = f"""() => {{
  const el = document.activeElement, r = el.getBoundingClientRect();
  return {{
    name: el.getAttribute('aria-label') || el.getAttribute('title')
      || (el.matches('a, button') ? el.textContent.trim() : el.tagName + '.' + el.className),
    item: el.matches({_ITEMS!r}),
    bubble: el.classList.contains('geo-cluster'),
    y: (r.top + r.bottom) / 2, x: (r.left + r.right) / 2,
    zoom: window[{MAP_JS}[0]].getZoom(),
  }};
}}"""

_ORDER = re.compile(r"\((\d+) av (\d+)\)$")


def _saved(job_map, name: str):
    """The map the main job wrote beside its lägesbild: ``"plan"`` the week's plan map."""
    if name != "plan":
        return job_map.parent / name
    (path,) = (p for p in job_map.parent.glob("plan-*.html") if not p.stem.endswith("-a4"))
    return path


def _events_stops(page) -> int:
    """How many of the bubbles and events are tab stops (the analysis layers' aside)."""
    labels = page.locator(f'{_ITEMS}[tabindex="0"]').evaluate_all(
        "els => els.map(e => e.getAttribute('aria-label'))"
    )
    return sum(_kind(label) == "händelser" for label in labels)


def _focus_stop(page) -> dict:
    """Focus the bubbles' and events' tab stop (not an analysis layer's); return the focused."""
    for stop in page.locator(f'{_ITEMS}[tabindex="0"]').all():
        if _kind(stop.get_attribute("aria-label")) == "händelser":
            stop.focus()
            return page.evaluate(_FOCUS_JS)
    pytest.fail("no tab stop of the bubbles and events")


#: What each tab stop on the internal map is, by its name: an analysis layer's or the events'.
_KINDS = (
    ("gi", re.compile(r"(Het|Kall) ruta \(\d+ % säkerhet\)( nära [^:]+)?: \d+ händelser i rutan")),
    ("vägsträckor", re.compile(r"Vägsträcka [^:]+: \d+ trafikhändelser, [\d,]+ per km")),
    ("hotspots", re.compile(r"Hotspot( vid| nära) [^:]+: \d+ händelser, [A-ZÅÄÖ]")),
    ("badplatser", re.compile(r"[^:]+: \d+ händelser vid badplatsen")),
)


def _kind(name: str) -> str:
    """Which layer a tab stop on the internal map belongs to: an analysis layer, else the events."""
    return next((kind for kind, pattern in _KINDS if pattern.match(name)), "händelser")


def _stops_to_zoom(page) -> list[str]:
    """The names of the tab stops from the map (included) to "Zooma in" (not included)."""
    page.locator(".folium-map").focus()
    seen = [page.evaluate(_FOCUS_JS)["name"]]
    for _ in range(10):
        page.keyboard.press("Tab")
        now = page.evaluate(_FOCUS_JS)
        if now["name"] == "Zooma in":
            return seen
        seen.append(now["name"])
    pytest.fail(f"Tab did not reach the zoom buttons: {seen}")


@pytest.mark.parametrize("name", ["lagesbild.html", "lagesbild-delad.html", "plan"])
def test_tab_reaches_the_map_buttons_past_one_named_map_stop(offline_page, main_job_map, name):  # noqa: F811
    # the internal map had 62 bubbles and 45 unnamed road lines as tab stops before its zoom
    # buttons (the plan map 47 road lines): a keyboard user pressed Tab 107 times to zoom
    page = offline_page
    path = _saved(main_job_map, name)
    errors = open_map(page, path)
    settle_labels(page)
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.keyboard.press("Tab")  # from the page's top: the map itself, whose arrows move it
    assert page.evaluate(_FOCUS_JS)["name"].startswith("DIV.folium-map")
    seen = _stops_to_zoom(page)
    assert all(_ORDER.search(stop) for stop in seen[1:]), seen
    # every roving stop once, nothing else: no unnamed road line, no second bubble
    assert len(seen) - 1 == page.locator(f'{_ITEMS}[tabindex="0"]').count(), seen
    if name == "lagesbild.html":
        assert page.locator(_ITEMS).count() > 100  # tens of bubbles, cells, stretches
        # one stop for the bubbles and events, one for each analysis layer shown
        kinds = [_kind(stop) for stop in seen[1:]]
        assert sorted(kinds) == sorted(["händelser", *(kind for kind, _ in _KINDS)]), seen
    else:
        assert len(seen) == 2, seen  # the plan's stops; the shared map's one theme's cells
    assert real_errors(errors) == []


def test_the_arrows_walk_the_bubbles_from_north_to_south(offline_page, main_job_map):  # noqa: F811
    page = offline_page
    open_map(page, main_job_map)
    settle_labels(page)
    first = _focus_stop(page)
    assert _ORDER.search(first["name"]).group(1) == "1"
    n = int(_ORDER.search(first["name"]).group(2))
    walked = [first]
    for _ in range(n - 1):
        page.keyboard.press("ArrowDown")
        walked.append(page.evaluate(_FOCUS_JS))
    assert all(w["item"] for w in walked)
    assert [int(_ORDER.search(w["name"]).group(1)) for w in walked] == list(range(1, n + 1))
    ys = [w["y"] for w in walked]
    assert all(b >= a - 1 for a, b in itertools.pairwise(ys))  # north to south
    page.keyboard.press("ArrowDown")  # past the last the focus stays
    assert page.evaluate(_FOCUS_JS)["name"] == walked[-1]["name"]
    page.keyboard.press("Home")
    assert page.evaluate(_FOCUS_JS)["name"] == first["name"]
    page.keyboard.press("End")
    assert page.evaluate(_FOCUS_JS)["name"] == walked[-1]["name"]
    # a bubble at a bathing site says so
    names = [w["name"] for w in walked]
    assert any(re.match(r"\d+ händelser nära Lanna badgruva: ", name) for name in names), names
    # only the one focused last is the tab stop
    assert _events_stops(page) == 1


@pytest.mark.parametrize("key", ["Enter", " "])
def test_enter_on_a_bubble_zooms_in_and_keeps_the_focus_there(offline_page, main_job_map, key):  # noqa: F811
    # Leaflet 1.9 no longer clicks a marker on Enter: a bubble reached by Tab did nothing
    page = offline_page
    open_map(page, main_job_map)
    settle_labels(page)
    at = _focus_stop(page)
    while not (at["bubble"] and "nära Fjugesta centrum" in at["name"]):
        page.keyboard.press("ArrowDown")
        now = page.evaluate(_FOCUS_JS)
        assert now["name"] != at["name"], "no bubble at Fjugesta centrum"
        at = now
    page.keyboard.press(key)
    page.wait_for_function(f"window[{MAP_JS}[0]].getZoom() > {at['zoom']}")
    settle_labels(page)
    page.wait_for_function(f"document.activeElement.matches({_ITEMS!r})")
    after = page.evaluate(_FOCUS_JS)
    # the bubble or event nearest to where the bubble was, at Fjugesta centrum
    mid = page.evaluate("[innerWidth / 2, innerHeight / 2]")  # the map fills the window
    assert abs(after["x"] - mid[0]) < 150 and abs(after["y"] - mid[1]) < 150, (after, mid)
    assert _events_stops(page) == 1


def test_enter_on_an_event_opens_its_popup_and_escape_comes_back(offline_page, main_job_map):  # noqa: F811
    page = offline_page
    open_map(page, main_job_map)
    settle_labels(page)
    _focus_stop(page)
    page.keyboard.press("End")
    # walk back from the south until a single event (not a bubble) has the focus
    at = page.evaluate(_FOCUS_JS)
    while at["bubble"]:
        page.keyboard.press("ArrowUp")
        now = page.evaluate(_FOCUS_JS)
        assert now["name"] != at["name"], "no single event in the first view"
        at = now
    assert re.match(r"[A-ZÅÄÖ][^,]+, vecka \d{4}-W\d\d \(\d+ av \d+\)$", at["name"]), at
    page.keyboard.press("Enter")
    page.wait_for_selector(".leaflet-popup")
    # the focus in the popup, a dialog named as the event (what its button says it opens)
    dialog = page.evaluate(
        "(() => { const d = document.activeElement.closest('.leaflet-popup');"
        " return d && [d.getAttribute('role'), d.getAttribute('aria-label')]; })()"
    )
    assert dialog == ["dialog", _ORDER.sub("", at["name"]).strip()], (dialog, at)
    assert page.locator(".leaflet-popup strong").first.inner_text() == at["name"].split(",")[0]
    page.keyboard.press("Escape")
    page.wait_for_selector(".leaflet-popup", state="detached")
    assert page.evaluate(_FOCUS_JS)["name"] == at["name"]
    expanded = page.evaluate("document.activeElement.getAttribute('aria-expanded')")
    assert expanded == "false"


def test_the_plans_stops_are_walked_in_the_plans_order_and_open_their_reasons(
    offline_page,
    main_job_map,  # noqa: F811
):
    # the plan map's stops, SVG circles, had no tab stop: their reasons opened with a mouse only
    page = offline_page
    path = _saved(main_job_map, "plan")
    errors = open_map(page, path)
    settle_labels(page)
    first = _focus_stop(page)
    n = int(_ORDER.search(first["name"]).group(2))
    assert n >= 2  # the main job's week has stops on two trips
    walked = [first["name"]]
    for _ in range(n - 1):
        page.keyboard.press("ArrowRight")
        walked.append(page.evaluate(_FOCUS_JS)["name"])
    # "Stopp 2. Fjugesta centrum (2 av 4)": the plan's numbers, in the plan's order
    numbers = [int(re.match(r"Stopp (\d+)\. \S", name).group(1)) for name in walked]
    assert numbers == list(range(1, n + 1)), walked
    assert [int(_ORDER.search(name).group(1)) for name in walked] == numbers
    page.keyboard.press("Home")
    page.keyboard.press("Enter")
    page.wait_for_selector(".leaflet-popup")
    assert page.evaluate("!!document.activeElement.closest('.leaflet-popup')")
    title = page.locator(".leaflet-popup strong").first.inner_text()
    assert walked[0].startswith(f"Stopp {title} ("), (title, walked[0])
    page.keyboard.press("Escape")
    page.wait_for_selector(".leaflet-popup", state="detached")
    assert page.evaluate(_FOCUS_JS)["name"] == walked[0]
    assert real_errors(errors) == []


#: JS: the open popup's dialog (the element named "dialog" that holds the focus) as
#: [its name, its text], or null when the focus is not in a popup.
_POPUP_JS = """() => {
  const d = document.activeElement.closest('.leaflet-popup');
  return d && [d.getAttribute('role'), d.getAttribute('aria-label'), d.innerText];
}"""


def _focused_role_and_name(page) -> str:
    """The focused element in the accessibility tree (``aria_snapshot``): ``button "name"``.

    A name holding ": " comes in single quotes (the snapshot is YAML); they are taken off.
    """
    line = page.locator(":focus").aria_snapshot().removeprefix("- ")
    if line.startswith("'") and line.endswith("'"):
        line = line[1:-1].replace("''", "'")
    return line


def _focus_kind(page, kind: str) -> dict:
    """Tab from the page's top to the tab stop of one analysis layer; return the focused."""
    page.evaluate("document.activeElement && document.activeElement.blur()")
    for _ in range(10):
        page.keyboard.press("Tab")
        now = page.evaluate(_FOCUS_JS)
        if now["item"] and _kind(now["name"]) == kind:
            return now
    pytest.fail(f"Tab reached no stop of {kind}")


@pytest.mark.parametrize(
    ("kind", "row"),
    [
        ("gi", "Händelser i rutan"),
        ("vägsträckor", "Trafikhändelser"),
        ("hotspots", "Antal händelser"),
    ],
)
def test_each_analysis_layer_is_one_named_stop_whose_popup_enter_opens(
    offline_page,
    main_job_map,  # noqa: F811
    kind,
    row,
):
    # the hotspots, Gi* cells and road stretches of the internal map opened with a mouse only
    page = offline_page
    errors = open_map(page, main_job_map)
    settle_labels(page)
    at = _focus_kind(page, kind)
    assert _ORDER.search(at["name"]).group(1) == "1"
    n = int(_ORDER.search(at["name"]).group(2))
    assert n >= 2
    # what a screen reader hears: a button named with what it is, how many and its place
    assert _focused_role_and_name(page) == f'button "{at["name"]}"'
    assert page.locator(".leaflet-fokus-pane .fokusring").count() == 1  # a ring shows it
    page.keyboard.press("ArrowDown")
    second = page.evaluate(_FOCUS_JS)
    assert _ORDER.search(second["name"]).group(1) == "2" and _kind(second["name"]) == kind
    assert page.locator(".leaflet-fokus-pane .fokusring").count() == 1  # moved with it
    page.keyboard.press("Enter")
    page.wait_for_selector(".leaflet-popup")
    page.wait_for_function("!!document.activeElement.closest('.leaflet-popup')")
    role, label, text = page.evaluate(_POPUP_JS)
    name = _ORDER.sub("", second["name"]).strip()
    assert (role, label) == ("dialog", name)
    # the count its name says is the popup's
    count = re.search(r": (\d+) ", name).group(1)
    assert re.search(rf"{row}\s+{count}\b", text), (name, text)
    page.keyboard.press("Escape")
    page.wait_for_selector(".leaflet-popup", state="detached")
    assert page.evaluate(_FOCUS_JS)["name"] == second["name"]
    assert page.evaluate("document.activeElement.getAttribute('aria-expanded')") == "false"
    assert real_errors(errors) == []


def test_a_layer_switched_off_or_out_of_view_has_no_stop(offline_page, main_job_map):  # noqa: F811
    page = offline_page
    open_map(page, main_job_map)
    settle_labels(page)
    layers = page.locator(".leaflet-control-layers-overlays label")
    per_theme = layers.filter(has_text="Hotspots per tema").locator("input")
    per_category = layers.filter(has_text="Hotspots per kategori").locator("input")
    assert per_theme.is_checked() and not per_category.is_checked()
    hotspots = [s for s in _stops_to_zoom(page) if _kind(s) == "hotspots"]
    assert len(hotspots) == 1
    per_theme.uncheck()
    assert [s for s in _stops_to_zoom(page) if _kind(s) == "hotspots"] == []
    assert page.locator(f'{_ITEMS}[aria-label^="Hotspot"]').count() == 0
    per_category.check()  # the categories' hotspots, one stop of their own
    page.wait_for_timeout(100)
    hotspots = [s for s in _stops_to_zoom(page) if _kind(s) == "hotspots"]
    assert len(hotspots) == 1 and re.match(r"Hotspot .*, [A-ZÅÄÖ][a-zåäö]", hotspots[0])
    # zoomed in on Fjugesta: only the cells in view are walked
    before = [s for s in _stops_to_zoom(page) if _kind(s) == "gi"]
    page.evaluate(f"window[{MAP_JS}[0]].setView([59.174, 14.873], 13, {{animate: false}})")
    settle_labels(page)
    after = [s for s in _stops_to_zoom(page) if _kind(s) == "gi"]
    assert int(_ORDER.search(after[0]).group(2)) < int(_ORDER.search(before[0]).group(2))


def test_the_shared_maps_cells_are_named_by_their_rounded_counts_and_open(
    offline_page,
    main_job_map,  # noqa: F811
):
    page = offline_page
    errors = open_map(page, _saved(main_job_map, "lagesbild-delad.html"))
    settle_labels(page)
    at = _stops_to_zoom(page)[1]
    # a theme, the nearest named place and the rounded count its popup shows; no free text
    assert re.match(r"[A-ZÅÄÖ][a-zåäö ]+( nära [^:]+)?: \d+–\d+ händelser \(1 av \d+\)$", at), at
    page.locator(f'{_ITEMS}[tabindex="0"]').focus()
    assert _focused_role_and_name(page) == f'button "{at}"'
    page.keyboard.press("Enter")
    page.wait_for_function("!!document.activeElement.closest('.leaflet-popup')")
    role, label, text = page.evaluate(_POPUP_JS)
    assert (role, label) == ("dialog", _ORDER.sub("", at).strip())
    theme, counts = re.match(r"(.+?)(?: nära [^:]+)?: (\d+–\d+) händelser", at).groups()
    assert re.search(rf"^{re.escape(theme)}$", text, re.M), text
    assert re.search(rf"Antal händelser\s+{counts}", text), text
    page.keyboard.press("Escape")
    page.wait_for_selector(".leaflet-popup", state="detached")
    assert page.evaluate(_FOCUS_JS)["name"] == at
    assert real_errors(errors) == []
