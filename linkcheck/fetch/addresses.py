"""Which URLs can be requested, and which addresses linkcheck may contact.

Two pure checks, used before a request is made and again at connect time:

- `url_problem`: why a URL cannot be requested as written (a broken authority, a port out
  of range, an IPv4-looking host that is no address, an `xn--` label that is not valid
  punycode), so a hostile or mistyped URL becomes an `invalid-url` verdict, not a crash;
- `is_private_address` / `literal_address`: loopback, private, link-local, unique-local,
  CGNAT, multicast, unspecified and IPv4-mapped forms of them, with the IPv4 spellings a
  browser accepts (`0x7f000001`, `2130706433`, `127.1`, `017700000001`, `0`; WHATWG URL
  Standard, "IPv4 parser"), so `--include-private` is the only way into a private network.
"""

from __future__ import annotations

import functools
import ipaddress
import re
import socket
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Lenient like browsers (underscores, edge hyphens): only what no resolver could look up.
_LABEL = re.compile(r"^[a-z0-9_-]{1,63}$")
# A host whose last label is a number is an IPv4 address to a browser, or invalid.
_NUMERIC_LABEL = re.compile(r"^(?:0x[0-9a-f]*|[0-9]+)$")
_REQUESTABLE_SCHEMES = frozenset({"http", "https"})
_BAD_NETLOC = re.compile(r"[\x00-\x20<>\\^`{|}]")


def literal_address(host: str) -> IPAddress | None:
    """The address a host names literally, in any spelling a browser accepts, else None."""
    host = host.strip().lower().rstrip(".")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if ":" in host:
        try:
            return ipaddress.IPv6Address(host.split("%", 1)[0])
        except ValueError:
            return None
    last = host.rpartition(".")[2]
    if not _NUMERIC_LABEL.match(last):
        return None
    try:  # inet_aton reads the same forms as the WHATWG IPv4 parser: hex, octal, short
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        return None


# NAT64: the well-known prefix carries an IPv4 address in its last 32 bits (RFC 6052); the
# local-use prefix (RFC 8215) is a site's own translator, private by definition.
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_LOCAL_NAT64 = ipaddress.IPv6Network("64:ff9b:1::/48")


def is_private_address(address: IPAddress) -> bool:
    """True for anything that is not a public unicast address; an IPv6 form that carries an
    IPv4 address (mapped, 6to4, NAT64) is judged by that address. Teredo (2001::/32) is
    never global to the standard library, so it is never requested at all."""
    if isinstance(address, ipaddress.IPv6Address):
        if address in _LOCAL_NAT64:
            return True
        if address in _NAT64:
            return is_private_address(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
        mapped = address.ipv4_mapped or address.sixtofour
        if mapped is not None:
            return is_private_address(mapped)
    return not address.is_global or address.is_multicast or address.is_unspecified


def is_private_host(host: str) -> bool:
    """localhost names and literal private addresses (a name's addresses are checked when
    it is resolved, in routing.py)."""
    host = host.strip().lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    address = literal_address(host)
    return address is not None and is_private_address(address)


def url_problem(url: str) -> str | None:
    """Why url cannot be requested, in one sentence, or None when it can."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        return f"malformed URL: {error}"
    if parts.scheme.lower() not in _REQUESTABLE_SCHEMES:
        return f"only http and https URLs are requested, not {parts.scheme or 'no scheme'!r}"
    if _BAD_NETLOC.search(parts.netloc) is not None:
        return "the host part has spaces or characters a host name cannot have"
    host = (parts.hostname or "").rstrip(".")
    if not host:
        return "the URL has no host"
    if port == 0:
        return "port 0 cannot be connected to"
    if parts.netloc.rpartition("@")[2].startswith("["):
        return None if literal_address(host) is not None else f"{host!r} is not an IPv6 address"
    return _host_problem(host)


@functools.lru_cache(maxsize=4096)  # asked of every request; a blog cites few hosts many times
def _host_problem(host: str) -> str | None:
    if not host.isascii():
        return None  # an IDN: normalisation turns it into punycode before any request
    labels = host.split(".")
    if _NUMERIC_LABEL.match(labels[-1]):
        if literal_address(host) is None:
            return f"{host!r} looks like an IPv4 address but is not one"
        return None
    if len(host) > 253:
        return "the host name is longer than 253 characters"
    for label in labels:
        if not _LABEL.match(label):
            return f"{label!r} is not a valid label of a host name"
        if label.startswith("xn--") and not _valid_a_label(label):
            return f"{label!r} is not valid punycode (an internationalised name)"
    return None


def _valid_a_label(label: str) -> bool:
    """An A-label must decode, to something that is not plain ASCII (RFC 5890 §2.3.2.1)."""
    try:
        decoded = label[4:].encode("ascii").decode("punycode")
    except UnicodeError:
        return False
    return bool(decoded) and not decoded.isascii()
