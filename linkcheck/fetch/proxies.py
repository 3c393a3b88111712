"""Which proxy a request goes through, if any (README "Proxies"), decided per URL:

1. a `--connect-to` route for the host wins: the user sent it somewhere already;
2. the host's own `proxy` in the hosts table (`"direct"` for none), nearest domain first;
3. `NO_PROXY` (the environment's, as curl reads it) sends the host direct;
4. `--proxy`;
5. the environment's `HTTPS_PROXY` / `HTTP_PROXY` / `ALL_PROXY` (unless --no-env-proxy).

Pure: the environment is read once, by whoever builds the settings, and passed in."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from ..domains import in_domain, nearest_domain
from ..errors import ConfigError

DIRECT = "direct"
PROXY_SCHEMES = frozenset({"http", "https", "socks5", "socks5h"})


@dataclass(frozen=True)
class Proxy:
    """A proxy URL taken apart: its address and its credentials, kept out of any text."""

    scheme: str
    url: str  # without the credentials
    auth: tuple[str, str] | None = field(default=None, repr=False)

    @classmethod
    def parse(cls, text: str, *, name: str) -> Proxy:
        parts = urlsplit(text.strip())
        shown = f"{parts.scheme}://{parts.hostname}" if parts.hostname else "(no host)"
        if parts.scheme not in PROXY_SCHEMES or not parts.hostname:
            raise ConfigError(
                f"{name}: {shown}: expected a proxy URL like http://host:3128 or "
                "socks5://host:1080 (http, https, socks5)"
            )
        try:
            port = parts.port
        except ValueError:
            raise ConfigError(f"{name}: {shown}: the port is not a number") from None
        host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
        # socks5h (names resolved by the proxy) is what httpcore's socks5 does anyway.
        scheme = "socks5" if parts.scheme == "socks5h" else parts.scheme
        url = f"{scheme}://{host}" + (f":{port}" if port else "")
        auth = None
        if parts.username is not None:
            auth = (unquote(parts.username), unquote(parts.password or ""))
        return cls(parts.scheme, url, auth)

    @property
    def secrets(self) -> tuple[str, ...]:
        return tuple(s for s in (self.auth or ()) if s)


def environment_proxies() -> dict[str, str]:
    """The proxy variables of the environment, lower-cased scheme → value (`no` for
    NO_PROXY), as urllib reads them (the upper- and lower-case spellings)."""
    if not any(name.lower().endswith("_proxy") for name in os.environ):
        return {}  # urllib.request costs 13 ms to import, for nothing to read
    import urllib.request

    return dict(urllib.request.getproxies_environment())


def _never_routed(host: str) -> bool:
    return False


@dataclass(frozen=True)
class Proxies:
    explicit: Proxy | None = None  # --proxy
    per_host: Mapping[str, Proxy | None] = field(default_factory=dict)  # None: direct
    environment: Mapping[str, Proxy] = field(default_factory=dict)  # scheme (or "all") →
    no_proxy: str = ""  # the environment's NO_PROXY
    routed: Callable[[str], bool] = _never_routed  # a --connect-to route serves the host

    @classmethod
    def from_environment(
        cls,
        variables: Mapping[str, str],
        *,
        explicit: Proxy | None,
        per_host: Mapping[str, Proxy | None],
        routed: Callable[[str], bool],
        use_proxies: bool,
    ) -> Proxies:
        """variables as environment_proxies() gives them; use_proxies=False (--no-env-proxy)
        keeps NO_PROXY but no proxy of the environment's."""
        found = {
            scheme: Proxy.parse(value, name=f"{scheme.upper()}_PROXY")
            for scheme, value in variables.items()
            if scheme in ("http", "https", "all") and value and use_proxies
        }
        return cls(explicit, per_host, found, variables.get("no", ""), routed)

    def for_url(self, scheme: str, host: str) -> Proxy | None:
        """The proxy for a request to scheme://host, or None to connect directly."""
        host = host.lower()
        if self.routed(host):
            return None
        own = nearest_domain(host, self.per_host)
        if own is not None:
            return self.per_host[own]
        if self.no_proxy and bypassed(host, self.no_proxy):
            return None
        if self.explicit is not None:
            return self.explicit
        return self.environment.get(scheme) or self.environment.get("all")

    @property
    def secrets(self) -> tuple[str, ...]:
        proxies = [self.explicit, *self.per_host.values(), *self.environment.values()]
        return tuple(s for proxy in proxies if proxy is not None for s in proxy.secrets)


def bypassed(host: str, no_proxy: str) -> bool:
    """NO_PROXY as curl reads it: comma-separated names, each matching itself and its
    subdomains (a leading dot changes nothing), `*` matching every host; a port after a
    name is ignored, an IPv6 address may stand in brackets."""
    host = host.lower().strip("[]").rstrip(".")
    for entry in no_proxy.split(","):
        entry = entry.strip().lower()
        if entry == "*":
            return True
        if entry.startswith("["):
            entry = entry[1 : entry.find("]")] if "]" in entry else entry[1:]
        elif entry.count(":") == 1:
            entry = entry.partition(":")[0]
        entry = entry.lstrip(".").rstrip(".")
        if entry and in_domain(host, entry):
            return True
    return False


def parse_per_host(hosts: Mapping[str, str | None]) -> dict[str, Proxy | None]:
    """The hosts table's `proxy` entries: a URL, or "direct"."""
    return {
        host: None if value == DIRECT else Proxy.parse(value, name=f"hosts.{host}.proxy")
        for host, value in hosts.items()
        if value is not None
    }
