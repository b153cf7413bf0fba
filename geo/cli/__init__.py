"""The ``geo`` command line (click); thin: parse, call the library, write."""

from __future__ import annotations

import logging
from pathlib import Path

import click

from geo import __version__, settings
from geo.errors import GeoError

logger = logging.getLogger(__name__)


class GeoGroup(click.Group):
    """A click group that turns :class:`GeoError` into a one-line error and exit code 1."""

    def invoke(self, ctx: click.Context) -> object:
        """Run the command, reporting a :class:`GeoError` as ``Error: message``."""
        try:
            return super().invoke(ctx)
        except GeoError as e:
            raise click.ClickException(str(e)) from e


@click.group(cls=GeoGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="geo")
@click.option("-v", "--verbose", count=True, help="More log output on stderr (-vv for debug).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors on stderr; no progress bars.")
@click.option(
    "--config",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    help="A geo.toml with settings (default: ./geo.toml when present).",
)
@click.pass_context
def main(ctx: click.Context, verbose: int, quiet: bool, config: Path | None) -> None:
    """Trygghetskartan: lägesbild, hotspots and the weekly patrol plan for a medborgarlöfte.

    Example: geo run
    """
    level = (
        logging.ERROR if quiet else (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]
    )
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", force=True)
    logging.captureWarnings(True)
    ctx.ensure_object(dict)
    ctx.obj["quiet"] = quiet
    toml = config or (Path.cwd() / "geo.toml")
    if toml.is_file():
        settings.load_toml(toml)


def _register() -> None:
    from geo.cli.analysis import evaluate_command, forecast_command, hotspots_command
    from geo.cli.data import import_cmd, places_cmd, sample_cmd
    from geo.cli.maps import maps
    from geo.cli.network import network_group
    from geo.cli.plan import log_group, plan_cmd
    from geo.cli.report import activity_group, report_cmd
    from geo.cli.run import run_cmd
    from geo.cli.web import serve, spots, users

    for command in (
        run_cmd,
        import_cmd,
        places_cmd,
        sample_cmd,
        network_group,
        hotspots_command,
        forecast_command,
        evaluate_command,
        plan_cmd,
        log_group,
        maps,
        report_cmd,
        activity_group,
        serve,
        users,
        spots,
    ):
        main.add_command(command)


_register()
