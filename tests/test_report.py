"""Tests of the monthly follow-up report: numbers vs the store, the 2-hour table, PDF, privacy."""

from __future__ import annotations

import base64
import dataclasses
import io
import json
import re
import sqlite3
import subprocess
import uuid
from datetime import date
from pathlib import Path

import matplotlib.image as mpimg
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from geo import (
    activity_log,
    activity_plan,
    activity_status,
    activity_words,
    months,
    reportday,
    settings,
    spots,
    store,
)
from geo.cli.report import report_cmd
from geo.model import CATEGORIES, THEMES
from geo.pipeline import run_main_job
from geo.report import monthly
from geo.report.monthly.build import about_frame
from geo.report.monthly.incidents import trend_chart
from geo.report.monthly.vocabulary import HANDLING_NOTE
from geo.sites import load_places
from geo.users import User
from geo.weeks import local_now
from tests._axe import axe_violations, describe
from tests._html_table import html_table as _html_table
from tests._pdf_tags import headings, image_alts, pdf_tags

_PLACES = load_places()

MONTH = "2026-08"  # a bathing-season month of the sample (which ends 2026-12-06)
K = 5
SECRET_COMMENT = "Hemlig anteckning om mötet med Kalle"


def _utc(ts: pd.Timestamp) -> str:
    return ts.tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _bounds(month: str) -> tuple[str, str]:
    start, end = months.month_bounds(month)
    return _utc(start), _utc(end)


def _shown(n: int) -> str:
    return str(n) if n == 0 or n >= K else f"< {K}"


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """The sample store, a few activity-log rows, and the report for MONTH (with PDF)."""
    root = tmp_path_factory.mktemp("report")
    path = root / "store.gpkg"
    run_main_job(store_path=path, maps_dir=path.parent / "maps", end=date(2026, 12, 7))
    plan = activity_plan.load_plan()
    activity_log.log_activity("B1", month=MONTH, executor="kommun", times=3, plan=plan, path=path,
                          comment=SECRET_COMMENT)  # fmt: skip
    activity_log.log_activity("T1", month=MONTH, executor="polis", times=2, plan=plan, path=path)
    activity_log.log_activity("S1", month=MONTH, executor="kommun", times=1, plan=plan, path=path)
    inputs = monthly.collect_inputs(month=MONTH, store_path=path)
    report = monthly.compute_report(
        inputs, month=MONTH, k=K, emerging_cell_size_m=1000.0, forecast_method="count_3m"
    )
    outputs = monthly.write_report(report, out_dir=root / "reports", pdf=True)
    return {"path": path, "report": report, "outputs": outputs, "root": root}


def _csv(sample, name: str) -> pd.DataFrame:
    return pd.read_csv(
        sample["outputs"]["csv"] / f"{name}.csv", sep=";", dtype=str, encoding="utf-8-sig"
    ).fillna("")


def _count(path: Path, where: str, params: tuple = ()) -> int:
    with sqlite3.connect(path) as conn:
        return int(
            conn.execute(f"SELECT count(*) FROM incidents WHERE {where}", params).fetchone()[0]
        )


def _bathing_ids() -> list[str]:
    places = load_places()
    return list(places.loc[places["kind"] == "badplats", "place_id"])


def _theme_sql(theme: str) -> str:
    # the report's themes part the incidents: one at a bathing site counts for B only
    ids = ",".join(f"'{p}'" for p in _bathing_ids())
    if theme == "B":
        return f"(theme = 'B' OR place_id IN ({ids}))"
    return f"(theme = '{theme}' AND (place_id IS NULL OR place_id NOT IN ({ids})))"


def test_outputs_are_written(sample):
    out = sample["outputs"]
    assert out["html"].name == f"uppfoljning-{MONTH}.html"
    assert out["pdf"].name == f"uppfoljning-{MONTH}.pdf"
    assert out["xlsx"].is_file()
    sheets = pd.read_excel(out["xlsx"], sheet_name=None)
    assert next(iter(sheets)) == "om_tabellerna"  # first: what the tables are
    assert set(sheets) == {"om_tabellerna", *sample["report"].tables}
    assert {p.stem for p in out["csv"].glob("*.csv")} == set(sheets)
    # a table taken out alone keeps its period, handling, legend and the data's nature
    rows = list(sheets["om_tabellerna"].itertuples(index=False))
    about = dict(rows)
    # and what the weeks' verdicts and the statuses mean, as the report's notes say it
    remarks = [text for key, text in rows if key == "Anmärkning"]
    assert sample["report"].notes["polis"][0] in remarks
    assert about["Rapport"] == f"Uppföljning av medborgarlöftet – {monthly.month_label(MONTH)}"
    assert about["Hantering"] == HANDLING_NOTE
    assert "”< 5”" in about["Dolda antal"] and "”–”" in about["Dolda antal"]
    assert "syntetiska exempeldata" in about["Data"]
    for name, table in sample["report"].tables.items():  # an empty one says why it is
        said = f"{table.title} – {table.empty_text}" if table.frame.empty else table.title
        assert about[f"Tabell {name}"] == said


def test_theme_counts_equal_store_queries(sample):
    teman = _csv(sample, "teman").set_index("Tema")
    p = months.parse_month(MONTH)
    for theme, label in THEMES.items():
        for q in (p, p - 1, p - 12):
            n = _count(
                sample["path"],
                f"occurred_at >= ? AND occurred_at < ? AND {_theme_sql(theme)}",
                _bounds(str(q)),
            )
            assert teman.loc[label, monthly.month_label(str(q))] == _shown(n), (theme, q)


def test_source_counts_equal_store_queries(sample):
    kallor = _csv(sample, "kallor").set_index("Tema")
    for theme, label in THEMES.items():
        where = f"occurred_at >= ? AND occurred_at < ? AND {_theme_sql(theme)}"
        synthetic = _count(sample["path"], where + " AND source = 'syntetisk'", _bounds(MONTH))
        police = _count(
            sample["path"], where + " AND source IN ('polis', 'polisen_api')", _bounds(MONTH)
        )
        row = kallor.loc[label]
        for column, n in (("Syntetiska exempeldata", synthetic), ("Polisen", police)):
            assert row[column] == _shown(n) or (row[column] == "–" and n > 0), (label, column)


def test_trend_counts_equal_store_queries(sample):
    trend = _csv(sample, "trend").set_index("Månad")
    assert len(trend) == 13
    p = months.parse_month(MONTH)
    for i in (0, 3, 7, 12):
        q = str(p - i)
        for theme in ("N", "T", "B"):
            n = _count(
                sample["path"],
                f"occurred_at >= ? AND occurred_at < ? AND {_theme_sql(theme)}",
                _bounds(q),
            )
            assert trend.loc[monthly.month_label(q), THEMES[theme]] == _shown(n)


def test_category_counts_equal_store_queries(sample):
    """The löfte's own problems (speeding, noise, littering, vandalism …) per theme."""
    table = _csv(sample, "kategorier")
    col = monthly.month_label(MONTH)
    shown = {(r["Tema"], r["Kategori"]): r[col] for _, r in table.iterrows()}
    expected = {}
    with sqlite3.connect(sample["path"]) as conn:
        for theme, label in THEMES.items():
            for category, n in conn.execute(
                f"SELECT category, count(*) FROM incidents WHERE {_theme_sql(theme)}"
                " AND occurred_at >= ? AND occurred_at < ? GROUP BY category",
                _bounds(MONTH),
            ):
                expected[(label, CATEGORIES[category].label)] = n
    assert set(shown) == set(expected)
    for key, n in expected.items():
        assert shown[key] in (_shown(n), "–"), key
    # littering and vandalism at the bathing sites, as the löfte names them
    assert (THEMES["B"], CATEGORIES["nedskrapning"].label) in shown
    assert (THEMES["B"], CATEGORIES["skadegorelse"].label) in shown


def test_top_places_equal_store_queries(sample):
    platser = _csv(sample, "platser")
    assert len(platser)
    start, end = months.month_bounds(MONTH)
    labels = {v: k for k, v in THEMES.items()}
    checked = 0
    for row in platser.itertuples():
        theme = labels[row.Tema]
        assert row.Ruta != "–"  # the legend's hidden count, not "no cell"
        if isinstance(row.Ruta, str) and row.Ruta:  # a grid cell: count the unnamed incidents
            size, e, n = re.fullmatch(r"(\d+)m_E(\d+)_N(\d+)", row.Ruta).groups()
            bbox = (
                float(e),
                float(n),
                float(e) + float(size) - 1e-6,
                float(n) + float(size) - 1e-6,
            )
            inc = store.read_incidents(sample["path"], start=start, end=end, bbox=bbox)
            inc = inc[inc["place_name"].isna() & (inc["theme"] == theme)]
            assert str(len(inc)) == row.Observationer
            checked += 1
        elif not row._2.startswith(("Övriga", "Alla")):
            n = _count(
                sample["path"],
                f"occurred_at >= ? AND occurred_at < ? AND {_theme_sql(theme)} AND place_name = ?",
                (*_bounds(MONTH), row._2),
            )
            assert str(n) == row.Observationer
            assert n >= K
            checked += 1
    assert checked >= 3


def test_bathing_sites_equal_store_queries(sample):
    bad = _csv(sample, "badplatser").set_index("Badplats")
    p = months.parse_month(MONTH)
    for pid, name in (("lanna_badgruva", "Lanna badgruva"), ("leken", "Badplats Leken")):
        for q in (p, p - 12):
            n = _count(
                sample["path"],
                "occurred_at >= ? AND occurred_at < ? AND place_id = ?",
                (*_bounds(str(q)), pid),
            )
            assert bad.loc[name, monthly.month_label(str(q))] == _shown(n) or n < K


def test_activity_plan_status_equals_the_log(sample):
    plan_table = _csv(sample, "aktivitetsplan")
    with sqlite3.connect(sample["path"]) as conn:
        logged = dict(
            conn.execute(
                "SELECT activity_id || '/' || executor, sum(times) FROM activity_log"
                " WHERE month = ? GROUP BY 1",
                (MONTH,),
            ).fetchall()
        )
    executors = {"Polisen": "polis", "Kommunen": "kommun"}
    for row in plan_table.itertuples():
        if row.Id == "X1":
            continue
        who = row.Utförare.split(", ")
        # "1 gång"; "Polisen 0 gånger, Kommunen 1 gång"; one that logged nothing "ej registrerat"
        counts = [logged.get(f"{row.Id}/{executors[w]}") for w in who]
        said = [
            "ej registrerat" if n is None else activity_words.count_text(n, "times") for n in counts
        ]
        if len(who) == 1:
            assert " ".join(row.Genomfört.split()) == said[0]
        else:
            assert " ".join(row.Genomfört.split()) == ", ".join(
                f"{w} {n}" for w, n in zip(who, said, strict=True)
            )
    b1 = plan_table[plan_table["Id"] == "B1"].iloc[0]
    weeks = len(months.iso_weeks_of_month(MONTH))
    assert (b1["Planerat"], b1["Genomfört"]) == (f"{weeks} gånger (1 per vecka)", "3 gånger")
    assert b1["Status"] == "delvis"


def test_activity_table_has_one_row_per_activity_with_its_executors(sample):
    """S1 is done by the police and the kommun: one row says who, what each did, its status."""
    rows = _html_table(sample["outputs"]["html"].read_text(encoding="utf-8"), "aktivitetsplan")
    ids = [r[0] for r in rows]
    assert ids == list(activity_plan.load_plan()["activity_id"])  # each once, in the plan's order
    by_id = {r[0]: r for r in rows}
    # Id, Tema, Aktivitet, Utförare, Planerat, Genomfört, Status
    # every number says what it counts: "Planerat 5" left a council member asking "5 what?"
    # the police logged nothing for S1: not a 0 beside the kommun's 1, nor "delvis"
    assert by_id["S1"][3:] == [
        "Polisen, Kommunen", "1 gång", "Polisen ej registrerat, Kommunen 1 gång",
        "delvis registrerat",
    ]  # fmt: skip
    weeks = len(months.iso_weeks_of_month(MONTH))
    assert by_id["B1"][3:6] == ["Kommunen", f"{weeks} gånger (1 per vecka)", "3 gånger"]
    assert by_id["N3"][3:] == [
        "Polisen, Kommunen", "1 gång", "Polisen ej registrerat, Kommunen ej registrerat",
        "ej registrerat",
    ]  # fmt: skip
    assert by_id["X1"][4] == f"{weeks} veckor"
    assert by_id["X1"][5:] == ["ej registrerat", "ej registrerat"]  # no pass in the month


def test_pdf_renders_on_a4_within_six_pages(sample):
    pdf = sample["outputs"]["pdf"]
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert 1 <= pages <= 6
    width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info).groups())
    assert abs(width - 595.3) < 2 and abs(height - 841.9) < 2  # A4 in points
    prefix = sample["root"] / "page"
    subprocess.run(
        ["pdftoppm", "-f", "1", "-l", "1", "-r", "40", "-png", str(pdf), str(prefix)], check=True
    )
    png = next(sample["root"].glob("page*.png"))
    img = mpimg.imread(png)[..., :3]
    ink = (img.mean(axis=2) < 0.6).mean()
    assert ink > 0.01  # text, tables and the chart, not a blank page
    colour = (img.max(axis=2) - img.min(axis=2) > 0.2).mean()
    assert colour > 0.001  # the blue bars of the trend chart


