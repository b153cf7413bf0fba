"""The main job: ``geo run``."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import click

from geo.cli._options import path_option, store_option
from geo.pipeline import run_main_job
from geo.weeks import week_sentence


@click.command("run")
@store_option
@path_option(
    "--out",
    "out_dir",
    folder=True,
    help_text="Folder for the maps, the plan and the follow-up (default maps/).",
)
@click.option(
    "--end",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="First day after the synthetic data, a Monday (default: this week's Monday).",
)
def run_cmd(store_path: Path | None, out_dir: Path | None, end: datetime | None) -> None:
    """Run the main job on the embedded data: build the store and print the lägesbild summary.

    Example: geo run --store /tmp/lagesbild.gpkg
    """
    end_date: date | None = end.date() if end is not None else None
    result = run_main_job(store_path=store_path, maps_dir=out_dir, end=end_date)
    for name, r in result.imports.items():
        click.echo(f"import {name}: {r.summary()}")
    first, last = result.period
    click.echo(
        f"\nLägesbild {first:%Y-%m-%d} – {last:%Y-%m-%d}"
        if first is not None
        else "\nLägesbild: tom"
    )
    for row in result.by_theme.itertuples():
        click.echo(f"  {row.theme}  {row.label:24s} {row.n:6d}")
    click.echo("\nPer plats:")
    click.echo(f"  {'':24s} " + " ".join(f"{c!s:>6s}" for c in result.by_place.columns))
    for name, counts in zip(result.by_place.index, result.by_place.to_numpy(), strict=True):
        click.echo(f"  {name!s:24s} " + " ".join(f"{int(c):6d}" for c in counts))
    click.echo(
        "  B räknar händelserna vid badplatserna; de räknas också i sitt eget tema (N, T, S),\n"
        "  så en rad kan summera till mer än totalt."
    )
    if result.plan_week:
        click.echo(f"\n{week_sentence(result.plan_week, result.plan_why)}")
    for name, path in result.outputs.items():
        click.echo(f"{name}: {path}")
    for problem in result.problems:
        click.echo(f"Obs: {problem}", err=True)
    stages = ", ".join(f"{k} {v:.1f} s" for k, v in result.stage_s.items())
    click.echo(f"time: {stages}", err=True)
