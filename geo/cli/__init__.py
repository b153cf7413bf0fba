"""The ``geo`` command line (click); thin: parse, call the library, write."""

from __future__ import annotations

import importlib
import logging
from pathlib import Path
from typing import ClassVar

import click

from geo import __version__, settings
from geo.errors import GeoError

logger = logging.getLogger(__name__)


#: Sub-commands of ``geo`` → ``module:attribute``; imported only when used, so ``geo run`` does
#: not pay for the web server's or the evaluation's imports (click's lazy-loading pattern).
COMMANDS: dict[str, str] = {
    "run": "geo.cli.run:run_cmd",
    "import": "geo.cli.data:import_cmd",
    "places": "geo.cli.data:places_cmd",
    "sample": "geo.cli.data:sample_cmd",
    "network": "geo.cli.network:network_group",
    "hotspots": "geo.cli.analysis:hotspots_command",
    "forecast": "geo.cli.analysis:forecast_command",
    "evaluate": "geo.cli.analysis:evaluate_command",
    "plan": "geo.cli.plan:plan_cmd",
    "log": "geo.cli.plan:log_group",
    "maps": "geo.cli.maps:maps",
    "report": "geo.cli.report:report_cmd",
    "activity": "geo.cli.report:activity_group",
    "serve": "geo.cli.web:serve",
    "users": "geo.cli.web:users",
    "spots": "geo.cli.web:spots",
}


class GeoGroup(click.Group):
    """A click group that turns :class:`GeoError` into a one-line error and exit code 1.

    A subclass lists sub-commands in :attr:`lazy` (``name → "module:attribute"``) to have
    them imported on first use.
    """

    lazy: ClassVar[dict[str, str]] = {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Return the names of all sub-commands, the lazy ones included, sorted."""
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """Return a sub-command, importing its module when it is a lazy one."""
        if cmd_name in self.lazy and cmd_name not in self.commands:
            module, attr = self.lazy[cmd_name].split(":")
            command = getattr(importlib.import_module(module), attr)
            if not isinstance(command, click.Command):
                msg = f"{self.lazy[cmd_name]} is not a click command"
                raise TypeError(msg)
            self.add_command(command, cmd_name)
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context) -> object:
        """Run the command, reporting a :class:`GeoError` as ``Error: message``."""
        try:
            return super().invoke(ctx)
        except GeoError as e:
            raise click.ClickException(str(e)) from e


class _MainGroup(GeoGroup):
    lazy = COMMANDS


@click.group(cls=_MainGroup, context_settings={"help_option_names": ["-h", "--help"]})
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