def test_pdf_is_an_accessible_document(sample):
    # DOS-lagen (EN 301 549) covers the PDF handed to the boards as well as the page: it is
    # tagged, says it is in Swedish and shows its title, and a screen reader gets the page's
    # headings, tables with their column heads, lists, and the chart's alt text
    page = sample["outputs"]["html"].read_text(encoding="utf-8")
    tags = pdf_tags(sample["outputs"]["pdf"])
    assert tags.tagged and tags.lang == "sv"
    assert tags.title == f"Uppföljning av medborgarlöftet – {monthly.month_label(MONTH)}"
    assert tags.display_title
    levels = [t for t in tags.structure if re.fullmatch(r"H[1-6]", t)]
    assert levels[0] == "H1" and levels.count("H1") == 1
    for level in ("h2", "h3"):
        assert levels.count(level.upper()) == page.count(f"<{level}>") > 0
    # and the headings are the bookmarks a viewer lists beside the pages
    assert sorted(tags.bookmarks) == sorted(headings(page)) and len(tags.bookmarks) == len(levels)
    assert tags.structure.count("Table") == page.count("<table") >= 5
    assert tags.structure.count("Caption") == page.count("<caption>")
    assert tags.structure.count("TH") == len(re.findall(r"<th[\s>]", page))
    assert tags.structure.count("L") == page.count("<ul") + page.count("<ol") > 0
    alts = image_alts(page)
    assert len(alts) == 1
    assert tags.figure_alts == alts
    # the chart's alt says what it shows, over which months, and where its counts are
    chart = alts[0]
    assert f"från {monthly.month_label('2025-08')} till {monthly.month_label(MONTH)}" in chart
    assert all(theme in chart for theme in THEMES.values()) and "tabellen trend" in chart
    # every element is of a type a PDF 1.7 reader knows: poppler drops an unknown one (a
    # <strong> printed as PDF 2.0's Strong) with its text, and says so
    assert tags.warnings == []


def test_html_is_self_contained_and_swedish(sample):
    html = sample["outputs"]["html"].read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)\s*=\s*["']https?:""", html)
    assert html.count("data:image/png;base64,") >= 1
    assert 'lang="sv"' in html
    assert "augusti 2026" in html and "augusti 2025" in html and "juli 2026" in html
    assert "syntetiska exempeldata" in html.lower()


def test_html_fits_a_phone_and_wide_tables_scroll_in_their_box(sample, offline_page, artifacts_dir):
    page = offline_page
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(sample["outputs"]["html"].as_uri())
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    boxes = page.evaluate(
        """() => [...document.querySelectorAll('table[data-table], img')].map(e => {
          const box = (e.closest('.table-scroll') || e).getBoundingClientRect();
          return [e.dataset.table || e.tagName, box.left, box.right];
        })"""
    )
    assert len(boxes) >= 5
    assert [b for b in boxes if b[1] < 0 or b[2] > 390] == []
    # the activity plan is wider than a phone: it scrolls sideways inside its own box
    plan = page.locator('table[data-table="aktivitetsplan"]')
    assert plan.evaluate("t => t.parentElement.scrollWidth > t.parentElement.clientWidth")
    page.screenshot(path=str(artifacts_dir / "uppfoljning-mobil.png"))


@pytest.mark.parametrize("width", [1280, 390])
def test_html_meets_wcag_21_aa(sample, offline_page, width):
    # the report goes to the kommun's and the police's staff and boards: DOS-lagen's WCAG
    # 2.1 AA, checked by axe-core as the web app's pages are (tests/_axe.py)
    page = offline_page
    page.set_viewport_size({"width": width, "height": 844 if width < 500 else 900})
    page.goto(sample["outputs"]["html"].as_uri())
    violations = axe_violations(page)
    assert violations == [], describe(violations)


def test_privacy_no_small_cells_and_no_free_text(sample):
    report = sample["report"]
    for table in report.tables.values():
        for col in table.event_counts:
            for value in table.frame[col]:
                ok = (isinstance(value, int | np.integer) and (value == 0 or value >= K)) or (
                    value in (f"< {K}", "–")
                )
                assert ok, (table.name, col, value)
    kallor = report.tables["kallor"].frame
    for row in kallor.itertuples(index=False):
        parts = list(row[2:])
        if isinstance(row[1], int) and row[1] > 0:
            assert sum(v == f"< {K}" for v in parts) + sum(v == "–" for v in parts) != 1
    html = sample["outputs"]["html"].read_text(encoding="utf-8")
    text = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", html)
    with sqlite3.connect(sample["path"]) as conn:
        descriptions = [r[0] for r in conn.execute("SELECT DISTINCT description FROM incidents")]
        reporters = [r[0] for r in conn.execute("SELECT DISTINCT reporter_org FROM incidents")]
        ids = [r[0] for r in conn.execute("SELECT incident_id FROM incidents LIMIT 200")]
    # a reporter that is just a source group ("Medborgare") is a column heading, not a unit
    reporters = [r for r in reporters if r not in monthly.SOURCE_GROUP_LABELS.values()]
    assert any(r and "," in r for r in reporters)  # units such as "Kommunen, fritid" remain
    for secret in [*descriptions, *reporters, *ids, SECRET_COMMENT]:
        if secret and len(secret) > 6:
            assert secret not in text, secret
    assert not re.search(r"\b\d{1,2}:\d{2}\b", text)  # no clock times
    xlsx_text = " ".join(
        df.astype(str).to_string()
        for df in pd.read_excel(sample["outputs"]["xlsx"], sheet_name=None).values()
    )
    assert SECRET_COMMENT not in xlsx_text
    assert not any(d and len(d) > 6 and d in xlsx_text for d in descriptions)


def test_suppress_parts_hides_what_could_be_derived():
    # a pair hidden together reads alike: which of the two is the small one is not told
    assert monthly.suppress_parts([12, 3, 0], total=15, k=5) == ["–", "–", 0]
    assert monthly.suppress_parts([12, 7, 0], total=19, k=5) == [12, 7, 0]
    assert monthly.suppress_parts([2, 1], total=3, k=5) == ["< 5", "< 5"]
    assert monthly.suppress_parts([6, 2, 2], total=10, k=5) == [6, "< 5", "< 5"]
    assert monthly.suppress(4, k=5) == "< 5"
    assert monthly.suppress(0, k=5) == 0
    assert monthly.suppress(5, k=5) == 5


def test_month_label_is_swedish():
    assert monthly.month_label("2026-11") == "november 2026"
    assert monthly.month_label("2027-05") == "maj 2027"


def test_a_police_visit_counts_at_the_bathing_site_its_place_names(tmp_path):
    """The police write the place as they like: the site is visited however it is named."""
    log = pd.DataFrame(
        [
            _visit(1, "2026-07-02 18:00", "2026-07-02 19:00", "närvaro", "Lanna badgruva"),
            _visit(
                2,
                "2026-07-03 18:00",
                "2026-07-03 19:00",
                "närvaro",
                "Parkeringen vid Lanna badgruva",
            ),
            _visit(3, "2026-07-04 18:00", "2026-07-04 19:00", "närvaro", "badplatsen Leken"),
            _visit(
                4,
                "2026-07-05 18:00",
                "2026-07-05 19:00",
                "nykterhetskontroll",
                "Leken badplats; Fjugesta centrum",
            ),
            _visit(5, "2026-07-06 18:00", "2026-07-06 19:00", "närvaro", "Fjugesta centrum"),
        ]
    )
    report = _presence_report(tmp_path, log, month="2026-07", now="2026-08-10 09:00")
    visits = report.tables["badplatser"].frame.set_index("Badplats")["Polisbesök"]
    assert (visits["Lanna badgruva"], visits["Badplats Leken"]) == (2, 2)
    assert visits.drop(["Lanna badgruva", "Badplats Leken"]).eq(0).all()
    # the controls table names the same site for the same pass
    controls = report.tables["kontroller"].frame.set_index("Kontrolltyp")
    assert "Badplats Leken" in controls.loc["Nykterhet", "Platser"]


@pytest.mark.parametrize(
    ("last", "year", "expected"),
    [
        (6, 9, "fler än förra månaden (6), lika många som samma månad i fjol (9)"),
        (6, 12, "fler än förra månaden (6), färre än samma månad i fjol (12)"),
        (6, 7, "fler än förra månaden (6), fler än samma månad i fjol (7)"),
        (9, 9, "lika många som förra månaden (9), lika många som samma månad i fjol (9)"),
        (9, 12, "lika många som förra månaden (9), färre än samma månad i fjol (12)"),
        (9, 7, "lika många som förra månaden (9), fler än samma månad i fjol (7)"),
        (11, 9, "färre än förra månaden (11), lika många som samma månad i fjol (9)"),
        (11, 12, "färre än förra månaden (11), färre än samma månad i fjol (12)"),
        (11, 7, "färre än förra månaden (11), fler än samma månad i fjol (7)"),
        (2, 0, "fler än förra månaden (färre än 5), fler än samma månad i fjol (0)"),
    ],
)
def test_change_reason_says_more_fewer_or_as_many_against_each_month(last, year, expected):
    assert monthly.change_reason(9, last, year, month="2026-10", k=5) == (
        f"9 observationer i oktober 2026: {expected}."
    )


def test_change_reason_does_not_order_two_hidden_counts():
    assert monthly.change_reason(3, 1, 4, month="2026-10", k=5) == (
        "färre än 5 observationer i oktober 2026: förra månaden också färre än 5, "
        "samma månad i fjol också färre än 5."
    )


def test_focus_reasons_compare_with_the_theme_table(sample):
    """A theme's reason says fler/färre/lika många as the theme table's three months do."""
    report = sample["report"]
    teman = report.tables["teman"].frame.set_index("Tema")
    found = 0
    for item in report.focus:
        for reason in item.reasons:
            assert not reason.startswith("Ökning")
            if f"observationer i {monthly.month_label(MONTH)}:" in reason:
                now, last, year = (int(v) for v in teman.loc[THEMES[item.theme]])
                assert reason == monthly.change_reason(now, last, year, month=MONTH, k=K)
                found += 1
    assert found >= 1


def _empty_inputs(**kwargs) -> monthly.ReportInputs:
    incidents = store.read_incidents(kwargs.pop("store_path"))
    return monthly.ReportInputs(
        incidents=incidents,
        places=load_places(),
        plan=activity_plan.load_plan(),
        activity_log=pd.DataFrame(columns=activity_log.LOG_COLUMNS),
        **kwargs,
    )


def _visit(i: int, start: str, end: str, activity_text: str, places: str) -> dict:
    """Return a patrol-log row (:func:`geo.patrol_log.read_log`) from local times."""
    s, e = pd.Timestamp(start, tz=settings.timezone), pd.Timestamp(end, tz=settings.timezone)
    return {
        "log_id": f"v{i}",
        "start": s,
        "end": e,
        "minutes": (e - s).total_seconds() / 60,
        "places": places,
        "activity": activity_text,
        "results": "",
        "iso_week": f"{s.isocalendar().year}-W{s.isocalendar().week:02d}",
    }


def _presence_report(
    tmp_path, log: pd.DataFrame, *, month: str, now: str, done: pd.DataFrame | None = None
):
    """Return the report for ``month`` from a constructed patrol log, made at ``now``.

    ``done`` is the activity log (:func:`_activity_log`); default empty.
    """
    from geo import patrol_log as plog

    weeks = months.iso_weeks_of_month(month)
    weekly = plog.minutes_per_week(log, first_week=weeks[0], last_week=weeks[-1], promise_min=120)
    inputs = _empty_inputs(store_path=tmp_path / "s.gpkg", patrol_log=log, weekly_minutes=weekly)
    if done is not None:
        inputs.activity_log = done
    return monthly.compute_report(
        inputs, month=month, k=K, forecast_method="count_3m",
        now=pd.Timestamp(now, tz=settings.timezone),
    )  # fmt: skip


def test_two_hour_table_on_a_constructed_log(tmp_path):
    log = pd.DataFrame(
        [
            # 2026-W49 (30 Nov – 6 Dec): nothing
            _visit(1, "2026-12-08 18:00", "2026-12-08 19:59", "hastighetskontroll", "Fjugesta"),
            _visit(2, "2026-12-15 10:00", "2026-12-15 11:00", "nykterhetskontroll", "Vintrosa"),
            _visit(3, "2026-12-17 20:00", "2026-12-17 21:00", "närvaro", "Fjugesta centrum"),
            _visit(4, "2026-12-22 16:00", "2026-12-22 18:20", "hastighetskontroll", "E18"),
            # Sunday of W52 into Monday of W53: 60 min + 30 min
            _visit(5, "2026-12-27 23:00", "2026-12-28 00:30", "nykterhetskontroll", "Lanna"),
            _visit(6, "2026-12-30 19:00", "2026-12-30 20:30", "motorburen", "Gropen"),
        ]
    )
    weeks = months.iso_weeks_of_month("2026-12")
    assert weeks == ["2026-W49", "2026-W50", "2026-W51", "2026-W52", "2026-W53"]
    report = _presence_report(tmp_path, log, month="2026-12", now="2027-01-12 09:00")
    table = report.tables["polisnarvaro"].frame.set_index("Vecka")
    assert list(table.index) == weeks
    assert table.loc["2026-W49", "Dagar"] == "30 nov–6 dec"  # a week over two months
    assert table.loc["2026-W53", "Dagar"] == "28 dec–3 jan"
    assert list(table["Minuter"]) == [0, 119, 120, 200, 120]
    assert list(table["Uppfyllt"]) == ["nej", "nej", "ja", "ja", "ja"]
    assert "3 av 5 veckor" in " ".join(report.notes["polis"])
    x1 = report.tables["aktivitetsplan"].frame.set_index("Id").loc["X1"]
    assert (x1["Planerat"], x1["Genomfört"], x1["Status"]) == ("5 veckor", "3 veckor", "delvis")
    controls = report.tables["kontroller"].frame.set_index("Kontrolltyp")
    assert controls.loc["Hastighet", "Tillfällen"] == 2
    assert controls.loc["Nykterhet", "Tillfällen"] == 2
    assert "Vintrosa" in controls.loc["Nykterhet", "Platser"]
    html = monthly.render_html(report)
    assert "2026-W53" in html


