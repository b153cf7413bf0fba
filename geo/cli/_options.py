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


def path_option(
    *param_decls: str, help_text: str, folder: bool = False, exists: bool = False
) -> Callable[[F], F]:
    """Return a decorator adding an option that takes a file or folder path (default ``None``).

    Parameters
    ----------
    *param_decls
        Option names and, optionally, the parameter name, as for :func:`click.option`.
    help_text
        The option's help.
    folder
        The path is a folder, not a file.
    exists
        The path must exist.

    Returns
    -------
    callable
        The decorator.
    """
    return click.option(
        *param_decls,
        type=click.Path(path_type=Path, exists=exists, file_okay=not folder, dir_okay=folder),
        default=None,
        help=help_text,
    )
