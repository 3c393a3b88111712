"""Host rules: where status codes lie, a small named rule reads the page (DESIGN.md §4).

A rule names the domains it serves, the reasons it can give, and a verdict hook that reads
the Exchange (status, redirect chain, headers, the first 64 KiB of the body parsed with
selectolax). Rules run in order; the first that decides wins; the generic classifier
decides the rest. Every marker a rule relies on is cited from ../shared/reference/hosts.md,
and where the reference rates a marker Low, the rule answers unknown, never dead.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cached_property
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ..decode import decode_page
from ..models import Exchange, Status, Verdict

if TYPE_CHECKING:
    from selectolax.lexbor import LexborHTMLParser

LOG = logging.getLogger("linkcheck.rules")


class Page:
    """The exchange as a rule sees it; the body is parsed once, on first use."""

    def __init__(self, exchange: Exchange) -> None:
        self.exchange = exchange
        self.status = exchange.final_status
        self.final_url = exchange.final_url
        self.hops = exchange.hops

    @cached_property
    def text(self) -> str:
        return decode_page(self.exchange.body, self.exchange.header("content-type"))

    @cached_property
    def tree(self) -> LexborHTMLParser:
        from selectolax.lexbor import LexborHTMLParser

        return LexborHTMLParser(self.text)

    def has(self, selector: str) -> bool:
        return self.tree.css_first(selector) is not None

    def texts(self, *selectors: str) -> str:
        """The text of every node matching any selector, joined."""
        parts: list[str] = []
        for selector in selectors:
            parts.extend(node.text(separator=" ") for node in self.tree.css(selector))
        return " ".join(parts)

    def json(self) -> Any:
        import json

        try:
            return json.loads(self.text)
        except ValueError:
            return None

    def header(self, name: str) -> str | None:
        return self.exchange.header(name)

    @property
    def final_path(self) -> str:
        return urlsplit(self.final_url).path


def verdict(
    status: Status, reason: str, detail: str | None = None, final_url: str | None = None
) -> Verdict:
    return Verdict(status, reason, final_url, detail)


@dataclass(frozen=True)
class Rule:
    name: str
    domains: tuple[str, ...]  # a host matches a domain exactly or as a subdomain
    decide: Callable[[Page], Verdict | None]
    reasons: tuple[str, ...]
    # Seconds to wait before retrying a response this host uses for rate limiting
    # (GitHub's 403 with x-ratelimit-remaining: 0), or None.
    retry_after: Callable[[Exchange], float | None] | None = None
    # True when a single response is the host's rate-limit or captcha answer; None when it
    # says nothing either way (the captcha page a counted redirect led to).
    blocking: Callable[[Exchange], bool | None] | None = None

    def serves(self, host: str) -> bool:
        host = host.lower()
        return any(host == d or host.endswith("." + d) for d in self.domains)


def _hosts(exchange: Exchange) -> set[str]:
    urls = [exchange.url, *(hop.url for hop in exchange.hops)]
    return {(urlsplit(url).hostname or "").lower() for url in urls}


def registry() -> tuple[Rule, ...]:
    from . import github, others, wechat, zhihu

    return (wechat.RULE, zhihu.RULE, github.API_RULE, github.WEB_RULE, *others.RULES)


def decide(exchange: Exchange) -> Verdict | None:
    """The first rule's verdict on a response, or None for the generic classifier."""
    if exchange.error is not None or not exchange.hops:
        return None
    hosts = _hosts(exchange)
    page = Page(exchange)
    for rule in registry():
        if not any(rule.serves(host) for host in hosts):
            continue
        found = rule.decide(page)
        if found is not None:
            LOG.debug("rule %s decided %s for %s", rule.name, found.reason, exchange.url)
            return replace(found, hops=exchange.hops, rule=rule.name)
    return None


def retry_after(exchange: Exchange) -> float | None:
    """A rule's request to retry this response later (rate limits that are not 429)."""
    hosts = _hosts(exchange)
    for rule in registry():
        if rule.retry_after is not None and any(rule.serves(h) for h in hosts):
            wait = rule.retry_after(exchange)
            if wait is not None:
                return wait
    return None


def blocking(exchange: Exchange) -> bool | None:
    """A rule says this response is the host refusing us for asking too much (True), an
    ordinary answer (False), or nothing either way (None)."""
    hosts = _hosts(exchange)
    said = [
        rule.blocking(exchange)
        for rule in registry()
        if rule.blocking is not None and any(rule.serves(h) for h in hosts)
    ]
    if True in said:
        return True
    return None if None in said else False


def rewrite(url: str, *, github_token: str | None) -> str:
    """The URL to request instead (GitHub repositories through the REST API with a token)."""
    from . import github

    return (github.api_url(url) or url) if github_token else url
