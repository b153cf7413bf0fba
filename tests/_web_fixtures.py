"""Helpers shared by the marking-app tests: a store with accounts, a real server, a login."""

from __future__ import annotations

import atexit
import re
import shutil
import socket
import sqlite3
import ssl
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from geo import users
from geo.report._pdf import CHROMIUM_ARGS as PDF_CHROMIUM_ARGS

PASSWORD = "rätt-lösenord-123"
ROOT = Path(__file__).resolve().parent.parent
#: A point in Fjugesta (lon, lat) and one 30 m east of it.
FJUGESTA = (14.8717, 59.1757)
NEAR_FJUGESTA = (14.87222, 59.1757)
CHROMIUM_ARGS = list(PDF_CHROMIUM_ARGS)


_template: list[Path] = []


def make_store(folder: Path) -> Path:
    """Create a store with a kommun editor, a kommun viewer and a police editor.

    The accounts are hashed once per test session (argon2 is slow on purpose) and the
    store file copied.
    """
    if not _template:
        folder_t = Path(tempfile.mkdtemp(prefix="geo-web-template-"))
        atexit.register(shutil.rmtree, folder_t, True)
        path = folder_t / "lagesbild.gpkg"
        users.add_user("anna", org="kommun", role="editor", password=PASSWORD, path=path)
        users.add_user("ulla", org="kommun", role="viewer", password=PASSWORD, path=path)
        users.add_user("per", org="polis", role="editor", password=PASSWORD, path=path)
        with sqlite3.connect(path) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        _template.append(path)
    path = folder / "lagesbild.gpkg"
    shutil.copyfile(_template[0], path)
    return path


def spot_payload(**overrides: Any) -> dict[str, Any]:
    """Return a valid spot as the form sends it, with fields replaced by ``overrides``."""
    payload: dict[str, Any] = {
        "geometry": {"type": "Point", "coordinates": list(FJUGESTA)},
        "category": "hastighet",
        "weekdays": [5, 6],
        "time_bands": ["kvall", "sen_kvall"],
        "since": "2025-04-01",
        "description": "Höga hastigheter på kvällarna förbi skolan.",
        "unit": "Samhällsbyggnad, gata/park",
    }
    payload.update(overrides)
    return payload


