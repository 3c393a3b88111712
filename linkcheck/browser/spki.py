"""The SHA-256 of a certificate's SubjectPublicKeyInfo, base64, as Chromium's
``--ignore-certificate-errors-spki-list`` takes it: how the browser trusts --cacert's
certificates (Chromium reads no CA file from its command line)."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

_PEM = re.compile(rb"-----BEGIN CERTIFICATE-----(.+?)-----END CERTIFICATE-----", re.S)


def spki_hash(der: bytes) -> str | None:
    """The hash of one certificate (DER), None if it does not read as X.509."""
    spki = _subject_public_key_info(der)
    return base64.b64encode(hashlib.sha256(spki).digest()).decode() if spki else None


# An HTTP(S) proxy's address and the Proxy-Authorization it wants, if any.
Tunnel = tuple[str, int, str | None]


def leaf_hash(
    host: str,
    port: int,
    address: tuple[str, int],
    cacert: tuple[str, ...],
    timeout: float,
    tunnel: Tunnel | None = None,
) -> str | None:
    """The hash of the certificate host presents at address (or through tunnel, an HTTP
    proxy's CONNECT, made by the standard library), once Python has verified it (its chain
    up to the system's CAs or --cacert's, and its name): real servers send their leaf and
    intermediates, never the root, so Chromium, told a CA's key, would never meet it. None
    when it does not verify, or cannot be reached."""
    import http.client
    import socket
    import ssl

    context = ssl.create_default_context()
    try:
        for path in cacert:
            context.load_verify_locations(cafile=path)
        if tunnel is None:
            with (
                socket.create_connection(address, timeout=timeout) as raw,
                context.wrap_socket(raw, server_hostname=host) as tls,
            ):
                der = tls.getpeercert(binary_form=True)
        else:
            proxy_host, proxy_port, authorization = tunnel
            connection = http.client.HTTPSConnection(
                proxy_host, proxy_port, timeout=timeout, context=context
            )
            headers = {"Proxy-Authorization": authorization} if authorization else None
            connection.set_tunnel(host, port, headers=headers)
            try:
                connection.connect()
                der = connection.sock.getpeercert(binary_form=True)
            finally:
                connection.close()
    except (OSError, ssl.SSLError, ValueError, http.client.HTTPException):
        return None
    return spki_hash(der) if der else None


def spki_hashes(pem_files: tuple[str, ...]) -> list[str]:
    """One hash per certificate in the files; a file that cannot be read adds none."""
    hashes = []
    for name in pem_files:
        try:
            data = Path(name).read_bytes()
        except OSError:
            continue
        for block in _PEM.findall(data):
            found = spki_hash(base64.b64decode(b"".join(block.split())))
            if found is not None:
                hashes.append(found)
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