@pytest.mark.parametrize(
    ("start", "end", "minutes", "met"),
    [
        ("2026-10-06 18:00:40", "2026-10-06 20:00:10", 119, "nej"),  # 119.5 min: short of 120
        ("2026-10-06 18:00:00", "2026-10-06 20:00:00", 120, "ja"),
    ],
)
def test_a_weeks_minutes_beside_the_promise_never_read_as_met_when_they_are_not(
    tmp_path, start, end, minutes, met
):
    """A pass logged to the second, 119.5 minutes, read "120 | 120 | nej": 120 rounded up."""
    log = pd.DataFrame([_visit(1, start, end, "närvaro", "Fjugesta centrum")])
    report = _presence_report(tmp_path, log, month="2026-10", now="2026-11-12 09:00")
    row = report.tables["polisnarvaro"].frame.set_index("Vecka").loc["2026-W41"]
    assert (row["Minuter"], row["Löfte (minuter)"], row["Uppfyllt"]) == (minutes, 120, met)


def test_places_typed_by_the_police_reach_the_shared_report_only_as_places_or_roads(tmp_path):
    """The pass form takes free text: an address, a name or a plate must not be shown."""
    typed = "Storgatan 4 hos Kalle Karlsson; ABC123; väg 204 vid Fjugesta centrum (del 2); E18"
    log = pd.DataFrame(
        [
            _visit(1, "2026-10-06 18:00", "2026-10-06 19:00", "hastighetskontroll", typed),
            _visit(2, "2026-10-07 18:00", "2026-10-07 18:30", "nykterhet", "lanna badgruva"),
        ]
    )
    report = _presence_report(tmp_path, log, month="2026-10", now="2026-11-12 09:00")
    controls = report.tables["kontroller"].frame.set_index("Kontrolltyp")
    assert controls.loc["Hastighet", "Platser"] == "E18, väg 204 vid Fjugesta centrum, övrig plats"
    assert controls.loc["Nykterhet", "Platser"] == "Lanna badgruva"
    html = monthly.render_html(report)
    for secret in ("Storgatan", "Kalle", "ABC123", "del 2"):
        assert secret not in html


@given(st.text(max_size=60))
@hsettings(max_examples=200, deadline=None)
def test_a_shared_place_is_a_named_place_a_road_or_said_to_be_other(text):
    from geo.report.monthly.police import OTHER_PLACE, shared_place
    from geo.sites import Gazetteer

    names = set(_PLACES["name"])
    shown = shared_place(text, Gazetteer(_PLACES))
    road, _, place = shown.partition(" vid ")
    assert (
        shown == OTHER_PLACE
        or shown in names
        or (re.fullmatch(r"(?i)E\s?\d{1,2}|(riks|läns)?väg\s*\d{1,4}", road) and road in text
            and (not place or place in names))
    )  # fmt: skip


def test_the_week_still_running_on_the_report_day_is_not_a_failed_week(tmp_path):
    """Made on Friday 27 November, week 48 has 45 minutes so far: "pågår", not "nej"."""
    log = pd.DataFrame(
        [
            _visit(1, "2026-11-03 18:00", "2026-11-03 20:10", "hastighetskontroll", "Fjugesta"),
            _visit(2, "2026-11-11 10:00", "2026-11-11 11:00", "närvaro", "Vintrosa"),
            _visit(3, "2026-11-18 20:00", "2026-11-18 22:00", "nykterhetskontroll", "Lanna"),
            _visit(4, "2026-11-25 16:00", "2026-11-25 16:45", "närvaro", "Fjugesta centrum"),
        ]
    )
    report = _presence_report(tmp_path, log, month="2026-11", now="2026-11-27 14:00")
    html = monthly.render_html(report)
    rows = _html_table(html, "polisnarvaro")
    # Vecka, Minuter, Löfte (minuter), Uppfyllt, Dagar ("2026-W45" alone said no dates)
    assert rows == [
        ["2026-W45", "130", "120", "ja", "2–8 nov"],
        ["2026-W46", "60", "120", "nej", "9–15 nov"],
        ["2026-W47", "120", "120", "ja", "16–22 nov"],
        ["2026-W48", "45", "120", "pågår", "23–29 nov"],
    ]
    said = " ".join(" ".join(html.split()).split("Polisens närvaro per ISO-vecka")[1:])
    assert "uppfylldes i 2 av 3 veckor; vecka 2026-W48 pågår och räknas när den är slut." in said
    assert "skapad 27 november 2026" in " ".join(html.split())
    # a month made before it began: no week is over, none is counted as failed
    ahead = _presence_report(tmp_path, log, month="2026-12", now="2026-11-27 14:00")
    rows = _html_table(monthly.render_html(ahead), "polisnarvaro")
    assert [r[3] for r in rows] == ["ej påbörjad"] * 5
    assert ahead.notes["polis"][0].startswith("Ingen av månadens veckor är slut ännu; veckorna")


def test_a_month_with_no_pass_logged_says_so_and_not_that_the_promise_failed(tmp_path):
    # a council member's review: a store without a patrol log read "nej" in every week and
    # "uppfylldes 0 av 5 veckor", which a council's minutes would take as the police not coming
    september = pd.DataFrame([_visit(1, "2026-09-02 18:00", "2026-09-02 20:10", "närvaro", "A")])
    report = _presence_report(tmp_path, september, month="2026-10", now="2026-11-27 14:00")
    rows = _html_table(monthly.render_html(report), "polisnarvaro")
    assert [r[3] for r in rows] == ["ej registrerat"] * 5
    note = report.notes["polis"][0]
    assert note.startswith("Inga pass är registrerade för månadens veckor")
    assert "5 avslutade veckor" in note and "uppfylldes" not in note
    # October is over: its lines read "ej registrerat", and the note says what that means
    assert any(n.startswith("”Ej registrerat” betyder") for n in report.notes["aktivitetsplan"])
    # the focus names no line undone: nothing entered is not work left undone
    said = [r for item in report.focus for r in item.reasons]
    assert not any("inte genomfördes" in r for r in said)
    assert any(r.startswith("Ej registrerat i oktober 2026, inte nödvändigtvis") for r in said)
    running = _presence_report(tmp_path, september, month="2026-11", now="2026-11-27 14:00")
    assert not any(  # no line reads "ej registrerat" in a month not over: nothing to explain
        "Ej registrerat" in n for n in running.notes["aktivitetsplan"]
    )
    # in a month not over nothing entered is not "ligger efter" (a review: it claimed a
    # shortfall), neither in the table nor in the focus, which names it apart
    assert _activity_rows(running)["X1"][2:] == [
        "inget registrerat ännu", "pågår, inget registrerat ännu",
    ]  # fmt: skip
    said = [r for item in running.focus for r in item.reasons]
    assert not any("ligger efter" in r for r in said)
    assert (
        "Inget registrerat ännu i november 2026 för veckor som är slut, inte nödvändigtvis ej "
        "utfört: X1 (Polisen)."
    ) in said
    assert "”pågår, inget registrerat ännu” när utföraren inte har fört in något" in " ".join(
        running.notes["aktivitetsplan"]
    )
    # one pass in the month: the weeks without one were not met
    october = pd.DataFrame([_visit(1, "2026-10-07 18:00", "2026-10-07 20:10", "närvaro", "A")])
    one = _presence_report(tmp_path, october, month="2026-10", now="2026-11-27 14:00")
    rows = _html_table(monthly.render_html(one), "polisnarvaro")
    assert [r[3] for r in rows] == ["nej", "ja", "nej", "nej", "nej"]
    assert one.notes["polis"][0].startswith("Löftet om minst 120 minuter uppfylldes i 1 av 5")


def test_a_month_with_no_pass_logged_has_no_controls_of_zero(tmp_path):
    # a council member's read-through: with no pass entered, the presence table said "ej
    # registrerat" and the controls table under it "Nykterhet 0 | 0 … Totalt 0 | 0", no
    # control held; nothing entered is not nothing done
    september = pd.DataFrame([_visit(1, "2026-09-02 18:00", "2026-09-02 20:10", "nykterhet", "A")])
    for log in (_no_visits(), september):
        page = monthly.render_html(
            _presence_report(tmp_path, log, month="2026-10", now="2026-11-03 14:00")
        )
        assert _html_table(page, "kontroller") == []  # no rows of 0
        assert (
            "Kontroller per typ och plats, oktober 2026 – inga pass är registrerade i oktober "
            "2026, så kontrollerna kan inte redovisas (ej registrerat, inte nödvändigtvis inga "
            "kontroller)."
        ) in _section_text(page, "polis")
    # a pass logged in the month, no control in it: the table says 0 controls, as it was
    october = pd.DataFrame([_visit(1, "2026-10-07 18:00", "2026-10-07 20:10", "närvaro", "A")])
    page = monthly.render_html(
        _presence_report(tmp_path, october, month="2026-10", now="2026-11-03 14:00")
    )
    assert _html_table(page, "kontroller")[-1][:3] == ["Totalt", "0", "0"]


def test_theme_s_is_explained_with_every_category_it_counts(sample):
    """A council member read S as "stöld, inbrott, ordningsstörning, otrygga platser" only."""
    html = sample["outputs"]["html"].read_text(encoding="utf-8")
    text = _section_text(html, "teman")
    said = text.split("S samverkan och övrigt", 1)[1].split("samverkan själv", 1)[0].lower()
    with sqlite3.connect(sample["path"]) as conn:
        stored = [
            r[0] for r in conn.execute("SELECT DISTINCT category FROM incidents WHERE theme = 'S'")
        ]
    assert {"nedskrapning", "skadegorelse"} <= set(stored)  # the sample's largest S categories
    for category in stored:
        assert CATEGORIES[category].label.lower() in said, category


def _activity_log(*rows: tuple[str, str, str, int]) -> pd.DataFrame:
    """Return an activity log (:func:`geo.activity_log.read_activity_log`): (id, month, who, n)."""
    frame = pd.DataFrame(rows, columns=["activity_id", "month", "executor", "times"])
    return frame.assign(comment="", logged_at="2026-11-01T00:00:00.000Z")[
        list(activity_log.LOG_COLUMNS)
    ]


def _section_text(html: str, section: str) -> str:
    """Return the words a reader sees in the report's ``<section id=...>``, spaces joined."""
    part = html.split(f'<section id="{section}">', 1)[1].split("</section>", 1)[0]
    return " ".join(re.sub(r"<[^>]+>", " ", part).split())


def test_focus_names_each_activity_once_with_its_executors_statuses(tmp_path):
    """October is over: a line both left undone is named once, "Polisen och Kommunen"."""
    log = pd.DataFrame(
        [_visit(1, "2026-10-07 21:00", "2026-10-07 22:30", "nykterhetskontroll", "Mullhyttan")]
    )
    done = _activity_log(("S1", "2026-10", "polis", 1), ("N1", "2026-10", "polis", 0))
    report = _presence_report(tmp_path, log, month="2026-10", now="2026-11-27 14:00", done=done)
    said = _section_text(monthly.render_html(report), "fokus")
    undone = "Aktiviteter som inte genomfördes fullt ut i oktober 2026: "
    # a line logged 0 is not done; one nobody logged is not recorded, said apart
    unlogged = "Ej registrerat i oktober 2026, inte nödvändigtvis ej utfört: "
    assert undone + "N1 (Polisen: ej genomförd)." in said
    assert (
        unlogged + "N2 (Kommunen: ej registrerat), N3 (Polisen och Kommunen: ej registrerat)."
    ) in said
    # how far from the plan a line done in part is: "delvis" alone did not say
    assert undone + "T1 (Polisen: delvis, 1 av 2 gånger)." in said
    assert unlogged + "T3 (Kommunen: ej registrerat)." in said
    assert undone + "X1 (Polisen: ej genomförd)." in said
    assert (
        unlogged + "S1 (Polisen: genomförd, Kommunen: ej registrerat), "
        "S2 (Polisen och Kommunen: ej registrerat), S3 (Polisen och Kommunen: ej registrerat)."
    ) in said
    named = re.findall(r"\b([NTBSX]\d) \(", said)
    assert len(named) == len(set(named)) == 9  # every activity once


def _activity_rows(report) -> dict[str, list[str]]:
    """Return the activity table as a reader sees it: Id → Utförare, Planerat, Genomfört, Status."""
    rows = _html_table(monthly.render_html(report), "aktivitetsplan")
    return {r[0]: r[3:] for r in rows}


