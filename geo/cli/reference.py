"""Every ``geo`` command's help as one Markdown page, ``docs/cli.md``.

The page is made from the commands themselves, so an option cannot be added without the
page saying so: a test in ``tests/test_cli.py`` fails when ``docs/cli.md`` differs from
:func:`cli_reference` made in a fresh process. Write it anew with ``make docs``
(``python -m geo.cli.reference docs/cli.md``).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import click

#: Width the help text is wrapped at, fixed so the page does not depend on the terminal.
WIDTH = 100

_HEADER = """\
# Command reference

Every `geo` command with all its options, as `geo COMMAND --help` prints them. Made from the
code by `make docs` (`python -m geo.cli.reference docs/cli.md`); a test fails when this page and
the commands differ. What the commands do and why: the README and the other pages in `docs/`.
"""


def _walk(
    command: click.Command, name: str, parent: click.Context | None
) -> Iterator[tuple[str, str]]:
    """Yield ``(command line, help text)`` for a command and, in order, all its sub-commands.

    Each context is the child of its group's, with the command's own ``context_settings``, as
    when the command runs: ``-h`` is a help option wherever the group makes it one.
    """
    settings = {"terminal_width": WIDTH, "max_content_width": WIDTH, **command.context_settings}
    ctx = click.Context(command, parent=parent, info_name=name, **settings)
    yield ctx.command_path, command.get_help(ctx)
    if isinstance(command, click.Group):
        for sub_name in command.list_commands(ctx):
            sub = command.get_command(ctx, sub_name)
            if sub is not None and not sub.hidden:
                yield from _walk(sub, sub_name, ctx)


def cli_reference() -> str:
    """Return the Markdown page of every command's help.

    Returns
    -------
    str
        A header, then per command a ``## `geo …``` heading and its ``--help`` text in a
        code block, the commands in the order ``geo --help`` lists them, depth first.
    """
    from geo.cli import main

    parts = [_HEADER]
    for line, text in _walk(main, "geo", None):
        parts.append(f"## `{line}`\n\n```text\n{text.rstrip()}\n```\n")
    return "\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    """Write the page to the file named in ``argv`` (or print it), and return the exit code."""
    args = sys.argv[1:] if argv is None else argv
    page = cli_reference()
    if args:
        Path(args[0]).write_text(page, encoding="utf-8")
    else:
        sys.stdout.write(page)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
