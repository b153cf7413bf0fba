"""The pass page in a real browser: a police officer on a phone logs a planned stop as done."""

from __future__ import annotations

import sqlite3
import uuid

import pandas as pd
import pytest
from _web_fixtures import make_store, running_server

from geo import patrol_log, patrol_passes
from geo.users import User
from geo.web.passes import this_week
from geo.weeks import shift_week, week_monday
from tests._browser import wait_until
from tests._pass_fixtures import add_police, pass_payload, store_plan, store_trip_plan
from tests.test_web_browser import PHONE, app_page, assert_fits_phone

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pass-browser")
    path = make_store(folder)
    add_police(path)
    week = shift_week(this_week(), -1)  # a week lived: a pass after now is refused
    stops = store_plan(path, week)
    store_trip_plan(path, shift_week(week, -1))  # the week before: a plan of two trips
    with running_server(path, folder / "server.log") as base:
        yield base, path, week, stops


def open_pass_page(browser, base, name):
    """Log ``name`` in on a phone, open the pass page from the menu and step to last week."""
    page = app_page(browser, base, name=name, **PHONE)
    page.tap("nav a[href='/pass']")
    page.wait_for_url(f"{base}/pass")
    page.tap("#forra-veckan")
    page.wait_for_url(f"{base}/pass?vecka=*")
    return page


def week_minutes(path, week) -> float:
    log = patrol_log.read_log(path)
    return float(patrol_log.minutes_per_week(log, first_week=week, last_week=week)["minutes"][0])


def test_police_on_a_phone_tick_a_planned_stop_and_log_45_minutes(browser, server):
    base, path, week, stops = server
    phone = open_pass_page(browser, base, "per")
    assert "0 av 120 min" in phone.locator("#summa").inner_text()
    assert phone.locator("#planstopp tbody tr").count() == 2
    assert_fits_phone(phone, "/pass")

    phone.tap("label.val:has(input[name=stopp][value='1'])")  # stop 1 done: fills the form
    day = f"{stops['start'][0]:%Y-%m-%d}"
    assert phone.input_value("#pass-date") == day
    assert (phone.input_value("#pass-start"), phone.input_value("#pass-end")) == ("18:00", "18:15")
    assert phone.input_value("#pass-places") == "Fjugesta centrum"
    assert phone.input_value("#pass-activity") == "närvaro/synlighet"

    phone.fill("#pass-end", "17:30")  # a slip: before the start
    phone.tap("#spara-pass")
    error = phone.locator("[data-fel=end]")
    error.wait_for()
    assert "Sluttiden 17:30 är inte efter starttiden 18:00" in error.inner_text()
    assert phone.get_attribute("#pass-end", "aria-invalid") == "true"
    assert week_minutes(path, week) == 0

    phone.fill("#pass-end", "18:45")
    phone.fill("#pass-results", "stoppade ABC 123")  # a registration number: refused
    phone.tap("#spara-pass")
    error = phone.locator("[data-fel=results]")
    error.wait_for()
    assert error.inner_text().startswith("Texten ser ut att innehålla ett registreringsnummer")
    assert phone.get_attribute("#pass-results", "aria-invalid") == "true"
    assert phone.get_attribute("#pass-end", "aria-invalid") is None
    assert week_minutes(path, week) == 0

    phone.fill("#pass-results", "2 samtal, inga rapporter")
    phone.tap("#spara-pass")
    phone.wait_for_url("**/pass?vecka=*&sparad=1")
    assert phone.locator("#meddelande").inner_text() == "Passet är sparat."
    assert "45 av 120 min" in phone.locator("#summa").inner_text()
    assert week_minutes(path, week) == 45  # what the monthly report counts
    row = phone.locator("#passtabell tbody tr")
    assert row.count() == 1 and "2 samtal, inga rapporter" in row.inner_text()
    assert "loggad" in phone.locator("#planstopp tr[data-stopp='1']").inner_text()
    assert_fits_phone(phone, "/pass with a pass")

    phone.tap("#passtabell button.ratta")  # a correction: it ended at 19:00
    assert phone.locator("#form-rubrik").inner_text() == "Rätta passet"
    assert phone.input_value("#pass-end") == "18:45"
    phone.fill("#pass-end", "19:00")
    phone.tap("#spara-pass")
    wait_until(phone, "document.getElementById('summa').textContent.includes('60 av 120')")
    assert week_minutes(path, week) == 60
    assert phone.locator("#passtabell tbody tr").count() == 1
    phone.tap("#passtabell details.historik summary")
    history = phone.locator("#passtabell details.historik").inner_text()
    assert "Ändrat 1 gång" in history and "per: Skapad" in history
    assert "Slut: " in history and "18:45 → " in history and "19:00" in history
    assert_fits_phone(phone, "/pass with a pass's history open")
    assert phone.errors == []
    phone.context.close()


