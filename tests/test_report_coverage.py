"""What the monthly report says where its data are thin: too few events, months without data.

Constructed stores read as a council member reads the report: the rendered HTML (and the
printed PDF where both are made), not the objects behind them.
"""

from __future__ import annotations

import base64
import html as html_lib
import io
import re
import subprocess

import geopandas as gpd
import matplotlib.image as mpimg
import numpy as np
import pandas as pd
import pytest

from geo import activity_log, activity_plan, settings, store
from geo.model import INCIDENT_COLUMNS, THEMES
from geo.report import monthly
from geo.report.monthly.incidents import trend_chart
from geo.report.monthly.vocabulary import NO_DATA
from geo.sites import load_places
from tests._html_table import html_table

K = 5
PLACES = load_places()


def _incidents(times: list[pd.Timestamp], *, place_id: str = "fjugesta_centrum",
               category: str = "alkohol", theme: str = "N",
               source: str = "kommun") -> gpd.GeoDataFrame:  # fmt: skip
    """Return one event at a place at each of ``times``."""
    point = PLACES.set_index("place_id").geometry[place_id].centroid
    rows: dict[str, list[object]] = {c: [None] * len(times) for c in INCIDENT_COLUMNS}
    rows.update(
        incident_id=[f"{source}-{theme}-{t.isoformat()}" for t in times], occurred_at=times,
        category=[category] * len(times), theme=[theme] * len(times),
        source=[source] * len(times), location_precision_m=[10.0] * len(times),
        place_id=[place_id] * len(times), geometry=[point] * len(times),
        time_precision=["exact"] * len(times), weight=[1.0] * len(times),
        kommunkod=["1814"] * len(times),
    )  # fmt: skip
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=PLACES.crs)


def _days(start: str, end: str, freq: str = "2D") -> list[pd.Timestamp]:
    return list(pd.date_range(f"{start} 21:00", f"{end} 21:00", freq=freq, tz=settings.timezone))


def _report(incidents: gpd.GeoDataFrame, *, month: str, made: str) -> monthly.MonthlyReport:
    """Return the report of ``month`` made at the end of day ``made`` from these incidents."""
    times = pd.to_datetime(incidents["occurred_at"])
    inputs = monthly.ReportInputs(
        incidents=incidents,
        places=PLACES,
        plan=activity_plan.load_plan(),
        activity_log=pd.DataFrame(columns=activity_log.LOG_COLUMNS),
        data_end=times.max() if len(times) else None,
    )
    now = pd.Timestamp(made, tz=settings.timezone) + pd.Timedelta(days=1)
    return monthly.compute_report(inputs, month=month, k=K, forecast_method="default", now=now)


def _text(markup: str) -> str:
    """Return a page's text as read: tags and spacing gone."""
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def _section(markup: str, section: str) -> str:
    return _text(markup.split(f'<section id="{section}">', 1)[1].split("</section>", 1)[0])


def _pdf_text(pdf) -> str:
    out = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True)
    return " ".join(out.stdout.split())


@pytest.fixture(scope="module")
def two_events(tmp_path_factory):
    """October 2026 of a store whose only events are two on 29 and 30 October, printed."""
    inc = _incidents([pd.Timestamp(f"2026-10-{d} 21:00", tz=settings.timezone) for d in (29, 30)])
    report = _report(inc, month="2026-10", made="2026-11-03")
    out = monthly.write_report(report, out_dir=tmp_path_factory.mktemp("few"), pdf=True)
    return {"report": report, "outputs": out}


def test_two_events_give_no_forecast_for_next_month_but_say_they_are_too_few(two_events):
    # the review: 2 events on the store's last two days read "omkring 12 observationer i
    # november 2026", a week's rate from four days multiplied out over a month
    page = two_events["outputs"]["html"].read_text(encoding="utf-8")
    focus = _section(page, "fokus")
    printed = _pdf_text(two_events["outputs"]["pdf"])
    for text in (focus, printed):
        assert "Prognosen" not in text
        assert "För få händelser för en prognos för november 2026 för N, T och S" in text