def test_an_activity_whose_month_is_not_over_is_not_called_missed(tmp_path):
    """Made on Friday 27 November: what is not done yet "pågår", Planerat says what is due."""
    log = pd.DataFrame(
        [  # weeks 45 and 47 met, 46 not, 48 running; one hastighet and one nykterhet control
            _visit(1, "2026-11-03 18:00", "2026-11-03 20:10", "hastighetskontroll", "Fjugesta"),
            _visit(2, "2026-11-11 10:00", "2026-11-11 11:00", "närvaro", "Vintrosa"),
            _visit(3, "2026-11-18 20:00", "2026-11-18 22:00", "nykterhetskontroll", "Lanna"),
            _visit(4, "2026-11-25 16:00", "2026-11-25 16:45", "närvaro", "Fjugesta centrum"),
        ]
    )
    done = _activity_log(("S1", "2026-11", "polis", 1))
    report = _presence_report(tmp_path, log, month="2026-11", now="2026-11-27 14:00", done=done)
    rows = _activity_rows(report)
    # Utförare, Planerat, Genomfört, Status
    assert rows["X1"] == [
        "Polisen",
        "3 av 4 veckor hittills",
        "2 veckor",
        "pågår, ligger efter",
    ]  # W46 missed
    # nothing logged yet: said as it is, not a 0 no one entered
    assert rows["N1"] == ["Polisen", "2 gånger till månadens slut", "inget registrerat ännu",
                          "pågår, inget registrerat ännu"]  # fmt: skip
    assert rows["S1"] == ["Polisen, Kommunen", "1 gång till månadens slut",
                          "Polisen 1 gång, Kommunen inget registrerat ännu", "pågår"]  # fmt: skip
    assert rows["T1"] == [  # done already
        "Polisen", "2 gånger till månadens slut", "2 gånger", "genomförd",
    ]  # fmt: skip
    assert rows["B1"] == [
        "Kommunen", "inget (planeras maj–september)", "0 gånger", "ej planerad denna månad",
    ]  # fmt: skip
    html = monthly.render_html(report)
    said = _section_text(html, "aktivitetsplan") + " " + _section_text(html, "fokus")
    assert "ej genomförd" not in said and "delvis" not in said
    assert "står som ”pågår”" in _section_text(html, "aktivitetsplan")
    # the tables for the minutes say the same
    out = monthly.write_report(report, out_dir=tmp_path / "out", pdf=False)
    csv = pd.read_csv(out["csv"] / "aktivitetsplan.csv", sep=";", dtype=str,
                      encoding="utf-8-sig").set_index("Id")  # fmt: skip
    assert list(csv.loc["X1", ["Planerat", "Genomfört", "Status"]]) == [
        "3 av 4 veckor hittills", "2 veckor", "pågår, ligger efter",
    ]  # fmt: skip
    assert list(csv.loc["N1", ["Planerat", "Status"]]) == [
        "2 gånger till månadens slut", "pågår, inget registrerat ännu",
    ]  # fmt: skip
    # once November is over the same log is judged as before
    over = _presence_report(tmp_path, log, month="2026-11", now="2026-12-02 09:00", done=done)
    rows = _activity_rows(over)
    assert rows["X1"] == ["Polisen", "4 veckor", "2 veckor", "delvis"]
    assert rows["N1"] == ["Polisen", "2 gånger", "ej registrerat", "ej registrerat"]  # none logged
    assert rows["S1"] == [
        "Polisen, Kommunen", "1 gång", "Polisen 1 gång, Kommunen ej registrerat",
        "delvis registrerat",
    ]  # fmt: skip
    assert "S1 (Polisen: genomförd, Kommunen: ej registrerat)" in _section_text(
        monthly.render_html(over), "fokus"
    )
    assert not any("står som ”pågår”" in n for n in over.notes["aktivitetsplan"])
    # a month not begun: nothing is due yet
    ahead = _presence_report(tmp_path, log, month="2026-12", now="2026-11-27 14:00")
    rows = _activity_rows(ahead)
    assert rows["X1"] == ["Polisen", "0 av 5 veckor hittills", "0 veckor", "ej påbörjad"]
    assert rows["N1"] == ["Polisen", "2 gånger till månadens slut", "0 gånger", "ej påbörjad"]
    # the bathing section's note on the kommun's B line agrees with the table
    june = _presence_report(tmp_path, log, month="2026-06", now="2026-06-10 12:00")
    assert _activity_rows(june)["B1"] == [  # nothing logged: no shortfall claimed
        "Kommunen", "1 av 4 gånger hittills (1 per vecka)", "inget registrerat ännu",
        "pågår, inget registrerat ännu",
    ]  # fmt: skip
    bad = _section_text(monthly.render_html(june), "bad")
    assert "enligt aktivitetsplanen: B1: pågår, inget registrerat ännu." in bad
    short = _presence_report(  # a 0 logged is less than the week over asks: behind
        tmp_path, log, month="2026-06", now="2026-06-10 12:00",
        done=_activity_log(("B1", "2026-06", "kommun", 0)),
    )  # fmt: skip
    assert _activity_rows(short)["B1"][2:] == ["0 gånger", "pågår, ligger efter"]


def test_traffic_spots_by_status_equal_store_queries(tmp_path):
    path = tmp_path / "spots.gpkg"
    editor = User("anna", "kommun", "editor")
    police = User("per", "polis", "editor")
    ids = [str(uuid.uuid4()) for _ in range(4)]
    for sid, (cat, lon) in zip(
        ids, [("hastighet", 14.87), ("hastighet", 14.88), ("buller", 14.92), ("motorburen", 14.86)],
        strict=True,
    ):  # fmt: skip
        payload = {
            "geometry": {"type": "Point", "coordinates": [lon, 59.176]},
            "category": cat,
            "weekdays": [5, 6],
            "time_bands": ["kvall"],
            "since": "",
            "description": "Bilar kör fort förbi skolan, hemlig detalj",
            "unit": "Gata/park",
        }
        spots.put_spot(sid, payload, user=editor, path=path)
    spots.set_status(ids[0], status="bedomd", comment="sett", user=police, path=path)
    spots.set_status(ids[0], status="atgardad", comment="skylt", user=police, path=path)
    spots.set_status(ids[1], status="bedomd", comment="sett", user=police, path=path)
    month = months.today_month()
    tables = monthly.spot_tables(
        spots.read_spots(path), spots.read_changes(path=path), load_places(), month=month
    )
    frame = tables[0].frame.set_index("Kategori")
    start, end = _bounds(month)
    with sqlite3.connect(path) as conn:
        new = conn.execute(
            "SELECT count(*) FROM spots WHERE created_at >= ? AND created_at < ?", (start, end)
        ).fetchone()[0]
        waiting = conn.execute("SELECT count(*) FROM spots WHERE status = 'ny'").fetchone()[0]
        busy = conn.execute(
            "SELECT count(*) FROM spots WHERE status IN ('bedomd', 'atgard_planerad')"
        ).fetchone()[0]
        resolved = conn.execute(
            "SELECT count(DISTINCT spot_id) FROM spot_changes WHERE changed_at >= ?"
            " AND changed_at < ? AND json_extract(after, '$.status') = 'atgardad'",
            (start, end),
        ).fetchone()[0]
    total = frame.loc["Totalt"]
    assert (total["Nya i månaden"], total["Väntar på bedömning"]) == (new, waiting)
    assert (total["Under arbete"], total["Åtgärdade i månaden"]) == (busy, resolved)
    assert frame.loc[spots.SPOT_CATEGORIES["hastighet"], "Åtgärdade i månaden"] == 1
    done = tables[1].frame
    assert list(done["Kategori"]) == [spots.SPOT_CATEGORIES["hastighet"]]
    assert list(done["Ansvarig"]) == ["Kommunen"]
    inputs = _empty_inputs(store_path=path, spots=spots.read_spots(path),
                           spot_changes=spots.read_changes(path=path))  # fmt: skip
    report = monthly.compute_report(inputs, month=month, k=K, forecast_method="count_3m")
    assert "hemlig detalj" not in monthly.render_html(report)


def test_spot_status_is_the_one_at_the_end_of_the_reported_month(tmp_path):
    path = tmp_path / "spots.gpkg"
    editor, police = User("anna", "kommun", "editor"), User("per", "polis", "editor")
    sid = str(uuid.uuid4())
    payload = {
        "geometry": {"type": "Point", "coordinates": [14.87, 59.176]},
        "category": "hastighet", "weekdays": [5], "time_bands": ["kvall"], "since": "",
        "description": "Fort förbi skolan", "unit": "Gata/park",
    }  # fmt: skip
    spots.put_spot(sid, payload, user=editor, path=path)
    spots.set_status(sid, status="bedomd", comment="sett", user=police, path=path)
    spots.set_status(sid, status="atgardad", comment="skylt", user=police, path=path)
    # back-date the trail: created in September, assessed in October, resolved in November
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE spots SET created_at = '2026-09-10T08:00:00.000Z'")
        for version, when in ((1, "2026-09-10T08:00:00.000Z"), (2, "2026-10-05T09:00:00.000Z"),
                              (3, "2026-11-03T10:00:00.000Z")):  # fmt: skip
            conn.execute(
                "UPDATE spot_changes SET changed_at = ? WHERE version = ?", (when, version)
            )
    by_month = {}
    for month in ("2026-09", "2026-10", "2026-11"):
        table = monthly.spot_tables(
            spots.read_spots(path), spots.read_changes(path=path), load_places(), month=month
        )[0].frame.set_index("Kategori")
        total = table.loc["Totalt"]
        by_month[month] = [int(total[c]) for c in table.columns]
    # nya, väntar, under arbete, åtgärdade i månaden
    assert by_month == {"2026-09": [1, 1, 0, 0], "2026-10": [0, 0, 1, 0], "2026-11": [0, 0, 0, 1]}


