"""Options shared by several commands."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def store_option(func: F) -> F:
    """Add ``--store PATH`` (default: the store in settings)."""
    return click.option(
        "--store",
        "store_path",
        type=click.Path(path_type=Path, dir_okay=False),
        default=None,
        help="The GeoPackage store (default data/lagesbild.gpkg).",
    )(func)


def json_option(func: F) -> F:
    """Add ``--json``: print one JSON object on stdout instead of the human summary."""
    return click.option("--json", "as_json", is_flag=True, help="Print one JSON object on stdout.")(
        func
    )
