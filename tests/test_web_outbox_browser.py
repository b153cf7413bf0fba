"""The outbox in a real browser: a permission refusal ends the retries, and reports belong to
their account (a patrol car's phone is shared: the next officer neither sends nor reads them).
"""

from __future__ import annotations

import json
import time
import uuid

import pytest
from _web_fixtures import PASSWORD, make_store, running_server

from geo import patrol_passes, users
from tests._browser import wait_until
from tests._pass_fixtures import add_police, pass_payload
from tests.test_web_browser import app_page

pytestmark = pytest.mark.browser

OUTBOX = "geo-utkorg-v1"
REFUSED = "geo-avvisade-v1"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("outbox-browser")
    path = make_store(folder)
    add_police(path)
    users.add_user("kalle", org="polis", role="editor", password=PASSWORD, path=path)
    with running_server(path, folder / "server.log") as base:
        yield base, path


def stored_list(pg, key):
    return json.loads(pg.evaluate(f"localStorage.getItem('{key}') || '[]'"))


def put_list(pg, key, items):
    pg.evaluate("([k, v]) => localStorage.setItem(k, v)", [key, json.dumps(items)])


def queued_pass(user, results, **fields):
    """An outbox item as the pass form makes it, of the account ``user``."""
    pid = str(uuid.uuid4())
    body = {**pass_payload(results=results, **fields), "end_date": ""}
    return {"id": pid, "kind": "pass", "url": f"/api/pass/{pid}", "body": body, "user": user}


def pass_puts(context):
    """Count the PUTs to /api/pass… the browser sends (a list that grows)."""
    seen = []
    context.on(
        "request",
        lambda r: seen.append(r.url) if r.method == "PUT" and "/api/pass/" in r.url else None,
    )
    return seen


def fill_pass(pg, results):
    pg.fill("#pass-date", "2025-12-01")
    pg.fill("#pass-start", "18:00")
    pg.fill("#pass-end", "18:45")
    pg.fill("#pass-places", "Fjugesta centrum")
    pg.fill("#pass-activity", "närvaro/synlighet")
    pg.fill("#pass-results", results)
    pg.click("#spara-pass")


def test_a_pass_refused_for_permission_goes_to_the_refused_list_once(browser, server):
    base, path = server
    pg = app_page(browser, base, name="kalle")
    context = pg.context
    pg.goto("/pass")
    context.set_offline(True)
    fill_pass(pg, "väntade offline")
    wait_until(pg, f"JSON.parse(localStorage.getItem('{OUTBOX}') || '[]').length === 1")
    [item] = stored_list(pg, OUTBOX)
    assert item["user"] == "kalle"
    pg.close()
    # while the report waited, kalle became a viewer: sending again can never help
    users.add_user("kalle", org="polis", role="viewer", password=PASSWORD, path=path)
    context.set_offline(False)
    puts = pass_puts(context)
    tab = context.new_page()
    tab.errors = []
    tab.on("pageerror", lambda e: tab.errors.append(str(e)))
    tab.goto("/pass")
    box = tab.locator("#avvisade")
    box.wait_for(state="visible")
    assert "polisens redigerare" in box.inner_text()  # the server's Swedish reason
    assert "2025-12-01 · Fjugesta centrum" in box.inner_text()
    time.sleep(7)  # the outbox's back-off: 2 s, 4 s … a retry would have come by now
    assert len(puts) == 1, puts
    assert stored_list(tab, OUTBOX) == []
    [refused] = stored_list(tab, REFUSED)
    assert refused["id"] == item["id"] and refused["user"] == "kalle"
    assert refused["body"]["results"] == "väntade offline"  # the text is kept
    assert tab.locator("#utkorg").inner_text() == ""
    assert patrol_passes.read_pass(item["id"], path=path) is None
    assert tab.errors == []
    context.close()


