"""WCAG 2.1 AA (DOS-lagen) on the maps `geo run` writes, in a real browser.

The internal lägesbild, the shared lägesbild and the week's plan map, as the main job draws
them, on a laptop (1366 × 768) and on a phone (390 × 844): axe-core (``tests/_axe.py``) runs
with the WCAG 2.0/2.1 A and AA rules and the structure rules after each step a user takes
(the first view, a popup open, the layer list open, on a phone the folded boxes opened, and
on the internal map the week slider moved and a category box unticked, and last the place
search's hit list open with a hit chosen by the arrow keys). Any violation fails
the test with its step, rule, impact and element. No selector is left out of the check.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests._axe import axe_violations, describe
from tests._browser import MAP_JS, open_map, real_errors
from tests.test_maps_browser import main_job_map  # noqa: F401  (the fixture, built once here)

pytestmark = pytest.mark.browser

VIEWPORTS: dict[str, dict[str, int]] = {
    "desktop": {"width": 1366, "height": 768},
    "phone": {"width": 390, "height": 844},
}

#: Open a popup as a click does: an incident drawn on its own (not in a bubble) where the map
#: has them, else the feature drawn last (a stop, a cell); false if there is none.
_OPEN_POPUP_JS = f"""() => {{
  const map = window[{MAP_JS}[0]];
  let lone = null, last = null;
  map.eachLayer((l) => {{
    if (!lone && L.MarkerClusterGroup && l instanceof L.MarkerClusterGroup) {{
      lone = l.getLayers().find((m) => m.getPopup() && l.getVisibleParent(m) === m) || null;
    }}
    if (l.feature && l.getPopup && l.getPopup() && l._map) last = l;
  }});
  const pick = lone || last;
  if (pick) pick.openPopup();
  return !!pick;
}}"""


def _first_view(page: Any) -> None:
    """The map as it opens (its names placed, the kommun fitted)."""


def _popup(page: Any) -> None:
    assert page.evaluate(_OPEN_POPUP_JS), "no feature with a popup on the map"
    page.wait_for_selector(".leaflet-popup-content")


def _layer_list(page: Any) -> None:
    """The layer list open (a phone shows it folded to its button)."""
    page.keyboard.press("Escape")
    page.evaluate(f"() => window[{MAP_JS}[0]].closePopup()")
    control = page.locator(".leaflet-control-layers")

    def expanded() -> bool:
        return "leaflet-control-layers-expanded" in (control.get_attribute("class") or "")

    if not expanded():
        # the list opens once the pointer is on its button (the plan's), or on a tap
        box = page.locator(".leaflet-control-layers-toggle").bounding_box()
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        page.mouse.move(x, y)
        if not expanded():
            page.mouse.click(x, y)
    page.wait_for_selector(".leaflet-control-layers-expanded")


def _boxes_opened(page: Any) -> None:
    """On a phone: the legend and the info box, folded to their titles, opened by the keys."""
    page.evaluate(f"() => window[{MAP_JS}[0]].closePopup()")
    for title in page.locator("button.geo-fold").all():
        title.focus()
        page.keyboard.press("Enter")
        assert title.get_attribute("aria-expanded") == "true"
    assert page.locator(".geo-folded").count() == 0


def _week_and_categories(page: Any) -> None:
    """The week slider moved with the keyboard, a span chosen and a category unticked."""
    page.evaluate(f"() => window[{MAP_JS}[0]].closePopup()")
    page.locator("input.geo-week-input").focus()
    page.keyboard.press("ArrowLeft")
    page.locator("select.geo-week-span").select_option("4")
    page.locator(".geo-cats summary").click()
    page.locator("label.geo-cat input").first.uncheck()


def _measuring(page: Any) -> None:
    """The measuring tool opened (it opens under the pointer) and a measuring started."""
    page.evaluate(f"() => window[{MAP_JS}[0]].closePopup()")
    box = page.locator(".leaflet-control-measure-toggle").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.locator(".leaflet-control-measure .js-start").click()
    page.wait_for_selector(".leaflet-control-measure .js-measuringprompt", state="visible")


#: A query with several hits on every map (bathing sites and a place called so).
SEVERAL = "bad"


def _place_search(page: Any) -> None:
    """The place search's hit list open (a query with several hits) and the second chosen."""
    page.evaluate(f"() => window[{MAP_JS}[0]].closePopup()")
    box = page.locator(".leaflet-control-search input")
    box.focus()
    page.keyboard.type(SEVERAL)
    page.wait_for_selector(".leaflet-control-search .search-tooltip li", state="visible")
    assert page.locator(".leaflet-control-search .search-tooltip li").count() >= 2
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")


