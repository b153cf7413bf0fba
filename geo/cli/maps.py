"""The ``geo maps`` command: build the internal and the shared lägesbild map from the store."""

from __future__ import annotations

import json
from pathlib import Path

import click

from geo.cli._options import existing_store_option, json_option, path_option


@click.command("maps")
@existing_store_option
@path_option("--out", "out_dir", folder=True, help_text="Output folder (default maps/).")
@click.option(
    "-k",
    "--k",
    "k",
    type=int,
    default=None,
    help="Shared map: hide cells with fewer events than this, at least 3 (default: privacy_k, 5).",
)
@json_option
def maps(store_path: Path | None, out_dir: Path | None, k: int | None, as_json: bool) -> None:
    """Build maps/lagesbild.html (internal) and maps/lagesbild-delad.html (shared).

    Both open offline: Leaflet and its plugins are inlined from node_modules.

    Example: geo maps --store data/lagesbild.gpkg --out maps
    """
    from geo.maps import build_all

    paths = build_all(store_path=store_path, out_dir=out_dir, k=k)
    if as_json:
        click.echo(json.dumps({"maps": [str(p) for p in paths]}))
    else:
        for p in paths:
            click.echo(str(p))
