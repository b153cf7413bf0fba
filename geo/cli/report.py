"""CLI: ``geo report`` (the monthly follow-up) and ``geo activity`` (the activity plan and log)."""

from __future__ import annotations

import dataclasses
import json
import logging
from pathlib import Path
from typing import Any

import click

from geo import activity as act
from geo.cli import GeoGroup
from geo.cli._options import existing_store_option, json_option, path_option, store_option

logger = logging.getLogger(__name__)

_MONTH_HELP = "Month as YYYY-MM (default: last month)."


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
@click.option("--no-pdf", is_flag=True, help="Write the HTML and tables only.")
@json_option
def report_cmd(
    month: str | None,
    store_path: Path | None,
    out_dir: Path,
    plan_path: Path | None,
    no_pdf: bool,
    as_json: bool,
) -> None:
    """Write the monthly follow-up (HTML, PDF, XLSX, CSV) for the crime-prevention council.

    Example: geo report --month 2026-11 --out reports
    """
    from geo.report.monthly import build_report

    month = month or act.previous_month(act.today_month())
    outputs = build_report(
        month=month, store_path=store_path, out_dir=out_dir, plan_path=plan_path, pdf=not no_pdf
    )
    files = {k: str(v) for k, v in outputs.items()}
    _emit(as_json, {"month": month, "files": files}, "\n".join(files.values()))


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
    plan = act.load_plan(plan_path)
    lines = [
        {**rec, "executors": list(rec["executors"]), "responsible": list(rec["responsible"]),
         "months": list(rec["months"]), "patrol_controls": list(rec["patrol_controls"]),
         "season": act.season_text(rec["months"])}
        for rec in plan.to_dict("records")
    ]  # fmt: skip
    planned = [f"{r['times']} {act.FREQUENCIES[r['frequency']]}, {r['season']}" for r in lines]
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
@click.option("--executor", required=True, type=click.Choice(list(act.EXECUTORS)))
@click.option("--times", required=True, type=click.IntRange(min=0), help="Times done (0 = none).")
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
    entry = act.log_activity(
        activity_id,
        month=month,
        executor=executor,
        times=times,
        comment=comment,
        plan=act.load_plan(plan_path),
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
    n = act.import_activity_log(file, plan=act.load_plan(plan_path), path=store_path)
    rows = "row" if n == 1 else "rows"
    _emit(as_json, {"file": str(file), "rows": n}, f"{n} {rows} imported from {file}")


@activity_group.command("status")
@click.option("--month", default=None, help=_MONTH_HELP)
@existing_store_option
@_plan_option
@json_option
def status_cmd(
    month: str | None, store_path: Path | None, plan_path: Path | None, as_json: bool
) -> None:
    """Show each activity line's status in a month per executor, as the monthly report does.

    The presence line counts the weeks the patrol log meets the promise, and lines with
    patrol_controls count the month's logged controls of those types. In a month not over
    today, a line not done yet reads "pågår" with what is due so far ("3 av 4 veckor
    hittills"), not "ej genomförd".

    Example: geo activity status --month 2026-11
    """
    from geo import patrol_log
    from geo.report.monthly import PROMISE_MIN

    month = month or act.previous_month(act.today_month())
    plan = act.load_plan(plan_path)
    log = patrol_log.read_log(store_path)
    weeks = act.iso_weeks_of_month(month)
    minutes = patrol_log.minutes_per_week(
        log, first_week=weeks[0], last_week=weeks[-1], promise_min=PROMISE_MIN
    )
    status = act.activity_status(
        plan,
        act.read_activity_log(store_path, month=month),
        month=month,
        weekly_minutes=minutes,
        patrol_log=log,
    )
    season = {
        str(aid): act.season_text(months)
        for aid, months in zip(plan["activity_id"], plan["months"], strict=True)
    }
    rows = status.drop(columns=["text"]).to_dict("records")
    human = "\n".join(
        f"{r['activity_id']:4} {r['executor_label']:9} {r['done']}/{r['planned']} "
        f"{r['status_label']}"
        + (f" (planerad {season[r['activity_id']]})" if r["status"] == "not_planned" else "")
        + (f" ({r['planned_label']})" if r["status"] in act.OPEN_STATUSES else "")
        for r in rows
    )
    _emit(as_json, {"month": month, "activities": rows}, human)