STEPS: dict[str, Callable[[Any], None]] = {
    "första vyn": _first_view,
    "popup": _popup,
    "mätverktyget": _measuring,
    "lagerlistan": _layer_list,
}
#: The maps (their file in the main job's folder) and the steps only they have.
MAPS: dict[str, tuple[str, dict[str, Callable[[Any], None]]]] = {
    "lagesbild": ("lagesbild.html", {"vecka och kategorier": _week_and_categories}),
    "delad": ("lagesbild-delad.html", {}),
    "plan": ("plan-*.html", {}),
}


def _map_file(folder: Path, pattern: str) -> Path:
    found = sorted(p for p in folder.glob(pattern) if not p.stem.endswith("-a4"))
    assert len(found) == 1, (pattern, found)
    return found[0]


@pytest.mark.parametrize("size", list(VIEWPORTS))
@pytest.mark.parametrize("name", list(MAPS))
def test_the_map_passes_axe_at_each_step(offline_page, main_job_map, name, size):  # noqa: F811
    pattern, own_steps = MAPS[name]
    path = _map_file(main_job_map.parent, pattern)
    page = offline_page  # every http(s) request aborted
    page.set_viewport_size(VIEWPORTS[size])
    errors = open_map(page, path)
    page.wait_for_timeout(400)  # the first fit and the names' placing
    steps = {**STEPS, **own_steps}
    if size == "phone":
        steps["rutorna öppnade"] = _boxes_opened
    steps["platssökningens träfflista"] = _place_search
    found = []
    for step, action in steps.items():
        action(page)
        violations = axe_violations(page)
        if violations:
            found.append(f"-- {step}\n{describe(violations)}")
    assert real_errors(errors) == []
    assert not found, "\n".join(found)


#: The legend's state: whether its content is taller than it (it scrolls), whether it is in
#: the tab order (``tabIndex`` ≥ 0), and whether Tab from the tab stop before it in the page
#: lands on it (the focus put on that stop first; the stop's own name if there is one).
_LEGEND_JS = """() => {
  const l = document.querySelector('.geo-legend');
  const stops = [...document.querySelectorAll('a[href], button, input, select, [tabindex]')]
    .filter((e) => e.tabIndex >= 0 && e !== l && e.getClientRects().length
                   && (e.compareDocumentPosition(l) & Node.DOCUMENT_POSITION_FOLLOWING));
  const before = stops[stops.length - 1] || null;
  if (before) before.focus();
  return {scrolls: l.scrollHeight > l.clientHeight, tabIndex: l.tabIndex,
          before: !!before && document.activeElement === before};
}"""


#: Whether the legend's content is taller than the legend (it scrolls).
_LEGEND_SCROLLS_JS = """() => {
  const l = document.querySelector('.geo-legend');
  return l.scrollHeight > l.clientHeight;
}"""


def _legend_on_tab(page: Any) -> dict[str, Any]:
    """The legend's state, Tab pressed from the stop before it: ``reached`` if it got focus."""
    state: dict[str, Any] = page.evaluate(_LEGEND_JS)
    assert state["before"], "no tab stop before the legend to start from"
    page.keyboard.press("Tab")
    state["reached"] = page.evaluate(
        "() => document.activeElement === document.querySelector('.geo-legend')"
    )
    return state


def test_the_legend_is_a_tab_stop_only_while_it_scrolls(offline_page, main_job_map):  # noqa: F811
    # the legend was always a tab stop, also where it showed all it has: one more Tab that
    # does nothing. It is one while it scrolls (the arrow keys scroll it), on a laptop's
    # screen as on a short window, and again not once the window is tall enough
    path = _map_file(main_job_map.parent, "lagesbild-delad.html")
    page = offline_page  # every http(s) request aborted
    page.set_viewport_size(VIEWPORTS["desktop"])
    errors = open_map(page, path)
    page.wait_for_timeout(400)
    fits = _legend_on_tab(page)
    assert not fits["scrolls"], "the shared map's legend should fit a 1366 × 768 screen"
    assert fits["tabIndex"] < 0 and not fits["reached"]

    page.set_viewport_size({"width": 1366, "height": 400})
    page.wait_for_function(_LEGEND_SCROLLS_JS)  # capped to its room after the resize
    page.wait_for_timeout(100)
    short = _legend_on_tab(page)
    assert short["scrolls"] and short["tabIndex"] == 0 and short["reached"]
    page.keyboard.press("ArrowDown")
    page.wait_for_function("() => document.querySelector('.geo-legend').scrollTop > 0")
    violations = axe_violations(page)
    assert not violations, describe(violations)

    page.set_viewport_size(VIEWPORTS["desktop"])
    page.wait_for_function(f"() => !({_LEGEND_SCROLLS_JS})()")
    page.wait_for_timeout(100)
    again = _legend_on_tab(page)
    assert not again["scrolls"] and again["tabIndex"] < 0 and not again["reached"]
    assert real_errors(errors) == []


