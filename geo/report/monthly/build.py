"""The whole report: compute it from the store's inputs, render HTML/PDF, export tables."""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

from geo import (
    activity_log,
    activity_plan,
    activity_status,
    activity_words,
    months,
    reportday,
    settings,
    store,
)
from geo.model import CATEGORIES, SYNTHETIC_SOURCE, THEMES
from geo.patrol_log import PROMISE_MIN, minutes_per_week, read_log
from geo.patrol_log_controls import without_broken_counts
from geo.privacy import shared_k
from geo.report.monthly.focus import next_month_focus
from geo.report.monthly.incidents import (
    category_table,
    emerging_changes,
    partial_month_label,
    theme_tables,
    top_areas,
    trend_chart,
    trend_table,
)
from geo.report.monthly.police import (
    bathing_table,
    broken_counts_note,
    controls_note,
    controls_table,
    police_presence,
    presence_note,
)
from geo.report.monthly.selection import (
    Coverage,
    compared_periods,
    covered_days,
    data_start,
    source_starts,
)
from geo.report.monthly.spots import (
    OPEN_ACTIVITY_NOTE,
    activity_table,
    how_to_read_note,
    not_logged_note,
    spot_tables,
)
from geo.report.monthly.tables import MonthlyReport, ReportInputs, Table
from geo.report.monthly.vocabulary import (
    BATHING_MONTHS,
    HISTORY_MONTHS,
    MONTHS_SV,
    handling_note,
    month_label,
    report_title,
    theme_categories,
)
from geo.sites import load_places

logger = logging.getLogger(__name__)


