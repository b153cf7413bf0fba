"""WCAG 2.1 AA (DOS-lagen) on the maps `geo run` writes, in a real browser.

The internal lägesbild, the shared lägesbild and the week's plan map, as the main job draws
them, on a laptop (1366 × 768) and on a phone (390 × 844): axe-core (``tests/_axe.py``) runs
with the WCAG 2.0/2.1 A and AA rules and the structure rules after each step a user takes
(the first view, a popup open, the layer list open, on a phone the folded boxes opened, and
on the internal map the week slider moved and a category box unticked). Any violation fails
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
def test_the_map_passes_axe_at_each_step(browser, main_job_map, name, size):  # noqa: F811
    pattern, own_steps = MAPS[name]
    path = _map_file(main_job_map.parent, pattern)
    context = browser.new_context(viewport=VIEWPORTS[size], service_workers="block")
    page = context.new_page()
    page.route(
        "**/*",
        lambda r: r.abort() if r.request.url.startswith(("http:", "https:")) else r.continue_(),
    )
    try:
        errors = open_map(page, path)
        page.wait_for_timeout(400)  # the first fit and the names' placing
        steps = {**STEPS, **own_steps}
        if size == "phone":
            steps["rutorna öppnade"] = _boxes_opened
        found = []
        for step, action in steps.items():
            action(page)
            violations = axe_violations(page)
            if violations:
                found.append(f"-- {step}\n{describe(violations)}")
        assert real_errors(errors) == []
        assert not found, "\n".join(found)
    finally:
        context.close()