def test_a_ticked_trip_fills_its_times_from_the_entry_point_and_one_trip_per_pass(browser, server):
    # a kommunpolis's week: the plan's two trips done as planned, each stop ticked on Pass,
    # logged 66 of the plan's 115 minutes (only the stops' own minutes, not the driving in
    # the kommun the löfte and the plan count), and ticking both trips' stops made one pass
    # from Friday's first stop to Saturday's last stop's clock time, on the Friday
    base, path, week, _stops = server
    earlier = shift_week(week, -1)
    phone = app_page(browser, base, name="olle", **PHONE)
    phone.goto(f"{base}/pass?vecka={earlier}")
    trips = phone.locator("#planstopp tr.tur")
    assert trips.count() == 2
    assert "Tur 1" in trips.nth(0).inner_text() and "20:11" in trips.nth(0).inner_text()
    assert "21:21 (70 min)" in trips.nth(0).inner_text()
    assert_fits_phone(phone, "/pass with trips")

    phone.tap("label.val:has(input[name=stopp][value='1'])")
    friday = f"{week_monday(earlier) + pd.Timedelta(days=4):%Y-%m-%d}"
    assert phone.input_value("#pass-date") == friday
    assert (phone.input_value("#pass-start"), phone.input_value("#pass-end")) == ("20:11", "21:21")
    phone.tap("label.val:has(input[name=stopp][value='2'])")
    assert (phone.input_value("#pass-start"), phone.input_value("#pass-end")) == ("20:11", "21:21")
    assert phone.input_value("#pass-places") == "Mullhyttan; Fjugesta centrum"

    phone.tap("label.val:has(input[name=stopp][value='3'])")  # the other trip: one at a time
    assert phone.locator("input[name=stopp]:checked").count() == 1
    saturday = f"{week_monday(earlier) + pd.Timedelta(days=5):%Y-%m-%d}"
    assert phone.input_value("#pass-date") == saturday
    assert (phone.input_value("#pass-start"), phone.input_value("#pass-end")) == ("20:50", "21:35")
    assert phone.input_value("#pass-places") == "väg 204 vid Hidinge"
    assert "eget pass" in phone.locator("#meddelande").inner_text()
    phone.tap("#spara-pass")
    phone.wait_for_url("**/pass?vecka=*&sparad=1")
    assert week_minutes(path, earlier) == 45

    phone.tap("label.val:has(input[name=stopp][value='1'])")
    phone.tap("label.val:has(input[name=stopp][value='2'])")
    phone.tap("#spara-pass")
    wait_until(phone, "document.getElementById('summa').textContent.includes('115 av 120')")
    assert week_minutes(path, earlier) == 45 + 70  # the plan's minutes, done as planned
    assert phone.errors == []
    phone.context.close()


def test_kommun_staff_see_the_minutes_but_not_the_notes_or_the_plan(browser, server):
    base, _path, _week, _stops = server
    page = open_pass_page(browser, base, "anna")
    assert "av 120 min" in page.locator("#summa").inner_text()
    assert page.locator("#planstopp").count() == 0 and page.locator("#passform").count() == 0
    assert "samtal" not in page.content()
    assert_fits_phone(page, "/pass for the kommun")
    assert page.errors == []
    page.context.close()


@pytest.fixture(scope="module")
def trip_server(tmp_path_factory):
    """A store of its own with a plan of two trips two weeks back (a week lived)."""
    folder = tmp_path_factory.mktemp("pass-cancel-browser")
    path = make_store(folder)
    add_police(path)
    week = shift_week(this_week(), -2)
    store_trip_plan(path, week)
    with running_server(path, folder / "server.log") as base:
        yield base, path, week