def compute_report(
    inputs: ReportInputs,
    *,
    month: str,
    k: int | None = None,
    emerging_cell_size_m: float = 500.0,
    forecast_method: str = "default",
    now: pd.Timestamp | None = None,
) -> MonthlyReport:
    """Build every table, chart and note of the monthly follow-up (no files read or written).

    Parameters
    ----------
    inputs
        What the store holds (:func:`collect_inputs`).
    month
        ``YYYY-MM``.
    k
        Suppression threshold; default ``settings.privacy_k``.
    emerging_cell_size_m
        Grid cell of the emerging-hot-spot comparison.
    forecast_method
        Method of :func:`geo.forecast.forecast_week` for next month's focus.
    now
        The report day (tz-aware; default the clock now): the week still running then is
        "pågår" in the police table, not "nej", an activity line whose month is not over
        and not yet done is "pågår", not "ej genomförd" or "delvis"
        (:func:`geo.activity_status.activity_status`), and the report says it was made that day
        (:func:`geo.reportday.day_of`: at :func:`geo.reportday.end_of_day` of a day, that day).

    Returns
    -------
    MonthlyReport
        The report's content.
    """
    k = shared_k(k)
    month = str(months.parse_month(month))
    _, end = months.month_bounds(month)
    inc = inputs.incidents
    if len(inc):
        inc = inc[pd.to_datetime(inc["occurred_at"]) < end]
    places = inputs.places
    report = MonthlyReport(month=month, k=k)
    if now is not None:
        report.made_at = pd.Timestamp(now).tz_convert(settings.timezone)
    if len(inc) and (inc["source"] == SYNTHETIC_SOURCE).any():
        report.note(
            "intro",
            "Rapporten bygger helt eller delvis på syntetiska exempeldata (källan "
            "”Syntetiska exempeldata”); de beskriver inga verkliga händelser.",
        )
    coverage = Coverage(
        first=inputs.data_start,
        end=inputs.data_end,
        earlier=inputs.data_earlier,
        sources=inputs.source_starts,
    )
    p = months.parse_month(month)
    days = covered_days(inputs.data_end, month=month, now=report.made_at)
    report.covered_days = days
    # the months shown: the trend's 13 (the same month last year among them)
    for text in coverage.notes([p - i for i in range(12, -1, -1)]):
        report.note("intro", text)
    if days == 0:  # nothing has come in for the month: its tables say so, nothing is cut
        days = None
    if days is not None:
        this, last, year = (label for label, _, _ in compared_periods(month, days=days))
        report.note(
            "intro",
            f"Lagret har observationer till och med {days} {month_label(month)}: månaden "
            f"jämförs därför över samma dagar ({this} mot {last} och {year}), och månadens "
            "stapel i diagrammet gäller bara dessa dagar.",
        )
    for table in theme_tables(inc, places, month=month, k=k, days=days, coverage=coverage):
        report.add(table)
    report.add(category_table(inc, places, month=month, k=k, days=days, coverage=coverage))
    report.add(top_areas(inc, places, month=month, k=k, days=days, coverage=coverage))
    trend, raw = trend_table(inc, places, month=month, k=k, days=days, coverage=coverage)
    report.add(trend)
    missing = [str(m) for m in raw.index if coverage.missing(str(m))]
    report.charts["trend"] = trend_chart(raw, k=k, days=days, missing=missing)
    if days is not None:
        report.note(
            "trend",
            f"Blårandig stapel = {partial_month_label(month, days)} "
            "(lagret har inga senare observationer).",
        )
    emerging, notes = emerging_changes(
        inc, places, month=month, cell_size_m=emerging_cell_size_m, days=days, k=k
    )
    report.add(emerging)
    for n in notes:
        report.note("hotspots", n)
    if inputs.weekly_minutes is not None:
        presence = police_presence(
            inputs.weekly_minutes, month=month, now=report.made_at, patrol_log=inputs.patrol_log
        )
        report.add(presence)
        report.note("polis", presence_note(presence))
    else:
        report.note("polis", "Patrulloggen saknas i lagret; polisens närvaro kan inte redovisas.")
    patrol = (
        inputs.patrol_log
        if inputs.patrol_log is not None
        else pd.DataFrame(columns=["start", "activity", "places", "minutes"])
    )
    controls = controls_table(
        without_broken_counts(patrol), month=month, places=places, k=k
    )  # counts that cannot be true are summed nowhere, and said
    report.add(controls)
    if combined := controls_note(controls):
        report.note("kontroller", combined)
    if broken := broken_counts_note(patrol, month=month):
        report.note("kontroller", broken)
    if inputs.spots is not None and inputs.spot_changes is not None:
        for table in spot_tables(inputs.spots, inputs.spot_changes, places, month=month):
            report.add(table)
    else:
        report.note("trafikplatser", "Inga markerade trafikplatser finns i lagret.")
    status = activity_status.activity_status(
        inputs.plan,
        inputs.activity_log,
        month=month,
        weekly_minutes=inputs.weekly_minutes,
        patrol_log=inputs.patrol_log,
        now=report.made_at,
    )
    if months.parse_month(month).month in BATHING_MONTHS:
        report.add(
            bathing_table(
                inc, places, inputs.patrol_log, month=month, k=k, days=days, coverage=coverage
            )
        )
        b1 = [
            f"{line.activity_id}: {line.status_label}"
            for line in activity_status.status_by_line(status)
            if line.theme == "B"
        ]
        if b1:
            report.note(
                "bad",
                "Kommunens insatser vid badplatserna enligt aktivitetsplanen: "
                + "; ".join(b1)
                + ".",
            )
    else:
        report.note(
            "bad", "Badsäsongen (maj–september) pågår inte; avsnittet visas under säsongen."
        )
    report.add(activity_table(status, month=month))
    report.note(
        "aktivitetsplan",
        how_to_read_note(activity_status.status_by_line(status), promise_min=PROMISE_MIN),
    )
    if status["status"].isin(activity_words.OPEN_STATUSES).any():
        report.note("aktivitetsplan", OPEN_ACTIVITY_NOTE)
    if unrecorded := not_logged_note(activity_status.status_by_line(status)):
        report.note("aktivitetsplan", unrecorded)
    focus, notes = next_month_focus(
        inc, places, month=month, k=k, status=status, forecast_method=forecast_method,
        days=days, coverage=coverage,
    )  # fmt: skip
    report.focus = focus
    for n in notes:
        report.note("fokus", n)
    logger.info("monthly report %s: %d tables", month, len(report.tables))
    return report


def _last_observation(
    store_path: Path | None, *, until: pd.Timestamp | None = None
) -> pd.Timestamp | None:
    """Return the time of the store's last incident before ``until`` (UTC), or ``None``."""
    return store.last_occurred(store_path, until=until)