def free_port() -> int:
    """Return a free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


#: A certificate and its private key (PEM files), for ``geo serve --certfile --keyfile``.
TLSFiles = tuple[Path, Path]


def openssl(*args: str | Path) -> None:
    """Run the openssl binary with ``args``; raise if it fails."""
    subprocess.run(["openssl", *map(str, args)], check=True, capture_output=True)


def self_signed_cert(folder: Path, name: str = "server") -> TLSFiles:
    """Write a self-signed certificate for 127.0.0.1 and its key with the openssl binary."""
    cert, key = folder / f"{name}-cert.pem", folder / f"{name}-key.pem"
    openssl(
        *("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30"),
        *("-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"),
        *("-keyout", key, "-out", cert),
    )
    return cert, key


#: The least ``openssl ca`` needs to sign with given dates: a database, a serial, a policy.
_CA_CONFIG = """[ca]
default_ca = dated
[dated]
database = {folder}/index.txt
new_certs_dir = {folder}
serial = {folder}/serial
default_md = sha256
policy = policy
unique_subject = no
[policy]
commonName = supplied
"""


def dated_cert(folder: Path, name: str, not_before: datetime, not_after: datetime) -> TLSFiles:
    """Write a self-signed certificate valid from ``not_before`` to ``not_after``, and its key.

    ``openssl req -x509 -days`` (OpenSSL 3.0) counts only forward from now; ``openssl ca``
    takes any two dates (``-not_before``/``-not_after`` came with OpenSSL 3.4).
    """
    cert, key, work = folder / f"{name}-cert.pem", folder / f"{name}-key.pem", folder / name
    work.mkdir()
    (work / "index.txt").write_text("")
    (work / "ca.cnf").write_text(_CA_CONFIG.format(folder=work))
    request = work / "request.csr"
    openssl(
        *("req", "-new", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1"),
        *("-keyout", key, "-out", request),
    )
    openssl(
        *("ca", "-batch", "-selfsign", "-notext", "-create_serial", "-config", work / "ca.cnf"),
        *("-keyfile", key, "-in", request, "-out", cert),
        *("-startdate", f"{not_before:%Y%m%d%H%M%S}Z", "-enddate", f"{not_after:%Y%m%d%H%M%S}Z"),
    )
    return cert, key


def trusting(cert: Path) -> ssl.SSLContext:
    """Return a client TLS context that trusts only ``cert`` (httpx's ``verify=``)."""
    return ssl.create_default_context(cafile=str(cert))


def server_url(port: int, tls: TLSFiles | None = None) -> str:
    """Return the base URL of ``geo serve`` on ``port``, https:// when it has ``tls``."""
    return f"{'https' if tls else 'http'}://127.0.0.1:{port}"


def serve_command(store: Path, port: int, tls: TLSFiles | None = None) -> list[str]:
    """Return the command line of ``geo serve`` in a child process (over HTTPS with ``tls``)."""
    code = "import sys; from geo.cli.web import serve; serve(sys.argv[1:])"
    args = ["--store", str(store), "--port", str(port)]
    if tls:
        args += ["--certfile", str(tls[0]), "--keyfile", str(tls[1])]
    return [sys.executable, "-c", code, *args]


def start_server(
    store: Path, port: int, log: Path, tls: TLSFiles | None = None
) -> subprocess.Popen[bytes]:
    """Start ``geo serve`` in a subprocess (over HTTPS with ``tls``) and wait until it answers."""
    with log.open("ab") as err:
        proc = subprocess.Popen(
            serve_command(store, port, tls),
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
    health = f"{server_url(port, tls)}/healthz"
    verify: ssl.SSLContext | bool = trusting(tls[0]) if tls else True
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            msg = f"server exited with {proc.returncode}: {log.read_text()[-2000:]}"
            raise RuntimeError(msg)
        try:
            if httpx.get(health, timeout=1, verify=verify).status_code == 200:
                return proc
        except httpx.TransportError:
            time.sleep(0.1)
    proc.kill()
    msg = f"server did not start: {log.read_text()[-2000:]}"
    raise RuntimeError(msg)


@contextmanager
def running_server(store: Path, log: Path, tls: TLSFiles | None = None) -> Iterator[str]:
    """Run ``geo serve`` for the block (over HTTPS with ``tls``) and yield its base URL."""
    port = free_port()
    proc = start_server(store, port, log, tls)
    try:
        yield server_url(port, tls)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def csrf_from_html(html: str) -> str:
    """Return the CSRF token of the first form in a page."""
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m, "no csrf_token in page"
    return m.group(1)


def login(client: httpx.Client, name: str, password: str = PASSWORD) -> str:
    """Log ``client`` in, set its ``X-CSRF-Token`` header and return the token."""
    token = csrf_from_html(client.get("/login").text)
    r = client.post("/login", data={"name": name, "password": password, "csrf_token": token})
    assert r.status_code == 303, r.text
    csrf = str(client.get("/api/me").json()["csrf"])
    client.headers["X-CSRF-Token"] = csrf
    return csrf


@contextmanager
def client(base: str, name: str | None = None) -> Iterator[httpx.Client]:
    """Yield an HTTP client of the server at ``base``, logged in as ``name`` (``None``: not).

    Its timeout is a minute, not httpx's 5 s: a 5 MB body checked on a CI machine under load
    took longer once, a failure that says nothing of the app (no test here times anything).
    """
    with httpx.Client(base_url=base, follow_redirects=False, timeout=60) as c:
        if name:
            login(c, name)
        yield c
