"""What a request for a URL sends: the host to connect to, the Host header, the request
target. httpx.URL works it out for any URL (IDNA, percent-encoding, dot segments); most
URLs are plain ASCII that it would send as written, and for them a split is 10x cheaper
(a check parses every URL of every hop). tests/test_targets.py holds the two to the same
answer."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

DEFAULT_PORTS = {"http": 80, "https": 443}
# What httpx would change or a split would read differently: anything not printable ASCII,
# the characters it percent-encodes, userinfo, IPv6 brackets, backslashes.
_NOT_PLAIN = re.compile(r"[^\x21-\x7e]|[\"<>\\^`{|}@\[\]]")


@dataclass(frozen=True, slots=True)
class Target:
    scheme: str  # lower case
    host: str  # ASCII (IDNA), lower case, IPv6 without brackets
    port: int  # the default one when the URL gives none
    authority: str  # for the Host header: the port only when it is not the default
    path: bytes  # the request target: path and query, percent-encoded, no fragment


def target_of(url: str) -> Target:
    """Raises wire.InvalidTarget (or UnicodeError for a bad IDN) where httpx would refuse."""
    fast = _plain(url)
    if fast is not None:
        return fast
    from .proxied import url_parts  # httpx, imported only for such a URL

    scheme, host, port, authority, path = url_parts(url)
    return Target(scheme, host, port or DEFAULT_PORTS.get(scheme, 0), authority, path)


def _plain(url: str) -> Target | None:
    if not url.startswith(("http://", "https://")) or _NOT_PLAIN.search(url) is not None:
        return None
    parts = urlsplit(url)
    scheme = parts.scheme
    default = DEFAULT_PORTS[scheme]
    path = parts.path or "/"
    if "/." in path or not path.startswith("/"):
        return None  # dot segments: httpx removes them
    host = (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:
        return None
    if not host or port == 0:
        return None
    authority = host if port is None or port == default else f"{host}:{port}"
    asked = parts.query or "?" in url.partition("#")[0]  # an empty query is still sent
    target = f"{path}?{parts.query}" if asked else path
    return Target(scheme, host, port or default, authority, target.encode("ascii"))