def collect_inputs(
    *,
    month: str,
    store_path: Path | None = None,
    plan_path: Path | None = None,
    until: pd.Timestamp | None = None,
) -> ReportInputs:
    """Read what the report needs from the store, the places and the activity plan.

    Parameters
    ----------
    month
        ``YYYY-MM``.
    store_path
        The store; default ``settings.store_path``.
    plan_path
        The activity plan; default :func:`geo.activity_plan.plan_path`.
    until
        Read the store as it stood at this instant (tz-aware; ``None``: all of it): only
        incidents that occurred, patrol visits that started, activity-log rows logged and
        traffic spots created or changed before it (:func:`geo.reportday.rows_before`).

    Returns
    -------
    ReportInputs
        The inputs; patrol log and spots are ``None`` when their modules or tables are missing.
    """
    p = months.parse_month(month)
    # last month's emerging hot spots run over its own HISTORY_MONTHS, one month before this
    # month's (:func:`emerging_changes`): read from 23 months back, it had 23 and told classes
    # that month never had
    start = months.month_bounds(str(p - HISTORY_MONTHS))[0]
    _, end = months.month_bounds(month)
    end = end if until is None else min(end, pd.Timestamp(until))
    incidents = store.read_incidents(store_path, start=start, end=end)
    places = load_places()
    plan = activity_plan.load_plan(plan_path)
    log = reportday.rows_before(
        activity_log.read_activity_log(store_path), "logged_at", until=until
    )
    inputs = ReportInputs(incidents=incidents, places=places, plan=plan, activity_log=log)
    inputs.data_end = _last_observation(store_path, until=until)
    # the months the observations cover, from the whole store as it stood (the window read
    # above begins 24 months back and ends with the month: a month before the observations
    # began would find only a source's few earlier events in it, and take them for the start)
    stored = store.occurrences(store_path, until=until)
    inputs.data_start, inputs.data_earlier = data_start(stored["occurred_at"])
    inputs.source_starts = source_starts(stored)
    weeks = months.iso_weeks_of_month(month)
    inputs.patrol_log = reportday.rows_before(read_log(store_path), "start", until=until)
    inputs.weekly_minutes = minutes_per_week(
        inputs.patrol_log, first_week=weeks[0], last_week=weeks[-1], promise_min=PROMISE_MIN
    )
    from geo import spots

    inputs.spots = reportday.rows_before(spots.read_spots(store_path), "created_at", until=until)
    inputs.spot_changes = reportday.rows_before(
        spots.read_changes(path=store_path), "changed_at", until=until
    )
    return inputs


def render_html(report: MonthlyReport) -> str:
    """Render the report as one self-contained Swedish HTML page (A4 print layout).

    Parameters
    ----------
    report
        From :func:`compute_report`.

    Returns
    -------
    str
        The HTML; charts are embedded as data URIs, nothing is loaded from elsewhere.
    """
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent.parent / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    template = env.get_template("monthly.html")
    return template.render(
        report=report,
        title=report_title(report.month, report.covered_days),
        handling_note=handling_note(report.covered_days),
        kommun=settings.kommun_name,
        generated=_made_text(report),
        month_name=month_label(report.month),
        next_month=month_label(str(months.parse_month(report.month) + 1)),
        themes=THEMES,
        promise_min=PROMISE_MIN,
        categories=CATEGORIES,
        s_categories=theme_categories("S"),
    )


def _made_text(report: MonthlyReport) -> str:
    """Return the day the report was made, e.g. ``"29 november 2026"``."""
    made = reportday.day_of(report.made_at)
    return f"{made.day} {MONTHS_SV[made.month - 1]} {made.year}"


#: The first sheet and CSV of the exported tables: what they are.
ABOUT_TABLE = "om_tabellerna"


def about_frame(report: MonthlyReport) -> pd.DataFrame:
    """Return what a table taken out of the report needs to be read right, as rows.

    A council member's review: the CSVs and the workbook carried no period, no note of
    synthetic data and no legend, so a table pasted into the minutes alone could be read as a
    whole month of real events.

    Parameters
    ----------
    report
        From :func:`compute_report`.

    Returns
    -------
    pandas.DataFrame
        Columns ``Uppgift``, ``Text``: the report's title (with "preliminär" for a running
        month), the day it was made, the handling note, the legend of hidden counts, any
        note of synthetic data, then each table's file name and caption.
    """
    rows = [
        ("Rapport", report_title(report.month, report.covered_days)),
        ("Skapad", _made_text(report)),
        ("Hantering", handling_note(report.covered_days)),
        (
            "Dolda antal",
            f"Antal observationer, och kontrollernas utfall (misstänkt rattfylleri, "
            f"ordningsböter, rapporter), under {report.k} visas som ”< {report.k}”; ”–” står "
            f"för ett antal som döljs för att ett antal under {report.k} annars kunde räknas "
            "fram.",
        ),
        *(("Data", text) for text in report.notes.get("intro", [])),
        *(
            (
                f"Tabell {name}",
                f"{table.title} – {table.empty_text}" if table.frame.empty else table.title,
            )
            for name, table in report.tables.items()
        ),
        # what a status or a week's verdict means, as the report's notes say it
        *(
            ("Anmärkning", text)
            for key in ("polis", "kontroller", "aktivitetsplan")
            for text in report.notes.get(key, [])
        ),
    ]
    return pd.DataFrame(rows, columns=["Uppgift", "Text"])


