"""The HTTP client's proxy choice as a PAC script for Chromium (``--proxy-pac-url``), so the
browser goes through the same proxy for every host: --connect-to routes direct, the hosts
table's proxies (the most specific domain first, "direct" included), NO_PROXY, --proxy,
then the environment's by scheme (proxies.py's for_url, in that order). "Direct" is what
the caller names: the browser's pinning proxy (pinning.py) in a run. Credentials are not
in it: the browser is given them when the proxy asks (session.py)."""

from __future__ import annotations

import base64
import json
import re
from urllib.parse import urlsplit

from ..fetch.proxies import Proxies, Proxy


def pac_url(
    proxies: Proxies, routed_hosts: tuple[str, ...], *, direct: str = "DIRECT"
) -> str | None:
    """A data: URL of the PAC script, None when no proxy is in play and direct is DIRECT.
    routed_hosts: the hosts --connect-to routes ("" for a route of every host)."""
    in_play = proxies.explicit or proxies.environment or any(proxies.per_host.values())
    if not in_play and direct == "DIRECT":
        return None
    if not re.fullmatch(r"[A-Z0-9 .:\[\]]+", direct):
        raise ValueError(f"not a PAC directive: {direct!r}")
    go_direct = f"'{direct}'"
    lines = ["function FindProxyForURL(url, host) {", "  host = host.toLowerCase();"]
    for host in routed_hosts:
        condition = "true" if not host else f"host == {json.dumps(host)}"
        lines.append(f"  if ({condition}) return {go_direct};")
    for domain in sorted(proxies.per_host, key=lambda d: -len(d)):
        found = proxies.per_host[domain]
        lines.append(f"  if ({_in_domain(domain)}) return {_directive(found, go_direct)};")
    for entry in proxies.no_proxy.split(","):
        entry = entry.strip().lower().partition(":")[0].strip(".[]")
        if entry == "*":
            lines.append(f"  return {go_direct};")
        elif entry:
            lines.append(f"  if ({_in_domain(entry)}) return {go_direct};")
    if proxies.explicit is not None:
        lines.append(f"  return {_directive(proxies.explicit, go_direct)};")
    for scheme in ("https", "http"):
        found = proxies.environment.get(scheme)
        if found is not None:
            lines.append(
                f"  if (url.substring(0, {len(scheme) + 1}) == '{scheme}:') "
                f"return {_directive(found, go_direct)};"
            )
    lines.append(f"  return {_directive(proxies.environment.get('all'), go_direct)};")
    lines.append("}")
    script = "\n".join(lines)
    return (
        "data:application/x-ns-proxy-autoconfig;base64,"
        + base64.b64encode(script.encode()).decode()
    )


def _in_domain(domain: str) -> str:
    quoted = json.dumps(domain)
    return f"host == {quoted} || dnsDomainIs(host, {json.dumps('.' + domain)})"


def _directive(proxy: Proxy | None, go_direct: str) -> str:
    if proxy is None:
        return go_direct
    parts = urlsplit(proxy.url)
    address = parts.netloc
    kind = {"http": "PROXY", "https": "HTTPS", "socks5": "SOCKS5"}.get(proxy.scheme, "PROXY")
    return json.dumps(f"{kind} {address}")