def test_logout_clears_the_accounts_reports_and_the_next_account_sends_only_its_own(
    browser, server
):
    base, path = server
    pg = app_page(browser, base, name="per")
    context = pg.context
    puts = pass_puts(context)
    olles = queued_pass("olle", "olles väntande pass")
    put_list(pg, OUTBOX, [olles])  # left by olle, whose session ran out on this phone
    pers_refused = {**queued_pass("per", "pers avvisade anteckning"), "detail": "Nej."}
    put_list(pg, REFUSED, [pers_refused])
    pg.goto("/pass")
    assert "väntar på olle" in pg.locator("#utkorg").inner_text()
    assert "Nej." in pg.locator("#avvisade").inner_text()  # per's own refused report
    assert puts == []  # olle's report waits for olle

    # per's own pass cannot reach the server (the connection drops for the write)
    pg.route("**/api/pass/*", lambda route: route.abort())
    fill_pass(pg, "pers osända anteckning")
    wait_until(pg, "document.getElementById('meddelande').textContent.includes('Ingen')")
    assert [i["user"] for i in stored_list(pg, OUTBOX)] == ["olle", "per"]

    asked = []
    pg.once("dialog", lambda d: (asked.append(d.message), d.accept()))
    pg.click("#logga-ut button")
    pg.wait_for_url(f"{base}/login")
    assert "1 osänd" in asked[0] and "1 avvisad" in asked[0]
    assert stored_list(pg, OUTBOX) == [olles]  # per's gone, olle's kept for olle
    assert stored_list(pg, REFUSED) == []
    assert "anteckning" not in pg.evaluate("JSON.stringify(localStorage)")
    pg.unroute("**/api/pass/*")

    sent_before = len(puts)
    pg.fill("input[name=name]", "olle")
    pg.fill("input[name=password]", PASSWORD)
    pg.click("button[type=submit]")
    pg.wait_for_url(f"{base}/")
    wait_until(pg, f"JSON.parse(localStorage.getItem('{OUTBOX}') || '[]').length === 0")
    assert puts[sent_before:] == [f"{base}{olles['url']}"]  # only olle's own
    stored = patrol_passes.read_pass(olles["id"], path=path)
    assert stored is not None and stored["logged_by"] == "olle"
    assert pg.errors == []
    context.close()


def test_the_login_page_clears_what_a_logout_elsewhere_left_and_holds_other_accounts(
    browser, server
):
    base, path = server
    pg = app_page(browser, base, name="per")
    context = pg.context
    puts = pass_puts(context)
    left = queued_pass("per", "kvar efter utloggning i en annan flik")
    put_list(pg, OUTBOX, [left])
    put_list(pg, REFUSED, [{**left, "detail": "Nej."}])
    # a logout that runs no script of this page (another tab, a form posted by hand)
    token = json.loads(pg.locator("#cfg").text_content())["csrf"]
    r = pg.request.post(f"{base}/logout", form={"csrf_token": token}, max_redirects=0)
    assert r.status == 303
    pg.goto("/login")
    assert stored_list(pg, OUTBOX) == [] and stored_list(pg, REFUSED) == []

    # per's session ran out instead (no logout): olle's login neither sends nor shows it
    expired = queued_pass("per", "pers pass från ett utgånget pass")
    put_list(pg, OUTBOX, [expired])
    put_list(pg, REFUSED, [{**queued_pass("per", "pers hemliga anteckning"), "detail": "Nej."}])
    pg.fill("input[name=name]", "olle")
    pg.fill("input[name=password]", PASSWORD)
    pg.click("button[type=submit]")
    pg.wait_for_url(f"{base}/")
    pg.goto("/pass")
    assert "väntar på per" in pg.locator("#utkorg").inner_text()
    assert pg.locator("#avvisade").is_hidden()
    assert "hemliga" not in pg.content()
    time.sleep(2.5)
    assert puts == []
    assert patrol_passes.read_pass(expired["id"], path=path) is None
    assert pg.errors == []
    context.close()