def test_a_called_off_trip_and_a_controls_counts_are_logged_on_a_phone(browser, trip_server):
    # a kommunpolis's week: Saturday's trip called off for an emergency call elsewhere, which
    # Pass could not log (0 minutes refused); Friday's sobriety check logged "40 blåsta" as
    # free text that the monthly follow-up could not count
    base, path, week = trip_server
    phone = app_page(browser, base, name="per", **PHONE)
    phone.goto(f"{base}/pass?vecka={week}")
    phone.tap("label.val:has(input[name=stopp][value='3'])")  # Saturday's trip
    assert phone.locator("#pass-end").is_visible() and phone.locator("#pass-antal").is_visible()
    phone.select_option("#pass-cancelled", "larm")
    assert not phone.locator("#pass-end").is_visible()  # a cancelled trip has no end
    assert not phone.locator("#pass-antal").is_visible()
    assert "0 minuter" in phone.locator("#pass-cancelled-hjalp").inner_text()
    phone.fill("#pass-results", "larm i Örebro")
    assert_fits_phone(phone, "/pass with a cancelled trip")
    phone.tap("#spara-pass")
    phone.wait_for_url("**/pass?vecka=*&sparad=1")
    row = phone.locator("#passtabell tbody tr").first
    assert "inställt: annat larm/prioriterat ärende" in row.inner_text()
    assert week_minutes(path, week) == 0
    stop3 = phone.locator("tr[data-stopp='3']")
    assert "genomförd" in stop3.inner_text() and "loggad" not in stop3.inner_text()

    phone.tap("label.val:has(input[name=stopp][value='1'])")  # Friday's trip, done
    phone.tap("label.val:has(input[name=stopp][value='2'])")
    assert phone.input_value("#pass-cancelled") == ""
    phone.fill("#pass-activity", "nykterhetskontroll")
    phone.fill("#pass-checked", "40")
    phone.fill("#pass-breath_tests", "38 st")  # as a free text would say it
    phone.tap("#spara-pass")
    error = phone.locator("[data-fel=breath_tests]")
    error.wait_for()
    assert error.inner_text().startswith(
        "Blåsta (utandningsprov): '38 st' — skriv ett heltal från 0"
    )
    assert phone.get_attribute("#pass-breath_tests", "aria-invalid") == "true"
    phone.fill("#pass-breath_tests", "38")
    phone.tap("#spara-pass")
    wait_until(phone, "document.getElementById('summa').textContent.includes('70 av 120')")
    assert (
        "40 kontrollerade förare/fordon, 38 blåsta (utandningsprov)"
        in phone.locator("#passtabell").inner_text()
    )
    log = patrol_log.read_log(path).set_index("cancelled")
    assert (log.loc["", "checked"], log.loc["", "breath_tests"]) == (40, 38)

    # the cancelled pass back in the form to correct: its reason chosen, its end hidden
    phone.locator("#passtabell tr:has-text('inställt') button.ratta").tap()
    assert phone.input_value("#pass-cancelled") == "larm"
    assert not phone.locator("#pass-end").is_visible()
    assert phone.errors == []
    phone.context.close()


