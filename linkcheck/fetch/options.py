"""What the fetcher is told: its settings (built from the run's Config by settings.py, where
every default lives) and the host rules' hooks. No HTTP stack imported: a run whose links
are all cached reads these and never loads httpx."""

from __future__ import annotations

import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from ..models import Exchange
from .politeness import HostPolicy, nearest_policy
from .proxies import Proxies
from .routing import ConnectTo


def _same_url(url: str) -> str:
    return url


def _no_opinion(exchange: Exchange) -> None:
    return None


def _no_headers(host: str, secure: bool) -> Mapping[str, str]:
    return {}


@dataclass(frozen=True)
class HostHooks:
    """What host rules tell the fetcher, passed in by whoever builds it (settings.py), so
    the fetcher itself knows no host: the URL to request instead, whether an answer is the
    host refusing us, how long a rate-limited host asks us to wait, and extra headers
    (credentials) for a host reached over HTTPS (secure) or not."""

    rewrite: Callable[[str], str] = _same_url
    blocking: Callable[[Exchange], bool | None] = _no_opinion
    retry_after: Callable[[Exchange], float | None] = _no_opinion
    extra_headers: Callable[[str, bool], Mapping[str, str]] = _no_headers


@dataclass(frozen=True)
class FetchSettings:
    """Built from the run's Config by settings.fetch_settings (every default lives there)."""

    timeout: float  # whole attempt, connect to last byte read
    connect_timeout: float
    max_redirects: int
    max_retries: int
    retry_backoff: float  # first backoff; doubles, with jitter
    max_concurrency: int
    user_agent: str
    headers: tuple[tuple[str, str], ...]
    host_policies: Mapping[str, HostPolicy]
    default_host_policy: HostPolicy
    connect_to: tuple[ConnectTo, ...]
    ssl_context: ssl.SSLContext | None
    include_private: bool  # may connect to loopback and private addresses
    hooks: HostHooks = HostHooks()
    proxies: Proxies = field(default_factory=Proxies)
    cookies: str | None = None  # a cookies.txt for every host its cookies match
    host_cookies: tuple[tuple[str, str], ...] = ()  # (host, cookies.txt) for that host only
    secrets: tuple[str, ...] = field(default=(), repr=False)  # cut from every error text
    max_retry_after: float = 60.0
    body_limit: int = 64 * 1024  # what the classifier reads of a page

    def policy_for(self, host: str) -> HostPolicy:
        return nearest_policy(host, self.host_policies, self.default_host_policy)
