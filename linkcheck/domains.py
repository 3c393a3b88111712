"""Host names and the domains they belong to: the one matching rule behind host rules,
per-host settings (politeness, proxies, cookies) and NO_PROXY; the host of a URL. Pure."""

from __future__ import annotations

import functools
from collections.abc import Container
from urllib.parse import urlsplit


# Every stage asks the host of every URL (the plan, the scheduler, the fetcher, the host
# rules, the report), and urlsplit's own cache holds 128 URLs: at the blog's 25,000 each
# stage would parse them all again. The URLs it keeps are the ones a run holds anyway;
# 65,536 of them bound it for a longer-lived caller.
@functools.lru_cache(maxsize=1 << 16)
def hostname_of(url: str) -> str | None:
    """urlsplit(url).hostname, remembered; raises ValueError as urlsplit does for a
    malformed authority (a failure is not remembered)."""
    return urlsplit(url).hostname


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
