"""The activity page in a real browser: a kommun officer on a phone logs N2 for a month."""

from __future__ import annotations

import json

import pytest
from _web_fixtures import make_store, running_server
from click.testing import CliRunner

from geo import months
from geo.cli import main
from geo.report import monthly
from tests.test_web_browser import PHONE, app_page, assert_fits_phone

pytestmark = pytest.mark.browser

#: Last month: over whenever the test runs, so its statuses do not depend on the day.
MONTH = months.previous_month(months.today_month())


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("aktiviteter-browser")
    path = make_store(folder)
    with running_server(path, folder / "server.log") as base:
        yield base, path


def cli_n2(path) -> dict:
    """Return N2's row of ``geo activity status --json`` for :data:`MONTH`."""
    result = CliRunner().invoke(
        main, ["activity", "status", "--month", MONTH, "--store", str(path), "--json"]
    )
    assert result.exit_code == 0, result.output
    return next(r for r in json.loads(result.output)["activities"] if r["activity_id"] == "N2")


def test_a_kommun_editor_on_a_phone_logs_n2_and_the_report_counts_it(browser, server):
    base, path = server
    phone = app_page(browser, base, name="anna", **PHONE)
    phone.tap("nav a[href='/aktiviteter']")
    phone.wait_for_url(f"{base}/aktiviteter")
    assert phone.locator("#nasta-manaden").count() == 0  # never past the current month
    assert_fits_phone(phone, "/aktiviteter")
    phone.tap("#forra-manaden")
    phone.wait_for_url(f"**/aktiviteter?manad={MONTH}")

    n2 = phone.locator("#rad-N2")
    before = cli_n2(path)
    assert before["status"] == "not_logged"  # nothing logged yet: "ej registrerat"
    assert n2.locator(".radstatus .statusord").inner_text() == before["status_label"]
    assert phone.locator("#form-T1-polis").count() == 0  # the police's line: no form for her
    assert phone.locator("#form-S1-kommun").count() == 1  # a joint line: her party's column
    assert phone.locator("#form-S1-polis").count() == 0
    assert "Räknas automatiskt ur patrulloggen" in phone.locator("#rad-X1").inner_text()
    assert_fits_phone(phone, f"/aktiviteter?manad={MONTH}")

    phone.fill("#antal-N2-kommun", "-1")  # a slip: the server's rule, next to the field
    phone.tap("#form-N2-kommun button[type=submit]")
    error = phone.locator("#form-N2-kommun [data-fel=times]")
    error.wait_for()
    assert "heltal från 0 till 1000" in error.inner_text()
    assert phone.get_attribute("#antal-N2-kommun", "aria-invalid") == "true"

    phone.fill("#antal-N2-kommun", "3")
    phone.fill("#kommentar-N2-kommun", "Fältgruppen tre kvällar")
    phone.tap("#form-N2-kommun button[type=submit]")
    phone.wait_for_url("**/aktiviteter?manad=*&sparad=*")
    assert "Sparat: N2 Kommunen 3" in phone.locator("#meddelande").inner_text()

    after = cli_n2(path)
    assert (after["done"], after["status"]) == (3, "partly")  # 3 of 4: delvis, as the CLI says
    assert n2.locator(".radstatus .statusord").inner_text() == after["status_label"] == "delvis"
    # with the unit, as the report says it: "3" alone left it to guess
    assert n2.locator(".utforare .gjort").inner_text() == f"3 av {after['planned']} gånger"
    assert phone.input_value("#antal-N2-kommun") == "3"
    assert "Fältgruppen tre kvällar" in n2.inner_text()  # her own organisation's comment
    assert "Historik (1)" in n2.inner_text()
    assert_fits_phone(phone, "/aktiviteter after saving")
    assert phone.errors == []
    phone.context.close()

    inputs = monthly.collect_inputs(month=MONTH, store_path=path)
    report = monthly.compute_report(
        inputs, month=MONTH, emerging_cell_size_m=1000.0, forecast_method="count_3m"
    )
    table = report.tables["aktivitetsplan"].frame.set_index("Id")
    assert table.loc["N2", "Genomfört"] == "3 gånger"
    assert table.loc["N2", "Status"] == "delvis"


#: The card's left border and a report cell's text colour, as the browser draws them.
_BORDER = "e => getComputedStyle(e).borderLeftColor"
_COLOUR = "e => getComputedStyle(e).color"


def test_a_line_nothing_is_logged_for_is_coloured_as_the_report_not_grey(browser, server):
    """N1, logged by no test here: "ej registrerat" last month, "pågår, inget registrerat ännu" now.

    Its card fell back to the neutral grey of a line not planned; it is coloured as the report
    colours the same status in its activity table.
    """
    base, path = server
    pg = app_page(browser, base, name="per")
    for month in (MONTH, months.today_month()):
        pg.goto(f"/aktiviteter?manad={month}")
        card = pg.locator("#rad-N1")
        status = card.get_attribute("data-status")
        assert status == ("not_logged" if month == MONTH else "not_logged_yet")
        assert f"status-{status}" in (card.get_attribute("class") or "").split()
        # the colour of a card whose status has no colour of its own
        neutral = pg.evaluate(
            """() => { const a = document.createElement('article'); a.className = 'aktivitet';
                       document.body.append(a); const c = getComputedStyle(a).borderLeftColor;
                       a.remove(); return c; }"""
        )
        border = card.evaluate(_BORDER)
        assert border != neutral
        inputs = monthly.collect_inputs(month=month, store_path=path)
        report = monthly.compute_report(
            inputs, month=month, emerging_cell_size_m=1000.0, forecast_method="count_3m"
        )
        said = report.tables["aktivitetsplan"].frame.set_index("Id").loc["N1", "Status"]
        assert said == card.locator(".radstatus .statusord").inner_text()
        shown = browser.new_page()
        shown.set_content(monthly.render_html(report))
        row = shown.locator("table[data-table=aktivitetsplan] tr:has(td:first-child:text-is('N1'))")
        assert row.locator("td[class^='status-']").evaluate(_COLOUR) == border
        shown.close()
    assert pg.errors == []
    pg.context.close()