def test_cli_report_writes_the_files(tmp_path):
    path = tmp_path / "tiny.gpkg"
    with store.connect(path):  # creates an empty store
        pass
    result = CliRunner().invoke(
        report_cmd,
        ["--month", "2026-11", "--store", str(path), "--out", str(tmp_path / "out"), "--no-pdf",
         "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["month"] == "2026-11"
    assert set(data["files"]) == {"html", "xlsx", "csv"}
    html = Path(data["files"]["html"]).read_text(encoding="utf-8")
    assert "november 2026" in html and "december 2026" in html
    result = CliRunner().invoke(report_cmd, ["--month", "2026-13", "--store", str(path)])
    assert result.exit_code != 0


def test_logged_controls_count_for_the_traffic_control_line(tmp_path):
    """The activity table's T1 counts the same controls as the report's table of controls."""
    from geo import patrol_log

    path = tmp_path / "s.gpkg"
    with store.connect(path):  # an empty store
        pass
    log = tmp_path / "logg.csv"
    log.write_text(
        "datum,start,slut,plats,åtgärd\n"
        "2026-10-07,21:00,22:30,Mullhyttan,nykterhetskontroll\n"
        "2026-10-14,15:00,16:00,Lanna badgruva,hastighetskontroll\n"
        "2026-10-21,18:00,19:00,Fjugesta centrum,närvaro\n"
        "2026-09-30,20:00,21:00,Vintrosa,nykterhetskontroll\n",
        encoding="utf-8",
    )
    patrol_log.import_log(log, store_path=path)
    out = tmp_path / "out"
    args = ["--month", "2026-10", "--store", str(path), "--out", str(out), "--no-pdf"]
    result = CliRunner().invoke(report_cmd, args)
    assert result.exit_code == 0, result.output
    tables = out / "uppfoljning-2026-10-tabeller"
    controls = pd.read_csv(tables / "kontroller.csv", sep=";", encoding="utf-8-sig", dtype=str)
    controls = controls.set_index("Kontrolltyp")
    assert (controls.loc["Nykterhet", "Tillfällen"], controls.loc["Hastighet", "Tillfällen"]) == (
        "1",
        "1",
    )
    plan = pd.read_csv(tables / "aktivitetsplan.csv", sep=";", encoding="utf-8-sig", dtype=str)
    t1 = plan.set_index("Id").loc["T1"]
    assert (t1["Planerat"], t1["Genomfört"], t1["Status"]) == ("2 gånger", "2 gånger", "genomförd")
    html = (out / "uppfoljning-2026-10.html").read_text(encoding="utf-8")
    assert "T1 (Polisen: ej genomförd)" not in html  # next month's focus agrees too
    # police controls are not incident counts: shown as 1, and the privacy note says so
    note = re.sub(r"\s+", " ", html.split('class="privacy">', 1)[1].split("</p>", 1)[0])
    assert note.startswith("Delad rapport: antal observationer under 5 visas som")
    assert "kontroller och besök" in note and "visas med sina verkliga antal" in note


@pytest.fixture(scope="module")
def unfinished_month(sample):
    """December 2026, which the sample covers only to Sunday 6 December, printed to PDF."""
    inputs = monthly.collect_inputs(month="2026-12", store_path=sample["path"])
    report = monthly.compute_report(
        inputs, month="2026-12", k=K, emerging_cell_size_m=1000.0, forecast_method="count_3m"
    )
    outputs = monthly.write_report(report, out_dir=sample["root"] / "december", pdf=True)
    return {"report": report, "outputs": outputs}


def test_a_month_not_over_is_compared_with_the_same_days(sample, unfinished_month):
    """Six days of December are not set against the whole of November and December 2025."""
    report = unfinished_month["report"]
    teman = report.tables["teman"].frame.set_index("Tema")
    months = ["1–6 december 2026", "1–6 november 2026", "1–6 december 2025"]
    assert list(teman.columns) == months
    for theme, label in THEMES.items():
        for column, (start, end) in zip(
            months, [("2026-12-01", "2026-12-07"), ("2026-11-01", "2026-11-07"),
                     ("2025-12-01", "2025-12-07")], strict=True,
        ):  # fmt: skip
            bounds = tuple(_utc(pd.Timestamp(d, tz=settings.timezone)) for d in (start, end))
            n = _count(
                sample["path"], f"occurred_at >= ? AND occurred_at < ? AND {_theme_sql(theme)}",
                bounds,
            )  # fmt: skip
            assert str(teman.loc[label, column]) == _shown(n), (theme, column)
    assert report.tables["kallor"].title.endswith("1–6 december 2026")
    assert any("till och med 6 december 2026" in n for n in report.notes["intro"])
    for item in report.focus:  # the focus compares the same days as the table
        for reason in item.reasons:
            shown = [str(v) for v in teman.loc[THEMES[item.theme]]]
            if "observationer under 1–6 december 2026:" in reason and all(
                v.isdigit() for v in shown
            ):
                now, last, year = (int(v) for v in shown)
                assert reason == monthly.change_reason(
                    now, last, year, month="2026-12", k=K, days=6
                )
    whole = monthly.compute_report(
        monthly.collect_inputs(month="2026-11", store_path=sample["path"]), month="2026-11", k=K,
        emerging_cell_size_m=1000.0, forecast_method="count_3m",
    )  # fmt: skip
    assert list(whole.tables["teman"].frame.columns[1:]) == [
        "november 2026", "oktober 2026", "november 2025",
    ]  # fmt: skip


def _solid_and_inked(uri: str) -> tuple[int, int]:
    """Return a chart's pixels of solid bar blue (#2b6cb0) and its pixels not near white."""
    img = mpimg.imread(io.BytesIO(base64.b64decode(uri.split(",", 1)[1])))[..., :3]
    solid = (np.abs(img - np.array([0x2B, 0x6C, 0xB0]) / 255).max(axis=2) < 0.05).sum()
    return int(solid), int((img.min(axis=2) < 0.9).sum())


def test_a_month_the_data_covers_in_part_is_marked_in_the_chart(unfinished_month):
    """December 2026 holds data to the 6th: its bar and row say so, not a whole month."""
    html = " ".join(unfinished_month["outputs"]["html"].read_text(encoding="utf-8").split())
    chart = html.split('<img class="chart"', 1)[1]
    caption = "Blårandig stapel = del av månaden: 1–6 dec (lagret har inga senare observationer)."
    assert caption in chart.split("</section>", 1)[0]
    trend = _csv(unfinished_month, "trend")  # the table for the minutes
    assert list(trend["Månad"].iloc[-2:]) == ["november 2026", "1–6 december 2026"]
    # the picture: with 40 observations in every month (the first one small, so that both
    # charts have their key under them and bars of one size), the last bar of each theme is
    # no longer solid blue (hatched and pale instead) but still drawn
    trend_months = [str(months.parse_month("2026-12") - i) for i in range(12, -1, -1)]
    raw = pd.DataFrame(40, index=trend_months, columns=list(THEMES))
    raw.iloc[0] = 2
    whole, part = (_solid_and_inked(trend_chart(raw, k=K, days=d)) for d in (None, 22))
    assert 10.5 / 12 < part[0] / whole[0] < 11.5 / 12
    assert part[1] > 0.97 * whole[1]


@pytest.mark.parametrize("which", ["sample", "unfinished_month"])
def test_the_chart_and_its_notes_are_on_one_page(request, which):
    """The line saying how to read the chart (a hatched part month) is printed beside it."""
    outputs = request.getfixturevalue(which)["outputs"]
    text = subprocess.run(
        ["pdftotext", str(outputs["pdf"]), "-"], capture_output=True, text=True, check=True
    ).stdout
    heading = "Utveckling de senaste 13 månaderna"
    (page,) = [p for p in text.split("\f") if heading in p]
    note = "Blårandig stapel = del av månaden"
    assert (note in text) <= (note in page)
    assert (note in text) == (which == "unfinished_month")  # only December is a part month


def test_focus_forecast_is_said_in_plain_swedish(unfinished_month):
    reasons = [r for item in unfinished_month["report"].focus for r in item.reasons]
    assert not [r for r in reasons if "väntar" in r]
    assert [r for r in reasons if r.startswith("Prognosen: omkring ")]


@pytest.mark.parametrize("which", ["sample", "unfinished_month"])
def test_short_tables_are_not_split_between_pages(request, which):
    """A table of a few rows stays on one page with its caption (the PDF as printed)."""
    outputs, report = (request.getfixturevalue(which)[k] for k in ("outputs", "report"))
    text = subprocess.run(
        ["pdftotext", "-layout", str(outputs["pdf"]), "-"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    pages = ["".join(page.split()) for page in text.split("\f")]  # "< 5" prints as "<5"
    checked = 0
    for table in report.tables.values():
        if table.frame.empty or len(table.frame) > 12:
            continue
        title = "".join(table.title.split())
        page = next(p for p in pages if title in p)
        # a long cell wraps over lines, which the text interleaves with the row's other
        # cells: each cell of the last row is looked for on its own
        for value in table.frame.iloc[-1]:
            words = str(value).split()
            assert all(w in page for w in words), (table.title, value)
        checked += 1
    assert checked >= 4


@pytest.mark.parametrize(("which", "month"), [("sample", MONTH), ("unfinished_month", "2026-12")])
def test_every_pdf_page_names_the_month_the_handling_and_its_number(request, which, month):
    """A page printed on its own still says which report it is, how to share it, which page."""
    pdf = request.getfixturevalue(which)["outputs"]["pdf"]
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = [" ".join(page.split()) for page in text.split("\f") if page.strip()]
    assert len(pages) >= 2
    title = f"Uppföljning av medborgarlöftet – {monthly.month_label(month)}"
    handling = "Delad rapport"
    if which == "unfinished_month":  # its data end on 6 December: preliminary, on every page,
        # and kept in: two reports over different days of a month can be subtracted
        title += " (preliminär, observationer 1–6 dec)"
        handling = "Preliminär rapport – sprids inte; dela rapporten som görs efter månadens slut"
    for i, page in enumerate(pages, 1):
        assert f"{title} · {handling}" in page, i
        assert f"sida {i} av {len(pages)}" in page, i


def _patrol_store(tmp_path, rows: str) -> Path:
    """Return an empty store with a patrol log of CSV rows: datum,start,slut,plats,åtgärd."""
    from geo import patrol_log

    path = tmp_path / "s.gpkg"
    with store.connect(path):  # an empty store
        pass
    log = tmp_path / "logg.csv"
    log.write_text("datum,start,slut,plats,åtgärd\n" + rows, encoding="utf-8")
    patrol_log.import_log(log, store_path=path)
    return path


def test_cli_report_as_of_a_day_is_made_as_the_store_stood_at_its_end(tmp_path):
    """As at Friday 20 November: dated that day, week 47 runs, a later visit is not yet there."""
    path = _patrol_store(
        tmp_path,
        "2026-11-03,18:00,20:10,Fjugesta,närvaro\n"
        "2026-11-10,10:00,11:00,Vintrosa,närvaro\n"
        "2026-11-20,22:00,23:30,Lanna,närvaro\n"  # the evening of the day: counted
        "2026-11-21,20:00,21:00,Vintrosa,närvaro\n"  # the day after: not yet logged
        "2026-11-25,16:00,18:00,Fjugesta centrum,närvaro\n",
    )
    out = tmp_path / "out"
    args = ["--month", "2026-11", "--store", str(path), "--out", str(out), "--no-pdf", "--json"]
    result = CliRunner().invoke(report_cmd, [*args, "--as-of", "2026-11-20"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["as_of"] == "2026-11-20"
    html = (out / "uppfoljning-2026-11.html").read_text(encoding="utf-8")
    assert "skapad 20 november 2026" in " ".join(html.split())
    # Vecka, Minuter, Löfte (minuter), Uppfyllt (Dagar after)
    assert [r[:4] for r in _html_table(html, "polisnarvaro")] == [
        ["2026-W45", "130", "120", "ja"],
        ["2026-W46", "60", "120", "nej"],
        ["2026-W47", "90", "120", "pågår"],
        ["2026-W48", "0", "120", "ej påbörjad"],
    ]
    rows = {r[0]: r[3:] for r in _html_table(html, "aktivitetsplan")}
    assert rows["X1"] == ["Polisen", "2 av 4 veckor hittills", "1 vecka", "pågår, ligger efter"]
    # the end of Sunday 22 November ends week 47 (150 minutes by then), not the month
    CliRunner().invoke(report_cmd, [*args, "--as-of", "2026-11-22"])
    html = (out / "uppfoljning-2026-11.html").read_text(encoding="utf-8")
    assert _html_table(html, "polisnarvaro")[2][:4] == ["2026-W47", "150", "120", "ja"]
    n1 = {r[0]: r[3:] for r in _html_table(html, "aktivitetsplan")}["N1"]
    assert n1[3] == "pågår, inget registrerat ännu"  # nothing logged: said as it is
    # a day not yet ended would call work still to be done missed: refused
    tomorrow = (local_now() + pd.Timedelta(days=1)).strftime("%Y-%m-%d")
    result = CliRunner().invoke(report_cmd, [*args, "--as-of", tomorrow])
    assert result.exit_code == 2
    assert "is after today" in " ".join(result.output.split())


def test_cli_as_of_today_is_as_at_now_not_at_the_end_of_a_day_not_yet_ended(tmp_path, monkeypatch):
    """Sunday 29 November, 14:00: week 48 and the line X1 still run until midnight."""
    from geo.cli import report as cli_report

    monkeypatch.setattr(
        cli_report, "local_now", lambda: pd.Timestamp("2026-11-29 14:00", tz=settings.timezone)
    )
    path = _patrol_store(
        tmp_path,
        "2026-11-03,18:00,20:10,Fjugesta,närvaro\n"
        "2026-11-10,10:00,12:00,Vintrosa,närvaro\n"
        "2026-11-17,18:00,20:00,Lanna,närvaro\n",
    )
    out = tmp_path / "out"
    args = ["--month", "2026-11", "--store", str(path), "--out", str(out), "--no-pdf"]
    result = CliRunner().invoke(report_cmd, [*args, "--as-of", "2026-11-29"])
    assert result.exit_code == 0, result.output
    html = (out / "uppfoljning-2026-11.html").read_text(encoding="utf-8")
    assert "skapad 29 november 2026" in " ".join(html.split())
    weeks = {r[0]: r[3] for r in _html_table(html, "polisnarvaro")}
    assert weeks["2026-W48"] == "pågår"  # not "nej": a pass may still come tonight
    x1 = {r[0]: r[3:] for r in _html_table(html, "aktivitetsplan")}["X1"]
    assert x1[-1] == "pågår"  # three weeks of three met so far, not "delvis"


@pytest.mark.parametrize(
    ("as_of", "needle"),
    [
        ("2026-10-31", "nothing to report yet; give a day from 2026-11-01 on"),
        ("2026-11-20T12:00", "write it as YYYY-MM-DD, e.g. '2026-11-20'"),
    ],
)
def test_cli_report_refuses_an_as_of_day_before_the_month_or_malformed(tmp_path, as_of, needle):
    path = tmp_path / "tiny.gpkg"
    with store.connect(path):  # an empty store
        pass
    args = ["--month", "2026-11", "--store", str(path), "--out", str(tmp_path / "out"),
            "--no-pdf", "--as-of", as_of]  # fmt: skip
    result = CliRunner().invoke(report_cmd, args)
    assert result.exit_code == 2
    assert "--as-of" in result.output and needle in " ".join(result.output.split())
    assert not (tmp_path / "out").exists()


def test_inputs_as_at_a_day_leave_out_what_happened_after_it(sample):
    """The sample runs to Sunday 6 December; as at Thursday 3 December it ends on the 3rd."""
    until = reportday.end_of_day(date(2026, 12, 3))
    inputs = monthly.collect_inputs(month="2026-12", store_path=sample["path"], until=until)
    occurred = pd.to_datetime(inputs.incidents["occurred_at"])
    assert occurred.max() < until
    assert _count(sample["path"], "occurred_at >= ?", (_utc(until),)) > 0  # left out
    assert inputs.data_end is not None and inputs.data_end < until
    assert inputs.data_end.tz_convert(settings.timezone).day == 3


def _no_visits() -> pd.DataFrame:
    """Return an empty patrol log with the columns :func:`geo.patrol_log.read_log` gives."""
    return pd.DataFrame(columns=list(_visit(0, "2026-01-01 10:00", "2026-01-01 11:00", "", "")))


def test_focus_names_lines_behind_what_is_due_so_far_without_calling_them_missed(tmp_path):
    """On Friday 27 November three of four weeks are over and X1 met the promise in two."""
    log = pd.DataFrame(
        [
            _visit(1, "2026-11-03 18:00", "2026-11-03 20:10", "närvaro", "Fjugesta"),
            _visit(2, "2026-11-18 20:00", "2026-11-18 22:00", "närvaro", "Lanna"),
        ]
    )
    report = _presence_report(tmp_path, log, month="2026-11", now="2026-11-27 14:00")
    said = _section_text(monthly.render_html(report), "fokus")
    behind = "Aktiviteter som hittills ligger efter planen i november 2026: "
    assert behind + "X1 (Polisen: 2 av 3 veckor hittills)." in said
    assert "ej genomförd" not in said and "inte genomfördes" not in said
    assert "N1" not in said  # a monthly line is not due before its month is over
    # a line up to date so far is not named
    week_46 = _visit(3, "2026-11-10 10:00", "2026-11-10 12:00", "närvaro", "Vintrosa")
    log = pd.concat([log, pd.DataFrame([week_46])], ignore_index=True)
    report = _presence_report(tmp_path, log, month="2026-11", now="2026-11-27 14:00")
    assert "X1 (" not in _section_text(monthly.render_html(report), "fokus")


def test_focus_names_what_each_executor_did_of_a_line_behind(tmp_path):
    """June 2026, Wednesday 24th: B1 (kommun, weekly) has 1 of 3 weeks done so far."""
    from geo.report.monthly.focus import done_so_far, is_behind, not_logged_yet

    done = _activity_log(("B1", "2026-06", "kommun", 1))
    report = _presence_report(
        tmp_path, _no_visits(), month="2026-06", now="2026-06-24 12:00", done=done
    )
    said = _section_text(monthly.render_html(report), "fokus")
    assert "ligger efter planen i juni 2026: B1 (Kommunen: 1 av 3 gånger hittills)." in said
    # a line two executors share: one has done the month's all, the other is behind
    line = activity_status.LineStatus(
        activity_id="S9", theme="S", section="", text="", planned=4, due=3,
        planned_label="3 av 4 veckor hittills", unit="weeks",
        executor_labels=("Polisen", "Kommunen"),
        done=(4, 1), executor_statuses=("done", "behind"), status="behind",
    )  # fmt: skip
    assert is_behind(line)
    assert done_so_far(line) == ("genomförd", "1 av 3 veckor hittills")
    # one ahead of the weeks so far (not yet all the month's) is said as the page says more
    # done than planned: "4 av 3 gånger hittills" read as a typo
    ahead = dataclasses.replace(
        line, planned=8, unit="times", done=(4, 1), executor_statuses=("running", "behind"),
        status="behind",
    )  # fmt: skip
    assert done_so_far(ahead) == ("4 gånger hittills (3 planerade hittills)",
                                  "1 av 3 gånger hittills")  # fmt: skip
    # nothing due yet: the count alone, as activity_words.done_of_text says it, not "1 av 0"
    assert done_so_far(dataclasses.replace(ahead, due=0, done=(1, 0))) == (
        "1 gång hittills", "0 gånger hittills",
    )  # fmt: skip
    # one that entered nothing is said so, not "0 av 3" beside the other's shortfall
    assert done_so_far(
        dataclasses.replace(line, done=(1, 0), executor_statuses=("behind", "not_logged_yet"))
    ) == ("1 av 3 veckor hittills", "inget registrerat ännu")
    # nothing entered beside a part on track is no shortfall: named apart, not behind
    nothing = dataclasses.replace(
        line, done=(3, 0), executor_statuses=("running", "not_logged_yet"), status="running"
    )
    assert not is_behind(nothing) and not_logged_yet(nothing) == ("Kommunen",)


def test_the_activity_note_says_a_weekly_line_ends_with_the_months_last_week(tmp_path):
    """Saturday 2 January 2027: December is over but its week 53 runs to Sunday 3 January."""
    report = _presence_report(tmp_path, _no_visits(), month="2026-12", now="2027-01-02 12:00")
    rows = _activity_rows(report)
    assert rows["X1"] == [  # no pass at all: nothing entered, not a shortfall
        "Polisen", "4 av 5 veckor hittills", "inget registrerat ännu",
        "pågår, inget registrerat ännu",
    ]  # fmt: skip
    # a monthly line is over, with nothing logged
    assert rows["N1"] == ["Polisen", "2 gånger", "ej registrerat", "ej registrerat"]
    note = " ".join(report.notes["aktivitetsplan"])
    assert "per vecka när månadens sista ISO-vecka är slut" in note
    assert "Månaden är inte slut" not in note


def test_a_month_not_over_compares_no_emerging_hot_spots(unfinished_month):
    """Six days of December are no monthly step: read as one, every hot spot would fade."""
    report = unfinished_month["report"]
    table = report.tables["hotspotforandringar"]
    assert table.frame.empty
    # said where the table stands ("…: inget att redovisa" then why read as "no change")
    assert table.empty_text.startswith("jämförs när månaden är hel")
    assert "till och med 6 december 2026" in table.empty_text
    html = " ".join(monthly.render_html(report).split())
    assert f"{table.title} – {table.empty_text}." in html and "hotspots jämförs" not in html


def test_the_hotspot_changes_count_no_cell_the_shared_map_hides(tmp_path):
    """A cell of 1 event in 24 months turned "sporadisk" beside busy ones (Gi* counts a cell's
    neighbours): the shared report counted it, with its nearest place, though the shared map
    hides every cell under k."""
    from geo.hotspots import emerging_hotspots, local_wall_time, spatial_incidents
    from geo.ingest import import_file
    from geo.report.monthly.selection import theme_incidents
    from geo.sample import make_sample
    from geo.timespan import local_time

    path = tmp_path / "s.gpkg"
    make_sample(end=date(2026, 11, 30)).to_csv(tmp_path / "s.csv", index=False)
    assert import_file(tmp_path / "s.csv", store_path=path, source="syntetisk").stored
    month = "2026-10"
    inputs = monthly.collect_inputs(month=month, store_path=path)
    report = monthly.compute_report(
        inputs, month=month, k=K, forecast_method="count_3m",
        now=pd.Timestamp("2026-11-30 12:00", tz=settings.timezone),
    )  # fmt: skip
    out = monthly.write_report(report, out_dir=tmp_path / "out", pdf=False)
    csv = pd.read_csv(out["csv"] / "hotspotforandringar.csv", sep=";", encoding="utf-8-sig")
    shown = {(r.iloc[0], r.iloc[1], r.iloc[2]): int(r["Rutor"]) for _, r in csv.iterrows()}
    # the cells whose class changed, straight from the analysis, with their events
    p = months.parse_month(month)
    changed: dict[tuple[str, str, str], list[int]] = {}
    for theme, label in THEMES.items():
        sub = spatial_incidents(theme_incidents(inputs.incidents, theme, inputs.places))
        runs = []
        for last in (p, p - 1):
            start = local_time(months.month_bounds(str(last - 23))[0])
            end = local_time(months.month_bounds(str(last))[1])
            wall = local_wall_time(sub["occurred_at"])
            window = sub[((wall >= start) & (wall < end)).to_numpy()]
            runs.append(emerging_hotspots(window, cell_size_m=500.0, start=start, end=end))
        now, before = runs
        both = now.merge(
            before[["cell_id", "pattern"]], on="cell_id", how="left", suffixes=("", "_f")
        )
        both["pattern_f"] = both["pattern_f"].fillna("inget mönster")
        for _, c in both[both["pattern"] != both["pattern_f"]].iterrows():
            changed.setdefault((label, c["pattern_f"], c["pattern"]), []).append(c["n_events"])
    assert any(n < K for ns in changed.values() for n in ns)  # such cells changed this month
    assert shown == {
        key: sum(n >= K for n in ns) for key, ns in changed.items() if any(n >= K for n in ns)
    }


def test_the_hotspot_changes_set_last_months_24_months_against_this_months(tmp_path):
    """Four years in the store: last month's classes are told over its own 24 months.

    The report read the store from 23 months before the month, so last month's run had 23
    months and a class it gave could differ from the one its 24 months give: October 2026
    read here with changes that were none, or without ones there were.
    """
    from geo.ingest import import_file
    from geo.report.monthly.incidents import emerging_changes
    from geo.sample import make_sample

    path = tmp_path / "s.gpkg"
    older = make_sample(end=date(2024, 12, 2), seed=7)
    older["id"] = "old-" + older["id"].astype(str)
    for name, frame in (("older", older), ("newer", make_sample(end=date(2026, 11, 30)))):
        frame.to_csv(tmp_path / f"{name}.csv", index=False)
        assert import_file(tmp_path / f"{name}.csv", store_path=path, source="syntetisk").stored
    month = "2026-10"
    report = monthly.compute_report(
        monthly.collect_inputs(month=month, store_path=path), month=month, k=K,
        forecast_method="count_3m", now=pd.Timestamp("2026-11-30 12:00", tz=settings.timezone),
    )  # fmt: skip
    everything = store.read_incidents(path, end=months.month_bounds(month)[1])
    expected, _ = emerging_changes(everything, _PLACES, month=month)
    shown = report.tables["hotspotforandringar"].frame
    pd.testing.assert_frame_equal(shown, expected.frame)


def test_geo_run_analyses_the_whole_months_before_its_day(sample):
    """`geo run --end 2026-12-07`: the emerging steps end with November, not 6 days of December."""
    from geo.hotspots import spatial_incidents

    emerging = store.read_layer("emerging", sample["path"])
    located = spatial_incidents(store.read_incidents(sample["path"]))
    # from the synthetic set's first whole month (the police's few located events since
    # 2023 are too thin a start): it begins after the 1st, so the month after
    synthetic = located[located["source"] == "syntetisk"]
    first = pd.Timestamp(synthetic["occurred_at"].min()).tz_convert(settings.timezone)
    assert first.day > 1
    months = (2026 - first.year) * 12 + (11 - first.month)  # to November 2026
    assert set(emerging["n_steps"]) == {months}
    # the places' last 90 days end with the data (the sample's last day, Sunday 6 December)
    places = store.read_layer("place_stats", sample["path"])
    assert set(places["period_end"]) == {"2026-12-06"}


def test_next_months_focus_names_places_of_the_season_not_summers_beaches():
    # the October report named "främst kring Lanna badgruva, Badplats Leken" for November, with
    # no event there in any November: the names came from a week's summer-heavy forecast
    import geopandas as gpd

    from geo.model import INCIDENT_COLUMNS
    from geo.report.monthly.focus import next_month_focus
    from geo.sites import load_places

    places = load_places()
    at = places.set_index("place_id").geometry
    tz = "Europe/Stockholm"
    summers = [
        pd.Timestamp(f"{y}-07-{d:02d} 15:00", tz=tz)
        for y in (2024, 2025, 2026)
        for d in range(1, 29)
    ]  # 84 disturbances at Lanna badgruva, in three Julys
    autumn = [pd.Timestamp(f"2025-11-{d:02d} 21:00", tz=tz) for d in range(3, 13)] + [
        pd.Timestamp(f"2026-10-{d:02d} 21:00", tz=tz) for d in range(1, 7)
    ]  # 16 at Fjugesta centrum, last November and this October
    times = summers + autumn
    pts = [at["lanna_badgruva"].centroid] * len(summers) + [at["fjugesta_centrum"].centroid] * len(
        autumn
    )
    rows = {c: [None] * len(times) for c in INCIDENT_COLUMNS if c != "geometry"}
    rows.update(
        occurred_at=times, category=["ordningsstorning"] * len(times), theme=["S"] * len(times),
        source=["kommun"] * len(times), location_precision_m=[10.0] * len(times),
        place_id=["lanna_badgruva"] * len(summers) + ["fjugesta_centrum"] * len(autumn),
    )  # fmt: skip
    incidents = gpd.GeoDataFrame(rows, geometry=gpd.GeoSeries(pts, crs="EPSG:3006"))
    status = pd.DataFrame(columns=["activity_id", "theme", "section", "text", "status"])
    items, _ = next_month_focus(
        incidents, places, month="2026-10", k=5, status=status, forecast_method="default"
    )
    s = next(i for i in items if i.theme == "S")
    where = next(r for r in s.reasons if r.startswith("Prognosen"))
    assert "främst kring Fjugesta centrum (utifrån samma månad tidigare år" in where, where
    assert "Lanna badgruva" not in where and "Leken" not in where


@pytest.mark.parametrize(("month", "days"), [("2026-11", 31), ("2027-01", 28)])
def test_next_months_forecast_is_for_its_calendar_days(month, days):
    # a council member's review: the forecast was a week's times the month's ISO weeks, so
    # December (5 weeks, 35 days) came out 13 % high beside counts of calendar months
    import geopandas as gpd

    from geo.forecast import forecast_week
    from geo.model import INCIDENT_COLUMNS
    from geo.report.monthly.focus import next_month_focus

    places = load_places()
    centre = places.set_index("place_id").geometry["fjugesta_centrum"].centroid
    tz = "Europe/Stockholm"
    times = list(pd.date_range("2026-03-02 21:00", "2026-10-30 21:00", freq="2D", tz=tz))
    end = months.month_bounds(month)[1]
    times = [t for t in times if t < end]
    rows = {c: [None] * len(times) for c in INCIDENT_COLUMNS if c != "geometry"}
    rows.update(
        occurred_at=times, category=["alkohol"] * len(times), theme=["N"] * len(times),
        source=["kommun"] * len(times), location_precision_m=[10.0] * len(times),
    )  # fmt: skip
    incidents = gpd.GeoDataFrame(rows, geometry=gpd.GeoSeries([centre] * len(times), crs=3006))
    status = pd.DataFrame(columns=["activity_id", "theme", "section", "text", "status"])
    items, _ = next_month_focus(
        incidents, places, month=month, k=5, status=status, forecast_method="count_3m"
    )
    said = next(r for r in next(i for i in items if i.theme == "N").reasons if "Prognosen" in r)
    first = months.iso_weeks_of_month(str(months.parse_month(month) + 1))[0]
    week = float(forecast_week(incidents, week=first, method="count_3m")["risk_N"].sum())
    assert f"omkring {round(week * days / 7)} observationer" in said, (said, week)


def test_next_months_focus_names_no_place_on_fewer_than_k_events():
    # a data protection review: the report named "främst kring Tångeråsa, Fjugesta centrum,
    # Knista" for S while its places table said "ingen med minst 5"; a village named on one
    # event of a quiet month says where that event was
    import geopandas as gpd

    from geo.model import INCIDENT_COLUMNS
    from geo.report.monthly.focus import focus_places
    from geo.sites import load_places

    places = load_places()
    at = places.set_index("place_id").geometry
    tz = "Europe/Stockholm"
    town = [pd.Timestamp(f"2026-10-{d:02d} 21:00", tz=tz) for d in range(1, 9)]  # 8 events
    village = [pd.Timestamp("2026-10-12 14:00", tz=tz)]  # 1 burglary at Knista
    times = town + village
    pts = [at["fjugesta_centrum"].centroid] * len(town) + [at["knista"].centroid]
    rows = {c: [None] * len(times) for c in INCIDENT_COLUMNS if c != "geometry"}
    rows.update(
        occurred_at=times, category=["inbrott"] * len(times), theme=["S"] * len(times),
        source=["kommun"] * len(times), location_precision_m=[10.0] * len(times),
    )  # fmt: skip
    incidents = gpd.GeoDataFrame(rows, geometry=gpd.GeoSeries(pts, crs="EPSG:3006"))
    end = pd.Timestamp("2026-11-01", tz=tz)
    nov = pd.Period("2026-11", "M")
    assert focus_places(incidents, places, theme="S", month=nov, end=end, k=5) == [
        "Fjugesta centrum"
    ]
    # with k = 1 (an internal view) the village is named too: the rule is k, not the place
    assert focus_places(incidents, places, theme="S", month=nov, end=end, k=1) == [
        "Fjugesta centrum",
        "Knista",
    ]


def test_next_months_focus_names_no_village_for_events_scattered_around_it():
    # a council member's review of the October 2026 report: "främst kring Tångeråsa,
    # Fjugesta centrum, Knista" for S, while the 9 events counted for Tångeråsa lay 1.1 to 8.7
    # km from the village, the countryside's events given to the nearest name
    import geopandas as gpd
    from shapely.geometry import Point

    from geo.model import INCIDENT_COLUMNS
    from geo.report.monthly.focus import next_month_focus
    from geo.sites import nearest_place_names

    at = _PLACES.set_index("place_id").geometry
    village = at["tangerasa"].representative_point()
    around = [(2000, 0), (-2000, 0), (0, 2000), (0, -2000), (-3000, 0), (0, -3000)] * 2
    farms = [Point(village.x + dx, village.y + dy) for dx, dy in around]  # 1.5-2.5 km off
    assert set(nearest_place_names(gpd.GeoSeries(farms, crs=3006), _PLACES)) == {"Tångeråsa"}
    town = [at["fjugesta_centrum"].centroid] * 6
    tz = settings.timezone
    times = [pd.Timestamp(f"2026-10-{d:02d} 21:00", tz=tz) for d in range(1, 19)]
    rows = {c: [None] * len(times) for c in INCIDENT_COLUMNS if c != "geometry"}
    rows.update(
        occurred_at=times, category=["skadegorelse"] * len(times), theme=["S"] * len(times),
        source=["kommun"] * len(times), location_precision_m=[10.0] * len(times),
    )  # fmt: skip
    incidents = gpd.GeoDataFrame(rows, geometry=gpd.GeoSeries(farms + town, crs="EPSG:3006"))
    status = pd.DataFrame(columns=["activity_id", "theme", "section", "text", "status"])
    items, _ = next_month_focus(
        incidents, _PLACES, month="2026-10", k=K, status=status, forecast_method="count_3m"
    )
    said = next(r for r in next(i for i in items if i.theme == "S").reasons if "Prognosen" in r)
    assert "främst kring Fjugesta centrum (utifrån" in said, said
    assert "Tångeråsa" not in said


def test_the_trend_chart_counts_in_whole_numbers(monkeypatch):
    # a council member's review: small counts put "2.5" and "7.5" on the axis
    from matplotlib.figure import Figure

    from geo.report.monthly import incidents as inc_mod

    drawn: list[Figure] = []

    def keep(draw, *, size_in):  # type: ignore[no-untyped-def]
        fig = Figure(figsize=size_in, dpi=150, layout="constrained")
        draw(fig)
        fig.canvas.draw()  # type: ignore[no-untyped-call]
        drawn.append(fig)
        return "data:image/png;base64,"

    monkeypatch.setattr(inc_mod, "_png_data_uri", keep)
    months = [f"2026-{m:02d}" for m in range(1, 14 - 1)] + ["2026-12"]
    counts = [11, 15, 9, 13, 8, 15, 12, 10, 14, 15, 9, 10, 12]  # up to 15: 2.5 steps by default
    raw = pd.DataFrame({t: counts[: len(months)] for t in THEMES}, index=months)
    inc_mod.trend_chart(raw, k=5)
    (fig,) = drawn
    for ax in fig.axes:
        ticks = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
        assert ticks and all(t.lstrip("−-").isdigit() for t in ticks), ticks


@pytest.mark.parametrize("days", [None, 12])
def test_the_trend_charts_key_covers_no_bar(monkeypatch, days):
    # the July 2026 report: the key "färre än 5 (visas ej)" stood over July 2025's bar
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from geo.report.monthly import incidents as inc_mod

    drawn: list[Figure] = []
    canvases: list[FigureCanvasAgg] = []

    def keep(draw, *, size_in):  # type: ignore[no-untyped-def]
        fig = Figure(figsize=size_in, dpi=150, layout="constrained")
        canvases.append(FigureCanvasAgg(fig))
        draw(fig)
        canvases[-1].draw()
        drawn.append(fig)
        return "data:image/png;base64,"

    monkeypatch.setattr(inc_mod, "_png_data_uri", keep)
    months = [f"2025-{m:02d}" for m in range(7, 13)] + [f"2026-{m:02d}" for m in range(1, 8)]
    counts = [16, 15, 13, 3, 12, 10, 9, 11, 12, 2, 14, 12, 15]  # tallest first, two small
    raw = pd.DataFrame(dict.fromkeys(THEMES, counts), index=months)
    inc_mod.trend_chart(raw, k=5, days=days)
    (fig,) = drawn
    renderer = canvases[0].get_renderer()
    keys = [*fig.legends, *(ax.get_legend() for ax in fig.axes if ax.get_legend())]
    said = {t.get_text() for key in keys for t in key.get_texts()}
    assert "färre än 5 (visas ej)" in said  # the hatched bars are explained
    if days is not None:
        assert inc_mod.partial_month_label(months[-1], days) in said
    for key in keys:
        box = key.get_window_extent(renderer)
        for ax in fig.axes:
            for bar in ax.patches:
                assert not box.overlaps(bar.get_window_extent(renderer)), ax.get_title()


def _cancelled(i: int, at: str, reason: str) -> dict:
    """Return a patrol-log row of a trip called off (0 minutes) at local time ``at``."""
    row = _visit(i, at, at, "närvaro", "Vintrosa")
    return {**row, "cancelled": reason, "results": "Kalle sjuk, larm Storgatan 4"}


def test_a_week_short_of_the_promise_says_its_trip_was_cancelled_and_why(tmp_path):
    # a kommunpolis's November: W46's trip called off for an emergency call, W47's second
    # trip for staff shortage; the follow-up said only "nej" and nobody could say why
    log = pd.DataFrame(
        [
            _visit(1, "2026-11-03 18:00", "2026-11-03 20:10", "närvaro", "Fjugesta"),
            _cancelled(2, "2026-11-11 19:00", "larm"),
            _visit(3, "2026-11-17 18:00", "2026-11-17 19:00", "närvaro", "Fjugesta"),
            _cancelled(4, "2026-11-19 00:00", "personal"),
            _cancelled(5, "2026-11-20 19:00", "personal"),
            _visit(6, "2026-11-24 18:00", "2026-11-24 20:00", "närvaro", "Vintrosa"),
        ]
    )
    report = _presence_report(tmp_path, log, month="2026-11", now="2026-12-02 09:00")
    table = report.tables["polisnarvaro"].frame.set_index("Vecka")
    assert list(table["Minuter"]) == [130, 0, 60, 120]
    assert list(table["Uppfyllt"]) == ["ja", "nej", "nej", "ja"]
    assert list(table["Inställda pass"]) == [
        "",
        "1 inställt pass: annat larm/prioriterat ärende",
        "2 inställda pass: personalbrist",
        "",
    ]
    note = report.notes["polis"][0]
    assert "uppfylldes i 2 av 4 veckor" in note
    assert "vecka 2026-W46 nådde inte 120 minuter (1 inställt pass: annat larm/prioriterat" in note
    assert "vecka 2026-W47 nådde inte 120 minuter (2 inställda pass: personalbrist)" in note
    html = monthly.render_html(report)
    assert "Inställda pass" in html
    for secret in ("Kalle", "Storgatan"):  # the pass's own text stays with the police
        assert secret not in html
    # the cancelled trip was no visit: Vintrosa counts once, at W48's pass
    assert "Vintrosa" not in str(report.tables["kontroller"].frame["Platser"].tolist())


def test_a_month_whose_only_passes_were_cancelled_is_not_unregistered(tmp_path):
    log = pd.DataFrame([_cancelled(1, "2026-10-07 18:00", "vader")])
    report = _presence_report(tmp_path, log, month="2026-10", now="2026-11-27 14:00")
    table = report.tables["polisnarvaro"].frame
    assert list(table["Uppfyllt"]) == ["nej"] * 5  # logged: a promise not kept, said why
    assert table["Inställda pass"].iloc[1] == "1 inställt pass: väder/väglag"
    # a month without any cancellation keeps its table as it was
    plain = pd.DataFrame([_visit(1, "2026-10-07 18:00", "2026-10-07 20:10", "närvaro", "A")])
    columns = _presence_report(tmp_path, plain, month="2026-10", now="2026-11-27 14:00")
    assert "Inställda pass" not in columns.tables["polisnarvaro"].frame.columns


def _control(i: int, start: str, activity_text: str, **counts: int) -> dict:
    return {**_visit(i, start, start[:11] + "21:00", activity_text, "Fjugesta centrum"), **counts}


def test_control_counts_are_summed_per_type_and_offences_under_k_hidden(tmp_path):
    log = pd.DataFrame(
        [
            _control(1, "2026-10-02 19:00", "nykterhetskontroll", checked=40, breath_tests=40,
                     dui_suspected=1),
            _control(2, "2026-10-09 19:00", "nykterhetskontroll", checked=25, breath_tests=22,
                     dui_suspected=1, reports=0),
            _control(3, "2026-10-16 19:00", "hastighetskontroll", checked=30, fines=6,
                     reports=2),
            _control(4, "2026-10-23 19:00", "nykterhetskontroll"),  # counts not given
            {**_cancelled(5, "2026-10-30 19:00", "larm"), "activity": "nykterhetskontroll"},
        ]
    )  # fmt: skip
    report = _presence_report(tmp_path, log, month="2026-10", now="2026-11-12 09:00")
    controls = report.tables["kontroller"].frame.set_index("Kontrolltyp")
    sober, speed = controls.loc["Nykterhet"], controls.loc["Hastighet"]
    assert sober["Tillfällen"] == 3  # the cancelled one was not held
    assert (sober["Kontrollerade"], sober["Blåsta"]) == (65, 62)
    assert sober["Misstänkt rattfylleri"] == "< 5"  # 2 people caught: hidden as incidents
    # not given ≠ 0; a 0 in a month with reports reads as a small count does (below)
    assert (sober["Ordningsböter"], sober["Rapporter"]) == ("", "< 5")
    assert (speed["Kontrollerade"], speed["Blåsta"], speed["Ordningsböter"]) == (30, "", 6)
    assert speed["Rapporter"] == "< 5"
    motor = controls.loc["Motorburen"]
    assert (motor["Tillfällen"], motor["Kontrollerade"]) == (0, "")


def test_a_shared_controls_table_does_not_tell_at_which_places_someone_was_caught(tmp_path):
    # October's one sobriety control at Hidinge caught one drink driver, the speed controls at
    # Vintrosa none: the shared CSV read "< 5" at Hidinge and 0 at Vintrosa, telling a
    # village's reader that someone was caught there in that week
    log = pd.DataFrame(
        [
            {**_visit(1, "2026-10-02 19:00", "2026-10-02 21:00", "nykterhetskontroll", "Hidinge"),
             "checked": 12, "breath_tests": 12, "dui_suspected": 1},
            {**_visit(2, "2026-10-09 19:00", "2026-10-09 21:00", "hastighetskontroll", "Vintrosa"),
             "checked": 30, "dui_suspected": 0},
        ]
    )  # fmt: skip
    report = _presence_report(tmp_path, log, month="2026-10", now="2026-11-12 09:00")
    out = monthly.write_report(report, out_dir=tmp_path / "out", pdf=False)
    csv = pd.read_csv(out["csv"] / "kontroller.csv", sep=";", dtype=str, encoding="utf-8-sig")
    rows = csv.set_index("Kontrolltyp")
    assert (rows.loc["Nykterhet", "Platser"], rows.loc["Hastighet", "Platser"]) == (
        "Hidinge",
        "Vintrosa",
    )
    caught = rows.loc[["Nykterhet", "Hastighet", "Totalt"], "Misstänkt rattfylleri"]
    assert list(caught) == ["< 5"] * 3  # both rows alike: which village is not told
    # a month without any offence reads alike: with one control only, a "< 5" against a 0
    # sum would still tell of someone caught at its places
    none = log.assign(dui_suspected=0)
    plain = _presence_report(tmp_path, none, month="2026-10", now="2026-11-12 09:00")
    table = plain.tables["kontroller"].frame.set_index("Kontrolltyp")
    assert (
        list(table.loc[["Nykterhet", "Hastighet", "Totalt"], "Misstänkt rattfylleri"])
        == ["< 5"] * 3
    )


def test_a_pass_of_two_control_types_counts_once_on_a_row_of_its_own(tmp_path):
    """A kommun reader summed Kontrollerade and got a combined pass's 40 twice."""
    log = pd.DataFrame(
        [
            _control(1, "2026-10-02 20:00", "nykterhetskontroll", checked=20, breath_tests=20),
            _control(2, "2026-10-09 19:30", "nykterhetskontroll; hastighetskontroll",
                     checked=40, breath_tests=40, fines=6),
            _control(3, "2026-10-16 20:00", "hastighetskontroll", checked=30, fines=2),
        ]
    )  # fmt: skip
    report = _presence_report(tmp_path, log, month="2026-10", now="2026-11-12 09:00")
    frame = report.tables["kontroller"].frame
    rows = frame.set_index("Kontrolltyp")
    assert list(rows.index) == [
        "Nykterhet", "Hastighet", "Motorburen", "Nykterhet och hastighet", "Totalt",
    ]  # fmt: skip
    both = rows.loc["Nykterhet och hastighet"]
    assert (both["Tillfällen"], both["Minuter"], both["Kontrollerade"]) == (1, 90, 40)
    sober, speed = rows.loc["Nykterhet"], rows.loc["Hastighet"]
    assert (sober["Tillfällen"], sober["Minuter"], sober["Kontrollerade"]) == (1, 60, 20)
    assert (speed["Tillfällen"], speed["Kontrollerade"]) == (1, 30)
    # 2 fines under k beside the total 8 would be 8 − 6: hidden with their partner
    assert (both["Blåsta"], both["Ordningsböter"], speed["Ordningsböter"]) == (40, "–", "–")
    # every column sums each pass once: three passes, 210 minutes, 90 checked, 60 blew
    numbers = frame[["Tillfällen", "Minuter", "Kontrollerade", "Blåsta"]].iloc[:-1]
    totals = numbers.apply(lambda c: pd.to_numeric(c, errors="coerce").sum())
    assert list(totals) == [3, 210, 90, 60]
    assert list(rows.loc["Totalt", totals.index]) == list(totals)
    # the reader is told what the row is, under the table and in the tables' about sheet
    note = report.notes["kontroller"]
    assert note == [
        "Raden ”Nykterhet och hastighet” gäller pass där flera kontroller gjordes under samma"
        " pass. Antalen (kontrollerade, blåsta och de andra) räknas för hela passet och kan inte"
        " delas upp per kontroll, så passet redovisas bara på den raden och inte under varje"
        " kontrolltyp för sig: varje pass räknas en gång när kolumnerna summeras."
    ]
    html = monthly.render_html(report)
    assert note[0] in html and html.index(note[0]) > html.index('data-table="kontroller"')
    assert note[0] in list(about_frame(report)["Text"])
    # a month of single-type passes has no such row and no note
    plain = _presence_report(tmp_path, log.iloc[[0, 2]], month="2026-10", now="2026-11-12 09:00")
    assert len(plain.tables["kontroller"].frame) == 3 + 1 and "kontroller" not in plain.notes


def test_the_controls_table_ends_in_the_months_totals_each_pass_once(tmp_path):
    """The council wants the month's controls in one row; a pass of two types counts once."""
    passes = [
        _control(1, "2026-10-02 19:00", "nykterhetskontroll", checked=20, breath_tests=20,
                 dui_suspected=3),
        _control(2, "2026-10-09 19:30", "nykterhetskontroll; hastighetskontroll",
                 checked=40, breath_tests=35, dui_suspected=4, fines=6),
        _control(3, "2026-10-16 20:00", "hastighetskontroll", checked=30, fines=2),
        _control(4, "2026-10-23 18:00", "EPA-kontroll"),  # no counts given
        _control(5, "2026-10-30 17:00", "hastighetskontroll; EPA-kontroll", checked=12),
    ]  # fmt: skip
    report = _presence_report(
        tmp_path, pd.DataFrame(passes), month="2026-10", now="2026-11-12 09:00"
    )
    frame = report.tables["kontroller"].frame
    assert frame["Kontrolltyp"].iloc[-1] == "Totalt"
    total = frame.set_index("Kontrolltyp").loc["Totalt"]
    # the sums over the passes themselves: each once, whatever rows they are on
    assert total["Tillfällen"] == len(passes)
    assert total["Minuter"] == round(sum(p["minutes"] for p in passes))
    for field in ("checked", "breath_tests"):
        heading = monthly.police.COUNT_COLUMNS[field]
        assert total[heading] == sum(p.get(field, 0) for p in passes)
    # an offence total at k or more is shown; 2 fines beside it would be derived: "–"
    assert (total["Misstänkt rattfylleri"], total["Ordningsböter"]) == (7, 8)
    rows = frame.set_index("Kontrolltyp")
    assert rows.loc["Hastighet", "Ordningsböter"] == "–"
    assert rows.loc["Nykterhet och hastighet", "Ordningsböter"] == "–"
    # no pass gave a report: the total is empty, not 0 as if counted
    assert total["Rapporter"] == "" and total["Platser"] == ""
    # the report's outputs: a bold total row in the HTML, the last row of the CSV and sheet
    html = monthly.render_html(report)
    shown = _html_table(html, "kontroller")[-1]
    assert shown[:7] == ["Totalt", "5", str(total["Minuter"]), "102", "55", "7", "8"]
    assert '<tr class="total"><td>Totalt</td>' in html.split('data-table="kontroller"', 1)[1]
    out = monthly.write_report(report, out_dir=tmp_path / "out", pdf=False)
    csv = pd.read_csv(out["csv"] / "kontroller.csv", sep=";", dtype=str, encoding="utf-8-sig")
    sheet = pd.read_excel(out["xlsx"], sheet_name="kontroller", dtype=str)
    for table in (csv, sheet):
        last = table.iloc[-1]
        assert (last["Kontrolltyp"], last["Tillfällen"], last["Kontrollerade"]) == (
            "Totalt", "5", "102",
        )  # fmt: skip


def test_counts_stored_before_the_cross_check_that_cannot_be_true_are_not_summed(tmp_path):
    """A pass stored with 45 blåsta of 40 kontrollerade, before the rule refused it."""
    from geo import patrol_log as plog

    store_path, f = tmp_path / "s.gpkg", tmp_path / "logg.csv"
    f.write_text(
        "datum;start;slut;platser;aktivitet;resultat;kontrollerade;blåsta\n"
        "2026-10-02;19:00;21:00;Fjugesta centrum;nykterhetskontroll;;40;40\n"
        "2026-10-07;19:00;21:00;Fjugesta centrum;nykterhetskontroll;;40;38\n"
        "2026-10-09;19:00;21:00;Fjugesta centrum;nykterhetskontroll;;25;22\n",
        encoding="utf-8",
    )
    assert plog.import_log(f, store_path=store_path).stored == 3
    with sqlite3.connect(store_path) as conn:  # as the version before the rule stored it
        conn.execute("UPDATE patrol_log SET breath_tests = 45 WHERE start LIKE '2026-10-07%'")
    report = _presence_report(
        tmp_path, plog.read_log(store_path), month="2026-10", now="2026-11-12 09:00"
    )
    sober = report.tables["kontroller"].frame.set_index("Kontrolltyp").loc["Nykterhet"]
    assert sober["Tillfällen"] == 3  # the pass was held: it counts, its minutes too
    assert (sober["Kontrollerade"], sober["Blåsta"]) == (65, 62)  # not 105 checked, 107 blew
    assert report.notes["kontroller"] == [
        "1 pass (7 okt) har fler blåsta än kontrollerade, vilket inte kan stämma: varje förare"
        " som blåst är också kontrollerad. Passets kontrollerade och blåsta räknas därför inte"
        " i tabellen; rätta raden i filen och läs in den igen."
    ]  # a file's pass: the page Pass cannot correct it, the file's row imported again does
    assert plog.read_log(store_path)["breath_tests"].tolist() == [40, 45, 22]  # kept as stored


def test_the_broken_counts_note_says_where_each_pass_is_set_right(tmp_path):
    """A file's pass in its file imported again, one logged on the page Pass there."""
    import uuid

    from geo import patrol_log as plog
    from geo import patrol_passes
    from geo.users import User

    store_path, f = tmp_path / "s.gpkg", tmp_path / "logg.csv"
    f.write_text(
        "datum;start;slut;platser;aktivitet;resultat;kontrollerade;blåsta\n"
        "2026-10-07;19:00;21:00;Fjugesta centrum;nykterhetskontroll;;40;38\n"
        "2026-10-08;19:00;21:00;Vintrosa;nykterhetskontroll;;30;20\n",
        encoding="utf-8",
    )
    assert plog.import_log(f, store_path=store_path).stored == 2
    body = {
        "date": "2026-10-09",
        "start": "19:00",
        "end": "21:00",
        "places": "Gropen",
        "activity": "nykterhetskontroll",
        "results": "",
        "checked": "25",
        "breath_tests": "22",
    }
    patrol_passes.save_pass(str(uuid.uuid4()), body, user=User("per", "polis", "editor"),
                            path=store_path)  # fmt: skip

    def note(broken: str) -> list[str]:
        with sqlite3.connect(store_path) as conn:  # as the version before the rule stored it
            conn.execute("UPDATE patrol_log SET breath_tests = 22")
            conn.execute(f"UPDATE patrol_log SET breath_tests = 45 WHERE {broken}")
        log = plog.read_log(store_path)
        report = _presence_report(tmp_path, log, month="2026-10", now="2026-11-12 09:00")
        return report.notes["kontroller"]

    both = note("start LIKE '2026-10-07%' OR start LIKE '2026-10-09%'")
    assert both[0].startswith("2 pass (7 okt och 9 okt) har fler blåsta än kontrollerade")
    assert both[0].endswith(
        "Passens kontrollerade och blåsta räknas därför inte i tabellen; rätta raden i filen och"
        " läs in den igen (7 okt), och 9 okt på sidan Pass."
    )
    assert note("start LIKE '2026-10-09%'")[0].endswith("; rätta det på sidan Pass.")
    assert note("file != 'webb'")[0].endswith(
        "; rätta raderna i filerna de lästes in från och läs in dem igen."
    )


def test_a_line_done_out_of_season_says_so_not_genomford(tmp_path):
    """B1 (bathing sites, May–September) logged once for October: nothing was planned."""
    done = _activity_log(("B1", "2026-10", "kommun", 1), ("N1", "2026-10", "polis", 2))
    report = _presence_report(
        tmp_path, _no_visits(), month="2026-10", now="2026-11-27 14:00", done=done
    )
    rows = _activity_rows(report)
    # "genomförd" against 0 planned read as the plan kept; a council member reads what happened
    assert rows["B1"] == [
        "Kommunen", "inget (planeras maj–september)", "1 gång", "utförd utanför säsong",
    ]  # fmt: skip
    assert rows["N1"] == ["Polisen", "2 gånger", "2 gånger", "genomförd"]
    assert rows["T2"][1:] == ["inget (planeras mars–september)", "0 gånger",
                              "ej planerad denna månad"]  # fmt: skip
    html = monthly.render_html(report)
    said = _section_text(html, "aktivitetsplan")
    assert "Planerat och Genomfört är antal gånger för varje utförare under månaden, för X1 " \
        "antal veckor med minst 120 minuter i patrulloggen" in said  # fmt: skip
    assert "står som ”utförd utanför säsong”" in said
    assert "B1" not in _section_text(html, "fokus")  # nothing was missed
    out = monthly.write_report(report, out_dir=tmp_path / "out", pdf=False)
    csv = pd.read_csv(out["csv"] / "aktivitetsplan.csv", sep=";", dtype=str,
                      encoding="utf-8-sig").set_index("Id")  # fmt: skip
    assert list(csv.loc["B1", ["Planerat", "Genomfört", "Status"]]) == [
        "inget (planeras maj–september)", "1 gång", "utförd utanför säsong",
    ]  # fmt: skip
    sheet = pd.read_excel(out["xlsx"], sheet_name=None, dtype=str)
    plan = next(f for f in sheet.values() if "Genomfört" in f.columns).set_index("Id")
    assert plan.loc["X1", "Genomfört"] == "ej registrerat"  # no pass: not "0 veckor"


def test_the_presence_line_with_no_pass_logged_reads_as_the_police_table(tmp_path):
    """October with no pass at all: section 2 says "ej registrerat", so does X1's row."""
    report = _presence_report(tmp_path, _no_visits(), month="2026-10", now="2026-11-27 14:00")
    html = monthly.render_html(report)
    assert {r[3] for r in _html_table(html, "polisnarvaro")} == {"ej registrerat"}
    # "ej genomförd" beside "ej registrerat, inte nödvändigtvis ej utfört" said the opposite
    assert _activity_rows(report)["X1"] == [
        "Polisen",
        "5 veckor",
        "ej registrerat",
        "ej registrerat",
    ]
    said = _section_text(html, "fokus")
    assert "Inga pass är registrerade i oktober 2026 för X1 (Polisen)." in said
    assert "X1 (Polisen: ej genomförd)" not in said
    # one pass logged: the weeks not met are "nej", and X1 is not done
    one = pd.DataFrame([_visit(1, "2026-10-07 18:00", "2026-10-07 18:30", "närvaro", "Vintrosa")])
    report = _presence_report(tmp_path, one, month="2026-10", now="2026-11-27 14:00")
    assert _activity_rows(report)["X1"][-1] == "ej genomförd"


def test_a_line_logged_0_is_not_done_and_one_logged_nothing_is_not_recorded(tmp_path):
    """October is over: N1 logged 0 by the police, N2 and the kommun's S1 logged by nobody."""
    done = _activity_log(("N1", "2026-10", "polis", 0), ("S1", "2026-10", "polis", 1))
    one = pd.DataFrame([_visit(1, "2026-10-07 18:00", "2026-10-07 20:10", "närvaro", "Vintrosa")])
    report = _presence_report(tmp_path, one, month="2026-10", now="2026-11-27 14:00", done=done)
    rows = _activity_rows(report)
    assert rows["N1"] == ["Polisen", "2 gånger", "0 gånger", "ej genomförd"]  # said with a 0
    # "ej genomförd" on nothing entered told the council the work was left undone
    assert rows["N2"][-1] == "ej registrerat"
    assert rows["S1"] == ["Polisen, Kommunen", "1 gång", "Polisen 1 gång, Kommunen ej registrerat",
                          "delvis registrerat"]  # fmt: skip
    html = monthly.render_html(report)
    note = _section_text(html, "aktivitetsplan")
    assert "”Ej registrerat” betyder att utföraren inte har fört in något" in note
    assert "inte nödvändigtvis att inget gjordes" in note
    assert (
        "”ej genomförd” betyder att utföraren har fört in att den inte gjordes (0 gånger;" in note
    )
    assert "”Delvis registrerat”: en utförare har fört in något, en annan inget" in note
    said = _section_text(html, "fokus")
    assert "Aktiviteter som inte genomfördes fullt ut i oktober 2026: N1 (Polisen: ej genomförd)" \
        in said  # fmt: skip
    assert "N2 (Kommunen: ej genomförd)" not in said
    assert "S1 (Polisen: genomförd, Kommunen: ej registrerat)" in said
    out = monthly.write_report(report, out_dir=tmp_path / "out", pdf=False)
    csv = pd.read_csv(out["csv"] / "aktivitetsplan.csv", sep=";", dtype=str,
                      encoding="utf-8-sig").set_index("Id")  # fmt: skip
    sheet = pd.read_excel(out["xlsx"], sheet_name=None, dtype=str)
    xlsx = next(f for f in sheet.values() if "Genomfört" in f.columns).set_index("Id")
    for table in (csv, xlsx):
        assert list(table.loc[["N1", "N2", "S1"], "Status"]) == [
            "ej genomförd", "ej registrerat", "delvis registrerat",
        ]  # fmt: skip
        assert " ".join(table.loc["S1", "Genomfört"].split()) == (
            "Polisen 1 gång, Kommunen ej registrerat"
        )
