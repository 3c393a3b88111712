"""The fetcher's settings, derived from the run's Config (where every default is written),
with the host rules' hooks bound in: the one place that knows both the fetcher and the
rules, so neither imports the other."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from .config import SHARED_PACE, Config
from .engine.fragments import FRAGMENT_BODY_LIMIT
from .fetch.options import FetchSettings, HostHooks
from .fetch.politeness import DEFAULT_HOST_POLICIES, HostPolicy
from .fetch.proxies import Proxies, Proxy, environment_proxies, parse_per_host
from .fetch.routing import ConnectTo, tls_context, unverified_context
from .rules import blocking, github, retry_after, rewrite
from .version import DEFAULT_USER_AGENT

if TYPE_CHECKING:
    from .browser.session import BrowserSettings

CONNECT_TIMEOUT = 10.0  # at most; never more than --timeout


def host_hooks(github_token: str | None) -> HostHooks:
    return HostHooks(
        rewrite=partial(rewrite, github_token=github_token),
        blocking=blocking,
        retry_after=retry_after,
        extra_headers=partial(github.request_headers, token=github_token),
    )


def _host_policies(config: Config, default: HostPolicy) -> Mapping[str, HostPolicy]:
    policies = dict(DEFAULT_HOST_POLICIES)
    for host, host_config in config.hosts.items():
        base = policies.get(host, default)
        policies[host] = HostPolicy(
            concurrency=host_config.concurrency or base.concurrency,
            interval=host_config.interval if host_config.interval is not None else base.interval,
            headers=host_config.headers or base.headers,
        )
    return policies


# --browser: tabs open at once, and how long a page may take to get past its challenge.
BROWSER_TABS = 3
BROWSER_PAGE_SECONDS = 20.0


def _shared_among(policy: HostPolicy, shards: int) -> HostPolicy:
    """A host's pace when N shards run from one address: together they keep it (each 1/N
    of the requests in flight, at least one, and N times the interval between starts)."""
    return replace(
        policy,
        concurrency=max(1, policy.concurrency // shards),
        interval=policy.interval * shards,
    )


def fetch_settings(config: Config) -> FetchSettings:
    """The fetcher's settings from the run's configuration; a shard's politeness shared
    with the other shards unless each runs from its own address (--shard-pace)."""
    default = HostPolicy(concurrency=config.host_concurrency)
    policies = _host_policies(config, default)
    if config.shard is not None and config.shard_pace == SHARED_PACE:
        shards = config.shard[1]
        default = _shared_among(default, shards)
        policies = {host: _shared_among(p, shards) for host, p in policies.items()}
    routes = tuple(ConnectTo.parse(entry) for entry in config.connect_to)
    proxies = _proxies(config, routes)
    return FetchSettings(
        timeout=config.timeout,
        connect_timeout=min(config.timeout, CONNECT_TIMEOUT),
        max_redirects=config.max_redirects,
        max_retries=config.max_retries,
        retry_backoff=config.retry_backoff,
        max_concurrency=config.max_concurrency,
        user_agent=config.user_agent or DEFAULT_USER_AGENT,
        headers=config.header,
        host_policies=policies,
        default_host_policy=default,
        connect_to=routes,
        ssl_context=(
            unverified_context()
            if config.insecure
            else tls_context(config.cacert)
            if config.cacert
            else None
        ),
        include_private=config.include_private,
        hooks=host_hooks(config.github_token),
        proxies=proxies,
        cookies=config.cookies,
        host_cookies=tuple((h, c.cookies) for h, c in config.hosts.items() if c.cookies),
        secrets=((config.github_token,) if config.github_token else ()) + proxies.secrets,
        **({"body_limit": FRAGMENT_BODY_LIMIT} if config.check_fragments else {}),
    )


def _proxies(config: Config, routes: tuple[ConnectTo, ...]) -> Proxies:
    routed_hosts = {route.host for route in routes}

    def routed(host: str) -> bool:  # --connect-to wins over every proxy
        return "" in routed_hosts or host in routed_hosts

    return Proxies.from_environment(
        environment_proxies(),
        explicit=Proxy.parse(config.proxy, name="--proxy") if config.proxy else None,
        per_host=parse_per_host({host: c.proxy for host, c in config.hosts.items()}),
        routed=routed,
        use_proxies=config.env_proxy,
    )


def with_limits(settings: FetchSettings, *, max_retries: int, timeout: float) -> FetchSettings:
    """Tighter settings for a helper's own fetcher (the Wayback lookups)."""
    return replace(settings, max_retries=max_retries, timeout=min(settings.timeout, timeout))


def browser_settings(config: Config) -> BrowserSettings | None:
    """--browser: Chromium routed as the HTTP client is; None when there is no Chromium."""
    from .browser.session import BrowserSettings, find_executable

    executable = find_executable(config.browser_path)
    if executable is None:
        return None
    parsed = tuple(ConnectTo.parse(entry) for entry in config.connect_to)
    routes = []
    for route in parsed:
        if route.host:  # Chromium's rules name a host; a wildcard source has no equivalent
            port = route.port or 443
            routes.append((route.host, port, route.to_host or route.host, route.to_port or port))
    proxies = _proxies(config, parsed)
    every = [proxies.explicit, *proxies.per_host.values(), *proxies.environment.values()]
    auth = tuple(
        (urlsplit(proxy.url).netloc, *proxy.auth)
        for proxy in every
        if proxy is not None and proxy.auth is not None
    )
    return BrowserSettings(
        executable=executable,
        connect_to=tuple(routes),
        routes=parsed,
        proxies=proxies,
        connect_timeout=min(config.timeout, CONNECT_TIMEOUT),
        proxy_auth=auth,
        cacert=config.cacert,
        tabs=min(BROWSER_TABS, config.max_concurrency),
        page_deadline=max(config.timeout, BROWSER_PAGE_SECONDS),
        include_private=config.include_private,
        tunnel_for=partial(_tunnel_for, proxies),
    )


def _tunnel_for(proxies: Proxies, host: str) -> tuple[str, int, str | None] | None:
    """The plain-HTTP proxy the client tunnels through to host, with the
    Proxy-Authorization it wants; None for a direct connection or another kind of proxy."""
    proxy = proxies.for_url("https", host)
    if proxy is None or proxy.scheme != "http":
        return None
    parts = urlsplit(proxy.url)
    authorization = None
    if proxy.auth is not None:
        token = base64.b64encode(":".join(proxy.auth).encode()).decode()
        authorization = f"Basic {token}"
    return parts.hostname or "", parts.port or 80, authorization
