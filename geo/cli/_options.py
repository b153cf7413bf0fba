"""Options shared by several commands."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from geo import settings
from geo.quarantine import QuarantinedRow

F = TypeVar("F", bound=Callable[..., Any])


def _store_path_option(
    help_text: str,
    callback: Callable[[click.Context, click.Parameter, Path | None], Path | None] | None = None,
) -> Callable[[F], F]:
    return click.option(
        "--store",
        "store_path",
        type=click.Path(path_type=Path, dir_okay=False),
        default=None,
        callback=callback,
        help=help_text,
    )


def store_option(func: F) -> F:
    """Add ``--store PATH`` (default: the store in settings), for commands that may create it."""
    return _store_path_option("The GeoPackage store (default data/lagesbild.gpkg).")(func)


def _store_must_exist(
    ctx: click.Context, param: click.Parameter, value: Path | None
) -> Path | None:
    path = value if value is not None else settings.store_path
    if not path.is_file():
        msg = (
            f"the store {str(path)!r} does not exist. Pass the GeoPackage `geo run` or "
            "`geo import` wrote (--store PATH), or run `geo run` first."
        )
        raise click.BadParameter(msg, ctx=ctx, param=param)
    return value


def existing_store_option(func: F) -> F:
    """Add ``--store PATH`` for commands that only read the store: a missing one is an error.

    Without the check a mistyped path made an empty store and, e.g., a plan of five stops
    each explained by "no registered events".
    """
    return _store_path_option(
        "The GeoPackage store to read (default data/lagesbild.gpkg); it must exist.",
        _store_must_exist,
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


def echo_quarantined(
    reasons: Mapping[str, int],
    examples: Sequence[QuarantinedRow],
    *,
    table: str,
    labels: Mapping[str, str] | None = None,
    resolved: int = 0,
) -> None:
    """Print each quarantine reason with its count and its first rows (file, line, fix).

    Then how many quarantined rows of earlier imports the rows stored now mended, if any.

    Parameters
    ----------
    reasons
        Quarantined rows per reason.
    examples
        The first rows of each reason (:func:`geo.quarantine.first_rows`).
    table
        The store table that holds all of them, named when a reason has more.
    labels
        Words for each reason (default: the reason itself).
    resolved
        Quarantined rows of earlier imports mended now (:class:`geo.store.RepeatCounts`).
    """
    for reason, count in sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0])):
        label = (labels or {}).get(reason)
        click.echo(f"  {count:6d}  {reason}: {label}" if label else f"  {count:6d}  {reason}")
        shown = [row for row in examples if row.reason == reason]
        for row in shown:
            click.echo(f"          {row}")
        if count > len(shown):
            click.echo(f"          … and {count - len(shown)} more: table '{table}' in the store")
    if resolved:
        click.echo(f"  {resolved} quarantined rows of earlier imports mended (resolved)")


def priorities_option(func: F) -> F:
    """Add ``--priorities FILE``: the plan's priorities file (default ``data/prioriteringar.toml``).

    It says which check a traffic category calls for, in the plan and on the roads alike.
    """
    return path_option(
        "--priorities", exists=True, help_text="Priorities file (default data/prioriteringar.toml)."
    )(func)