def test_plenty_of_events_give_a_forecast_said_as_a_number_or_as_fewer_than_k():
    # every other day since March: a forecast of some 15 in November, said as a number
    many = _report(_incidents(_days("2026-03-02", "2026-10-30")), month="2026-10",
                   made="2026-11-03")  # fmt: skip
    focus = _section(monthly.render_html(many), "fokus")
    assert re.search(r"Prognosen: omkring (\d+) observationer i november 2026", focus), focus
    assert int(re.search(r"omkring (\d+)", focus).group(1)) >= K
    # the themes with no event are the ones too few, not N
    assert "För få händelser för en prognos för november 2026 för T och S (" in focus, focus
    # one every eighth day (some 11 in 90 days): a forecast under k reads "färre än 5", not
    # "omkring färre än 5"
    sparse = _report(_incidents(_days("2026-08-01", "2026-10-30", "8D")), month="2026-10",
                     made="2026-11-03")  # fmt: skip
    focus = _section(monthly.render_html(sparse), "fokus")
    assert f"Prognosen: färre än {K} observationer i november 2026" in focus, focus
    assert "omkring färre" not in focus


# -- months without data --------------------------------------------------------------------


def _store(path, incidents: gpd.GeoDataFrame):
    """Return a store holding ``incidents``, imported as one file."""
    batch = store.ImportBatch(
        file="test.csv", file_sha256="coverage", format="csv",
        incidents=incidents.assign(content_hash=incidents["incident_id"]),
        quarantine=pd.DataFrame(columns=["line", "reason", "detail", "raw"]),
        n_read=len(incidents),
    )  # fmt: skip
    store.write_import(batch, path)
    return path


@pytest.fixture(scope="module")
def begun_in_march(tmp_path_factory):
    """A store whose kommun observations begin in March 2026, the police's few before.

    N every other day from March, every day in October; S twice in October (under k); three
    police events in 2025, a source that began earlier. The data end on 31 October.
    """
    tz = settings.timezone
    s_times = [pd.Timestamp(f"2026-10-{d} 14:00", tz=tz) for d in (5, 12)]
    police = [pd.Timestamp(f"2025-{m}-10 14:00", tz=tz) for m in ("01", "05", "10")]
    inc = pd.concat(
        [
            _incidents(_days("2026-03-02", "2026-09-30")),
            _incidents(_days("2026-10-01", "2026-10-31", "1D")),
            _incidents(s_times, category="inbrott", theme="S"),
            _incidents(police, category="rattfylleri", theme="T", source="polisen_api"),
        ],
        ignore_index=True,
    )
    root = tmp_path_factory.mktemp("coverage")
    return _store(root / "store.gpkg", inc), root


def _made(path, root, *, month: str, made: str, pdf: bool = True) -> dict:
    """Write the report of ``month`` as at the end of day ``made`` (``geo report --as-of``)."""
    now = pd.Timestamp(made, tz=settings.timezone) + pd.Timedelta(days=1)
    out = monthly.build_report(
        month=month, store_path=path, out_dir=root / f"{month}-{made}", pdf=pdf, now=now,
        emerging_cell_size_m=1000.0,
    )  # fmt: skip
    return {"outputs": out, "html": out["html"].read_text(encoding="utf-8")}


def _teman(page: str) -> dict[str, list[str]]:
    return {row[0]: row[1:] for row in html_table(page, "teman")}


def _grey_band_pixels(page: str) -> int:
    """Count the trend chart's pixels of the pale grey band behind a month without data."""
    uri = re.search(r'class="chart"[^>]*src="data:image/png;base64,([^"]+)"', page).group(1)
    img = mpimg.imread(io.BytesIO(base64.b64decode(uri)))[..., :3]
    return int((np.abs(img - np.array([0xE2, 0xE8, 0xF0]) / 255).max(axis=2) < 0.02).sum())


def test_months_before_the_data_begin_read_no_data_not_zero(begun_in_march):
    # the review: the trend and "samma månad i fjol" reached back before the store's first
    # kommun observation and read 0, a quiet month; and the focus said N rose against it
    path, root = begun_in_march
    made = _made(path, root, month="2026-10", made="2026-11-03")
    page, pdf = made["html"], _pdf_text(made["outputs"]["pdf"])
    teman = _teman(page)
    assert teman["Narkotika och alkohol"] == ["31", "15", NO_DATA]
    assert all(cells[2] == NO_DATA for cells in teman.values())
    note = (
        "Lagrets observationer börjar i mars 2026 (före dess finns bara enstaka, från färre "
        f"källor): månader före dess står som ”{NO_DATA}”, inte som 0, och jämförs inte."
    )
    said = "31 observationer i oktober 2026: fler än förra månaden (15), ingen jämförelse med "
    said += f"samma månad i fjol ({NO_DATA})."
    for text in (_text(page), pdf):
        assert note in text
        assert said in text
        assert "samma månad i fjol (0)" not in text
    # the emerging hot spots ran over the months there are, not the 24 their caption said
    hotspots = "Framväxande hotspots (1000 m-rutor, 8 månader: mars–oktober 2026)"
    assert hotspots in _text(page) and hotspots in pdf
    # the 13 months for the minutes: those before March say so in every column, March on count
    trend = pd.read_csv(made["outputs"]["csv"] / "trend.csv", sep=";", dtype=str,
                        encoding="utf-8-sig").set_index("Månad")  # fmt: skip
    before = ["oktober 2025", "november 2025", "december 2025", "januari 2026", "februari 2026"]
    assert (trend.loc[before] == NO_DATA).all().all()
    assert NO_DATA not in set(trend.loc["mars 2026":].to_numpy().ravel())
    # and the chart marks them with a band of their own (an empty place in it is a 0), which
    # the same counts drawn with every month covered do not have
    assert _grey_band_pixels(page) > 0
    shown = [str(pd.Period("2026-10", "M") - i) for i in range(12, -1, -1)]
    raw = pd.DataFrame(20, index=shown, columns=list(THEMES))
    assert _grey_band_pixels(f'class="chart" src="{trend_chart(raw, k=K)}"') == 0


