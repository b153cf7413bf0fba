"""What the monthly report says where its data are thin: too few events, months without data.

Constructed stores read as a council member reads the report: the rendered HTML (and the
printed PDF where both are made), not the objects behind them.
"""

from __future__ import annotations

import html as html_lib
import re
import subprocess

import geopandas as gpd
import pandas as pd
import pytest

from geo import activity_log, activity_plan, settings
from geo.model import INCIDENT_COLUMNS
from geo.report import monthly
from geo.sites import load_places

K = 5
PLACES = load_places()


def _incidents(times: list[pd.Timestamp], *, place_id: str = "fjugesta_centrum",
               category: str = "alkohol", theme: str = "N") -> gpd.GeoDataFrame:  # fmt: skip
    """Return one event at a place at each of ``times``."""
    point = PLACES.set_index("place_id").geometry[place_id].centroid
    rows: dict[str, list[object]] = {c: [None] * len(times) for c in INCIDENT_COLUMNS}
    rows.update(
        incident_id=[f"e{i}" for i in range(len(times))], occurred_at=times,
        category=[category] * len(times), theme=[theme] * len(times),
        source=["kommun"] * len(times), location_precision_m=[10.0] * len(times),
        place_id=[place_id] * len(times), geometry=[point] * len(times),
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
