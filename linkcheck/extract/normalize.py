"""Turn a link's URL into the Target later stages fetch (DESIGN.md §1 "plan").

- IDN host names to punycode, host lower-cased;
- non-ASCII and spaces in path and query percent-encoded (existing %XX kept);
- the fragment split off (servers never see it; anchors are checked apart);
- wrapper URLs unwrapped, the wrapper kept for reports:
  ``link.zhihu.com/?target=`` (docs/SOURCES.md [Z5], High), WeChat captcha
  ``/mp/wappoc_appmsgcaptcha?…&target_url=`` ([W7], High), and the same
  redirector pattern on ``link.jianshu.com/?t=``, ``link.csdn.net/?target=``,
  ``link.juejin.cn/?target=`` (inference);
- ``&amp;`` unescaped: a pasted HTML escape in long WeChat links ([W2]).
"""

from __future__ import annotations

import encodings.idna
import re
from urllib.parse import parse_qs, quote, urljoin, urlsplit, urlunsplit

from ..models import Target

_SAFE = "/%:@!$&'()*+,;=-._~?[]"
_C0_AND_SPACE = "".join(map(chr, range(0x21)))
# host → (path or None for any, query parameter holding the real URL)
_WRAPPERS: dict[str, tuple[str | None, str]] = {
    "link.zhihu.com": (None, "target"),
    "link.jianshu.com": (None, "t"),
    "link.csdn.net": (None, "target"),
    "link.juejin.cn": (None, "target"),
    "mp.weixin.qq.com": ("/mp/wappoc_appmsgcaptcha", "target_url"),
}


def _punycode(host: str) -> str:
    if host.isascii():
        return host.lower()
    labels = []
    for label in host.split("."):
        try:
            labels.append(encodings.idna.ToASCII(label).decode("ascii"))
        except UnicodeError:  # not a valid IDN label: keep it, the fetch will say why
            labels.append(quote(label.lower(), safe=""))
    return ".".join(labels).lower()


def _unwrap(url: str) -> str | None:
    lowered = url.lower()
    if "link." not in lowered and "wappoc_appmsgcaptcha" not in lowered:
        return None  # no wrapper's host or path in it: most URLs, with no parse at all
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    wrapper = _WRAPPERS.get((parts.hostname or "").lower())
    if wrapper is None:
        return None
    path, parameter = wrapper
    if path is not None and parts.path != path:
        return None
    values = parse_qs(parts.query).get(parameter)
    if not values or not values[0].lower().startswith(("http://", "https://")):
        return None
    return values[0]


def normalize(url: str) -> Target:
    """The fetchable form of an external URL (http, https, ftp or protocol-relative)."""
    url = url.strip().replace("&amp;", "&")
    if url.startswith("//"):
        url = "https:" + url
    inner = _unwrap(url)
    wrapped_in = None
    if inner is not None:
        wrapped_in, url = url, inner
    without_fragment, _, fragment = url.partition("#")
    return Target(_canonical(without_fragment), fragment or None, wrapped_in)


def redirect_target(base: str, location: str) -> str:
    """Where a Location header leads, as a browser reads it (WHATWG URL Standard: C0
    controls and spaces trimmed, tabs and newlines removed), in the same canonical form as a
    link's target. The fragment is kept: it is the new anchor."""
    location = "".join(c for c in location.strip(_C0_AND_SPACE) if c not in "\t\n\r")
    try:
        joined = urljoin(base, location)
    except ValueError:  # a malformed authority: the fetcher reports it
        return location
    without_fragment, hash_sign, fragment = joined.partition("#")
    return _canonical(without_fragment) + hash_sign + quote(fragment, safe=_SAFE + "#")


# A URL already in canonical form, as most are: http(s), a lower-case ASCII host, a port
# without leading zeros, a path and query of characters that stay as they are. Checked with
# one regex rather than parsed, split and joined again (a third of `extract --format json`).
_CANONICAL_ALREADY = re.compile(
    r"https?://[a-z0-9.-]+(?::[1-9][0-9]{0,4})?/[A-Za-z0-9\-._~!$&'()*+,;=:@/%?]*"
)


def _canonical(url: str) -> str:
    """Host in punycode and lower case, path and query percent-encoded (existing %XX kept);
    a URL whose authority cannot be parsed is returned as it is, for the fetcher to judge."""
    if _CANONICAL_ALREADY.fullmatch(url):
        return url
    return _canonical_parsed(url)


def _canonical_parsed(url: str) -> str:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    host = _punycode(parts.hostname or "")
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    userinfo = parts.netloc.rpartition("@")[0]
    netloc = (f"{userinfo}@" if userinfo else "") + host + (f":{port}" if port is not None else "")
    path = quote(parts.path, safe=_SAFE) or ("/" if parts.scheme in ("http", "https") else "")
    query = quote(parts.query, safe=_SAFE)
    normalized = urlunsplit((parts.scheme.lower(), netloc, path, query, ""))
    if parts.query == "" and url.endswith("?"):
        normalized += "?"
    return normalized