def test_a_month_before_the_observations_began_reads_no_data(begun_in_march):
    # October 2025 holds one police event, March 2026 is where the store's observations
    # begin: read up to October 2025's end only, the store's start was that event's January
    path, root = begun_in_march
    page = _made(path, root, month="2025-10", made="2026-11-03", pdf=False)["html"]
    assert [cells[0] for cells in _teman(page).values()] == [NO_DATA] * 4
    assert "Lagrets observationer börjar i mars 2026" in _text(page)


@pytest.mark.parametrize(
    ("month", "made"),
    [("2026-11", "2026-12-03"), ("2026-11", "2026-11-03")],
    ids=["a month over that nothing came in for", "the running month on its 3rd day"],
)
def test_a_month_no_observation_has_come_in_for_is_no_month_of_zeros(begun_in_march, month, made):
    path, root = begun_in_march
    pdf = made == "2026-12-03"
    report = _made(path, root, month=month, made=made, pdf=pdf)
    page = report["html"]
    title = "Uppföljning av medborgarlöftet – november 2026 (preliminär, inga observationer ännu)"
    note = (
        "Inga observationer har kommit in för november 2026 ännu (lagrets senaste är från 31 "
        f"oktober 2026): månaden står som ”{NO_DATA}”, inte som 0 händelser."
    )
    texts = [_text(page), *([_pdf_text(report["outputs"]["pdf"])] if pdf else [])]
    for text in texts:
        assert title in text and note in text
        assert "Preliminär rapport – sprids inte; månadens observationer har inte kommit in" in text
        assert (
            "Observationer per tema och kategori, november 2026 – uppgift saknas: inga "
            "observationer har kommit in för november 2026 ännu." in text
        )
    teman = _teman(page)
    assert [cells[0] for cells in teman.values()] == [NO_DATA] * 4
    assert {c for row in html_table(page, "kallor") for c in row[1:]} == {NO_DATA}
    # October is shown as it was, its small count of S still hidden (design §8)
    assert teman["Narkotika och alkohol"][1] == "31"
    assert teman["Samverkan och övrigt"][1] == f"< {K}"
    for name in ("teman", "kallor", "trend", "platser", "kategorier"):
        for row in html_table(page, name):
            for cell in row[1:]:
                assert not cell.isdigit() or int(cell) == 0 or int(cell) >= K, (name, row)


def test_a_source_that_began_inside_the_months_shown_is_named(tmp_path):
    # the police reported every third day for two years, the kommun from June 2026 on: the
    # months before June count the police alone, and a rise from May to June is the kommun
    police = _incidents(_days("2025-01-02", "2026-10-31", "3D"), category="rattfylleri",
                        theme="T", source="polisen_api")  # fmt: skip
    kommun = _incidents(_days("2026-06-01", "2026-10-31", "1D"))
    path = _store(tmp_path / "store.gpkg", pd.concat([police, kommun], ignore_index=True))
    page = _made(path, tmp_path, month="2026-10", made="2026-11-03", pdf=False)["html"]
    text = _text(page)
    assert (
        "Källan Kommunen har observationer från juni 2026: månaderna före dess räknar inte dess "
        "observationer, så en jämförelse över den gränsen kan visa att källan tillkom snarare "
        "än en förändring."
    ) in text
    assert "Källan Polisen" not in text  # it began before the months shown
    assert NO_DATA not in text  # the police's months are months with data
    # nor does the focus set the kommun's October against last October, when it had not begun
    assert (
        "31 observationer i oktober 2026: fler än förra månaden (30), ingen jämförelse med "
        "samma månad i fjol (Kommunen rapporterade inte då)."
    ) in _section(page, "fokus")