def test_on_a_phone_the_folded_legend_is_no_tab_stop_and_opened_one_while_it_scrolls(
    offline_page,
    main_job_map,  # noqa: F811
):
    # folded to its title the legend's button is the tab stop; opened, the legend is one more
    # only where its content is taller than its room (the internal map's long legend)
    page = offline_page  # every http(s) request aborted
    page.set_viewport_size(VIEWPORTS["phone"])
    seen = {}
    for name in ("lagesbild.html", "lagesbild-delad.html"):
        errors = open_map(page, _map_file(main_job_map.parent, name))
        page.wait_for_timeout(400)
        folded = page.evaluate(_LEGEND_JS)
        assert not folded["scrolls"] and folded["tabIndex"] < 0, name
        page.locator(".geo-legend button.geo-fold").click()
        opened = page.evaluate(_LEGEND_JS)
        assert (opened["tabIndex"] == 0) == opened["scrolls"], name
        seen[name] = opened["scrolls"]
        assert real_errors(errors) == []
    # both cases met: the internal map's legend scrolls on a phone, the shared one's not
    assert seen == {"lagesbild.html": True, "lagesbild-delad.html": False}


def test_the_place_search_is_a_combobox_its_arrows_walk_the_hits_and_enter_chooses(
    offline_page,
    main_job_map,  # noqa: F811
):
    # the box was an <input role="search"> named by its placeholder and its hits a plain
    # list, the chosen one only a colour: a screen reader heard neither the hits nor the
    # choice. The keys: the arrows walk the hits, Enter shows the chosen place, Escape empties
    # the box and leaves the focus in it
    page = offline_page  # every http(s) request aborted
    page.set_viewport_size(VIEWPORTS["desktop"])
    errors = open_map(page, _map_file(main_job_map.parent, "lagesbild-delad.html"))
    page.wait_for_timeout(400)
    box = page.get_by_role("search").get_by_role("combobox", name="Sök plats")
    assert box.get_attribute("aria-expanded") == "false"
    box.focus()
    page.keyboard.type(SEVERAL)
    hits = page.get_by_role("listbox", name="Platser som hittades")
    hits.wait_for()
    names = hits.get_by_role("option").all_inner_texts()
    assert len(names) >= 3
    assert box.get_attribute("aria-expanded") == "true"
    assert box.get_attribute("aria-controls") == hits.get_attribute("id")
    status = page.get_by_role("status")
    assert status.inner_text().startswith(f"{len(names)} platser hittades")

    def chosen() -> tuple[str, list[str]]:
        """The hit the box says is chosen, and the hits marked chosen."""
        active = box.get_attribute("aria-activedescendant")
        said = page.locator(f"#{active}").inner_text() if active else ""
        return said, hits.get_by_role("option", selected=True).all_inner_texts()

    assert chosen() == ("", [])
    walk = [("ArrowDown", 0), ("ArrowDown", 1), ("ArrowDown", 2), ("ArrowUp", 1)]
    walk += [("ArrowUp", 0), ("ArrowUp", None), ("ArrowDown", 0), ("ArrowDown", 1)]
    for key, at in walk:  # up from the first: back in the box, no hit chosen
        page.keyboard.press(key)
        assert chosen() == ((names[at], [names[at]]) if at is not None else ("", [])), key
    assert box.input_value() == names[1]  # the box shows the chosen name
    page.keyboard.press("Enter")  # the map flies there and opens the place's popup
    page.locator(".leaflet-popup-content").wait_for()
    assert page.locator(".leaflet-popup-content").inner_text().startswith(names[1])
    assert not hits.is_visible() and box.get_attribute("aria-expanded") == "false"
    assert box.get_attribute("aria-activedescendant") is None
    assert status.inner_text() == f"Visar {names[1]}"
    page.wait_for_timeout(800)  # the flight
    violations = axe_violations(page)
    assert not violations, describe(violations)

    box.focus()
    page.keyboard.press("Escape")
    assert box.input_value() == "" and box.evaluate("e => e === document.activeElement")
    assert real_errors(errors) == []
