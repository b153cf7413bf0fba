"""HTTPS for ``geo serve``: check the certificate and its key before the server starts.

uvicorn opens the two files only once it starts serving and reports a bad one with
OpenSSL's words in a traceback (``[SSL] PEM lib``), or asks for a passphrase on the
terminal. :func:`check_tls_files` loads them first, the way uvicorn will
(:meth:`ssl.SSLContext.load_cert_chain`), and says which file is wrong, what is wrong
with it and how to fix it. It also refuses a certificate that has expired or is not valid
yet, which OpenSSL loads without a word but every phone answers with a warning page, and
warns when it expires within :data:`EXPIRY_WARNING_DAYS` days.
"""

from __future__ import annotations

import logging
import re
import shlex
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from geo.errors import TLSFileError
from geo.web._x509 import Validity, certificate_validity

logger = logging.getLogger(__name__)

#: Where a kommun reads how to get a certificate.
DOCS = "docs/marking-app.md (section HTTPS)"
#: ``geo serve`` warns when the certificate expires within this many days.
EXPIRY_WARNING_DAYS = 14
#: How a certificate is renewed, for the messages about its dates.
RENEW = (
    "Renew it (Let's Encrypt: `certbot renew`; the kommun's own CA: ask kommunens IT for a new "
    "one), give the new file and restart `geo serve`"
)


@dataclass(frozen=True)
class _PemRole:
    """What one of the two files must hold, and the words the messages use for it."""

    option: str
    what: str
    marker: str
    begin: re.Pattern[str]
    letsencrypt: str
    der_to_pem: str

    @property
    def fix(self) -> str:
        """Return the sentence saying what the option wants."""
        return f"Give the {self.what} in PEM form (Let's Encrypt: {self.letsencrypt})."


_CERT = _PemRole(
    option="--certfile",
    what="certificate",
    marker="-----BEGIN CERTIFICATE-----",
    begin=re.compile(r"-----BEGIN CERTIFICATE-----"),
    letsencrypt="fullchain.pem",
    der_to_pem="openssl x509 -inform der -in {src} -out {dst}",
)
_KEY = _PemRole(
    option="--keyfile",
    what="private key",
    marker="-----BEGIN PRIVATE KEY-----",
    begin=re.compile(r"-----BEGIN (?:RSA |EC |DSA |ENCRYPTED )?PRIVATE KEY-----"),
    letsencrypt="privkey.pem",
    der_to_pem="openssl pkey -inform der -in {src} -out {dst}",
)
_PKCS12_SUFFIXES = (".pfx", ".p12")


def check_tls_files(certfile: Path, keyfile: Path) -> None:
    """Check that ``certfile`` and ``keyfile`` can serve HTTPS, loading them as uvicorn will.

    Parameters
    ----------
    certfile
        The server's certificate in PEM, followed by any intermediate certificates
        (Let's Encrypt's ``fullchain.pem``).
    keyfile
        Its private key in PEM without a passphrase (Let's Encrypt's ``privkey.pem``).

    Raises
    ------
    TLSFileError
        If a file is missing, a folder, unreadable, empty or not PEM; if the certificate
        file holds no certificate or the key file no private key; if the key is protected
        by a passphrase; if the key does not belong to the certificate; or if the
        certificate has expired or is not valid yet. The message names the file, what is
        wrong and the fix.

    Notes
    -----
    Logs a warning when the certificate expires within :data:`EXPIRY_WARNING_DAYS` days.
    Only the first certificate in ``certfile``, the server's own, is checked for its dates.
    """
    for role, path, other in ((_CERT, certfile, _KEY), (_KEY, keyfile, _CERT)):
        _require_block(path, role, _read_pem(path, role), other)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)

    def no_passphrase() -> str:
        raise _passphrase_error(keyfile)

    try:
        context.load_cert_chain(certfile, keyfile, password=no_passphrase)
    except ssl.SSLError as e:
        raise _load_error(certfile, keyfile, e) from None
    _check_dates(certfile, _read_pem(certfile, _CERT), now=datetime.now(UTC))


def _check_dates(certfile: Path, pem: str, *, now: datetime) -> None:
    """Refuse a certificate outside its validity at ``now``; warn when it expires soon."""
    try:
        valid = certificate_validity(pem)
    except ValueError as e:
        logger.warning("%s %s: its validity dates not checked (%s)", _CERT.option, certfile, e)
        return
    head = f"{_CERT.option} {_q(certfile)}: the certificate"
    if now < valid.not_before:
        raise _not_yet_valid_error(head, valid, now)
    left = valid.not_after - now
    if left <= timedelta(0):
        msg = (
            f"{head} expired on {_utc(valid.not_after)}, {_days(-left)} ago, so every phone "
            f"would show a warning page instead of the app. {RENEW}."
        )
        raise TLSFileError(msg)
    if left <= timedelta(days=EXPIRY_WARNING_DAYS):
        logger.warning(
            "%s expires on %s, in %s; after that every phone shows a warning page. %s.",
            head,
            _utc(valid.not_after),
            _days(left),
            RENEW,
        )


