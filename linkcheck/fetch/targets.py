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


class InvalidTarget(ValueError):
    """A URL no request can be made for (httpx's reading of it)."""


@dataclass(frozen=True, slots=True)
class Target:
    scheme: str  # lower case
    host: str  # ASCII (IDNA), lower case, IPv6 without brackets
    port: int  # the default one when the URL gives none
    authority: str  # for the Host header: the port only when it is not the default
    path: bytes  # the request target: path and query, percent-encoded, no fragment


def target_of(url: str) -> Target:
    """Raises InvalidTarget (or UnicodeError for a bad IDN) where httpx would refuse."""
    fast = _plain(url)
    if fast is not None:
        return fast
    import httpx  # only for such a URL: a run of cached links never loads it

    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as error:
        raise InvalidTarget(str(error)) from error
    scheme = parsed.scheme
    if scheme not in DEFAULT_PORTS or not parsed.raw_host:
        raise InvalidTarget(f"{url}: not an http(s) URL with a host")
    host = parsed.raw_host.decode("ascii")
    port = parsed.port or DEFAULT_PORTS[scheme]
    return Target(scheme, host, port, parsed.netloc.decode("ascii"), parsed.raw_path)


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
