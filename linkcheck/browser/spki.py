"""The SHA-256 of a certificate's SubjectPublicKeyInfo, base64, as Chromium's
``--ignore-certificate-errors-spki-list`` takes it: how the browser trusts --cacert's
certificates (Chromium reads no CA file from its command line)."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

_PEM = re.compile(rb"-----BEGIN CERTIFICATE-----(.+?)-----END CERTIFICATE-----", re.S)


def spki_hashes(pem_files: tuple[str, ...]) -> list[str]:
    """One hash per certificate in the files; a file that cannot be read adds none."""
    hashes = []
    for name in pem_files:
        try:
            data = Path(name).read_bytes()
        except OSError:
            continue
        for block in _PEM.findall(data):
            der = base64.b64decode(b"".join(block.split()))
            spki = _subject_public_key_info(der)
            if spki is not None:
                hashes.append(base64.b64encode(hashlib.sha256(spki).digest()).decode())
    return hashes


def _element(der: bytes, at: int) -> tuple[int, int, int]:
    """(tag, start of the value, end of the element) of the DER element at offset at."""
    tag = der[at]
    length = der[at + 1]
    start = at + 2
    if length & 0x80:
        count = length & 0x7F
        length = int.from_bytes(der[start : start + count], "big")
        start += count
    return tag, start, start + length


def _subject_public_key_info(der: bytes) -> bytes | None:
    """X.509: Certificate ::= SEQUENCE { tbsCertificate SEQUENCE { [0] version OPTIONAL,
    serialNumber, signature, issuer, validity, subject, subjectPublicKeyInfo, … } … }."""
    try:
        _, certificate, _ = _element(der, 0)
        _, at, _ = _element(der, certificate)  # into tbsCertificate
        tag, _, end = _element(der, at)
        if tag == 0xA0:  # the explicit version
            at = end
        for _ in range(5):  # serial number, signature, issuer, validity, subject
            _, _, at = _element(der, at)
        _, _, end = _element(der, at)
        return der[at:end]
    except IndexError:
        return None
