"""Addresses at which staff open ``geo serve``, for the line it prints when it starts.

``--host 0.0.0.0`` (or ``::``) makes the server listen on every interface, but
``http://0.0.0.0:8000/`` is no address a phone can open. For such a wildcard host
:func:`startup_message` lists this machine's name and its IPv4 addresses instead, found
without sending anything over the network: the name from :func:`socket.gethostname`, the
addresses it resolves to (usually from ``/etc/hosts``), and the address of the interface the
routing table would send from (a UDP socket's ``connect`` picks it and sends no packet).
"""

from __future__ import annotations

import ipaddress
import logging
import socket

logger = logging.getLogger(__name__)

#: Hosts that make the server listen on all interfaces (IPv4; IPv6, and IPv4 too on Linux).
WILDCARD_HOSTS = ("0.0.0.0", "::")
#: Where this machine reaches the server itself.
LOOPBACK = "127.0.0.1"
#: An address in TEST-NET-1 (RFC 5737): connecting a UDP socket to it only looks up a route.
_ROUTE_PROBE = ("192.0.2.1", 9)


def listens_everywhere(host: str) -> bool:
    """Return whether ``host`` makes the server listen on all interfaces."""
    return host in WILDCARD_HOSTS


def server_url(host: str, port: int, *, scheme: str) -> str:
    """Return the URL of the server at ``host`` (a name or an IP address, v6 in brackets)."""
    shown = f"[{host}]" if ":" in host else host
    return f"{scheme}://{shown}:{port}/"


def machine_addresses() -> list[str]:
    """Return this machine's non-loopback IPv4 addresses, found offline.

    Returns
    -------
    list of str
        The addresses its host name resolves to and the address of the interface the
        routing table would send from, without duplicates, sorted; empty when it has none
        (no network configured).
    """
    found = {*_hostname_addresses(), *_route_address()}
    usable = {ipaddress.IPv4Address(a) for a in found}
    return [str(a) for a in sorted(usable) if not (a.is_loopback or a.is_unspecified)]


def _hostname_addresses() -> list[str]:
    """Return the IPv4 addresses this machine's host name resolves to (``/etc/hosts``, DNS)."""
    try:
        infos = socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)
    except OSError as e:
        logger.debug("host name does not resolve: %s", e)
        return []
    return [str(info[4][0]) for info in infos]


def _route_address() -> list[str]:
    """Return the address of the interface with a route out, or nothing without a route."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(_ROUTE_PROBE)  # a UDP connect sends nothing
        except OSError as e:
            logger.debug("no route to find this machine's address: %s", e)
            return []
        return [str(probe.getsockname()[0])]


def startup_message(host: str, port: int, *, scheme: str) -> str:
    """Return what ``geo serve`` prints when it starts: where staff open the app.

    Parameters
    ----------
    host
        The interface the server binds (``--host``).
    port
        Its TCP port.
    scheme
        ``"http"`` or ``"https"``.

    Returns
    -------
    str
        One line with the URL for an ordinary host. For a wildcard host (:data:`WILDCARD_HOSTS`)
        a line saying the server listens on all interfaces, then one indented line per URL:
        this machine's host name, each of :func:`machine_addresses`, and :data:`LOOPBACK` for
        this machine alone; then, over HTTPS, that the certificate's name is the one to give
        staff, or, when no address was found, that the machine seems to be on no network.
    """
    if not listens_everywhere(host):
        return f"Marking app on {server_url(host, port, scheme=scheme)} (Ctrl+C stops)"
    hosts = [*_hostname(), *machine_addresses()]
    lines = [
        f"Marking app on all interfaces ({host}), port {port} (Ctrl+C stops). Staff open it at:",
        *(f"  {server_url(h, port, scheme=scheme)}" for h in hosts),
        f"  {server_url(LOOPBACK, port, scheme=scheme)} (on this machine only)",
    ]
    if not hosts:
        lines.append("No network address found: is this machine on a network?")
    elif scheme == "https":
        lines.append("Give staff the name the certificate is for, or their phones warn.")
    return "\n".join(lines)


def _hostname() -> list[str]:
    """Return this machine's host name, or nothing when it has none but ``localhost``."""
    name = socket.gethostname()
    return [name] if name and name != "localhost" else []


__all__ = [
    "LOOPBACK",
    "WILDCARD_HOSTS",
    "listens_everywhere",
    "machine_addresses",
    "server_url",
    "startup_message",
]
