"""Where ``geo serve`` says staff open it, above all on a wildcard host (geo.web.addresses)."""

from __future__ import annotations

import ipaddress
import socket

import pytest

from geo.web import addresses
from geo.web.addresses import machine_addresses, startup_message


def fake_machine(monkeypatch, *, name, resolves_to, route):
    """Make this machine named ``name``, resolving to ``resolves_to``, routing via ``route``."""

    def getaddrinfo(host, port, family=0, *args):
        assert (host, family) == (name, socket.AF_INET)
        if not resolves_to:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, 0)) for a in resolves_to]

    monkeypatch.setattr(socket, "gethostname", lambda: name)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(addresses, "_route_address", lambda: route)


@pytest.mark.parametrize("host", ["0.0.0.0", "::"])
def test_a_wildcard_host_lists_the_name_and_addresses_staff_can_open(monkeypatch, host):
    fake_machine(
        monkeypatch,
        name="geo-server",
        resolves_to=["127.0.1.1", "10.0.0.5", "192.168.1.20"],
        route=["192.168.1.20"],
    )
    assert startup_message(host, 8443, scheme="https").splitlines() == [
        f"Marking app on all interfaces ({host}), port 8443 (Ctrl+C stops). Staff open it at:",
        "  https://geo-server:8443/",
        "  https://10.0.0.5:8443/",
        "  https://192.168.1.20:8443/",
        "  https://127.0.0.1:8443/ (on this machine only)",
        "Give staff the name the certificate is for, or their phones warn.",
    ]


def test_a_machine_on_no_network_still_gets_the_local_address_and_a_hint(monkeypatch):
    fake_machine(monkeypatch, name="localhost", resolves_to=[], route=[])
    assert machine_addresses() == []
    assert startup_message("0.0.0.0", 8000, scheme="http").splitlines() == [
        "Marking app on all interfaces (0.0.0.0), port 8000 (Ctrl+C stops). Staff open it at:",
        "  http://127.0.0.1:8000/ (on this machine only)",
        "No network address found: is this machine on a network?",
    ]


def test_this_machine_is_listed_by_its_name_and_non_loopback_ipv4_addresses():
    lines = startup_message("0.0.0.0", 8000, scheme="http").splitlines()
    assert "all interfaces" in lines[0] and "0.0.0.0:" not in "".join(lines)
    assert f"  http://{socket.gethostname()}:8000/" in lines
    assert "  http://127.0.0.1:8000/ (on this machine only)" in lines
    for address in machine_addresses():
        assert not ipaddress.IPv4Address(address).is_loopback
        assert f"  http://{address}:8000/" in lines
    assert len(addresses._route_address()) <= 1


@pytest.mark.parametrize(
    ("host", "url"),
    [
        ("127.0.0.1", "http://127.0.0.1:8000/"),
        ("geo.lekeberg.local", "http://geo.lekeberg.local:8000/"),
        ("::1", "http://[::1]:8000/"),
    ],
)
def test_one_host_is_one_url(host, url):
    assert startup_message(host, 8000, scheme="http") == f"Marking app on {url} (Ctrl+C stops)"
