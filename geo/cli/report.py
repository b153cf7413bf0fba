"""CLI: ``geo report`` (the monthly follow-up) and ``geo activity`` (the activity plan and log)."""

from __future__ import annotations

import dataclasses
import json
import logging
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from geo import activity_log, activity_log_import, activity_plan, activity_words, months, reportday
from geo.cli import GeoGroup
from geo.cli._options import existing_store_option, json_option, path_option, store_option
from geo.errors import DataError
from geo.weeks import local_now

if TYPE_CHECKING:
    import pandas as pd

logger = logging.getLogger(__name__)

_MONTH_HELP = "Month as YYYY-MM (default: the month before today's, or before --as-of's)."


def _parse_as_of(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    """Return the ``--as-of`` day, or fail saying the format with an example."""
    if value is None:
        return None
    try:
        day = reportday.parse_day(value)
    except DataError as e:
        raise click.BadParameter(str(e), ctx=ctx, param=param) from e
    today = local_now().date()
    if day > today:
        msg = (
            f"{day.isoformat()!r} is after today ({today.isoformat()}): as at a day not yet "
            "ended, work still to be done would read as missed. Leave out --as-of to report "
            "as of now (lines not over read 'pågår'), or give a day up to today."
        )
        raise click.BadParameter(msg, ctx=ctx, param=param)
    return day


_as_of_option = click.option(
    "--as-of",
    "as_of",
    metavar="YYYY-MM-DD",
    default=None,
    callback=_parse_as_of,
    help=(
        "As at the end of this day (YYYY-MM-DD, e.g. 2026-11-20, in the configured time "
        "zone, Europe/Stockholm) instead of now: a week or month that ends that day is over, "
        "and the store is read as it stood then (today: as at now). Not before the month's "
        "first day, not after today. "
        "Default: now."
    ),
)


def _report_day(month: str | None, as_of: date | None) -> tuple[str, pd.Timestamp | None]:
    """Return the month to tell and the instant to tell it at (``None``: the clock).

    The instant is the end of the ``as_of`` day (:func:`geo.reportday.end_of_day`), or now when
    that day is today: a day not yet ended is told as far as it has come.

    Raises
    ------
    click.BadParameter
        If ``as_of`` is before the month begins: there is nothing to tell yet.
    """
    today = as_of.strftime("%Y-%m") if as_of is not None else months.today_month()
    month = str(months.parse_month(month)) if month else months.previous_month(today)
    if as_of is None:
        return month, None
    first = months.month_bounds(month)[0].date()
    if as_of < first:
        msg = (
            f"{as_of.isoformat()!r} is before {month} begins ({first.isoformat()}), so there "
            f"is nothing to report yet; give a day from {first.isoformat()} on, or an earlier "
            "--month."
        )
        raise click.BadParameter(msg, param_hint="'--as-of'")
    # today has not ended: as at its end, this week's and this month's work still to be done
    # would read as missed ("nej", "delvis" on a Sunday afternoon); as at today is as at now
    return month, min(reportday.end_of_day(as_of), local_now())


_plan_option = path_option(
    "--plan",
    "plan_path",
    exists=True,
    help_text="Activity plan TOML (default data/aktivitetsplan.toml).",
)


def _emit(as_json: bool, data: dict[str, Any], human: str) -> None:
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, default=str))
    else:
        click.echo(human)


@click.command("report")
@click.option("--month", default=None, help=_MONTH_HELP)
@existing_store_option
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("reports"),
    show_default=True,
    help="Output folder.",
)
@_plan_option
@_as_of_option
@click.option("--no-pdf", is_flag=True, help="Write the HTML and tables only.")
@json_option
def report_cmd(
    month: str | None,
    store_path: Path | None,
    out_dir: Path,
    plan_path: Path | None,
    as_of: date | None,
    no_pdf: bool,
    as_json: bool,
) -> None:
    """Write the monthly follow-up (HTML, PDF, XLSX, CSV) for the crime-prevention council.

    The report is made as at now, or with --as-of as at the end of an earlier day: to make
    it as it stood on that day, e.g. the last day before a council meeting. A week or activity line
    not over then reads "pågår", and the report says it was made that day.

    Example: geo report --month 2026-10 --as-of 2026-11-03 --out reports
    """
    from geo.report.monthly import build_report

    month, now = _report_day(month, as_of)
    outputs = build_report(
        month=month,
        store_path=store_path,
        out_dir=out_dir,
        plan_path=plan_path,
        pdf=not no_pdf,
        now=now,
    )
    files = {k: str(v) for k, v in outputs.items()}
    data = {"month": month, "as_of": as_of and as_of.isoformat(), "files": files}
    _emit(as_json, data, "\n".join(files.values()))


@click.group("activity", cls=GeoGroup)
def activity_group() -> None:
    """Manage the löfte's activity plan and the monthly log of what each party did.

    Example: geo activity log T1 --month 2026-11 --executor polis --times 2
    """


