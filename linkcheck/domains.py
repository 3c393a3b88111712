"""Host names and the domains they belong to: the one matching rule behind host rules,
per-host settings (politeness, proxies, cookies) and NO_PROXY. Pure."""

from __future__ import annotations

from collections.abc import Container


def in_domain(host: str, domain: str) -> bool:
    """host is domain or a subdomain of it (zhihu.com.evil.cn is not in zhihu.com)."""
    return host == domain or host.endswith("." + domain)


def nearest_domain(host: str, domains: Container[str]) -> str | None:
    """The entry of domains that host is, else its nearest parent domain's, else None."""
    name = host.lower()
    while name:
        if name in domains:
            return name
        name = name.partition(".")[2]
    return None
