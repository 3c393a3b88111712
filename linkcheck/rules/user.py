"""The rules a user writes in the configuration ([[rules]], and `accept` in the hosts
table), as Rule records checked before the built-in ones (README "Your own host rules").

A user's rule is their judgement of their hosts: it may say dead where a built-in rule
would not, because they have seen the page. Each is named in the verdict's `rule`."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from ..config import HostConfig, UserRule
from ..models import Status, Verdict
from ..patterns import compile_pattern
from .base import Page, Rule, verdict


def _decide(spec: UserRule) -> Callable[[Page], Verdict | None]:
    pattern = (
        compile_pattern(spec.url_matches, where=f"rules ({spec.name}): url-matches")
        if spec.url_matches
        else None
    )
    detail = f"the configuration's rule {spec.name!r}"

    def decide(page: Page) -> Verdict | None:
        if spec.status_in and page.status not in spec.status_in:
            return None
        urls = (page.exchange.url, *(hop.url for hop in page.hops))
        if pattern is not None and not any(pattern.search(url) for url in urls):
            return None
        if spec.body_contains and not any(marker in page.text for marker in spec.body_contains):
            return None
        moved = page.final_url if spec.status is Status.REDIRECTED else None
        return verdict(spec.status, spec.reason, detail, final_url=moved)

    return decide


def _accepting(host: str | None, statuses: tuple[int, ...]) -> Rule:
    """A host's accepted statuses (hosts.HOST.accept), or every host's (--accept: None)."""
    said = f"for {host} (hosts.{host}.accept)" if host else "(--accept)"

    def decide(page: Page) -> Verdict | None:
        if page.status in statuses:
            return verdict(
                Status.ALIVE, f"accepted-{page.status}", f"HTTP {page.status} is accepted {said}"
            )
        return None

    reasons = tuple(f"accepted-{status}" for status in statuses)
    domains = (host,) if host else ()  # no domains: every host
    return Rule(f"accept:{host}" if host else "accept", domains, decide, reasons)


def from_config(
    specs: tuple[UserRule, ...], hosts: Mapping[str, HostConfig], accept: tuple[int, ...] = ()
) -> tuple[Rule, ...]:
    """The user's rules in their order, then each host's accepted statuses, then those
    accepted on every host (--accept)."""
    written = tuple(Rule(spec.name, spec.hosts, _decide(spec), (spec.reason,)) for spec in specs)
    accepted = tuple(
        _accepting(host, config.accept) for host, config in hosts.items() if config.accept
    )
    everywhere = (_accepting(None, accept),) if accept else ()
    return written + accepted + everywhere