@activity_group.command("list")
@_plan_option
@json_option
def list_cmd(plan_path: Path | None, as_json: bool) -> None:
    """Validate the activity plan and list its lines with their planned frequency and months.

    Example: geo activity list --json
    """
    plan = activity_plan.load_plan(plan_path)
    lines = [
        {**rec, "executors": list(rec["executors"]), "responsible": list(rec["responsible"]),
         "months": list(rec["months"]), "patrol_controls": list(rec["patrol_controls"]),
         "season": activity_plan.season_text(rec["months"])}
        for rec in plan.to_dict("records")
    ]  # fmt: skip
    planned = [
        f"{r['times']} {activity_plan.FREQUENCIES[r['frequency']]}, {r['season']}" for r in lines
    ]
    width = max((len(p) for p in planned), default=0)
    human = "\n".join(
        f"{r['activity_id']:4} {r['theme']} {'/'.join(r['executors']):12} "
        f"{p:{width}}  {r['text'][:60]}"
        for r, p in zip(lines, planned, strict=True)
    )
    _emit(as_json, {"activities": lines}, human)


@activity_group.command("log")
@click.argument("activity_id")
@click.option("--month", required=True, help="Month as YYYY-MM.")
@click.option("--executor", required=True, type=click.Choice(list(activity_plan.EXECUTORS)))
@click.option(
    "--times",
    required=True,
    type=click.IntRange(min=0),
    help="Times done (0 = not done; a line never logged reads 'ej registrerat').",
)
@click.option("--comment", default="", help="Internal note (never in the shared report).")
@store_option
@_plan_option
@json_option
def log_cmd(
    activity_id: str,
    month: str,
    executor: str,
    times: int,
    comment: str,
    store_path: Path | None,
    plan_path: Path | None,
    as_json: bool,
) -> None:
    """Log what one party did for one activity line in a month (replaces an earlier entry).

    Example: geo activity log T1 --month 2026-11 --executor polis --times 2
    """
    entry = activity_log.log_activity(
        activity_id,
        month=month,
        executor=executor,
        times=times,
        comment=comment,
        plan=activity_plan.load_plan(plan_path),
        path=store_path,
    )
    data = dataclasses.asdict(entry)
    _emit(as_json, {"logged": data}, f"{entry.activity_id} {entry.month} {entry.executor}: "
          f"{entry.times}")  # fmt: skip


@activity_group.command("import")
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@store_option
@_plan_option
@json_option
def import_cmd(file: Path, store_path: Path | None, plan_path: Path | None, as_json: bool) -> None:
    """Import an activity-log file (CSV or XLSX: aktivitet, månad, utförare, antal, kommentar).

    Example: geo activity import aktiviteter-2026-11.xlsx
    """
    done = activity_log_import.import_activity_log(
        file, plan=activity_plan.load_plan(plan_path), path=store_path
    )
    created = sum(d.created for d in done)
    changed = sum(d.changed and not d.created for d in done)
    counts = {"rows": len(done), "new": created, "changed": changed,
              "unchanged": len(done) - created - changed}  # fmt: skip
    rows = "row" if len(done) == 1 else "rows"
    _emit(as_json, {"file": str(file), **counts}, f"{len(done)} {rows} read from {file}: "
          f"{created} new, {changed} changed, {counts['unchanged']} already so")  # fmt: skip


@activity_group.command("status")
@click.option("--month", default=None, help=_MONTH_HELP)
@existing_store_option
@_plan_option
@_as_of_option
@json_option
def status_cmd(
    month: str | None,
    store_path: Path | None,
    plan_path: Path | None,
    as_of: date | None,
    as_json: bool,
) -> None:
    """Show each activity line's status in a month per executor, as the monthly report does.

    The presence line counts the weeks the patrol log meets the promise, and lines with
    patrol_controls count the month's logged controls of those types. In a month not over
    today (or at the end of the --as-of day), a line not done yet reads "pågår" with what
    is due so far ("3 av 4 veckor hittills"), not "ej genomförd": "pågår, inget registrerat
    ännu" when nothing is logged for it, "pågår, ligger efter" when less is logged than
    the weeks so far require.

    Example: geo activity status --month 2026-11 --as-of 2026-11-20
    """
    from geo.activity_followup import month_followup
    from geo.report.monthly import PROMISE_MIN

    month, now = _report_day(month, as_of)
    plan = activity_plan.load_plan(plan_path)
    status = month_followup(
        month, plan=plan, promise_min=PROMISE_MIN, store_path=store_path, now=now
    ).status
    season = {
        str(aid): activity_plan.season_text(months)
        for aid, months in zip(plan["activity_id"], plan["months"], strict=True)
    }
    rows = status.drop(columns=["text"]).to_dict("records")
    human = "\n".join(
        f"{r['activity_id']:4} {r['executor_label']:9} {r['done']}/{r['planned']} "
        f"{r['status_label']}"
        + (f" (planerad {season[r['activity_id']]})" if r["planned"] == 0 else "")
        + (f" ({r['planned_label']})" if r["status"] in activity_words.OPEN_STATUSES else "")
        for r in rows
    )
    _emit(as_json, {"month": month, "as_of": as_of and as_of.isoformat(), "activities": rows},
          human)  # fmt: skip
