"""CLI for the marking app: ``geo serve``, ``geo users add|remove|list``, ``geo spots export``."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import click

from geo import spots as spots_lib
from geo import users as users_lib
from geo.cli._options import existing_store_option, json_option, store_option
from geo.errors import GeoError

logger = logging.getLogger(__name__)


@click.command("serve", context_settings={"help_option_names": ["-h", "--help"]})
@existing_store_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind.")
@click.option("--port", default=8000, show_default=True, type=int, help="TCP port.")
@click.option(
    "--secure-cookies",
    is_flag=True,
    help="Mark the session cookie Secure (behind an HTTPS proxy; implied by --certfile).",
)
@click.option(
    "--certfile",
    type=click.Path(path_type=Path),
    default=None,
    help="Serve HTTPS with this certificate (PEM, with any intermediates); needs --keyfile.",
)
@click.option(
    "--keyfile",
    type=click.Path(path_type=Path),
    default=None,
    help="The certificate's private key (PEM, without a passphrase); needs --certfile.",
)
def serve(
    store_path: Path | None,
    host: str,
    port: int,
    secure_cookies: bool,
    certfile: Path | None,
    keyfile: Path | None,
) -> None:
    """Start the marking app (web server) for kommun staff and police.

    Binds 127.0.0.1 only unless --host says otherwise; --host 0.0.0.0 listens on all
    interfaces and prints this machine's addresses for staff to open. Phones give their
    position only to https:// pages: give --certfile and --keyfile to serve HTTPS (session
    cookies are then Secure), or put the app behind an HTTPS proxy and add --secure-cookies.
    Create accounts first with `geo users add`.

    Example: geo serve --store data/lagesbild.gpkg --port 8000
    """
    import uvicorn

    from geo.web import create_app
    from geo.web.addresses import startup_message
    from geo.web.tls import check_tls_files

    if (certfile is None) != (keyfile is None):
        msg = "--certfile and --keyfile go together: give the certificate and its private key."
        raise click.UsageError(msg)
    https = certfile is not None
    try:
        if certfile is not None and keyfile is not None:
            check_tls_files(certfile, keyfile)
        app = create_app(store_path, secure_cookies=secure_cookies or https)
    except GeoError as e:
        raise click.ClickException(str(e)) from e
    if not (https or secure_cookies) and host not in ("127.0.0.1", "localhost", "::1"):
        logger.warning(
            "serving on %s over plain http: give --certfile and --keyfile, or put it behind "
            "HTTPS and use --secure-cookies",
            host,
        )
    click.echo(startup_message(host, port, scheme="https" if https else "http"), err=True)
    uvicorn.run(
        app,
        host=host,
        port=port,
        ssl_certfile=certfile,
        ssl_keyfile=keyfile,
        log_level="warning",
        timeout_graceful_shutdown=5,
    )


@click.group("users", context_settings={"help_option_names": ["-h", "--help"]})
def users() -> None:
    """Manage the marking app's accounts.

    Example: geo users add anna --org kommun --role editor
    """


@users.command("add")
@click.argument("name")
@click.option(
    "--org", required=True, type=click.Choice(sorted(users_lib.ORGS)), help="Organisation."
)
@click.option(
    "--role",
    default="editor",
    show_default=True,
    type=click.Choice(sorted(users_lib.ROLES)),
    help="editor: writes what the organisation may write; viewer: reads only.",
)
@click.option(
    "--password",
    envvar="GEO_PASSWORD",
    help="Password (prompted when not given; or set GEO_PASSWORD).",
)
@store_option
@json_option
def users_add(
    name: str, org: str, role: str, password: str | None, store_path: Path | None, as_json: bool
) -> None:
    """Create an account (or reset its organisation, role and password).

    Example: geo users add anna --org kommun --role editor
    """
    try:
        # a name that will be refused is refused before the password is typed twice
        name = users_lib.check_new_name(name, path=store_path)
        if password is None:
            password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        user = users_lib.add_user(name, org=org, role=role, password=password, path=store_path)
    except GeoError as e:
        raise click.ClickException(str(e)) from e
    if as_json:
        click.echo(json.dumps({"name": user.name, "org": user.org, "role": user.role}))
    else:
        click.echo(f"Saved user {user.name} ({user.org}, {user.role})", err=True)


@users.command("remove")
@click.argument("name")
@existing_store_option
@json_option
def users_remove(name: str, store_path: Path | None, as_json: bool) -> None:
    """Remove an account: it logs in no more and its sessions end at once.

    What the account marked or logged stays, under its name (kommun and police records are
    not deleted with an account). `geo users add NAME` makes it an account again.

    Example: geo users remove anna
    """
    try:
        user = users_lib.remove_user(name, path=store_path)
    except GeoError as e:
        raise click.ClickException(str(e)) from e
    if as_json:
        click.echo(json.dumps({"removed": {"name": user.name, "org": user.org, "role": user.role}}))
    else:
        click.echo(f"Removed user {user.name} ({user.org}, {user.role})", err=True)


@users.command("list")
@existing_store_option
@json_option
def users_list(store_path: Path | None, as_json: bool) -> None:
    """List the active accounts.

    Example: geo users list --json
    """
    accounts = users_lib.list_users(path=store_path)
    rows = [{"name": u.name, "org": u.org, "role": u.role} for u in accounts]
    if as_json:
        click.echo(json.dumps({"users": rows}))
    else:
        for r in rows:
            click.echo(f"{r['name']}\t{r['org']}\t{r['role']}")


@click.group("spots", context_settings={"help_option_names": ["-h", "--help"]})
def spots() -> None:
    """Work with the spots marked in the marking app.

    Example: geo spots export -o markeringar.gpkg
    """


@spots.command("export")
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="A .gpkg (EPSG:3006) or .geojson (EPSG:4326) file to write.",
)
@existing_store_option
@json_option
def spots_export(output: Path, store_path: Path | None, as_json: bool) -> None:
    """Export every marked spot (all statuses) to GeoPackage or GeoJSON.

    Example: geo spots export -o markeringar.geojson
    """
    try:
        n = spots_lib.export_spots(output, path=store_path)
    except GeoError as e:
        raise click.ClickException(str(e)) from e
    if as_json:
        click.echo(json.dumps({"spots": n, "output": str(output)}))
    else:
        click.echo(f"Wrote {n} spot{'' if n == 1 else 's'} to {output}", err=True)


__all__ = ["serve", "spots", "users"]
