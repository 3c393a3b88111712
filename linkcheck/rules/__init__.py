"""Host rules: where status codes lie, a small named rule reads the page (DESIGN.md §4).

A rule names the domains it serves, the reasons it can give, and a verdict hook that reads
the Exchange (status, redirect chain, headers, the first 64 KiB of the body parsed with
selectolax). Rules run in order; the first that decides wins; the generic classifier
decides the rest. Every marker a rule relies on is cited by its key in docs/SOURCES.md,
and where the source is rated Low, the rule answers unknown, never dead.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from ..domains import hostname_of
from ..fetch.redirects import moved_detail, permanent_target
from ..models import Exchange, Status, Verdict
from .base import Page, Rule, verdict

LOG = logging.getLogger("linkcheck.rules")


def _hosts(exchange: Exchange) -> set[str]:
    urls = {exchange.url, *(hop.url for hop in exchange.hops)}
    return {(hostname_of(url) or "").lower() for url in urls}


def registry() -> tuple[Rule, ...]:
    from . import github, others, wechat, zhihu

    return (wechat.RULE, zhihu.RULE, github.API_RULE, github.WEB_RULE, *others.RULES)


_SERVING: dict[str, tuple[Rule, ...]] = {}


def _serving(hosts: set[str]) -> tuple[Rule, ...]:
    """The built-in rules that serve any of hosts, in order; asked of every response the
    fetcher gets (blocking, retry_after), so remembered per host."""
    if len(hosts) == 1:
        (host,) = hosts
        found = _SERVING.get(host)
        if found is None:
            found = _SERVING[host] = tuple(rule for rule in registry() if rule.serves(host))
        return found
    return tuple(rule for rule in registry() if any(rule.serves(host) for host in hosts))


def decide(exchange: Exchange, first: tuple[Rule, ...] = ()) -> Verdict | None:
    """The first rule's verdict on a response (the rules given first, the user's, then the
    built-in ones), or None for the generic classifier."""
    if exchange.error is not None or not exchange.hops:
        return None
    hosts = _hosts(exchange)
    page = Page(exchange)
    mine = (rule for rule in first if any(rule.serves(host) for host in hosts))
    for rule in (*mine, *_serving(hosts)):
        found = rule.decide(page)
        if found is not None:
            LOG.debug("rule %s decided %s for %s", rule.name, found.reason, exchange.url)
            return kept_redirect(replace(found, hops=exchange.hops, rule=rule.name))
    return None


def browser_can_pass(exchange: Exchange) -> bool:
    """Whether a rule found this answer to be a challenge a browser passes (--browser)."""
    if exchange.error is not None or not exchange.hops:
        return False
    hosts = _hosts(exchange)
    page = Page(exchange)
    return any(rule.challenge is not None and rule.challenge(page) for rule in _serving(hosts))


def kept_redirect(found: Verdict) -> Verdict:
    """A rule that read the last page of a permanent redirect says whether that page
    lives; the chain still says the link moved. Alive there is redirected, to where the
    run of permanent redirects leads, so `fix` rewrites the link (a renamed Zhihu column:
    301 to www.zhihu.com/column/...)."""
    if found.status is not Status.ALIVE:
        return found
    moved = permanent_target(found.hops)
    if moved is None:
        return found
    url, kind = moved
    said = moved_detail(found.hops, url) + (f"; {found.detail}" if found.detail else "")
    return replace(found, status=Status.REDIRECTED, reason=kind, final_url=url, detail=said)


def retry_after(exchange: Exchange) -> float | None:
    """A rule's request to retry this response later (rate limits that are not 429)."""
    for rule in _serving(_hosts(exchange)):
        if rule.retry_after is not None:
            wait = rule.retry_after(exchange)
            if wait is not None:
                return wait
    return None


def blocking(exchange: Exchange) -> bool | None:
    """A rule says this response is the host refusing us for asking too much (True), an
    ordinary answer (False), or nothing either way (None)."""
    said = [
        rule.blocking(exchange) for rule in _serving(_hosts(exchange)) if rule.blocking is not None
    ]
    if True in said:
        return True
    return None if None in said else False


def through_wrapper(wrapper: str, target: str, found: Verdict) -> Verdict:
    """The verdict of a link whose target came out of a wrapper URL, as the wrapper's host
    rule reads it (a WeChat captcha page pasted by mistake: link the article directly)."""
    from . import wechat

    return wechat.pasted_captcha(wrapper, target, found)


def rewrite(url: str, *, github_token: str | None) -> str:
    """The URL to request instead (GitHub repositories through the REST API with a token)."""
    from . import github

    return (github.api_url(url) or url) if github_token else url


__all__ = [
    "Page",
    "Rule",
    "blocking",
    "decide",
    "registry",
    "retry_after",
    "rewrite",
    "through_wrapper",
    "verdict",
]
