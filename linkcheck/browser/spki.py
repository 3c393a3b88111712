"""The SHA-256 of a certificate's SubjectPublicKeyInfo, base64, as Chromium's
``--ignore-certificate-errors-spki-list`` takes it: how the browser trusts --cacert's
certificates (Chromium reads no CA file from its command line)."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path


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
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    hashes = []
    for name in pem_files:
        try:
            certificates = x509.load_pem_x509_certificates(Path(name).read_bytes())
        except (OSError, ValueError):
            continue
        for certificate in certificates:
            found = spki_hash(certificate.public_bytes(Encoding.DER))
            if found is not None:
                hashes.append(found)
    return hashes


def _subject_public_key_info(der: bytes) -> bytes | None:
    """The certificate's SubjectPublicKeyInfo, DER, read by `cryptography` (X.509 is a
    parser's job, not ours); None for bytes that are no certificate."""
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    try:
        key = x509.load_der_x509_certificate(der).public_key()
    except ValueError:
        return None
    return key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