def test_a_pass_in_octobers_repeated_hour_is_logged_by_choosing_which_and_mends_the_file(
    browser, trip_server, tmp_path
):
    # the night 2025-10-26 02:00–03:00 came twice: the shift's file wrote 02:10 and was
    # quarantined with a fix (write the offset) the page could not follow, and a pass logged
    # on the page left that row open for good
    base, path, _week = trip_server
    f = tmp_path / "skift.csv"
    f.write_text(
        "datum;start;slut;plats;aktivitet\n2025-10-26;02:10;03:20;Gropen;närvaro/synlighet\n",
        encoding="utf-8",
    )
    assert patrol_log.import_log(f, store_path=path).quarantined == 1
    phone = app_page(browser, base, name="per", **PHONE)
    phone.goto(f"{base}/pass?vecka=2025-W43")
    assert not phone.locator("#pass-start-offset").is_visible()
    phone.fill("#pass-date", "2025-10-26")
    phone.fill("#pass-start", "02:10")
    phone.fill("#pass-end", "03:20")
    phone.fill("#pass-places", "Gropen")
    phone.fill("#pass-activity", "närvaro/synlighet")
    phone.tap("#spara-pass")
    error = phone.locator("[data-fel=start_offset]")
    error.wait_for()
    assert "finns två gånger den 2025-10-26" in error.inner_text()
    assert phone.locator("#pass-start-offset").is_visible()
    assert not phone.locator("#pass-end-offset").is_visible()  # 03:20 came once
    choices = phone.locator("#pass-start-offset label")
    assert choices.all_inner_texts() == [
        "Första gången (sommartid, +02:00)",
        "Andra gången (normaltid, +01:00)",
    ]
    assert phone.evaluate("document.activeElement.name") == "start_offset"
    assert_fits_phone(phone, "/pass asking which 02:10")
    assert week_minutes(path, "2025-W43") == 0

    choices.nth(1).tap()  # the second time: normal time
    phone.tap("#spara-pass")
    phone.wait_for_url("**/pass?vecka=2025-W43&sparad=1&rattade=1")
    said = phone.locator("#meddelande").inner_text()
    assert said.startswith("Passet är sparat. Det rättar en rad som en import av patrulloggen")
    assert week_minutes(path, "2025-W43") == 70  # 02:10 normal time to 03:20
    assert "02:10 normaltid–03:20" in phone.locator("#passtabell").inner_text()
    assert patrol_log.read_log_quarantine(path, open_only=True).empty

    phone.tap("#passtabell button.ratta")  # back in the form: the choice made is kept
    assert phone.locator("#pass-start-offset").is_visible()
    assert phone.is_checked("#pass-start-offset input[value='+01:00']")
    assert phone.errors == []
    phone.context.close()


def test_a_pass_whose_counts_cannot_be_true_is_marked_and_set_right_on_a_phone(browser, server):
    # stored with 45 blåsta of 40 kontrollerade before the check came: the officer is told
    # where the pass is listed, and its correction shows what to change in the form
    base, path, week, _stops = server
    old = shift_week(week, -3)  # a week no other test logs in
    day = f"{week_monday(old) + pd.Timedelta(days=1):%Y-%m-%d}"
    pid = str(uuid.uuid4())
    body = pass_payload(date=day, activity="nykterhetskontroll", checked="40", breath_tests="38")
    patrol_passes.save_pass(pid, body, user=User("per", "polis", "editor"), path=path)
    with sqlite3.connect(path) as conn:  # as the version before the rule stored it
        conn.execute("UPDATE patrol_log SET breath_tests = 45 WHERE log_id = ?", (pid,))
    phone = app_page(browser, base, name="per", **PHONE)
    phone.goto(f"{base}/pass?vecka={old}")
    mark = phone.locator("#passtabell .antal-fel").inner_text()
    assert mark.startswith("Antalen går inte ihop: 45 blåsta (utandningsprov) men bara 40")
    assert mark.endswith("Tryck Rätta och ändra antalen.")
    assert_fits_phone(phone, "/pass with a pass whose counts cannot be true")

    phone.tap("#passtabell button.ratta")
    assert (phone.input_value("#pass-checked"), phone.input_value("#pass-breath_tests")) == (
        "40",
        "45",
    )
    phone.fill("#pass-places", "Lanna badgruva")  # the change the officer came for
    phone.tap("#spara-pass")
    error = phone.locator("[data-fel=breath_tests]")
    error.wait_for()
    said = error.inner_text()
    assert "45 blåsta (utandningsprov) men bara 40 kontrollerade förare/fordon" in said
    assert "skriv alla kontrollerade förare/fordon under passet (minst 45)" in said
    assert phone.get_attribute("#pass-breath_tests", "aria-invalid") == "true"
    phone.fill("#pass-checked", "45")
    phone.tap("#spara-pass")
    phone.wait_for_url("**/pass?vecka=*&sparad=1")
    assert phone.locator("#passtabell .antal-fel").count() == 0
    stored = patrol_passes.read_pass(pid, path=path)
    assert stored is not None
    assert (stored["places"], stored["checked"], stored["breath_tests"]) == (
        "Lanna badgruva",
        45,
        45,
    )
    assert phone.errors == []
    phone.context.close()
