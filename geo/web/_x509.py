"""Read the validity period of a PEM certificate with the standard library alone.

The :mod:`ssl` module loads certificates but has no public function that decodes one from a
file (``ssl._ssl._test_decode_cert`` is private), and ``cryptography`` would be a new, large
dependency for two dates. They lie at a fixed place in the certificate's DER encoding
(RFC 5280, section 4.1)::

    Certificate ::= SEQUENCE {
        tbsCertificate SEQUENCE {
            [0] version OPTIONAL, serialNumber, signature, issuer,
            validity SEQUENCE { notBefore Time, notAfter Time }, ... }, ... }

so :func:`certificate_validity` walks only those few elements. ``Time`` is a UTCTime
(``YYMMDDHHMMSSZ``, years 1950–2049) or a GeneralizedTime (``YYYYMMDDHHMMSSZ``).
"""

from __future__ import annotations

import re
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime

_SEQUENCE = 0x30
_VERSION = 0xA0  # [0] EXPLICIT, context-specific and constructed
_UTC_TIME = 0x17
_GENERALIZED_TIME = 0x18
_PEM_CERTIFICATE = re.compile(r"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----", re.DOTALL)


@dataclass(frozen=True)
class Validity:
    """When a certificate is valid.

    Attributes
    ----------
    not_before
        The start of its validity (UTC, timezone-aware).
    not_after
        Its expiry (UTC, timezone-aware).
    """

    not_before: datetime
    not_after: datetime


def certificate_validity(pem: str) -> Validity:
    """Return the validity period of the first certificate in a PEM text.

    Parameters
    ----------
    pem
        PEM text; its first ``CERTIFICATE`` block is the server's own certificate in a chain
        file such as Let's Encrypt's ``fullchain.pem``.

    Returns
    -------
    Validity
        Its ``notBefore`` and ``notAfter``.

    Raises
    ------
    ValueError
        If the text holds no certificate block or the block is not a DER certificate.
    """
    block = _PEM_CERTIFICATE.search(pem)
    if block is None:
        msg = "no '-----BEGIN CERTIFICATE-----' block"
        raise ValueError(msg)
    der = ssl.PEM_cert_to_DER_cert(block.group())
    certificate, _ = _contents(der, 0, _SEQUENCE)
    pos, _ = _contents(der, certificate, _SEQUENCE)  # tbsCertificate
    tag, _, after = _element(der, pos)
    if tag == _VERSION:
        pos = after
    for _ in ("serialNumber", "signature", "issuer"):
        pos = _element(der, pos)[2]
    validity, _ = _contents(der, pos, _SEQUENCE)
    not_before, pos = _time(der, validity)
    not_after, _ = _time(der, pos)
    return Validity(not_before, not_after)


def _element(der: bytes, pos: int) -> tuple[int, int, int]:
    """Return the tag, the start of the contents and the end of the DER element at ``pos``."""
    if pos + 2 > len(der):
        msg = f"DER ends at byte {len(der)}, inside an element"
        raise ValueError(msg)
    tag, length, start = der[pos], der[pos + 1], pos + 2
    if length & 0x80:  # long form: the next (length & 0x7F) bytes hold the length
        size = length & 0x7F
        length, start = int.from_bytes(der[start : start + size], "big"), start + size
    end = start + length
    if end > len(der):
        msg = f"a DER element at byte {pos} runs past the end"
        raise ValueError(msg)
    return tag, start, end


def _contents(der: bytes, pos: int, tag: int) -> tuple[int, int]:
    """Return the start and end of the contents of the element at ``pos``, which must be ``tag``."""
    found, start, end = _element(der, pos)
    if found != tag:
        msg = f"DER tag 0x{found:02x} at byte {pos} where 0x{tag:02x} belongs"
        raise ValueError(msg)
    return start, end


def _time(der: bytes, pos: int) -> tuple[datetime, int]:
    """Return the UTCTime or GeneralizedTime at ``pos`` and the position after it."""
    tag, start, end = _element(der, pos)
    text = der[start:end].decode("ascii")
    if tag == _UTC_TIME:
        text = ("19" if int(text[:2]) >= 50 else "20") + text
    elif tag != _GENERALIZED_TIME:
        msg = f"DER tag 0x{tag:02x} at byte {pos} is no time"
        raise ValueError(msg)
    return datetime.strptime(text, "%Y%m%d%H%M%SZ").replace(tzinfo=UTC), end
