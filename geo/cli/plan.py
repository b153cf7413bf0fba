"""The weekly patrol plan (``geo plan``) and the patrol log (``geo log import``)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import click
import pandas as pd

from geo import presence_weeks, settings
from geo.cli._options import (
    echo_quarantined,
    existing_store_option,
    json_option,
    path_option,
    priorities_option,
    store_option,
)
from geo.weeks import DAY_NAMES, week_sentence

if TYPE_CHECKING:
    from geo.patrol.stored import Replan


@click.command("plan")
@click.option(
    "--week",
    default=None,
    help="ISO week to plan, e.g. 2026-W49 (default: the week begun until Monday 12:00, "
    "unless its patrol log leaves no stop's time, then the coming one).",
)
@existing_store_option
@json_option
@path_option("-o", "--out", "out_dir", folder=True, help_text="Output folder (default maps/).")
@click.option(
    "--budget",
    "budget_min",
    type=float,
    default=None,
    help="Minutes to plan (default: the settings' budget; in a week begun, less the "
    "minutes its patrol log holds).",
)
@click.option("--dwell", "dwell_min", type=float, default=None, help="Minutes per stop (10-16).")
@click.option("--trips", "max_trips", type=click.IntRange(1, 2), default=None, help="1 or 2.")
@priorities_option
@click.option(
    "--method",
    type=click.Choice(["auto", "milp", "heuristic"]),
    default="auto",
    show_default=True,
    help="Solver.",
)
@click.option("--seed", type=int, default=None, help="Extra seed (the week always seeds).")
@click.option("--no-pdf", is_flag=True, help="Skip printing the one-pager to PDF.")
def plan_cmd(
    week: str | None,
    store_path: Path | None,
    as_json: bool,
    out_dir: Path | None,
    budget_min: float | None,
    dwell_min: float | None,
    max_trips: int | None,
    priorities: Path | None,
    method: str,
    seed: int | None,
    no_pdf: bool,
) -> None:
    """Plan the week's patrol hours and write map, CSV, GeoJSON, .ics and the A4 one-pager.

    Example: geo plan --week 2026-W49 --store data/lagesbild.gpkg
    """
    from geo import patrol
    from geo.report.plan import write_plan_outputs

    opts = patrol.load_priorities(priorities)
    if budget_min is not None:
        opts = replace(opts, budget_min=budget_min)
    if dwell_min is not None:
        opts = replace(opts, dwell_min=dwell_min)
    if max_trips is not None:
        opts = replace(opts, max_trips=max_trips)
    opts = opts.validated()
    if week is None:
        week, why = patrol.week_to_plan(store_path=store_path, options=opts)
    else:
        why = "angiven med --week"
    inputs = patrol.read_plan_inputs(week, store_path=store_path)
    begun = patrol.replan(inputs.week, opts, log=inputs.log, budget_given=budget_min is not None)
    plan = patrol.plan_from_inputs(
        inputs, options=begun.options, seed=seed, method=method, not_before=begun.not_before,
        logged_min=begun.logged_min,
    )  # fmt: skip
    paths = write_plan_outputs(
        plan, out_dir=out_dir or settings.maps_dir, store_path=store_path, pdf=not no_pdf
    )
    if as_json:
        click.echo(json.dumps({**plan.as_dict(), "week_reason": why}, ensure_ascii=False))
        return
    click.echo(week_sentence(plan.week, why))
    if begun.not_before is not None:
        click.echo(_begun_sentence(begun.not_before, begun, given=budget_min is not None))
    click.echo(f"Plan {plan.week}: {len(plan.stops)} stopp, {int(plan.total_min)} av "
               f"{plan.budget_min:.0f} min")  # fmt: skip
    for _, s in plan.stops.iterrows():
        day = DAY_NAMES[s["start"].day_of_week]
        click.echo(f"  {int(s['order'])}. {day} {s['start']:%H:%M} {s['place']} ({s['activity']})")
    for name, path in paths.items():
        click.echo(f"{name}: {path}")


def _begun_sentence(at: pd.Timestamp, begun: Replan, *, given: bool) -> str:
    """Say that a week begun is planned from ``at``, with what its patrol log leaves."""
    from geo.patrol_log import PROMISE_MIN

    day = f"{DAY_NAMES[at.day_of_week]} {at.day}/{at.month}"
    budget = f"{begun.options.budget_min:.0f} min"
    minutes = f"{budget} enligt --budget" if given else f"de {budget} som återstår"
    return (
        f"Veckan har börjat: turerna planeras från nu ({day} {at:%H:%M}); redan loggat"
        f" denna vecka: {begun.logged_min:.0f} av {PROMISE_MIN} min; planeras: {minutes}"
        f"{'' if given else ' (--budget för ett annat antal)'}."
    )


@click.group("log")
def log_group() -> None:
    """Record the patrol log: what was actually done, against the two-hour promise.

    Example: geo log import patrullogg.xlsx
    """


@log_group.command("import")
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@store_option
@json_option
@click.option("--promise", "promise_min", type=int, default=120, show_default=True)
def log_import_cmd(file: Path, store_path: Path | None, as_json: bool, promise_min: int) -> None:
    """Import a patrol log (CSV/XLSX: date, start, end, places, activity, results).

    Optional columns: inställt (a cancelled trip's reason: annat larm, personalbrist, fordon,
    väder, annat; 0 minutes) and the control counts kontrollerade, blåsta, rattfylleri,
    ordningsböter, rapporter (whole numbers, on a pass whose activity names a control; no
    more blåsta than kontrollerade when both are given).
    Each week's minutes are listed with its cancelled passes' reasons. A bad row already in
    quarantine from an earlier import (the log saved again) is counted as "already in
    quarantine", not quarantined twice; a pass stored now resolves the quarantined row it
    mends, and so does a row whose pass is stored already (view patrol_log_quarantine_open
    lists those still open). A row with the times and places of a pass an earlier file
    stored, and other values, corrects that pass ("corrected"; the audit keeps what it was),
    also back to a value it had; a file imported before (the same bytes) corrects nothing,
    and a pass logged on the page Pass is never changed by a file.

    Example: geo log import patrullogg.csv --store data/lagesbild.gpkg
    """
    from geo import patrol_log, patrol_log_fields

    result = patrol_log.import_log(file, store_path=store_path)
    log = patrol_log.read_log(store_path)
    weeks = (
        patrol_log.minutes_per_week(
            log,
            first_week=log["iso_week"].min(),
            last_week=log["iso_week"].max(),
            promise_min=promise_min,
        )
        if len(log)
        else None
    )
    cancelled = patrol_log_fields.cancelled_by_week(
        log, [] if weeks is None else list(weeks["iso_week"])
    )
    if as_json:
        out = result.as_dict()
        out["weeks"] = [] if weeks is None else [
            {"iso_week": w, "minutes": float(m), "met": bool(ok), "cancelled": cancelled.get(w, [])}
            for w, m, ok in weeks[["iso_week", "minutes", "met"]].itertuples(index=False)
        ]  # fmt: skip
        click.echo(json.dumps(out, ensure_ascii=False))
        return
    click.echo(result.summary())
    echo_quarantined(
        result.reasons, result.examples, table="patrol_log_quarantine", resolved=result.resolved
    )
    if result.already_mended:
        click.echo(
            f"  {result.already_mended} of the rows quarantined now mended already by a pass"
            " stored (resolved): nothing to set right"
        )
    for corrected in result.corrections:
        click.echo(f"  corrected (rättad): {corrected}")
    if weeks is not None:
        for w, m, ok in weeks[["iso_week", "minutes", "met"]].itertuples(index=False):
            said = patrol_log_fields.cancelled_text(cancelled.get(w, []))
            shown = presence_weeks.shown_minutes(m)  # 119.5 is short: not "120 min ✗"
            click.echo(f"  {w}: {shown} min {'✓' if ok else '✗'}{f' ({said})' if said else ''}")