def export_tables(report: MonthlyReport, *, out_dir: Path, stem: str) -> dict[str, Path]:
    """Write every table as CSV (semicolon-separated, UTF-8 with BOM) and all in one XLSX.

    The first, :data:`ABOUT_TABLE`, says what they are (:func:`about_frame`).

    Parameters
    ----------
    report
        From :func:`compute_report`.
    out_dir
        Output folder.
    stem
        File stem, e.g. ``uppfoljning-2026-11``.

    Returns
    -------
    dict
        ``xlsx`` → the workbook, ``csv`` → the folder of CSV files.
    """
    csv_dir = out_dir / f"{stem}-tabeller"
    csv_dir.mkdir(parents=True, exist_ok=True)
    xlsx = out_dir / f"{stem}.xlsx"
    about = Table(ABOUT_TABLE, "Om tabellerna", about_frame(report))
    with pd.ExcelWriter(xlsx, engine="openpyxl") as writer:
        for name, table in {ABOUT_TABLE: about, **report.tables}.items():
            table.frame.to_csv(csv_dir / f"{name}.csv", sep=";", index=False, encoding="utf-8-sig")
            table.frame.to_excel(writer, sheet_name=name[:31], index=False)
    return {"xlsx": xlsx, "csv": csv_dir}


def build_report(
    *,
    month: str,
    store_path: Path | None = None,
    out_dir: Path | None = None,
    plan_path: Path | None = None,
    pdf: bool = True,
    emerging_cell_size_m: float = 500.0,
    forecast_method: str = "default",
    now: pd.Timestamp | None = None,
) -> dict[str, Path]:
    """Write the monthly follow-up: ``uppfoljning-YYYY-MM.html``, ``.pdf``, ``.xlsx`` and CSVs.

    Parameters
    ----------
    month
        ``YYYY-MM``.
    store_path
        The store; default ``settings.store_path``.
    out_dir
        Output folder; default ``reports`` in the current folder.
    plan_path
        The activity plan; default :func:`geo.activity_plan.plan_path`.
    pdf
        Also print the PDF with headless Chromium.
    emerging_cell_size_m, forecast_method
        As for :func:`compute_report`.
    now
        The report day (tz-aware; default the clock now), as for :func:`compute_report`;
        given, the store is also read as it stood then (:func:`collect_inputs` ``until``).
        ``geo report --as-of 2026-11-20`` passes :func:`geo.reportday.end_of_day` of that day.

    Returns
    -------
    dict
        ``html``, ``pdf`` (when printed), ``xlsx`` and ``csv`` (folder) paths.

    Raises
    ------
    GeoError
        If the month, store or plan is invalid, or Chromium cannot print.
    """
    month = str(months.parse_month(month))
    out_dir = out_dir or Path("reports")
    out_dir.mkdir(parents=True, exist_ok=True)
    inputs = collect_inputs(month=month, store_path=store_path, plan_path=plan_path, until=now)
    report = compute_report(
        inputs,
        month=month,
        emerging_cell_size_m=emerging_cell_size_m,
        forecast_method=forecast_method,
        now=now,
    )
    return write_report(report, out_dir=out_dir, pdf=pdf)


def write_report(report: MonthlyReport, *, out_dir: Path, pdf: bool = True) -> dict[str, Path]:
    """Write a computed report: ``uppfoljning-YYYY-MM.html``, ``.pdf``, ``.xlsx`` and CSVs.

    Parameters
    ----------
    report
        From :func:`compute_report`.
    out_dir
        Output folder (created).
    pdf
        Also print the PDF with headless Chromium; every page's foot names the report's
        month, the handling note (:func:`handling_note`) and "sida N av M".

    Returns
    -------
    dict
        ``html``, ``pdf`` (when printed), ``xlsx`` and ``csv`` (folder) paths.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"uppfoljning-{report.month}"
    html = out_dir / f"{stem}.html"
    html.write_text(render_html(report), encoding="utf-8")
    outputs: dict[str, Path] = {"html": html}
    if pdf:
        from geo.report._pdf import html_to_pdf

        handling = handling_note(report.covered_days)
        footer = f"{report_title(report.month, report.covered_days)} · {handling}"
        outputs["pdf"] = html_to_pdf(html, out_dir / f"{stem}.pdf", footer=footer)
    outputs.update(export_tables(report, out_dir=out_dir, stem=stem))
    logger.info("monthly report %s written to %s", report.month, out_dir)
    return outputs
