"""Commands for data: ``import``, ``places`` and ``sample``."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import click

from geo import ingest, settings
from geo.cli._options import echo_quarantined, json_option, path_option, store_option
from geo.ingest import REASONS, FileImportResult
from geo.model import CATEGORIES
from geo.projection import parse_crs
from geo.sample import make_sample
from geo.sites import load_places, places_path


def _print_result(name: str, result: FileImportResult) -> None:
    note = " (file imported before: nothing new)" if result.already_imported else ""
    click.echo(f"{name}: {result.summary()}{note}")
    echo_quarantined(
        result.reasons,
        result.examples,
        table="quarantine",
        labels=REASONS,
        resolved=result.resolved,
    )
    if result.categories:
        click.echo("  stored by category:")
    for category, count in sorted(result.categories.items(), key=lambda kv: (-kv[1], kv[0])):
        click.echo(f"  {count:6d}  {CATEGORIES[category].label}")


def _sum(results: list[FileImportResult]) -> dict[str, object]:
    reasons: dict[str, int] = {}
    for r in results:
        for k, v in r.reasons.items():
            reasons[k] = reasons.get(k, 0) + v
    return {
        "read": sum(r.read for r in results),
        "stored": sum(r.stored for r in results),
        "quarantined": sum(r.quarantined for r in results),
        "duplicates": sum(r.duplicates for r in results),
        "repeats": sum(r.repeats for r in results),
        "resolved": sum(r.resolved for r in results),
        "reasons": dict(sorted(reasons.items())),
        "examples": [e for r in results for e in r.as_dict()["examples"]],
    }


@click.command("import")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path, dir_okay=False))
@store_option
@click.option(
    "--crs", default=None, help="CRS of coordinate columns, e.g. EPSG:3006 (default: detect)."
)
@click.option(
    "--source", default="kommun", show_default=True, help="Source of rows without a source column."
)
@click.option(
    "--layer",
    default=None,
    help="Layer of a GeoPackage, or sheet of a workbook, with several (default: the only one"
    " with features or a table).",
)
@click.option(
    "--polisen-api",
    is_flag=True,
    help="Fetch current events from the police open API and import them.",
)
@click.option(
    "--kommun", default=None, help="Police location name to fetch (default: settings kommun + län)."
)
@click.option("--api-url", default=None, help="Police API URL (default: settings.polisen_api_url).")
@json_option
def import_cmd(
    files: tuple[Path, ...],
    store_path: Path | None,
    crs: str | None,
    source: str,
    layer: str | None,
    polisen_api: bool,
    kommun: str | None,
    api_url: str | None,
    as_json: bool,
) -> None:
    """Import incident files (CSV, XLSX, XLS, ODS, GeoJSON, GeoPackage, police JSON) into the store.

    Every row is stored, quarantined with a reason, or counted as a duplicate; a bad row
    already in quarantine from an earlier import (the file saved again) is counted as
    "already in quarantine", not quarantined twice. Rows stored now resolve the
    quarantined rows they mend (view quarantine_open lists those still open).

    Example: geo import rapporter-2026-11.csv --crs EPSG:3006
    """
    if not files and not polisen_api:
        msg = "Give one or more FILES, or --polisen-api."
        raise click.UsageError(msg)
    epsg = parse_crs(crs) if crs else None
    results = []
    for path in files:
        result = ingest.import_file(
            path, store_path=store_path, crs=epsg, source=source, layer=layer
        )
        results.append(result)
        if not as_json:
            _print_result(str(path), result)
    if polisen_api:
        names = [kommun, settings.lan_name] if kommun else None
        result = ingest.import_polisen_api(
            store_path=store_path, location_names=names, base_url=api_url
        )
        results.append(result)
        if not as_json:
            _print_result("polisen API", result)
    if as_json:
        click.echo(json.dumps(_sum(results), ensure_ascii=False))


@click.command("places")
@path_option(
    "--file",
    "path",
    exists=True,
    help_text="Places file to check (default data/platser/platser.geojson).",
)
@json_option
def places_cmd(path: Path | None, as_json: bool) -> None:
    """List and validate the named places (exit 1 with the problems when one is invalid).

    Example: geo places --file mina-platser.geojson
    """
    places = load_places(path)
    rows = [
        {
            "place_id": r.place_id,
            "name": r.name,
            "kind": r.kind,
            "themes": list(r.themes),
            "season_months": list(r.season_months),
            "precision_m": float(r.precision_m),
            "aliases": list(r.aliases),
        }
        for r in places.itertuples()
    ]
    if as_json:
        click.echo(
            json.dumps({"file": str(path or places_path()), "places": rows}, ensure_ascii=False)
        )
        return
    for r in rows:
        season = (
            f" season {min(r['season_months'])}–{max(r['season_months'])}"
            if r["season_months"]
            else ""
        )
        click.echo(
            f"{r['place_id']:20s} {r['name']:22s} {r['kind']:9s} themes {''.join(r['themes']):4s}"
            f" ±{r['precision_m']:.0f} m{season}"
        )
    click.echo(f"{len(rows)} places, all valid ({path or places_path()})")


@click.command("sample")
@click.option(
    "-o",
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="CSV file to write.",
)
@click.option(
    "--end",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="First day after the data, a Monday (default: this week's Monday).",
)
@click.option("--seed", type=int, default=1814, show_default=True)
def sample_cmd(out: Path, end: datetime | None, seed: int) -> None:
    """Write the synthetic Lekeberg incident set (source 'syntetisk') as CSV.

    Example: geo sample -o exempel.csv --end 2026-11-23
    """
    end_date = end.date() if isinstance(end, datetime) else None
    df = make_sample(end=end_date, seed=seed)
    out.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(out, index=False, encoding="utf-8")
    click.echo(f"wrote {len(df)} synthetic incidents to {out}")