def _not_yet_valid_error(head: str, valid: Validity, now: datetime) -> TLSFileError:
    """Return the error for a certificate whose validity starts after ``now``."""
    msg = (
        f"{head} is valid only from {_utc(valid.not_before)}, {_days(valid.not_before - now)} "
        f"from now (this machine's clock says {_utc(now)}), so every phone would show a "
        "warning page instead of the app. If that clock is wrong, set it right (`timedatectl` "
        "shows whether it is synchronised); otherwise wait until then, or ask whoever issued "
        "the certificate for one valid now."
    )
    return TLSFileError(msg)


def _utc(moment: datetime) -> str:
    """Return a moment as ``2026-05-04 12:00 UTC``."""
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M} UTC"


def _days(span: timedelta) -> str:
    """Return a span rounded to whole days, as ``3 days``, ``1 day`` or ``less than a day``."""
    days = round(span / timedelta(days=1))
    if days < 1:
        return "less than a day"
    return f"{days} day{'s' if days > 1 else ''}"


def _q(path: Path) -> str:
    """Return ``path`` quoted for a shell command line in a message."""
    return shlex.quote(str(path))


def _sibling(path: Path, tag: str) -> Path:
    """Return ``path``'s name with ``tag`` before a ``.pem`` suffix, for a converted copy."""
    return path.with_name(f"{path.stem}{tag}.pem")


def _read_pem(path: Path, role: _PemRole) -> str:
    """Return the text of a PEM file, or raise :class:`TLSFileError` saying why it is none."""
    head = f"{role.option} {_q(path)}:"
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        msg = (
            f"{head} no such file. Give the path of the {role.what} in PEM form; "
            f"{DOCS} says how a kommun gets one."
        )
        raise TLSFileError(msg) from None
    except IsADirectoryError:
        msg = (
            f"{head} is a folder. Give the {role.what}'s file in it "
            f"(Let's Encrypt: {role.letsencrypt})."
        )
        raise TLSFileError(msg) from None
    except OSError as e:
        msg = (
            f"{head} cannot be read ({e.strerror or e}). Let the account that runs `geo serve` "
            f"read it (`ls -l {_q(path)}` shows who may)."
        )
        raise TLSFileError(msg) from None
    text = data.decode("ascii", errors="replace")
    if "-----BEGIN " in text:
        return text
    if not text.strip():
        msg = f"{head} is empty. {role.fix}"
        raise TLSFileError(msg)
    if path.suffix.lower() in _PKCS12_SUFFIXES:
        fix = (
            "It looks like a PKCS#12 bundle (.pfx/.p12); split it into PEM files: "
            f"`openssl pkcs12 -in {_q(path)} -nokeys -out cert.pem` and "
            f"`openssl pkcs12 -in {_q(path)} -nocerts -nodes -out key.pem`."
        )
    else:
        dst = _sibling(path, "" if path.suffix.lower() != ".pem" else ".converted")
        convert = role.der_to_pem.format(src=_q(path), dst=_q(dst))
        fix = f"If it is the {role.what} in binary (DER) form, convert it: `{convert}`."
    msg = f"{head} is not PEM (text with a '-----BEGIN …-----' line). {fix}"
    raise TLSFileError(msg)


def _require_block(path: Path, role: _PemRole, text: str, other: _PemRole) -> None:
    """Raise :class:`TLSFileError` unless ``text`` holds a PEM block of ``role``'s kind."""
    if role.begin.search(text):
        return
    swapped = (
        f" but a {other.what}: {_CERT.option} and {_KEY.option} look swapped"
        if other.begin.search(text)
        else ""
    )
    head = f"{role.option} {_q(path)}: holds no {role.what} (no '{role.marker}' line)"
    msg = f"{head}{swapped}. {role.fix}"
    raise TLSFileError(msg)


def _passphrase_error(keyfile: Path) -> TLSFileError:
    """Return the error for a private key that needs a passphrase."""
    plain = _sibling(keyfile, ".plain")
    msg = (
        f"{_KEY.option} {_q(keyfile)}: the private key is protected by a passphrase, which "
        "`geo serve` cannot ask for. Write a copy without it that only the account running "
        f"`geo serve` can read, and give that: `(umask 077; openssl pkey -in {_q(keyfile)} "
        f"-out {_q(plain)})`."
    )
    return TLSFileError(msg)


def _load_error(certfile: Path, keyfile: Path, error: ssl.SSLError) -> TLSFileError:
    """Return the error for a certificate and key OpenSSL refuses to load together."""
    cert, key = _q(certfile), _q(keyfile)
    if error.reason == "KEY_VALUES_MISMATCH":
        msg = (
            f"{_KEY.option} {key}: this private key does not belong to the certificate in "
            f"{_CERT.option} {cert}. Give the key made together with that certificate; the "
            f"two match when `openssl x509 -noout -pubkey -in {cert}` and "
            f"`openssl pkey -pubout -in {key}` print the same."
        )
    else:
        msg = (
            f"{_CERT.option} {cert} and {_KEY.option} {key}: OpenSSL cannot load them "
            f"({error.reason or error}). Check what it reads in them with "
            f"`openssl x509 -noout -text -in {cert}` and `openssl pkey -noout -in {key}`."
        )
    return TLSFileError(msg)


__all__ = ["DOCS", "EXPIRY_WARNING_DAYS", "check_tls_files"]
