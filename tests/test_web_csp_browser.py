"""The marking app's Content-Security-Policy in a real browser: it blocks, and the pages work.

Every page is used as staff use it (marking, the spot's page with its draggable point, the
list, an observation, Pass with a ticked stop, Aktiviteter) while the browser reports each
``securitypolicyviolation`` into ``page.errors`` (:func:`tests.test_web_browser.app_page`).
"""

from __future__ import annotations

import uuid

import pytest
from _web_fixtures import client, make_store, running_server, spot_payload

from geo.web.passes import this_week
from geo.weeks import shift_week
from tests._browser import wait_until
from tests._pass_fixtures import store_plan
from tests.test_web_browser import app_page, drag_pin, mark_point, tag

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("csp-browser")
    path = make_store(folder)
    week = shift_week(this_week(), -1)
    store_plan(path, week)
    with running_server(path, folder / "server.log") as base:
        yield base, week


def test_the_policy_blocks_an_inline_script_and_style_and_no_page_needs_one(browser, server):
    base, week = server
    pg = app_page(browser, base, "anna")
    # the policy is in force: a script or a style attribute written into the page (what an
    # unescaped text would do) neither runs nor styles, and the browser says so
    ran = pg.evaluate(
        """() => {
          const s = document.createElement('script');
          s.textContent = 'window.__ran = 1';
          document.body.append(s);
          const p = document.createElement('p');
          p.setAttribute('style', 'color: rgb(255, 0, 0)');
          document.body.append(p);
          return [window.__ran === 1, getComputedStyle(p).color === 'rgb(255, 0, 0)'];
        }"""
    )
    assert ran == [False, False]
    for _ in range(100):  # the violation events come as tasks after the script returned
        if len(pg.errors) >= 2:
            break
        pg.wait_for_timeout(50)
    blocked = [e.split(" ")[1] for e in pg.errors]
    assert blocked == ["script-src-elem", "style-src-attr"], pg.errors
    pg.errors.clear()

    # the marking page: a point marked and saved, Leaflet.draw's tooltips on the way
    wait_until(pg, "document.getElementById('karta').dataset.antal !== undefined")
    mark_point(pg, 0.5, 0.5, f"Buskörning vid skolan {tag()}")
    wait_until(pg, "document.getElementById('meddelande').textContent.startsWith('Sparad.')")
    # a spot's page: its map and the point dragged, the edit saved
    with client(base, "anna") as anna:
        sid = str(uuid.uuid4())
        assert anna.put(f"/api/spots/{sid}", json=spot_payload()).status_code == 201
    pg.goto(f"/markering/{sid}")
    pg.click("details.redigera summary")
    pg.wait_for_selector("#flytta-hjalp", state="visible")
    drag_pin(pg, pg.locator("#minikarta .leaflet-marker-draggable"), 40, 0)
    pg.click("#redigera button[type=submit]")
    wait_until(pg, "document.querySelectorAll('#historik tbody tr').length >= 2")
    # the list, an observation's page with its map, and the activity plan, saved
    pg.goto("/lista")
    pg.goto("/observation")
    pg.wait_for_selector("#karta path.leaflet-interactive, #karta path", state="attached")
    pg.goto("/aktiviteter")
    pg.fill("#antal-N2-kommun", "2")
    pg.click("#form-N2-kommun button[type=submit]")
    pg.wait_for_url("**/aktiviteter?manad=*&sparad=*")
    assert pg.errors == []
    pg.context.close()

    # the police's Pass page: last week's plan, a stop ticked, the pass saved
    police = app_page(browser, base, "per")
    police.goto(f"/pass?vecka={week}")
    police.check("input[name=stopp][value='1']")
    police.fill("#pass-results", "2 samtal")
    police.click("#spara-pass")
    police.wait_for_url("**/pass?vecka=*&sparad=1")
    police.goto(f"/markering/{sid}")  # a spot's page with the police's status form
    police.select_option("#ny-status", "bedomd")
    police.fill("#kommentar", "Bedömd: hastighetskontroll")
    police.click("#statusform button[type=submit]")
    wait_until(police, "document.getElementById('status').textContent.includes('Bedömd')")
    assert police.errors == []
    police.context.close()
