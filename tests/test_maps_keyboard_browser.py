"""The lägesbild's bubbles and single events with the keyboard alone, in a real browser.

On the map `geo run` draws: Tab reaches the map's buttons past one bubble (not past every
bubble), the arrow keys walk the bubbles and events from north to south, Enter on a bubble
zooms in as a click does and leaves the focus on a bubble or event there, Enter on a single
event opens its popup with the focus in it and Escape puts the focus back; each is a button
named with what it holds and the place it lies near (``geo/maps/mapkeys.js``).
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


def _focus_stop(page) -> dict:
    page.locator(f'{_ITEMS}[tabindex="0"]').focus()
    return page.evaluate(_FOCUS_JS)


@pytest.mark.parametrize("name", ["lagesbild.html", "lagesbild-delad.html", "plan"])
def test_tab_reaches_the_map_buttons_past_one_named_map_stop(offline_page, main_job_map, name):  # noqa: F811
    # the internal map had 62 bubbles and 45 unnamed road lines as tab stops before its zoom
    # buttons (the plan map 47 road lines): a keyboard user pressed Tab 107 times to zoom
    page = offline_page
    path = _saved(main_job_map, name)
    errors = open_map(page, path)
    settle_labels(page)
    page.evaluate("document.activeElement && document.activeElement.blur()")
    seen = []
    for _ in range(6):
        page.keyboard.press("Tab")
        now = page.evaluate(_FOCUS_JS)
        if now["name"] == "Zooma in":
            break
        seen.append(now["name"])
    else:
        pytest.fail(f"{name}: Tab did not reach the zoom buttons: {seen}")
    assert seen[0].startswith("DIV.folium-map"), seen  # the map itself: its arrows move it
    assert len(seen) <= 2, seen  # and at most one bubble or event
    assert all(_ORDER.search(stop) for stop in seen[1:]), seen
    if name == "lagesbild.html":
        assert page.locator(_ITEMS).count() > 20  # tens of bubbles at the first view
        assert page.locator(f'{_ITEMS}[tabindex="0"]').count() == 1
        assert len(seen) == 2
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
    assert page.locator(f'{_ITEMS}[tabindex="0"]').count() == 1


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
    assert page.locator(f'{_ITEMS}[tabindex="0"]').count() == 1


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
